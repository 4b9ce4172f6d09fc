"""``s4c-spectral-indices``: Sen4CAP L3B spectral indices of Sentinel-2 L2A products."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import click
from s4c_common.cli import processor_command, standard_options
from s4c_common.l3b_options import l3b_product_options, parse_time_option
from s4c_common.output import AtomicOutput
from s4c_common.stac import write_catalog

from . import __version__
from .formulas import BRIGHTNESS_DEFINITIONS, INDICES, NDWI_DEFINITIONS, help_table
from .process import SEN4CAP_COMPAT, Options, prepare, process_product
from .sources import ROLE_BANDS, open_sources

log = logging.getLogger("s4c.spectral_indices")

HELP = f"""Compute Sen4CAP L3B spectral indices of Sentinel-2 L2A products: one product per index and
input (index raster int16 × 1000 with no-data -10000, or float32 with NaN; validity flags MMONODFLG
0 land, 1 water, 2 cloud shadow, 3 snow, 4 cloud, 5 saturated, 255 no data; quick-look; MTD XML),
as Cloud-Optimized GeoTIFFs with a STAC catalog in --output.

\b
Reflectance = (DN + BOA_ADD_OFFSET) / QUANTIFICATION_VALUE; 20 m bands are replicated onto the 10 m
grid (nearest). Vegetation and soil indices are defined where the flag is 0, water indices where it
is 0 or 1; a denominator below 1e-7 in absolute value gives 0 (OTB). Indices [class]: formula
(R = B04, G = B03, NIR = B08, SWIR1 = B11):

\b
{help_table()}

\b
--sen4cap-compat switches on Sen4CAP's quirks: {", ".join(f"{k.replace('_', '-')} {v}" for k, v in SEN4CAP_COMPAT.items())};
each can be set on its own, and explicit options win over --sen4cap-compat."""


def _parse_band_map(values: tuple[str, ...]) -> dict[str, str]:
    mapping = {}
    for value in values:
        for pair in filter(None, (p.strip() for p in value.split(","))):
            role, sep, band = pair.partition("=")
            if not sep or not role.strip() or not band.strip():
                raise click.BadParameter(f"expected role=band pairs (e.g. red=3,nir=8 or nir=B8A), got {pair!r}", param_hint="--band-map")
            mapping[role.strip().lower()] = band.strip()
    return mapping


def _resolve(explicit: object, name: str, compat: bool, default: object) -> object:
    """An explicit option wins; else the Sen4CAP value under --sen4cap-compat; else the default."""
    if explicit is not None:
        return explicit
    return SEN4CAP_COMPAT[name] if compat and name in SEN4CAP_COMPAT else default


@click.command(help=HELP, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 120})
@click.option(
    "--input",
    "inputs",
    multiple=True,
    required=True,
    type=click.Path(path_type=Path),
    help="Input (repeatable): a folder with a STAC catalog.json of L2A items, an L2A .SAFE folder or zip, a STAC item JSON, "
    "or a generic raster with --band-map and --reflectance-scale.",
)
@click.option(
    "--index",
    "indices",
    multiple=True,
    default=("NDVI",),
    show_default=True,
    type=click.Choice(list(INDICES), case_sensitive=False),
    metavar="NAME",
    help="Index to compute (repeatable; one L3B product each): a name of the list above, case-insensitive.",
)
@click.option("--resolution", type=click.Choice(["10", "20"]), default="10", show_default=True, help="Output pixel size (m).")
@click.option("--quantification", type=int, default=1000, show_default=True, help="int16 scale (1 to 10000): stored value = index × this.")
@click.option(
    "--apply-boa-offset/--no-apply-boa-offset",
    default=True,
    show_default=True,
    help="Add BOA_ADD_OFFSET (-1000 from processing baseline 04.00 on) to the DN before scaling.",
)
@click.option(
    "--reflectance-scale",
    type=float,
    help="DN → reflectance factor. Default: 1/QUANTIFICATION_VALUE of the L2A product; required for generic rasters (e.g. 0.001 for ×1000).",
)
@click.option(
    "--band-map",
    multiple=True,
    help=f"role=band pairs (repeatable or comma-separated). Roles: {', '.join(ROLE_BANDS)}. For L2A products a band name "
    "(nir=B8A); for a generic raster the band number (red=3,nir=8).",
)
@click.option(
    "--output-dtype",
    type=click.Choice(["int16", "float32"]),
    default="int16",
    show_default=True,
    help="int16: index × quantification, no-data -10000; float32: the index itself, no-data NaN.",
)
@click.option(
    "--reflectance-units",
    type=click.Choice(["reflectance", "dn"]),
    help="reflectance: (DN + offset) × scale; dn: DN + offset unscaled, as Sen4CAP computes (changes SAVI, TSAVI, MSAVI2, GEMI, BI, BI2, "
    "LAIFromReflLinear).  [default: reflectance; dn with --sen4cap-compat]",
)
@click.option(
    "--mask-index/--no-mask-index",
    default=True,
    show_default=True,
    help="Write no-data where the flag forbids the index; --no-mask-index writes unmasked values, as the TAO service does.",
)
@click.option(
    "--negative-to-nodata/--keep-negative",
    default=None,
    help="Negative index values become no-data (Sen4CAP quirk: removes water, bare soil and snow signal).  [default: keep-negative; "
    "negative-to-nodata with --sen4cap-compat]",
)
@click.option(
    "--quantize-rounding",
    type=click.Choice(["round", "truncate"]),
    help="int16 rounding: half away from zero, or toward zero as Sen4CAP.  [default: round; truncate with --sen4cap-compat]",
)
@click.option(
    "--scl-shadow-flag",
    type=click.Choice(["2", "4"]),
    help="Flag of SCL class 3 (cloud shadow): 2, or 4 (cloud) as Sen4CAP.  [default: 2; 4 with --sen4cap-compat]",
)
@click.option(
    "--ndwi-definition",
    type=click.Choice(NDWI_DEFINITIONS),
    default="gao",
    show_default=True,
    help="NDWI: gao = (B08 − B11)/(B08 + B11) as Sen4CAP L3B; l4a = the opposite sign, as Sen4CAP L4A.",
)
@click.option(
    "--brightness-definition",
    type=click.Choice(BRIGHTNESS_DEFINITIONS),
    default="BI",
    show_default=True,
    help="BRIGHTNESS (SBRIGHT): BI = sqrt((R² + G²)/2), BI2 = sqrt((R² + G² + NIR²)/3), L4A = sqrt(G² + R² + NIR² + SWIR1²).",
)
@click.option("--cog/--no-cog", default=True, show_default=True, help="Cloud-Optimized GeoTIFFs, or plain tiled GeoTIFFs (faster to write).")
@click.option("--sen4cap-compat", is_flag=True, help="Switch on every Sen4CAP quirk (see above); explicit options win.")
@l3b_product_options
@click.option(
    "--acquisition-time",
    callback=parse_time_option,
    help="Acquisition time of a generic raster (YYYYMMDDThhmmss, UTC). Default: a date in its file name or its TIFF date tag.",
)
@click.option(
    "--scl",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Scene classification raster of a generic raster input (repeatable, one per generic input, in order), on any grid in its CRS: "
    "each output pixel takes the class of the cell containing its centre. Without it every pixel of a generic raster is land.",
)
@click.option(
    "--aoi",
    help="Area of interest, WKT or GeoJSON in EPSG:4326 (inline or a file): the output is cropped to its bounding box, snapped to the grid.",
)
@standard_options(__version__, "s4c-spectral-indices")
@processor_command
def main(
    inputs: tuple[Path, ...],
    indices: tuple[str, ...],
    resolution: str,
    quantification: int,
    site_id: int,
    apply_boa_offset: bool,
    reflectance_scale: float | None,
    band_map: tuple[str, ...],
    output_dtype: str,
    reflectance_units: str | None,
    mask_index: bool,
    negative_to_nodata: bool | None,
    quantize_rounding: str | None,
    scl_shadow_flag: str | None,
    ndwi_definition: str,
    brightness_definition: str,
    cog: bool,
    sen4cap_compat: bool,
    naming: str,
    creation_time,
    acquisition_time,
    scl: tuple[Path, ...],
    aoi: str | None,
    output: Path,
    workers: int,
) -> None:
    started = time.monotonic()
    options = Options(
        resolution=int(resolution),
        quantification=quantification,
        site_id=site_id,
        apply_boa_offset=apply_boa_offset,
        reflectance_scale=reflectance_scale,
        band_map=_parse_band_map(band_map),
        output_dtype=output_dtype,  # type: ignore[arg-type]
        reflectance_units=_resolve(reflectance_units, "reflectance_units", sen4cap_compat, "reflectance"),  # type: ignore[arg-type]
        mask_index=mask_index,
        negative_to_nodata=bool(_resolve(negative_to_nodata, "negative_to_nodata", sen4cap_compat, False)),
        quantize_rounding=_resolve(quantize_rounding, "quantize_rounding", sen4cap_compat, "round"),  # type: ignore[arg-type]
        scl_shadow_flag=int(_resolve(scl_shadow_flag, "scl_shadow_flag", sen4cap_compat, 2)),  # type: ignore[arg-type]
        ndwi_definition=ndwi_definition,
        brightness_definition=brightness_definition,
        cog=cog,
        naming=naming,  # type: ignore[arg-type]
        creation_time=creation_time,
        acquisition_time=acquisition_time,
        aoi=aoi,
        scl=scl,
        workers=workers,
    )
    sources = open_sources(inputs, options.read_options())
    checked = [prepare(source, indices, options)[0] for source in sources]  # every input is checked before anything is written
    with AtomicOutput(output) as stage:
        items = [item for source in checked for item in process_product(source, indices, options, stage)]
        write_catalog(stage, items, catalog_id="s4c-spectral-indices", description="Sen4CAP L3B spectral indices (s4c-spectral-indices)")
    log.info("%d product(s) from %d input(s) in %s (%.1f s)", len(items), len(sources), output, time.monotonic() - started)
