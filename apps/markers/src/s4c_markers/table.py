"""The markers table: wide layout (Sen4CAP MDB1), long layout, metadata, reading and writing.

Wide: ``NewID`` (int32) first, then one float32 column per (date, statistic, product attributes),
sorted by name, one row per parcel (ascending ``NewID``). The schema metadata key ``s4c:markers``
holds, as sorted JSON, the parameters that shape the values and the products behind every column
group: a later run with ``--append-to`` skips groups already computed from the same products and
refuses a table computed with other parameters. No timestamp is written, so the same inputs give
the same bytes.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.ipc as ipc
import pyarrow.parquet as pq
from s4c_common.errors import InputError
from s4c_common.stac import read_items

from .columns import STATS, ColumnKey, parse_column
from .parcels import ID_COLUMN

METADATA_KEY = b"s4c:markers"
IPC_BATCH_ROWS = 10_000  # Sen4CAP's csv_to_ipc record batches
FORMATS = ("parquet", "ipc", "csv")
SUFFIXES = {"parquet": ".parquet", "ipc": ".ipc", "csv": ".csv"}


@dataclass
class TableInfo:
    """What the ``s4c:markers`` metadata records."""

    parameters: dict[str, object]
    groups: dict[str, list[str]] = field(default_factory=dict)  # key token -> product ids

    def to_json(self) -> bytes:
        return json.dumps({"parameters": self.parameters, "groups": self.groups}, sort_keys=True, separators=(",", ":")).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> TableInfo:
        data = json.loads(raw)
        return cls(dict(data["parameters"]), {k: list(v) for k, v in data["groups"].items()})


def wide_table(ids: np.ndarray, columns: Mapping[str, np.ndarray], info: TableInfo) -> pa.Table:
    arrays = [pa.array(ids.astype(np.int32))] + [pa.array(np.asarray(columns[name], dtype=np.float32)) for name in sorted(columns)]
    schema = pa.schema([pa.field(ID_COLUMN, pa.int32())] + [pa.field(name, pa.float32()) for name in sorted(columns)],
                       metadata={METADATA_KEY: info.to_json()})
    return pa.Table.from_arrays(arrays, schema=schema)


def table_info(table: pa.Table) -> TableInfo:
    raw = (table.schema.metadata or {}).get(METADATA_KEY)
    if raw is None:
        raise InputError("the table given with --append-to was not written by s4c-markers (no s4c:markers metadata).", "E_SCHEMA")
    return TableInfo.from_json(raw)


def _table_path(path: Path) -> Path:
    """A table file, or the wide table of an s4c-markers output folder."""
    if not path.is_dir():
        return path
    for staged in read_items(path):
        for key in ("wide_parquet", "wide_ipc"):
            if key in staged.item.assets:
                return Path(staged.asset_path(key))
    raise InputError(f"folder {path} holds no markers table; give the table file.", "E_INPUT_NOT_FOUND")


def read_table(path: Path) -> pa.Table:
    """A wide table written by :func:`write_table` (Parquet or Arrow IPC)."""
    path = _table_path(Path(path))
    if not path.exists():
        raise InputError(f"table {path} does not exist.", "E_INPUT_NOT_FOUND")
    try:
        if path.suffix.lower() == ".ipc":
            with ipc.open_file(path) as reader:
                return reader.read_all()
        return pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"cannot read table {path}: {exc}.", "E_INPUT_NOT_FOUND") from exc


def _nan_as_null(table: pa.Table) -> pa.Table:
    columns = [col if col.type != pa.float32() else pc.if_else(pc.is_nan(col), pa.scalar(None, pa.float32()), col) for col in table.columns]
    return pa.Table.from_arrays(columns, schema=table.schema)


def write_table(table: pa.Table, path: Path, fmt: str) -> Path:
    """Write ``table`` as Parquet (zstd), Arrow IPC file (batches of 10 000 rows) or CSV (NaN as empty)."""
    if fmt == "parquet":
        pq.write_table(table, path, compression="zstd")
    elif fmt == "ipc":
        with ipc.new_file(path, table.schema) as writer:
            for batch in table.to_batches(max_chunksize=IPC_BATCH_ROWS):
                writer.write_batch(batch)
    else:
        pa_csv.write_csv(_nan_as_null(table), path)
    return path


def marker_columns(table: pa.Table) -> dict[str, tuple[ColumnKey, str]]:
    """The table's marker columns by name, with their key and statistic."""
    return {name: parsed for name in table.column_names if (parsed := parse_column(name)) is not None}


def long_table(wide: pa.Table) -> pa.Table:
    """One row per parcel and column group with at least one statistic:
    ``NewID, date, type, polarisation, orbit, tile, band`` and the statistics of the wide table."""
    groups: dict[ColumnKey, dict[str, str]] = {}
    for name, (key, stat) in marker_columns(wide).items():
        groups.setdefault(key, {})[stat] = name
    stats = [s for s in STATS if any(s in g for g in groups.values())]
    ids = wide.column(ID_COLUMN).to_numpy()
    parts: dict[str, list[np.ndarray]] = {name: [] for name in (ID_COLUMN, "date", "type", "polarisation", "orbit", "tile", "band", *stats)}
    for key in sorted(groups, key=lambda k: k.token):
        values = {s: wide.column(groups[key][s]).to_numpy(zero_copy_only=False) if s in groups[key] else None for s in stats}
        observed = np.zeros(len(ids), dtype=bool)
        for column in values.values():
            if column is not None:
                observed |= ~np.isnan(column)
        n = int(observed.sum())
        parts[ID_COLUMN].append(ids[observed])
        parts["date"].append(np.full(n, dt.datetime.strptime(key.date, "%Y%m%d").date()))
        for name, value in (("type", key.type), ("polarisation", key.pol), ("orbit", key.orbit), ("tile", key.tile), ("band", key.band)):
            parts[name].append(np.full(n, value, dtype=object))
        for s, column in values.items():
            parts[s].append(column[observed] if column is not None else np.full(n, np.nan, dtype=np.float32))
    types = {ID_COLUMN: pa.int32(), "date": pa.date32(), "type": pa.string(), "polarisation": pa.string(), "orbit": pa.int16(),
             "tile": pa.string(), "band": pa.string(), **dict.fromkeys(stats, pa.float32())}
    arrays = [pa.array(np.concatenate(parts[name]) if parts[name] else [], type=types[name]) for name in parts]
    return pa.Table.from_arrays(arrays, schema=pa.schema([pa.field(n, t) for n, t in types.items()], metadata=wide.schema.metadata))
