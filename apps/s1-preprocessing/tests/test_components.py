"""Components: multilook, resampling, orbit polynomial, terrain flattening, DEM datums, output grid, DEM fetch URLs."""

from __future__ import annotations

import math

import numpy as np
import pytest
import rasterio
import s1p_helpers as h
from s4c_common.errors import InputError
from s4c_common.s1.orbit import OrbitStateVectors
from s4c_s1_preprocessing.dem import open_dem
from s4c_s1_preprocessing.dem_fetch import tile_name, tile_url, tiles_for_bbox
from s4c_s1_preprocessing.output_grid import grid_over
from s4c_s1_preprocessing.products import BackscatterProduct, CoherenceProduct
from s4c_s1_preprocessing.python_backend.ellipsoid import to_ecef, to_geodetic
from s4c_s1_preprocessing.python_backend.multilook import Multilooker, multilook
from s4c_s1_preprocessing.python_backend.orbit_fit import fit_orbit
from s4c_s1_preprocessing.python_backend.resampling import sample
from s4c_s1_preprocessing.python_backend.terrain_flattening import flattening_factor
from shapely.geometry import box


def test_multilook_averages_intensity_and_needs_half_valid_samples():
    block = np.arange(16, dtype=np.float32).reshape(4, 4)
    np.testing.assert_array_equal(multilook(block, 2, 2), [[2.5, 4.5], [10.5, 12.5]])
    block[0, :3] = np.nan
    block[1, 0] = np.nan
    result = multilook(block, 2, 2)
    assert np.isnan(result[0, 0]) and result[0, 1] == pytest.approx((3 + 6 + 7) / 3)
    streamed = Multilooker(5, 5, 2, 2)  # block sizes do not matter; partial windows padded with no-data
    image = np.random.default_rng(0).random((5, 5)).astype(np.float32)
    for rows in (slice(0, 1), slice(1, 4), slice(4, 5)):
        streamed.feed(image[rows])
    full = streamed.result()
    assert full.shape == (3, 3) and full[0, 0] == pytest.approx(image[:2, :2].mean())
    assert full[0, 2] == pytest.approx(image[0:2, 4].mean()) and np.isnan(full[2, 2])  # 2 of 4 valid: kept; 1 of 4: no-data


def test_resampling_kernels():
    image = np.add.outer(np.arange(6.0), 10 * np.arange(6.0)).astype(np.float32)  # linear: every kernel is exact
    rows, cols = np.array([1.25, 2.5, 3.0]), np.array([2.75, 1.5, 2.0])
    for method in ("bilinear", "bicubic"):
        np.testing.assert_allclose(sample(image, rows, cols, method), rows + 10 * cols, rtol=1e-6)
    np.testing.assert_array_equal(sample(image, np.array([1.4]), np.array([2.6]), "nearest"), [31.0])
    assert np.isnan(sample(image, np.array([-0.5, 5.5]), np.array([1.0, 1.0]))).all()  # no extrapolation
    image[2, 2] = np.nan
    assert np.isnan(sample(image, np.array([2.5]), np.array([2.5]))).all()


def test_orbit_polynomial_reproduces_a_circular_orbit():
    radius, rate = 7_071_000.0, 2 * math.pi / 5924.0
    times = np.datetime64("2021-04-03T17:24:00", "ns") + np.arange(0, 200, 10) * np.timedelta64(1, "s")
    t = np.arange(0, 200, 10.0)
    positions = radius * np.c_[np.cos(rate * t), np.sin(rate * t), np.zeros_like(t)]
    velocities = radius * rate * np.c_[-np.sin(rate * t), np.cos(rate * t), np.zeros_like(t)]
    orbit = fit_orbit(OrbitStateVectors(times, positions, velocities, "Earth Fixed"), times[5], times[14])
    s = orbit.seconds(times[5] + np.timedelta64(37, "s"))
    u = (times[5] - times[0]) / np.timedelta64(1, "s") + 37
    expected = radius * np.array([np.cos(rate * u), np.sin(rate * u), 0.0])
    assert np.linalg.norm(orbit.position(np.array(s)) - expected) < 1e-3
    assert np.linalg.norm(orbit.acceleration(np.array(s)) + rate**2 * expected) < 1e-5


def test_ecef_round_trip():
    lon, lat, height = np.array([4.4, -70.0]), np.array([51.0, -33.0]), np.array([50.0, 2500.0])
    back = to_geodetic(to_ecef(lon, lat, height))
    np.testing.assert_allclose(back, (lon, lat, height), atol=1e-6)


def test_flattening_of_a_tilted_facet_is_tan_of_the_local_incidence():
    """A facet sloping by s towards the sensor: γ⁰_T/β⁰ = tan(θ − s); layover (s > θ) is no-data."""
    theta = math.radians(38.0)
    rows, cols = np.mgrid[0:5, 0:5].astype(float)
    ground = np.stack([np.zeros_like(rows), 10 * cols, -10 * rows], axis=-1)  # x up, y east (range), z north
    for slope, expected in ((0.0, math.tan(theta)), (10.0, math.tan(theta - math.radians(10))), (-15.0, math.tan(theta + math.radians(15)))):
        points = ground + np.array([6.4e6, 0, 0])
        points[..., 0] += np.tan(math.radians(slope)) * points[..., 1]  # rises away from the sensor: faces it
        sensor = np.array([6.4e6 + 7e5, -7e5 * math.tan(theta), 0.0])
        factor = flattening_factor(points, np.broadcast_to(sensor, points.shape), np.broadcast_to([0.0, 0.0, 7600.0], points.shape))
        assert np.nanmedian(factor) == pytest.approx(expected, rel=0.02)
    points = ground + np.array([6.4e6, 0, 0])
    points[..., 0] += np.tan(math.radians(60)) * points[..., 1]
    sensor = np.array([6.4e6 + 7e5, -7e5 * math.tan(theta), 0.0])
    assert np.isnan(flattening_factor(points, np.broadcast_to(sensor, points.shape), np.broadcast_to([0.0, 0.0, 7600.0], points.shape))).all()


def test_dem_vertical_datums(tmp_path):
    heights = np.full(h.GRID.shape, 50.0, np.float32)
    declared = open_dem(h.write_dem(tmp_path / "declared.tif", heights))
    assert declared.vertical == "ellipsoidal" and declared.undulation_on(None, None, (2, 2)) == 0.0
    undeclared = h.write_dem(tmp_path / "undeclared.tif", heights, declare=False)
    with pytest.raises(InputError) as error:
        open_dem(undeclared)
    assert error.value.code == "E_BAD_CRS"
    egm = open_dem(undeclared, "egm2008", undulation=45.0)
    assert egm.vertical == "egm2008" and egm.undulation_on(None, None, (2, 2)) == 45.0
    compound = tmp_path / "compound.tif"
    with rasterio.open(undeclared) as src:
        profile = src.profile | {"crs": rasterio.crs.CRS.from_user_input("EPSG:32631+3855")}
        with rasterio.open(compound, "w", **profile) as dst:
            dst.write(src.read())
    try:
        assert open_dem(compound, undulation=45.0).vertical == "egm2008"
    except InputError as exc:  # GDAL builds that drop the vertical CRS on write
        assert exc.code == "E_BAD_CRS"


def test_egm_heights_need_the_geoid_grid_or_an_undulation(tmp_path):
    path = h.write_dem(tmp_path / "egm.tif", np.full(h.GRID.shape, 5.0, np.float32), declare=False)
    try:
        open_dem(path, "egm96")
    except InputError as exc:  # offline: PROJ has no us_nga_egm96_15.tif
        assert exc.code == "E_BAD_CRS" and "--geoid-undulation" in exc.message


def test_output_grid_is_snapped_to_the_spacing():
    grid = grid_over(box(4.40, 51.00, 4.45, 51.03), "EPSG:3035", 20.0)
    assert grid.transform.c % 20 == 0 and grid.transform.f % 20 == 0 and grid.resolution == 20.0
    geographic = grid_over(box(4.40, 51.00, 4.45, 51.03), "EPSG:4326", 20.0)
    assert geographic.resolution == pytest.approx(1.796630568239043e-4)


def test_dem_fetch_urls():
    assert tile_name(50, 4) == "Copernicus_DSM_COG_10_N50_00_E004_00_DEM"
    assert tile_name(-1, -75, "GLO-90") == "Copernicus_DSM_COG_30_S01_00_W075_00_DEM"
    assert tile_url(50, 4) == (
        "https://copernicus-dem-30m.s3.eu-central-1.amazonaws.com/Copernicus_DSM_COG_10_N50_00_E004_00_DEM/Copernicus_DSM_COG_10_N50_00_E004_00_DEM.tif"
    )
    assert tiles_for_bbox(4.2, 50.5, 5.1, 51.2) == [(50, 4), (50, 5), (51, 4), (51, 5)]
    assert tiles_for_bbox(-0.5, -0.5, 0.5, 0.5) == [(-1, -1), (-1, 0), (0, -1), (0, 0)]
    with pytest.raises(InputError):
        tiles_for_bbox(5.0, 50.0, 4.0, 51.0)


def test_product_names():
    import datetime as dt

    from s4c_s1_preprocessing.products import Acquisition

    early = Acquisition("S1A", dt.datetime(2021, 4, 3, 17, 24, 52, tzinfo=dt.UTC), 88)
    late = Acquisition("S1B", dt.datetime(2021, 4, 9, 17, 24, 53, tzinfo=dt.UTC), 88)
    assert str(BackscatterProduct(early, "VV").relative_path()) == "S1A_L2_BCK_20210403T172452_VV_088.tif"
    assert str(CoherenceProduct(early, late, "VH", "31UFS").relative_path()) == "S1B_L2_COH_20210403T172452_20210409T172453_VH_088_31UFS.tif"
    folder = "SEN4CAP_L2A_S3_V20210409T172453_20210403T172452_VH_088"
    assert str(CoherenceProduct(late, early, "VH").relative_path("sen4cap", 3)) == f"{folder}/{folder}_COHE.tif"
    assert str(BackscatterProduct(late, "VH", "31UFS", early).relative_path("sen4cap", 3)) == f"{folder}/{folder}_AMP_31UFS.tif"
