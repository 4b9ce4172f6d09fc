"""``s4c-parcels``: prepare a farmers' declaration for every other processor."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import click
from s4c_common.cli import processor_command, standard_options
from s4c_common.output import AtomicOutput

from . import __version__
from .exports import TABLE_FORMATS, write_outputs
from .prepare import Options, prepare

log = logging.getLogger("s4c.parcels")


def _split(values: tuple[str, ...]) -> list[str]:
    """Repeatable options that also accept comma-separated lists."""
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


EXISTING_FILE = click.Path(exists=False, dir_okay=False, path_type=Path)


@click.command(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.option(
    "--declarations",
    required=True,
    type=EXISTING_FILE,
    help="Declared parcels: any OGR vector (GeoPackage, Shapefile, zipped Shapefile, GeoJSON, FlatGeobuf) with a CRS.",
)
@click.option(
    "--lut",
    required=True,
    type=EXISTING_FILE,
    help="Crop look-up table (CSV with ori_crop, ctnum, lc, ctnuml4a, ctl4a, ctnumdiv, eaa, al, pgrass, tgrass, fallow, cwater).",
)
@click.option("--year", required=True, type=int, help="Declaration year (file names, season).")
@click.option(
    "--tile-grid",
    type=EXISTING_FILE,
    help="S2 tiling grid (tile_id, epsg_code, polygons). Default: one tile in the parcels' UTM zone covering their extent, named EPSG<code>.",
)
@click.option(
    "--tiles", multiple=True, help="Tile ids to use (repeatable or comma-separated). Default: every tile intersecting the parcels."
)
@click.option(
    "--previous", type=EXISTING_FILE, help="Parcel table of an earlier run (GeoParquet or GeoPackage): keeps NewID/HoldID of known parcels."
)
@click.option("--parcel-id-cols", multiple=True, default=("OBJECTID",), show_default=True, help="Column(s) joined with '-' into ori_id.")
@click.option(
    "--holding-id-cols", multiple=True, default=("holding_id",), show_default=True, help="Column(s) joined with '-' into ori_hold."
)
@click.option("--crop-code-col", default="CULT_CODE", show_default=True, help="Column with the declared crop code.")
@click.option("--site", default="site", show_default=True, help="Site short name used in file names (decl_<site>_<year>).")
@click.option(
    "--mode",
    type=click.Choice(["update", "replace", "incremental"]),
    default="update",
    show_default=True,
    help="With --previous: update keeps ids and marks vanished parcels deleted; replace renumbers; incremental never deletes.",
)
@click.option("--parcel-id-offset", type=int, default=0, show_default=True, help="Added to new NewIDs.")
@click.option("--holding-id-offset", type=int, default=0, show_default=True, help="Added to new HoldIDs.")
@click.option(
    "--overlap-threshold",
    type=click.FloatRange(0, 1),
    default=0.1,
    show_default=True,
    help="Overlap flag when the summed intersection with other parcels exceeds this fraction of the parcel's area.",
)
@click.option(
    "--buffer-optical",
    type=float,
    default=-5.0,
    show_default=True,
    help="Inward buffer (m) for 10 m products (S2 rasters, _buf_5m layers).",
)
@click.option(
    "--buffer-sar", type=float, default=-10.0, show_default=True, help="Inward buffer (m) for 20 m products (S1 rasters, _buf_10m layers)."
)
@click.option(
    "--extra-epsg",
    type=int,
    default=3035,
    show_default=True,
    help="Additional CRS for the _buf_10m layer (Sen4CAP legacy S1 grid); 0 for none.",
)
@click.option(
    "--duplicate-rule",
    type=click.Choice(["normalized", "binary"]),
    default="normalized",
    show_default=True,
    help="normalized: equal after normalising ring order/start; binary: byte-identical (Sen4CAP).",
)
@click.option(
    "--pixel-count-merge",
    type=click.Choice(["max", "sum"]),
    default="max",
    show_default=True,
    help="How pixel counts of parcels in tile overlaps combine.",
)
@click.option(
    "--rasterize-all-touched", is_flag=True, help="Burn every pixel a parcel touches instead of the pixel-centre rule (not Sen4CAP)."
)
@click.option(
    "--format",
    "formats",
    multiple=True,
    type=click.Choice(TABLE_FORMATS),
    default=("geoparquet",),
    show_default=True,
    help="Format(s) of the full parcel table (repeatable).",
)
@standard_options(__version__, "s4c-parcels")
@processor_command
def main(
    declarations: Path,
    lut: Path,
    year: int,
    tile_grid: Path | None,
    tiles: tuple[str, ...],
    previous: Path | None,
    parcel_id_cols: tuple[str, ...],
    holding_id_cols: tuple[str, ...],
    crop_code_col: str,
    site: str,
    mode: str,
    parcel_id_offset: int,
    holding_id_offset: int,
    overlap_threshold: float,
    buffer_optical: float,
    buffer_sar: float,
    extra_epsg: int,
    duplicate_rule: str,
    pixel_count_merge: str,
    rasterize_all_touched: bool,
    formats: tuple[str, ...],
    output: Path,
    workers: int,
) -> None:
    """Prepare declared parcels (LPIS/GSAA): stable NewIDs, quality flags, area and shape index,
    inward-buffered layers, per-tile NewID rasters (10 m and 20 m) with pixel counts, the LUT join,
    and a STAC catalog in --output."""
    started = time.monotonic()
    options = Options(
        year=year,
        site=site,
        parcel_id_cols=_split(parcel_id_cols),
        holding_id_cols=_split(holding_id_cols),
        crop_code_col=crop_code_col,
        mode=mode,
        parcel_id_offset=parcel_id_offset,
        holding_id_offset=holding_id_offset,
        overlap_threshold=overlap_threshold,
        buffer_optical=buffer_optical,
        buffer_sar=buffer_sar,
        extra_epsg=extra_epsg or None,
        duplicate_rule=duplicate_rule,
        pixel_count_merge=pixel_count_merge,
        rasterize_all_touched=rasterize_all_touched,
        tiles=_split(tiles) or None,
    )
    result = prepare(declarations, lut, options, tile_grid=tile_grid, previous=previous)
    derived = [str(p.resolve()) for p in (declarations, lut, tile_grid, previous) if p is not None]
    with AtomicOutput(output) as stage:
        write_outputs(result, options, stage, tuple(dict.fromkeys(formats)), derived)
    table = result.table
    log.info(
        "%d parcels (%d valid, %d duplicate, %d overlapping, %d deleted), %d tile raster(s) in %s (%.1f s)",
        len(table),
        int(table["GeomValid"].sum()),
        int(table["Duplic"].sum()),
        int(table["Overlap"].sum()),
        int(table["is_deleted"].sum()),
        len(result.rasters),
        output,
        time.monotonic() - started,
    )
