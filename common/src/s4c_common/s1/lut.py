"""Interpolation of annotation LUT vectors (calibration, noise range) to image pixels.

The spec rule (s1-preprocessing.md B.2): vectors are given at irregular lines,
each with its own pixel array; for image pixel (l, p) interpolate every vector
linearly in pixel, then linearly in line between the two vectors bracketing l,
clamping outside the first/last vector and pixel. Values at the LUT nodes are
thus reproduced exactly. The evaluation is exact for every pixel of the
requested window (no coarse grid), so memory is bounded by the window size.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from rasterio.windows import Window


def window_axes(window: Window | None, lines: int, samples: int) -> tuple[np.ndarray, np.ndarray]:
    """Image line and pixel indices covered by ``window`` (the whole image when None)."""
    if window is None:
        return np.arange(lines), np.arange(samples)
    row, col = int(window.row_off), int(window.col_off)
    return np.arange(row, row + int(window.height)), np.arange(col, col + int(window.width))


def line_weights(vector_lines: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Indices of the vectors bracketing each row and the weight of the second one (clamped outside)."""
    n = len(vector_lines)
    lower = np.clip(np.searchsorted(vector_lines, rows, side="right") - 1, 0, n - 1)
    upper = np.minimum(lower + 1, n - 1)
    span = (vector_lines[upper] - vector_lines[lower]).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        weight = np.where(span > 0, (rows - vector_lines[lower]) / span, 0.0)
    return lower, upper, np.clip(weight, 0.0, 1.0)


def interpolate_vectors(
    vector_lines: np.ndarray,
    vector_pixels: Sequence[np.ndarray],
    vector_values: Sequence[np.ndarray],
    rows: np.ndarray,
    cols: np.ndarray,
) -> np.ndarray:
    """LUT value (float64) at every (row, col) of the grid ``rows`` × ``cols``; vectors sorted by line."""
    lower, upper, weight = line_weights(np.asarray(vector_lines), rows)
    needed = np.unique(np.concatenate([lower, upper]))
    along_pixels = np.empty((len(vector_lines), len(cols)))
    for k in needed:
        along_pixels[k] = np.interp(cols, vector_pixels[k], vector_values[k])
    result = along_pixels[lower]
    step = along_pixels[upper]
    step -= result
    step *= weight[:, None]
    result += step  # a + w·(b − a): exactly a at the vector lines (w = 0)
    return result
