"""The spectral-indices CommandLineTool and application package: validity, OGC compliance, metadata, a run."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
from pathlib import Path

import click
import numpy as np
import pystac
import pytest
import rasterio
import yaml
from cwl_checks import binding_prefix, graph, load
from s4c_common.s2.stac_item import safe_to_stac_item
from s4c_sample.s2_safe import L2A_BANDS, S2Acquisition, write_l2a_safe
from s4c_spectral_indices.cli import main as indices_cli

REPO = Path(__file__).resolve().parents[1]
CWL = REPO / "cwl"
PACKAGE = CWL / "packages" / "sen4cap_l3b_spectral_indices.cwl"
TOOL = CWL / "tools" / "s4c-spectral-indices.cwl"
WORKFLOW_ID = "sen4cap_l3b_spectral_indices"
# CLI switches whose "on" default is exposed by the "off" flag (no JavaScript needed to bind them).
NEGATED = {"--apply-boa-offset": "--no-apply-boa-offset", "--mask-index": "--no-mask-index", "--cog": "--no-cog"}


def test_package_is_generated_from_the_tool() -> None:
    spec = importlib.util.spec_from_file_location("make_package", CWL / "make_package.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert PACKAGE.read_text(encoding="utf-8") == module.build_package(TOOL, WORKFLOW_ID), (
        f"run .venv/bin/python cwl/make_package.py {TOOL.relative_to(REPO)} {WORKFLOW_ID}"
    )


def test_tool_mirrors_the_cli() -> None:
    """Every CLI option but the plumbing is an input, with the CLI's default and choices."""
    tool = load(TOOL)
    by_prefix = {binding_prefix(param): (name, param) for name, param in tool["inputs"].items()}
    options: dict[str, click.Option] = {}
    for param in indices_cli.params:
        if isinstance(param, click.Option):
            for opt in param.opts + param.secondary_opts:
                options[opt] = param
    plumbing = {"--help", "--version", "--params-file", "--output"}
    assert set(by_prefix) == {opt for opt in options if opt.startswith("--")} - plumbing - set(NEGATED)

    defaults = indices_cli.make_context("s4c-spectral-indices", ["--input", "x"]).params
    for prefix, (name, param) in by_prefix.items():
        option = options[prefix]
        if prefix == "--input" or callable(option.default):
            assert "default" not in param, name
            continue
        value = defaults[option.name]
        if prefix in NEGATED.values() or prefix in ("--negative-to-nodata", "--keep-negative"):
            assert param["type"] == "boolean" and param["default"] is False, name  # a switch, off unless given
            continue
        if value is None:
            assert "default" not in param and str(param["type"]).endswith("?"), name
            continue
        expected = list(value) if option.multiple else value
        if prefix == "--resolution":
            expected = int(value)
        assert param.get("default") == expected, f"{name}: CWL default {param.get('default')!r}, CLI {expected!r}"
        if isinstance(option.type, click.Choice) and isinstance(param["type"], dict) and param["type"].get("type") == "enum":
            assert param["type"]["symbols"] == list(option.type.choices), name


def test_sample_job_names_package_inputs() -> None:
    job = load(CWL / "jobs" / "spectral-indices-sample.yml")
    workflow = graph(PACKAGE)["Workflow"]
    assert set(job) <= set(workflow["inputs"])
    required = {name for name, p in workflow["inputs"].items() if "default" not in p and not str(p["type"]).endswith("?")}
    assert required <= set(job)


@pytest.fixture(scope="module")
def staged_product(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 60 × 60 pixel L2A product (NDVI 0.5 left half, 0.8 right half) staged as a STAC catalog."""
    folder = tmp_path_factory.mktemp("staged")
    size = 60
    bands = {band: np.full((size, size), 0.1, np.float32) for band in L2A_BANDS}
    bands["B04"][:, size // 2 :] = 0.04
    bands["B08"][:] = 0.3
    bands["B08"][:, size // 2 :] = 0.36
    acquisition = S2Acquisition(
        tile_id="31UFS", epsg=32631, ulx=600000.0, uly=5700000.0, width=size, height=size,
        sensing_time=dt.datetime(2024, 5, 12, 10, 56, 19, tzinfo=dt.UTC), spacecraft="S2B", relative_orbit=94,
        sun_zenith=35.0, sun_azimuth=160.0, view_zenith=5.0, view_azimuth=100.0,
    )  # fmt: skip
    safe = write_l2a_safe(folder, acquisition, bands, np.full((size, size), 4, np.uint8))
    catalog = pystac.Catalog("l2a", "staged L2A products")
    catalog.add_item(safe_to_stac_item(safe))
    catalog.normalize_hrefs(str(folder))
    catalog.make_all_asset_hrefs_relative()
    catalog.save(pystac.CatalogType.SELF_CONTAINED)
    return folder


def test_package_runs_without_container(cwltool, staged_product: Path, tmp_path: Path) -> None:
    job = tmp_path / "job.yml"
    job.write_text(yaml.safe_dump({"input": [{"class": "Directory", "path": str(staged_product)}], "index": ["NDVI", "NDWI"]}), encoding="utf-8")
    out = cwltool(["--no-container"], f"{PACKAGE}#{WORKFLOW_ID}", job, tmp_path / "out")
    catalog = json.loads((out / "catalog.json").read_text())
    items = [link["href"] for link in catalog["links"] if link["rel"] == "item"]
    assert len(items) == 2 and any("L3BNDVI" in href for href in items) and any("L3BNDWI" in href for href in items)
    (ndvi_item,) = [out / href for href in items if "L3BNDVI" in href]
    item = json.loads(ndvi_item.read_text())
    with rasterio.open(ndvi_item.parent / item["assets"]["SNDVI"]["href"]) as src:
        ndvi = src.read(1)
    assert np.all(ndvi[:, :30] == 500) and np.all(ndvi[:, 30:] == 800)
