"""Raster I/O: grids, windowed reading, Cloud-Optimized GeoTIFF writing.

Writers go through a tiled GeoTIFF written block by block and are then
copied to a COG, so memory stays bounded by a block whatever the scene size.
No timestamps are written, so the same data give the same bytes.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import rasterio
from affine import Affine
from rasterio.crs import CRS
from rasterio.errors import RasterioIOError
from rasterio.shutil import copy as rio_copy
from rasterio.windows import Window

from .errors import InputError

COG_BLOCK = 512
DEFAULT_BLOCK = 1024


@dataclass(frozen=True)
class Grid:
    """A north-up raster grid: CRS, affine transform and size."""

    crs: CRS
    transform: Affine
    width: int
    height: int

    @property
    def resolution(self) -> float:
        return float(self.transform.a)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        left, top = self.transform.c, self.transform.f
        return (left, top + self.height * self.transform.e, left + self.width * self.transform.a, top)

    @property
    def shape(self) -> tuple[int, int]:
        return (self.height, self.width)

    @classmethod
    def from_bounds(cls, crs: CRS | str | int, bounds: tuple[float, float, float, float], resolution: float) -> Grid:
        """Grid covering ``bounds`` with square pixels, origin at the upper-left corner."""
        left, bottom, right, top = bounds
        width = math.ceil(round((right - left) / resolution, 6))
        height = math.ceil(round((top - bottom) / resolution, 6))
        return cls(CRS.from_user_input(crs), Affine(resolution, 0.0, left, 0.0, -resolution, top), width, height)

    @classmethod
    def of(cls, dataset: Any) -> Grid:
        """The grid of an open rasterio dataset."""
        return cls(dataset.crs, dataset.transform, dataset.width, dataset.height)

    def windows(self, block: int = DEFAULT_BLOCK) -> Iterator[Window]:
        """Row-major blocks of at most ``block`` × ``block`` pixels covering the grid."""
        yield from block_windows(self.width, self.height, block)


def block_windows(width: int, height: int, block: int = DEFAULT_BLOCK) -> Iterator[Window]:
    """Row-major windows of at most ``block`` × ``block`` covering a width × height raster."""
    for row in range(0, height, block):
        for col in range(0, width, block):
            yield Window(col, row, min(block, width - col), min(block, height - row))


def open_raster(path: str | os.PathLike[str]) -> rasterio.DatasetReader:
    """Open a raster, turning GDAL's failure into an input error that names the file."""
    try:
        return rasterio.open(path)
    except RasterioIOError as exc:
        raise InputError(f"cannot read raster {path}: {exc}.", "E_INPUT_NOT_FOUND") from exc


def _profile(grid: Grid, dtype: str, count: int, nodata: float | None, block: int, compression: dict[str, Any]) -> dict[str, Any]:
    return {
        "driver": "GTiff",
        "width": grid.width,
        "height": grid.height,
        "count": count,
        "dtype": dtype,
        "crs": grid.crs,
        "transform": grid.transform,
        "nodata": nodata,
        "tiled": True,
        "blockxsize": block,
        "blockysize": block,
        "interleave": "band",
        "BIGTIFF": "IF_SAFER",
        **compression,
    }


class CogWriter:
    """Write a Cloud-Optimized GeoTIFF window by window.

    Windows go to an uncompressed tiled staging file beside the target, which the
    COG driver compresses once (with its worker threads) when the writer closes;
    ``cog=False`` writes a compressed tiled GeoTIFF directly, with no copy.
    ``level`` is the DEFLATE/ZSTD level (GDAL's default when None; level 1 costs
    about 40 % less CPU than DEFLATE's default 6 for files about 0.2 % larger).

    >>> with CogWriter(path, grid, "int16", nodata=-10000) as out:
    ...     for window in grid.windows():
    ...         out.write(block, window)
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        grid: Grid,
        dtype: str,
        *,
        count: int = 1,
        nodata: float | None = None,
        compress: str = "deflate",
        level: int | None = None,
        overviews: bool = False,
        cog: bool = True,
        block: int = COG_BLOCK,
        band_descriptions: list[str] | None = None,
        tags: dict[str, str] | None = None,
    ):
        self.path = Path(path)
        self.grid = grid
        self.overviews = overviews
        self.compress = compress
        self.level = level
        self.cog = cog
        self.block = block
        self.band_descriptions = band_descriptions
        self.tags = tags or {}
        self._staging = self.path.with_name(f".{self.path.name}.staging.tif") if cog else self.path
        predictor = 3 if np.dtype(dtype).kind == "f" else 2
        if cog:
            compression: dict[str, Any] = {"compress": "none"}
        else:
            compression = {"compress": compress, "predictor": predictor, "num_threads": "ALL_CPUS"}
            if level is not None:
                compression["zlevel" if compress.lower() == "deflate" else "zstd_level"] = level
        self._profile = _profile(grid, dtype, count, nodata, block, compression)
        self._dst: rasterio.io.DatasetWriter | None = None

    def __enter__(self) -> CogWriter:
        with rasterio.Env(GDAL_PAM_ENABLED="NO"):
            self._dst = rasterio.open(self._staging, "w", **self._profile)
        if self.band_descriptions:
            for i, desc in enumerate(self.band_descriptions, start=1):
                self._dst.set_band_description(i, desc)
        if self.tags:
            self._dst.update_tags(**self.tags)
        return self

    def write(self, data: np.ndarray, window: Window | None = None, band: int | None = None) -> None:
        assert self._dst is not None
        if data.ndim == 2:
            self._dst.write(data, band or 1, window=window)
        else:
            self._dst.write(data, window=window)

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        assert self._dst is not None
        self._dst.close()
        try:
            if exc_type is None and self.cog:
                options = {"LEVEL": self.level} if self.level is not None else {}
                rio_copy(
                    self._staging,
                    self.path,
                    driver="COG",
                    COMPRESS=self.compress.upper(),
                    PREDICTOR="YES",
                    BLOCKSIZE=self.block,
                    OVERVIEWS="AUTO" if self.overviews else "NONE",
                    RESAMPLING="AVERAGE",
                    BIGTIFF="IF_SAFER",
                    NUM_THREADS="ALL_CPUS",
                    **options,
                )
            elif exc_type is not None:
                self.path.unlink(missing_ok=True)
        finally:
            if self.cog:
                self._staging.unlink(missing_ok=True)


def write_cog(
    path: str | os.PathLike[str],
    data: np.ndarray,
    grid: Grid,
    *,
    nodata: float | None = None,
    compress: str = "deflate",
    overviews: bool = False,
    band_descriptions: list[str] | None = None,
) -> Path:
    """Write a whole 2-D (or bands × rows × cols) array as a COG."""
    count = 1 if data.ndim == 2 else data.shape[0]
    with CogWriter(
        path,
        grid,
        str(data.dtype),
        count=count,
        nodata=nodata,
        compress=compress,
        overviews=overviews,
        band_descriptions=band_descriptions,
    ) as out:
        for window in grid.windows(DEFAULT_BLOCK * 2):
            rows = slice(window.row_off, window.row_off + window.height)
            cols = slice(window.col_off, window.col_off + window.width)
            out.write(data[..., rows, cols], window)
    return Path(path)
