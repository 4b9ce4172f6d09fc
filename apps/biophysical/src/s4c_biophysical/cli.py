"""``s4c-biophysical`` (L3B LAI, FAPAR, FCOVER, CCC, CWC) and ``s4c-biophysical-auxdata`` (fetch the networks)."""

from __future__ import annotations

import datetime as dt
import logging
import time
from pathlib import Path

import click
from click.core import ParameterSource
from s4c_common.cli import processor_command, standard_options
from s4c_common.l3b_options import l3b_product_options

from . import __version__, auxdata_manifest
from .auxdata import ENV_VAR, fetch_auxdata, resolve_auxdata, verify_auxdata
from .evaluate import DOMAIN_CHECKS, OUTPUT_RANGE_MODES
from .models import INDICATORS, MODELS, SENSOR_MODELS
from .process import Options, run
from .window import OUTPUT_DTYPES

log = logging.getLogger("s4c.biophysical")

# --sen4cap-compat: every Sen4CAP quirk of spec l3b-biophysical.md (CLI option names and values), unless the option is given.
SEN4CAP_COMPAT: dict[str, object] = {
    "output_range_mode": "sen4cap",
    "domain_check": "box",
    "quantize_rounding": "truncate",
    "no_write_domain_flags": True,
    "scl_shadow_flag": "4",
}

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 120}


def _split(values: tuple[str, ...]) -> list[str]:
    """Repeatable options that also accept comma-separated lists."""
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def _indicator_list(_ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(v.upper() for v in _split(values)))
    unknown = [v for v in chosen if v not in INDICATORS]
    if unknown:
        raise click.BadParameter(f"{unknown[0]} is not one of {', '.join(INDICATORS)}")
    return chosen


@click.command(context_settings=CONTEXT)
@click.option(
    "--input",
    "-i",
    multiple=True,
    required=True,
    help="Input L2A product (repeatable): a folder with a STAC catalog.json, a .SAFE folder or zip, or a STAC item/catalog JSON.",
)
@click.option(
    "--indicator",
    multiple=True,
    default=("LAI",),
    show_default=True,
    callback=_indicator_list,
    help="Indicator(s), repeatable or comma-separated: LAI (m²/m²), FAPAR (fraction), FCOVER (fraction), "
    "CCC = LAI×Cab (µg/cm², stored ×10), CWC = LAI×Cw (g/cm², stored ×10000).",
)
@click.option(
    "--auxdata",
    type=click.Path(file_okay=False, path_type=Path),
    envvar=ENV_VAR,
    show_envvar=True,
    help="SNAP network folder in the upstream layout (holding 2_1/ and 3_0/); fetch it with s4c-biophysical-auxdata.",
)
@click.option(
    "--model",
    type=click.Choice(list(MODELS)),
    default="snap-3.0-20m",
    show_default=True,
    help="Networks: snap-3.0-20m (B3 B4 B5 B6 B7 B8A B11 B12 + angles), snap-3.0-10m (B3 B4 B8 + angles; LAI, FAPAR, FCOVER), "
    "snap-2.1 (SNAP 2.1 networks), sen4cap-allbands (Sen4CAP's INRA nets, 12 inputs; needs --sen4cap-nn-dir).",
)
@click.option(
    "--sensor-model",
    type=click.Choice(SENSOR_MODELS),
    default="auto",
    show_default=True,
    help="Spacecraft-specific networks; auto takes the product's (S2C/S2D have none: S2A, with WARNING W_MODEL_SUBSTITUTED).",
)
@click.option(
    "--sen4cap-nn-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Sen4CAP VegetationStatus/ConfigFiles folder with Algo_S2_V2.0_SL2T_allbands_*.txt (model sen4cap-allbands).",
)
@click.option(
    "--resolution",
    type=click.Choice(["10", "20"]),
    default="10",
    show_default=True,
    help="Output pixel size in metres; at 10 m the 20 m bands are replicated (nearest neighbour, as Sen4CAP).",
)
@click.option(
    "--output-range-mode",
    type=click.Choice(OUTPUT_RANGE_MODES),
    default="snap",
    show_default=True,
    help="snap: outputs within the tolerance of [min, max] are clamped, beyond it kept and flagged (no-data in int16); "
    "sen4cap: within the tolerance kept, beyond it clamped.",
)
@click.option(
    "--domain-check",
    type=click.Choice(DOMAIN_CHECKS),
    default="box+grid",
    show_default=True,
    help="Input definition domain: box (per-band min/max, Sen4CAP) or box+grid (also SNAP's convex-hull grid). Advisory: flag only.",
)
@click.option(
    "--no-mask-invalid",
    is_flag=True,
    help="Also give values where the SCL validity flag is not 0 (land): clouds, shadows, snow, water, saturated (no-data by default).",
)
@click.option(
    "--no-apply-boa-offset",
    is_flag=True,
    help="Ignore BOA_ADD_OFFSET (−1000 from baseline 04.00); by default reflectance = (DN + BOA_ADD_OFFSET) / QUANTIFICATION_VALUE.",
)
@click.option(
    "--quantification",
    type=click.FloatRange(min=0, min_open=True, max=10000),
    default=1000.0,
    show_default=True,
    help="int16 value per unit of LAI, FAPAR and FCOVER (no-data −10000).",
)
@click.option(
    "--quantize-rounding",
    type=click.Choice(["round", "truncate"]),
    default="round",
    show_default=True,
    help="round (half away from zero) or truncate toward zero (Sen4CAP).",
)
@click.option(
    "--no-write-domain-flags",
    is_flag=True,
    help="Leave out the network quality raster M{IND}DOMFLG (bits: 1 input out of domain, 2 raised to min, 4 lowered to max, "
    "8 below min−tolerance, 16 above max+tolerance; 255 no value), written by default.",
)
@click.option(
    "--output-dtype",
    type=click.Choice(OUTPUT_DTYPES),
    default="int16",
    show_default=True,
    help="int16 (scaled, no-data −10000) or float32 (physical values, no-data NaN, out-of-range values kept).",
)
@click.option(
    "--scl-shadow-flag",
    type=click.Choice(["2", "4"]),
    default="2",
    show_default=True,
    help="Validity flag of SCL class 3 (cloud shadow): 2, or 4 = cloud (Sen4CAP).",
)
@click.option(
    "--angle-interpolation",
    type=click.Choice(["bilinear"]),
    default="bilinear",
    show_default=True,
    help="Sun and view angles: 5 km MTD_TL.xml grids interpolated bilinearly to each pixel centre (azimuths on the circle).",
)
@click.option(
    "--sen4cap-compat",
    is_flag=True,
    help="All Sen4CAP quirks unless given explicitly: --output-range-mode sen4cap, --domain-check box, --quantize-rounding truncate, "
    "--no-write-domain-flags, --scl-shadow-flag 4.",
)
@l3b_product_options
@standard_options(__version__, "s4c-biophysical")
@processor_command
def main(
    input: tuple[str, ...],  # the option's name, so that --params-file keys are option names
    indicator: tuple[str, ...],
    auxdata: Path | None,
    model: str,
    sensor_model: str,
    sen4cap_nn_dir: Path | None,
    resolution: str,
    output_range_mode: str,
    domain_check: str,
    no_mask_invalid: bool,
    no_apply_boa_offset: bool,
    quantification: float,
    quantize_rounding: str,
    no_write_domain_flags: bool,
    output_dtype: str,
    scl_shadow_flag: str,
    angle_interpolation: str,
    sen4cap_compat: bool,
    site_id: int,
    naming: str,
    creation_time: dt.datetime | None,
    output: Path,
    workers: int,
) -> None:
    """Sen4CAP L3B biophysical indicators from Sentinel-2 L2A with the SNAP S2 Toolbox neural networks.

    One product per input and indicator (Sen4CAP layout: indicator raster, MMONODFLG validity flags, M{IND}DOMFLG
    network quality bits, quick-look, MTD) as Cloud-Optimized GeoTIFFs, and a STAC catalog in --output."""
    started = time.monotonic()
    quirks: dict[str, object] = {
        "output_range_mode": output_range_mode,
        "domain_check": domain_check,
        "quantize_rounding": quantize_rounding,
        "no_write_domain_flags": no_write_domain_flags,
        "scl_shadow_flag": scl_shadow_flag,
    }
    if sen4cap_compat:
        ctx = click.get_current_context()
        quirks.update({name: value for name, value in SEN4CAP_COMPAT.items() if ctx.get_parameter_source(name) == ParameterSource.DEFAULT})
    options = Options(
        indicators=indicator,
        model=model,
        sensor_model=sensor_model,
        resolution=int(resolution),
        output_range_mode=quirks["output_range_mode"],  # type: ignore[arg-type]
        domain_check=quirks["domain_check"],  # type: ignore[arg-type]
        mask_invalid=not no_mask_invalid,
        apply_boa_offset=not no_apply_boa_offset,
        quantification=quantification,
        quantize_rounding=str(quirks["quantize_rounding"]),
        write_domain_flags=not quirks["no_write_domain_flags"],
        output_dtype=output_dtype,  # type: ignore[arg-type]
        scl_shadow_flag=int(str(quirks["scl_shadow_flag"])),
        site=site_id,
        naming=naming,  # type: ignore[arg-type]
        creation_time=creation_time,
    )
    items = run(input, output, options, auxdata=auxdata, sen4cap_nn_dir=sen4cap_nn_dir, workers=workers)
    log.info("%d product(s) written to %s (%.1f s)", len(items), output, time.monotonic() - started)


@click.command(context_settings=CONTEXT)
@click.option(
    "--dest",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to fill with the networks in the upstream layout (2_1/, 3_0/); pass it as --auxdata afterwards.",
)
@click.option(
    "--base-url",
    default=auxdata_manifest.RAW_URL,
    show_default=True,
    help="Where the files are: the s2tbx repository at the pinned commit, or a mirror (https:// or file://) with the same layout.",
)
@click.option("--verify-only", is_flag=True, help="Only check the sha256 of the files already in --dest (exit 3 when one is missing or differs).")
@click.version_option(__version__, prog_name="s4c-biophysical-auxdata")
@click.option("--quiet", "-q", is_flag=True, help="Only warnings and errors on stderr.")
@click.option("--verbose", "-v", is_flag=True, help="Debug logging, and tracebacks on errors.")
@processor_command
def auxdata_main(dest: Path, base_url: str, verify_only: bool) -> None:
    """Fetch the SNAP S2 Toolbox biophysical networks (GPL-3.0 data, not shipped with the project) from
    senbox-org/s2tbx at a pinned commit, verifying the sha256 of every file."""
    if verify_only:
        verify_auxdata(resolve_auxdata(dest))
        log.info("all %d auxdata files in %s match the pinned sha256", len(auxdata_manifest.SHA256), dest)
        return
    fetch_auxdata(dest, base_url=base_url)
