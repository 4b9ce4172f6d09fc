"""Parcel and holding identifiers: ``ori_id``, ``ori_hold``, ``ori_crop``, ``NewID``, ``HoldID``.

Follows Sen4CAP's data-preparation script, including its discriminator quirk
for repeated ids (rank mod 26 == 0 yields ``@``), kept for parity.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def _as_text(values: pd.Series) -> pd.Series:
    """Column values as text; integral floats print without a decimal part (12.0 -> "12")."""
    if pd.api.types.is_float_dtype(values):
        finite = values.dropna()
        if (finite == np.floor(finite)).all():
            return values.map(lambda v: "" if pd.isna(v) else str(int(v)))
    return values.map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v))


def joined_text(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    """Values of ``columns`` as text, joined with ``-``."""
    parts = [_as_text(frame[col]) for col in columns]
    result = parts[0]
    for part in parts[1:]:
        result = result + "-" + part
    return result


def _letter(k: int) -> str:
    return chr(64 + k)


def discriminator(rank: int) -> str:
    """Suffix for the rank-th (1-based) feature sharing an ``ori_id``: -A..-Z, then two letters."""
    if rank <= 26:
        return "-" + _letter(rank)
    return "-" + _letter(rank // 26) + _letter(rank % 26)


def with_discriminators(ori_id: pd.Series) -> pd.Series:
    """Append a discriminator, in input order, to every id that occurs more than once."""
    counts = ori_id.map(ori_id.value_counts())
    ranks = ori_id.groupby(ori_id).cumcount() + 1
    repeated = counts > 1
    result = ori_id.copy()
    if repeated.any():
        result[repeated] = ori_id[repeated] + ranks[repeated].map(discriminator).astype(str)
    return result


def crop_codes(values: pd.Series) -> pd.Series:
    """``ori_crop``: numeric codes become integers (nullable), anything else text."""
    numeric = pd.to_numeric(values, errors="coerce")
    if numeric.notna().sum() == values.notna().sum() and (numeric.dropna() == np.floor(numeric.dropna())).all():
        return numeric.astype("Int64")
    return values.astype("string")


def assign_ids(
    ori_id: pd.Series,
    ori_hold: pd.Series,
    previous_ids: dict[str, int],
    previous_holdings: dict[str, int],
    parcel_id_offset: int = 0,
    holding_id_offset: int = 0,
) -> tuple[pd.Series, pd.Series]:
    """``NewID`` and ``HoldID``: kept from a previous run, new ones numbered after the largest kept.

    New parcels are ranked by ``ori_id`` (code-point order), new holdings by
    dense rank of ``ori_hold``.
    """
    new_id = ori_id.map(previous_ids).astype("Int64")
    fresh = new_id.isna()
    base = max(max(previous_ids.values(), default=0), 0) + parcel_id_offset
    order = ori_id[fresh].sort_values(kind="stable").index
    new_id.loc[order] = np.arange(1, len(order) + 1, dtype=np.int64) + base

    hold_id = ori_hold.map(previous_holdings).astype("Int64")
    fresh_hold = hold_id.isna()
    hold_base = max(max(previous_holdings.values(), default=0), 0) + holding_id_offset
    new_holdings = sorted(set(ori_hold[fresh_hold]))
    dense = {name: rank for rank, name in enumerate(new_holdings, start=1)}
    hold_id.loc[fresh_hold] = ori_hold[fresh_hold].map(dense).astype(np.int64) + hold_base
    return new_id.astype(np.int32), hold_id.astype(np.int32)
