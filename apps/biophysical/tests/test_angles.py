"""Angle inputs: the networks' cosines equal the reader's angles, across 0°/360° too; constant grids are exact."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from bio_helpers import identity_network, write_scene
from rasterio.windows import Window
from s4c_biophysical.angles import AngleCosines
from s4c_biophysical.evaluate import Evaluator
from s4c_biophysical.models import MODELS
from s4c_biophysical.window import Encoding, WindowComputer
from s4c_common.s2 import AngleGrids, open_l2a
from s4c_common.s2.angles import angles_at


@pytest.fixture(scope="module")
def product(tmp_path_factory: pytest.TempPathFactory):
    return open_l2a(write_scene(tmp_path_factory.mktemp("scene"), size=120))


def reader_cosines(grids: AngleGrids, grid, window: Window) -> list[np.ndarray]:
    """The same inputs from s4c_common's angle resampling (each azimuth interpolated on its own)."""
    x = grid.transform.c + (np.arange(window.col_off, window.col_off + window.width) + 0.5) * grid.resolution
    y = grid.transform.f - (np.arange(window.row_off, window.row_off + window.height) + 0.5) * grid.resolution
    angles = angles_at(grids, x, y)
    cos = lambda degrees: np.cos(np.deg2rad(degrees.astype(np.float64)))  # noqa: E731
    return [cos(angles["view_zenith"]), cos(angles["sun_zenith"]), cos(angles["sun_azimuth"] - angles["view_azimuth"])]


def test_cosines_equal_the_reader(product) -> None:
    grid = product.grid(10)
    window = Window(6, 10, 100, 90)
    ours = AngleCosines(product.angles(), grid)(window)
    for a, b in zip(ours, reader_cosines(product.angles(), grid, window), strict=True):
        assert a.dtype == np.float32 and a.shape == (90, 100)
        np.testing.assert_allclose(a, b, atol=2e-6)


def test_relative_azimuth_across_north(product) -> None:
    """View azimuths crossing 0° between nodes (and a NaN node) give the reader's cosines, not a 180° error."""
    grids = product.angles()
    nodes = grids.view_azimuth.shape
    rows, cols = np.mgrid[0 : nodes[0], 0 : nodes[1]]
    view_azimuth = (355.0 + 3.0 * cols - 1.5 * rows) % 360.0
    view_azimuth[5, 5] = np.nan
    sun_azimuth = (10.0 + 0.5 * cols) % 360.0
    crossing = dataclasses.replace(grids, view_azimuth=view_azimuth, sun_azimuth=sun_azimuth)
    # a tile-sized grid, so that pixels fall between nodes on both sides of north
    grid = dataclasses.replace(product.grid(60), width=1830, height=1830)
    window = Window(0, 0, 1830, 1830)
    ours = AngleCosines(crossing, grid)(window)
    np.testing.assert_allclose(ours[2], reader_cosines(crossing, grid, window)[2], atol=2e-6)


def test_constant_grids_are_exact(product) -> None:
    grids = product.angles()
    constant = dataclasses.replace(
        grids,
        sun_zenith=np.full_like(grids.sun_zenith, 37.5),
        view_zenith=np.full_like(grids.view_zenith, 8.25),
        sun_azimuth=np.full_like(grids.sun_azimuth, 350.0),
        view_azimuth=np.full_like(grids.view_azimuth, 10.0),
    )
    cos_vza, cos_sza, cos_raa = AngleCosines(constant, product.grid(20))(Window(0, 0, 60, 60))
    assert np.all(cos_vza == np.float32(np.cos(np.deg2rad(8.25))))
    assert np.all(cos_sza == np.float32(np.cos(np.deg2rad(37.5))))
    assert np.allclose(cos_raa, np.cos(np.deg2rad(340.0)), atol=1e-7)


def test_window_inputs_use_them(product) -> None:
    """The window reader puts the cosines after the reflectances, in network order."""
    computer = WindowComputer(product, MODELS["snap-3.0-20m"].bands, Evaluator([identity_network(n_inputs=11)]), resolution=10, encoding=Encoding())
    window = Window(20, 40, 60, 50)
    inputs, _ = computer.read_inputs(window)
    expected = AngleCosines(product.angles(), product.grid(10))(window)
    for k in range(3):
        np.testing.assert_array_equal(inputs[8 + k], expected[k])
    np.testing.assert_array_equal(inputs[2], product.read_reflectance("B05", window, 10))  # 2 × 2 replication = the reader's
