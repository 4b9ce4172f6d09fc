"""Inputs of the processor: Sentinel-2 L2A products and, for tests, generic multi-band rasters.

Every input becomes a :class:`Source`: an output grid (the product's 10 or 20 m grid, cropped to the
AOI), band reading by role for a window of that grid (float32, NaN = no data), the SCL flags, and
what the output names need (tile, sensing time, product id).

- L2A (``.SAFE`` folder or zip, STAC item/catalog): band roles map to Sentinel-2 bands (``red`` →
  B04, ...), ``--band-map nir=B8A`` changes a role's band. Values are (DN + BOA_ADD_OFFSET) ×
  reflectance scale (1/QUANTIFICATION_VALUE by default); 20 m bands are replicated onto the 10 m grid
  (nearest neighbour), 10 m bands averaged onto a 20 m grid.
- Generic raster (``--band-map red=3,nir=8 --reflectance-scale 0.001``): band numbers of one file;
  values are DN × scale; the raster's no-data value is no data. Its flags come from a scene
  classification raster given with ``--scl`` (any grid of the same CRS: each pixel takes the class of
  the SCL cell containing its centre, 0 outside it); without one every pixel is land.

Errors use the spec's codes: a missing file is E_INPUT_NOT_FOUND, a Level-1C or unknown product
E_UNSUPPORTED_PRODUCT, a missing band E_MISSING_BAND.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

import numpy as np
import pystac
import rasterio
from rasterio.errors import RasterioError, RasterioIOError
from rasterio.windows import Window
from s4c_common.errors import InputError
from s4c_common.raster import Grid
from s4c_common.s2 import L2AProduct, open_l2a, scl_to_flags
from s4c_common.s2.bands import NATIVE_RESOLUTION, check_band
from s4c_common.stac import CATALOG_FILE, StagedItem, read_items
from shapely.geometry.base import BaseGeometry

from .aoi import subgrid

Units = Literal["reflectance", "dn"]

ROLE_BANDS: dict[str, str] = {
    "blue": "B02", "green": "B03", "red": "B04", "rededge1": "B05", "rededge2": "B06", "rededge3": "B07",
    "nir": "B08", "nir08": "B8A", "swir1": "B11", "swir2": "B12",
}  # fmt: skip
GENERIC_SUFFIXES = (".tif", ".tiff", ".vrt", ".img", ".kea", ".nc", ".jp2")
_DATE_IN_NAME = re.compile(r"(?<!\d)(\d{8})(?:T(\d{6}))?(?!\d)")


class Source(Protocol):
    """One input product as the processor sees it."""

    label: str  # for messages
    product_id: str
    tile: str
    sensing_time: dt.datetime
    derived_from: str  # href of the input, for the output item's derived_from link
    grid: Grid  # output grid

    def check_roles(self, roles: Sequence[str]) -> None:
        """E_MISSING_BAND (naming the band) unless every role can be read."""

    def read(self, roles: Sequence[str], window: Window) -> dict[str, np.ndarray]:
        """float32 values per role for ``window`` of :attr:`grid`, NaN where no data."""

    def base_flags(self, window: Window, shadow_flag: int) -> np.ndarray:
        """uint8 flags of the scene classification for ``window`` of :attr:`grid`."""

    def block_sizes(self, roles: Sequence[str]) -> list[int]:
        """Internal block sizes of the files read, in output pixels (window alignment)."""


def _offset(window: Window, origin: Window) -> Window:
    return Window(origin.col_off + window.col_off, origin.row_off + window.row_off, window.width, window.height)


@dataclass
class L2ASource:
    """A Sentinel-2 L2A product on its 10 or 20 m grid."""

    product: L2AProduct
    resolution: int
    band_map: Mapping[str, str]
    derived_from: str
    grid: Grid
    origin: Window  # the output grid's window in the tile grid

    @property
    def label(self) -> str:
        return self.product.files.label

    @property
    def product_id(self) -> str:
        return self.product.product_id

    @property
    def tile(self) -> str:
        return self.product.tile_id

    @property
    def sensing_time(self) -> dt.datetime:
        return self.product.sensing_time

    def band(self, role: str) -> str:
        return self.band_map.get(role, ROLE_BANDS[role])

    def check_roles(self, roles: Sequence[str]) -> None:
        for band in sorted({self.band(role) for role in roles} | {"SCL"}):
            path = self.product.band_path(band)
            try:
                with rasterio.open(path):
                    pass
            except RasterioIOError as exc:
                raise InputError(f"cannot read {band} of {self.label} ({path}): {exc}.", "E_INPUT_NOT_FOUND") from exc

    def read(self, roles: Sequence[str], window: Window) -> dict[str, np.ndarray]:
        tile_window = _offset(window, self.origin)
        return {role: self.product.read_reflectance(self.band(role), tile_window, self.resolution) for role in roles}

    def base_flags(self, window: Window, shadow_flag: int) -> np.ndarray:
        return scl_to_flags(self.product.read_scl(_offset(window, self.origin), self.resolution), shadow_flag)

    def block_sizes(self, roles: Sequence[str]) -> list[int]:
        sizes = []
        for band in sorted({self.band(role) for role in roles} | {"SCL"}):
            with rasterio.open(self.product.band_path(band)) as src:
                block = src.block_shapes[0][1]
            sizes.append(max(1, round(block * NATIVE_RESOLUTION[band] / self.resolution)))
        return sizes


@dataclass
class RasterSource:
    """A generic multi-band raster whose band numbers are given per role (tests, other sensors)."""

    path: Path
    band_numbers: Mapping[str, int]
    scale: float
    sensing_time: dt.datetime
    grid: Grid
    origin: Window
    nodata: float | None
    scl: Path | None = None

    @property
    def label(self) -> str:
        return str(self.path)

    @property
    def product_id(self) -> str:
        return self.path.stem

    @property
    def tile(self) -> str:
        return re.sub(r"[^A-Za-z0-9]", "", self.path.stem)

    @property
    def derived_from(self) -> str:
        return str(self.path.resolve())

    def check_roles(self, roles: Sequence[str]) -> None:
        with rasterio.open(self.path) as src:
            count = src.count
        for role in roles:
            number = self.band_numbers.get(role)
            if number is None:
                raise InputError(f"{self.path}: --band-map gives no band for '{role}'; add {role}=<band number>.", "E_MISSING_BAND")
            if not 1 <= number <= count:
                raise InputError(f"{self.path} has {count} bands; --band-map {role}={number} does not exist.", "E_MISSING_BAND")

    def read(self, roles: Sequence[str], window: Window) -> dict[str, np.ndarray]:
        tile_window = _offset(window, self.origin)
        out = {}
        try:
            with rasterio.open(self.path) as src:
                for role in roles:
                    raw = src.read(self.band_numbers[role], window=tile_window)
                    values = raw.astype(np.float32) * np.float32(self.scale)
                    if self.nodata is not None and not np.isnan(self.nodata):
                        values[raw == self.nodata] = np.nan
                    out[role] = values
        except RasterioError as exc:
            raise InputError(f"cannot read raster {self.path}: {exc}.", "E_INPUT_NOT_FOUND") from exc
        return out

    def base_flags(self, window: Window, shadow_flag: int) -> np.ndarray:
        if self.scl is None:
            return np.zeros((int(window.height), int(window.width)), dtype=np.uint8)
        return scl_to_flags(scl_on_grid(self.scl, self.grid, window), shadow_flag)

    def block_sizes(self, roles: Sequence[str]) -> list[int]:
        with rasterio.open(self.path) as src:
            return [src.block_shapes[0][1]]


def scl_on_grid(path: Path, grid: Grid, window: Window) -> np.ndarray:
    """SCL classes (uint8) at the pixel centres of ``window`` of ``grid``: the class of the SCL cell
    containing each centre (nearest neighbour whatever the SCL's resolution and origin), 0 outside."""
    transform = grid.transform
    xs = transform.c + (np.arange(window.col_off, window.col_off + window.width) + 0.5) * transform.a
    ys = transform.f + (np.arange(window.row_off, window.row_off + window.height) + 0.5) * transform.e
    try:
        with rasterio.open(path) as src:
            cols = np.floor((xs - src.transform.c) / src.transform.a).astype(np.int64)
            rows = np.floor((ys - src.transform.f) / src.transform.e).astype(np.int64)
            col_in, row_in = (cols >= 0) & (cols < src.width), (rows >= 0) & (rows < src.height)
            out = np.zeros((len(rows), len(cols)), dtype=np.uint8)
            if not col_in.any() or not row_in.any():
                return out
            c0, c1, r0, r1 = cols[col_in].min(), cols[col_in].max() + 1, rows[row_in].min(), rows[row_in].max() + 1
            block = src.read(1, window=Window(c0, r0, c1 - c0, r1 - r0))
    except RasterioError as exc:
        raise InputError(f"cannot read the scene classification {path}: {exc}.", "E_INPUT_NOT_FOUND") from exc
    out[np.ix_(row_in, col_in)] = block[np.ix_(rows[row_in] - r0, cols[col_in] - c0)].astype(np.uint8)
    return out


# ----------------------------------------------------------------------------- opening


@dataclass(frozen=True)
class ReadOptions:
    """How inputs are read (the reading part of the processor's options)."""

    resolution: int = 10
    band_map: Mapping[str, str] = dataclasses.field(default_factory=dict)
    reflectance_scale: float | None = None
    reflectance_units: Units = "reflectance"
    apply_boa_offset: bool = True
    acquisition_time: dt.datetime | None = None
    aoi: BaseGeometry | None = None
    scl: tuple[Path, ...] = ()  # scene classification rasters of the generic inputs, in order


def _crop(grid: Grid, aoi: BaseGeometry | None) -> tuple[Grid, Window]:
    if aoi is None:
        return grid, Window(0, 0, grid.width, grid.height)
    return subgrid(grid, aoi)


def _l2a_source(source: str | Path | pystac.Item | StagedItem, options: ReadOptions, derived_from: str) -> L2ASource:
    product = open_l2a(source)
    bad_roles = sorted(set(options.band_map) - set(ROLE_BANDS))
    if bad_roles:
        raise InputError(f"--band-map roles {', '.join(bad_roles)} are unknown; roles are {', '.join(ROLE_BANDS)}.", "E_PARAM")
    try:
        band_map = {role: check_band(band) for role, band in options.band_map.items()}
    except ValueError as exc:
        raise InputError(f"--band-map for an L2A product names Sentinel-2 bands (e.g. nir=B8A): {exc}.", "E_PARAM") from exc
    if options.reflectance_units == "dn":
        quantification = 1.0  # DN + offset, as Sen4CAP computes
    elif options.reflectance_scale is not None:
        quantification = 1.0 / options.reflectance_scale
    else:
        quantification = product.quantification
    offsets = product.boa_offset if options.apply_boa_offset else dict.fromkeys(product.boa_offset, 0.0)
    product = dataclasses.replace(product, quantification=quantification, boa_offset=offsets)
    grid, origin = _crop(product.grid(options.resolution), options.aoi)
    return L2ASource(product, options.resolution, band_map, derived_from, grid, origin)


def _acquisition_from_name(path: Path) -> dt.datetime | None:
    match = _DATE_IN_NAME.search(path.stem)
    if match is None:
        return None
    text = match.group(1) + "T" + (match.group(2) or "000000")
    try:
        return dt.datetime.strptime(text, "%Y%m%dT%H%M%S").replace(tzinfo=dt.UTC)
    except ValueError:
        return None


def _check_scl(scl: Path, crs: object) -> None:
    try:
        with rasterio.open(scl) as src:
            scl_crs = src.crs
    except RasterioIOError as exc:
        raise InputError(f"cannot read the scene classification {scl}: {exc}.", "E_INPUT_NOT_FOUND") from exc
    if scl_crs is None or scl_crs != crs:
        raise InputError(f"the scene classification {scl} is not in the CRS of its raster ({crs}); reproject it first.", "E_BAD_CRS")


def _raster_source(path: Path, options: ReadOptions, scl: Path | None = None) -> RasterSource:
    if options.reflectance_scale is None and options.reflectance_units == "reflectance":
        raise InputError(f"{path} is a generic raster: give --reflectance-scale (e.g. 0.001 for reflectance × 1000).", "E_PARAM")
    try:
        numbers = {role: int(band) for role, band in options.band_map.items()}
    except ValueError as exc:
        raise InputError(f"{path} is a generic raster: --band-map must give band numbers (e.g. red=3,nir=8).", "E_PARAM") from exc
    try:
        with rasterio.open(path) as src:
            crs, nodata, grid = src.crs, src.nodata, Grid.of(src)
            tags = src.tags()
    except RasterioIOError as exc:
        raise InputError(f"cannot read raster {path}: {exc}.", "E_INPUT_NOT_FOUND") from exc
    if crs is None:
        raise InputError(f"{path} has no coordinate reference system; georeference it first.", "E_BAD_CRS")
    sensing = options.acquisition_time or _acquisition_from_name(path)
    if sensing is None and "TIFFTAG_DATETIME" in tags:
        sensing = dt.datetime.strptime(tags["TIFFTAG_DATETIME"], "%Y:%m:%d %H:%M:%S").replace(tzinfo=dt.UTC)
    if sensing is None:
        raise InputError(f"{path} does not say when it was acquired: give --acquisition-time.", "E_PARAM")
    if scl is not None:
        _check_scl(scl, crs)
    grid, origin = _crop(grid, options.aoi)
    scale = 1.0 if options.reflectance_units == "dn" else float(options.reflectance_scale)  # type: ignore[arg-type]
    return RasterSource(path, numbers, scale, sensing, grid, origin, nodata, scl)


def _is_generic_raster(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() in GENERIC_SUFFIXES


def open_source(product: str | Path | pystac.Item | StagedItem, options: ReadOptions, scl: Path | None = None) -> Source:
    """One product: a SAFE folder or zip, a STAC item (object, staged item or JSON file), or a generic raster (and its SCL)."""
    if isinstance(product, pystac.Item):
        return _l2a_source(product, options, product.get_self_href() or product.id)
    if isinstance(product, StagedItem):
        return _l2a_source(product, options, product.item.get_self_href() or product.item.id)
    path = Path(product)
    if not path.exists():
        raise InputError(f"input {path} does not exist.", "E_INPUT_NOT_FOUND")
    if _is_generic_raster(path):
        return _raster_source(path, options, scl)
    return _l2a_source(path, options, str(path.resolve()))


def open_sources(inputs: Sequence[str | Path], options: ReadOptions) -> list[Source]:
    """Every product of ``inputs`` (STAC catalog folders or files, SAFE folders/zips, item files, rasters), in order."""
    generic = [Path(entry) for entry in inputs if _is_generic_raster(Path(entry))]
    if options.scl and len(options.scl) != len(generic):
        raise InputError(f"--scl was given {len(options.scl)} time(s) for {len(generic)} generic raster input(s); give one per raster, in order.", "E_PARAM")
    scl_of = dict(zip(generic, options.scl, strict=False))
    sources: list[Source] = []
    for entry in inputs:
        path = Path(entry)
        if (path.is_dir() and (path / CATALOG_FILE).is_file()) or path.suffix.lower() == ".json":
            staged = read_items(path)
            sources.extend(open_source(item, options) for item in staged)
        else:
            sources.append(open_source(path, options, scl_of.get(path)))
    return sources
