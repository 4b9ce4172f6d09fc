"""Per-window reduction: the partial statistics of every parcel of one window of one raster.

The window's parcel pixels come grouped by parcel (labels.py), so each statistic is a segmented sum
(``np.add.reduceat``) over contiguous values: no scatter, no per-parcel loop. Moments are computed in
two passes per window (mean, then the sum of squared deviations from it), so they stay exact in
float64 whatever the offset of the values; windows are merged later with Chan's parallel formula.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .labels import WindowLabels
from .percentiles import sort_stored_segments
from .scales import Scale


@dataclass(frozen=True)
class Moments:
    """Count, mean and sum of squared deviations per parcel (mean and m2 are 0 where the count is 0)."""

    count: np.ndarray  # int64
    mean: np.ndarray  # float64
    m2: np.ndarray  # float64


@dataclass(frozen=True)
class WindowStats:
    parcels: np.ndarray  # int32 parcel indices present in the window
    counted: np.ndarray  # int64 pixels counted for the parcel here (valid or not)
    moments: Moments  # of the valid values in the statistics domain
    spread: Moments | None  # of the valid values in the spread domain, when it differs
    ordered: np.ndarray | None  # valid values sorted within each parcel with valid pixels (for order statistics)


def segment_moments(values: np.ndarray, counts: np.ndarray) -> Moments:
    """Moments of consecutive segments of ``values`` of sizes ``counts`` (a segment may be empty)."""
    mean = np.zeros(counts.size, dtype=np.float64)
    m2 = np.zeros(counts.size, dtype=np.float64)
    filled = counts > 0
    if values.size:
        sizes = counts[filled]
        starts = np.cumsum(sizes) - sizes
        local_mean = np.add.reduceat(values, starts) / sizes
        deviation = values - np.repeat(local_mean, sizes)
        mean[filled] = local_mean
        m2[filled] = np.add.reduceat(deviation * deviation, starts)
    return Moments(counts, mean, m2)


def reduce_window(
    labels: WindowLabels,
    values: np.ndarray,
    valid: np.ndarray,
    scale: Scale,
    *,
    order: bool,
    counted: np.ndarray | None = None,
) -> WindowStats:
    """Partial statistics of the parcels of ``labels`` from a window's ``values`` and ``valid`` mask.

    ``counted`` (one flag per parcel pixel, in :meth:`WindowLabels.positions` order) leaves out pixels
    another tile of the same date accounts for.
    """
    positions = labels.positions()
    starts = np.cumsum(labels.pixel_counts) - labels.pixel_counts
    ok = valid.ravel()[positions]
    n_counted = labels.pixel_counts
    if counted is not None:
        ok &= counted
        n_counted = np.add.reduceat(counted, starts, dtype=np.int64)
    n_valid = np.add.reduceat(ok, starts, dtype=np.int64)
    stored = values.ravel()[positions[ok]]
    raw = stored.astype(np.float64)
    moments = segment_moments(scale.stat_domain(raw), n_valid)
    spread = segment_moments(scale.spread_domain(raw), n_valid) if scale.spread_domain is not None else None
    # The statistics domains are increasing functions of the stored values: sorting those sorts the statistics' values.
    ordered = scale.stat_domain(sort_stored_segments(stored, n_valid[n_valid > 0]).astype(np.float64)) if order else None
    return WindowStats(labels.parcels, n_counted, moments, spread, ordered)
