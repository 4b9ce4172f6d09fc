"""Bad input: exit code 3, one ERROR line with the spec's code, nothing written."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from click.testing import CliRunner
from parcels_synthetic import EPSG, declarations_year1, write_inputs
from s4c_parcels.cli import main
from shapely.geometry import box


def invoke(inputs: dict[str, Path], out: Path, *extra: str):
    args = ["--declarations", inputs["declarations"], "--lut", inputs["lut"], "--tile-grid", inputs["tile_grid"], "--year", "2024", "--output", out, *extra]
    return CliRunner().invoke(main, [str(a) for a in args])


def assert_input_error(result, code: str, out: Path) -> None:
    assert result.exit_code == 3, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("ERROR")]
    assert len(lines) == 1 and lines[0].startswith(f"ERROR {code}:"), result.output
    assert "Traceback" not in result.output
    assert not out.exists() or not any(out.iterdir()), "partial output left behind"


@pytest.fixture
def inputs(tmp_path: Path) -> dict[str, Path]:
    return write_inputs(tmp_path / "in")


def test_missing_file(inputs, tmp_path):
    inputs["declarations"] = tmp_path / "nope.gpkg"
    assert_input_error(invoke(inputs, tmp_path / "out"), "E_INPUT_NOT_FOUND", tmp_path / "out")


def test_unreadable_vector(inputs, tmp_path):
    bad = tmp_path / "broken.gpkg"
    bad.write_bytes(b"this is not a geopackage")
    inputs["declarations"] = bad
    assert_input_error(invoke(inputs, tmp_path / "out"), "E_INPUT_NOT_FOUND", tmp_path / "out")


def test_no_geometry_column(inputs, tmp_path):
    table = tmp_path / "table.csv"
    pd.DataFrame({"OBJECTID": [1], "holding_id": [1], "CULT_CODE": [111]}).to_csv(table, index=False)
    inputs["declarations"] = table
    assert_input_error(invoke(inputs, tmp_path / "out"), "E_SCHEMA", tmp_path / "out")


def test_empty_layer(inputs, tmp_path):
    empty = declarations_year1().iloc[:0]
    inputs["declarations"] = tmp_path / "empty.gpkg"
    empty.to_file(inputs["declarations"], driver="GPKG")
    assert_input_error(invoke(inputs, tmp_path / "out"), "E_EMPTY_PARCELS", tmp_path / "out")


def test_missing_crs(inputs, tmp_path):
    inputs["declarations"] = tmp_path / "nocrs.shp"
    declarations_year1().to_file(inputs["declarations"], driver="ESRI Shapefile")
    (tmp_path / "nocrs.prj").unlink()
    assert_input_error(invoke(inputs, tmp_path / "out"), "E_BAD_CRS", tmp_path / "out")


def test_missing_crop_column(inputs, tmp_path):
    assert_input_error(invoke(inputs, tmp_path / "out", "--crop-code-col", "CROP"), "E_SCHEMA", tmp_path / "out")


def test_reserved_column(inputs, tmp_path):
    frame = declarations_year1().assign(ori_id="x")
    frame.to_file(inputs["declarations"], driver="GPKG")
    assert_input_error(invoke(inputs, tmp_path / "out"), "E_SCHEMA", tmp_path / "out")


@pytest.mark.parametrize("change", ["drop_ctl4a", "dup_ori_crop", "dup_ctnum", "bad_flag"])
def test_bad_lut(inputs, tmp_path, change):
    lut = pd.read_csv(inputs["lut"])
    if change == "drop_ctl4a":
        lut = lut.drop(columns="ctl4a")
    elif change == "dup_ori_crop":
        lut.loc[1, "ori_crop"] = lut.loc[0, "ori_crop"]
    elif change == "dup_ctnum":
        lut.loc[1, "ctnum"] = lut.loc[0, "ctnum"]
    else:
        lut.loc[0, "eaa"] = 7
    lut.to_csv(inputs["lut"], index=False)
    assert_input_error(invoke(inputs, tmp_path / "out"), "E_SCHEMA", tmp_path / "out")


def test_no_overlap_with_tiles(inputs, tmp_path):
    grid = gpd.GeoDataFrame({"tile_id": ["FAR"], "epsg_code": [EPSG]}, geometry=[box(50000, 50000, 60000, 60000)], crs=EPSG)
    grid.to_file(inputs["tile_grid"], driver="GPKG")
    assert_input_error(invoke(inputs, tmp_path / "out"), "E_NO_OVERLAP", tmp_path / "out")


def test_existing_output_is_kept_on_failure(inputs, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("earlier result")
    result = invoke(inputs, out, "--crop-code-col", "CROP")
    assert result.exit_code == 3
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_outside_tiles_warns(inputs, tmp_path):
    result = invoke(inputs, tmp_path / "out")
    assert result.exit_code == 0
    assert "WARNING W_OUTSIDE_TILES" in result.output
    assert "WARNING W_LUT_UNMATCHED" in result.output
