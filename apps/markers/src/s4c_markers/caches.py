"""Label caches of the grids met in a run, built on first use and kept while groups of their grid are reduced."""

from __future__ import annotations

import logging
from collections import OrderedDict

import numpy as np

from .labels import DEFAULT_WINDOW, LabelCache, build_label_cache
from .layers import overlap_layers
from .parcels import Buffers, Parcels, pixel_size_m
from .products import RasterProduct

log = logging.getLogger("s4c.markers")

CACHED_GRIDS = 4  # label caches kept at once; groups are processed grid by grid


def grid_key(product: RasterProduct) -> tuple[object, ...]:
    grid = product.grid
    return (grid.crs.to_wkt(), tuple(grid.transform)[:6], grid.width, grid.height)


class LabelCaches:
    """Label caches by grid and buffer, the last few kept (groups are processed in grid order)."""

    def __init__(self, parcels: Parcels, buffers: Buffers, *, window_size: int = DEFAULT_WINDOW, workers: int = 1):
        self.parcels = parcels
        self.buffers = buffers
        self.window_size = window_size
        self.workers = workers
        self._cache: OrderedDict[tuple[object, ...], LabelCache] = OrderedDict()
        self._layers: dict[tuple[str, float], np.ndarray] = {}
        self.seconds = 0.0

    def get(self, product: RasterProduct) -> LabelCache:
        key = grid_key(product)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        grid = product.grid
        buffer = self.buffers.for_pixel(pixel_size_m(grid))
        geometries = self.parcels.buffered_on(grid.crs, buffer)
        layer_key = (grid.crs.to_wkt(), buffer)
        if layer_key not in self._layers:
            self._layers[layer_key] = overlap_layers(geometries)
        cache = build_label_cache(grid, geometries, self._layers[layer_key], window_size=self.window_size, workers=self.workers)
        self.seconds += cache.seconds
        log.info("label cache of %s: %d parcels with pixels in %d windows, %.1f MB, %.1f s",
                 product.product_id, int((cache.pixels_per_parcel > 0).sum()), len(cache.windows), cache.nbytes / 1e6, cache.seconds)
        self._cache[key] = cache
        while len(self._cache) > CACHED_GRIDS:
            self._cache.popitem(last=False)
        return cache
