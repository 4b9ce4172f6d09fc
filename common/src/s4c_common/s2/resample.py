"""Resampling between the 10, 20 and 60 m grids of a tile, which share their upper-left corner.

Target pixel j has its centre at source coordinate (j + 0.5) × ratio, ratio = target / source pixel size.
- nearest: the source pixel containing that centre, i.e. pixel replication when upsampling by an
  integer factor (what Sen4CAP/OTB does for 20 m bands in 10 m indices);
- bilinear (upsampling): between the centres of the two source pixels around it, clamped at the edges;
- average (downsampling by an integer factor k): mean of the k × k block, ignoring NaN (like GDAL's
  average, which skips no-data), NaN when the whole block is NaN.
"""

from __future__ import annotations

import numpy as np


def nearest_indices(start: int, size: int, ratio: float) -> np.ndarray:
    """Source pixel index of target pixels ``start`` .. ``start + size - 1`` on one axis."""
    return np.floor((np.arange(start, start + size) + 0.5) * ratio + 1e-9).astype(np.int64)


def bilinear_coordinates(start: int, size: int, ratio: float) -> np.ndarray:
    """Fractional source pixel-centre coordinate of target pixels on one axis (0 = centre of source pixel 0)."""
    return (np.arange(start, start + size) + 0.5) * ratio - 0.5


def bilinear_span(coords: np.ndarray, length: int) -> tuple[int, int]:
    """First and last+1 source index a bilinear interpolation at ``coords`` reads, within 0 .. length."""
    first = int(np.clip(np.floor(coords.min()), 0, length - 1))
    last = int(np.clip(np.floor(coords.max()) + 1, 0, length - 1))
    return first, last + 1


def bilinear(block: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Bilinear interpolation of ``block`` at fractional ``rows`` × ``cols`` (block coordinates); NaN propagates."""
    values = block.astype(np.float32, copy=False)
    if values.shape[0] == 1:
        values = np.repeat(values, 2, axis=0)
    if values.shape[1] == 1:
        values = np.repeat(values, 2, axis=1)
    row0 = np.clip(np.floor(rows).astype(np.int64), 0, values.shape[0] - 2)
    col0 = np.clip(np.floor(cols).astype(np.int64), 0, values.shape[1] - 2)
    row_weight = np.clip(rows - row0, 0.0, 1.0).astype(np.float32)[:, None]
    col_weight = np.clip(cols - col0, 0.0, 1.0).astype(np.float32)
    along_cols = values[:, col0] * (1 - col_weight) + values[:, col0 + 1] * col_weight
    return along_cols[row0] * (1 - row_weight) + along_cols[row0 + 1] * row_weight


def block_nanmean(values: np.ndarray, factor: int) -> np.ndarray:
    """Mean of ``factor`` × ``factor`` blocks ignoring NaN → float32; shape must be divisible by ``factor``."""
    if factor == 1:
        return values.astype(np.float32)
    rows, cols = values.shape
    blocks = values.reshape(rows // factor, factor, cols // factor, factor)
    valid = np.isfinite(blocks)
    total = np.where(valid, blocks, 0.0).sum(axis=(1, 3), dtype=np.float64)
    count = valid.sum(axis=(1, 3))
    out = np.full(total.shape, np.nan, dtype=np.float32)
    np.divide(total, count, out=out, where=count > 0, casting="unsafe")
    return out
