"""Range-Doppler terrain correction (spec E): backward geocoding of radar images onto the output grid.

For every output block: DEM heights on the grid; at coarse nodes (every ``NODE_STEP`` pixels) the
ground point at three heights spanning the block's relief → ECEF → zero-Doppler time and slant range
(Newton on the orbit polynomial); those smooth functions of (x, y, h) are interpolated bilinearly in
(x, y) and quadratically in h to every pixel, then mapped to radar (row, col) and the image is sampled.
Interpolating a 320 m node lattice costs millimetres of position (the functions are near-linear over
that distance) and saves a Newton solve per pixel.

Several sub-swaths (debursted SLC) are merged by slant range, switching in the middle of their overlap.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import rasterio
import shapely
from pyproj import Transformer
from rasterio.windows import Window
from s4c_common.blocks import process_windows
from s4c_common.raster import Grid, block_windows
from shapely.geometry.base import BaseGeometry

from ..coarse_grid import nodes, upsample
from .dem_heights import DemOnGrid
from .ellipsoid import to_ecef
from .image_geometry import DeburstGeometry, GrdGeometry
from .orbit_fit import OrbitPolynomial
from .range_doppler import zero_doppler
from .resampling import Sampler
from .terrain_flattening import flattening_factor

log = logging.getLogger("s4c.s1_preprocessing")

NODE_STEP = 16  # output pixels between range-Doppler nodes
FLAT_RELIEF = 0.01  # m: a block flatter than this is solved at one height


@dataclass(frozen=True)
class RadarImage:
    """Images of one radar geometry (a GRD, or one debursted sub-swath): polarisation → float32 image."""

    geometry: GrdGeometry | DeburstGeometry
    bands: dict[str, np.ndarray]


@dataclass(frozen=True)
class BlockGeometry:
    """Per-pixel range-Doppler solution of one output block."""

    heights: np.ndarray  # ellipsoidal, NaN = no DEM
    t: np.ndarray | None  # zero-Doppler time (s since the orbit epoch), None when (row, col) were interpolated
    slant_range: np.ndarray | None
    row: np.ndarray | None  # single smooth geometry: radar (row, col) interpolated directly
    col: np.ndarray | None
    lonlat: tuple[np.ndarray, np.ndarray] | None  # per pixel, when terrain flattening needs the ground points


_local = threading.local()


def _to_lonlat(crs_wkt: str) -> Transformer:
    """A transformer per thread (pyproj transformers are not shared between threads)."""
    cache = _local.__dict__.setdefault("transformers", {})
    if crs_wkt not in cache:
        cache[crs_wkt] = Transformer.from_crs(crs_wkt, 4326, always_xy=True)
    return cache[crs_wkt]


def _quadratic(values: list[np.ndarray]) -> list[np.ndarray]:
    """Coefficients (c0, c1, c2) of c0 + c1·z + c2·z² through values at z = −1, 0, 1 (or the constant)."""
    if len(values) == 1:
        return values
    below, centre, above = values
    return [centre, 0.5 * (above - below), 0.5 * (above + below) - centre]


class TerrainCorrection:
    """Geocode radar images sharing one orbit onto ``grid`` with the DEM heights of ``dem``."""

    def __init__(
        self,
        images: Sequence[RadarImage],
        orbit: OrbitPolynomial,
        grid: Grid,
        dem: DemOnGrid | None,
        *,
        resampling: str = "bilinear",
        flatten: bool = False,
        area: BaseGeometry | None = None,
    ):
        self.images = sorted(images, key=lambda img: getattr(img.geometry, "first_range", 0.0))
        self.orbit = orbit
        self.grid = grid
        self.dem = dem
        self.resampling = resampling
        self.flatten = flatten
        self.area = area
        if area is not None:
            shapely.prepare(area)
        self.direct = len(self.images) == 1 and self.images[0].geometry.smooth and not flatten
        geometries = [img.geometry for img in self.images]
        self.switch_ranges = np.array([(a.last_range + b.first_range) / 2 for a, b in itertools.pairwise(geometries)])

    def block_geometry(self, window: Window) -> BlockGeometry | None:
        heights = self.dem.read(window)
        valid = np.isfinite(heights)
        if not valid.any():
            return None
        shape = heights.shape
        rows, cols = nodes(shape[0], NODE_STEP), nodes(shape[1], NODE_STEP)
        transform = rasterio.windows.transform(window, self.grid.transform)
        x, y = transform @ np.meshgrid(cols + 0.5, rows + 0.5)
        lon, lat = _to_lonlat(self.grid.crs.to_wkt()).transform(x, y)
        low, high = float(np.nanmin(heights)), float(np.nanmax(heights))
        levels = [low] if high - low < FLAT_RELIEF else [low, (low + high) / 2, high]
        t_start = 0.0
        nodes_values = []
        for level in levels:
            t, slant_range = zero_doppler(self.orbit, to_ecef(lon, lat, np.full(lon.shape, level)), t_start)
            t_start = float(np.median(t))
            nodes_values.append(np.stack(self.images[0].geometry.coordinates(t, slant_range) if self.direct else (t, slant_range)))
        # (row, col) in float32 is exact to 0.002 pixel; time and range need float64
        coefficients = [upsample(c, rows, cols, shape, np.float32 if self.direct else np.float64) for c in _quadratic(nodes_values)]
        fine = coefficients[-1]
        if len(levels) > 1:
            z = np.where(valid, (heights - levels[1]) / (0.5 * (high - low)), 0.0).astype(fine.dtype)
            fine = coefficients[1] + z * coefficients[2]
            fine *= z
            fine += coefficients[0]
        lonlat = tuple(upsample(np.stack([lon, lat]), rows, cols, shape)) if self.flatten else None
        if self.direct:
            return BlockGeometry(heights, None, None, fine[0], fine[1], None)
        return BlockGeometry(heights, fine[0], fine[1], None, None, lonlat)

    def _sample_images(self, geometry: BlockGeometry, polarisations: Sequence[str]) -> dict[str, np.ndarray]:
        shape = geometry.heights.shape
        result = {pol: np.full(shape, np.nan, np.float32) for pol in polarisations}
        valid = np.isfinite(geometry.heights)
        if self.direct:
            image = self.images[0]
            sampler = Sampler(image.geometry.shape, geometry.row[valid], geometry.col[valid], self.resampling)
            for pol in polarisations:
                result[pol][valid] = sampler(image.bands[pol])
            return result
        swath = np.searchsorted(self.switch_ranges, geometry.slant_range)
        for index, image in enumerate(self.images):
            mask = valid & (swath == index)
            if not mask.any():
                continue
            sampler = Sampler(image.geometry.shape, *image.geometry.coordinates(geometry.t[mask], geometry.slant_range[mask]), self.resampling)
            for pol in polarisations:
                result[pol][mask] = sampler(image.bands[pol])
        return result

    def _inside(self, window: Window) -> np.ndarray:
        """Pixel centres of the window inside ``area``."""
        rows, cols = np.mgrid[0 : int(window.height), 0 : int(window.width)]
        x, y = rasterio.windows.transform(window, self.grid.transform) @ (cols + 0.5, rows + 0.5)
        return shapely.contains_xy(self.area, x, y)

    def _flattening(self, geometry: BlockGeometry) -> np.ndarray:
        lon, lat = geometry.lonlat
        points = to_ecef(lon, lat, geometry.heights.astype(np.float64))
        return flattening_factor(points, self.orbit.position(geometry.t), self.orbit.velocity(geometry.t))

    def block(self, window: Window, polarisations: Sequence[str]) -> dict[str, np.ndarray]:
        """Geocoded values of every polarisation in one output window (float32, NaN no-data)."""
        geometry = self.block_geometry(window)
        if geometry is None:
            return {pol: np.full((int(window.height), int(window.width)), np.nan, np.float32) for pol in polarisations}
        values = self._sample_images(geometry, polarisations)
        if self.area is not None:
            outside = ~self._inside(window)
            for block in values.values():
                block[outside] = np.nan
        if self.flatten:
            factor = self._flattening(geometry)
            values = {pol: v * factor for pol, v in values.items()}
        return values

    def run(self, outputs: dict[str, Path], *, chunk_size: int, workers: int, finish: Callable[[np.ndarray], np.ndarray] | None = None) -> dict[str, Path]:
        """Write one float32 GeoTIFF per polarisation (NaN no-data), block by block."""
        polarisations = list(outputs)
        profile = {
            "driver": "GTiff",
            "width": self.grid.width,
            "height": self.grid.height,
            "count": 1,
            "dtype": "float32",
            "crs": self.grid.crs,
            "transform": self.grid.transform,
            "nodata": float("nan"),
            "tiled": True,
            "blockxsize": 512,
            "blockysize": 512,
            "BIGTIFF": "IF_SAFER",
        }
        writers = {pol: rasterio.open(path, "w", **profile) for pol, path in outputs.items()}
        started, writing = time.perf_counter(), 0.0
        try:
            windows = block_windows(self.grid.width, self.grid.height, chunk_size)
            for window, values in process_windows(lambda w: self.block(w, polarisations), windows, workers):
                start = time.perf_counter()
                for pol, block in values.items():
                    writers[pol].write(finish(block) if finish else block, 1, window=window)
                writing += time.perf_counter() - start
        finally:
            for writer in writers.values():
                writer.close()
        log.info("stage geocoding: %.1f s (of which writing %.1f s), %d x %d pixels", time.perf_counter() - started, writing, self.grid.width, self.grid.height)
        return outputs
