"""Separable-kernel sampling of an image at fractional (row, col): nearest, bilinear, bicubic (Keys, a = −0.5).

Image pixel (r, c) has its centre at (r, c). A position whose kernel reaches outside the image or any
no-data (NaN) sample gives no-data, so no value is ever extrapolated.
"""

from __future__ import annotations

import numpy as np

KERNEL_SIZE = {"nearest": 1, "bilinear": 2, "bicubic": 4}


def _weights(fraction: np.ndarray, method: str) -> list[np.ndarray]:
    if method == "bilinear":
        return [1.0 - fraction, fraction]
    x = np.stack([1 + fraction, fraction, 1 - fraction, 2 - fraction])  # distances to the 4 taps
    a = -0.5
    near = ((a + 2) * x - (a + 3)) * x * x + 1
    far = ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return list(np.where(x <= 1, near, far))


def _taps(position: np.ndarray, method: str) -> tuple[np.ndarray, list[np.ndarray]]:
    """First tap index and the weights of the taps along one axis."""
    if method == "nearest":
        return np.floor(position + 0.5).astype(np.int64), [np.ones(position.shape, np.float32)]
    base = np.floor(position)
    fraction = (position - base).astype(np.float32)
    first = base.astype(np.int64) - (1 if method == "bicubic" else 0)
    return first, _weights(fraction, method)


class Sampler:
    """The kernel taps and weights of fractional positions in an image of ``shape``, applied to any image of that shape."""

    def __init__(self, shape: tuple[int, int], row: np.ndarray, col: np.ndarray, method: str = "bilinear"):
        self.size = KERNEL_SIZE[method]
        first_row, self.row_weights = _taps(row, method)
        first_col, self.col_weights = _taps(col, method)
        rows, self.cols = shape
        with np.errstate(invalid="ignore"):
            self.inside = (first_row >= 0) & (first_row + self.size <= rows) & (first_col >= 0) & (first_col + self.size <= self.cols)
        self.base = np.where(self.inside, first_row * self.cols + first_col, 0)

    def __call__(self, image: np.ndarray) -> np.ndarray:
        """``image`` (2-D, real or complex) at the positions; NaN (or NaN+NaNj) outside and next to no-data."""
        flat = image.ravel()
        result = np.zeros(self.base.shape, np.result_type(image.dtype, np.float32))
        for i in range(self.size):
            for j in range(self.size):
                result += self.row_weights[i] * self.col_weights[j] * flat[self.base + (i * self.cols + j)]
        result[~self.inside] = np.nan
        return result


def sample(image: np.ndarray, row: np.ndarray, col: np.ndarray, method: str = "bilinear") -> np.ndarray:
    """``image`` at fractional positions; NaN outside and next to no-data."""
    return Sampler(image.shape, row, col, method)(image)
