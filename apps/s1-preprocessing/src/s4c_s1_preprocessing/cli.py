"""``s4c-s1-preprocessing``: terrain-corrected backscatter and 6/12-day coherence from Sentinel-1 IW products."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import click
from click.core import ParameterSource
from s4c_common.cli import processor_command, standard_options

from . import __version__
from .backends import BACKENDS, default_backend
from .options import (
    AMP_MODES,
    DEM_HEIGHTS,
    GEOCODINGS,
    MASTERS,
    PIXEL_SPACINGS,
    RADIOMETRIES,
    RESAMPLINGS,
    SCALES,
    SPECKLE_FILTERS,
    BackscatterOptions,
    CoherenceOptions,
)
from .processor import PRODUCTS, RunConfig, run
from .products import NAMINGS

log = logging.getLogger("s4c.s1_preprocessing")

# --sen4cap-compat: every Sen4CAP quirk of the spec, applied to the options left at their defaults
SEN4CAP_COMPAT = {"thermal_noise": False, "remove_geometric_phase": False, "amp_mode": "sen4cap", "naming": "sen4cap"}
VERTICAL_DATUM_ALIASES = {"ellipsoid": "ellipsoidal"}


def _split(values: tuple[str, ...]) -> list[str]:
    return [v.strip() for value in values for v in value.replace(";", ",").split(",") if v.strip()]


def _looks(_ctx: click.Context, _param: click.Parameter, value: str) -> tuple[int, int] | None:
    if value in ("", "auto"):
        return None
    try:
        range_looks, azimuth_looks = (int(v) for v in value.lower().split("x"))
    except ValueError as exc:
        raise click.BadParameter("expected RANGExAZIMUTH, e.g. 8x2, or auto") from exc
    if range_looks < 1 or azimuth_looks < 1:
        raise click.BadParameter("looks must be at least 1")
    return range_looks, azimuth_looks


def _polarisations(_ctx: click.Context, _param: click.Parameter, value: tuple[str, ...]) -> tuple[str, ...]:
    pols = tuple(dict.fromkeys(p.upper() for p in _split(value)))
    bad = [p for p in pols if p not in ("VV", "VH")]
    if bad or not pols:
        raise click.BadParameter(f"expected VV and/or VH, got {', '.join(bad) or 'nothing'}")
    return pols


FILE = click.Path(dir_okay=False, path_type=Path)


@click.command(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 120})
@click.option(
    "--input", "inputs", multiple=True, required=True, type=click.Path(path_type=Path), help="STAC catalog directory, SAFE folder or SAFE zip (repeatable)."
)
@click.option(
    "--product", type=click.Choice(PRODUCTS), default="both", show_default=True, help="What to compute (Sen4CAP compute_amplitude / compute_coherence)."
)
@click.option(
    "--backend", type=click.Choice(BACKENDS), default=default_backend, show_default="snap if gpt is on the PATH, else python", help="Processing back end."
)
@click.option("--gpt", default="gpt", show_default=True, help="snap back end: the gpt executable.")
@click.option(
    "--naming",
    type=click.Choice(NAMINGS),
    default="project",
    show_default=True,
    help="project (S1X_L2_BCK/COH) or sen4cap (SEN4CAP_L2A_..._AMP/COHE, implies --amp-mode sen4cap).",
)
@click.option("--site-id", default="1", show_default=True, help="Site id in Sen4CAP names.")
@click.option(
    "--sen4cap-compat", is_flag=True, help="All Sen4CAP quirks: no thermal-noise removal, geometric phase kept, amplitude sqrt(sigma0), Sen4CAP names."
)
@click.option("--polarisations", multiple=True, default=("VV;VH",), show_default=True, callback=_polarisations, help="VV and/or VH (';' or ',' separated).")
@click.option("--pixel-spacing", type=click.Choice([f"{v:g}" for v in PIXEL_SPACINGS]), default="20", show_default=True, help="Output pixel spacing (m).")
@click.option("--projection", default="EPSG:3035", show_default=True, help="Output CRS (EPSG code, WKT or PROJ string); ignored with --tiles (tile UTM).")
@click.option("--extent", type=float, nargs=4, default=None, help="Output extent LEFT BOTTOM RIGHT TOP in --projection units. Default: the product footprint.")
@click.option("--tiles", multiple=True, help="S2 tile ids (repeatable or comma-separated): one product per tile, on the tile grid.")
@click.option("--tile-grid", type=FILE, help="Tile grid (GeoPackage with tile_id, epsg_code, polygons); required with --tiles.")
@click.option("--temporal-offset", type=click.IntRange(1), default=6, show_default=True, help="Days between the two acquisitions of a pair.")
@click.option("--max-pair-interval", type=click.IntRange(1), default=6, show_default=True, help="Days; 12 allows 12-day pairs where no 6-day partner exists.")
@click.option("--min-intersection", type=click.FloatRange(0, 1), default=0.05, show_default=True, help="Minimum footprint overlap area(A∩B)/min(area).")
@click.option("--master", type=click.Choice(MASTERS), default="NEWEST", show_default=True, help="Master (coregistration reference) of each pair.")
@click.option(
    "--radiometry",
    type=click.Choice(RADIOMETRIES),
    default="sigma0",
    show_default=True,
    help="sigma0, beta0, gamma0 (ellipsoid) or gamma0_rtc (terrain-flattened).",
)
@click.option("--thermal-noise/--no-thermal-noise", default=True, show_default=True, help="Remove thermal noise with the noise LUTs.")
@click.option("--amp-mode", type=click.Choice(AMP_MODES), default="sigma0", show_default=True, help="sen4cap writes the amplitude sqrt(sigma0).")
@click.option("--scale", type=click.Choice(SCALES), default="linear", show_default=True, help="Backscatter as linear power or dB (10·log10).")
@click.option("--ml-looks", default="auto", show_default=True, callback=_looks, help="Multilook RANGExAZIMUTH; auto: SLC 8x2, GRD round(spacing/10) per axis.")
@click.option("--speckle-filter", type=click.Choice(SPECKLE_FILTERS), default="none", show_default=True, help="snap back end: Speckle-Filter (python: none).")
@click.option("--speckle-filter-size", type=click.IntRange(3), default=5, show_default=True, help="snap back end: speckle filter window (pixels).")
@click.option("--coh-win-rg", type=click.IntRange(1), default=20, show_default=True, help="Coherence window in range (samples).")
@click.option("--coh-win-az", type=click.IntRange(1), default=5, show_default=True, help="Coherence window in azimuth (lines).")
@click.option(
    "--remove-geometric-phase/--keep-geometric-phase", default=True, show_default=True, help="Subtract flat-earth and topographic phase before coherence."
)
@click.option(
    "--coherence-bias",
    type=click.Choice(["none", "table"]),
    default="none",
    show_default=True,
    help="python: 'table' removes the estimator bias (inverse E[|γ|] for the window's looks).",
)
@click.option(
    "--subset-to-pair-overlap/--no-subset-to-pair-overlap",
    default=True,
    show_default=True,
    help="Coherence only inside the envelope of the pair's footprint intersection.",
)
@click.option(
    "--geocoding",
    type=click.Choice(GEOCODINGS),
    default="range-doppler",
    show_default=True,
    help="range-doppler (DEM) or gcp (geolocation grid; flat terrain only).",
)
@click.option(
    "--gcp-max-relief", type=click.FloatRange(0), default=50.0, show_default=True, help="Max DEM height range (m) over a footprint for --geocoding gcp."
)
@click.option("--dem", type=FILE, help="DEM (any GDAL raster with a CRS); required for range-doppler. See s4c-dem-fetch.")
@click.option(
    "--dem-vertical-datum",
    "--dem-heights",
    "dem_heights",
    type=click.Choice([*DEM_HEIGHTS, *VERTICAL_DATUM_ALIASES]),
    default="declared",
    show_default=True,
    help="Vertical datum of the DEM heights; declared: from its CRS or VERTICAL_DATUM metadata.",
)
@click.option("--geoid-undulation", type=float, help="Constant geoid height N (m) for EGM heights when PROJ's geoid grid is unavailable.")
@click.option("--dem-resampling", type=click.Choice(RESAMPLINGS), default="bilinear", show_default=True, help="DEM resampling onto the output grid.")
@click.option("--img-resampling", type=click.Choice(RESAMPLINGS), default="bilinear", show_default=True, help="Radar image resampling.")
@click.option("--crop-nodata/--no-crop-nodata", default=True, show_default=True, help="Crop all-no-data borders (not with --tiles).")
@click.option(
    "--orbit-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="snap back end: precise orbit files (*_AUX_POEORB_*.EOF); python uses the annotation orbit.",
)
@click.option("--gpt-cache", default="256M", show_default=True, help="snap back end: gpt -c.")
@click.option("--gpt-parallelism", type=click.IntRange(1), default=8, show_default=True, help="snap back end: gpt -q.")
@click.option("--step-timeout", type=click.FloatRange(min=0, min_open=True), default=60.0, show_default=True, help="snap back end: minutes per gpt call.")
@click.option("--snap-version-min", type=click.IntRange(1), default=9, show_default=True, help="snap back end: oldest SNAP major version accepted.")
@click.option("--chunk-size", type=click.IntRange(64), default=1024, show_default=True, help="python back end: output block size (pixels).")
@standard_options(__version__, "s4c-s1-preprocessing")
@processor_command
def main(inputs: tuple[Path, ...], output: Path, workers: int, **params) -> None:
    """Sentinel-1 pre-processing (Sen4CAP L2 S1, APEx sen4cap_s1_pre_processing): calibrated, noise-corrected,
    terrain-corrected backscatter for every product (GRD or SLC) and interferometric coherence for every SLC
    pair on one track 6 days apart, as float32 COGs with a STAC catalog in --output."""
    started = time.monotonic()
    ctx = click.get_current_context()
    if params.pop("sen4cap_compat"):
        for name, value in SEN4CAP_COMPAT.items():
            if ctx.get_parameter_source(name) == ParameterSource.DEFAULT:
                params[name] = value
    if params["naming"] == "sen4cap":
        params["amp_mode"] = "sen4cap"
    if params["tiles"] and params["tile_grid"] is None:
        raise click.UsageError("--tiles needs --tile-grid.")
    common = {
        "polarisations": params["polarisations"],
        "pixel_spacing": float(params["pixel_spacing"]),
        "projection": params["projection"],
        "extent": tuple(params["extent"]) if params["extent"] else None,
        "dem": params["dem"],
        "dem_heights": VERTICAL_DATUM_ALIASES.get(params["dem_heights"], params["dem_heights"]),
        "geoid_undulation": params["geoid_undulation"],
        "geocoding": params["geocoding"],
        "gcp_max_relief": params["gcp_max_relief"],
        "dem_resampling": params["dem_resampling"],
        "img_resampling": params["img_resampling"],
        "crop_nodata": params["crop_nodata"] and not params["tiles"],
        "orbit_dir": params["orbit_dir"],
        "chunk_size": params["chunk_size"],
        "workers": workers,
        "gpt_cache": params["gpt_cache"],
        "gpt_parallelism": params["gpt_parallelism"],
        "step_timeout": params["step_timeout"],
        "snap_version_min": params["snap_version_min"],
    }
    backscatter = BackscatterOptions(
        **common,
        radiometry=params["radiometry"],
        thermal_noise=params["thermal_noise"],
        amp_mode=params["amp_mode"],
        scale=params["scale"],
        ml_looks=params["ml_looks"],
        speckle_filter=params["speckle_filter"],
        speckle_filter_size=params["speckle_filter_size"],
    )
    coherence = CoherenceOptions(
        **common,
        coh_win_rg=params["coh_win_rg"],
        coh_win_az=params["coh_win_az"],
        remove_geometric_phase=params["remove_geometric_phase"],
        subset_to_pair_overlap=params["subset_to_pair_overlap"],
        bias_correction=params["coherence_bias"],
    )
    config = RunConfig(
        product=params["product"],
        naming=params["naming"],
        site=params["site_id"],
        backend=params["backend"],
        gpt=params["gpt"],
        tiles=tuple(_split(params["tiles"])),
        tile_grid=params["tile_grid"],
        temporal_offset=params["temporal_offset"],
        max_pair_interval=params["max_pair_interval"],
        min_intersection=params["min_intersection"],
        master=params["master"],
        backscatter=backscatter,
        coherence=coherence,
    )
    items = run(list(inputs), config, output)
    log.info("%d product(s) in %s (%.1f s)", len(items), output, time.monotonic() - started)
