"""The Sen4CAP L3B product layout shared by the spectral-indices and biophysical processors.

One product per indicator and input product (spec l3b-spectral-indices.md §3, l3b-biophysical.md §3).
``naming="sen4cap"`` (default) reproduces Sen4CAP's names::

    S2AGRI_L3B{IND}_PRD_S{site}_{creation}_A{acq}_T{tile}/
      S2AGRI_L3B{IND}_MTD_A{acq}.xml
      TILES/S2AGRI_L3B{IND}_A{acq}_T{tile}/
        IMG_DATA/S2AGRI_L3B{IND}_{suffix}_A{acq}_T{tile}.TIF     e.g. suffix SNDVI, SLAIMONO
        QI_DATA/S2AGRI_L3B{IND}_{suffix}_A{acq}_T{tile}.TIF      e.g. MMONODFLG, MLAIDOMFLG
        S2AGRI_L3B{IND}_PVI_A{acq}_T{tile}.jpg

``naming="project"`` writes the same files flat in ``L3B{IND}_T{tile}_{acq}/`` as
``L3B{IND}_T{tile}_{acq}_{suffix}.tif``, ``..._MTD.xml`` and ``..._PVI.jpg``.

Times in names are ``YYYYMMDDThhmmss`` UTC. The creation time is not the wall clock, so that the same
inputs give the same bytes: :func:`creation_time` takes the input product's generation time (the last
field of an S2 product name, e.g. ``..._20240512T140114``), else its sensing time, unless the caller
gives one (``--creation-time``).

>>> names = product_names("NDVI", tile="31UFS", acquisition=sensing, creation=creation_time(product_id, sensing))
>>> product = L3BProduct(stage / names.product_dir, names)
>>> index_path, flags_path = product.image_path("SNDVI"), product.quality_path("MMONODFLG")
>>> ...  # write the rasters window by window with L3BRasterWriter
>>> write_quicklook(writer.preview, product.quicklook_path, scale=1000, nodata=-10000)  # or from the raster file
>>> write_metadata(product, source_product=product_id, processor="s4c-spectral-indices", version="0.1.0", parameters={...})
>>> index_asset = raster_asset(index_path, title="NDVI × 1000", dtype="int16", nodata=-10000, scale=0.001)
>>> flags_asset = raster_asset(flags_path, title="flags", dtype="uint8", nodata=255)
>>> item = build_l3b_item(product, grid, datetime=sensing, images={"SNDVI": index_asset}, quality={"MMONODFLG": flags_asset}, ...)
"""

from __future__ import annotations

import datetime as dt
import math
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pystac
import rasterio
from lxml import etree
from rasterio.enums import Resampling
from rasterio.errors import NotGeoreferencedWarning
from rasterio.shutil import copy as rio_copy
from rasterio.windows import Window
from shapely.geometry import box

from .raster import COG_BLOCK, CogWriter, Grid
from .stac import MEDIA_COG, MEDIA_GEOTIFF, AssetSpec, build_item
from .times import TIME_FORMAT, format_time

Naming = Literal["sen4cap", "project"]
NAMINGS: tuple[str, ...] = ("sen4cap", "project")
FLAGS_SUFFIX = "MMONODFLG"
QUICKLOOK_STRETCH = (-0.2, 1.0)  # index values mapped to grey levels 1..255 (spec §5.5); 0 is no-data
QUICKLOOK_MAX_SIZE = 1024  # pixels on the longer side
DEFLATE_LEVEL = 1
MEDIA_JPEG = pystac.MediaType.JPEG
MEDIA_XML = pystac.MediaType.XML
RASTER_EXTENSION = "https://stac-extensions.github.io/raster/v1.1.0/schema.json"
_GENERATION_IN_NAME = re.compile(r"_(\d{8}T\d{6})(?:\.SAFE)?$")


def creation_time(product_id: str, sensing_time: dt.datetime, override: dt.datetime | None = None) -> dt.datetime:
    """The product creation time written in names and metadata, deterministic for a given input.

    ``override`` if given; else the generation time that ends an S2 product name
    (``S2B_MSIL2A_20240512T105619_N0510_R094_T31UFS_20240512T140114``); else ``sensing_time``.
    """
    if override is not None:
        return override.astimezone(dt.UTC)
    match = _GENERATION_IN_NAME.search(product_id)
    if match:
        return dt.datetime.strptime(match.group(1), TIME_FORMAT).replace(tzinfo=dt.UTC)
    return sensing_time.astimezone(dt.UTC).replace(microsecond=0)


@dataclass(frozen=True)
class L3BNames:
    """Every name of one L3B product. Build with :func:`product_names`."""

    indicator: str  # "NDVI", "LAI"
    tile: str  # "31UFS"
    acquisition: str  # YYYYMMDDThhmmss
    creation: str
    site: str
    naming: Naming

    @property
    def _stem(self) -> str:
        return f"L3B{self.indicator}_T{self.tile}_{self.acquisition}"

    @property
    def product_dir(self) -> str:
        if self.naming == "project":
            return self._stem
        return f"S2AGRI_L3B{self.indicator}_PRD_S{self.site}_{self.creation}_A{self.acquisition}_T{self.tile}"

    @property
    def tile_dir(self) -> str:
        """Folder of the rasters relative to the product folder ("" when flat)."""
        return "" if self.naming == "project" else f"TILES/S2AGRI_L3B{self.indicator}_A{self.acquisition}_T{self.tile}"

    def _file(self, kind: str, extension: str, folder: str = "") -> str:
        if self.naming == "project":
            return f"{self._stem}_{kind}.{extension.lower()}"
        name = f"S2AGRI_L3B{self.indicator}_{kind}_A{self.acquisition}_T{self.tile}.{extension}"
        return "/".join(part for part in (self.tile_dir, folder, name) if part)

    def image(self, suffix: str) -> str:
        """Relative path of an indicator raster (suffix ``SNDVI``, ``SLAIMONO``, ...)."""
        return self._file(suffix, "TIF", "IMG_DATA")

    def quality(self, suffix: str) -> str:
        """Relative path of a quality raster (suffix ``MMONODFLG``, ``MLAIDOMFLG``, ...)."""
        return self._file(suffix, "TIF", "QI_DATA")

    @property
    def quicklook(self) -> str:
        return self._file("PVI", "jpg")

    @property
    def metadata(self) -> str:
        if self.naming == "project":
            return f"{self._stem}_MTD.xml"
        return f"S2AGRI_L3B{self.indicator}_MTD_A{self.acquisition}.xml"


def product_names(
    indicator: str,
    *,
    tile: str,
    acquisition: dt.datetime,
    creation: dt.datetime,
    site: int | str = 0,
    naming: Naming = "sen4cap",
) -> L3BNames:
    """The names of the L3B ``indicator`` product of one tile and acquisition."""
    if naming not in NAMINGS:
        raise ValueError(f"naming must be one of {NAMINGS}, got {naming!r}")
    if not re.fullmatch(r"[A-Za-z0-9]+", indicator):
        raise ValueError(f"indicator names are alphanumeric, got {indicator!r}")
    return L3BNames(indicator, tile, format_time(acquisition), format_time(creation), str(site), naming)


@dataclass(frozen=True)
class L3BProduct:
    """Absolute paths of one product's files under ``root`` (the product folder)."""

    root: Path
    names: L3BNames

    def _path(self, relative: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def image_path(self, suffix: str) -> Path:
        return self._path(self.names.image(suffix))

    def quality_path(self, suffix: str) -> Path:
        return self._path(self.names.quality(suffix))

    @property
    def quicklook_path(self) -> Path:
        return self._path(self.names.quicklook)

    @property
    def metadata_path(self) -> Path:
        return self._path(self.names.metadata)


# --------------------------------------------------------------------------- metadata


def _element(parent: etree._Element, tag: str, text: object = None) -> etree._Element:
    node = etree.SubElement(parent, tag)
    if text is not None:
        node.text = str(text)
    return node


def _iso(value: str) -> str:
    return dt.datetime.strptime(value, TIME_FORMAT).strftime("%Y-%m-%dT%H:%M:%SZ")


def metadata_xml(
    product: L3BProduct,
    *,
    source_product: str,
    processor: str,
    version: str,
    parameters: Mapping[str, object],
    warnings: Sequence[Mapping[str, str]] = (),
) -> bytes:
    """The product's MTD XML: identification, dates, tile, site, processing parameters and files.

    Parameters are written sorted by name, files sorted by path: the same product gives the same bytes.
    """
    names = product.names
    root = etree.Element("L3B_Product_Metadata")
    general = _element(root, "General_Info")
    _element(general, "PRODUCT_NAME", names.product_dir)
    _element(general, "PRODUCT_LEVEL", "L3B")
    _element(general, "INDICATOR", names.indicator)
    _element(general, "TILE_ID", names.tile)
    _element(general, "SITE_ID", names.site)
    _element(general, "ACQUISITION_DATE", _iso(names.acquisition))
    _element(general, "CREATION_DATE", _iso(names.creation))
    _element(general, "SOURCE_PRODUCT", source_product)
    processing = _element(root, "Processing_Info")
    _element(processing, "PROCESSOR", processor)
    _element(processing, "VERSION", version)
    params = _element(processing, "Parameters")
    for key in sorted(parameters):
        node = _element(params, "PARAMETER", parameters[key])
        node.set("name", key)
    if warnings:
        notes = _element(processing, "Warnings")
        for warning in warnings:
            node = _element(notes, "WARNING", warning["message"])
            node.set("code", warning["code"])
    files = _element(root, "Product_Organisation")
    relative = sorted(p.relative_to(product.root).as_posix() for p in product.root.rglob("*") if p.is_file() and p.name != Path(names.metadata).name)
    for path in relative:
        _element(files, "FILE", path)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def write_metadata(
    product: L3BProduct,
    *,
    source_product: str,
    processor: str,
    version: str,
    parameters: Mapping[str, object],
    warnings: Sequence[Mapping[str, str]] = (),
) -> Path:
    """Write :func:`metadata_xml` to the product's MTD file; call it last, it lists the product's files."""
    path = product.metadata_path
    xml = metadata_xml(product, source_product=source_product, processor=processor, version=version, parameters=parameters, warnings=warnings)
    path.write_bytes(xml)
    return path


# --------------------------------------------------------------------------- rasters


class L3BRasterWriter(CogWriter):
    """One product raster (DEFLATE level 1, predictor; COG or, with ``cog=False``, a tiled GeoTIFF) that
    also keeps every ``preview_step``-th pixel of each row and column (a nearest-neighbour decimation of
    at most :data:`QUICKLOOK_MAX_SIZE` pixels a side), :attr:`preview`, so that the quick-look needs no
    second read of the raster.

    >>> with L3BRasterWriter(product.image_path("SNDVI"), grid, "int16", nodata=-10000) as out:
    ...     for window, block in results:
    ...         out.write(block, window)
    >>> write_quicklook(out.preview, product.quicklook_path, scale=1000, nodata=-10000)
    """

    def __init__(self, path: Path, grid: Grid, dtype: str, *, nodata: float | None, cog: bool = True, block: int = COG_BLOCK):
        super().__init__(path, grid, dtype, nodata=nodata, compress="deflate", level=DEFLATE_LEVEL, cog=cog, block=block)
        self.preview_step = preview_step(grid.width, grid.height)
        fill = np.nan if nodata is None else nodata
        self.preview = np.full((-(-grid.height // self.preview_step), -(-grid.width // self.preview_step)), fill, dtype=dtype)

    def write(self, data: np.ndarray, window: Window | None = None, band: int | None = None) -> None:
        assert window is not None
        super().write(data, window, band)
        step, row, col = self.preview_step, int(window.row_off), int(window.col_off)
        first_row, first_col = -row % step, -col % step
        sample = data[first_row::step, first_col::step]
        top, left = (row + first_row) // step, (col + first_col) // step
        self.preview[top : top + sample.shape[0], left : left + sample.shape[1]] = sample


# -------------------------------------------------------------------------- quick-look


def preview_step(width: int, height: int, max_size: int = QUICKLOOK_MAX_SIZE) -> int:
    """Decimation step giving at most ``max_size`` pixels on the longer side."""
    return max(1, math.ceil(max(width, height) / max_size))


def quicklook_grey(values: np.ndarray, valid: np.ndarray, stretch: tuple[float, float] = QUICKLOOK_STRETCH) -> np.ndarray:
    """uint8 grey levels: ``stretch`` → 1..255 (clipped), 0 where not ``valid``."""
    low, high = stretch
    grey = np.clip(np.rint(1 + 254 * (values.astype(np.float32) - low) / (high - low)), 1, 255)
    return np.where(valid & np.isfinite(values), grey, 0).astype(np.uint8)


def write_quicklook(
    source: Path | np.ndarray,
    path: Path,
    *,
    scale: float = 1.0,
    nodata: float | None = None,
    stretch: tuple[float, float] = QUICKLOOK_STRETCH,
    max_size: int = QUICKLOOK_MAX_SIZE,
) -> Path:
    """A greyscale JPEG of ``source`` (values / ``scale``, ``stretch`` → grey), no-data (``nodata`` or NaN) black.

    ``source`` is a decimated array (:attr:`L3BRasterWriter.preview`) or a raster file, then read
    decimated by nearest neighbour to at most ``max_size`` pixels a side.
    """
    if isinstance(source, np.ndarray):
        data = source
    else:
        with rasterio.open(source) as src:
            step = preview_step(src.width, src.height, max_size)
            data = src.read(1, out_shape=(max(1, src.height // step), max(1, src.width // step)), resampling=Resampling.nearest)
    valid = np.isfinite(data) if nodata is None else (data != nodata) & np.isfinite(data)
    grey = quicklook_grey(data / np.float32(scale), valid, stretch)
    with rasterio.Env(GDAL_PAM_ENABLED="NO"):  # no .aux.xml beside the JPEG
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NotGeoreferencedWarning)  # a quick-look is a picture, not a map
            with rasterio.MemoryFile() as memory:
                with memory.open(driver="GTiff", width=grey.shape[1], height=grey.shape[0], count=1, dtype="uint8") as tmp:
                    tmp.write(grey, 1)
                    rio_copy(tmp, path, driver="JPEG", QUALITY=90)
    return path


# -------------------------------------------------------------------------------- STAC


def raster_asset(path: Path, *, title: str, dtype: str, nodata: float | None, scale: float | None = None, cog: bool = True) -> AssetSpec:
    """An image asset with its ``raster:bands`` (data type, no-data, scale from stored to physical)."""
    band: dict[str, object] = {"data_type": dtype}
    if nodata is not None:
        band["nodata"] = "nan" if isinstance(nodata, float) and math.isnan(nodata) else nodata
    if scale is not None:
        band["scale"] = scale
    return AssetSpec(path, MEDIA_COG if cog else MEDIA_GEOTIFF, ("data",), title, {"raster:bands": [band]})


def build_l3b_item(
    product: L3BProduct,
    grid: Grid,
    *,
    datetime: dt.datetime,
    images: Mapping[str, AssetSpec],
    quality: Mapping[str, AssetSpec],
    processor: str,
    version: str,
    source_product: str,
    derived_from: Sequence[str] = (),
    properties: Mapping[str, object] | None = None,
    warnings: Sequence[Mapping[str, str]] = (),
) -> pystac.Item:
    """The STAC item of one product: its images and quality rasters, ``metadata`` and ``thumbnail``.

    Item id = product folder name; datetime = the input's sensing time; ``derived_from`` the input.
    """
    names = product.names
    assets = dict(images)
    assets.update(quality)
    assets["metadata"] = AssetSpec(product.metadata_path, MEDIA_XML, ("metadata",), "Product metadata (MTD)")
    assets["thumbnail"] = AssetSpec(product.quicklook_path, MEDIA_JPEG, ("thumbnail", "overview"), "Quick-look")
    props: dict[str, object] = {
        "s4c:product_type": f"L3B{names.indicator}",
        "s4c:indicator": names.indicator,
        "s4c:tile": names.tile,
        "s4c:site": names.site,
        "s4c:creation_time": _iso(names.creation),
        "s4c:source_product": source_product,
    }
    props.update(properties or {})
    item = build_item(
        names.product_dir,
        geometry=box(*grid.bounds),
        crs=grid.crs,
        datetime=datetime,
        assets=assets,
        processor=processor,
        processor_version=version,
        properties=props,
        derived_from=derived_from,
        shape=grid.shape,
        transform=list(grid.transform),
        warnings=warnings,
    )
    item.stac_extensions.append(RASTER_EXTENSION)  # the assets' raster:bands
    return item
