"""The L3B product layout: names, creation time, metadata, quick-look, STAC item."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pytest
import rasterio
from affine import Affine
from rasterio.crs import CRS
from s4c_common.l3b import (
    L3BProduct,
    L3BRasterWriter,
    build_l3b_item,
    creation_time,
    metadata_xml,
    product_names,
    quicklook_grey,
    raster_asset,
    write_metadata,
    write_quicklook,
)
from s4c_common.raster import Grid, write_cog
from s4c_common.times import parse_time
from s4c_common.xmlsafe import parse_xml
from stac_pydantic import Item as StacItemModel

SENSING = dt.datetime(2024, 5, 12, 10, 56, 19, 24000, tzinfo=dt.UTC)
PRODUCT_ID = "S2B_MSIL2A_20240512T105619_N0510_R094_T31UFS_20240512T140114"
GRID = Grid(CRS.from_epsg(32631), Affine(10, 0, 600000, 0, -10, 5700000), 60, 40)


def test_sen4cap_names() -> None:
    names = product_names("NDVI", tile="31UFS", acquisition=SENSING, creation=creation_time(PRODUCT_ID, SENSING), site=3)
    assert names.product_dir == "S2AGRI_L3BNDVI_PRD_S3_20240512T140114_A20240512T105619_T31UFS"
    assert names.metadata == "S2AGRI_L3BNDVI_MTD_A20240512T105619.xml"
    assert names.image("SNDVI") == "TILES/S2AGRI_L3BNDVI_A20240512T105619_T31UFS/IMG_DATA/S2AGRI_L3BNDVI_SNDVI_A20240512T105619_T31UFS.TIF"
    assert names.quality("MMONODFLG") == "TILES/S2AGRI_L3BNDVI_A20240512T105619_T31UFS/QI_DATA/S2AGRI_L3BNDVI_MMONODFLG_A20240512T105619_T31UFS.TIF"
    assert names.quicklook == "TILES/S2AGRI_L3BNDVI_A20240512T105619_T31UFS/S2AGRI_L3BNDVI_PVI_A20240512T105619_T31UFS.jpg"
    assert re.fullmatch(r"S2AGRI_L3B(\w+)_S\1_A\d{8}T\d{6}_T\d{2}[A-Z]{3}\.TIF", Path(names.image("SNDVI")).name)


def test_project_names_are_flat() -> None:
    names = product_names("LAI", tile="31UFS", acquisition=SENSING, creation=SENSING, naming="project")
    assert names.product_dir == "L3BLAI_T31UFS_20240512T105619"
    assert names.image("SLAIMONO") == "L3BLAI_T31UFS_20240512T105619_SLAIMONO.tif"
    assert names.quality("MMONODFLG") == "L3BLAI_T31UFS_20240512T105619_MMONODFLG.tif"
    assert names.quicklook == "L3BLAI_T31UFS_20240512T105619_PVI.jpg"
    assert names.metadata == "L3BLAI_T31UFS_20240512T105619_MTD.xml"


def test_bad_names() -> None:
    with pytest.raises(ValueError):
        product_names("ND_VI", tile="31UFS", acquisition=SENSING, creation=SENSING)
    with pytest.raises(ValueError):
        product_names("NDVI", tile="31UFS", acquisition=SENSING, creation=SENSING, naming="esa")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        product_names("NDVI", tile="31UFS", acquisition=SENSING.replace(tzinfo=None), creation=SENSING)


def test_creation_time_is_derived_from_the_input() -> None:
    assert creation_time(PRODUCT_ID, SENSING) == dt.datetime(2024, 5, 12, 14, 1, 14, tzinfo=dt.UTC)
    assert creation_time(PRODUCT_ID + ".SAFE", SENSING) == dt.datetime(2024, 5, 12, 14, 1, 14, tzinfo=dt.UTC)
    assert creation_time("some-item", SENSING) == SENSING.replace(microsecond=0)
    override = parse_time("20250101T000000")
    assert creation_time(PRODUCT_ID, SENSING, override) == override
    assert parse_time("2025-01-01T01:00:00+01:00") == override


def _product(tmp_path: Path, naming: str = "sen4cap") -> tuple[L3BProduct, Path, Path]:
    names = product_names("NDVI", tile="31UFS", acquisition=SENSING, creation=creation_time(PRODUCT_ID, SENSING), naming=naming)  # type: ignore[arg-type]
    product = L3BProduct(tmp_path / names.product_dir, names)
    index = np.linspace(-300, 1000, GRID.width * GRID.height).reshape(GRID.shape).astype(np.int16)
    index[:5] = -10000
    index_path = write_cog(product.image_path("SNDVI"), index, GRID, nodata=-10000)
    flags_path = write_cog(product.quality_path("MMONODFLG"), np.zeros(GRID.shape, np.uint8), GRID, nodata=255)
    return product, index_path, flags_path


@pytest.mark.filterwarnings("ignore::rasterio.errors.NotGeoreferencedWarning")  # the JPEG has no georeferencing, on purpose
def test_quicklook(tmp_path: Path) -> None:
    product, index_path, _ = _product(tmp_path)
    path = write_quicklook(index_path, product.quicklook_path, scale=1000, nodata=-10000, max_size=30)
    with rasterio.open(path) as jpg:
        assert jpg.driver == "JPEG" and (jpg.width, jpg.height) == (30, 20)
        grey = jpg.read(1)
    assert grey[:2].max() <= 8  # no-data rows are black (JPEG is lossy)
    assert grey[-1].mean() > 200
    assert not list(path.parent.glob("*.aux.xml"))
    assert quicklook_grey(np.array([-0.2, 1.0, 5.0, 0.4]), np.array([True, True, True, False])).tolist() == [1, 255, 255, 0]


@pytest.mark.parametrize("naming", ["sen4cap", "project"])
def test_metadata_and_item(tmp_path: Path, naming: str) -> None:
    product, index_path, flags_path = _product(tmp_path, naming)
    write_quicklook(index_path, product.quicklook_path, scale=1000, nodata=-10000)
    fields = dict(source_product=PRODUCT_ID, processor="s4c-test", version="0.1.0", parameters={"b": 2, "a": "x"})
    path = write_metadata(product, **fields, warnings=[{"code": "W_ALL_INVALID", "message": "all cloudy"}])
    assert path.read_bytes() == metadata_xml(product, **fields, warnings=[{"code": "W_ALL_INVALID", "message": "all cloudy"}])
    root = parse_xml(path)
    assert root.findtext("General_Info/ACQUISITION_DATE") == "2024-05-12T10:56:19Z"
    assert root.findtext("General_Info/CREATION_DATE") == "2024-05-12T14:01:14Z"
    assert [p.get("name") for p in root.iter("PARAMETER")] == ["a", "b"]
    assert root.find("Processing_Info/Warnings/WARNING").get("code") == "W_ALL_INVALID"
    assert sorted(f.text for f in root.iter("FILE")) == sorted([product.names.image("SNDVI"), product.names.quality("MMONODFLG"), product.names.quicklook])

    item = build_l3b_item(
        product,
        GRID,
        datetime=SENSING,
        images={"SNDVI": raster_asset(index_path, title="NDVI", dtype="int16", nodata=-10000, scale=0.001)},
        quality={"MMONODFLG": raster_asset(flags_path, title="flags", dtype="uint8", nodata=255)},
        processor="s4c-test",
        version="0.1.0",
        source_product=PRODUCT_ID,
        derived_from=["/data/input.SAFE"],
    )
    assert item.id == product.names.product_dir
    assert item.datetime == SENSING
    assert set(item.assets) == {"SNDVI", "MMONODFLG", "metadata", "thumbnail"}
    assert item.assets["SNDVI"].extra_fields["raster:bands"] == [{"data_type": "int16", "nodata": -10000, "scale": 0.001}]
    assert item.properties["proj:epsg"] == 32631 and item.properties["proj:shape"] == [40, 60]
    assert item.properties["s4c:tile"] == "31UFS"
    assert [link.href for link in item.links if link.rel == "derived_from"] == ["/data/input.SAFE"]
    assert "thumbnail" in item.assets["thumbnail"].roles
    StacItemModel.model_validate(item.to_dict())  # offline validation (pystac's validator fetches schemas)


@pytest.mark.parametrize("cog", [True, False])
def test_raster_writer(tmp_path: Path, cog: bool) -> None:
    data = (np.arange(GRID.width * GRID.height) % 700).reshape(GRID.shape).astype(np.int16)
    path = tmp_path / "index.tif"
    with L3BRasterWriter(path, GRID, "int16", nodata=-10000, cog=cog, block=16) as out:
        for window in GRID.windows(32):
            out.write(data[window.row_off : window.row_off + window.height, window.col_off : window.col_off + window.width], window)
    with rasterio.open(path) as src:
        assert np.array_equal(src.read(1), data)
        assert src.profile["compress"] == "deflate" and src.profile["blockxsize"] == 16 and src.nodata == -10000
        assert (src.tags(ns="IMAGE_STRUCTURE").get("LAYOUT") == "COG") is cog
    assert [p.name for p in tmp_path.iterdir()] == ["index.tif"]
    assert out.preview_step == 1 and np.array_equal(out.preview, data)


def test_preview_is_a_nearest_decimation(tmp_path: Path) -> None:
    grid = Grid(GRID.crs, GRID.transform, 2500, 1300)
    data = (np.arange(1300 * 2500, dtype=np.int32).reshape(1300, 2500) % 30000).astype(np.int16)
    with L3BRasterWriter(tmp_path / "big.tif", grid, "int16", nodata=-10000, cog=False) as out:
        for window in grid.windows(700):  # windows not aligned with the decimation step
            out.write(data[window.row_off : window.row_off + window.height, window.col_off : window.col_off + window.width], window)
    assert out.preview_step == 3 and out.preview.shape == (434, 834)
    assert np.array_equal(out.preview, data[::3, ::3])
    jpeg = write_quicklook(out.preview, tmp_path / "ql.jpg", scale=1000, nodata=-10000)
    assert jpeg.stat().st_size > 0


@pytest.mark.parametrize("cog", [True, False])
def test_raster_writer_leaves_nothing_on_failure(tmp_path: Path, cog: bool) -> None:
    with pytest.raises(RuntimeError):
        with L3BRasterWriter(tmp_path / "index.tif", GRID, "uint8", nodata=255, cog=cog) as out:
            out.write(np.zeros((10, 10), np.uint8), next(GRID.windows(10)))
            raise RuntimeError("failed")
    assert list(tmp_path.iterdir()) == []
