"""The processor's calibration and geometry on real SAFE metadata (../shared/data), constant-DN measurements.

Expected LUT values are read from the XML text by regular expression (independent of the reader), and
xarray-sentinel calibrates the same digital numbers as an external oracle (spec 6, 7.1, 7.2).
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
import rasterio
from rasterio.windows import Window
from s4c_common.s1.coordinate_conversion import SPEED_OF_LIGHT
from s4c_common.s1.safe import open_s1
from s4c_s1_preprocessing.python_backend.calibration import calibrate_rows, interpolated_lut
from s4c_s1_preprocessing.python_backend.ellipsoid import to_ecef
from s4c_s1_preprocessing.python_backend.image_geometry import GrdGeometry
from s4c_s1_preprocessing.python_backend.orbit_fit import fit_orbit
from s4c_s1_preprocessing.python_backend.range_doppler import zero_doppler

BOPEN = "data/s1-safe-metadata-bopen"
SARSEN_GRD = f"{BOPEN}/sarsen/tests/data/S1B_IW_GRDH_1SDV_20211223T051122_20211223T051147_030148_039993_5371.SAFE"
XS_GRD = f"{BOPEN}/xarray-sentinel/tests/data/S1B_IW_GRDH_1SDV_20210401T052623_20210401T052648_026269_032297_ECC8.SAFE"  # annotation only
XS_SLC = f"{BOPEN}/xarray-sentinel/tests/data/S1B_IW_SLC__1SDV_20210401T052622_20210401T052650_026269_032297_EFA4.SAFE"
PYROSAR_ZIP = "data/pyrosar-s1/tests/data/S1A_IW_GRDH_1SDV_20210119T031653_20210119T031718_036201_043ED0_8255.zip"


@pytest.fixture(autouse=True)
def _quiet_rasterio():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the dummy measurements carry no georeferencing
        yield


def _calibration_vectors(safe, swath: str, pol: str, tag: str) -> tuple[np.ndarray, list[np.ndarray], list[np.ndarray]]:
    """(lines, pixel arrays, LUT arrays) of a calibration file, by regular expression on its text."""
    text = next((safe / "annotation" / "calibration").glob(f"calibration-*-{swath.lower()}-*-{pol.lower()}-*.xml")).read_text()
    lines = np.array([int(v) for v in re.findall(r"<line>(-?\d+)</line>", text)])
    arrays = [re.findall(rf'<{name} count="\d+">([^<]*)</{name}>', text) for name in ("pixel", tag)]
    pixels, values = ([np.array(a.split(), float) for a in found] for found in arrays)
    return lines, pixels, values


def _rows(product, swath: str, pol: str, row: int, count: int = 1, noise: bool = False, kind: str = "sigmaNought", dn: int | None = None) -> np.ndarray:
    """Calibrated rows of the measurement, or of a constant ``dn`` (the GRD measurements are all 0)."""
    samples = product.annotation(swath, pol).samples
    values = product.read_measurement(swath, pol, Window(0, row, samples, count)) if dn is None else np.full((count, samples), dn, np.uint16)
    return calibrate_rows(product, swath, pol, kind, noise, row, values)


@pytest.mark.parametrize("kind", ["sigmaNought", "betaNought", "gamma"])
def test_grd_lut_nodes_are_reproduced_exactly(shared, kind):
    """GRD (IPF 3.40), DN = 1: X⁰ = 1/A² exactly at every LUT node (line × pixel) of two vectors, linear in line between."""
    safe = shared.path(SARSEN_GRD)
    product = open_s1(safe)
    lines, pixels, values = _calibration_vectors(safe, "IW", "VV", kind)
    calibration = product.calibration("IW", "VV")
    for k in (1, 2):
        nodes = pixels[k].astype(int)
        lut = interpolated_lut(calibration.line, calibration.pixel, calibration.values[kind], np.array([lines[k]]), np.arange(nodes[-1] + 1))
        np.testing.assert_array_equal(lut[0, nodes], values[k].astype(np.float32))  # the LUT itself: exact
        row = _rows(product, "IW", "VV", int(lines[k]), kind=kind, dn=1)[0]
        np.testing.assert_allclose(row[nodes], 1.0 / values[k] ** 2, rtol=3e-7)  # 1/A² in float32: within 2 ulp
    middle = (lines[1] + lines[2]) // 2
    weight = (middle - lines[1]) / (lines[2] - lines[1])
    lut = values[1] + weight * (values[2] - values[1])
    np.testing.assert_allclose(_rows(product, "IW", "VV", int(middle), kind=kind, dn=1)[0][pixels[1].astype(int)], 1 / lut**2, rtol=1e-6)


def test_grd_calibration_matches_xarray_sentinel(shared):
    xarray_sentinel = pytest.importorskip("xarray_sentinel")
    safe = shared.path(SARSEN_GRD)
    ours = _rows(open_s1(safe), "IW", "VV", 1000, 64, dn=1)
    dataset = xarray_sentinel.open_sentinel1_dataset(safe, group="IW/VV")
    lut = xarray_sentinel.open_sentinel1_dataset(safe, group="IW/VV/calibration").sigmaNought
    reference = xarray_sentinel.calibrate_intensity(dataset.measurement[1000:1064] * 0 + 1, lut).values
    np.testing.assert_allclose(ours, reference, rtol=1e-6)


def test_slc_dummy_values_give_the_spec_constants(shared):
    """EFA4: IW1 VV DN = 2 → σ⁰ = 4/A² ∈ [3.62e-5, 4.27e-5]; IW1 VH DN = 1 and IW2 VH DN = j → 1/A²."""
    safe = shared.path(XS_SLC)
    product = open_s1(safe)
    vv = _rows(product, "IW1", "VV", 3000, 8)
    assert 3.62e-5 <= np.nanmin(vv) and np.nanmax(vv) <= 4.27e-5
    for swath, dn2 in (("IW1", 4.0), ("IW1", 1.0), ("IW2", 1.0)):
        pol = "VV" if dn2 == 4.0 else "VH"
        lines, pixels, values = _calibration_vectors(safe, swath, pol, "sigmaNought")
        row = _rows(product, swath, pol, int(lines[3]))[0]
        np.testing.assert_allclose(row[pixels[3].astype(int)], dn2 / values[3] ** 2, rtol=3e-7)


def test_gdal_safe_calibration_is_not_what_the_processor_computes(shared):
    """GDAL's SENTINEL1_CALIB:SIGMA0 returns |DN|² = 4 without the LUT (spec B.1): the processor reads plain GeoTIFF."""
    manifest = shared.path(XS_SLC) / "manifest.safe"
    with rasterio.open(f"SENTINEL1_CALIB:SIGMA0:{manifest}:IW1_VV:INTENSITY") as src:
        gdal = src.read(1, window=Window(100, 3000, 4, 1))
    assert np.all(gdal == 4.0)
    ours = _rows(open_s1(shared.path(XS_SLC)), "IW1", "VV", 3000)[0, 100:104]
    assert np.all(ours < 5e-5)


def test_noise_only_measurement_is_all_no_data(shared):
    """sarsen GRD (IPF 3.40, DN = 0 everywhere): with noise removal every pixel is no-data (DN = 0 rule)."""
    product = open_s1(shared.path(SARSEN_GRD))
    assert np.isnan(_rows(product, "IW", "VV", 500, 4, noise=True)).all()


def _annotations(shared):
    for relative in (SARSEN_GRD, XS_GRD, XS_SLC, PYROSAR_ZIP):
        product = open_s1(shared.path(relative))
        for swath, pol in product.swath_polarisations():
            yield relative, product.annotation(swath, pol)


def test_range_doppler_solver_hits_every_geolocation_grid_point(shared):
    """Spec 7.2: (lat, lon, h) of every grid point → zero-Doppler time and slant range within 0.5 line / 0.5 sample."""
    for relative, annotation in _annotations(shared):
        grid = annotation.geolocation
        orbit = fit_orbit(annotation.orbit, annotation.first_line_time, annotation.last_line_time)
        t, slant_range = zero_doppler(orbit, to_ecef(grid.longitude, grid.latitude, grid.height))
        lines = (t - orbit.seconds(grid.azimuth_time)) / annotation.azimuth_time_interval
        samples = (2 * slant_range / SPEED_OF_LIGHT - grid.slant_range_time) * annotation.range_sampling_rate
        assert np.abs(lines).max() < 0.5 and np.abs(samples).max() < 0.5, (relative, annotation.swath, annotation.polarisation)
        if not annotation.bursts:  # GRD: the image (line, pixel) through the product's own srgr polynomials
            row, col = GrdGeometry(annotation, orbit, (1, 1), (annotation.lines, annotation.samples)).coordinates(t, slant_range)
            own = annotation.coordinate_conversion.ground_range(grid.azimuth_time, grid.slant_range_time * SPEED_OF_LIGHT / 2) / annotation.range_pixel_spacing
            assert np.abs(row - grid.line).max() < 0.5
            assert np.abs(col - own).max() < 0.1  # the srgr polynomials themselves differ from the grid by up to 1.5 px in ECC8
