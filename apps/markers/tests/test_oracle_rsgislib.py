"""Oracles on the rsgislib real Sentinel-2 data (Aberystwyth, EPSG:27700).

- rasterstats on the NDVI of the S2 subset with the test polygons (a multipolygon with a hole
  among them, parcels partly outside the raster): counts equal, statistics within 1e-6 relative;
  the spec's figures (count 92 594, mean 0.60505) and exactextract as a loose check (≤ 1e-3);
- the pixel oracle (spec §6): the 6 zonal-statistics polygons over the 16 tiles of the scene, which
  overlap by one pixel, merged as tiles of one date: counts equal the 703 reference pixels and the
  statistics equal NumPy on the reference values (rel. 1e-12), band by band.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
from markers_helpers import column, read_wide, run_ok, write_parcels
from rasterio.features import rasterize
from rasterstats import zonal_stats
from s4c_common.rasterize import buffer_inward
from s4c_markers.accumulate import Reporting
from s4c_markers.parcels import Buffers, read_parcels
from s4c_markers.process import Options, compute_markers
from s4c_markers.products import GeoTiffProduct
from s4c_markers.registry import Recognised, index_type

DATA = "data/rsgislib-s2/python_tests/data"
POLYGON_FILES = ("aber_osgb_multi_polys.geojson", "aber_osgb_single_poly.geojson", "aber_osgb_single_poly_hole.geojson")
DATE = "20210527"


@pytest.fixture(scope="module")
def ndvi_run(shared, tmp_path_factory: pytest.TempPathFactory) -> dict:
    data = shared.path(DATA)
    folder = tmp_path_factory.mktemp("rsgislib")
    polygons = pd.concat([gpd.read_file(data / name) for name in POLYGON_FILES], ignore_index=True).geometry.to_numpy()
    ids = np.arange(1, len(polygons) + 1)
    parcels = write_parcels(folder / "parcels.gpkg", ids, polygons, crs=27700)
    ndvi = folder / f"L3BNDVI_T30UVD_{DATE}T112119_SNDVI.tif"  # the project's L3B name: read as an NDVI product
    ndvi.symlink_to(data / "imagecalc/calcindices/sen2_20210527_aber_subset_ndvi_ref.tif")
    out = {}
    for label, buffer in (("buffered", "-5"), ("unbuffered", "0")):
        out[label] = folder / label
        run_ok("--input", ndvi, "--parcels", parcels, "--output", out[label], "--stats", "all", "--min-valid-pixels", 1, "--min-valid-fraction", 0,
               "--buffer-10m", buffer, "--workers", 2)
    return {"polygons": polygons, "raster": ndvi, "tables": {k: read_wide(v) for k, v in out.items()}}


def test_rasterstats_agrees(ndvi_run: dict) -> None:
    geometries = buffer_inward(ndvi_run["polygons"], 5)
    stats = {"mean": "mean", "min": "min", "max": "max", "median": "median", "p25": "percentile_25", "p75": "percentile_75"}
    theirs = zonal_stats(list(geometries), str(ndvi_run["raster"]), stats=["count", "std", *stats.values()], all_touched=False)
    table = ndvi_run["tables"]["buffered"]
    count = np.array([t["count"] for t in theirs], dtype=float)
    assert count[0] > 90_000 and count[1:4].sum() == 0  # three polygons of the file lie off the subset: no pixel, NaN
    np.testing.assert_array_equal(np.nan_to_num(column(table, f"{DATE}_valid_pixels_cnt_NDVI")), count)
    for ours, key in stats.items():
        expected = np.array([np.nan if t[key] is None else t[key] for t in theirs])
        np.testing.assert_allclose(column(table, f"{DATE}_{ours}_NDVI"), expected, rtol=1e-6, err_msg=ours)
    std = np.array([np.nan if t["std"] is None else t["std"] for t in theirs]) * np.sqrt(count / np.maximum(count - 1, 1))
    np.testing.assert_allclose(column(table, f"{DATE}_stdev_NDVI"), std, rtol=1e-6)


def test_spec_figures_and_exactextract(ndvi_run: dict) -> None:
    """Spec §6: the unbuffered first polygon selects 92 594 pixels of mean 0.60505; exactextract's weighted mean within 1e-3."""
    from exactextract import exact_extract

    table = ndvi_run["tables"]["unbuffered"]
    assert column(table, f"{DATE}_valid_pixels_cnt_NDVI")[0] == 92_594
    assert column(table, f"{DATE}_mean_NDVI")[0] == pytest.approx(0.6050501719873858, rel=1e-6)
    frame = gpd.GeoDataFrame(geometry=ndvi_run["polygons"][:1], crs=27700)
    weighted = exact_extract(str(ndvi_run["raster"]), frame, ["mean"], output="pandas")["mean"].iloc[0]
    assert abs(column(table, f"{DATE}_mean_NDVI")[0] - weighted) <= 1e-3


def _tiles(data: Path) -> list[Path]:
    return sorted((data / "imageutils/s2_tiles").glob("sen2_20210527_aber_tile*.tif"), key=lambda p: int(p.stem.rsplit("tile", 1)[1]))


def test_pixel_oracle_over_sixteen_overlapping_tiles(shared, tmp_path: Path) -> None:
    import h5py

    data = shared.path(DATA)
    polygons = gpd.read_file(data / "zonalstats/sen2_20210527_aber_polygons.geojson").geometry.to_numpy()
    parcels = read_parcels(write_parcels(tmp_path / "parcels.parquet", np.arange(1, 7), polygons, crs=27700))
    day = dt.date(2021, 5, 27)
    tiles = _tiles(data)
    products = [
        GeoTiffProduct(Recognised(index_type(f"B{band}"), day, str(path), path.stem, tile=f"{i:02d}", band=band))
        for band in range(1, 7)
        for i, path in enumerate(tiles)
    ]
    options = Options(stats=("min", "max", "median", "valid_pixels_cnt", "invalid_pixels_cnt"), reporting=Reporting(1, 0.0), buffers=Buffers(0.0, 0.0),
                      window_size=128)
    table = compute_markers(parcels, products, options).table

    with rasterio.open(data / "zonalstats/sen2_20210527_aber_polys.tif") as src:
        selected = src.read(1) > 0
        owner = rasterize(((g, i) for i, g in enumerate(polygons, start=1)), out_shape=src.shape, transform=src.transform, dtype="int32")
    with h5py.File(data / "zonalstats/sen2_20210527_aber_b1-6_vals.h5") as h5:
        reference = h5["DATA/DATA"][()].astype(np.float64)  # 703 pixels in row-major order × bands 1-6
    polygon_of_pixel = owner[selected]
    assert reference.shape == (703, 6) and np.all(polygon_of_pixel > 0)
    for band in range(1, 7):
        for parcel in range(1, 7):
            values = reference[polygon_of_pixel == parcel, band - 1]
            row = parcel - 1
            assert column(table, f"{DATE}_valid_pixels_cnt_B{band}")[row] == values.size
            assert column(table, f"{DATE}_invalid_pixels_cnt_B{band}")[row] == 0
            expected = {"mean": values.mean(), "stdev": values.std(ddof=1), "min": values.min(), "max": values.max(), "median": np.median(values)}
            for stat, value in expected.items():
                assert column(table, f"{DATE}_{stat}_B{band}")[row] == pytest.approx(np.float32(value), rel=1e-12), (band, parcel, stat)
