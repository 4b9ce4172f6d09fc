"""``--append-to``: what an existing markers table already holds, and its columns carried into the new table."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from s4c_common.errors import InputError, Warnings

from .parcels import ID_COLUMN
from .table import table_info


def existing_groups(existing: pa.Table | None, parameters: dict[str, object]) -> dict[str, list[str]]:
    """Product ids behind each column group of ``existing``; refuses a table computed with other ``parameters``."""
    if existing is None:
        return {}
    info = table_info(existing)
    if info.parameters != parameters:
        differing = sorted(k for k in set(info.parameters) | set(parameters) if info.parameters.get(k) != parameters.get(k))
        raise InputError(
            f"the table given with --append-to was computed with other parameters ({', '.join(differing)}); use the same ones or start a new table.",
            "E_PARAM",
        )
    return info.groups


def existing_columns(existing: pa.Table, ids: np.ndarray, replaced: set[str], warnings: Warnings) -> dict[str, np.ndarray]:
    """The existing table's marker columns aligned on ``ids`` (parcels new to the table get NaN)."""
    old_ids = existing.column(ID_COLUMN).to_numpy()
    rows = np.searchsorted(old_ids, ids)
    found = (rows < len(old_ids)) & (old_ids[np.minimum(rows, len(old_ids) - 1)] == ids)
    if not found.all() or len(old_ids) != len(ids):
        warnings.warn("W_PARCELS_CHANGED", f"the appended table has other parcels ({int((~found).sum())} new); old columns are NaN for new parcels.")
    columns = {}
    for name in existing.column_names:
        if name == ID_COLUMN or name in replaced:
            continue
        values = existing.column(name).to_numpy(zero_copy_only=False)
        columns[name] = np.where(found, values[np.minimum(rows, len(old_ids) - 1)], np.float32(np.nan)).astype(np.float32)
    return columns
