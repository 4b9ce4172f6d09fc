"""Spatially correlated random fields (clouds, terrain, within-field variability), and per-label sums."""

from __future__ import annotations

import math

import numpy as np
from scipy import ndimage

PIXEL_NOISE_SCALE = np.float32(1 / 40)  # int8 pixel noise → unit variance


def smooth_field(shape: tuple[int, int], scale_px: float, rng: np.random.Generator) -> np.ndarray:
    """A smooth float32 field of unit variance whose features are about ``scale_px`` pixels wide.

    White noise on a grid ``scale_px`` times coarser, interpolated with cubic splines: cheap even
    for a whole tile.
    """
    height, width = shape
    factor = max(1.0, float(scale_px))
    coarse = rng.standard_normal((math.ceil(height / factor) + 1, math.ceil(width / factor) + 1)).astype(np.float32)
    field = ndimage.zoom(coarse, factor, order=3, grid_mode=True, mode="grid-mirror")[:height, :width]
    sample = field[:: max(1, height // 256), :: max(1, width // 256)]
    mean, std = np.float32(sample.mean()), np.float32(sample.std() or 1.0)
    field -= mean
    field /= std
    return field


def pixel_noise(shape: tuple[int, int], rng: np.random.Generator, correlation_px: float = 1.0) -> np.ndarray:
    """Unit-variance noise correlated over ``correlation_px`` pixels, stored as int8 (value × 40)."""
    field = rng.standard_normal(shape, dtype=np.float32)
    ndimage.gaussian_filter(field, correlation_px, output=field)
    field *= np.float32(40.0 / field[:: max(1, shape[0] // 512), :: max(1, shape[1] // 512)].std())
    np.rint(field, out=field)
    np.clip(field, -127, 127, out=field)
    return field.astype(np.int8)


def label_sums(labels: np.ndarray, count: int, weights: np.ndarray | None = None, block_rows: int = 1024) -> np.ndarray:
    """``np.bincount`` of a label raster (optionally weighted), row block by row block.

    bincount converts its input to 64-bit; by blocks, a whole tile costs a block, not 1 GB per call.
    """
    total = np.zeros(count, dtype=np.float64 if weights is not None else np.int64)
    for start in range(0, labels.shape[0], block_rows):
        rows = slice(start, start + block_rows)
        block_weights = None if weights is None else weights[rows].ravel().astype(np.float64)
        total += np.bincount(labels[rows].ravel(), weights=block_weights, minlength=count)
    return total
