"""Sentinel-1 SAFE reader on real product metadata (../shared/data) and on crafted bad inputs.

Expected values come from the XML text itself (regular expressions, independent of the reader's
parser) and from xarray-sentinel reading the same files.
"""

from __future__ import annotations

import re
import shutil
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest
from rasterio.windows import Window
from s4c_common.errors import InputError
from s4c_common.s1.calibration import calibrate, calibration_lut
from s4c_common.s1.noise import noise_lut, parse_noise
from s4c_common.s1.orbit import relative_orbit
from s4c_common.s1.safe import open_s1
from s4c_common.s1.xml_node import XmlNode
from s4c_common.xmlsafe import parse_xml

xarray_sentinel = pytest.importorskip("xarray_sentinel")

BOPEN = "data/s1-safe-metadata-bopen"
SARSEN_GRD = f"{BOPEN}/sarsen/tests/data/S1B_IW_GRDH_1SDV_20211223T051122_20211223T051147_030148_039993_5371.SAFE"
XS_GRD = f"{BOPEN}/xarray-sentinel/tests/data/S1B_IW_GRDH_1SDV_20210401T052623_20210401T052648_026269_032297_ECC8.SAFE"
XS_SLC = f"{BOPEN}/xarray-sentinel/tests/data/S1B_IW_SLC__1SDV_20210401T052622_20210401T052650_026269_032297_EFA4.SAFE"
PYROSAR_ZIP = "data/pyrosar-s1/tests/data/S1A_IW_GRDH_1SDV_20210119T031653_20210119T031718_036201_043ED0_8255.zip"

# manifest facts of the four products, read off their manifest.safe
MANIFESTS = {
    SARSEN_GRD: ("S1B", "GRD", 30148, 22, "2021-12-23T05:11:22.594441"),
    XS_GRD: ("S1B", "GRD", 26269, 168, "2021-04-01T05:26:23.794457"),
    XS_SLC: ("S1B", "SLC", 26269, 168, "2021-04-01T05:26:22.396989"),
    PYROSAR_ZIP: ("S1A", "GRD", 36201, 79, "2021-01-19T03:16:53.799379"),
}


@pytest.fixture(autouse=True)
def _quiet_rasterio():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the dummy measurements carry no georeferencing
        yield


def _file(safe: Path, pattern: str) -> Path:
    return next(safe.glob(pattern))


def _vectors(text: str, tag: str) -> list[np.ndarray]:
    """The ``tag`` arrays of an XML text, by regular expression."""
    return [np.array(m.split(), float) for m in re.findall(rf"<{tag} count=\"\d+\">([^<]*)</{tag}>", text)]


@pytest.mark.parametrize("relative", list(MANIFESTS))
def test_manifest_facts_and_relative_orbit(shared, relative):
    mission, product_type, absolute, track, start = MANIFESTS[relative]
    product = open_s1(shared.path(relative))
    assert (product.mission, product.product_type, product.mode) == (mission, product_type, "IW")
    assert product.polarisations == ("VV", "VH")
    assert product.pass_direction == "DESCENDING"
    assert (product.absolute_orbit, product.relative_orbit) == (absolute, track)
    assert product.relative_orbit_from_absolute == relative_orbit(mission, absolute) == track
    assert product.start_time.isoformat() == f"{start}+00:00"
    assert product.stop_time > product.start_time


def test_relative_orbit_formula():
    assert relative_orbit("S1A", 73) == 1 and relative_orbit("S1A", 73 + 175) == 1 and relative_orbit("S1A", 72) == 175
    assert relative_orbit("S1B", 26269) == 168
    assert relative_orbit("XYZ", 100) is None


def test_calibration_vectors_against_xml_text(shared):
    safe = shared.path(SARSEN_GRD)
    text = _file(safe, "annotation/calibration/calibration-*.xml").read_text()
    sigma = _vectors(text, "sigmaNought")
    lines = [int(v) for v in re.findall(r"<calibrationVector>\s*<azimuthTime>[^<]*</azimuthTime>\s*<line>(-?\d+)</line>", text)]
    calibration = open_s1(safe).calibration("IW", "VV")
    assert len(calibration) == len(sigma) == 27
    assert calibration.line.tolist() == lines
    for k in (0, 26):
        assert calibration.values["sigmaNought"][k][0] == sigma[k][0]
        assert calibration.values["sigmaNought"][k][-1] == sigma[k][-1]
    assert calibration.values["sigmaNought"][0][0] == 663.8558  # first value printed in the file
    assert calibration.absolute_calibration_constant == 1.393


def test_calibration_lut_exact_at_nodes_and_interpolated_between(shared):
    product = open_s1(shared.path(XS_SLC))
    vectors = product.calibration("IW1", "VV")
    inside = [k for k, line in enumerate(vectors.line) if 0 <= line < product.annotation("IW1", "VV").lines]
    k = inside[1]
    line0, line1 = int(vectors.line[k]), int(vectors.line[k + 1])
    pixels = vectors.pixel[k][10:13]  # 400, 440, 480
    lut = calibration_lut(product, "IW1", "VV", "sigmaNought", Window(int(pixels[0]), line0, int(pixels[-1] - pixels[0]) + 1, line1 - line0 + 1))
    for kk, row in ((k, 0), (k + 1, line1 - line0)):  # every node reproduced exactly (as float32)
        for j, pixel in enumerate(pixels):
            assert lut[row, pixel - pixels[0]] == np.float32(vectors.values["sigmaNought"][kk][10 + j])
    # between the nodes: linear in pixel along each vector, then linear in line
    row, col = (line1 - line0) // 3, 17  # pixel 417, a third of the way to the next vector
    a0, a1 = (vectors.values["sigmaNought"][kk][10:12] for kk in (k, k + 1))
    along0, along1 = a0[0] + (a0[1] - a0[0]) * col / 40, a1[0] + (a1[1] - a1[0]) * col / 40
    expected = along0 + (along1 - along0) * row / (line1 - line0)
    assert lut[row, col] == pytest.approx(expected, rel=1e-6)


def test_calibration_matches_xarray_sentinel_and_spec_oracle(shared):
    safe = shared.path(XS_SLC)
    product = open_s1(safe)
    window = Window(100, 900, 600, 300)
    sigma0 = calibrate(product, "IW1", "VV", window=window, remove_noise=False)
    dataset = xarray_sentinel.open_sentinel1_dataset(safe, group="IW1/VV")
    lut = xarray_sentinel.open_sentinel1_dataset(safe, group="IW1/VV/calibration").sigmaNought
    dn = dataset.measurement.isel(line=slice(900, 1200), pixel=slice(100, 700))
    reference = xarray_sentinel.calibrate_intensity(dn, lut).values
    np.testing.assert_allclose(sigma0, reference, rtol=1e-6)
    # spec oracle: DN = 2 everywhere, A_sigma within [306.24, 332.62] in this file
    assert 4 / 332.62**2 <= sigma0.min() and sigma0.max() <= 4 / 306.24**2
    for swath, pol in (("IW1", "VH"), ("IW2", "VH")):  # DN = 1 and DN = 0+1j: |DN|² = 1
        small = Window(0, 0, 50, 50)
        expected = 1.0 / calibration_lut(product, swath, pol, "sigmaNought", small).astype(np.float64) ** 2
        np.testing.assert_allclose(calibrate(product, swath, pol, window=small, remove_noise=False), expected, rtol=1e-6)


def test_noise_lut_is_range_times_azimuth_at_every_node(shared):
    product = open_s1(shared.path(SARSEN_GRD))
    noise = product.noise("IW", "VV")
    assert (len(noise.range), len(noise.azimuth), noise.legacy) == (27, 3, False)
    text = _file(shared.path(SARSEN_GRD), "annotation/calibration/noise-*.xml").read_text()
    assert [v[0] for v in _vectors(text, "noiseRangeLut")] == [v[0] for v in noise.range.values]
    blocks = noise.azimuth
    assert [(b.swath, b.first_sample, b.last_sample) for b in blocks][:2] == [("IW1", 0, 8889), ("IW2", 8890, 17700)]
    for k, line in enumerate(noise.range.line):
        cols = noise.range.pixel[k]
        block_of = np.searchsorted([b.first_sample for b in blocks], cols, side="right") - 1
        azimuth = np.array([np.interp(line, blocks[b].line, blocks[b].values) for b in block_of])
        expected = noise.range.values[k] * azimuth
        assert np.array_equal(noise.lut(np.array([line]), cols)[0], expected)
    # the azimuth factor switches block between samples 8889 and 8890
    line = 5000
    factors = noise.azimuth_lut(np.array([line]), np.array([8889, 8890]))[0]
    assert factors[0] == np.interp(line, blocks[0].line, blocks[0].values)
    assert factors[1] == np.interp(line, blocks[1].line, blocks[1].values)
    assert factors[0] != factors[1]


def test_zero_measurement_is_nodata(shared):
    product = open_s1(shared.path(SARSEN_GRD))
    assert np.isnan(calibrate(product, "IW", "VV", window=Window(8800, 4000, 200, 100))).all()


def test_noise_matches_xarray_sentinel(shared):
    safe = shared.path(XS_SLC)
    product = open_s1(safe)
    rows, cols = np.arange(1600, 1700, 7), np.arange(3000, 4000, 13)
    ours = product.noise("IW1", "VV").range_lut(rows, cols)
    ranges = xarray_sentinel.open_sentinel1_dataset(safe, group="IW1/VV/noise_range").noiseRangeLut
    np.testing.assert_allclose(ours, ranges.interp(line=rows, pixel=cols).values, rtol=1e-6)
    azimuth = xarray_sentinel.open_sentinel1_dataset(safe, group="IW1/VV/noise_azimuth")
    block = product.noise("IW1", "VV").azimuth[0]
    np.testing.assert_array_equal(block.line, azimuth.line.values)
    np.testing.assert_allclose(block.values, azimuth.noiseAzimuthLut.values, rtol=1e-7)
    full = noise_lut(product, "IW1", "VV", Window(3000, 1600, 1000, 100))
    assert full.dtype == np.float32 and full.shape == (100, 1000)


@pytest.mark.parametrize("relative", [SARSEN_GRD, XS_SLC])
def test_geolocation_grid_matches_xarray_sentinel(shared, relative):
    safe = shared.path(relative)
    product = open_s1(safe)
    swath, pol = product.swath_polarisations()[0]
    grid = product.annotation(swath, pol).geolocation
    gcp = xarray_sentinel.open_sentinel1_dataset(safe, group=f"{swath}/{pol}/gcp")
    for ours, theirs in (("latitude", "latitude"), ("longitude", "longitude"), ("height", "height"), ("incidence_angle", "incidenceAngle")):
        np.testing.assert_array_equal(grid.as_grid(ours), gcp[theirs].values)
    np.testing.assert_array_equal(grid.lines, gcp.line.values)
    # interpolation at the grid points (at their line's time) returns them
    line_times = grid.line_times[np.searchsorted(grid.lines, grid.line)]
    np.testing.assert_allclose(grid.interpolate("latitude", line_times, grid.pixel), grid.latitude, atol=1e-9)


def test_footprints_from_annotation_and_manifest_agree(shared):
    """GRD: the geolocation-grid corners and the manifest footprint agree within 0.02° (~2 km); SLC subset: mostly inside."""
    for relative in (SARSEN_GRD, XS_GRD, PYROSAR_ZIP):
        product = open_s1(shared.path(relative))
        annotation, manifest = product.annotation_footprint(), product.footprint
        assert annotation.intersection(manifest).area / annotation.union(manifest).area > 0.99
        assert annotation.hausdorff_distance(manifest) < 0.02
    # this SLC copy holds IW1 and IW2 only, over the Alps: its grid points sit at ~1500 m, up to 3 km (h·cot θ)
    # towards the sensor from the manifest footprint
    slc = open_s1(shared.path(XS_SLC))
    annotation = slc.annotation_footprint()
    assert annotation.intersection(slc.footprint).area / annotation.area > 0.98


def test_orbit_state_vectors(shared):
    grd, slc = open_s1(shared.path(SARSEN_GRD)), open_s1(shared.path(XS_SLC))
    orbit = grd.annotation("IW", "VV").orbit
    assert len(orbit) == 16 and orbit.frame == "Earth Fixed"
    assert len(slc.annotation("IW1", "VV").orbit) == 17
    assert np.all(np.diff(orbit.times) == np.timedelta64(10, "s"))
    position, velocity = orbit.interpolate(orbit.times[3:5])
    np.testing.assert_allclose(position, orbit.positions[3:5], atol=1e-6)
    np.testing.assert_allclose(velocity, orbit.velocities[3:5], atol=1e-9)
    # between the vectors the Hermite velocity is the derivative of the Hermite position
    middle = orbit.times[5] + np.array([4999, 5000, 5001], dtype="timedelta64[ms]")
    position, velocity = orbit.interpolate(middle)
    np.testing.assert_allclose((position[2] - position[0]) / 2e-3, velocity[1], atol=1e-3)
    assert 7.0e6 < np.linalg.norm(position[1]) < 7.2e6


def test_slc_bursts(shared):
    safe = shared.path(XS_SLC)
    annotation = open_s1(safe).annotation("IW1", "VV")
    bursts = annotation.bursts
    assert (len(bursts), annotation.lines_per_burst, annotation.lines) == (9, 1501, 9 * 1501)
    assert bursts[0].azimuth_time == annotation.first_line_time == np.datetime64("2021-04-01T05:26:24.209990")
    cycle = np.diff([b.azimuth_time for b in bursts]) / np.timedelta64(1, "s")
    assert np.all((cycle > 2.75) & (cycle < 2.765))
    assert bursts[0].byte_offset == 108387 and all(np.diff([b.byte_offset for b in bursts]) > 0)
    assert all(len(b.first_valid_sample) == 1501 for b in bursts) and bursts[0].first_valid_sample[0] == -1
    assert bursts[0].azimuth_anx_time == pytest.approx(2188.5721669983)
    assert annotation.wavelength == pytest.approx(0.05547, abs=1e-5)
    assert annotation.sample_slant_range(0) == pytest.approx(annotation.slant_range_time * 299792458.0 / 2)
    assert annotation.sample_slant_range(1) - annotation.sample_slant_range(0) == pytest.approx(annotation.range_pixel_spacing, abs=1e-6)
    dataset = xarray_sentinel.open_sentinel1_dataset(safe, group="IW1/VV")
    assert dataset.attrs["number_of_bursts"] == 9
    lines = np.array([0, 1500, 1501, 7000, 13508])
    difference = (annotation.line_azimuth_time(lines) - dataset.azimuth_time.values[lines]) / np.timedelta64(1, "ns")
    assert np.abs(difference).max() < 1000  # xarray-sentinel rounds the line interval to whole nanoseconds


def test_grd_coordinate_conversion(shared):
    safe = shared.path(SARSEN_GRD)
    conversion = open_s1(safe).annotation("IW", "VV").coordinate_conversion
    assert len(conversion) == 28 and conversion.srgr.shape == (28, 9)
    time = conversion.azimuth_time[5] + np.timedelta64(400, "ms")
    slant = conversion.sr0[5] + np.linspace(0.0, 1.5e5, 6)
    ground = conversion.ground_range(time, slant)
    np.testing.assert_allclose(conversion.slant_range(time, ground), slant, atol=0.5)  # the two fitted polynomials agree
    dataset = xarray_sentinel.open_sentinel1_dataset(safe, group="IW/VV/coordinate_conversion")
    reference = xarray_sentinel.slant_range_time_to_ground_range(
        xarray_sentinel.sentinel1.xr.DataArray(time), xarray_sentinel.sentinel1.xr.DataArray(2 * slant / 299792458.0), dataset
    )
    np.testing.assert_allclose(ground, reference.values, rtol=1e-9, atol=1e-6)


def test_metadata_only_zip(shared):
    product = open_s1(shared.path(PYROSAR_ZIP))
    assert product.name == Path(PYROSAR_ZIP).stem + ".SAFE"
    assert product.swath_polarisations() == [("IW", "VH"), ("IW", "VV")]
    assert len(product.calibration("IW", "VV")) == 27 and len(product.noise("IW", "VH").azimuth) == 3
    assert product.annotation("IW", "VV").lines == 16854
    with pytest.raises(InputError) as error:
        product.measurement_path("IW", "VV")
    assert error.value.code == "E_BAD_SAFE"
    with pytest.raises(InputError) as error:
        product.annotation("IW", "HH")
    assert error.value.code == "E_MISSING_BAND"


def _zip_with(path: Path, manifest: bytes, extra: str) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("X.SAFE/manifest.safe", manifest)
        archive.writestr(extra, b"payload")
    return path


@pytest.mark.parametrize("member", ["../evil.txt", "X.SAFE/../../evil.txt", "/etc/evil.txt", "C:/evil.txt"])
def test_zip_member_outside_archive_refused(shared, tmp_path, member):
    manifest = (shared.path(SARSEN_GRD) / "manifest.safe").read_bytes()
    with pytest.raises(InputError) as error:
        open_s1(_zip_with(tmp_path / "x.zip", manifest, member))
    assert error.value.code == "E_BAD_SAFE"
    assert not (tmp_path.parent / "evil.txt").exists()


def test_zip_is_read_in_place(shared, tmp_path):
    safe = shared.path(SARSEN_GRD)
    archive = tmp_path / "product.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for file in sorted(safe.rglob("*")):
            if file.is_file():
                zf.write(file, f"{safe.name}/{file.relative_to(safe).as_posix()}")
    product = open_s1(archive)
    assert product.measurement_path("IW", "VV").startswith("/vsizip/")
    assert len(product.calibration("IW", "VV")) == 27
    assert product.read_measurement("IW", "VV", Window(0, 0, 5, 5)).shape == (5, 5)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["product.zip"]  # nothing extracted


def test_external_entity_is_not_resolved(shared, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SENTINEL-1")
    document = f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "{secret.as_uri()}">]><r>&e;</r>'.encode()
    assert "SENTINEL-1" not in (parse_xml(document).text or "")
    # a manifest whose family name comes from an external entity is not a Sentinel-1 manifest
    manifest = (shared.path(SARSEN_GRD) / "manifest.safe").read_text()
    declaration, body = manifest.split("?>", 1)
    body = body.replace("<safe:familyName>SENTINEL-1</safe:familyName>", "<safe:familyName>&e;</safe:familyName>")
    crafted = tmp_path / "crafted.SAFE"
    crafted.mkdir()
    (crafted / "manifest.safe").write_text(f'{declaration}?><!DOCTYPE x [<!ENTITY e SYSTEM "{secret.as_uri()}">]>{body}')
    with pytest.raises(InputError) as error:
        open_s1(crafted)
    assert error.value.code == "E_BAD_SAFE"


def test_not_a_sentinel1_product(shared, tmp_path):
    empty = tmp_path / "empty.SAFE"
    empty.mkdir()
    sentinel2 = tmp_path / "S2A_MSIL2A.SAFE"
    sentinel2.mkdir()
    manifest = (shared.path(SARSEN_GRD) / "manifest.safe").read_text()
    (sentinel2 / "manifest.safe").write_text(manifest.replace(">SENTINEL-1<", ">SENTINEL-2<"))
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    broken = tmp_path / "broken.SAFE"
    broken.mkdir()
    (broken / "manifest.safe").write_text("<xfdu:XFDU")
    for path, code in (
        (empty, "E_BAD_SAFE"),
        (sentinel2, "E_BAD_SAFE"),
        (text, "E_BAD_SAFE"),
        (broken, "E_INPUT_NOT_FOUND"),
        (tmp_path / "missing", "E_INPUT_NOT_FOUND"),
    ):
        with pytest.raises(InputError) as error:
            open_s1(path)
        assert error.value.code == code, path


def test_manifest_href_outside_product_refused(shared, tmp_path):
    safe = tmp_path / "copy.SAFE"
    shutil.copytree(shared.path(SARSEN_GRD), safe)
    manifest = (safe / "manifest.safe").read_text()
    (safe / "manifest.safe").write_text(manifest.replace('href="./annotation/', 'href="../annotation/', 1))
    with pytest.raises(InputError) as error:
        open_s1(safe)
    assert error.value.code == "E_BAD_SAFE"


def test_legacy_noise_vectors(shared):
    """Products before IPF 2.90: one range ``noiseVector`` list and no azimuth blocks."""
    text = _file(shared.path(SARSEN_GRD), "annotation/calibration/noise-*.xml").read_text()
    text = re.sub(r"<noiseAzimuthVectorList.*</noiseAzimuthVectorList>", "", text, flags=re.S)
    text = text.replace("noiseRangeVector", "noiseVector").replace("noiseRangeLut", "noiseLut")
    legacy = parse_noise(XmlNode.parse(text.encode(), "legacy-noise.xml"))
    current = open_s1(shared.path(SARSEN_GRD)).noise("IW", "VV")
    assert legacy.legacy and legacy.azimuth == ()
    rows, cols = np.array([0, 700, 16704]), np.array([0, 1000, 8889, 8890, 26101])
    np.testing.assert_array_equal(legacy.lut(rows, cols), current.range_lut(rows, cols))
