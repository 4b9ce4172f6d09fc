"""The processor on synthetic L2A products with known reflectances per field."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pystac
import pytest
import rasterio
from s4c_common.l3b import FLAGS_SUFFIX
from s4c_common.quantize import quantize
from s4c_common.s2.l2a import L2AProduct
from s4c_common.s2.stac_item import safe_to_stac_item
from s4c_sample.s2_safe import zip_safe
from s4c_spectral_indices.formulas import INDICES
from s4c_spectral_indices.process import Options, process_product
from si_helpers import BACKGROUND, BORDER, FIELD_NDVI, SCL_BLOCKS, field_pixels
from si_run import files, read_product, run_ok
from stac_pydantic import Item as StacItemModel

SCL_FLAG = [255, 5, 4, 2, 0, 0, 1, 4, 4, 4, 4, 3]
NAME = re.compile(r"S2AGRI_L3B(\w+)_S\1_A\d{8}T\d{6}_T\d{2}[A-Z]{3}\.TIF")
FOLDER = re.compile(r"S2AGRI_L3B(\w+)_PRD_S\d+_\d{8}T\d{6}_A\d{8}T\d{6}_T\d{2}[A-Z]{3}")


@pytest.fixture(scope="module")
def all_indices(scene, tmp_path_factory) -> Path:
    """Every index of the field scene, float32, in one run."""
    out = tmp_path_factory.mktemp("all")
    run_ok("--input", scene.safe, *[a for name in INDICES for a in ("--index", name)], "--output-dtype", "float32", "--output", out, "--workers", 2)
    return out


def test_ndvi_per_field_equals_the_known_ndvi(scene, tmp_path) -> None:
    run_ok("--input", scene.safe, "--output", tmp_path)
    product = read_product(tmp_path)
    for number, ndvi in enumerate(FIELD_NDVI):
        values = product.index[field_pixels(number)]
        assert np.all(values == round(ndvi * 1000)), (number, np.unique(values))
    assert product.index[field_pixels(3)][0, 0] == -300  # negative NDVI is kept by default
    background = (BACKGROUND[1] - BACKGROUND[0]) / (BACKGROUND[1] + BACKGROUND[0])
    assert np.all(product.index[field_pixels(8)] == round(background * 1000))  # block of SCL 4


def test_flags_raster(scene, tmp_path) -> None:
    run_ok("--input", scene.safe, "--output", tmp_path)
    flags = read_product(tmp_path).flags
    assert flags.dtype == np.uint8
    assert np.all(flags[:, :BORDER] == 255)  # DN 0 in every band
    for number, scl in enumerate(SCL_BLOCKS, start=4):
        assert np.all(flags[field_pixels(number)] == SCL_FLAG[scl]), (number, scl)


def test_masking_per_index_class(all_indices) -> None:
    water_block = field_pixels(4 + 6)  # SCL 6 → flag 1
    shadow_block = field_pixels(4 + 3)
    ndvi, ndwi, bright = (read_product(all_indices, code) for code in ("NDVI", "NDWI", "BRIGHT"))
    assert np.isnan(ndvi.index[water_block]).all() and np.isnan(bright.index[water_block]).all()
    assert np.isfinite(ndwi.index[water_block]).all()
    for product in (ndvi, ndwi, bright):
        assert np.isnan(product.index[shadow_block]).all()
        assert np.isnan(product.index[:, :BORDER]).all()
        assert np.isfinite(product.index[field_pixels(0)]).all()


def test_no_mask_index_writes_values_under_clouds(scene, tmp_path) -> None:
    run_ok("--input", scene.safe, "--no-mask-index", "--output", tmp_path)
    product = read_product(tmp_path)
    cloud = field_pixels(4 + 9)
    assert np.all(product.index[cloud] == 600) and np.all(product.flags[cloud] == 4)
    assert np.all(product.index[:, :BORDER] == -10000)  # no data stays no data


def test_baseline_03_and_05_give_the_same_indices(scene, scene_baseline_03, all_indices, tmp_path) -> None:
    run_ok("--input", scene_baseline_03.safe, *[a for name in INDICES for a in ("--index", name)], "--output-dtype", "float32", "--output", tmp_path)
    for index in INDICES.values():
        new, old = read_product(all_indices, index.code), read_product(tmp_path, index.code)
        np.testing.assert_allclose(new.index, old.index, atol=1e-6, equal_nan=True, err_msg=index.name)
        assert np.array_equal(new.flags, old.flags)


def test_float32_output(all_indices) -> None:
    product = read_product(all_indices)
    with rasterio.open(product.index_path) as src:
        assert src.dtypes[0] == "float32" and np.isnan(src.nodata)
    for number, ndvi in enumerate(FIELD_NDVI):
        np.testing.assert_allclose(product.index[field_pixels(number)], ndvi, atol=1e-6)
    assert product.item["assets"]["SNDVI"]["raster:bands"] == [{"data_type": "float32", "nodata": "nan"}]


def test_sen4cap_compat(scene, tmp_path) -> None:
    run_ok("--input", scene.safe, "--index", "NDVI", "--index", "SAVI", "--sen4cap-compat", "--output", tmp_path / "compat")
    run_ok("--input", scene.safe, "--index", "NDVI", "--index", "SAVI", "--output-dtype", "float32", "--output", tmp_path / "float")
    compat, exact = read_product(tmp_path / "compat"), read_product(tmp_path / "float")
    assert np.all(compat.index[field_pixels(3)] == -10000)  # negative NDVI → no data
    field = field_pixels(0)
    assert np.array_equal(compat.index[field], quantize(exact.index[field], rounding="truncate"))  # truncated
    assert np.all(compat.flags[field_pixels(4 + 3)] == 4)  # SCL 3 → cloud
    savi = read_product(tmp_path / "compat", "SAVI").index[field]
    assert np.all(savi == int(1000 * (3600 - 400) * 1.5 / (3600 + 400 + 0.5)))  # SAVI on DN + offset, truncated
    # each quirk has its own switch, and explicit options win over --sen4cap-compat
    run_ok("--input", scene.safe, "--sen4cap-compat", "--keep-negative", "--scl-shadow-flag", "2", "--output", tmp_path / "mixed")
    mixed = read_product(tmp_path / "mixed")
    assert np.all(mixed.index[field_pixels(3)] == -300) and np.all(mixed.flags[field_pixels(4 + 3)] == 2)


def test_cog_layout(scene, tmp_path) -> None:
    run_ok("--input", scene.safe, "--output", tmp_path)
    product = read_product(tmp_path)
    for path, dtype, nodata in ((product.index_path, "int16", -10000), (product.flags_path, "uint8", 255)):
        with rasterio.open(path) as src:
            assert src.tags(ns="IMAGE_STRUCTURE").get("LAYOUT") == "COG", path
            assert src.profile["tiled"] and src.profile["compress"] == "deflate"
            assert src.dtypes[0] == dtype and src.nodata == nodata
            assert src.crs.to_epsg() == 32631 and src.res == (10.0, 10.0) and src.shape == (120, 120)
    assert not list(tmp_path.rglob(".*")), "temporary files left"


def test_names_and_stac_item(scene, tmp_path) -> None:
    run_ok("--input", scene.safe, "--site-id", "7", "--output", tmp_path)
    product = read_product(tmp_path)
    assert FOLDER.fullmatch(product.folder.name) and "_S7_" in product.folder.name
    assert NAME.fullmatch(product.index_path.name)
    assert product.flags_path.parent.name == "QI_DATA" and product.index_path.parent.name == "IMG_DATA"
    item = product.item
    StacItemModel.model_validate(item)
    assert item["id"] == product.folder.name
    assert item["properties"]["datetime"] == "2024-05-12T10:56:19.024000Z"
    assert set(item["assets"]) == {"SNDVI", FLAGS_SUFFIX, "metadata", "thumbnail"}
    assert all(not asset["href"].startswith("/") for asset in item["assets"].values())
    assert item["assets"]["SNDVI"]["type"] == pystac.MediaType.COG
    assert item["assets"]["thumbnail"]["type"] == "image/jpeg"
    assert [link["href"] for link in item["links"] if link["rel"] == "derived_from"] == [str(scene.safe.resolve())]
    assert item["properties"]["s4c:creation_time"] == "2024-05-12T14:01:14Z"
    assert item["properties"]["processing:software"]["s4c-spectral-indices"] == "0.1.0"
    assert item["properties"]["proj:shape"] == [120, 120]
    mtd = (product.folder / "S2AGRI_L3BNDVI_MTD_A20240512T105619.xml").read_text()
    assert "<TILE_ID>31UFS</TILE_ID>" in mtd and '<PARAMETER name="site_id">7</PARAMETER>' in mtd


def test_project_naming(scene, tmp_path) -> None:
    run_ok("--input", scene.safe, "--naming", "project", "--output", tmp_path)
    product = read_product(tmp_path)
    assert product.folder.name == "L3BNDVI_T31UFS_20240512T105619"
    assert {p.name for p in product.folder.iterdir()} == {
        f"L3BNDVI_T31UFS_20240512T105619_{suffix}" for suffix in ("SNDVI.tif", "MMONODFLG.tif", "PVI.jpg", "MTD.xml")
    } | {"L3BNDVI_T31UFS_20240512T105619.json"}


def test_same_inputs_same_bytes_whatever_the_workers(scene, tmp_path) -> None:
    args = ("--input", scene.safe, "--index", "NDVI", "--index", "NDWI", "--index", "RI")
    run_ok(*args, "--workers", 1, "--output", tmp_path / "a")
    run_ok(*args, "--workers", 2, "--output", tmp_path / "b")
    first, second = files(tmp_path / "a"), files(tmp_path / "b")
    assert list(first) == list(second)
    assert all(first[name] == second[name] for name in first)


def test_creation_time_option(scene, tmp_path) -> None:
    run_ok("--input", scene.safe, "--creation-time", "20250102T030405", "--output", tmp_path)
    assert "_PRD_S0_20250102T030405_A20240512T105619_" in read_product(tmp_path).folder.name


def test_fully_cloudy_product(cloudy_scene, tmp_path) -> None:
    result = run_ok("--input", cloudy_scene.safe, "--output", tmp_path)
    assert "WARNING W_ALL_INVALID" in result.output
    product = read_product(tmp_path)
    assert np.all(product.index == -10000)
    assert np.all(product.flags[:, BORDER:] == 4) and np.all(product.flags[:, :BORDER] == 255)
    assert product.item["properties"]["s4c:warnings"][0]["code"] == "W_ALL_INVALID"


def test_stac_catalog_and_zip_inputs(scene, tmp_path) -> None:
    staged = tmp_path / "staged"
    staged.mkdir()
    catalog = pystac.Catalog("inputs", "staged L2A products")
    catalog.add_item(safe_to_stac_item(scene.safe))
    catalog.normalize_and_save(str(staged), pystac.CatalogType.SELF_CONTAINED)
    run_ok("--input", staged, "--output", tmp_path / "from-stac")
    run_ok("--input", zip_safe(scene.safe), "--output", tmp_path / "from-zip")
    run_ok("--input", scene.safe, "--output", tmp_path / "from-safe")
    reference = read_product(tmp_path / "from-safe")
    for name in ("from-stac", "from-zip"):
        product = read_product(tmp_path / name)
        assert np.array_equal(product.index, reference.index) and np.array_equal(product.flags, reference.flags)
    derived = [link["href"] for link in read_product(tmp_path / "from-stac").item["links"] if link["rel"] == "derived_from"]
    assert derived[0].endswith(".json")


def test_aoi_crop(scene, tmp_path) -> None:
    # a box around fields 1 and 2 of row 0 (UTM 31N → WGS84)
    from pyproj import Transformer

    to_wgs84 = Transformer.from_crs(32631, 4326, always_xy=True)
    (x0, x1), (y0, y1) = (600000 + 305, 600000 + 895), (5700000 - 295, 5700000 - 5)
    lons, lats = to_wgs84.transform([x0, x1, x1, x0], [y0, y0, y1, y1])
    wkt = "POLYGON((" + ", ".join(f"{lon} {lat}" for lon, lat in [*zip(lons, lats, strict=True), (lons[0], lats[0])]) + "))"
    run_ok("--input", scene.safe, "--aoi", wkt, "--output", tmp_path)
    product = read_product(tmp_path)
    with rasterio.open(product.index_path) as src:
        assert src.transform.c % 10 == 0 and src.transform.f % 10 == 0
        col0 = round((src.transform.c - 600000) / 10)
        assert 29 <= col0 <= 30 and 59 <= src.width <= 62 and 30 <= src.height <= 32
    assert set(np.unique(product.index[:, 1:-1]).tolist()) <= {800, 200, 0, 600}


def test_resolution_20m(scene, tmp_path) -> None:
    run_ok("--input", scene.safe, "--index", "NDVI", "--index", "NDWI", "--resolution", "20", "--output", tmp_path)
    product = read_product(tmp_path)
    assert product.index.shape == (60, 60)
    assert np.all(product.index[0:15, 1:15] == 800)
    assert product.item["properties"]["proj:transform"][0] == 20.0


def test_each_band_is_read_once_per_window(scene, tmp_path, monkeypatch) -> None:
    reads: list[str] = []
    original = L2AProduct.read_reflectance

    def counting(self, band, *args, **kwargs):
        reads.append(band)
        return original(self, band, *args, **kwargs)

    monkeypatch.setattr(L2AProduct, "read_reflectance", counting)
    items = process_product(scene.safe, ["NDVI", "SAVI", "NDWI", "MNDWI", "BI2"], Options(), tmp_path)
    assert len(items) == 5
    assert sorted(reads) == ["B03", "B04", "B08", "B11"]  # one window: each band once


def test_items_are_json_serialisable(scene, tmp_path) -> None:
    items = process_product(scene.safe, ["NDVI"], Options(output_dtype="float32"), tmp_path)
    assert json.dumps(items[0].to_dict())


def test_plain_geotiff_option(scene, tmp_path) -> None:
    run_ok("--input", scene.safe, "--output", tmp_path / "cog")
    run_ok("--input", scene.safe, "--no-cog", "--output", tmp_path / "plain")
    cog, plain = read_product(tmp_path / "cog"), read_product(tmp_path / "plain")
    assert np.array_equal(cog.index, plain.index) and np.array_equal(cog.flags, plain.flags)
    with rasterio.open(plain.index_path) as src:
        assert src.tags(ns="IMAGE_STRUCTURE").get("LAYOUT") != "COG" and src.profile["tiled"]
    assert plain.item["assets"]["SNDVI"]["type"] == pystac.MediaType.GEOTIFF
