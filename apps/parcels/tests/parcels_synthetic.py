"""Synthetic declarations with analytically known results (spec parcels.md, section 6)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely.geometry import Polygon, box

EPSG = 32631
TILES = {"T1": box(0, 0, 1000, 1000), "T2": box(900, 0, 1900, 1000)}

LUT_ROWS = [
    # ori_crop, ctnum, lc, ctnuml4a, ctl4a, ctnumdiv, eaa, al, pgrass, tgrass, fallow, cwater
    (111, 1, 1, 10, "Wheat", 1, 1, 1, 0, 0, 0, 0),
    (222, 2, 1, 20, "Maize", 2, 1, 1, 0, 0, 0, 0),
    (333, 3, 3, 30, "Grassland", 3, 1, 0, 1, 0, 0, 0),
]


def square(x: float, y: float, size: float = 100.0) -> Polygon:
    return box(x, y, x + size, y + size)


def declarations_year1() -> gpd.GeoDataFrame:
    """One parcel per acceptance case, ids chosen so that NewID order is easy to reason about."""
    rotated_start = Polygon([(700, 3), (700, 103), (600, 103), (600, 3)])  # same square as DUP1, other ring start/order
    rows = [
        ("SQUARE", "H1", 111, square(3, 3)),
        ("BOWTIE", "H1", 111, Polygon([(200, 0), (300, 100), (300, 0), (200, 100)])),
        ("DUP1", "H2", 222, box(600, 3, 700, 103)),
        ("DUP2", "H2", 222, rotated_start),
        ("OV15A", "H3", 111, box(300, 300, 400, 400)),
        ("OV15B", "H3", 111, box(385, 300, 485, 400)),
        ("OV05A", "H4", 222, box(500, 500, 600, 600)),
        ("OV05B", "H4", 222, box(595, 500, 695, 600)),
        ("THIN", "H5", 333, box(100, 700, 115, 900)),
        ("STRADDLE", "H5", 333, box(952, 602, 1152, 702)),
        ("INOVERLAP", "H6", 333, box(922, 302, 982, 362)),
        ("OUTSIDE", "H6", 333, square(5000, 5000)),
        ("REP", "H7", 111, square(100, 400)),
        ("REP", "H7", 999, square(100, 550)),  # crop code absent from the LUT
    ]
    frame = pd.DataFrame(rows, columns=["OBJECTID", "holding_id", "CULT_CODE", "geometry"])
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=EPSG)


def declarations_year2() -> gpd.GeoDataFrame:
    """Year 2: REP-A deleted (absent), SQUARE modified, NEW added, the rest unchanged."""
    year1 = declarations_year1()
    year2 = year1[year1["OBJECTID"] != "REP"].copy()
    year2.loc[year2["OBJECTID"] == "SQUARE", "geometry"] = square(3, 3, 110)
    new = gpd.GeoDataFrame(
        {"OBJECTID": ["NEW", "REP"], "holding_id": ["H9", "H7"], "CULT_CODE": [222, 111]},
        geometry=[square(700, 700), square(100, 550)],
        crs=EPSG,
    )
    return gpd.GeoDataFrame(pd.concat([year2, new], ignore_index=True), crs=EPSG)


def write_inputs(folder: Path, frame: gpd.GeoDataFrame | None = None, name: str = "decl.gpkg") -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    decl = folder / name
    (frame if frame is not None else declarations_year1()).to_file(decl, driver="GPKG")
    lut = folder / "lut.csv"
    pd.DataFrame(
        LUT_ROWS, columns=["ori_crop", "ctnum", "lc", "ctnuml4a", "ctl4a", "ctnumdiv", "eaa", "al", "pgrass", "tgrass", "fallow", "cwater"]
    ).to_csv(lut, index=False)
    grid = folder / "tiles.gpkg"
    gpd.GeoDataFrame({"tile_id": list(TILES), "epsg_code": [EPSG] * len(TILES)}, geometry=list(TILES.values()), crs=EPSG).to_file(
        grid, driver="GPKG"
    )
    return {"declarations": decl, "lut": lut, "tile_grid": grid}
