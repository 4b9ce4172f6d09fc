"""Order statistics of many small samples at once: values sorted within segments, one segment per parcel.

Percentile definitions (``--percentile-method``):

- ``linear`` (default): linear interpolation between order statistics, NumPy's default ``linear``
  method, Hyndman & Fan type 7 (R's default): h = (n − 1)·p/100, q = x[⌊h⌋] + (h − ⌊h⌋)(x[⌊h⌋+1] − x[⌊h⌋]).
  The median is p = 50.
- ``sen4cap`` (compat): Sen4CAP's rule on the sorted *distinct* values u (m of them):
  first = ⌊m·p/100⌋; m even → (u[first] + u[first+1])/2, m odd → u[first+1], indices clamped to m − 1.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np


class PercentileMethod(StrEnum):
    LINEAR = "linear"
    SEN4CAP = "sen4cap"


PERCENTILES = {"p25": 25.0, "median": 50.0, "p75": 75.0}


def segment_ids(counts: np.ndarray) -> np.ndarray:
    """0, 0, 1, 1, 1, ... for segment sizes 2, 3, ..."""
    return np.repeat(np.arange(counts.size), counts)


def sort_segments(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """``values`` (grouped by segment) sorted within each segment."""
    return values[np.lexsort((values, segment_ids(counts)))]


def _order_key(values: np.ndarray) -> np.ndarray | None:
    """uint32 keys in the order of ``values`` (integers up to 32 bits, float32), None for other dtypes."""
    if values.dtype.kind == "u" and values.dtype.itemsize <= 4:
        return values.astype(np.uint32)
    if values.dtype.kind == "i" and values.dtype.itemsize <= 4:
        return (values.astype(np.int64) - np.iinfo(values.dtype).min).astype(np.uint32)
    if values.dtype == np.float32:
        bits = values.view(np.uint32)
        return np.where(bits >> 31 == 1, ~bits, bits | np.uint32(0x80000000))  # IEEE order: flip negatives, set the sign of positives
    return None


def _from_order_key(keys: np.ndarray, dtype: np.dtype) -> np.ndarray:
    if dtype.kind == "u":
        return keys.astype(dtype)
    if dtype.kind == "i":
        return (keys.astype(np.int64) + np.iinfo(dtype).min).astype(dtype)
    bits = np.where(keys >> 31 == 1, keys & np.uint32(0x7FFFFFFF), ~keys)
    return bits.astype(np.uint32).view(np.float32)


def sort_stored_segments(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Like :func:`sort_segments`, for values in their stored dtype: one integer sort of (segment, value) keys.

    Ten times faster than a lexsort for int16 and float32 rasters: the segment goes in the high bits,
    an order-preserving image of the value in the low 32 bits, and the sorted keys are decoded back.
    """
    keys = _order_key(values)
    if keys is None:
        return sort_segments(values, counts)
    segments = segment_ids(counts)
    if counts.size <= 1 << 16 and values.dtype.itemsize <= 2:
        combined, mask = (segments.astype(np.uint32) << np.uint32(16)) | keys, np.uint32(0xFFFF)
    else:
        combined, mask = (segments.astype(np.uint64) << np.uint64(32)) | keys, np.uint64(0xFFFFFFFF)
    combined.sort()
    return _from_order_key((combined & mask).astype(np.uint32), values.dtype)


def _linear(ordered: np.ndarray, starts: np.ndarray, counts: np.ndarray, p: float) -> np.ndarray:
    h = (counts - 1) * (p / 100.0)
    low = np.floor(h).astype(np.int64)
    high = np.minimum(low + 1, counts - 1)
    below, above = ordered[starts + low], ordered[starts + high]
    return below + (h - low) * (above - below)


def _distinct(ordered: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ids = segment_ids(counts)
    first = np.r_[True, (ordered[1:] != ordered[:-1]) | (ids[1:] != ids[:-1])] if ordered.size else np.zeros(0, dtype=bool)
    distinct = ordered[first]
    m = np.bincount(ids[first], minlength=counts.size)
    return distinct, np.cumsum(m) - m, m


def _sen4cap(ordered: np.ndarray, counts: np.ndarray, p: float) -> np.ndarray:
    distinct, starts, m = _distinct(ordered, counts)
    first = np.floor(m * p / 100.0).astype(np.int64)
    last = m - 1
    one = distinct[starts + np.minimum(first, last)]
    two = distinct[starts + np.minimum(first + 1, last)]
    return np.where(m % 2 == 0, (one + two) / 2.0, two)


def order_statistics(ordered: np.ndarray, counts: np.ndarray, wanted: tuple[str, ...], method: PercentileMethod) -> dict[str, np.ndarray]:
    """min, max, median, p25, p75 (those in ``wanted``) of each non-empty segment of ``ordered``."""
    starts = np.cumsum(counts) - counts
    out: dict[str, np.ndarray] = {}
    if "min" in wanted:
        out["min"] = ordered[starts]
    if "max" in wanted:
        out["max"] = ordered[starts + counts - 1]
    for name, p in PERCENTILES.items():
        if name in wanted:
            out[name] = _linear(ordered, starts, counts, p) if method == PercentileMethod.LINEAR else _sen4cap(ordered, counts, p)
    return out
