"""Float index values → Sen4CAP int16 quantised values (spec l3b-spectral-indices.md §5.4).

Sen4CAP's ``FloatToShortTranslationFunctor`` with the project's defaults:

1. v' = v × scale, rounded half away from zero (``rounding="round"``) or truncated toward zero
   (``rounding="truncate"``, Sen4CAP);
2. |v| < 1e-4 gives 0; an input already equal to the no-data value (within 1e-4) stays no-data;
3. ``negative_to_nodata`` (Sen4CAP quirk): v < 0 (after rule 2) gives no-data;
4. clamp to [−32767, 32767]; a real value quantised to the no-data value (e.g. −10.000 × 1000) is
   written one unit toward zero (−9999) so that no-data stays unambiguous;
5. NaN, ±inf and pixels where ``valid`` is False give no-data.

>>> quantize(np.array([0.8004, -0.3, 0.00005, -0.0005, np.nan], dtype=np.float32))
array([   800,   -300,      0,     -1, -10000], dtype=int16)
>>> quantize(np.array([0.8009, -0.3], dtype=np.float32), rounding="truncate", negative_to_nodata=True)
array([   800, -10000], dtype=int16)
"""

from __future__ import annotations

from typing import Literal

import numpy as np

NODATA = -10000
SCALE = 1000
ZERO_EPSILON = 1e-4  # Sen4CAP: |v| below this is written as 0
INT16_LIMIT = 32767

Rounding = Literal["round", "truncate"]


def _round_half_away(scaled: np.ndarray) -> np.ndarray:
    """Round half away from zero, exactly (``x + 0.5`` would round 0.49999997 up in float32)."""
    whole = np.trunc(scaled)
    fraction = scaled - whole  # exact in binary floating point
    whole += np.sign(fraction) * (np.abs(fraction) >= 0.5)
    return whole


def quantize(
    values: np.ndarray,
    valid: np.ndarray | None = None,
    *,
    scale: float = SCALE,
    rounding: Rounding = "round",
    negative_to_nodata: bool = False,
    nodata: int = NODATA,
) -> np.ndarray:
    """int16 ``round(values × scale)`` with Sen4CAP's rules; no-data where NaN or ``valid`` is False."""
    if rounding not in ("round", "truncate"):
        raise ValueError(f"rounding must be 'round' or 'truncate', got {rounding!r}")
    if not -INT16_LIMIT - 1 <= nodata <= INT16_LIMIT:
        raise ValueError(f"nodata {nodata} does not fit in int16")
    values = np.asarray(values, dtype=np.float32)
    with np.errstate(invalid="ignore", over="ignore"):
        nodata_out = ~np.isfinite(values) | (np.abs(values - np.float32(nodata)) < ZERO_EPSILON)
        if valid is not None:
            nodata_out |= ~np.asarray(valid, dtype=bool)
        near_zero = np.abs(values) < ZERO_EPSILON
        if negative_to_nodata:
            nodata_out |= (values < 0) & ~near_zero
        scaled = values * np.float32(scale)
        scaled = _round_half_away(scaled) if rounding == "round" else np.trunc(scaled)
        scaled[near_zero] = 0
        np.clip(scaled, -INT16_LIMIT, INT16_LIMIT, out=scaled)
        scaled[nodata_out] = 0  # NaN would not survive the int16 cast; overwritten below
    out = scaled.astype(np.int16)
    out[out == nodata] = nodata + 1 if nodata < 0 else nodata - 1
    out[nodata_out] = nodata
    return out
