"""MDB2: the VV − VH backscatter difference (Sen4CAP ``amp_vvvh_enabled``).

For every VV backscatter mean column (AMP or BCK) with a VH twin (same date, orbit, tile), the column
``{date}_mean_{AMP|BCK}_VVVH_{orbit}`` = VV − VH, both in the table's dB scale; with ``stdev`` (Sen4CAP
compat) the same for the stdev columns.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pyarrow as pa

from .columns import MEAN, STDEV
from .parcels import ID_COLUMN
from .registry import S1_TYPES, Kind
from .table import marker_columns


def vvvh_columns(wide: pa.Table, *, stdev: bool = False) -> dict[str, np.ndarray]:
    """The MDB2 columns of a wide table, by name."""
    stats = (MEAN, STDEV) if stdev else (MEAN,)
    names = set(wide.column_names)
    out: dict[str, np.ndarray] = {}
    for name, (key, stat) in marker_columns(wide).items():
        backscatter = key.type in S1_TYPES and S1_TYPES[key.type].kind == Kind.BACKSCATTER
        if not backscatter or key.pol != "VV" or stat not in stats:
            continue
        twin = dataclasses.replace(key, pol="VH").column(stat)
        if twin in names:
            vv = wide.column(name).to_numpy(zero_copy_only=False)
            vh = wide.column(twin).to_numpy(zero_copy_only=False)
            out[dataclasses.replace(key, pol="VVVH").column(stat)] = vv - vh
    return out


def vvvh_table(wide: pa.Table, *, stdev: bool = False) -> pa.Table | None:
    """The MDB2 table (``NewID`` + VV − VH columns, sorted), None when the table has no VV/VH pair."""
    columns = vvvh_columns(wide, stdev=stdev)
    if not columns:
        return None
    fields = [pa.field(ID_COLUMN, pa.int32())] + [pa.field(name, pa.float32()) for name in sorted(columns)]
    arrays = [wide.column(ID_COLUMN)] + [pa.array(columns[name].astype(np.float32)) for name in sorted(columns)]
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields, metadata=wide.schema.metadata))
