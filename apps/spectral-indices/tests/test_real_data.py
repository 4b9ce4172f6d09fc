"""The spec's oracles on real data (spec l3b-spectral-indices.md §6); skipped without ../shared/data."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
import rasterio
from rasterio.errors import NotGeoreferencedWarning
from rasterio.merge import merge
from si_run import read_product, run_ok

RSGISLIB = "data/rsgislib-s2/python_tests/data"
GFMAP = "data/openeo-gfmap-cdse/tests"
SEN2RTS = "data/sen2rts-ndvi-scl/inst/extdata/sen2r/sampleroi"
SCL_FLAG = np.array([255, 5, 4, 2, 0, 0, 1, 4, 4, 4, 4, 3] + [255] * 244, dtype=np.uint8)  # spec §5.2, written out


def _read(path: Path, band: int = 1) -> np.ndarray:
    with rasterio.open(path) as src:
        return src.read(band)


# ---------------------------------------------------------------------------- rsgislib


@pytest.fixture(scope="module")
def rsgislib_subset(shared, tmp_path_factory) -> tuple[Path, Path]:
    """Float32 and int16 NDVI of the subset, --band-map red=3,nir=8 --reflectance-scale 0.001."""
    stack = shared.path(f"{RSGISLIB}/sen2_20210527_aber_subset.tif")
    out = tmp_path_factory.mktemp("rsgislib")
    common = ("--input", stack, "--band-map", "red=3,nir=8", "--reflectance-scale", "0.001", "--naming", "project")
    run_ok(*common, "--output-dtype", "float32", "--output", out / "float")
    run_ok(*common, "--output", out / "int16")
    return out / "float", out / "int16"


def test_rsgislib_subset_ndvi_float32(shared, rsgislib_subset) -> None:
    reference = _read(shared.path(f"{RSGISLIB}/imagecalc/calcindices/sen2_20210527_aber_subset_ndvi_ref.tif"))
    ours = read_product(rsgislib_subset[0]).index
    assert ours.shape == reference.shape == (339, 324) and ours.size == 109_836
    assert np.isfinite(ours).all() and (reference != -999).all()
    assert np.abs(ours - reference).max() <= 1e-6


def test_rsgislib_subset_ndvi_int16(shared, rsgislib_subset) -> None:
    reference = _read(shared.path(f"{RSGISLIB}/imagecalc/calcindices/sen2_20210527_aber_subset_ndvi_ref.tif")).astype(np.float64)
    ours = read_product(rsgislib_subset[1]).index
    assert ours.dtype == np.int16
    assert np.abs(ours - np.round(reference * 1000)).max() <= 1


def test_rsgislib_full_scene_from_16_tiles(shared, tmp_path) -> None:
    reference_path = shared.path(f"{RSGISLIB}/imagecalc/sen2_20210527_aber_ndvi.tif")
    tiles = sorted(shared.path(f"{RSGISLIB}/imageutils/s2_tiles").glob("sen2_20210527_aber_tile*.tif"))
    assert len(tiles) == 16
    with rasterio.open(reference_path) as ref:
        reference, bounds, profile = ref.read(1), ref.bounds, ref.profile
    mosaic, transform = merge([str(t) for t in tiles], bounds=bounds, res=(10, 10), nodata=0)
    assert mosaic.shape[1:] == reference.shape == (947, 931)
    stack = tmp_path / "sen2_20210527_aber_mosaic.tif"
    profile.update(count=mosaic.shape[0], dtype=mosaic.dtype, nodata=0, transform=transform)
    with rasterio.open(stack, "w", **profile) as dst:
        dst.write(mosaic)
    run_ok("--input", stack, "--band-map", "red=3,nir=8", "--reflectance-scale", "0.001", "--output-dtype", "float32", "--output", tmp_path / "out")
    ours = read_product(tmp_path / "out").index
    covered = (mosaic != 0).all(axis=0)
    assert covered.sum() == 879_780 and not covered[:, 0].any()  # the tiles lack the first column
    assert np.abs(ours[covered] - reference[covered]).max() <= 1e-6
    assert np.isnan(ours[~covered]).all()


# ---------------------------------------------------------------------- openeo-gfmap cubes


def _cube(path: Path, variable: str) -> tuple[np.ndarray, dict]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        with rasterio.open(f"netcdf:{path}:{variable}") as src:
            return src.read(), {"crs": src.crs, "transform": src.transform, "days": [int(src.tags(b)["NETCDF_DIM_t"]) for b in range(1, src.count + 1)]}


def _write(path: Path, bands: list[np.ndarray], meta: dict, nodata: float | None) -> Path:
    profile = {"driver": "GTiff", "width": bands[0].shape[1], "height": bands[0].shape[0], "count": len(bands), "dtype": bands[0].dtype,
               "crs": meta["crs"], "transform": meta["transform"], "nodata": nodata}  # fmt: skip
    with rasterio.open(path, "w", **profile) as dst:
        for number, band in enumerate(bands, start=1):
            dst.write(band, number)
    return path


def _date(days: int) -> str:
    return (np.datetime64("1990-01-01") + np.timedelta64(days, "D")).astype(str).replace("-", "")


def test_cloud_masking_on_the_cdse_cube(shared, tmp_path) -> None:
    cube = shared.path(f"{GFMAP}/tests_unit/results/cdse_sentinel2_l2a.nc")
    (red, meta), (nir, _), (swir, _), (scl, _) = (_cube(cube, f"S2-L2A-{b}") for b in ("B04", "B08", "B11", "SCL"))
    assert red.shape == (12, 66, 64)
    clear_dates = 0
    for t, days in enumerate(meta["days"]):
        stack = _write(tmp_path / f"cdse_{_date(days)}.tif", [red[t], nir[t], swir[t]], meta, nodata=32769)
        classes = _write(tmp_path / f"cdse_{_date(days)}_scl.tif", [scl[t]], meta, nodata=None)
        out = tmp_path / f"out{t}"
        run_ok("--input", stack, "--scl", classes, "--band-map", "red=1,nir=2,swir1=3", "--reflectance-scale", "0.0001",
               "--index", "NDVI", "--index", "NDWI", "--output-dtype", "float32", "--output", out)  # fmt: skip
        ndvi, ndwi = read_product(out, "NDVI"), read_product(out, "NDWI")
        expected = SCL_FLAG[scl[t]]
        valid_bands = (red[t] != 32769) & (nir[t] != 32769)
        expected_ndvi_flags = np.where(valid_bands, expected, 255)
        assert np.array_equal(ndvi.flags, expected_ndvi_flags), _date(days)
        assert np.array_equal(np.isfinite(ndvi.index), expected_ndvi_flags == 0), _date(days)
        assert np.array_equal(np.isfinite(ndwi.index), np.isin(ndwi.flags, [0, 1])), _date(days)
        land = expected_ndvi_flags == 0
        reference = (nir[t][land].astype(np.float64) - red[t][land]) / (nir[t][land].astype(np.float64) + red[t][land])
        np.testing.assert_allclose(ndvi.index[land], reference, rtol=0, atol=1e-6)
        clear_dates += land.mean() > 0.5
    assert clear_dates >= 2  # 2023-04-05 and 2023-04-15 are mostly clear


def test_soil_and_water_indices_on_the_optical_cube(shared, tmp_path) -> None:
    cube = shared.path(f"{GFMAP}/tests_integration/resources/test_optical_cube.nc")
    (red, meta), (green, _), (nir, _), (scl, _) = (_cube(cube, f"S2-L2A-{b}") for b in ("B04", "B03", "B08", "SCL"))
    dates = range(0, red.shape[0], 6)  # a few of the 19 dates keep the test short
    for t in dates:
        name = f"optical_{_date(meta['days'][t])}"
        stack = _write(tmp_path / f"{name}.tif", [red[t], green[t], nir[t]], meta, nodata=None)
        classes = _write(tmp_path / f"{name}_scl.tif", [scl[t]], meta, nodata=None)
        out = tmp_path / name
        run_ok("--input", stack, "--scl", classes, "--band-map", "red=1,green=2,nir=3", "--reflectance-scale", "0.0001", "--output-dtype", "float32",
               *[a for i in ("NDWI2", "BI", "CI", "RI") for a in ("--index", i)], "--output", out)  # fmt: skip
        r, g, n = (b[t].astype(np.float64) * 1e-4 for b in (red, green, nir))
        flags = SCL_FLAG[scl[t]]
        references = {"NDWI2": ((g - n) / (g + n), [0, 1]), "BI": (np.sqrt((r**2 + g**2) / 2), [0]), "CI": ((r - g) / (r + g), [0]), "RI": (r**2 / g**3, [0])}
        for code, (reference, allowed) in references.items():
            product = read_product(out, code)
            defined = np.isin(flags, allowed)
            assert np.array_equal(np.isfinite(product.index), defined), (name, code)
            np.testing.assert_allclose(product.index[defined], reference[defined], rtol=2e-6, atol=1e-6, err_msg=f"{name} {code}")


# ------------------------------------------------------------------- sen2rts offset origin


def test_scl_with_offset_origin_sen2rts(shared, tmp_path) -> None:
    """20 m SCL whose origin is 10 m off the 10 m NDVI grid: each pixel takes the SCL cell containing its centre."""
    folder = shared.path(SEN2RTS)
    checked = 0
    for ndvi_path in sorted((folder / "NDVI").glob("*.tif"))[:10]:
        scl_path = folder / "SCL" / ndvi_path.name.replace("_NDVI_", "_SCL_")
        with rasterio.open(ndvi_path) as src:
            ndvi, profile = src.read(1), src.profile
        with rasterio.open(scl_path) as src:
            scl, scl_transform = src.read(1), src.transform
        assert scl_transform.f != profile["transform"].f  # the origins differ
        # Reflectances that reproduce the sen2rts NDVI: red = 0.1, nir = 0.1 (1 + v)/(1 − v).
        value = np.where(ndvi == -32768, np.nan, ndvi / 10000.0)
        red = np.where(np.isnan(value), 0, 1000)
        nir = np.where(np.isnan(value), 0, 1000 * (1 + value) / (1 - value))
        stack = tmp_path / ndvi_path.name
        profile.update(count=2, dtype="float32", nodata=0)
        with rasterio.open(stack, "w", **profile) as dst:
            dst.write(np.stack([red, nir]).astype(np.float32))
        out = tmp_path / ndvi_path.stem
        run_ok("--input", stack, "--scl", scl_path, "--band-map", "red=1,nir=2", "--reflectance-scale", "0.0001", "--output-dtype", "float32", "--output", out)
        product = read_product(out)
        t, s = profile["transform"], scl_transform
        rows = np.floor((t.f + (np.arange(ndvi.shape[0]) + 0.5) * t.e - s.f) / s.e).astype(int)
        cols = np.floor((t.c + (np.arange(ndvi.shape[1]) + 0.5) * t.a - s.c) / s.a).astype(int)
        expected = SCL_FLAG[scl[np.ix_(rows, cols)]]
        expected[np.isnan(value)] = 255
        assert np.array_equal(product.flags, expected), ndvi_path.name
        land = expected == 0
        np.testing.assert_allclose(product.index[land], value[land], rtol=0, atol=1e-6)
        checked += 1
    assert checked == 10
