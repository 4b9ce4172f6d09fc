"""Time series of chosen parcels from a markers table, as the JRC CbM notebooks show them.

One panel per series (product type and polarisation, e.g. NDVI, BCK VV, COH VH, L2A B8), dates on
the x axis, one line per parcel (all orbits and tiles of a series together, in date order) with a
band of ± one standard deviation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pyarrow as pa
from s4c_common.errors import InputError

from .columns import MEAN, STDEV, ColumnKey
from .parcels import ID_COLUMN
from .table import marker_columns

UNITS = {"BCK": "dB", "AMP": "dB"}


def series_name(key: ColumnKey) -> str:
    """The panel a column group belongs to: type, polarisation and band (orbit and tile are merged)."""
    return " ".join(part for part in (key.type, key.pol, key.band) if part)


def series(table: pa.Table) -> dict[str, list[ColumnKey]]:
    """Column groups with a mean, by series name, in date order."""
    found: dict[str, list[ColumnKey]] = {}
    for key, stat in marker_columns(table).values():
        if stat == MEAN:
            found.setdefault(series_name(key), []).append(key)
    return {name: sorted(keys, key=lambda k: (k.date, k.token)) for name, keys in sorted(found.items())}


def plot_parcels(
    table: pa.Table,
    parcel_ids: Sequence[int],
    path: Path,
    *,
    wanted: Sequence[str] = (),
    labels: Mapping[int, str] | None = None,
    title: str | None = None,
) -> Path:
    """Write a PNG of the series of ``parcel_ids`` (``wanted``: series names to keep, e.g. ``NDVI``, ``BCK VV``; default all)."""
    ids = table.column(ID_COLUMN).to_numpy()
    rows = np.searchsorted(ids, parcel_ids)
    missing = [p for p, r in zip(parcel_ids, rows, strict=True) if r >= len(ids) or ids[r] != p]
    if missing:
        raise InputError(f"parcel(s) {', '.join(map(str, missing))} are not in the markers table.", "E_PARAM")
    available = series(table)
    chosen = {name: keys for name, keys in available.items() if not wanted or name in wanted or name.split()[0] in wanted}
    if not chosen:
        raise InputError(f"no series {', '.join(wanted)} in the table; it has {', '.join(available) or 'none'}.", "E_PARAM")
    figure, axes = plt.subplots(len(chosen), 1, figsize=(10, 2.6 * len(chosen) + 0.6), sharex=True, squeeze=False)
    for axis, (name, keys) in zip(axes[:, 0], chosen.items(), strict=True):
        dates = np.array([dt.datetime.strptime(k.date, "%Y%m%d") for k in keys], dtype="datetime64[D]")
        means = np.array([table.column(k.column(MEAN)).to_numpy(zero_copy_only=False)[rows] for k in keys], dtype=float)  # date × parcel
        stdevs = np.array([table.column(k.column(STDEV)).to_numpy(zero_copy_only=False)[rows] for k in keys], dtype=float)
        for i, parcel in enumerate(parcel_ids):
            mean, stdev = means[:, i], stdevs[:, i]
            shown = np.isfinite(mean)
            label = f"{parcel} {labels[parcel]}" if labels and parcel in labels else str(parcel)
            (line,) = axis.plot(dates[shown], mean[shown], marker="o", markersize=3, linewidth=1.2, label=label)
            axis.fill_between(dates[shown], (mean - stdev)[shown], (mean + stdev)[shown], color=line.get_color(), alpha=0.15, linewidth=0)
        axis.set_ylabel(f"{name} ({UNITS[keys[0].type]})" if keys[0].type in UNITS else name)
        axis.grid(alpha=0.3)
    axes[0, 0].legend(title="NewID", fontsize=8, ncols=min(len(parcel_ids), 4), loc="best")
    axes[-1, 0].xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d"))
    figure.suptitle(title or "Parcel markers: mean ± standard deviation")
    figure.autofmt_xdate()
    figure.tight_layout()
    figure.savefig(path, dpi=110, metadata={"Software": None})  # no version or date inside: the same table gives the same bytes
    plt.close(figure)
    return path
