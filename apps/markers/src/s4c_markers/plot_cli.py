"""``s4c-markers-plot``: the time series of chosen parcels from a markers table, as a PNG."""

from __future__ import annotations

import logging
from pathlib import Path

import click
import numpy as np
import pandas as pd
import pyarrow as pa
from s4c_common.cli import processor_command
from s4c_common.errors import InputError

from . import __version__
from .parcels import ID_COLUMN, read_parcels
from .plot import plot_parcels
from .table import read_table

log = logging.getLogger("s4c.markers")


def _parcel_labels(parcels: Path, column: str) -> dict[int, str]:
    """``NewID`` → the value of ``column`` in the parcel file."""
    import geopandas as gpd

    parcels = read_parcels(parcels).source if parcels.is_dir() else parcels
    frame = gpd.read_parquet(parcels) if parcels.suffix == ".parquet" else gpd.read_file(parcels)
    if column not in frame.columns:
        raise InputError(f"parcel file {parcels} has no column {column}.", "E_SCHEMA")
    return dict(zip(frame[ID_COLUMN].astype(int), frame[column].astype(str), strict=True))


def _one_per_label(markers: pa.Table, labels: dict[int, str], count: int) -> list[int]:
    """For the ``count`` most frequent labels, the parcel with the most observed dates (the lowest NewID on ties)."""
    ids = markers.column(ID_COLUMN).to_numpy()
    means = [markers.column(name).to_numpy(zero_copy_only=False) for name in markers.column_names if "_mean_" in name]
    observed = np.sum([np.isfinite(m) for m in means], axis=0) if means else np.zeros(len(ids))
    frame = pd.DataFrame({"id": ids, "observed": observed, "label": [labels.get(int(i)) for i in ids]}).dropna(subset=["label"])
    frequent = frame["label"].value_counts(sort=True).index[:count]
    best = frame[frame["label"].isin(frequent)].sort_values(["observed", "id"], ascending=[False, True]).drop_duplicates("label")
    return sorted(best["id"].astype(int).tolist())


@click.command(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 120})
@click.option("--table", required=True, type=click.Path(path_type=Path), help="Markers table (Parquet/IPC) or an s4c-markers output folder.")
@click.option("--parcel", "parcel_ids", multiple=True, type=int,
              help="NewID of a parcel to draw (repeatable). Default: one parcel for each of the most frequent values of --label-column.")
@click.option("--series", "wanted", multiple=True,
              help="Series to draw (repeatable or comma-separated), by type (NDVI, BCK, COH) or type and polarisation ('BCK VV'). Default: all.")
@click.option("--parcels", type=click.Path(path_type=Path), help="Parcel file, to label the parcels with --label-column.")
@click.option("--label-column", help="Column of the parcel file shown beside each NewID in the legend (e.g. the crop).")
@click.option("--per-label", type=click.IntRange(min=1), default=4, show_default=True,
              help="Without --parcel: how many labels (e.g. crops) get a parcel, the one observed on the most dates.")
@click.option("--title", help="Figure title.")
@click.option("--output", "-o", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True, help="Output directory.")
@click.option("--name", default="timeseries", show_default=True, help="File name of the PNG, without extension.")
@click.option("--quiet", "-q", is_flag=True, help="Only warnings and errors on stderr.")
@click.option("--verbose", "-v", is_flag=True, help="Debug logging, and tracebacks on errors.")
@click.version_option(__version__, prog_name="s4c-markers-plot")
@processor_command
def main(table: Path, parcel_ids: tuple[int, ...], wanted: tuple[str, ...], parcels: Path | None, label_column: str | None, per_label: int,
         title: str | None, output: Path, name: str) -> None:
    """Draw the markers time series (mean ± standard deviation) of chosen parcels: one panel per series (NDVI, backscatter, coherence, ...)."""
    markers = read_table(table)
    labels = _parcel_labels(parcels, label_column) if parcels is not None and label_column else None
    if not parcel_ids and labels is None:
        raise click.UsageError("give --parcel, or --parcels and --label-column to draw one parcel per label.")
    chosen = list(parcel_ids) or _one_per_label(markers, labels or {}, per_label)
    series = [s.strip() for value in wanted for s in value.split(",") if s.strip()]
    output.mkdir(parents=True, exist_ok=True)
    path = plot_parcels(markers, chosen, output / f"{name}.png", wanted=series, labels=labels, title=title)
    log.info("wrote %s (parcels %s)", path, ", ".join(map(str, chosen)))
