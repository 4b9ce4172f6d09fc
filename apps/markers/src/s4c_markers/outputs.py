"""Writing the markers products into the staging folder, and the STAC item describing them.

Files (``<name>`` = ``--name``, default ``markers``): ``<name>.<fmt>`` the wide table (MDB1),
``<name>_long.<fmt>`` the long layout (``--long``), ``<name>_vvvh.<fmt>`` the VV − VH table (MDB2),
for each ``--format`` (parquet, ipc, csv); ``catalog.json`` with one item ``<name>``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa
from s4c_common.stac import MEDIA_ARROW, MEDIA_CSV, MEDIA_PARQUET, AssetSpec, build_item, write_catalog
from shapely.geometry import box

from . import __version__
from .parcels import Parcels
from .table import SUFFIXES, marker_columns, table_info, write_table

PROCESSOR = "s4c-markers"
MEDIA = {"parquet": MEDIA_PARQUET, "ipc": MEDIA_ARROW, "csv": MEDIA_CSV}
TITLES = {"wide": "markers, wide layout (MDB1)", "long": "markers, long layout", "vvvh": "VV − VH backscatter difference (MDB2)"}


def _dates(table: pa.Table) -> tuple[dt.datetime, dt.datetime]:
    dates = sorted({key.date for key, _ in marker_columns(table).values()})
    first = dt.datetime.strptime(dates[0], "%Y%m%d").replace(tzinfo=dt.UTC)
    last = dt.datetime.strptime(dates[-1], "%Y%m%d").replace(hour=23, minute=59, second=59, tzinfo=dt.UTC)
    return first, last


def write_outputs(
    stage: Path,
    name: str,
    tables: dict[str, pa.Table],
    formats: Sequence[str],
    parcels: Parcels,
    derived_from: Sequence[str],
    warnings: Sequence[dict[str, str]],
) -> Path:
    """Write ``tables`` (``wide`` and optionally ``long``, ``vvvh``) in every format, and the catalog; returns the catalog path."""
    assets: dict[str, AssetSpec] = {}
    for layout, table in tables.items():
        stem = name if layout == "wide" else f"{name}_{layout}"
        for fmt in formats:
            path = write_table(table, stage / f"{stem}{SUFFIXES[fmt]}", fmt)
            assets[f"{layout}_{fmt}"] = AssetSpec(path, MEDIA[fmt], ("data",), f"{TITLES[layout]} ({fmt})")
    wide = tables["wide"]
    info = table_info(wide)
    start, end = _dates(wide)
    item = build_item(
        name,
        geometry=box(*parcels.bounds),
        crs=parcels.crs,
        start_datetime=start,
        end_datetime=end,
        assets=assets,
        processor=PROCESSOR,
        processor_version=__version__,
        properties={
            "s4c:product_type": "MDB1",
            "s4c:parcels": wide.num_rows,
            "s4c:columns": wide.num_columns - 1,
            "s4c:column_groups": len(info.groups),
            "s4c:parameters": info.parameters,
            "s4c:amp_db_definition": info.parameters["amp_db_definition"],
        },
        derived_from=derived_from,
        warnings=warnings,
    )
    return write_catalog(stage, [item], catalog_id=f"{PROCESSOR}-{name}", description=f"Per-parcel markers {name} ({wide.num_rows} parcels)")
