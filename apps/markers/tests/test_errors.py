"""Bad inputs: exit 3 with one sentence naming the problem, and nothing written."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from markers_helpers import Catalog, grid, invoke, pixel_box, write_parcels

G = grid(40, 30)
DAY = dt.date(2021, 5, 3)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("errors")
    catalog = Catalog.at(folder / "products")
    catalog.l3b("NDVI", DAY, G, np.full(G.shape, 500, np.int16), np.zeros(G.shape, np.uint8))
    catalog.close()
    parcel = pixel_box(G, 2.3, 2.3, 20.3, 20.3)
    no_crs = folder / f"L3BNDVI_T31UFS_{DAY:%Y%m%d}T103000_SNDVI.tif"
    with rasterio.open(no_crs, "w", driver="GTiff", width=40, height=30, count=1, dtype="int16", transform=G.transform) as dst:
        dst.write(np.full((1, 30, 40), 500, np.int16))
    unknown = folder / "ndvi_20210503.tif"
    unknown.write_bytes(no_crs.read_bytes())
    empty = folder / "empty.gpkg"
    gpd.GeoDataFrame({"NewID": np.array([], dtype=np.int32)}, geometry=[], crs=32631).to_file(empty)
    parcels_no_crs = folder / "no_crs.gpkg"
    gpd.GeoDataFrame({"NewID": [1]}, geometry=[parcel]).to_file(parcels_no_crs)
    no_newid = folder / "no_newid.gpkg"
    gpd.GeoDataFrame({"ID": [1]}, geometry=[parcel], crs=32631).to_file(no_newid)
    return {
        "products": catalog.folder,
        "parcels": write_parcels(folder / "parcels.parquet", [1], [parcel]),
        "no_newid": no_newid,
        "far": write_parcels(folder / "far.parquet", [1], [pixel_box(G, 500, 500, 520, 520)]),
        "duplicated": write_parcels(folder / "duplicated.parquet", [4, 4], [parcel, parcel]),
        "no_crs": no_crs,
        "unknown": unknown,
        "empty": empty,
        "parcels_no_crs": parcels_no_crs,
        "folder": folder,
    }


@pytest.mark.parametrize(
    ("case", "code"),
    [
        (("--input", "products", "--parcels", "no_newid"), "E_SCHEMA"),
        (("--input", "products", "--parcels", "duplicated"), "E_SCHEMA"),
        (("--input", "products", "--parcels", "far"), "E_NO_OVERLAP"),
        (("--input", "no_crs", "--parcels", "parcels"), "E_BAD_CRS"),
        (("--input", "unknown", "--parcels", "parcels"), "E_UNSUPPORTED_PRODUCT"),
        (("--input", "products", "--parcels", "empty"), "E_EMPTY_PARCELS"),
        (("--input", "products", "--parcels", "parcels_no_crs"), "E_BAD_CRS"),
        (("--input", "missing", "--parcels", "parcels"), "E_INPUT_NOT_FOUND"),
        (("--input", "products", "--parcels", "parcels", "--products", "LAI"), "E_PARAM"),
    ],
    ids=["no-newid", "duplicated-newid", "no-overlap", "raster-without-crs", "unknown-product", "empty-parcels", "parcels-without-crs",
         "missing-input", "nothing-selected"],
)
def test_bad_input(inputs: dict[str, Path], case: tuple[str, ...], code: str) -> None:
    args = [a if a.startswith("--") or a == "LAI" else str(inputs.get(a, inputs["folder"] / a)) for a in case]
    out = inputs["folder"] / "out"
    result = invoke(*args, "--output", out)
    assert result.exit_code == 3, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"ERROR {code}: "), result.output
    assert not out.exists()


def test_unknown_statistic_is_a_usage_error(inputs: dict[str, Path]) -> None:
    result = invoke("--input", inputs["products"], "--parcels", inputs["parcels"], "--stats", "mode", "--output", inputs["folder"] / "usage")
    assert result.exit_code == 2 and "mode" in result.output
