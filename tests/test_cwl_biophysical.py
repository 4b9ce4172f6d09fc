"""CWL of s4c-biophysical: the tool mirrors the CLI, the sample job fits, the package runs without a container.

Validity, OGC compliance, metadata and generation from the tool are checked for every package by test_cwl_parcels.py.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import click
import numpy as np
import pytest
import rasterio
import yaml
from s4c_biophysical.cli import main as biophysical_cli
from s4c_common.s2.bands import L2A_BANDS
from s4c_sample.s2_safe import S2Acquisition, write_l2a_safe

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "cwl" / "packages" / "sen4cap_l3b_biophysical_indicators.cwl"
TOOL = REPO / "cwl" / "tools" / "s4c-biophysical.cwl"
JOB = REPO / "cwl" / "jobs" / "biophysical-sample.yml"
AUXDATA = "data/snap-s2tbx-biophysical/s2tbx-biophysical/src/main/resources/auxdata"
# A green canopy (Sentinel-2 L2A reflectance of a grassland in June) over the whole product.
CANOPY = dict(zip(L2A_BANDS, (0.03, 0.046, 0.076, 0.052, 0.123, 0.3345, 0.4013, 0.4385, 0.4369, 0.44, 0.2032, 0.0971), strict=True))


def _load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _workflow() -> dict[str, Any]:
    return next(p for p in _load(PACKAGE)["$graph"] if p["class"] == "Workflow")


def _binding_prefix(param: dict[str, Any]) -> str | None:
    nested = param["type"].get("inputBinding", {}) if isinstance(param["type"], dict) else {}
    return param.get("inputBinding", {}).get("prefix") or nested.get("prefix")


def test_tool_mirrors_the_cli() -> None:
    """Every CLI option but the plumbing is an input, with the CLI's default and choices."""
    tool = _load(TOOL)
    options = {opt: p for p in biophysical_cli.params if isinstance(p, click.Option) for opt in p.opts if opt.startswith("--")}
    not_exposed = {"--help", "--version", "--params-file", "--output"}
    by_prefix = {_binding_prefix(param): (name, param) for name, param in tool["inputs"].items()}
    assert set(by_prefix) == set(options) - not_exposed

    given = {"--input": "x.SAFE", "--auxdata": "auxdata"}
    cli_defaults = biophysical_cli.make_context("s4c-biophysical", [arg for item in given.items() for arg in item]).params
    for prefix, (name, param) in by_prefix.items():
        option = options[prefix]
        if prefix in given or callable(option.default):  # required, or computed at run time (workers)
            assert "default" not in param, name
            continue
        value = cli_defaults[option.name]
        expected = list(value) if option.multiple else value
        if expected is None:
            assert "default" not in param and param["type"].endswith("?"), name
        else:
            assert param.get("default") == expected, f"{name}: CWL default {param.get('default')!r}, CLI {expected!r}"
        if isinstance(option.type, click.Choice) and not option.multiple:
            assert param["type"]["symbols"] == list(option.type.choices), name


def test_sample_job_names_package_inputs() -> None:
    job = _load(JOB)
    workflow = _workflow()
    assert set(job) <= set(workflow["inputs"])
    required = {name for name, p in workflow["inputs"].items() if "default" not in p and not str(p["type"]).endswith("?")}
    assert required <= set(job)


@pytest.fixture(scope="module")
def job(shared, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small vegetated L2A product and the shared SNAP networks, as a job with absolute paths."""
    auxdata = shared.path(AUXDATA)
    folder = tmp_path_factory.mktemp("biophysical-job")
    size = 60
    acquisition = S2Acquisition(
        tile_id="34VEM", epsg=32634, ulx=576000.0, uly=6686040.0, width=size, height=size,
        sensing_time=dt.datetime(2023, 6, 11, 9, 45, 49, tzinfo=dt.UTC), spacecraft="S2B", relative_orbit=79,
        sun_zenith=37.4, sun_azimuth=165.7, view_zenith=8.2, view_azimuth=108.4,
    )  # fmt: skip
    reflectance = {band: np.full((size, size), value, np.float32) for band, value in CANOPY.items()}
    safe = write_l2a_safe(folder / "in", acquisition, reflectance, np.full((size, size), 4, np.uint8))
    path = folder / "job.yml"
    document = {
        "input": [{"class": "Directory", "path": str(safe)}],
        "auxdata": {"class": "Directory", "path": str(auxdata)},
        "indicator": ["LAI", "FAPAR"],
        "workers": 1,
    }
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


def test_package_runs_without_container(job: Path, cwltool, tmp_path: Path) -> None:
    results = cwltool(["--no-container"], f"{PACKAGE}#sen4cap_l3b_biophysical_indicators", job, tmp_path)
    catalog = json.loads((results / "catalog.json").read_text())
    items = sorted(link["href"] for link in catalog["links"] if link["rel"] == "item")
    assert len(items) == 2 and any("L3BLAI" in href for href in items) and any("L3BFAPAR" in href for href in items)
    (lai_path,) = results.glob("S2AGRI_L3BLAI_*/TILES/*/IMG_DATA/*_SLAIMONO_*.TIF")
    with rasterio.open(lai_path) as src:
        lai = src.read(1)
    assert 2000 < np.median(lai) < 3000  # LAI × 1000 of a green grassland canopy
