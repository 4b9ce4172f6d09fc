"""Raster products as the reduction sees them: a grid, a column key, and windows of values with a validity mask.

A pixel is valid when its value is not a no-data value of the file or of the product type, is
finite, its flag (L3B ``MMONODFLG``, L2A SCL-derived flags) is 0 (land), and, for backscatter, is
positive (no logarithm otherwise); with ``zero_is_nodata`` (Sen4CAP compat) a value of exactly 0 is
invalid for every type.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import rasterio
from rasterio.windows import Window
from s4c_common.errors import InputError
from s4c_common.raster import Grid, open_raster
from s4c_common.s2 import L2AProduct, scl_to_flags

from .columns import ColumnKey, unpadded_band
from .registry import L2A, Kind, ProductType, Recognised

VALID_FLAG = 0


class RasterProduct(Protocol):
    key: ColumnKey
    type: ProductType
    grid: Grid
    product_id: str
    tile: str | None
    href: str  # the input, for derived_from links

    def read(self, window: Window) -> tuple[np.ndarray, np.ndarray]:
        """Values (stored dtype) and validity of ``window`` of :attr:`grid`."""
        ...

    def close(self) -> None:
        """Release the files :meth:`read` keeps open."""
        ...


def _grid_of(path: str) -> Grid:
    with open_raster(path) as src:
        if src.crs is None:
            raise InputError(f"raster {path} has no coordinate reference system; assign one (e.g. with gdal_edit.py -a_srs).", "E_BAD_CRS")
        if src.transform.b != 0 or src.transform.d != 0 or src.transform.e >= 0:
            raise InputError(f"raster {path} is not north-up; warp it to a north-up grid first.", "E_BAD_CRS")
        return Grid.of(src)


def _file_nodata(path: str) -> float | None:
    with open_raster(path) as src:
        return src.nodata


def _validity(values: np.ndarray, nodata: tuple[float, ...], kind: Kind, zero_is_nodata: bool) -> np.ndarray:
    valid = np.ones(values.shape, dtype=bool)
    for value in nodata:
        if not np.isnan(value):
            valid &= values != value
    if values.dtype.kind == "f":
        valid &= np.isfinite(values)
    if kind == Kind.BACKSCATTER:
        valid &= values > 0
    elif zero_is_nodata:
        valid &= values != 0
    return valid


@dataclass
class GeoTiffProduct:
    """One band of a GeoTIFF (L3B, S1), with an optional flags raster on the same grid."""

    found: Recognised
    zero_is_nodata: bool = False
    grid: Grid = field(init=False)
    nodata: tuple[float, ...] = field(init=False)
    _local: threading.local = field(init=False, repr=False, default_factory=threading.local)
    _open: list[rasterio.DatasetReader] = field(init=False, repr=False, default_factory=list)
    _lock: threading.Lock = field(init=False, repr=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.grid = _grid_of(self.found.image)
        file_nodata = _file_nodata(self.found.image)
        self.nodata = tuple(dict.fromkeys([*self.found.type.nodata, *([file_nodata] if file_nodata is not None else [])]))
        if self.found.flags is not None and _grid_of(self.found.flags) != self.grid:
            raise InputError(f"flags raster {self.found.flags} is not on the grid of {self.found.image}.", "E_SCHEMA")

    @property
    def key(self) -> ColumnKey:
        found = self.found
        return ColumnKey(found.date.strftime("%Y%m%d"), found.type.token, found.pol, found.orbit)

    @property
    def type(self) -> ProductType:
        return self.found.type

    @property
    def product_id(self) -> str:
        return self.found.product_id

    @property
    def tile(self) -> str | None:
        return self.found.tile

    @property
    def href(self) -> str:
        return self.found.image

    def _dataset(self, path: str) -> rasterio.DatasetReader:
        """``path`` opened once per thread (a dataset must not be read from two threads), kept until :meth:`close`."""
        datasets = self._local.__dict__.setdefault("datasets", {})
        if path not in datasets:
            datasets[path] = rasterio.open(path)
            with self._lock:
                self._open.append(datasets[path])
        return datasets[path]

    def read(self, window: Window) -> tuple[np.ndarray, np.ndarray]:
        values = self._dataset(self.found.image).read(self.found.band, window=window)
        valid = _validity(values, self.nodata, self.type.kind, self.zero_is_nodata)
        if self.found.flags is not None:
            valid &= self._dataset(self.found.flags).read(1, window=window) == VALID_FLAG
        return values, valid

    def close(self) -> None:
        with self._lock:
            for dataset in self._open:
                dataset.close()
            self._open.clear()
        self._local = threading.local()


@dataclass
class L2ABandProduct:
    """One band of a Sentinel-2 L2A product at its native resolution: surface reflectance (0–1), masked by the SCL."""

    product: L2AProduct
    band: str  # B02, B8A, ...
    resolution: int
    href: str
    zero_is_nodata: bool = False

    @property
    def grid(self) -> Grid:
        return self.product.grid(self.resolution)

    @property
    def key(self) -> ColumnKey:
        date = self.product.sensing_time.strftime("%Y%m%d")
        return ColumnKey(date, L2A.token, tile=self.product.tile_id, band=unpadded_band(self.band))

    @property
    def type(self) -> ProductType:
        return L2A

    @property
    def product_id(self) -> str:
        return self.product.product_id

    @property
    def tile(self) -> str | None:
        return self.product.tile_id

    def read(self, window: Window) -> tuple[np.ndarray, np.ndarray]:
        values = self.product.read_reflectance(self.band, window, resolution=self.resolution)
        valid = _validity(values, (), Kind.L2A, self.zero_is_nodata)
        valid &= scl_to_flags(self.product.read_scl(window, resolution=self.resolution)) == VALID_FLAG
        return values, valid

    def close(self) -> None:
        """Nothing to release: the L2A reader opens its files per read."""
