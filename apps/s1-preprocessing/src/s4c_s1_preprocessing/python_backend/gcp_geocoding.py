"""Geocoding with the annotation geolocation grid (spec F): flat-terrain fast path, only on request.

The grid gives, at about 21 × 10 points per image, the ground position (on the terrain heights of the
annotation) of a zero-Doppler time and slant range. Its inverse, lon/lat → (t, R), is interpolated
linearly over a Delaunay triangulation of the points; then the image is sampled as in range-Doppler
geocoding. Terrain deviating from the grid heights by Δh moves pixels by about Δh·cot θ on the ground,
which is why the processor refuses this mode over relief. Output pixels whose interpolation involves a
node outside the grid's convex hull (the image border) are no-data.
"""

from __future__ import annotations

import numpy as np
import rasterio
from rasterio.windows import Window
from s4c_common.s1.annotation import SwathAnnotation
from s4c_common.s1.coordinate_conversion import SPEED_OF_LIGHT
from scipy.interpolate import LinearNDInterpolator

from ..coarse_grid import nodes, upsample
from .orbit_fit import OrbitPolynomial
from .terrain_correction import NODE_STEP, BlockGeometry, TerrainCorrection, _to_lonlat


def grid_inverse(annotations: list[SwathAnnotation], orbit: OrbitPolynomial) -> LinearNDInterpolator:
    """lon/lat → (zero-Doppler time since the orbit epoch, slant range) from the geolocation grids of every swath."""
    lonlat, values = [], []
    for annotation in annotations:
        grid = annotation.geolocation
        lonlat.append(np.c_[grid.longitude, grid.latitude])
        values.append(np.c_[orbit.seconds(grid.azimuth_time), grid.slant_range_time * SPEED_OF_LIGHT / 2])
    return LinearNDInterpolator(np.concatenate(lonlat), np.concatenate(values))


class GcpGeocoding(TerrainCorrection):
    """TerrainCorrection whose (t, R) come from the geolocation grid instead of the DEM and the orbit."""

    def __init__(self, *args, inverse: LinearNDInterpolator, **kwargs):
        super().__init__(*args, **kwargs)
        self.inverse = inverse
        self.direct = False

    def block_geometry(self, window: Window) -> BlockGeometry | None:
        shape = (int(window.height), int(window.width))
        heights = self.dem.read(window) if self.dem is not None else np.zeros(shape, np.float32)
        if not np.isfinite(heights).any():
            return None
        rows, cols = nodes(shape[0], NODE_STEP), nodes(shape[1], NODE_STEP)
        x, y = rasterio.windows.transform(window, self.grid.transform) @ np.meshgrid(cols + 0.5, rows + 0.5)
        lon, lat = _to_lonlat(self.grid.crs.to_wkt()).transform(x, y)
        solution = np.moveaxis(self.inverse(lon, lat), -1, 0)  # (2, rows, cols), NaN outside the grid's convex hull
        inside = np.isfinite(solution[0])
        if not inside.any():
            return None
        # fill outside nodes so that the matrix interpolation stays finite, then drop every pixel they influence
        filled = np.where(inside, solution, np.nanmean(solution, axis=(1, 2))[:, None, None])
        t, slant_range = upsample(filled, rows, cols, shape)
        covered = upsample(inside.astype(float), rows, cols, shape) > 1 - 1e-9
        heights = np.where(covered, heights, np.nan).astype(np.float32)
        return BlockGeometry(heights, t, slant_range, None, None, None)
