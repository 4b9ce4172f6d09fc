"""The markers CommandLineTool and application package: validity, OGC compliance, metadata, a run without container."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml
from cwl_checks import assert_job_names_package_inputs, assert_tool_mirrors_cli, load
from s4c_markers.cli import main as markers_cli

REPO = Path(__file__).resolve().parents[1]
CWL = REPO / "cwl"
PACKAGE = CWL / "packages" / "sen4cap_l3_basic_markers.cwl"
TOOL = CWL / "tools" / "s4c-markers.cwl"
VENV_BIN = Path(sys.executable).parent


def test_tool_mirrors_the_cli() -> None:
    tool = load(TOOL)
    assert_tool_mirrors_cli(tool, markers_cli, {"--input": "x", "--parcels": "p.parquet"}, special={"--no-vvvh"})
    defaults = markers_cli.make_context("s4c-markers", ["--input", "x", "--parcels", "p.parquet"]).params
    assert tool["inputs"]["no_vvvh"]["default"] is (not defaults["vvvh"])  # a negative switch of --vvvh/--no-vvvh


def test_sample_job_names_package_inputs() -> None:
    assert_job_names_package_inputs(CWL / "jobs" / "markers-sample.yml", PACKAGE)


@pytest.fixture(scope="session")
def ndvi_products(sample_scene: Path, run_cmd, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("l3b-ndvi")
    run_cmd([VENV_BIN / "s4c-spectral-indices", "--input", sample_scene / "S2", "--index", "NDVI", "--output", out, "--quiet"])
    return out


def test_package_runs_without_container(parcels_host_run: Path, ndvi_products: Path, cwltool, tmp_path: Path) -> None:
    job = tmp_path / "job.yml"
    job.write_text(yaml.safe_dump({
        "input": [{"class": "Directory", "path": str(ndvi_products)}],
        "parcels": {"class": "File", "path": str(parcels_host_run / "decl_site_2021.parquet")},
        "stats": ["valid_pixels_cnt"],
        "long": True,
    }), encoding="utf-8")
    out = cwltool(["--no-container"], f"{PACKAGE}#sen4cap_l3_basic_markers", job, tmp_path / "out")
    catalog = json.loads((out / "catalog.json").read_text())
    assert any(link["rel"] == "item" and "markers" in link["href"] for link in catalog["links"])
    table = pq.read_table(out / "markers.parquet")
    assert table.column_names[0] == "NewID" and any(name.endswith("_mean_NDVI") for name in table.column_names)
    assert (out / "markers_long.parquet").exists()
