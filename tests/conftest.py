"""Fixtures and helpers of the integration tests: running CLIs and cwltool, the sample scene."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
PARCELS_PACKAGE = REPO / "cwl" / "packages" / "sen4cap_parcels.cwl"


def run(cmd: Sequence[str | os.PathLike[str]], *, timeout: float = 600, **kwargs) -> subprocess.CompletedProcess[str]:
    """Run a command and fail the test with its command line and stderr tail when it fails."""
    result = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=timeout, check=False, **kwargs)
    if result.returncode != 0:
        tail = "\n".join(result.stderr.splitlines()[-40:])
        pytest.fail(f"{' '.join(map(str, cmd))} exited with {result.returncode}:\n{tail}", pytrace=False)
    return result


def venv_env() -> dict[str, str]:
    """The environment with this venv's scripts first on PATH, as cwltool --no-container needs them."""
    return {**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"}


def run_cwltool(args: Sequence[str | os.PathLike[str]], process: str, job: Path, outdir: Path) -> Path:
    """Run ``cwltool ARGS --outdir OUTDIR PROCESS JOB``; the path of its ``results`` Directory output."""
    result = run([VENV_BIN / "cwltool", "--quiet", *args, "--outdir", outdir, process, job], env=venv_env())
    output = json.loads(result.stdout)["results"]
    assert output["class"] == "Directory"
    return Path(output["path"])


@pytest.fixture(scope="session")
def run_cmd():
    """:func:`run`, for tests (conftest modules cannot be imported under --import-mode=importlib)."""
    return run


@pytest.fixture(scope="session")
def cwltool():
    """:func:`run_cwltool`, for tests."""
    return run_cwltool


@pytest.fixture(scope="session")
def sample_scene(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generator's smallest scene, Sentinel-1 and all but one Sentinel-2 date left out."""
    folder = tmp_path_factory.mktemp("scene")
    run([VENV_BIN / "s4c-sample", "--preset", "tiny", "--no-s1", "--s2-dates", "1", "--output", folder])
    return folder


@pytest.fixture(scope="session")
def parcels_job(sample_scene: Path) -> Path:
    """A CWL job for the parcels package on the sample scene's declarations, with absolute paths."""
    declarations = sample_scene / "declarations"
    job = {
        name: {"class": "File", "path": str(declarations / file)}
        for name, file in (("declarations", "parcels.gpkg"), ("lut", "lut.csv"), ("tile_grid", "tile_grid.gpkg"))
    }
    job["year"] = 2021
    path = sample_scene / "parcels-job.yml"
    path.write_text(yaml.safe_dump(job), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def parcels_host_run(parcels_job: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The output folder of the parcels package run by ``cwltool --no-container``."""
    return run_cwltool(["--no-container"], f"{PARCELS_PACKAGE}#sen4cap_parcels", parcels_job, tmp_path_factory.mktemp("host-run"))
