"""Ellipsoidal DEM heights on the output grid, read per block through a GDAL warped VRT."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import rasterio
from pyproj import Transformer
from rasterio.enums import Resampling
from rasterio.vrt import WarpedVRT
from rasterio.windows import Window
from s4c_common.raster import Grid

from ..dem import DemSource, geoid_transformer
from .resampling import sample

RESAMPLING = {"nearest": Resampling.nearest, "bilinear": Resampling.bilinear, "bicubic": Resampling.cubic}


@dataclass(frozen=True)
class DemOnGrid:
    """Heights above the WGS 84 ellipsoid (float32, NaN where the DEM has no data) of output-grid windows."""

    dem: DemSource
    grid: Grid
    resampling: str = "bilinear"

    def read(self, window: Window) -> np.ndarray:
        transform = rasterio.windows.transform(window, self.grid.transform)
        with rasterio.open(self.dem.path) as src:
            nodata = src.nodata if src.nodata is not None else np.nan
            options = {"crs": self.grid.crs, "transform": transform, "width": int(window.width), "height": int(window.height)}
            with WarpedVRT(src, **options, resampling=RESAMPLING[self.resampling], src_nodata=nodata, nodata=np.nan, dtype="float32") as vrt:
                heights = vrt.read(1, masked=False).astype(np.float32)
        return heights + self.dem.undulation_on(self.grid.crs, transform, heights.shape)


class DemAtPoints:
    """Ellipsoidal DEM heights at scattered lon/lat points (coregistration nodes), from the DEM area in memory."""

    def __init__(self, dem: DemSource, lonlat_bounds: tuple[float, float, float, float], resampling: str = "bilinear"):
        self.dem = dem
        self.resampling = resampling
        with rasterio.open(dem.path) as src:
            left, bottom, right, top = Transformer.from_crs(4326, dem.crs, always_xy=True).transform_bounds(*lonlat_bounds, densify_pts=21)
            window = rasterio.windows.from_bounds(left, bottom, right, top, src.transform).round_offsets().round_lengths()
            window = window.intersection(Window(0, 0, src.width, src.height))
            self.heights = src.read(1, window=window, boundless=False).astype(np.float32)
            if src.nodata is not None:
                self.heights[self.heights == src.nodata] = np.nan
            self.inverse = ~rasterio.windows.transform(window, src.transform)
        self.to_dem = Transformer.from_crs(4326, dem.crs, always_xy=True)

    def at(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Heights above the ellipsoid (float64, NaN outside the DEM or on its no-data)."""
        x, y = self.to_dem.transform(lon, lat)
        col, row = self.inverse @ (np.asarray(x), np.asarray(y))
        method = "nearest" if self.resampling == "nearest" else "bilinear"
        heights = sample(self.heights, np.asarray(row) - 0.5, np.asarray(col) - 0.5, method).astype(np.float64)
        if self.dem.vertical == "ellipsoidal":
            return heights
        if self.dem.undulation is not None:
            return heights + self.dem.undulation
        return heights + geoid_transformer(self.dem.vertical).transform(lon, lat, np.zeros(np.shape(lon)))[2]
