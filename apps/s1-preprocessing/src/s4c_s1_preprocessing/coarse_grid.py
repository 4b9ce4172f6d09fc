"""Smooth fields computed at coarse grid nodes and interpolated bilinearly to every pixel.

The interpolation is separable: along columns a small matrix product with the (cols × nodes) weights,
along rows a two-row blend per output row, about five operations per output pixel.
"""

from __future__ import annotations

import numpy as np


def nodes(size: int, step: int) -> np.ndarray:
    """Node indices 0, step, 2·step, … and always the last index ``size − 1``."""
    return np.unique(np.r_[0:size:step, size - 1])


def _weights(node_index: np.ndarray, size: int) -> np.ndarray:
    """(size, nodes) linear interpolation matrix from node values to indices 0 … size − 1."""
    matrix = np.zeros((size, len(node_index)))
    if len(node_index) == 1:
        matrix[:, 0] = 1.0
        return matrix
    position = np.arange(size)
    upper = np.clip(np.searchsorted(node_index, position, side="right"), 1, len(node_index) - 1)
    lower = upper - 1
    fraction = (position - node_index[lower]) / (node_index[upper] - node_index[lower])
    matrix[position, lower] = 1.0 - fraction
    matrix[position, upper] += fraction
    return matrix


def upsample(values: np.ndarray, node_rows: np.ndarray, node_cols: np.ndarray, shape: tuple[int, int], dtype: type = np.float64) -> np.ndarray:
    """Bilinear interpolation of ``values`` (..., rows, cols) given at ``node_rows`` × ``node_cols``."""
    along_cols = (np.asarray(values, np.float64) @ _weights(node_cols, shape[1]).T).astype(dtype, copy=False)
    if len(node_rows) == 1:
        return np.broadcast_to(along_cols, (*along_cols.shape[:-2], shape[0], shape[1])).copy()
    position = np.arange(shape[0])
    upper = np.clip(np.searchsorted(node_rows, position, side="right"), 1, len(node_rows) - 1)
    lower = upper - 1
    fraction = ((position - node_rows[lower]) / (node_rows[upper] - node_rows[lower])).astype(dtype)[:, None]
    result = along_cols[..., upper, :] - along_cols[..., lower, :]
    result *= fraction
    result += along_cols[..., lower, :]
    return result
