"""``s4c-markers``: per-parcel, per-date statistics of L3B, L2A and Sentinel-1 products (Sen4CAP MDB1/MDB2)."""

from __future__ import annotations

import datetime as dt
import logging
import time
from pathlib import Path

import click
from s4c_common.cli import processor_command, standard_options
from s4c_common.errors import InputError
from s4c_common.output import AtomicOutput

from . import __version__
from .accumulate import Reporting
from .columns import OPTIONAL_STATS, padded_band
from .inputs import Selection, open_inputs
from .labels import DEFAULT_WINDOW
from .outputs import write_outputs
from .parcels import Buffers, read_parcels
from .percentiles import PercentileMethod
from .process import Options, compute_markers
from .scales import AmpDb
from .table import FORMATS, long_table, read_table
from .vvvh import vvvh_table

log = logging.getLogger("s4c.markers")


def _split(values: tuple[str, ...]) -> list[str]:
    """Repeatable options that also accept comma-separated lists."""
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def _stats(values: tuple[str, ...]) -> tuple[str, ...]:
    names = _split(values)
    if "all" in names:
        return OPTIONAL_STATS
    unknown = [n for n in names if n not in OPTIONAL_STATS]
    if unknown:
        raise click.BadParameter(f"unknown statistic(s) {', '.join(unknown)}; choose from {', '.join(OPTIONAL_STATS)} or all.", param_hint="--stats")
    return tuple(s for s in OPTIONAL_STATS if s in names)


def _bands(values: tuple[str, ...]) -> tuple[str, ...]:
    try:
        return tuple(padded_band(b) for b in _split(values))
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--l2a-bands") from exc


FILE = click.Path(dir_okay=True, path_type=Path)
DATE = click.DateTime(formats=["%Y-%m-%d", "%Y%m%d"])


@click.command(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 120})
@click.option("--input", "inputs", multiple=True, required=True, type=FILE,
              help="Products (repeatable): a folder with a STAC catalog.json (L3B, S1 BCK/COH/AMP/COHE, S2 L2A items), "
                   "a STAC item file, a SAFE folder/zip or a single raster named as Sen4CAP or the project names it.")
@click.option("--parcels", required=True, type=FILE,
              help="Parcel table with a NewID column: GeoParquet or any OGR vector (s4c-parcels' decl_<site>_<year>), or an s4c-parcels output folder.")
@click.option("--parcels-layer", help="Layer of a multi-layer parcel file (e.g. a GeoPackage).")
@click.option("--append-to", type=FILE,
              help="Existing markers table (Parquet/IPC file or an s4c-markers output folder): its columns are kept, only new products are computed.")
@click.option("--start-date", type=DATE, help="Ignore products acquired before this date (YYYY-MM-DD).")
@click.option("--end-date", type=DATE, help="Ignore products acquired after this date (YYYY-MM-DD).")
@click.option("--products", "types", multiple=True,
              help="Product types to reduce (repeatable or comma-separated: NDVI, LAI, FAPAR, FCOVER, NDWI, BRIGHT, L2A, BCK, AMP, COH, COHE). "
                   "Default: all found.")
@click.option("--l2a-bands", multiple=True, help="L2A bands to reduce at their native resolution, e.g. B2,B3,B4,B8,B11,B12 (needed for L2A inputs).")
@click.option("--stats", "stats", multiple=True,
              help=f"Statistics besides mean and stdev (repeatable or comma-separated): {', '.join(OPTIONAL_STATS)}, or all.")
@click.option("--min-valid-pixels", type=click.IntRange(min=1), default=2, show_default=True,
              help="A parcel's statistics are written only with at least this many valid pixels (Sen4CAP: more than one).")
@click.option("--min-valid-fraction", type=click.FloatRange(0, 1), default=0.1, show_default=True,
              help="... and with more than this fraction of its pixels valid.")
@click.option("--percentile-method", type=click.Choice([m.value for m in PercentileMethod]), default="linear", show_default=True,
              help="linear: NumPy's default (Hyndman-Fan type 7); sen4cap: Sen4CAP's rule on distinct values (compat).")
@click.option("--amp-db", type=click.Choice([m.value for m in AmpDb]), default="linear", show_default=True,
              help="Backscatter in dB. linear: statistics of linear sigma0 (AMP squared) converted to dB, stdev of pixel dB; "
                   "sigma0: statistics of per-pixel sigma0 dB; sen4cap: 10*log10 of the stored value per pixel (half dB for AMP, compat).")
@click.option("--zero-is-nodata", is_flag=True, help="A value of exactly 0 is invalid for every product type (Sen4CAP compat).")
@click.option("--vvvh/--no-vvvh", default=True, show_default=True, help="Write the VV - VH backscatter table (MDB2).")
@click.option("--vvvh-stdev", is_flag=True, help="Also write VV - VH of the stdev columns (Sen4CAP compat).")
@click.option("--sen4cap-compat", is_flag=True,
              help="Every Sen4CAP quirk: --amp-db sen4cap, --zero-is-nodata, --percentile-method sen4cap, --vvvh-stdev.")
@click.option("--buffer-10m", type=float, default=-5.0, show_default=True, help="Inward buffer (m) of the parcels on 10 m rasters.")
@click.option("--buffer-20m", type=float, default=-10.0, show_default=True,
              help="Inward buffer (m) of the parcels on 20 m rasters; other pixel sizes use half a pixel.")
@click.option("--format", "formats", multiple=True, type=click.Choice(FORMATS), default=("parquet",), show_default=True,
              help="Table format(s) (repeatable).")
@click.option("--long", "long_layout", is_flag=True, help="Also write the long layout (one row per parcel and date: NewID, date, type, ..., statistics).")
@click.option("--name", default="markers", show_default=True, help="Base name of the output tables and of the STAC item.")
@click.option("--window-size", type=click.IntRange(min=64), default=DEFAULT_WINDOW, show_default=True,
              help="Pixels per side of the processing windows (memory is bounded by a window).")
@standard_options(__version__, "s4c-markers")
@processor_command
def main(
    inputs: tuple[Path, ...],
    parcels: Path,
    parcels_layer: str | None,
    append_to: Path | None,
    start_date: dt.datetime | None,
    end_date: dt.datetime | None,
    types: tuple[str, ...],
    l2a_bands: tuple[str, ...],
    stats: tuple[str, ...],
    min_valid_pixels: int,
    min_valid_fraction: float,
    percentile_method: str,
    amp_db: str,
    zero_is_nodata: bool,
    vvvh: bool,
    vvvh_stdev: bool,
    sen4cap_compat: bool,
    buffer_10m: float,
    buffer_20m: float,
    formats: tuple[str, ...],
    long_layout: bool,
    name: str,
    window_size: int,
    output: Path,
    workers: int,
) -> None:
    """Per-parcel markers: for every product (date, type, polarisation, orbit, band) the mean and standard deviation
    (and on request min, max, median, quartiles, pixel counts) of the pixels whose centre lies inside each inward-buffered
    parcel. Writes the wide table (Sen4CAP MDB1), the VV - VH table (MDB2), optionally the long layout, and a STAC catalog."""
    started = time.monotonic()
    if sen4cap_compat:
        amp_db, percentile_method, zero_is_nodata, vvvh_stdev = "sen4cap", "sen4cap", True, True
    options = Options(
        stats=_stats(stats),
        reporting=Reporting(min_valid_pixels, min_valid_fraction),
        percentile_method=PercentileMethod(percentile_method),
        amp_db=AmpDb(amp_db),
        zero_is_nodata=zero_is_nodata,
        buffers=Buffers(buffer_10m, buffer_20m),
        window_size=window_size,
        workers=workers,
    )
    selection = Selection(
        types=tuple(t.upper() for t in _split(types)),
        l2a_bands=_bands(l2a_bands),
        start=start_date.date() if start_date else None,
        end=end_date.date() if end_date else None,
        zero_is_nodata=zero_is_nodata,
    )
    parcel_set = read_parcels(parcels, parcels_layer)
    existing = read_table(append_to) if append_to is not None else None
    products = open_inputs(list(inputs), selection)
    if not products:
        raise InputError("no product is left after --products, --start-date and --end-date; nothing to compute.", "E_PARAM")
    result = compute_markers(parcel_set, products, options, existing)
    tables = {"wide": result.table}
    if long_layout:
        tables["long"] = long_table(result.table)
    if vvvh and (mdb2 := vvvh_table(result.table, stdev=vvvh_stdev)) is not None:
        tables["vvvh"] = mdb2
    derived = [str(parcel_set.source.resolve()), *sorted({p.href for p in result.products}), *([str(append_to.resolve())] if append_to else [])]
    with AtomicOutput(output) as stage:
        write_outputs(stage, name, tables, tuple(dict.fromkeys(formats)), parcel_set, derived, result.warnings.items)
    log.info(
        "%d parcels, %d column group(s) computed from %d raster(s), %d kept from the appended table; rasterisation %.1f s, reduction %.1f s, total %.1f s",
        len(parcel_set), len(result.computed), len(result.products), len(result.skipped), result.rasterize_seconds, result.reduce_seconds,
        time.monotonic() - started,
    )
