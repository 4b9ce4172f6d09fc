"""Synthetic Sentinel-2 L2A SAFE writer: layout and names, DN encoding, metadata, determinism."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
import zipfile
from pathlib import Path

import numpy as np
import pytest
import rasterio
from lxml import etree
from s4c_sample.s2_safe import (
    ANGLE_NODES,
    DETECTOR_IDS,
    L2A_BANDS,
    S2Acquisition,
    encode_dn,
    safe_names,
    synthetic_angles,
    write_l2a_safe,
    zip_safe,
)

WIDTH, HEIGHT = 36, 24
ACQ = S2Acquisition(
    tile_id="31UFS", epsg=32631, ulx=600000.0, uly=5700000.0, width=WIDTH, height=HEIGHT,
    sensing_time=dt.datetime(2024, 5, 12, 10, 56, 19, 24000, tzinfo=dt.UTC), spacecraft="S2B", relative_orbit=94,
    sun_zenith=35.0, sun_azimuth=160.0, view_zenith=5.0, view_azimuth=100.0,
)  # fmt: skip
NATIVE = {"B01": 60, "B02": 10, "B03": 10, "B04": 10, "B05": 20, "B06": 20, "B07": 20, "B08": 10, "B8A": 20, "B09": 60, "B11": 20, "B12": 20}
NAME = re.compile(r"^T(?P<tile>\d{2}[A-Z]{3})_(?P<time>\d{8}T\d{6})_(?P<band>B\d[\dA]|SCL)_(?P<res>\d0)m\.jp2$")


def _reflectance() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(7)
    bands = {band: rng.uniform(-0.08, 0.9, (HEIGHT, WIDTH)).astype(np.float32) for band in L2A_BANDS}
    bands["B04"][0, :5] = np.nan
    bands["B04"][1, 0] = -0.5  # below what the offset can code
    bands["B04"][1, 1] = 7.0  # above
    return bands


def _scl() -> np.ndarray:
    return np.random.default_rng(8).integers(0, 12, (HEIGHT, WIDTH)).astype(np.uint8)


@pytest.fixture(scope="module")
def safe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_l2a_safe(tmp_path_factory.mktemp("a"), ACQ, _reflectance(), _scl())


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _granule(safe: Path) -> Path:
    (granule,) = (safe / "GRANULE").iterdir()
    return granule


def test_same_inputs_same_bytes(safe: Path, tmp_path: Path) -> None:
    calls: list[str] = []

    def band(name: str) -> np.ndarray:
        calls.append(name)
        return _reflectance()[name]

    again = write_l2a_safe(tmp_path, ACQ, band, _scl())
    assert calls == list(L2A_BANDS)  # the callable is asked once per band, in order
    first, second = _files(safe), _files(again)
    assert list(first) == list(second)
    for name in first:
        assert first[name] == second[name], name
    assert zip_safe(safe).read_bytes() == zip_safe(again).read_bytes()


def test_layout_and_names(safe: Path) -> None:
    assert safe.name == "S2B_MSIL2A_20240512T105619_N0510_R094_T31UFS_20240512T140114.SAFE"
    files = set(_files(safe))
    granule = _granule(safe)
    assert re.fullmatch(r"L2A_T31UFS_A\d{6}_20240512T105619", granule.name)
    (datastrip,) = (safe / "DATASTRIP").iterdir()
    assert datastrip.name == "DS_2BPS_20240512T140114_S20240512T105619"
    assert {"manifest.safe", "MTD_MSIL2A.xml", "INSPIRE.xml", f"DATASTRIP/{datastrip.name}/MTD_DS.xml", f"GRANULE/{granule.name}/MTD_TL.xml"} <= files
    images = {}
    for path in (granule / "IMG_DATA").rglob("*.jp2"):
        match = NAME.match(path.name)
        assert match, path.name
        assert match["tile"] == "31UFS" and match["time"] == "20240512T105619"
        assert path.parent.name == f"R{match['res']}m"
        images.setdefault(match["band"], set()).add(int(match["res"]))
    assert images == {**{band: {res} for band, res in NATIVE.items()}, "B02": {10, 20}, "B03": {10, 20}, "B04": {10, 20}, "SCL": {20, 60}}
    assert not [name for name in files if Path(name).name.startswith(".")]  # no temporary file left
    assert not list(safe.parent.glob(".*"))


def test_names_derive_from_the_acquisition_only() -> None:
    names = safe_names(ACQ)
    later = safe_names(dataclasses.replace(ACQ, sensing_time=ACQ.sensing_time + dt.timedelta(days=10), spacecraft="S2A"))
    assert names.product == "S2B_MSIL2A_20240512T105619_N0510_R094_T31UFS_20240512T140114"
    assert later.product.startswith("S2A_MSIL2A_20240522T105619_N0510_R094_T31UFS_")
    assert names.datastrip_identifier == "S2B_OPER_MSI_L2A_DS_2BPS_20240512T140114_S20240512T105619_N05.10"


def test_dn_encoding(safe: Path) -> None:
    reflectance, scl = _reflectance(), _scl()
    images = _granule(safe) / "IMG_DATA"
    with rasterio.open(next(images.glob("R10m/*_B04_10m.jp2"))) as src:
        assert src.driver == "JP2OpenJPEG" and src.dtypes == ("uint16",) and src.crs.to_epsg() == 32631
        assert tuple(src.transform)[:6] == (10, 0, 600000, 0, -10, 5700000)
        dn = src.read(1)
    expected = np.rint(reflectance["B04"].astype(np.float64) * 10000) + 1000
    valid = np.isfinite(reflectance["B04"]) & (expected >= 1) & (expected <= 65535)
    np.testing.assert_array_equal(dn[valid], expected[valid])
    assert (dn[0, :5] == 0).all() and dn[1, 0] == 1 and dn[1, 1] == 65535  # no data, clipped low and high
    with rasterio.open(next(images.glob("R20m/*_B11_20m.jp2"))) as src:
        assert src.shape == (HEIGHT // 2, WIDTH // 2)
        means = reflectance["B11"].astype(np.float64).reshape(HEIGHT // 2, 2, WIDTH // 2, 2).mean(axis=(1, 3))
        np.testing.assert_array_equal(src.read(1), np.rint(means * 10000) + 1000)
    with rasterio.open(next(images.glob("R60m/*_B09_60m.jp2"))) as src:
        means = reflectance["B09"].astype(np.float64).reshape(HEIGHT // 6, 6, WIDTH // 6, 6).mean(axis=(1, 3))
        np.testing.assert_array_equal(src.read(1), np.rint(means * 10000) + 1000)
    for resolution in (20, 60):
        with rasterio.open(next(images.glob(f"R{resolution}m/*_SCL_{resolution}m.jp2"))) as src:
            step = resolution // 10
            assert src.dtypes == ("uint8",)
            np.testing.assert_array_equal(src.read(1), scl[::step, ::step])


def test_encode_dn_without_offset() -> None:
    np.testing.assert_array_equal(encode_dn(np.array([0.1234, np.nan, -0.01, 0.0]), 0), [1234, 0, 1, 1])
    np.testing.assert_array_equal(encode_dn(np.array([0.1234, -0.1, -0.2]), 1000), [2234, 1, 1])


def test_product_metadata(safe: Path) -> None:
    root = etree.parse(str(safe / "MTD_MSIL2A.xml")).getroot()
    info = root.find("{*}General_Info/Product_Info")
    assert info.findtext("PRODUCT_URI") == safe.name
    assert info.findtext("PROCESSING_BASELINE") == "05.10" and info.findtext("PROCESSING_LEVEL") == "Level-2A"
    assert info.findtext("PRODUCT_START_TIME") == "2024-05-12T10:56:19.024Z"
    assert info.findtext("Datatake/SPACECRAFT_NAME") == "Sentinel-2B" and info.findtext("Datatake/SENSING_ORBIT_NUMBER") == "94"
    characteristics = root.find("{*}General_Info/Product_Image_Characteristics")
    assert characteristics.findtext("QUANTIFICATION_VALUES_LIST/BOA_QUANTIFICATION_VALUE") == "10000"
    offsets = characteristics.findall("BOA_ADD_OFFSET_VALUES_LIST/BOA_ADD_OFFSET")
    assert [(o.get("band_id"), o.text) for o in offsets] == [(str(i), "-1000") for i in range(13)]
    listed = {f + ".jp2" for f in (node.text for node in info.findall("Product_Organisation/Granule_List/Granule/IMAGE_FILE"))}
    assert listed == {p.relative_to(safe).as_posix() for p in safe.rglob("*.jp2")}
    cloudy = float(root.findtext("{*}Quality_Indicators_Info/Cloud_Coverage_Assessment"))
    scl = _scl()
    assert cloudy == pytest.approx(100 * np.isin(scl, (8, 9, 10)).sum() / (scl != 0).sum(), abs=1e-5)


def test_old_baseline_has_no_offset(tmp_path: Path) -> None:
    old = write_l2a_safe(tmp_path, dataclasses.replace(ACQ, baseline="03.01"), _reflectance(), _scl())
    assert "_N0301_" in old.name
    assert b"BOA_ADD_OFFSET" not in (old / "MTD_MSIL2A.xml").read_bytes()
    with rasterio.open(next(old.rglob("*_B02_10m.jp2"))) as src:
        expected = np.clip(np.rint(_reflectance()["B02"].astype(np.float64) * 10000), 1, None)
        np.testing.assert_array_equal(src.read(1), expected)


def test_tile_metadata_geocoding_and_angles(safe: Path) -> None:
    root = etree.parse(str(_granule(safe) / "MTD_TL.xml")).getroot()
    geocoding = root.find("{*}Geometric_Info/Tile_Geocoding")
    assert geocoding.findtext("HORIZONTAL_CS_CODE") == "EPSG:32631"
    for resolution in (10, 20, 60):
        assert geocoding.findtext(f"Size[@resolution='{resolution}']/NROWS") == str(HEIGHT * 10 // resolution)
        assert geocoding.findtext(f"Size[@resolution='{resolution}']/NCOLS") == str(WIDTH * 10 // resolution)
        assert geocoding.findtext(f"Geoposition[@resolution='{resolution}']/ULX") == "600000"
        assert geocoding.findtext(f"Geoposition[@resolution='{resolution}']/ULY") == "5700000"
    angles = root.find("{*}Geometric_Info/Tile_Angles")
    sun = np.array([row.text.split() for row in angles.findall("Sun_Angles_Grid/Zenith/Values_List/VALUES")], dtype=float)
    assert sun.shape == (ANGLE_NODES, ANGLE_NODES) and angles.findtext("Sun_Angles_Grid/Zenith/COL_STEP") == "5000"
    np.testing.assert_allclose(sun, synthetic_angles(ACQ).sun_zenith, atol=1e-9)
    assert sun.mean() == pytest.approx(35.0, abs=1e-3)
    grids = angles.findall("Viewing_Incidence_Angles_Grids")
    assert len(grids) == 13 * len(DETECTOR_IDS)
    values = np.array([[row.text.split() for row in g.findall("Zenith/Values_List/VALUES")] for g in grids], dtype=float)
    assert np.isnan(values).any() and np.isfinite(values).any(axis=0).all()  # gaps per detector, every node seen
    assert len(angles.findall("Mean_Viewing_Incidence_Angle_List/Mean_Viewing_Incidence_Angle")) == 13
    assert float(angles.findtext("Mean_Sun_Angle/ZENITH_ANGLE")) == 35.0


def test_manifest_lists_every_file_with_checksum(safe: Path) -> None:
    root = etree.parse(str(safe / "manifest.safe")).getroot()
    locations = {}
    for stream in root.iterfind("dataObjectSection/dataObject/byteStream"):
        href = stream.find("fileLocation").get("href").removeprefix("./")
        locations[href] = (int(stream.get("size")), stream.findtext("checksum"))
    assert set(locations) == set(_files(safe)) - {"manifest.safe"}
    for href, (size, checksum) in locations.items():
        data = (safe / href).read_bytes()
        assert size == len(data) and checksum == hashlib.sha3_256(data).hexdigest().upper()
    assert root.find("dataObjectSection/dataObject[@ID='S2_Level-2A_Tile1_Metadata']") is not None


def test_zip_members(safe: Path) -> None:
    with zipfile.ZipFile(zip_safe(safe)) as zf:
        infos = zf.infolist()
        assert [i.filename for i in infos] == sorted(f"{safe.name}/{name}" for name in _files(safe))
        assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
        assert all(i.compress_type == zipfile.ZIP_STORED for i in infos if i.filename.endswith(".jp2"))
        assert zf.read(f"{safe.name}/MTD_MSIL2A.xml") == (safe / "MTD_MSIL2A.xml").read_bytes()


def test_missing_band_left_out(tmp_path: Path) -> None:
    partial = {band: values for band, values in _reflectance().items() if band != "B11"}
    safe = write_l2a_safe(tmp_path, ACQ, partial, _scl())
    assert not list(safe.rglob("*_B11_*.jp2"))
    assert b"_B11_" not in (safe / "MTD_MSIL2A.xml").read_bytes()


def test_bad_inputs_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="multiples of 6"):
        write_l2a_safe(tmp_path, dataclasses.replace(ACQ, width=35), _reflectance(), _scl())
    with pytest.raises(ValueError, match="timezone"):
        write_l2a_safe(tmp_path, dataclasses.replace(ACQ, sensing_time=dt.datetime(2024, 5, 12)), _reflectance(), _scl())
    with pytest.raises(ValueError, match="shape"):
        write_l2a_safe(tmp_path, ACQ, {**_reflectance(), "B05": np.zeros((6, 6), np.float32)}, _scl())
    with pytest.raises(ValueError, match="uint8"):
        write_l2a_safe(tmp_path, ACQ, _reflectance(), _scl().astype(np.int32))
    assert not list(tmp_path.iterdir())  # nothing left behind, not even the partial folder
