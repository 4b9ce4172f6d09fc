"""Bad input: exit code 3 (2 for usage errors), one ERROR line with the spec's code, nothing written."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import rasterio
from affine import Affine
from si_run import invoke, run_ok


def assert_input_error(result, code: str, out: Path, *words: str) -> None:
    assert result.exit_code == 3, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("ERROR")]
    assert len(lines) == 1 and lines[0].startswith(f"ERROR {code}:"), result.output
    assert all(word in lines[0] for word in words), lines[0]
    assert "Traceback" not in result.output
    assert not out.exists() or not any(out.iterdir()), "partial output left behind"


def _copy(safe: Path, folder: Path) -> Path:
    target = folder / safe.name
    shutil.copytree(safe, target)
    return target


def _band_file(safe: Path, band: str, resolution: int) -> Path:
    (path,) = safe.glob(f"GRANULE/*/IMG_DATA/R{resolution}m/*_{band}_{resolution}m.jp2")
    return path


def test_missing_input(tmp_path) -> None:
    assert_input_error(invoke("--input", tmp_path / "nope.SAFE", "--output", tmp_path / "out"), "E_INPUT_NOT_FOUND", tmp_path / "out", "nope.SAFE")


def test_level_1c_product(scene, tmp_path) -> None:
    l1c = _copy(scene.safe, tmp_path)
    (l1c / "MTD_MSIL2A.xml").rename(l1c / "MTD_MSIL1C.xml")
    assert_input_error(invoke("--input", l1c, "--output", tmp_path / "out"), "E_UNSUPPORTED_PRODUCT", tmp_path / "out", "Level-1C")


def test_not_a_product(tmp_path) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    assert_input_error(invoke("--input", folder, "--output", tmp_path / "out"), "E_UNSUPPORTED_PRODUCT", tmp_path / "out")


def test_missing_band_is_named(scene_without_b11, tmp_path) -> None:
    out = tmp_path / "out"
    assert_input_error(invoke("--input", scene_without_b11.safe, "--index", "NDWI", "--output", out), "E_MISSING_BAND", out, "B11")
    run_ok("--input", scene_without_b11.safe, "--index", "NDVI", "--output", out)  # NDVI does not need B11


def test_a_bad_input_among_good_ones_writes_nothing(scene, scene_without_b11, tmp_path) -> None:
    out = tmp_path / "out"
    result = invoke("--input", scene.safe, "--input", scene_without_b11.safe, "--index", "MNDWI", "--output", out)
    assert_input_error(result, "E_MISSING_BAND", out, "B11")


def test_unreadable_jp2(scene, tmp_path) -> None:
    product = _copy(scene.safe, tmp_path)
    _band_file(product, "B04", 10).write_bytes(b"\x00\x00\x00\x0cjP  \r\n\x87\nnot a codestream")
    assert_input_error(invoke("--input", product, "--output", tmp_path / "out"), "E_INPUT_NOT_FOUND", tmp_path / "out", "B04")


def test_truncated_jp2_fails_while_reading(scene, tmp_path) -> None:
    product = _copy(scene.safe, tmp_path)
    path = _band_file(product, "B08", 10)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 3])
    out = tmp_path / "out"
    result = invoke("--input", product, "--output", out)
    assert result.exit_code == 3, result.output
    assert [line for line in result.output.splitlines() if line.startswith("ERROR E_INPUT_NOT_FOUND:")], result.output
    assert not out.exists() or not any(out.iterdir())


def test_unknown_index_is_a_usage_error(scene, tmp_path) -> None:
    result = invoke("--input", scene.safe, "--index", "EVI", "--output", tmp_path / "out")
    assert result.exit_code == 2 and "EVI" in result.output


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--aoi", "POLYGON((10 10, 11 10, 11 11, 10 11, 10 10))"), ("overlap",)),
        (("--aoi", "not a polygon"), ()),
        (("--band-map", "purple=B04"), ("purple",)),
        (("--band-map", "nir=B99"), ("B99",)),
        (("--quantification", "0"), ("quantification",)),
        (("--quantification", "20000"), ("quantification",)),
        (("--reflectance-scale", "-0.001"), ("reflectance-scale",)),
        (("--site-id", "-1"), ("site-id",)),
    ],
)
def test_bad_parameters(scene, tmp_path, args, words) -> None:
    code = "E_NO_OVERLAP" if words == ("overlap",) else "E_PARAM"
    assert_input_error(invoke("--input", scene.safe, *args, "--output", tmp_path / "out"), code, tmp_path / "out", *words)


def _generic_raster(path: Path, crs: str | None) -> Path:
    data = np.full((3, 20, 20), 100, dtype=np.int16)
    profile = {"driver": "GTiff", "width": 20, "height": 20, "count": 3, "dtype": "int16", "transform": Affine(10, 0, 0, 0, -10, 0)}
    if crs:
        profile["crs"] = crs
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data)
    return path


def test_generic_raster_without_crs(tmp_path) -> None:
    raster = _generic_raster(tmp_path / "stack_20210527.tif", None)
    result = invoke("--input", raster, "--band-map", "red=1,nir=2", "--reflectance-scale", "0.001", "--output", tmp_path / "out")
    assert_input_error(result, "E_BAD_CRS", tmp_path / "out")


@pytest.mark.parametrize(
    "args",
    [
        ("--band-map", "red=1,nir=2"),  # no --reflectance-scale
        ("--band-map", "red=1,nir=B08", "--reflectance-scale", "0.001"),  # band names for a generic raster
        ("--band-map", "red=1,nir=7", "--reflectance-scale", "0.001"),  # band 7 of 3
    ],
)
def test_generic_raster_parameters(tmp_path, args) -> None:
    raster = _generic_raster(tmp_path / "stack_20210527.tif", "EPSG:32631")
    result = invoke("--input", raster, *args, "--output", tmp_path / "out")
    code = "E_MISSING_BAND" if "nir=7" in args[1] else "E_PARAM"
    assert_input_error(result, code, tmp_path / "out")
