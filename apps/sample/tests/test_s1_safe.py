"""Synthetic Sentinel-1 SAFE products: read back with the common reader, xarray-sentinel and stactools.

Radar coordinates of ground points are computed here the way a terrain-correction processor does, from
the written annotation only (orbit state vectors with Hermite interpolation, zero-Doppler Newton, line
timing, srgr polynomials), so the checks hold for any reader of the products, not just for the generator.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import warnings
from pathlib import Path

import numpy as np
import pytest
import rasterio
from pyproj import Transformer
from rasterio.windows import Window
from s4c_common.raster import Grid
from s4c_common.s1.annotation import SwathAnnotation
from s4c_common.s1.calibration import calibrate, calibration_lut
from s4c_common.s1.noise import noise_lut
from s4c_common.s1.orbit import relative_orbit
from s4c_common.s1.safe import open_s1
from s4c_sample.s1_geometry import SPEED_OF_LIGHT, ecef
from s4c_sample.s1_safe import (
    GroundScene,
    S1Acquisition,
    absolute_orbit,
    cycle_number,
    write_grd_safe,
    write_slc_series,
    zip_safe,
)

xarray_sentinel = pytest.importorskip("xarray_sentinel")

BOUNDS = (600000.0, 5650000.0, 603000.0, 5653000.0)  # 3 km × 3 km in UTM 31N (51.0° N, 4.4° E)
GRID = Grid.from_bounds(32631, BOUNDS, 10.0)
START = dt.datetime(2021, 4, 3, 17, 24, 52, tzinfo=dt.UTC)
TO_LONLAT = Transformer.from_crs(32631, 4326, always_xy=True)
TO_UTM = Transformer.from_crs(4326, 32631, always_xy=True)


@pytest.fixture(autouse=True)
def _quiet_rasterio():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # GCP-only measurements are "not georeferenced" for rasterio
        yield


def _grd_acquisition(relative: int = 88, pass_direction: str = "ASCENDING", polarisations: tuple[str, ...] = ("VV", "VH")) -> S1Acquisition:
    return S1Acquisition("S1A", START, relative, pass_direction, "GRD", polarisations)


def _cell_points(cols: np.ndarray, rows: np.ndarray, dem: np.ndarray) -> np.ndarray:
    """ECEF of scene cell centres at their DEM height."""
    t = GRID.transform
    x, y = t.c + t.a * (cols + 0.5), t.f + t.e * (rows + 0.5)
    lon, lat = TO_LONLAT.transform(np.asarray(x), np.asarray(y))
    return ecef(lon, lat, dem[rows, cols])


def _range_doppler(annotation: SwathAnnotation, points: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Zero-Doppler time, image line and pixel of ECEF points from the annotation alone (as a processor does)."""
    orbit = annotation.orbit
    time = np.full(len(points), annotation.first_line_time + (annotation.last_line_time - annotation.first_line_time) // 2)
    for _ in range(10):
        position, velocity = orbit.interpolate(time)
        _, later_velocity = orbit.interpolate(time + np.timedelta64(1, "ms"))
        acceleration = (later_velocity - velocity) / 1e-3
        offset = points - position
        step = (offset * velocity).sum(-1) / (-(velocity * velocity).sum(-1) + (offset * acceleration).sum(-1))
        time = time - np.round(step * 1e9).astype("timedelta64[ns]")
    position, _ = orbit.interpolate(time)
    slant_range = np.linalg.norm(points - position, axis=-1)
    if annotation.bursts:  # the first burst whose valid lines contain the time
        starts = np.array([b.azimuth_time for b in annotation.bursts])
        within = (time[:, None] - starts[None, :]) / np.timedelta64(1, "s") / annotation.azimuth_time_interval
        valid = (within >= 20) & (within < annotation.lines_per_burst - 20)
        burst = np.argmax(valid, axis=1)
        line = burst * annotation.lines_per_burst + within[np.arange(len(points)), burst]
        pixel = (2 * slant_range / SPEED_OF_LIGHT - annotation.slant_range_time) * annotation.range_sampling_rate
    else:
        line = (time - annotation.first_line_time) / np.timedelta64(1, "s") / annotation.azimuth_time_interval
        pixel = annotation.coordinate_conversion.ground_range(time, slant_range) / annotation.range_pixel_spacing
    return time, line, pixel


def _pixel_scene_cells(annotation: SwathAnnotation) -> tuple[np.ndarray, np.ndarray]:
    """Scene (col, row) of every image pixel through the geolocation grid (flat terrain)."""
    lines, pixels = np.meshgrid(np.arange(annotation.lines), np.arange(annotation.samples), indexing="ij")
    times = annotation.line_azimuth_time(lines)
    grid = annotation.geolocation
    lon, lat = grid.interpolate("longitude", times, pixels), grid.interpolate("latitude", times, pixels)
    x, y = TO_UTM.transform(lon, lat)
    t = GRID.transform
    col, row = (x - t.c) / t.a, (y - t.f) / t.e
    return np.floor(col).astype(int), np.floor(row).astype(int)


def _files(safe: Path) -> dict[str, str]:
    return {p.relative_to(safe).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(safe.rglob("*")) if p.is_file()}


# --- products (written once per module) ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def grd(tmp_path_factory) -> Path:
    """Flat DEM at 50 m; VV σ⁰ 0.1 (cols < 200), 0 (noise only, cols 200–259), NaN beyond; VH σ⁰ 0.02 likewise."""
    vv = np.full(GRID.shape, 0.1, np.float32)
    vh = np.full(GRID.shape, 0.02, np.float32)
    for sigma0 in (vv, vh):
        sigma0[:, 200:260] = 0.0
        sigma0[:, 260:] = np.nan
    scene = GroundScene(GRID, np.full(GRID.shape, 50.0, np.float32))
    return write_grd_safe(tmp_path_factory.mktemp("grd"), _grd_acquisition(), scene, {"VV": vv, "VH": vh}, seed=7)


RIDGE_X = 1500.0  # m from the west edge: a north–south ridge, 250 m high, slopes ≤ 16°


def _ridge_dem() -> np.ndarray:
    x = (np.arange(GRID.width) + 0.5) * 10.0
    return np.broadcast_to(50.0 + 250.0 * np.exp(-(((x - RIDGE_X) / 700.0) ** 2)), GRID.shape).astype(np.float32)


def _checkerboard() -> np.ndarray:
    rows, cols = np.indices(GRID.shape)
    return np.where(((rows // 30) + (cols // 30)) % 2 == 0, 0.05, 0.2).astype(np.float32)


@pytest.fixture(scope="module")
def ridge_grd(tmp_path_factory) -> Path:
    """Checkerboard of 300 m squares (σ⁰ 0.05 / 0.2) on a ridge, nearly speckle-free (10⁶ looks)."""
    scene = GroundScene(GRID, _ridge_dem())
    acquisition = _grd_acquisition(relative=117, pass_direction="DESCENDING", polarisations=("VV",))
    return write_grd_safe(tmp_path_factory.mktemp("ridge"), acquisition, scene, {"VV": _checkerboard()}, seed=3, looks=1e6)


SERIES_PLATFORMS = ("S1A", "S1B", "S1A")


@pytest.fixture(scope="module")
def slc_series(tmp_path_factory) -> list[Path]:
    """Three SLCs 6 days apart on track 88; coherence 0→1: 0.7 north half, 0.3 south half; 1→2: 0.7 everywhere."""
    acquisitions = [S1Acquisition(platform, START + dt.timedelta(days=6 * i), 88, "ASCENDING", "SLC", ("VV",)) for i, platform in enumerate(SERIES_PLATFORMS)]
    first = np.full(GRID.shape, 0.7, np.float32)
    first[150:] = 0.3
    second = np.full(GRID.shape, 0.7, np.float32)
    sigma0 = [{"VV": np.full(GRID.shape, 0.1, np.float32)}] * 3
    scene = GroundScene(GRID, np.full(GRID.shape, 50.0, np.float32))
    return write_slc_series(tmp_path_factory.mktemp("slc"), acquisitions, scene, sigma0, [first, second], seed=11)


# --- GRD -------------------------------------------------------------------------------------------------------------


def test_grd_reads_back(grd):
    product = open_s1(grd)
    assert product.name.startswith("S1A_IW_GRDH_1SDV_20210403T172452_")
    assert (product.mission, product.product_type, product.mode, product.pass_direction) == ("S1A", "GRD", "IW", "ASCENDING")
    assert product.polarisations == ("VV", "VH") and product.start_time == START
    assert product.relative_orbit == product.relative_orbit_from_absolute == 88
    assert product.absolute_orbit == absolute_orbit("S1A", 88, START)
    annotation = product.annotation("IW", "VV")
    assert annotation.range_pixel_spacing == 10.0 and 30.0 < annotation.incidence_angle_mid_swath < 46.0
    assert np.all(np.diff(annotation.orbit.times) == np.timedelta64(10, "s")) and len(annotation.orbit) >= 12
    assert annotation.ascending_node_time < annotation.first_line_time
    calibration = product.calibration("IW", "VV")
    sigma_lut = np.array(calibration.values["sigmaNought"])
    assert len(calibration) >= 5 and 500 < sigma_lut.min() and sigma_lut.max() < 800  # as real IW GRD LUTs
    assert np.all(np.diff(sigma_lut, axis=1) < 0)  # decreasing smoothly with range (incidence increases)
    footprint, manifest = product.annotation_footprint(), product.footprint
    assert footprint.intersection(manifest).area / footprint.union(manifest).area > 0.999
    with rasterio.open(product.measurement_path("IW", "VV")) as src:
        assert src.dtypes[0] == "uint16" and src.shape == (annotation.lines, annotation.samples)
        assert len(src.gcps[0]) == len(annotation.geolocation)


def test_grd_geolocation_grid_maps_ground_points_to_their_pixel(grd):
    """Range-Doppler pixel of ground points vs the geolocation grid: < 1 m on the ground, < 0.1 pixel in the image."""
    annotation = open_s1(grd).annotation("IW", "VV")
    cols, rows = (v.ravel() for v in np.meshgrid(np.arange(5, 300, 48), np.arange(5, 300, 48)))
    points = _cell_points(cols, rows, np.full(GRID.shape, 50.0))
    time, line, pixel = _range_doppler(annotation, points)
    grid = annotation.geolocation
    located = ecef(*(grid.interpolate(f, time, pixel) for f in ("longitude", "latitude", "height")))
    assert np.linalg.norm(located - points, axis=-1).max() < 1.0
    # the inverse: the image position where the interpolated grid gives the ground point (Newton on the grid)
    lon, lat, _ = (grid.interpolate(f, time, pixel) for f in ("longitude", "latitude", "height"))
    guess_line, guess_pixel = np.round(line), np.round(pixel)
    interval = np.timedelta64(int(annotation.azimuth_time_interval * 1e9), "ns")
    for _ in range(3):
        t = annotation.first_line_time + (guess_line * annotation.azimuth_time_interval * 1e9).astype("timedelta64[ns]")
        f0 = np.stack([grid.interpolate("longitude", t, guess_pixel), grid.interpolate("latitude", t, guess_pixel)])
        d_line = np.stack([grid.interpolate(f, t + interval, guess_pixel) for f in ("longitude", "latitude")]) - f0
        d_pixel = np.stack([grid.interpolate(f, t, guess_pixel + 1) for f in ("longitude", "latitude")]) - f0
        residual = np.stack([lon, lat]) - f0
        determinant = d_line[0] * d_pixel[1] - d_line[1] * d_pixel[0]
        guess_line = guess_line + (residual[0] * d_pixel[1] - residual[1] * d_pixel[0]) / determinant
        guess_pixel = guess_pixel + (d_line[0] * residual[1] - d_line[1] * residual[0]) / determinant
    assert np.abs(guess_line - line).max() < 0.1 and np.abs(guess_pixel - pixel).max() < 0.1


def test_grd_pixels_carry_the_truth_of_their_ground_point_on_a_ridge(ridge_grd):
    """Range-Doppler with the DEM puts every checkerboard cell on a pixel of its own σ⁰ (a DEM-blind geometry would not)."""
    product = open_s1(ridge_grd)
    annotation = product.annotation("IW", "VV")
    truth, dem = _checkerboard(), _ridge_dem()
    rows, cols = np.indices(GRID.shape)
    inside = (rows % 30 >= 4) & (rows % 30 < 26) & (cols % 30 >= 4) & (cols % 30 < 26)  # ≥ 40 m from a square edge
    rows, cols = rows[inside][::7], cols[inside][::7]
    _, line, pixel = _range_doppler(annotation, _cell_points(cols, rows, dem))
    sigma0 = calibrate(product, "IW", "VV")
    measured = sigma0[np.round(line).astype(int), np.round(pixel).astype(int)]
    np.testing.assert_allclose(measured, truth[rows, cols], rtol=0.02)
    _, flat_line, flat_pixel = _range_doppler(annotation, _cell_points(cols, rows, np.full(GRID.shape, 50.0)))
    blind = sigma0[np.round(flat_line).astype(int), np.round(flat_pixel).astype(int)]
    assert np.mean(np.abs(blind / truth[rows, cols] - 1) > 0.02) > 0.2  # ignoring the ridge misplaces many cells


def test_grd_calibration_recovers_sigma0_and_noise(grd):
    product = open_s1(grd)
    annotation = product.annotation("IW", "VV")
    col, row = _pixel_scene_cells(annotation)
    inner_rows = (row >= 5) & (row < 295)
    field = inner_rows & (col >= 5) & (col < 195)
    noise_only = inner_rows & (col >= 205) & (col < 255)
    for pol, expected in (("VV", 0.1), ("VH", 0.02)):
        sigma0 = calibrate(product, "IW", pol)
        assert field.sum() > 50000
        assert np.mean(sigma0[field]) == pytest.approx(expected, rel=0.03)
        dn = product.read_measurement("IW", pol).astype(np.float64)
        noise = noise_lut(product, "IW", pol)
        assert np.mean(dn[noise_only] ** 2) / np.mean(noise[noise_only]) == pytest.approx(1.0, rel=0.03)
        assert np.all(dn[(col >= 262) | (col < -2) | (row < -2) | (row >= 302)] == 0)  # outside the land: no-data
        assert np.all(dn[inner_rows & (col >= 2) & (col < 258)] > 0)
    # xarray-sentinel calibrates the same digital numbers identically
    dataset = xarray_sentinel.open_sentinel1_dataset(grd, group="IW/VV")
    lut = xarray_sentinel.open_sentinel1_dataset(grd, group="IW/VV/calibration").sigmaNought
    reference = xarray_sentinel.calibrate_intensity(dataset.measurement, lut).values
    ours = calibrate(product, "IW", "VV", remove_noise=False)
    valid = np.isfinite(ours)
    np.testing.assert_allclose(ours[valid], reference[valid], rtol=1e-5)


def test_grd_metadata_through_xarray_sentinel(grd):
    product = open_s1(grd)
    annotation = product.annotation("IW", "VV")
    dataset = xarray_sentinel.open_sentinel1_dataset(grd, group="IW/VV")
    assert dict(dataset.sizes) == {"azimuth_time": annotation.lines, "ground_range": annotation.samples}
    gcp = xarray_sentinel.open_sentinel1_dataset(grd, group="IW/VV/gcp")
    np.testing.assert_array_equal(gcp.latitude.values, annotation.geolocation.as_grid("latitude"))
    orbit = xarray_sentinel.open_sentinel1_dataset(grd, group="IW/VV/orbit")
    np.testing.assert_array_equal(orbit.position.values.T, annotation.orbit.positions)
    calibration = xarray_sentinel.open_sentinel1_dataset(grd, group="IW/VV/calibration")
    lines, pixels = calibration.line.values, calibration.pixel.values
    ours = calibration_lut(product, "IW", "VV")[np.ix_(lines, pixels)]
    np.testing.assert_array_equal(ours, calibration.sigmaNought.values)
    noise = xarray_sentinel.open_sentinel1_dataset(grd, group="IW/VV/noise_range")
    np.testing.assert_allclose(product.noise("IW", "VV").range_lut(lines, pixels), noise.noiseRangeLut.values, rtol=1e-7)
    conversion = xarray_sentinel.open_sentinel1_dataset(grd, group="IW/VV/coordinate_conversion")
    np.testing.assert_array_equal(conversion.srgrCoefficients.values, annotation.coordinate_conversion.srgr)


def test_stactools_creates_a_grd_item(grd):
    from stactools.sentinel1.grd.stac import create_item

    item = create_item(str(grd))
    assert item.id == grd.name.removesuffix(".SAFE")[:-5]
    assert item.properties["sat:relative_orbit"] == 88 and item.properties["sat:orbit_state"] == "ascending"
    assert item.properties["sar:polarizations"] == ["VV", "VH"] and item.properties["sar:product_type"] == "GRD"
    west, south = TO_LONLAT.transform(BOUNDS[0], BOUNDS[1])
    east, north = TO_LONLAT.transform(BOUNDS[2], BOUNDS[3])
    assert item.bbox[0] < west and item.bbox[1] < south and item.bbox[2] > east and item.bbox[3] > north
    assert {"vv", "vh"} <= set(item.assets)


# --- SLC -------------------------------------------------------------------------------------------------------------


def _pooled_coherence(a: np.ndarray, b: np.ndarray) -> float:
    """|Σ a b*| / √(Σ|a|² Σ|b|²) over a whole homogeneous area."""
    return float(np.abs(np.sum(a * np.conj(b))) / np.sqrt(np.sum(np.abs(a) ** 2) * np.sum(np.abs(b) ** 2)))


def test_slc_series_coherence(slc_series):
    """Pooled over ~10⁵ independent samples the estimator bias is O(1/N) and its spread ~0.002: no bias correction."""
    products = [open_s1(p) for p in slc_series]
    for swath, pol in products[0].swath_polarisations():
        annotation = products[0].annotation(swath, pol)
        col, row = _pixel_scene_cells(annotation)
        fields = [(col >= 5) & (col < 295) & (row >= 5) & (row < 145), (col >= 5) & (col < 295) & (row >= 155) & (row < 295)]
        values = [p.read_measurement(swath, pol).astype(np.complex128) / calibration_lut(p, swath, pol) for p in products]
        valid = np.all([v != 0 for v in values], axis=0)
        north, south = (field & valid for field in fields)
        assert north.sum() > 50000 and south.sum() > 50000
        assert _pooled_coherence(values[0][north], values[1][north]) == pytest.approx(0.7, abs=0.03)
        assert _pooled_coherence(values[0][south], values[1][south]) == pytest.approx(0.3, abs=0.03)
        assert _pooled_coherence(values[1][south], values[2][south]) == pytest.approx(0.7, abs=0.03)
        assert _pooled_coherence(values[0][north], values[2][north]) == pytest.approx(0.49, abs=0.03)
        assert _pooled_coherence(values[0][south], values[2][south]) == pytest.approx(0.21, abs=0.03)
        sigma0 = calibrate(products[2], swath, pol)
        assert np.nanmean(sigma0[north]) == pytest.approx(0.1, rel=0.03)


def test_slc_layout_and_zero_baseline(slc_series):
    products = [open_s1(p) for p in slc_series]
    assert [p.mission for p in products] == list(SERIES_PLATFORMS)
    assert all(p.relative_orbit == p.relative_orbit_from_absolute == 88 for p in products)
    for swath, pol in products[0].swath_polarisations():
        annotations = [p.annotation(swath, pol) for p in products]
        first = annotations[0]
        assert len(first.bursts) >= 1 and first.lines == len(first.bursts) * first.lines_per_burst
        assert 1400 < first.lines_per_burst < 1600 and first.range_pixel_spacing == pytest.approx(2.329562)
        for k, other in enumerate(annotations[1:], start=1):  # identical geometry, shifted by 6 days
            assert [b.azimuth_anx_time for b in other.bursts] == [b.azimuth_anx_time for b in first.bursts]
            assert other.first_line_time - first.first_line_time == np.timedelta64(6 * k, "D")
            np.testing.assert_array_equal(other.geolocation.latitude, first.geolocation.latitude)
        dn = products[0].read_measurement(swath, pol)
        with open(products[0].measurement_path(swath, pol), "rb") as f:
            raw = f.read()
        for index, burst in enumerate(first.bursts):
            invalid = burst.first_valid_sample == -1
            lines = index * first.lines_per_burst + np.arange(first.lines_per_burst)
            assert invalid[:20].all() and invalid[-20:].all() and not invalid[20:-20].any()
            assert np.all(dn[lines[invalid]] == 0)
            line = 100  # byteOffset locates the burst in the file, one line of complex int16 after another
            start = burst.byte_offset + line * first.samples * 4
            row = np.frombuffer(raw[start : start + first.samples * 4], dtype="<i2").reshape(-1, 2)
            np.testing.assert_array_equal(row[:, 0] + 1j * row[:, 1], dn[lines[line]])
        dataset = xarray_sentinel.open_sentinel1_dataset(slc_series[0], group=f"{swath}/{pol}")
        assert dataset.attrs["number_of_bursts"] == len(first.bursts)
        burst = xarray_sentinel.open_sentinel1_dataset(slc_series[0], group=f"{swath}/{pol}/0")
        assert dict(burst.sizes) == {"azimuth_time": first.lines_per_burst, "slant_range_time": first.samples}
    from stactools.sentinel1.slc.stac import create_item

    item = create_item(str(slc_series[0]))
    assert item.properties["sat:relative_orbit"] == 88 and item.properties["sar:product_type"] == "SLC"


def test_slc_geolocation_grid_maps_ground_points_to_their_pixel(slc_series):
    annotation = open_s1(slc_series[0]).annotation(*open_s1(slc_series[0]).swath_polarisations()[0])
    cols, rows = (v.ravel() for v in np.meshgrid(np.arange(5, 300, 48), np.arange(5, 300, 48)))
    points = _cell_points(cols, rows, np.full(GRID.shape, 50.0))
    time, _, pixel = _range_doppler(annotation, points)
    grid = annotation.geolocation
    located = ecef(*(grid.interpolate(f, time, pixel) for f in ("longitude", "latitude", "height")))
    assert np.linalg.norm(located - points, axis=-1).max() < 1.0


# --- numbering, determinism, inputs ------------------------------------------------------------------------------------


def test_absolute_orbit_follows_the_relative_orbit_formula():
    # real products: S1B_..._026269 (track 168), S1A_..._036201 (track 79), S1B_..._030148 (track 22)
    assert absolute_orbit("S1B", 168, dt.datetime(2021, 4, 1, 5, 26, 22, tzinfo=dt.UTC)) == 26269
    assert absolute_orbit("S1A", 79, dt.datetime(2021, 1, 19, 3, 16, 53, tzinfo=dt.UTC)) == 36201
    assert absolute_orbit("S1B", 22, dt.datetime(2021, 12, 23, 5, 11, 22, tzinfo=dt.UTC)) == 30148
    assert (cycle_number("S1B", 26269), cycle_number("S1A", 36201), cycle_number("S1B", 30148)) == (156, 221, 179)
    for platform in ("S1A", "S1B"):
        for track in (1, 37, 88, 175):
            for day in (0, 5, 400):
                when = START + dt.timedelta(days=day)
                assert relative_orbit(platform, absolute_orbit(platform, track, when)) == track


def test_same_seed_same_bytes(tmp_path):
    small = Grid.from_bounds(32631, (600000.0, 5650000.0, 601500.0, 5651500.0), 10.0)
    scene = GroundScene(small, np.full(small.shape, 20.0, np.float32))
    sigma0 = {"VV": np.full(small.shape, 0.08, np.float32)}
    acquisition = _grd_acquisition(polarisations=("VV",))
    first = write_grd_safe(tmp_path / "a", acquisition, scene, sigma0, seed=5)
    second = write_grd_safe(tmp_path / "b", acquisition, scene, sigma0, seed=5)
    other = write_grd_safe(tmp_path / "c", acquisition, scene, sigma0, seed=6)
    assert first.name == second.name == other.name
    assert _files(first) == _files(second)
    differing = {name for name, digest in _files(other).items() if _files(first)[name] != digest}
    assert {Path(name).parent.name for name in differing} == {"measurement", ""}  # the TIFF, and the manifest's checksum
    archives = [zip_safe(first), zip_safe(second)]
    assert archives[0].read_bytes() == archives[1].read_bytes()
    zipped = open_s1(archives[0])
    np.testing.assert_array_equal(zipped.read_measurement("IW", "VV"), open_s1(first).read_measurement("IW", "VV"))
    assert zipped.read_measurement("IW", "VV", Window(0, 0, 3, 3)).shape == (3, 3)


def test_bad_arguments_are_refused(tmp_path):
    scene = GroundScene(GRID, np.zeros(GRID.shape, np.float32))
    sigma0 = {"VV": np.full(GRID.shape, 0.1, np.float32), "VH": np.full(GRID.shape, 0.02, np.float32)}
    cases = [
        (_grd_acquisition(), {"VV": sigma0["VV"]}),  # VH missing
        (_grd_acquisition(), {"VV": sigma0["VV"][:10], "VH": sigma0["VH"]}),  # wrong shape
        (S1Acquisition("S1A", START.replace(tzinfo=None), 88, "ASCENDING", "GRD"), sigma0),  # naive time
        (S1Acquisition("S1A", START, 88, "ASCENDING", "SLC"), sigma0),  # not a GRD
        (S1Acquisition("S1C", START, 88, "ASCENDING", "GRD"), sigma0),
        (S1Acquisition("S1A", START, 176, "ASCENDING", "GRD"), sigma0),
    ]
    for acquisition, maps in cases:
        with pytest.raises(ValueError):
            write_grd_safe(tmp_path, acquisition, scene, maps, seed=1)
    slc = S1Acquisition("S1A", START, 88, "ASCENDING", "SLC", ("VV",))
    with pytest.raises(ValueError):
        write_slc_series(tmp_path, [slc, slc], scene, [{"VV": sigma0["VV"]}] * 2, [], seed=1)  # one coherence map needed
    assert list(tmp_path.iterdir()) == []
