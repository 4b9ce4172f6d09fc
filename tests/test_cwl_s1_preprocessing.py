"""The s1-preprocessing CommandLineTool and application package: ap-validator, the CLI mirror, the sample job, a run.

Validity, OGC compliance, metadata and generation from the tool are checked for every package in
tests/test_cwl_packages_and_parcels.py.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import warnings
from pathlib import Path

import click
import numpy as np
import pytest
import rasterio
import yaml
from ap_validator.app_package import AppPackage
from cwl_checks import binding_prefix, graph, load
from s4c_common.raster import Grid
from s4c_s1_preprocessing.cli import main as s1_cli
from s4c_sample.s1_safe import GroundScene, S1Acquisition, write_grd_safe

REPO = Path(__file__).resolve().parents[1]
CWL = REPO / "cwl"
PACKAGE = CWL / "packages" / "sen4cap_s1_pre_processing.cwl"
TOOL = CWL / "tools" / "s4c-s1-preprocessing.cwl"
WORKFLOW_ID = "sen4cap_s1_pre_processing"
# CLI switches whose "on" default is exposed by the "off" flag (no JavaScript needed to bind them).
NEGATED = {
    "--thermal-noise": "--no-thermal-noise",
    "--remove-geometric-phase": "--keep-geometric-phase",
    "--subset-to-pair-overlap": "--no-subset-to-pair-overlap",
    "--crop-nodata": "--no-crop-nodata",
}
PLUMBING = {"--help", "--version", "--params-file", "--output", "--dem-heights"}  # --dem-heights: alias of --dem-vertical-datum


def test_package_passes_ap_validator(run_cmd) -> None:
    """The OGC best-practice check, as a user runs it (tests/test_cwl_packages_and_parcels.py checks every package in-process)."""
    result = run_cmd([Path(sys.executable).parent / "ap-validator", PACKAGE])
    assert "compliant" in result.stdout + result.stderr
    assert AppPackage.from_url(str(PACKAGE)).check_all(include=["error", "hint"])["issues"] == []


def test_package_stages_products_and_a_dem() -> None:
    workflow, tool = graph(PACKAGE)["Workflow"], graph(PACKAGE)["CommandLineTool"]
    assert workflow["inputs"]["input"]["type"] == {"type": "array", "items": "Directory"}
    assert workflow["inputs"]["dem"]["type"] == "File?" and workflow["inputs"]["tile_grid"]["type"] == "File?"
    assert tool["requirements"]["ResourceRequirement"]["ramMax"] >= 8192  # Sen4CAP's per-step minimum


def test_tool_mirrors_the_cli() -> None:
    """Every CLI option but the plumbing is an input, with the CLI's default and choices."""
    tool = load(TOOL)
    by_prefix = {binding_prefix(param): (name, param) for name, param in tool["inputs"].items()}
    options: dict[str, click.Option] = {}
    for param in s1_cli.params:
        if isinstance(param, click.Option):
            for opt in param.opts + param.secondary_opts:
                options[opt] = param
    assert set(by_prefix) == {opt for opt in options if opt.startswith("--")} - PLUMBING - set(NEGATED)
    defaults = s1_cli.make_context("s4c-s1-preprocessing", ["--input", "x"]).params
    for prefix, (name, param) in by_prefix.items():
        option = options[prefix]
        if prefix == "--input" or callable(option.default):
            assert "default" not in param, name
            continue
        value = defaults[option.name]
        if prefix in NEGATED.values() or option.is_flag:
            assert param["type"] == "boolean" and param["default"] is False, name
            continue
        if value is None:
            if prefix == "--extent":
                assert param["default"] == [], name
            elif prefix == "--ml-looks":
                assert param["default"] == "auto", name
            else:
                assert "default" not in param and str(param["type"]).endswith("?"), name
            continue
        expected = list(value) if isinstance(value, tuple) else value
        assert param.get("default") == expected, f"{name}: CWL default {param.get('default')!r}, CLI {expected!r}"
        if isinstance(option.type, click.Choice) and isinstance(param["type"], dict) and param["type"].get("type") == "enum":
            assert param["type"]["symbols"] == list(option.type.choices), name


def test_sample_job_names_package_inputs() -> None:
    job = load(CWL / "jobs" / "s1-preprocessing-sample.yml")
    workflow = graph(PACKAGE)["Workflow"]
    assert set(job) <= set(workflow["inputs"])
    required = {
        name
        for name, p in workflow["inputs"].items()
        if "default" not in p and not str(p["type"]).endswith("?") and p["type"] != ["null", {"type": "enum", "symbols": ["python", "snap"]}]
    }
    assert required <= set(job)


@pytest.fixture(scope="module")
def small_grd(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A 1.5 km generator GRD (VV, σ⁰ 0.1 west half, 0.02 east half) on flat terrain, and its DEM."""
    folder = tmp_path_factory.mktemp("grd")
    grid = Grid.from_bounds(32631, (600000.0, 5650000.0, 601500.0, 5651500.0), 10.0)
    sigma0 = np.full(grid.shape, 0.1, np.float32)
    sigma0[:, 75:] = 0.02
    heights = np.full(grid.shape, 50.0, np.float32)
    acquisition = S1Acquisition("S1A", dt.datetime(2021, 4, 3, 17, 24, 52, tzinfo=dt.UTC), 88, "ASCENDING", "GRD", ("VV",))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        safe = write_grd_safe(folder, acquisition, GroundScene(grid, heights), {"VV": sigma0}, seed=3)
    dem = folder / "dem.tif"
    profile = {"driver": "GTiff", "width": grid.width, "height": grid.height, "count": 1, "dtype": "float32", "crs": grid.crs, "transform": grid.transform}
    with rasterio.open(dem, "w", **profile) as dst:
        dst.write(heights, 1)
        dst.update_tags(VERTICAL_DATUM="WGS 84 ellipsoid (EPSG:4979)")
    return safe, dem


def test_package_runs_without_container(cwltool, small_grd, tmp_path: Path) -> None:
    safe, dem = small_grd
    job = tmp_path / "job.yml"
    job.write_text(
        yaml.safe_dump(
            {
                "input": [{"class": "Directory", "path": str(safe)}],
                "dem": {"class": "File", "path": str(dem)},
                "polarisations": ["VV"],
                "backend": "python",
                "projection": "EPSG:32631",
            }
        ),
        encoding="utf-8",
    )
    out = cwltool(["--no-container"], f"{PACKAGE}#{WORKFLOW_ID}", job, tmp_path / "out")
    catalog = json.loads((out / "catalog.json").read_text())
    (href,) = [link["href"] for link in catalog["links"] if link["rel"] == "item"]
    item = json.loads((out / href).read_text())
    assert item["id"] == "S1A_L2_BCK_20210403T172452_VV_088" and item["properties"]["s4c:radiometry"] == "sigma0"
    with rasterio.open((out / href).parent / item["assets"]["data"]["href"]) as src:
        values = src.read(1)
    west, east = np.nanmean(values[5:-5, 5:30]), np.nanmean(values[5:-5, 45:-5])
    assert 10 * np.log10(west / 0.1) == pytest.approx(0, abs=0.5) and 10 * np.log10(east / 0.02) == pytest.approx(0, abs=0.5)
