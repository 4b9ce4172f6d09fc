"""Bad inputs end to end: exit code 3 (5 for back-end failures), one ``ERROR <CODE>: ...`` line, nothing written."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest
import s1p_helpers as h
from click.testing import CliRunner
from s4c_s1_preprocessing.cli import main


def _run(*args: str, output: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, [*args, "--output", str(output), "--backend", "python"])
    return result.exit_code, result.stderr


def _assert_refused(code: int, stderr: str, output: Path, error: str, exit_code: int = 3) -> None:
    assert code == exit_code, stderr
    lines = [line for line in stderr.splitlines() if line.startswith("ERROR")]
    assert len(lines) == 1 and lines[0].startswith(f"ERROR {error}:"), stderr
    assert "Traceback" not in stderr
    assert not output.exists() or not any(output.iterdir())


def _copy(safe: Path, tmp_path: Path) -> Path:
    target = tmp_path / safe.name
    shutil.copytree(safe, target)
    return target


def _edit_manifest(safe: Path, old: str, new: str) -> None:
    manifest = safe / "manifest.safe"
    text = manifest.read_text()
    assert old in text
    manifest.write_text(text.replace(old, new))


def test_grd_where_slc_is_needed(grd_scene, tmp_path):
    code, err = _run("--input", str(grd_scene.safe), "--dem", str(grd_scene.dem), "--product", "coherence", output=tmp_path / "out")
    _assert_refused(code, err, tmp_path / "out", "E_UNSUPPORTED_PRODUCT")
    assert "GRD" in err


def test_pair_on_different_orbits(slc_pair, tmp_path):
    other = _copy(slc_pair.safes[1], tmp_path)
    _edit_manifest(other, '<safe:relativeOrbitNumber type="start">88<', '<safe:relativeOrbitNumber type="start">117<')
    _edit_manifest(other, '<safe:relativeOrbitNumber type="stop">88<', '<safe:relativeOrbitNumber type="stop">117<')
    code, err = _run("--input", str(slc_pair.safes[0]), "--input", str(other), "--dem", str(slc_pair.dem), "--product", "coherence", output=tmp_path / "out")
    _assert_refused(code, err, tmp_path / "out", "E_NO_OVERLAP")
    assert "different relative orbits" in err


def test_dem_not_covering_the_scene(grd_scene, tmp_path):
    shifted = (h.BOUNDS[0] + 100_000, h.BOUNDS[1], h.BOUNDS[2] + 100_000, h.BOUNDS[3])
    dem = h.write_dem(tmp_path / "elsewhere.tif", grd_scene.heights, bounds=shifted)
    code, err = _run("--input", str(grd_scene.safe), "--dem", str(dem), output=tmp_path / "out")
    _assert_refused(code, err, tmp_path / "out", "E_NO_OVERLAP")


def test_dem_without_vertical_datum(grd_scene, tmp_path):
    dem = h.write_dem(tmp_path / "undeclared.tif", grd_scene.heights, declare=False)
    code, err = _run("--input", str(grd_scene.safe), "--dem", str(dem), output=tmp_path / "out")
    _assert_refused(code, err, tmp_path / "out", "E_BAD_CRS")
    code, _ = _run("--input", str(grd_scene.safe), "--dem", str(dem), "--dem-vertical-datum", "ellipsoid", "--product", "backscatter", output=tmp_path / "ok")
    assert code == 0


def test_gcp_refused_over_relief_and_dem_required(grd_scene, tmp_path):
    code, err = _run("--input", str(grd_scene.safe), "--dem", str(grd_scene.dem), "--geocoding", "gcp", output=tmp_path / "out")
    _assert_refused(code, err, tmp_path / "out", "E_PARAM")
    assert "gcp-max-relief" in err
    code, err = _run("--input", str(grd_scene.safe), output=tmp_path / "out")
    _assert_refused(code, err, tmp_path / "out", "E_PARAM")


def test_missing_polarisation(grd_scene, tmp_path):
    single = _copy(grd_scene.safe, tmp_path)
    _edit_manifest(single, "<s1sarl1:transmitterReceiverPolarisation>VH</s1sarl1:transmitterReceiverPolarisation>", "")
    code, err = _run("--input", str(single), "--dem", str(grd_scene.dem), output=tmp_path / "out")
    _assert_refused(code, err, tmp_path / "out", "E_MISSING_BAND")


def test_corrupt_measurement_leaves_nothing(grd_scene, tmp_path):
    broken = _copy(grd_scene.safe, tmp_path)
    tiff = next((broken / "measurement").glob("*-vh-*.tiff"))
    tiff.write_bytes(tiff.read_bytes()[: tiff.stat().st_size // 3])
    output = tmp_path / "out"
    output.mkdir()
    code, err = _run("--input", str(broken), "--dem", str(grd_scene.dem), output=output)
    _assert_refused(code, err, output, "E_INPUT_NOT_FOUND")


def test_zip_with_escaping_member(grd_scene, tmp_path):
    archive = tmp_path / (grd_scene.safe.name.removesuffix(".SAFE") + ".zip")
    with zipfile.ZipFile(archive, "w") as z:
        z.write(grd_scene.safe / "manifest.safe", f"{grd_scene.safe.name}/manifest.safe")
        z.writestr("../outside.txt", "escape")
    code, err = _run("--input", str(archive), "--dem", str(grd_scene.dem), output=tmp_path / "out")
    _assert_refused(code, err, tmp_path / "out", "E_BAD_SAFE")
    assert not (tmp_path / "outside.txt").exists()


def test_external_entity_is_not_resolved(grd_scene, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    crafted = _copy(grd_scene.safe, tmp_path)
    manifest = crafted / "manifest.safe"
    text = manifest.read_text()
    head, body = text.split("?>", 1)
    body = body.replace("<safe:familyName>SENTINEL-1</safe:familyName>", "<safe:familyName>&e;</safe:familyName>", 1)
    manifest.write_text(f'{head}?><!DOCTYPE x [<!ENTITY e SYSTEM "{secret.as_uri()}">]>{body}')
    code, err = _run("--input", str(crafted), "--dem", str(grd_scene.dem), output=tmp_path / "out")
    _assert_refused(code, err, tmp_path / "out", "E_BAD_SAFE")
    assert "TOP-SECRET" not in err


def test_missing_input(tmp_path):
    code, err = _run("--input", str(tmp_path / "nope.SAFE"), output=tmp_path / "out")
    _assert_refused(code, err, tmp_path / "out", "E_INPUT_NOT_FOUND")


@pytest.mark.parametrize("args", [["--pixel-spacing", "25"], ["--polarisations", "HH"], ["--ml-looks", "8by2"]])
def test_usage_errors(grd_scene, tmp_path, args):
    code, _ = _run("--input", str(grd_scene.safe), *args, output=tmp_path / "out")
    assert code == 2 and not (tmp_path / "out").exists()


def test_snap_backend_failure_is_exit_5(grd_scene, tmp_path):
    inputs = ["--input", str(grd_scene.safe), "--dem", str(grd_scene.dem), "--dem-vertical-datum", "ellipsoid"]
    result = CliRunner().invoke(main, [*inputs, "--backend", "snap", "--gpt", str(tmp_path / "no-gpt"), "--output", str(tmp_path / "out")])
    _assert_refused(result.exit_code, result.stderr, tmp_path / "out", "E_BACKEND", exit_code=5)


def test_partial_dem_is_no_data_not_an_error(grd_scene, tmp_path):
    """A DEM covering part of the footprint: products cover what it covers (no-data elsewhere)."""
    half = (h.BOUNDS[0], h.BOUNDS[1], h.BOUNDS[0] + 1500, h.BOUNDS[3])
    dem = h.write_dem(tmp_path / "half.tif", grd_scene.heights[:, :150], bounds=half)
    code, err = _run("--input", str(grd_scene.safe), "--dem", str(dem), "--polarisations", "VV", "--projection", "EPSG:32631", output=tmp_path / "out")
    assert code == 0, err
    values = h.scene_values(next((tmp_path / "out").glob("*.tif")))
    assert np.isfinite(values[:, 10:140]).mean() > 0.99 and np.isnan(values[:, 160:]).all()


def test_python_backend_refuses_a_speckle_filter(grd_scene, tmp_path):
    code, err = _run("--input", str(grd_scene.safe), "--dem", str(grd_scene.dem), "--speckle-filter", "Lee", output=tmp_path / "out")
    _assert_refused(code, err, tmp_path / "out", "E_PARAM")
