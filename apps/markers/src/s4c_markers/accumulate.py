"""Merging window statistics into per-parcel statistics of one column group, and the reporting rule.

Moments merge exactly with Chan et al.'s parallel formula in float64 (n = nₐ + n_b,
δ = x̄_b − x̄ₐ, x̄ = x̄ₐ + δ·n_b/n, M2 = M2ₐ + M2_b + δ²·nₐ·n_b/n), min/max by min/max. Order
statistics need every value of a parcel at once: a parcel lying in a single window of a single
raster of the group is finished in that window; the values of the others (parcels crossing a window
border or a tile edge) are kept until all their windows have been seen, and finished in batches, so
memory stays bounded by a window plus the border parcels of about one row of windows.

Reporting rule: a parcel's statistics are written only if it has at least ``min_valid_pixels`` valid
pixels and more than ``min_valid_fraction`` of its counted pixels are valid; otherwise NaN. Counts
are written whenever the parcel has a pixel on the raster.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .columns import MEAN, STDEV
from .percentiles import PercentileMethod, order_statistics, sort_segments
from .reduce import Moments, WindowStats
from .scales import Scale


@dataclass(frozen=True)
class Reporting:
    min_valid_pixels: int = 2
    min_valid_fraction: float = 0.1


def merge_moments(total: Moments, index: np.ndarray, part: Moments) -> None:
    """Merge ``part`` (one entry per ``index``) into ``total`` in place (Chan's formula)."""
    n_a = total.count[index]
    n = n_a + part.count
    delta = part.mean - total.mean[index]
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(n > 0, part.count / np.maximum(n, 1), 0.0)
    total.mean[index] += delta * share
    total.m2[index] += part.m2 + delta * delta * n_a * share
    total.count[index] = n


def _empty_moments(size: int) -> Moments:
    return Moments(np.zeros(size, dtype=np.int64), np.zeros(size, dtype=np.float64), np.zeros(size, dtype=np.float64))


FLUSH_VALUES = 1 << 20  # kept values (8 MB) beyond which the parcels already complete are finished


class GroupAccumulator:
    """Statistics of every parcel of the table for one column group (one date, type, polarisation, ...)."""

    def __init__(self, n_parcels: int, spans: np.ndarray, scale: Scale, order_stats: tuple[str, ...], method: PercentileMethod):
        self.scale = scale
        self.order_stats = order_stats
        self.method = method
        self.spans = spans  # windows holding each parcel, over all rasters of the group
        self.counted = np.zeros(n_parcels, dtype=np.int64)
        self.moments = _empty_moments(n_parcels)
        self.spread = _empty_moments(n_parcels) if scale.spread_domain is not None else None
        self.order = {name: np.full(n_parcels, np.nan) for name in order_stats}
        self.remaining = spans.copy()  # windows of each parcel not seen yet
        self._pending_parcels: list[np.ndarray] = []
        self._pending_values: list[np.ndarray] = []
        self._pending_size = 0

    def add(self, part: WindowStats) -> None:
        self.counted[part.parcels] += part.counted
        if self.spread is not None and part.spread is not None:
            merge_moments(self.spread, part.parcels, part.spread)
        merge_moments(self.moments, part.parcels, part.moments)
        if part.ordered is not None:
            self.remaining[part.parcels] -= 1
            self._add_ordered(part)
            if self._pending_size > FLUSH_VALUES:
                self._finish_pending(completed_only=True)

    def _add_ordered(self, part: WindowStats) -> None:
        has = part.moments.count > 0
        parcels, counts = part.parcels[has], part.moments.count[has]
        whole = self.spans[parcels] == 1
        per_value = np.repeat(whole, counts)
        if whole.any():
            for name, values in order_statistics(part.ordered[per_value], counts[whole], self.order_stats, self.method).items():
                self.order[name][parcels[whole]] = values
        if not whole.all():
            self._pending_parcels.append(np.repeat(parcels[~whole], counts[~whole]))
            self._pending_values.append(part.ordered[~per_value])
            self._pending_size += self._pending_values[-1].size

    def _finish_pending(self, completed_only: bool = False) -> None:
        """Order statistics of the kept parcels (only of those whose windows have all been seen, with ``completed_only``)."""
        if not self._pending_parcels:
            return
        parcels = np.concatenate(self._pending_parcels)
        values = np.concatenate(self._pending_values)
        done = self.remaining[parcels] <= 0 if completed_only else np.ones(parcels.size, dtype=bool)
        self._pending_parcels, self._pending_values = [parcels[~done]], [values[~done]]
        self._pending_size = int((~done).sum())
        parcels, values = parcels[done], values[done]
        grouping = np.argsort(parcels, kind="stable")
        parcels, values = parcels[grouping], values[grouping]
        members, counts = np.unique(parcels, return_counts=True)
        for name, stat in order_statistics(sort_segments(values, counts), counts, self.order_stats, self.method).items():
            self.order[name][members] = stat

    def finish(self, reporting: Reporting, counts: tuple[str, ...]) -> dict[str, np.ndarray]:
        """Per-parcel statistics by name: mean, stdev, the order statistics and the ``counts`` asked for."""
        self._finish_pending()
        n = self.moments.count
        reported = (n >= reporting.min_valid_pixels) & (n > reporting.min_valid_fraction * self.counted)
        spread = self.spread if self.spread is not None else self.moments
        with np.errstate(invalid="ignore", divide="ignore"):
            stdev = np.sqrt(np.maximum(spread.m2, 0.0) / (n - 1))
            out = {MEAN: self.scale.report(self.moments.mean), STDEV: stdev}
            out.update({name: self.scale.report(values) for name, values in self.order.items()})
        out = {name: np.where(reported, values, np.nan) for name, values in out.items()}
        on_raster = self.counted > 0
        if "valid_pixels_cnt" in counts:
            out["valid_pixels_cnt"] = np.where(on_raster, n, np.nan)
        if "invalid_pixels_cnt" in counts:
            out["invalid_pixels_cnt"] = np.where(on_raster, self.counted - n, np.nan)
        return out

    @property
    def any_counted(self) -> bool:
        return bool(self.counted.any())

    @property
    def any_valid(self) -> bool:
        return bool(self.moments.count.any())
