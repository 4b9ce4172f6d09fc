"""The farmer-declaration side of the scene: parcels, crop LUT, tile grid and practice files.

- ``parcels.gpkg`` (layer ``parcels``, scene CRS): ``OBJECTID`` (int64), ``holding_id`` (text),
  ``CULT_CODE`` (int, Dutch BRP code of the *declared* crop), ``area_decl`` (declared area in ha,
  the measured area with the ±1 % error of a farmer's declaration), polygon or multipolygon.
  Three extra features are the errors a real declaration holds, for the parcel checks
  (:func:`with_declaration_errors`): a duplicate of a parcel (same polygon, other ring start), a
  sliver drawn over a neighbour (overlapping it by about a fifth of its area) and a self-intersecting
  "bow-tie". They have OBJECTIDs above 10 000 000 and no ground truth.
- ``lut.csv``: the crop LUT with exactly the columns of parcels.md section 2.
- ``tile_grid.gpkg`` (layer ``tiles``, EPSG:4326): ``tile_id``, ``epsg_code`` and the footprint of the
  scene's Sentinel-2 tile.
- ``practices_<PRACTICE>.csv``: Sen4CAP practice declarations (``FIELD_ID`` = ``OBJECTID`` as text) for
  ``CatchCrop``, ``NFC``, ``Fallow`` and ``NA`` (arable parcels evaluated for harvest only).

GeoPackages carry a modification time; it is pinned (GDAL ``OGR_CURRENT_DATE``) so that the same
scene gives the same bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS

from .crops import CROPS, lut_rows
from .plan import PRACTICE_END, PRACTICE_START, PRACTICE_TYPES
from .scene import TILE_SIZE_PX, TILE_ULX, TILE_ULY, YEAR, Scene

LUT_COLUMNS = ("ori_crop", "ctnum", "lc", "ctnuml4a", "ctl4a", "ctnumdiv", "eaa", "al", "pgrass", "tgrass", "fallow", "cwater")
PRACTICE_COLUMNS = ("FIELD_ID", "MAIN_CROP", "VEG_START", "H_START", "H_END", "PRACTICE", "P_TYPE", "P_START", "P_END")
PRACTICES = ("CatchCrop", "NFC", "Fallow", "NA")
GPKG_TIMESTAMP = f"{YEAR}-01-01T00:00:00.000Z"
AREA_DECLARATION_ERROR = 0.01


@contextmanager
def pinned_gpkg_timestamp() -> Iterator[None]:
    previous = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": GPKG_TIMESTAMP})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": previous})


def object_ids(n: int, rng: np.random.Generator) -> np.ndarray:
    """Unique 7-digit parcel numbers in no spatial order, as a national register hands them out."""
    return (1_000_000 + rng.choice(9_000_000, size=n, replace=False)).astype(np.int64)


def holding_ids(holding: np.ndarray) -> np.ndarray:
    return np.array([f"H{h:06d}" for h in holding], dtype=object)


def declaration_frame(
    parcels: list[shapely.Geometry], objectid: np.ndarray, holding: np.ndarray, declared_codes: np.ndarray, crs: CRS | int, rng: np.random.Generator
) -> gpd.GeoDataFrame:
    area_ha = shapely.area(np.array(parcels, dtype=object)) / 10_000
    declared_area = np.round(area_ha * (1 + AREA_DECLARATION_ERROR * rng.standard_normal(len(parcels))), 4)
    frame = gpd.GeoDataFrame(
        {
            "OBJECTID": objectid,
            "holding_id": holding_ids(holding),
            "CULT_CODE": declared_codes.astype(np.int32),
            "area_decl": declared_area,
        },
        geometry=parcels,
        crs=crs,
    )
    return frame.sort_values("OBJECTID", kind="stable").reset_index(drop=True)


ERROR_OBJECTID_BASE = 10_000_000
DECLARATION_ERRORS = ("duplicate", "overlap", "bowtie")


def with_declaration_errors(frame: gpd.GeoDataFrame, rng: np.random.Generator) -> tuple[gpd.GeoDataFrame, list[dict[str, object]]]:
    """The declarations plus one duplicate, one overlapping sliver and one bow-tie, and their description."""
    simple = frame[frame.geometry.geom_type == "Polygon"]
    chosen = simple.iloc[rng.choice(len(simple), size=len(DECLARATION_ERRORS), replace=False)]
    rows, errors = [], []
    for i, (kind, source) in enumerate(zip(DECLARATION_ERRORS, chosen.itertuples(), strict=True), start=1):
        polygon = source.geometry
        ring = list(polygon.exterior.coords)[:-1]
        if kind == "duplicate":
            geometry = shapely.Polygon(ring[1:] + ring[:1])  # equal once normalised
        elif kind == "overlap":
            # the western strip holding a fifth to a half of the parcel's area, whatever its shape
            xmin, ymin, xmax, ymax = polygon.bounds
            for width in np.linspace(0.2, 0.8, 13):
                geometry = shapely.intersection(polygon, shapely.box(xmin, ymin, xmin + width * (xmax - xmin), ymax))
                if shapely.area(geometry) >= 0.2 * polygon.area:
                    break
        else:
            xmin, ymin, xmax, ymax = polygon.bounds
            geometry = shapely.Polygon([(xmin, ymin), (xmax, ymax), (xmax, ymin), (xmin, ymax)])
        objectid = ERROR_OBJECTID_BASE + i
        rows.append({"OBJECTID": objectid, "holding_id": source.holding_id, "CULT_CODE": source.CULT_CODE,
                     "area_decl": round(float(shapely.area(geometry)) / 10_000, 4), "geometry": geometry})
        errors.append({"OBJECTID": objectid, "kind": kind, "of": int(source.OBJECTID)})
    extra = gpd.GeoDataFrame(rows, geometry="geometry", crs=frame.crs)
    return gpd.GeoDataFrame(pd.concat([frame, extra], ignore_index=True), crs=frame.crs), errors


def write_parcels(path: Path, frame: gpd.GeoDataFrame) -> Path:
    with pinned_gpkg_timestamp():
        frame.to_file(path, layer="parcels", driver="GPKG", engine="pyogrio")
    return path


def write_lut(path: Path) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=LUT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(lut_rows())
    return path


def tile_footprint() -> shapely.Polygon:
    """The 109.8 km square of the tile in its UTM zone, densified so that it reprojects faithfully."""
    size = TILE_SIZE_PX * 10.0
    square = shapely.box(TILE_ULX, TILE_ULY - size, TILE_ULX + size, TILE_ULY)
    return shapely.segmentize(square, 1000.0)


def write_tile_grid(path: Path, scene: Scene) -> Path:
    frame = gpd.GeoDataFrame({"tile_id": [scene.tile_id], "epsg_code": [scene.epsg]}, geometry=[tile_footprint()], crs=scene.epsg)
    with pinned_gpkg_timestamp():
        frame.to_crs(4326).to_file(path, layer="tiles", driver="GPKG", engine="pyogrio")
    return path


def _iso(date: dt.date | None) -> str:
    return date.isoformat() if date else "NA"


def _window(crop_index: int, key: str) -> str:
    month_day = CROPS[crop_index].windows.get(key)
    return f"{YEAR}-{month_day}" if month_day else "NA"


def practice_rows(objectid: np.ndarray, declared: np.ndarray, practice: np.ndarray) -> dict[str, list[dict[str, str]]]:
    """Rows of each practice file, sorted by FIELD_ID. Catch crops carry P_END = NA (period = CATCHPERIOD days)."""
    rows: dict[str, list[dict[str, str]]] = {name: [] for name in PRACTICES}
    for p in np.argsort(objectid.astype(str), kind="stable"):
        name = practice[p]
        if not name:
            continue
        rows[name].append(
            {
                "FIELD_ID": str(objectid[p]),
                "MAIN_CROP": str(CROPS[declared[p]].code),
                "VEG_START": _window(declared[p], "VEG_START"),
                "H_START": _window(declared[p], "H_START"),
                "H_END": _window(declared[p], "H_END"),
                "PRACTICE": name,
                "P_TYPE": PRACTICE_TYPES.get(name, "NA"),
                "P_START": _iso(PRACTICE_START.get(name)),
                "P_END": _iso(PRACTICE_END.get(name)),
            }
        )
    return rows


def write_practices(folder: Path, objectid: np.ndarray, declared: np.ndarray, practice: np.ndarray) -> list[Path]:
    paths = []
    for name, rows in practice_rows(objectid, declared, practice).items():
        path = folder / f"practices_{name}.csv"
        with open(path, "w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=PRACTICE_COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        paths.append(path)
    return paths
