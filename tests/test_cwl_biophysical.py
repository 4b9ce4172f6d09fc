"""CWL of s4c-biophysical: the tool mirrors the CLI, the sample job fits, the package runs without a container.

Validity, OGC compliance, metadata and generation from the tool are checked for every package by test_cwl_parcels.py.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import rasterio
import yaml
from cwl_checks import assert_job_names_package_inputs, assert_tool_mirrors_cli, load
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


def _workflow() -> dict[str, Any]:
    return next(p for p in load(PACKAGE)["$graph"] if p["class"] == "Workflow")


def test_tool_mirrors_the_cli() -> None:
    assert_tool_mirrors_cli(load(TOOL), biophysical_cli, {"--input": "x.SAFE", "--auxdata": "auxdata"})


def test_sample_job_names_package_inputs() -> None:
    assert_job_names_package_inputs(JOB, PACKAGE)


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
