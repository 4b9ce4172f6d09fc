"""The markers computation: group the products by column key, reduce each group over the parcels, build the table.

>>> parcels = read_parcels(Path("decl_site_2021.parquet"))
>>> products = open_inputs([Path("l3b-ndvi"), Path("s1")], Selection())
>>> result = compute_markers(parcels, products, Options())
>>> result.table  # pyarrow Table, wide layout
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
from rasterio.warp import transform_bounds
from s4c_common.blocks import process_windows
from s4c_common.errors import InputError, Warnings

from .accumulate import GroupAccumulator, Reporting
from .append import existing_columns, existing_groups
from .caches import LabelCaches, grid_key
from .columns import COUNT_STATS, MEAN, ORDER_STATS, STDEV, ColumnKey
from .labels import DEFAULT_WINDOW, LabelCache, WindowLabels
from .parcels import Buffers, Parcels
from .percentiles import PercentileMethod
from .products import RasterProduct
from .reduce import WindowStats, reduce_window
from .scales import AMP_DB_DEFINITIONS, AmpDb, scale_for
from .table import TableInfo, wide_table
from .tiles import counted_pixels, find_neighbours

log = logging.getLogger("s4c.markers")


@dataclass(frozen=True)
class Options:
    """Parameters of spec l3-markers.md §4 that shape the values, and how to compute them."""

    stats: tuple[str, ...] = ()  # optional statistics (min, max, median, p25, p75, valid_pixels_cnt, invalid_pixels_cnt)
    reporting: Reporting = field(default_factory=Reporting)
    percentile_method: PercentileMethod = PercentileMethod.LINEAR
    amp_db: AmpDb = AmpDb.LINEAR
    zero_is_nodata: bool = False
    buffers: Buffers = field(default_factory=Buffers)
    window_size: int = DEFAULT_WINDOW
    workers: int = 1

    @property
    def order_stats(self) -> tuple[str, ...]:
        return tuple(s for s in ORDER_STATS if s in self.stats)

    @property
    def count_stats(self) -> tuple[str, ...]:
        return tuple(s for s in COUNT_STATS if s in self.stats)

    def parameters(self) -> dict[str, object]:
        """What the table metadata records; an appended run must use the same."""
        return {
            "stats": [MEAN, STDEV, *self.order_stats, *self.count_stats],
            "min_valid_pixels": self.reporting.min_valid_pixels,
            "min_valid_fraction": self.reporting.min_valid_fraction,
            "percentile_method": str(self.percentile_method),
            "amp_db": str(self.amp_db),
            "amp_db_definition": AMP_DB_DEFINITIONS[self.amp_db],
            "zero_is_nodata": self.zero_is_nodata,
            "buffer_10m": self.buffers.at_10m,
            "buffer_20m": self.buffers.at_20m,
            "pixel_rule": "centre",
        }


@dataclass
class Result:
    table: pa.Table
    computed: list[ColumnKey]  # groups computed in this run
    skipped: list[ColumnKey]  # groups already in the appended table
    products: list[RasterProduct]  # the products reduced in this run
    warnings: Warnings
    rasterize_seconds: float = 0.0
    reduce_seconds: float = 0.0


def group_products(products: Sequence[RasterProduct]) -> dict[ColumnKey, list[RasterProduct]]:
    """Products by column key (the tiles of one date together), each group ordered by tile then product id."""
    groups: dict[ColumnKey, list[RasterProduct]] = {}
    for product in products:
        groups.setdefault(product.key, []).append(product)
    return {key: sorted(group, key=lambda p: (p.tile or "", p.product_id)) for key, group in sorted(groups.items(), key=lambda kv: kv[0].token)}


def reduce_group(products: list[RasterProduct], caches: list[LabelCache], n_parcels: int, options: Options, warnings: Warnings) -> GroupAccumulator:
    """Reduce the rasters of one column group (the tiles of one date) over every parcel."""
    spans = np.sum([c.windows_per_parcel for c in caches], axis=0)
    scale = scale_for(products[0].type, options.amp_db)
    order = bool(options.order_stats)
    accumulator = GroupAccumulator(n_parcels, spans, scale, options.order_stats, options.percentile_method)
    neighbours, pooled = find_neighbours(products) if len(products) > 1 else ([[]], False)
    if pooled:
        warnings.warn("W_TILES_POOLED", f"{products[0].key.token}: rasters on different CRSs or grids overlap; their pixels are pooled, not merged.")
    for product, cache, near in zip(products, caches, neighbours, strict=True):

        def work(labels: WindowLabels, product: RasterProduct = product, near: list = near) -> WindowStats:
            values, valid = product.read(labels.window)
            counted = counted_pixels(labels, valid, near) if near else None
            return reduce_window(labels, values, valid, scale, order=order, counted=counted)

        for _, part in process_windows(work, cache.windows, options.workers):
            accumulator.add(part)
    for product in products:
        product.close()
    return accumulator


def _near(parcels: Parcels, product: RasterProduct) -> bool:
    """Whether the parcels' bounding box meets the raster's (a cheap test before any pixel is read)."""
    left, bottom, right, top = transform_bounds(parcels.crs, product.grid.crs, *parcels.bounds)
    g_left, g_bottom, g_right, g_top = product.grid.bounds
    return left < g_right and g_left < right and bottom < g_top and g_bottom < top


def compute_markers(parcels: Parcels, products: Sequence[RasterProduct], options: Options, existing: pa.Table | None = None) -> Result:
    """The markers table of ``parcels`` over ``products``, appended to ``existing`` (a wide table) if given."""
    warnings = Warnings()
    done = existing_groups(existing, options.parameters())
    groups = group_products(products)
    todo: dict[ColumnKey, list[RasterProduct]] = {}
    skipped = []
    for key, group in groups.items():
        ids = sorted(p.product_id for p in group)
        if key.token in done and set(ids) <= set(done[key.token]):
            skipped.append(key)
        else:
            if key.token in done:
                log.info("%s: recomputed from %s (the table had %s)", key.token, ", ".join(ids), ", ".join(done[key.token]))
            todo[key] = group
    if todo and not any(_near(parcels, p) for group in todo.values() for p in group):
        raise InputError(f"the parcels of {parcels.source} and the {sum(len(g) for g in todo.values())} raster(s) do not overlap; check the inputs' area.",
                         "E_NO_OVERLAP")
    caches = LabelCaches(parcels, options.buffers, window_size=options.window_size, workers=options.workers)
    columns: dict[str, np.ndarray] = {}
    recorded = dict(done)
    reduce_seconds = 0.0
    on_any_raster = False
    for key, group in sorted(todo.items(), key=lambda kv: ([str(grid_key(p)) for p in kv[1]], kv[0].token)):
        group_caches = [caches.get(p) for p in group]
        started = time.perf_counter()
        accumulator = reduce_group(group, group_caches, len(parcels), options, warnings)
        reduce_seconds += time.perf_counter() - started
        stats = accumulator.finish(options.reporting, options.count_stats)
        if not accumulator.any_counted:
            warnings.warn("W_NO_PARCELS", f"{key.token}: no parcel has a pixel on {', '.join(p.product_id for p in group)}; its columns are empty.")
        elif not accumulator.any_valid:
            warnings.warn("W_ALL_INVALID", f"{key.token}: every parcel pixel is cloudy, masked or no-data; its columns are empty.")
        on_any_raster |= accumulator.any_counted
        columns.update({key.column(stat): values for stat, values in stats.items()})
        recorded[key.token] = sorted(p.product_id for p in group)
    if todo and not on_any_raster:
        raise InputError(
            f"no parcel of {parcels.source} lies on any of the {sum(len(g) for g in todo.values())} raster(s); check the parcels and the products' area.",
            "E_NO_OVERLAP",
        )
    if existing is not None:
        columns = {**existing_columns(existing, parcels.ids, set(columns), warnings), **columns}
    table = wide_table(parcels.ids, columns, TableInfo(options.parameters(), dict(sorted(recorded.items()))))
    used = [p for group in todo.values() for p in group]
    return Result(table, list(todo), skipped, used, warnings, caches.seconds, reduce_seconds)
