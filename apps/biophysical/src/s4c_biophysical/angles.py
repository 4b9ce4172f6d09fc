"""The networks' angle inputs on an output grid: cos(VZA), cos(SZA) and cos(SAA − VAA).

The same geometry as :meth:`s4c_common.s2.L2AProduct.angles_on_grid` (``MTD_TL.xml`` node grids, viewing
angles averaged over bands and detectors, NaN nodes filled from the nearest valid node, bilinear
interpolation to pixel centres, azimuth differences taken on the circle), computed for what the
networks need only: the relative azimuth is interpolated once as one field, unwrapped on the node grid
so that no per-pixel wrapping is needed (its cosine does not care about whole turns), in float32.
"""

from __future__ import annotations

import numpy as np
from rasterio.windows import Window
from s4c_common.raster import Grid
from s4c_common.s2 import AngleGrids
from s4c_common.s2.angles import fill_nearest


def _wrap180(degrees: np.ndarray) -> np.ndarray:
    return (degrees + 180.0) % 360.0 - 180.0


def _weights(coords: np.ndarray, nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """Index of the node before each coordinate and the weight of the next one (clamped at the edges)."""
    lower = np.clip(np.floor(coords).astype(np.int64), 0, nodes - 2)
    return lower, np.clip(coords - lower, 0.0, 1.0)


class AngleCosines:
    """Callable ``window → (cos VZA, cos SZA, cos RAA)``, float32 arrays of the window's shape."""

    def __init__(self, angles: AngleGrids, grid: Grid):
        self.grid = grid
        self.origin = angles.origin
        self.step = angles.step
        view_zenith = fill_nearest(angles.view_zenith)
        sun_zenith = fill_nearest(angles.sun_zenith)
        relative = _wrap180(fill_nearest(angles.sun_azimuth) - fill_nearest(angles.view_azimuth))
        self.nodes = {"view_zenith": view_zenith, "sun_zenith": sun_zenith, "relative_azimuth": relative}

    def _along_columns(self, values: np.ndarray, cols: np.ndarray, circular: bool) -> np.ndarray:
        """Every node row interpolated at the pixel columns: (node rows, len(cols)) float64."""
        col0, weight = _weights(cols, values.shape[1])
        left, right = values[:, col0], values[:, col0 + 1]
        step = right - left
        along = left + weight * (_wrap180(step) if circular else step)
        if circular:  # whole turns between node rows removed, so the row interpolation below is a plain one
            along = np.unwrap(along, period=360.0, axis=0)
        return along

    def __call__(self, window: Window) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        resolution = self.grid.resolution
        x = self.grid.transform.c + (np.arange(window.col_off, window.col_off + window.width) + 0.5) * resolution
        y = self.grid.transform.f - (np.arange(window.row_off, window.row_off + window.height) + 0.5) * resolution
        rows = (self.origin[1] - y) / self.step[1]
        cols = (x - self.origin[0]) / self.step[0]
        row0, row_weight = _weights(rows, self.nodes["sun_zenith"].shape[0])
        weight = row_weight.astype(np.float32)[:, None]
        to_radians = np.float32(np.pi / 180.0)
        out = []
        for name, values in self.nodes.items():
            along = self._along_columns(values, cols, circular=name == "relative_azimuth").astype(np.float32)
            top = along[row0]
            step = along[row0 + 1]
            step -= top
            step *= weight
            top += step
            top *= to_radians
            out.append(np.cos(top, out=top))
        return out[0], out[1], out[2]
