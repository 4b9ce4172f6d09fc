"""Backscatter with the python back end on generator GRDs of known σ⁰: radiometry, geolocation, options."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import rasterio
import s1p_helpers as h
from pyproj import Transformer
from s4c_s1_preprocessing.options import BackscatterOptions
from s4c_s1_preprocessing.python_backend import PythonBackend


def _fields() -> np.ndarray:
    rows, cols = np.indices(h.GRID.shape)
    return (rows // h.FIELD) * (h.GRID.width // h.FIELD) + cols // h.FIELD


@pytest.fixture(scope="module")
def sigma0(grd_scene, tmp_path_factory):
    return PythonBackend().backscatter(grd_scene.safe, BackscatterOptions(dem=grd_scene.dem), tmp_path_factory.mktemp("bck"))


@pytest.mark.parametrize("pol", ["VV", "VH"])
def test_field_means_match_the_truth_within_half_a_db(grd_scene, sigma0, pol):
    """Calibration + noise removal + 2×2 multilook + terrain correction on a ridge (EPSG:3035, 20 m)."""
    values = h.scene_values(sigma0[pol])
    classes, fields, inner = h.field_classes(), _fields(), h.field_interiors(8)
    errors = []
    for field in np.unique(fields):
        mask = (fields == field) & inner & np.isfinite(values)
        assert mask.sum() > 800
        truth = h.CLASS_SIGMA0[pol][classes[mask][0]]
        errors.append(10 * np.log10(values[mask].mean() / truth))
    assert np.abs(errors).max() < 0.5, errors
    assert abs(np.mean(errors)) < 0.1


def _target_centroid_error(path, scene) -> tuple[float, float]:
    """(row, col) error in output pixels of the bright square's centroid vs its true map position."""
    row, col, size = h.TARGET
    x, y = h.GRID.transform @ (col + size / 2, row + size / 2)
    with rasterio.open(path) as src:
        values, transform = src.read(1), src.transform
        c, r = ~transform @ Transformer.from_crs(32631, src.crs, always_xy=True).transform(x, y)
    r0, c0 = int(r) - 15, int(c) - 15
    window = values[r0 : r0 + 30, c0 : c0 + 30] - h.CLASS_SIGMA0["VV"][0]
    window = np.where(np.isfinite(window) & (window > 0.5 * np.nanmax(window)), window, 0)
    rows, cols = np.indices(window.shape)
    return (rows * window).sum() / window.sum() + r0 + 0.5 - r, (cols * window).sum() / window.sum() + c0 + 0.5 - c


@pytest.mark.parametrize("projection", ["EPSG:3035", "EPSG:32631"])
def test_geolocation_error_is_a_fraction_of_a_pixel(target_scene, tmp_path, projection):
    out = PythonBackend().backscatter(target_scene.safe, BackscatterOptions(dem=target_scene.dem, projection=projection, polarisations=("VV",)), tmp_path)
    error = _target_centroid_error(out["VV"], target_scene)
    assert np.hypot(*error) < 0.2, error


def test_gcp_geocoding_misplaces_the_target_on_the_ridge(target_scene, tmp_path):
    """Without the DEM the 250 m ridge shifts the target in range by ~h·cot θ: why the processor refuses gcp there."""
    options = BackscatterOptions(dem=target_scene.dem, geocoding="gcp", polarisations=("VV",))
    error = _target_centroid_error(PythonBackend().backscatter(target_scene.safe, options, tmp_path)["VV"], target_scene)
    assert np.hypot(*error) > 1.0


def test_value_modes_and_radiometries(grd_scene, sigma0, tmp_path):
    """dB = 10·log10(σ⁰); sen4cap amplitude = sqrt(σ⁰); γ⁰ = σ⁰ / cos θ > σ⁰."""
    backend = PythonBackend()
    with rasterio.open(sigma0["VV"]) as src:
        linear = src.read(1)
    outputs = {}
    for name, change in {"db": {"scale": "db"}, "amp": {"amp_mode": "sen4cap"}, "gamma0": {"radiometry": "gamma0"}}.items():
        options = dataclasses.replace(BackscatterOptions(dem=grd_scene.dem, polarisations=("VV",)), **change)
        (tmp_path / name).mkdir()
        with rasterio.open(backend.backscatter(grd_scene.safe, options, tmp_path / name)["VV"]) as src:
            outputs[name] = src.read(1)
    valid = np.isfinite(linear) & (linear > 0)
    np.testing.assert_allclose(outputs["db"][valid], 10 * np.log10(linear[valid]), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(outputs["amp"][valid], np.sqrt(linear[valid]), rtol=1e-6)
    assert 1.1 < np.nanmedian(outputs["gamma0"] / linear) < 1.4  # 1/cos θ for θ ≈ 30–45°


def test_terrain_flattening_is_ellipsoid_gamma0_on_flat_terrain(tmp_path):
    scene = h.grd_scene(tmp_path / "flat", relief=0.0)
    values = {}
    for radiometry in ("gamma0", "gamma0_rtc"):
        (tmp_path / radiometry).mkdir()
        options = BackscatterOptions(dem=scene.dem, polarisations=("VV",), radiometry=radiometry)
        with rasterio.open(PythonBackend().backscatter(scene.safe, options, tmp_path / radiometry)["VV"]) as src:
            values[radiometry] = src.read(1)
    ratio = values["gamma0_rtc"] / values["gamma0"]
    assert np.isfinite(ratio).sum() > 10000
    assert np.nanmax(np.abs(ratio - 1)) < 0.01
