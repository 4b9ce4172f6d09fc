"""Sentinel-2 L2A reader: round trips through the synthetic SAFE writer, error cases, STAC items, real data."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import shutil
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest
from rasterio.windows import Window
from s4c_common.errors import InputError
from s4c_common.s2.angles import circular_nanmean, fill_nearest, interpolate_nodes
from s4c_common.s2.l2a import L2A_BANDS, open_l2a, relative_azimuth, safe_to_stac_item, scl_to_flags, scl_valid_mask
from s4c_common.s2.metadata import id_fields
from s4c_common.s2.scl import LAND_AND_WATER_CLASSES
from s4c_common.xmlsafe import parse_xml
from s4c_sample.s2_safe import S2Acquisition, safe_names, synthetic_angles, write_l2a_safe, zip_safe

SIZE = 120
ACQ = S2Acquisition(
    tile_id="31UFS", epsg=32631, ulx=600000.0, uly=5700000.0, width=SIZE, height=SIZE,
    sensing_time=dt.datetime(2024, 5, 12, 10, 56, 19, 24000, tzinfo=dt.UTC), spacecraft="S2B", relative_orbit=94,
    sun_zenith=35.0, sun_azimuth=160.0, view_zenith=5.0, view_azimuth=100.0,
)  # fmt: skip


def _reflectance() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(42)
    bands = {band: rng.uniform(-0.05, 0.7, (SIZE, SIZE)).astype(np.float32) for band in L2A_BANDS}
    bands["B04"][:4, :6] = np.nan  # no-data corner of a 10 m band
    bands["B11"][10:12, 10:12] = np.nan  # one whole 20 m pixel
    bands["B11"][20, 20] = np.nan  # a quarter of a 20 m pixel: the block mean ignores it
    return bands


def _scl() -> np.ndarray:
    return (np.arange(SIZE)[None, :] // 10 % 12 * np.ones((SIZE, 1), dtype=np.int64)).astype(np.uint8)


def _blocks(values: np.ndarray, factor: int) -> np.ndarray:
    """Independent oracle: mean of factor × factor blocks ignoring NaN."""
    rows, cols = values.shape
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(values.reshape(rows // factor, factor, cols // factor, factor), axis=(1, 3))


def _replicate(values: np.ndarray, factor: int) -> np.ndarray:
    return np.repeat(np.repeat(values, factor, axis=0), factor, axis=1)


NATIVE = {"B01": 60, "B09": 60, "B05": 20, "B06": 20, "B07": 20, "B8A": 20, "B11": 20, "B12": 20}


@pytest.fixture(scope="module")
def reflectance() -> dict[str, np.ndarray]:
    return _reflectance()


@pytest.fixture(scope="module")
def safe(tmp_path_factory: pytest.TempPathFactory, reflectance: dict[str, np.ndarray]) -> Path:
    return write_l2a_safe(tmp_path_factory.mktemp("safe"), ACQ, reflectance, _scl())


@pytest.fixture(scope="module")
def product(safe: Path):
    return open_l2a(safe)


# ------------------------------------------------------------------------ metadata


def test_product_fields(product) -> None:
    assert product.product_id == "S2B_MSIL2A_20240512T105619_N0510_R094_T31UFS_20240512T140114"
    assert product.tile_id == "31UFS"
    assert product.sensing_time == ACQ.sensing_time and product.sensing_time.tzinfo is not None
    assert product.spacecraft == "Sentinel-2B"
    assert product.processing_baseline == "05.10"
    assert product.relative_orbit == 94
    assert product.crs.to_epsg() == 32631
    assert product.quantification == 10000
    assert product.boa_offset == {band: -1000.0 for band in L2A_BANDS}
    for resolution in (10, 20, 60):
        grid = product.grid(resolution)
        assert grid.shape == (SIZE * 10 // resolution,) * 2
        assert tuple(grid.transform)[:6] == (resolution, 0.0, 600000.0, 0.0, -resolution, 5700000.0)
    assert product.band_path("B8A").endswith("/R20m/T31UFS_20240512T105619_B8A_20m.jp2")
    assert product.band_path("b04").endswith("/R10m/T31UFS_20240512T105619_B04_10m.jp2")
    assert product.band_path("SCL").endswith("_SCL_20m.jp2")


# --------------------------------------------------------------------- reflectance


def test_reflectance_at_native_resolution(product, reflectance) -> None:
    for band in L2A_BANDS:
        factor = NATIVE.get(band, 10) // 10
        expected = _blocks(reflectance[band], factor)
        actual = product.read_reflectance(band)
        assert actual.dtype == np.float32 and actual.shape == expected.shape
        np.testing.assert_array_equal(np.isnan(actual), np.isnan(expected))
        np.testing.assert_allclose(actual, expected, atol=0.5e-4 + 1e-7, equal_nan=True, err_msg=band)
    assert np.isnan(product.read_reflectance("B04")[:4, :6]).all()
    b11 = product.read_reflectance("B11")
    assert np.isnan(b11[5, 5]) and np.isfinite(b11[10, 10])  # whole block NaN → NaN; 3 of 4 valid → mean


def test_negative_reflectance_kept(product, reflectance) -> None:
    values = product.read_reflectance("B02")
    assert values.min() < 0  # the −1000 offset brings DN back below 0 reflectance; not clipped
    np.testing.assert_allclose(values.min(), reflectance["B02"].min(), atol=0.5e-4 + 1e-7)


def test_coarse_band_on_fine_grid_is_pixel_replication(product) -> None:
    b11_20 = product.read_reflectance("B11")
    np.testing.assert_array_equal(product.read_reflectance("B11", resolution=10), _replicate(b11_20, 2))
    b01_60 = product.read_reflectance("B01")
    np.testing.assert_array_equal(product.read_reflectance("B01", resolution=10), _replicate(b01_60, 6))
    np.testing.assert_array_equal(product.read_reflectance("B01", resolution=20), _replicate(b01_60, 3))
    window = Window(3, 5, 7, 9)  # odd offsets, not aligned with the 20 m pixels
    np.testing.assert_array_equal(product.read_reflectance("B11", window=window, resolution=10), _replicate(b11_20, 2)[5:14, 3:10])


def test_bilinear_upsampling(product) -> None:
    native = product.read_reflectance("B12")
    fine = product.read_reflectance("B12", resolution=10, upsampling="bilinear")
    # 10 m pixel 3 has its centre at 20 m coordinate 1.25, pixel 4 at 1.75 (0 = centre of 20 m pixel 0)
    np.testing.assert_allclose(fine[3, 3], 0.75 * (0.75 * native[1, 1] + 0.25 * native[1, 2]) + 0.25 * (0.75 * native[2, 1] + 0.25 * native[2, 2]), rtol=1e-6)
    np.testing.assert_allclose(fine[4, 4], 0.25 * (0.25 * native[1, 1] + 0.75 * native[1, 2]) + 0.75 * (0.25 * native[2, 1] + 0.75 * native[2, 2]), rtol=1e-6)
    np.testing.assert_allclose(fine[0, 0], native[0, 0], rtol=1e-6)  # clamped at the edge
    window = Window(7, 11, 13, 5)
    np.testing.assert_allclose(product.read_reflectance("B12", window=window, resolution=10, upsampling="bilinear"), fine[11:16, 7:20], rtol=1e-6)


def test_fine_band_on_coarse_grid_is_block_average(product) -> None:
    b04 = product.read_reflectance("B04")
    np.testing.assert_allclose(product.read_reflectance("B04", resolution=20), _blocks(b04, 2), rtol=1e-6, equal_nan=True)
    np.testing.assert_allclose(product.read_reflectance("B04", resolution=60), _blocks(b04, 6), rtol=1e-6, equal_nan=True)
    assert np.isnan(product.read_reflectance("B04", resolution=20)[0, 0])  # 2 × 2 block fully no-data
    assert np.isfinite(product.read_reflectance("B04", resolution=20)[0, 3])  # the block straddling col 6 is not
    np.testing.assert_allclose(
        product.read_reflectance("B08", window=Window(2, 1, 4, 3), resolution=20),
        _blocks(product.read_reflectance("B08"), 2)[1:4, 2:6], rtol=1e-6,
    )  # fmt: skip


def test_window_outside_grid_refused(product) -> None:
    with pytest.raises(ValueError, match="outside"):
        product.read_reflectance("B04", window=Window(100, 0, 30, 10))


# ----------------------------------------------------------------------------- SCL


def test_scl_resolutions(product) -> None:
    scl = _scl()
    np.testing.assert_array_equal(product.read_scl(), scl[::2, ::2])
    np.testing.assert_array_equal(product.read_scl(resolution=10), _replicate(scl[::2, ::2], 2))
    np.testing.assert_array_equal(product.read_scl(resolution=60), scl[::2, ::2][1::3, 1::3])  # 20 m pixel under the centre
    assert product.read_scl().dtype == np.uint8


def test_scl_to_flags_table() -> None:
    scl = np.arange(14, dtype=np.uint8)
    np.testing.assert_array_equal(scl_to_flags(scl), [255, 5, 4, 2, 0, 0, 1, 4, 4, 4, 4, 3, 255, 255])
    np.testing.assert_array_equal(scl_to_flags(scl, shadow_flag=4)[3], 4)
    np.testing.assert_array_equal(np.flatnonzero(scl_valid_mask(scl)), [4, 5])
    np.testing.assert_array_equal(np.flatnonzero(scl_valid_mask(scl, LAND_AND_WATER_CLASSES)), [4, 5, 6])
    with pytest.raises(ValueError):
        scl_to_flags(scl.astype(np.int16))


def test_flags_of_product_scl(product) -> None:
    flags = scl_to_flags(product.read_scl(resolution=10))
    scl = _replicate(_scl()[::2, ::2], 2)
    assert (flags[scl == 6] == 1).all() and (flags[scl == 0] == 255).all() and (flags[scl == 11] == 3).all()


# -------------------------------------------------------------------------- angles


def test_angle_grids_equal_written(product) -> None:
    written = synthetic_angles(ACQ)
    grids = product.angles()
    np.testing.assert_allclose(grids.sun_zenith, written.sun_zenith, atol=1e-9)
    np.testing.assert_allclose(grids.sun_azimuth, written.sun_azimuth, atol=1e-9)
    assert set(grids.detector_view_zenith) == set(written.view_zenith)
    for key, zenith in written.view_zenith.items():
        np.testing.assert_allclose(grids.detector_view_zenith[key], zenith, atol=1e-9, equal_nan=True)
        np.testing.assert_allclose(grids.detector_view_azimuth[key], written.view_azimuth[key], atol=1e-9, equal_nan=True)
    assert grids.sun_zenith.shape == (23, 23) and grids.step == (5000.0, 5000.0)
    assert grids.origin == (600000.0, 5700000.0)
    assert grids.mean_sun == (35.0, 160.0)


def test_view_angles_combine_detectors_by_nanmean(product) -> None:
    written = synthetic_angles(ACQ)
    grids = product.angles()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for band in ("B02", "B8A", "B12"):
            zenith = np.stack([v for (b, _), v in written.view_zenith.items() if b == band])
            azimuth = np.stack([v for (b, _), v in written.view_azimuth.items() if b == band])
            assert np.isnan(zenith).any() and (np.isfinite(zenith).sum(axis=0) == 2).any()  # gaps and overlaps
            np.testing.assert_allclose(grids.band_view_zenith[band], np.nanmean(zenith, axis=0), atol=1e-9)
            np.testing.assert_allclose(grids.band_view_azimuth[band], np.nanmean(azimuth, axis=0), atol=1e-6)
        everything = np.stack(list(written.view_zenith.values()))
        np.testing.assert_allclose(grids.view_zenith, np.nanmean(everything, axis=0), atol=1e-9)


def test_circular_mean_of_azimuths() -> None:
    np.testing.assert_allclose(circular_nanmean(np.array([350.0, 10.0])), 0.0, atol=1e-9)
    np.testing.assert_allclose(circular_nanmean(np.array([[90.0, 350.0], [np.nan, 20.0]])), [90.0, 5.0], atol=1e-9)
    assert np.isnan(circular_nanmean(np.array([np.nan, np.nan])))


def test_interpolation_at_nodes_returns_node_values(product) -> None:
    grid = product.angles().sun_zenith
    rows, cols = np.array([0.0, 1.0, 7.0, 22.0]), np.array([0.0, 3.0, 22.0])
    np.testing.assert_allclose(interpolate_nodes(grid, rows, cols), grid[np.ix_([0, 1, 7, 22], [0, 3, 22])], atol=1e-4)
    np.testing.assert_allclose(interpolate_nodes(grid, np.array([0.5]), np.array([0.0])), [[(grid[0, 0] + grid[1, 0]) / 2]], atol=1e-4)
    # across north the interpolation goes the short way round
    np.testing.assert_allclose(interpolate_nodes(np.array([[350.0, 10.0], [350.0, 10.0]]), np.array([0.0]), np.array([0.5]), azimuth=True), [[0.0]], atol=1e-4)
    np.testing.assert_allclose(
        interpolate_nodes(np.array([[350.0, 10.0], [350.0, 10.0]]), np.array([0.0]), np.array([0.25]), azimuth=True), [[355.0]], atol=1e-4
    )


def test_nan_nodes_filled_by_nearest_valid_node() -> None:
    grid = np.array([[np.nan, 1.0, np.nan, np.nan, 2.0], [np.nan] * 5])
    np.testing.assert_array_equal(fill_nearest(grid), [[1.0, 1.0, 1.0, 2.0, 2.0]] * 2)
    with pytest.raises(InputError):
        fill_nearest(np.full((2, 2), np.nan))


def test_angles_on_grid_bilinear_between_nodes(product) -> None:
    grids = product.angles()
    on_grid = product.angles_on_grid(10, bands=["B04"])
    assert set(on_grid) == {"sun_zenith", "sun_azimuth", "view_zenith", "view_azimuth", "view_zenith_B04", "view_azimuth_B04"}
    for row, col in ((0, 0), (37, 101), (119, 119)):
        v, u = (row + 0.5) * 10 / 5000, (col + 0.5) * 10 / 5000  # node coordinates of the pixel centre
        for name, nodes in (("sun_zenith", grids.sun_zenith), ("view_zenith_B04", fill_nearest(grids.band_view_zenith["B04"]))):
            expected = (1 - v) * ((1 - u) * nodes[0, 0] + u * nodes[0, 1]) + v * ((1 - u) * nodes[1, 0] + u * nodes[1, 1])
            np.testing.assert_allclose(on_grid[name][row, col], expected, atol=1e-4, err_msg=name)
    window = Window(10, 20, 15, 5)
    np.testing.assert_allclose(product.angles_on_grid(10, window)["view_azimuth"], on_grid["view_azimuth"][20:25, 10:25], atol=1e-4)
    assert product.angles_on_grid(60)["sun_zenith"].shape == (20, 20)


def test_tile_metadata_without_angle_grids(safe: Path, tmp_path: Path) -> None:
    stripped = Path(shutil.copytree(safe, tmp_path / safe.name))
    (mtd_tl,) = stripped.glob("GRANULE/*/MTD_TL.xml")
    text = mtd_tl.read_text()
    mtd_tl.write_text(text[: text.index("<Tile_Angles")] + text[text.index("</Tile_Angles>") + len("</Tile_Angles>") :])
    product = open_l2a(stripped)
    assert product.grid(10).width == SIZE  # geocoding still read
    with pytest.raises(InputError) as error:
        product.angles_on_grid(10)
    assert error.value.code == "E_SCHEMA" and "MTD_TL.xml" in error.value.message


def test_relative_azimuth() -> None:
    np.testing.assert_allclose(relative_azimuth(10.0, 350.0), 20.0)
    np.testing.assert_allclose(relative_azimuth(np.array([100.0, 160.0]), np.array([280.0, 100.0])), [180.0, 60.0])


# -------------------------------------------------------------------- zip & errors


def test_zip_reads_like_the_folder(safe: Path, product) -> None:
    zipped = open_l2a(zip_safe(safe))
    assert zipped.product_id == product.product_id
    assert zipped.band_path("B04").startswith("/vsizip/")
    np.testing.assert_array_equal(zipped.read_reflectance("B04"), product.read_reflectance("B04"))
    np.testing.assert_array_equal(zipped.read_scl(), product.read_scl())
    np.testing.assert_array_equal(zipped.angles().view_zenith, product.angles().view_zenith)


@pytest.mark.parametrize("member", ["../evil.txt", "/etc/evil.txt", "S2B.SAFE/../../evil.txt"])
def test_zip_slip_member_refused(safe: Path, tmp_path: Path, member: str) -> None:
    archive = tmp_path / f"{safe.stem}.zip"
    shutil.copy(zip_safe(safe), archive)
    with zipfile.ZipFile(archive, "a") as zf:
        zf.writestr(zipfile.ZipInfo(member), b"x")
    with pytest.raises(InputError) as error:
        open_l2a(archive)
    assert error.value.code == "E_INPUT_NOT_FOUND" and member in error.value.message


def test_missing_band(tmp_path: Path, reflectance) -> None:
    partial = {band: array for band, array in reflectance.items() if band != "B11"}
    incomplete = open_l2a(write_l2a_safe(tmp_path, ACQ, partial, _scl()))
    for read in (lambda: incomplete.band_path("B11"), lambda: incomplete.read_reflectance("B11", resolution=10)):
        with pytest.raises(InputError) as error:
            read()
        assert error.value.code == "E_MISSING_BAND" and error.value.exit_code == 3
        assert "B11" in error.value.message and incomplete.product_id in error.value.message
    assert incomplete.read_reflectance("B12").shape == (60, 60)


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_corrupt_jp2(safe: Path, tmp_path: Path, damage: str) -> None:
    broken = Path(shutil.copytree(safe, tmp_path / safe.name))
    jp2 = Path(open_l2a(broken).band_path("B04"))
    jp2.write_bytes(b"not a jpeg 2000 file" * 10 if damage == "garbage" else jp2.read_bytes()[:300])
    with pytest.raises(InputError) as error:
        open_l2a(broken).read_reflectance("B04")
    assert error.value.code == "E_INPUT_NOT_FOUND" and jp2.name in error.value.message


def test_not_an_l2a_product(tmp_path: Path, safe: Path) -> None:
    empty = tmp_path / "empty.SAFE"
    empty.mkdir()
    l1c = tmp_path / "S2B_MSIL1C_20240512T105619_N0510_R094_T31UFS_20240512T123456.SAFE"
    l1c.mkdir()
    (l1c / "MTD_MSIL1C.xml").write_text("<x/>")
    relabelled = Path(shutil.copytree(safe, tmp_path / "relabelled.SAFE"))
    mtd = relabelled / "MTD_MSIL2A.xml"
    mtd.write_text(mtd.read_text().replace("<PROCESSING_LEVEL>Level-2A<", "<PROCESSING_LEVEL>Level-1C<"))
    for path in (empty, l1c, relabelled):
        with pytest.raises(InputError) as error:
            open_l2a(path)
        assert error.value.code == "E_UNSUPPORTED_PRODUCT", path
    with pytest.raises(InputError) as error:
        open_l2a(tmp_path / "absent.SAFE")
    assert error.value.code == "E_INPUT_NOT_FOUND"


def test_xml_external_entity_not_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    for target in (secret.as_uri(), "file:///etc/passwd"):
        document = f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "{target}">]><x><y>&e;</y></x>'
        path = tmp_path / "evil.xml"
        path.write_text(document)
        for source in (path, document.encode()):
            text = "".join(parse_xml(source).itertext())
            assert "TOP-SECRET" not in text and "root:" not in text
    with pytest.raises(InputError) as error:
        parse_xml(b"<x><unclosed></x>")
    assert error.value.code == "E_INPUT_NOT_FOUND"


def test_baseline_03_product_gives_same_reflectance(tmp_path: Path, reflectance) -> None:
    positive = {band: np.maximum(np.abs(values), 1e-3) for band, values in reflectance.items()}  # DN ≥ 1 without offset
    old = open_l2a(write_l2a_safe(tmp_path / "old", dataclasses.replace(ACQ, baseline="03.01"), positive, _scl()))
    new = open_l2a(write_l2a_safe(tmp_path / "new", ACQ, positive, _scl()))
    assert old.processing_baseline == "03.01" and old.boa_offset["B04"] == 0 and new.boa_offset["B04"] == -1000
    for band in ("B04", "B11", "B01"):
        np.testing.assert_allclose(old.read_reflectance(band), new.read_reflectance(band), atol=1e-6, equal_nan=True)


# ---------------------------------------------------------------------------- STAC


@pytest.fixture(scope="module")
def item(safe: Path):
    return safe_to_stac_item(safe)


def test_stactools_item_of_generated_safe(item, product) -> None:
    assert item.id == "S2B_T31UFS_20240512T105619_L2A"
    assert {"red", "nir", "swir16", "scl", "granule_metadata", "product_metadata"} <= set(item.assets)
    assert item.properties["s2:processing_baseline"] == "05.10"
    assert item.properties["sat:relative_orbit"] == 94
    assert item.properties["platform"] == "sentinel-2b"
    assert item.assets["red"].extra_fields["raster:bands"][0]["offset"] == -0.1
    from_item = open_l2a(item)
    assert from_item.product_id == product.product_id and from_item.boa_offset == product.boa_offset
    for band in ("B04", "B11", "B01"):
        np.testing.assert_array_equal(from_item.read_reflectance(band), product.read_reflectance(band))
    np.testing.assert_array_equal(from_item.read_scl(), product.read_scl())
    np.testing.assert_array_equal(from_item.angles().sun_zenith, product.angles().sun_zenith)


def test_stac_item_of_zip(safe: Path, product) -> None:
    item = safe_to_stac_item(zip_safe(safe))
    assert item.assets["red"].href.startswith("/vsizip/")
    np.testing.assert_array_equal(open_l2a(item).read_reflectance("B8A"), product.read_reflectance("B8A"))


def test_stac_item_with_band_name_keys_and_eo_bands(item, product) -> None:
    renamed = copy.deepcopy(item)
    for old, new in (
        ("red", "B04"),
        ("scl", "SCL"),
        ("granule_metadata", "granule-metadata"),
        ("product_metadata", "product-metadata"),
        ("swir16", "anything"),
    ):
        renamed.assets[new] = renamed.assets.pop(old)
    from_item = open_l2a(renamed)
    np.testing.assert_array_equal(from_item.read_reflectance("B04"), product.read_reflectance("B04"))
    np.testing.assert_array_equal(from_item.read_reflectance("B11"), product.read_reflectance("B11"))  # found by eo:bands
    np.testing.assert_array_equal(from_item.read_scl(), product.read_scl())
    assert from_item.angles().mean_sun == (35.0, 160.0)


def test_stac_item_without_metadata_assets(item, product) -> None:
    bare = copy.deepcopy(item)
    for key in ("product_metadata", "granule_metadata"):
        del bare.assets[key]
    from_item = open_l2a(bare)
    assert (from_item.tile_id, from_item.processing_baseline, from_item.relative_orbit) == ("31UFS", "05.10", 94)
    assert from_item.spacecraft == "Sentinel-2B" and from_item.quantification == 10000
    assert from_item.boa_offset == product.boa_offset
    assert from_item.grid(20) == product.grid(20)
    np.testing.assert_array_equal(from_item.read_reflectance("B11", resolution=10), product.read_reflectance("B11", resolution=10))
    with pytest.raises(InputError) as error:
        from_item.angles()
    assert error.value.code == "E_MISSING_BAND"


# ----------------------------------------------------------------------- real data


def _qvidja_product(tmp_path: Path, shared) -> tuple:
    """A small product on the real 34VEM grid holding the real Qvidja reflectances of 2023-06-09."""
    xr = pytest.importorskip("xarray")
    folder = shared.path("data/satellitetools-qvidja/tests/test_data")
    at10 = xr.open_dataset(folder / "test_aws_10m.nc").isel(time=0)
    at20 = xr.open_dataset(folder / "test_aws_20m.nc").isel(time=0)
    fields = id_fields(str(at10.productid.values))
    sensing = dt.datetime.strptime(fields["sensing"], "%Y%m%dT%H%M%S").replace(tzinfo=dt.UTC)
    # Tile 34VEM starts at (499980, 6700020); keep the crop aligned with its 60 m pixels.
    ulx, uly = 576780.0, 6685140.0
    acq = S2Acquisition(
        tile_id=fields["tile_id"], epsg=32634, ulx=ulx, uly=uly, width=24, height=30, sensing_time=sensing,
        spacecraft=fields["spacecraft"], relative_orbit=int(fields["relative_orbit"]),
        sun_zenith=float(at10.sun_zenith), sun_azimuth=float(at10.sun_azimuth),
        view_zenith=float(at10.view_zenith), view_azimuth=float(at10.view_azimuth), baseline=fields["baseline"],
    )  # fmt: skip
    row10 = round((uly - (float(at10.y[0]) + 5)) / 10)
    row20 = round((uly - (float(at20.y[0]) + 10)) / 20)
    assert round((float(at10.x[0]) - 5 - ulx) / 10) == 0 and round((float(at20.x[0]) - 10 - ulx) / 20) == 0

    def band(name: str) -> np.ndarray:
        grid = np.full((30, 24), np.nan, dtype=np.float32)
        source = {"B02": "B2", "B03": "B3", "B04": "B4", "B08": "B8"}.get(name)
        if source is not None:
            values = at10.band_data.sel(band=source).values
            grid[row10 : row10 + values.shape[0], : values.shape[1]] = values
        elif name in ("B05", "B06", "B07", "B8A", "B11", "B12"):
            values = _replicate(at20.band_data.sel(band=name.replace("B0", "B")).values, 2)
            grid[2 * row20 : 2 * row20 + values.shape[0], : values.shape[1]] = values
        return grid

    safe = write_l2a_safe(tmp_path, acq, band, np.full((30, 24), 4, dtype=np.uint8))
    return open_l2a(safe), acq, at10, at20, row10, row20


def test_real_qvidja_reflectances_and_geometry(tmp_path: Path, shared) -> None:
    product, acq, at10, at20, row10, row20 = _qvidja_product(tmp_path, shared)
    real_id = str(at10.productid.values)
    assert product.product_id.rsplit("_", 1)[0] == real_id.rsplit("_", 1)[0] == safe_names(acq).product.rsplit("_", 1)[0]
    assert (product.tile_id, product.relative_orbit, product.processing_baseline) == ("34VEM", 122, "05.09")
    assert product.spacecraft == "Sentinel-2A"
    assert np.datetime64(product.sensing_time.replace(tzinfo=None)) == at10.time.values.astype("datetime64[s]")
    real_b4 = at10.band_data.sel(band="B4").values
    read_b4 = product.read_reflectance("B04", window=Window(0, row10, real_b4.shape[1], real_b4.shape[0]))
    np.testing.assert_allclose(read_b4, real_b4, atol=0.5e-4 + 1e-7, equal_nan=True)
    real_b5 = at20.band_data.sel(band="B5").values
    window20 = Window(0, row20, real_b5.shape[1], real_b5.shape[0])
    np.testing.assert_allclose(product.read_reflectance("B05", window=window20), real_b5, atol=0.5e-4 + 1e-7, equal_nan=True)
    # the reader's 20 m grid puts each real 20 m pixel at its real map coordinates
    transform = product.grid(20).transform
    x, y = transform @ (0.5, row20 + 0.5)
    assert (x, y) == (float(at20.x[0]), float(at20.y[0]))
    assert product.angles().mean_sun == pytest.approx((float(at10.sun_zenith), float(at10.sun_azimuth)), abs=1e-6)
