"""The images: build, the CLI inside, and CWL runs in a container equal to host runs."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import tomllib
from pathlib import Path

import numpy as np
import pytest
import rasterio

REPO = Path(__file__).resolve().parents[1]
PARCELS_PACKAGE = REPO / "cwl" / "packages" / "sen4cap_parcels.cwl"
PARCELS_IMAGE = "localhost/s4c-parcels:latest"
PROCESSORS = ("parcels", "spectral-indices", "biophysical", "s1-preprocessing", "markers")


@pytest.fixture(scope="session")
def images(run_cmd, tmp_path_factory: pytest.TempPathFactory) -> None:
    """docker/build-images.sh with podman; skips only where podman cannot be installed or run."""
    if shutil.which("podman") is None:
        if os.geteuid() != 0 or shutil.which("apt-get") is None:
            pytest.skip("podman is not installed, and installing it needs root and apt-get")
    else:
        probe = subprocess.run(["podman", "info"], capture_output=True, text=True, check=False)
        if probe.returncode != 0:
            pytest.skip(f"podman cannot run here: {probe.stderr.strip()}")
    # pytest-xdist workers share the images: one builds, the others wait and find them cached.
    with (tmp_path_factory.getbasetemp().parent / "images.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        # the biophysical image would download the SNAP networks: not reachable here, mounted at run time instead
        env = {**os.environ, "ENGINE": "podman", "S4C_FETCH_AUXDATA": "0"}
        run_cmd([REPO / "docker" / "build-images.sh"], env=env, timeout=3600)


@pytest.mark.slow
@pytest.mark.parametrize("name", PROCESSORS)
def test_cli_runs_in_image_as_non_root(images, run_cmd, name: str) -> None:
    image = f"localhost/s4c-{name}:latest"
    version = tomllib.loads((REPO / "apps" / name / "pyproject.toml").read_text())["project"]["version"]
    assert version in run_cmd(["podman", "run", "--rm", image, f"s4c-{name}", "--version"]).stdout
    assert run_cmd(["podman", "run", "--rm", image, "id", "-u"]).stdout.strip() != "0"
    entrypoint = run_cmd(["podman", "image", "inspect", "--format", "{{json .Config.Entrypoint}}", image]).stdout
    assert entrypoint.strip() in ("null", "[]")


def _same_raster(a: Path, b: Path) -> None:
    """Same grid and the same pixels, compared block by block (tile rasters are 10980 x 10980)."""
    with rasterio.open(a) as ra, rasterio.open(b) as rb:
        assert (ra.crs, ra.transform, ra.shape, ra.dtypes) == (rb.crs, rb.transform, rb.shape, rb.dtypes), a.name
        for _, window in ra.block_windows(1):
            np.testing.assert_array_equal(ra.read(window=window), rb.read(window=window), err_msg=f"{a.name} {window}")


@pytest.mark.slow
def test_container_run_equals_host_run(images, cwltool, parcels_job: Path, parcels_host_run: Path, tmp_path: Path) -> None:
    """cwltool with rootful podman (docker/podman-as-caller) writes what cwltool --no-container writes."""
    docker_cmd = f"--user-space-docker-cmd={REPO / 'docker' / 'podman-as-caller'}"
    container_run = cwltool([docker_cmd], f"{PARCELS_PACKAGE}#sen4cap_parcels", parcels_job, tmp_path)

    def files(folder: Path) -> set[str]:
        return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}

    assert files(container_run) == files(parcels_host_run)
    tables = ["parcels.csv", "lut.csv", *(p.name for p in parcels_host_run.glob("decl_*.parquet"))]
    assert len(tables) == 3
    for name in tables:
        assert (container_run / name).read_bytes() == (parcels_host_run / name).read_bytes(), name
    rasters = sorted(parcels_host_run.glob("*.tif"))
    assert rasters
    for raster in rasters:
        _same_raster(raster, container_run / raster.name)
