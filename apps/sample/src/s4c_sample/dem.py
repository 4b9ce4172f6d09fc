"""A digital elevation model of gentle hills, with heights above the WGS 84 ellipsoid.

Terrain is a few tens of metres of relief (smooth random fields at 2.5 km and
600 m) over a 45 m geoid undulation (EGM2008 is about 45–47 m in the south of
the Netherlands), so heights are ellipsoidal, as SAR geocoding wants them.
The DEM is made on a 30 m grid (the spacing of Copernicus DEM GLO-30) and
interpolated bilinearly to the 10 m scene grid for the SAR simulation.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from affine import Affine
from s4c_common.raster import CogWriter, Grid
from scipy import ndimage

from .noise import smooth_field

GEOID_UNDULATION_M = 45.0
DEM_PIXEL_SIZE = 30.0
TERRAIN_MEAN_M = 18.0
DEM_TAGS = {
    "VERTICAL_DATUM": "WGS 84 ellipsoid (EPSG:4979): heights are ellipsoidal, not orthometric",
    "GEOID_UNDULATION_M": f"{GEOID_UNDULATION_M:.1f} (EGM2008 in the area; orthometric height = value - undulation)",
    "UNITS": "metre",
    "SOURCE": "s4c-sample synthetic terrain",
}


def dem_grid(grid: Grid) -> Grid:
    """The 30 m grid covering the same area as the 10 m scene grid (whose size is a multiple of 3)."""
    scale = DEM_PIXEL_SIZE / grid.resolution
    transform = grid.transform @ Affine.scale(scale)
    return Grid(grid.crs, transform, round(grid.width / scale), round(grid.height / scale))


def make_dem(grid: Grid, rng: np.random.Generator) -> np.ndarray:
    """Ellipsoidal heights (float32) on ``grid``; feature sizes are in metres, whatever the pixel size."""
    shape = (grid.height, grid.width)
    hills = 7.0 * smooth_field(shape, 2500.0 / grid.resolution, rng) + 3.0 * smooth_field(shape, 600.0 / grid.resolution, rng)
    return (GEOID_UNDULATION_M + TERRAIN_MEAN_M + hills).astype(np.float32)


def resample_to(dem: np.ndarray, scale: float, shape: tuple[int, int]) -> np.ndarray:
    """Bilinear interpolation of pixel-area values to a grid ``scale`` times finer."""
    return ndimage.zoom(dem, scale, order=1, grid_mode=True, mode="nearest")[: shape[0], : shape[1]]


def write_dem(path: Path, dem: np.ndarray, grid: Grid) -> Path:
    with CogWriter(path, grid, "float32", nodata=None, overviews=True, band_descriptions=["height above the WGS 84 ellipsoid (m)"], tags=DEM_TAGS) as out:
        for window in grid.windows():
            rows = slice(window.row_off, window.row_off + window.height)
            cols = slice(window.col_off, window.col_off + window.width)
            out.write(dem[rows, cols], window)
    return path
