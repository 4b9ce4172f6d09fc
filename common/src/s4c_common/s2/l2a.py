"""Sentinel-2 L2A (Sen2Cor) products: reflectances, SCL and angles from a SAFE folder, SAFE zip or STAC item.

>>> product = open_l2a("S2B_MSIL2A_20240512T105619_N0510_R094_T31UFS_20240512T140114.SAFE")
>>> red = product.read_reflectance("B04")                   # float32, NaN where DN = 0
>>> swir = product.read_reflectance("B11", resolution=10)   # 20 m band replicated onto the 10 m grid
>>> flags = scl_to_flags(product.read_scl(resolution=10))

Reflectance = (DN + BOA_ADD_OFFSET) / QUANTIFICATION_VALUE (offset −1000 from baseline 04.00 on, 0 before).
Windows are in pixels of the grid the data are read onto (``resolution``, default the band's native one).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Literal

import numpy as np
import pystac
import rasterio
from affine import Affine
from rasterio.crs import CRS
from rasterio.errors import RasterioError
from rasterio.windows import Window

from ..errors import InputError
from ..raster import Grid, open_raster
from ..stac import StagedItem
from .angles import AngleGrids, angles_at, parse_angle_grids, relative_azimuth
from .bands import L2A_BANDS, RESOLUTIONS, check_band
from .metadata import parse_tile_geocoding
from .resample import bilinear, bilinear_coordinates, bilinear_span, block_nanmean, nearest_indices
from .safe import ProductFiles, safe_files
from .scl import scl_to_flags, scl_valid_mask
from .stac_item import item_files, safe_to_stac_item

__all__ = [
    "L2A_BANDS",
    "AngleGrids",
    "L2AProduct",
    "open_l2a",
    "relative_azimuth",
    "safe_to_stac_item",
    "scl_to_flags",
    "scl_valid_mask",
]

Upsampling = Literal["nearest", "bilinear"]


@dataclass(frozen=True)
class L2AProduct:
    """One Sentinel-2 L2A tile product. Open with :func:`open_l2a`."""

    product_id: str
    tile_id: str  # MGRS tile, e.g. "31UFS"
    sensing_time: dt.datetime  # UTC
    spacecraft: str  # "Sentinel-2A" / "Sentinel-2B" / "Sentinel-2C"
    processing_baseline: str  # "05.10"
    relative_orbit: int
    crs: CRS
    boa_offset: dict[str, float]  # DN offset per band (−1000 from baseline 04.00 on)
    quantification: float  # BOA_QUANTIFICATION_VALUE (10000)
    origin: tuple[float, float]  # upper-left corner (x, y) of the tile, shared by all resolutions
    size_10m: tuple[int, int]  # (width, height) of the 10 m grid
    files: ProductFiles = field(repr=False, compare=False)

    # ------------------------------------------------------------------ geometry

    def grid(self, resolution: int) -> Grid:
        """The tile's grid at 10, 20 or 60 m."""
        if resolution not in RESOLUTIONS:
            raise ValueError(f"resolution must be one of {RESOLUTIONS} m, got {resolution}")
        width, height = (round(n * 10 / resolution) for n in self.size_10m)
        return Grid(self.crs, Affine(resolution, 0.0, self.origin[0], 0.0, -resolution, self.origin[1]), width, height)

    def band_path(self, name: str) -> str:
        """GDAL-openable path of the band (``B01``..``B12``, ``B8A``, ``SCL``) file at its native resolution."""
        band = check_band(name)
        path = self.files.band_paths.get(band)
        if path is None:
            raise InputError(
                f"product {self.product_id} ({self.files.label}) has no band {band}; it has {', '.join(sorted(self.files.band_paths)) or 'no band files'}.",
                "E_MISSING_BAND",
            )
        return path

    # ------------------------------------------------------------------ pixels

    def read_reflectance(
        self,
        band: str,
        window: Window | None = None,
        resolution: int | None = None,
        upsampling: Upsampling = "nearest",
    ) -> np.ndarray:
        """Surface reflectance (float32, NaN where DN = 0) of ``window`` of the ``resolution`` grid.

        A coarser band is brought to a finer grid by ``upsampling`` (nearest = pixel replication, or
        bilinear); a finer band to a coarser grid by the mean of each block.
        """
        name = check_band(band)
        if name == "SCL":
            raise ValueError("SCL is a classification; read it with read_scl")
        offset = np.float32(self.boa_offset.get(name, 0.0))
        scale = np.float32(self.quantification)

        def to_reflectance(dn: np.ndarray) -> np.ndarray:
            values = (dn.astype(np.float32) + offset) / scale
            values[dn == 0] = np.nan
            return values

        return self._read(name, window, resolution, to_reflectance, upsampling, downsample_average=True)

    def read_scl(self, window: Window | None = None, resolution: int | None = None) -> np.ndarray:
        """Scene classification (uint8) of ``window`` of the ``resolution`` grid, resampled by nearest neighbour."""
        return self._read("SCL", window, resolution, lambda dn: dn.astype(np.uint8, copy=False), "nearest", downsample_average=False)

    def _read(
        self,
        band: str,
        window: Window | None,
        resolution: int | None,
        to_values: Callable[[np.ndarray], np.ndarray],
        upsampling: Upsampling,
        *,
        downsample_average: bool,
    ) -> np.ndarray:
        if upsampling not in ("nearest", "bilinear"):
            raise ValueError(f"upsampling must be 'nearest' or 'bilinear', got {upsampling!r}")
        path = self.band_path(band)
        with open_raster(path) as src:
            native = self._check_native_grid(src, path)
            target = self.grid(resolution or native)
            window = _checked_window(window, target)
            ratio = target.resolution / native
            read = _block_reader(src, path)
            if ratio == 1:
                return to_values(read(window.row_off, window.row_off + window.height, window.col_off, window.col_off + window.width))
            if ratio > 1 and downsample_average:
                factor = round(ratio)
                block = read(window.row_off * factor, (window.row_off + window.height) * factor,
                             window.col_off * factor, (window.col_off + window.width) * factor)  # fmt: skip
                return block_nanmean(to_values(block), factor)
            if ratio < 1 and upsampling == "bilinear":
                rows = bilinear_coordinates(window.row_off, window.height, ratio)
                cols = bilinear_coordinates(window.col_off, window.width, ratio)
                (row0, row1), (col0, col1) = bilinear_span(rows, src.height), bilinear_span(cols, src.width)
                return bilinear(to_values(read(row0, row1, col0, col1)), rows - row0, cols - col0)
            rows = nearest_indices(window.row_off, window.height, ratio)
            cols = nearest_indices(window.col_off, window.width, ratio)
            block = read(int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1)
            return to_values(block[np.ix_(rows - rows[0], cols - cols[0])])

    def _check_native_grid(self, src: rasterio.DatasetReader, path: str) -> int:
        resolution = round(src.res[0])
        expected = self.grid(resolution) if resolution in RESOLUTIONS else None
        if (
            expected is None
            or (src.width, src.height) != (expected.width, expected.height)
            or not np.allclose((src.transform.c, src.transform.f), self.origin, atol=1e-3 * resolution)
        ):
            raise InputError(
                f"{path} is not on the {resolution} m grid of tile {self.tile_id} "
                f"(origin {self.origin}, {self.size_10m[0]} × {self.size_10m[1]} pixels at 10 m).",
                "E_UNSUPPORTED_PRODUCT",
            )
        return resolution

    # ------------------------------------------------------------------ angles

    @cached_property
    def _angle_grids(self) -> AngleGrids:
        if self.files.granule_root is None:
            raise InputError(
                f"product {self.product_id} ({self.files.label}) has no granule metadata (MTD_TL.xml), which holds the angles.",
                "E_MISSING_BAND",
            )
        return parse_angle_grids(self.files.granule_root, self.origin, self.files.granule_label)

    def angles(self) -> AngleGrids:
        """Sun and viewing angle grids (5000 m nodes) from ``MTD_TL.xml``."""
        return self._angle_grids

    def angles_on_grid(self, resolution: int, window: Window | None = None, bands: Iterable[str] = ()) -> dict[str, np.ndarray]:
        """Angles (degrees, float32) at the pixel centres of ``window`` of the ``resolution`` grid.

        Keys ``sun_zenith``, ``sun_azimuth``, ``view_zenith``, ``view_azimuth`` (mean over bands and detectors)
        and ``view_zenith_<band>``, ``view_azimuth_<band>`` for each of ``bands``. Bilinear between nodes.
        """
        target = self.grid(resolution)
        window = _checked_window(window, target)
        x = target.transform.c + (np.arange(window.col_off, window.col_off + window.width) + 0.5) * resolution
        y = target.transform.f - (np.arange(window.row_off, window.row_off + window.height) + 0.5) * resolution
        return angles_at(self._angle_grids, x, y, [check_band(b) for b in bands])


def _checked_window(window: Window | None, grid: Grid) -> Window:
    if window is None:
        return Window(0, 0, grid.width, grid.height)
    col, row, width, height = (round(v) for v in (window.col_off, window.row_off, window.width, window.height))
    if col < 0 or row < 0 or width <= 0 or height <= 0 or col + width > grid.width or row + height > grid.height:
        raise ValueError(f"window {window} is outside the {grid.resolution:g} m grid of {grid.width} × {grid.height} pixels")
    return Window(col, row, width, height)


def _block_reader(src: rasterio.DatasetReader, path: str) -> Callable[[int, int, int, int], np.ndarray]:
    def read(row0: int, row1: int, col0: int, col1: int) -> np.ndarray:
        try:
            return src.read(1, window=Window(col0, row0, col1 - col0, row1 - row0))
        except RasterioError as exc:
            raise InputError(f"cannot read raster {path}: {exc}.", "E_INPUT_NOT_FOUND") from exc

    return read


def _tile_geometry(files: ProductFiles) -> tuple[CRS, tuple[float, float], tuple[int, int]]:
    """CRS, upper-left corner and 10 m size: from MTD_TL.xml, else from a band file."""
    if files.granule_root is not None:
        geocoding = parse_tile_geocoding(files.granule_root, files.granule_label)
        return CRS.from_epsg(geocoding.epsg), (geocoding.ulx, geocoding.uly), (geocoding.width, geocoding.height)
    if not files.band_paths:
        raise InputError(f"{files.label} has neither granule metadata nor band files.", "E_MISSING_BAND")
    path = files.band_paths[min(files.band_paths, key=lambda b: (b == "SCL", b))]
    with open_raster(path) as src:
        if src.crs is None:
            raise InputError(f"{path} has no coordinate reference system.", "E_BAD_CRS")
        resolution = src.res[0]
        return src.crs, (src.transform.c, src.transform.f), (round(src.width * resolution / 10), round(src.height * resolution / 10))


def open_l2a(source: str | os.PathLike[str] | pystac.Item | StagedItem) -> L2AProduct:
    """Open an L2A product: ``.SAFE`` folder, zip of it, STAC item (object or JSON file)."""
    if isinstance(source, pystac.Item | StagedItem):
        files = item_files(source)
    else:
        path = Path(source)
        if not path.exists():
            raise InputError(f"input {path} does not exist.", "E_INPUT_NOT_FOUND")
        if path.suffix.lower() == ".json":
            try:
                item = pystac.Item.from_file(str(path))
            except Exception as exc:  # pystac raises many types for bad JSON / non-items
                raise InputError(f"cannot read STAC item {path}: {exc}.", "E_INPUT_NOT_FOUND") from exc
            files = item_files(StagedItem(item, path.parent))
        else:
            files = safe_files(path)
    crs, origin, size = _tile_geometry(files)
    meta = files.metadata
    return L2AProduct(
        product_id=meta.product_id,
        tile_id=meta.tile_id,
        sensing_time=meta.sensing_time,
        spacecraft=meta.spacecraft,
        processing_baseline=meta.processing_baseline,
        relative_orbit=meta.relative_orbit,
        crs=crs,
        boa_offset=dict(meta.boa_offset),
        quantification=meta.quantification,
        origin=origin,
        size_10m=size,
        files=files,
    )
