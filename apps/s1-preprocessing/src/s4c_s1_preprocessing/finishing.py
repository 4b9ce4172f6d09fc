"""From a back end's GeoTIFF to a product COG: no-data convention, no-data border crop, tile grids (spec H)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import rasterio
from rasterio.enums import Resampling
from rasterio.shutil import copy as rio_copy
from rasterio.vrt import WarpedVRT
from rasterio.windows import Window
from s4c_common.raster import COG_BLOCK, CogWriter, Grid, block_windows

SCAN_BLOCK = 2048
COG_OPTIONS = {"COMPRESS": "DEFLATE", "PREDICTOR": "YES", "BLOCKSIZE": COG_BLOCK, "OVERVIEWS": "NONE", "BIGTIFF": "IF_SAFER", "NUM_THREADS": "ALL_CPUS"}


def _as_nan(block: np.ndarray, nodata: float | None) -> np.ndarray:
    """Float32 with NaN for no-data (back ends may declare 0 or another value)."""
    block = block.astype(np.float32, copy=False)
    if nodata is not None and not math.isnan(nodata):
        block = np.where(block == nodata, np.nan, block)
    return block


def valid_window(src: rasterio.DatasetReader) -> Window | None:
    """Smallest window holding every valid pixel, None when there is none."""
    rows, cols = [], []
    for window in block_windows(src.width, src.height, SCAN_BLOCK):
        valid = np.isfinite(_as_nan(src.read(1, window=window), src.nodata))
        if valid.any():
            r, c = np.flatnonzero(valid.any(axis=1)), np.flatnonzero(valid.any(axis=0))
            rows += [window.row_off + r[0], window.row_off + r[-1]]
            cols += [window.col_off + c[0], window.col_off + c[-1]]
    if not rows:
        return None
    return Window(min(cols), min(rows), max(cols) - min(cols) + 1, max(rows) - min(rows) + 1)


def _aligned(src: rasterio.DatasetReader, grid: Grid) -> bool:
    """Same CRS and pixel size, origins a whole number of pixels apart: a copy, no interpolation."""
    a, b = src.transform, grid.transform
    if src.crs != grid.crs or not math.isclose(a.a, b.a) or not math.isclose(a.e, b.e):
        return False
    return all(abs(v - round(v)) < 1e-6 for v in ((b.c - a.c) / a.a, (b.f - a.f) / a.e))


def write_product(source: Path, target: Path, nodata: float, *, grid: Grid | None = None, crop: bool = True) -> Grid | None:
    """Write ``source`` as a float32 COG ``target`` (on ``grid`` if given, else cropped to its data when ``crop``).

    No-data pixels get ``nodata`` (NaN, or 0 for Sen4CAP names). Returns the written grid, or None (and
    writes nothing) when the result would hold no valid pixel.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    with rasterio.open(source) as src:
        if grid is None:
            window = valid_window(src) if crop else Window(0, 0, src.width, src.height)
            if window is None:
                return None
            out_grid = Grid(src.crs, rasterio.windows.transform(window, src.transform), int(window.width), int(window.height))
            if math.isnan(nodata) and src.nodata is not None and math.isnan(src.nodata):
                # same no-data convention: one COG copy of the window, without a block-by-block pass
                srcwin = ",".join(str(int(v)) for v in (window.col_off, window.row_off, window.width, window.height))
                rio_copy(f"vrt://{source}?srcwin={srcwin}", target, driver="COG", **COG_OPTIONS)
                return out_grid

            def read(w: Window) -> np.ndarray:
                return src.read(1, window=Window(w.col_off + window.col_off, w.row_off + window.row_off, w.width, w.height))

            return _copy(read, src.nodata, target, out_grid, nodata)
        resampling = Resampling.nearest if _aligned(src, grid) else Resampling.bilinear
        options = {"crs": grid.crs, "transform": grid.transform, "width": grid.width, "height": grid.height}
        src_nodata = src.nodata if src.nodata is not None else np.nan
        with WarpedVRT(src, **options, resampling=resampling, src_nodata=src_nodata, nodata=np.nan, dtype="float32") as vrt:
            return _copy(lambda w: vrt.read(1, window=w), np.nan, target, grid, nodata)


def _copy(read, src_nodata: float | None, target: Path, grid: Grid, nodata: float) -> Grid | None:
    any_valid = False
    with CogWriter(target, grid, "float32", nodata=nodata) as out:
        for window in grid.windows():
            block = _as_nan(read(window), src_nodata)
            valid = np.isfinite(block)
            any_valid |= bool(valid.any())
            out.write(np.where(valid, block, np.float32(nodata)), window)
    if not any_valid:
        target.unlink()
        return None
    return grid
