"""``s4c-sample``: generate a deterministic synthetic scene with its ground truth."""

from __future__ import annotations

from pathlib import Path

import click
from s4c_common.cli import processor_command, standard_options

from . import __version__
from .generate import generate
from .scene import PRESETS, build_scene


@click.command(name="s4c-sample", context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--preset",
    type=click.Choice(sorted(PRESETS)),
    default="demo",
    show_default=True,
    help="demo: 4.8 × 3.6 km, 600 parcels, 12 S2 dates, 20 S1 GRD, 2 SLC triplets; "
    "bench: the whole tile 31UFS, 100 000 parcels, 1 S2 date, no S1; tiny: 1.8 × 1.44 km for tests.",
)
@click.option("--seed", type=int, default=42, show_default=True, help="Random seed: the same seed gives the same bytes.")
@click.option("--parcels", "n_parcels", type=click.IntRange(min=1), default=None, help="Number of declared parcels (default: the preset's).")
@click.option("--s1/--no-s1", "s1", default=None, help="Write Sentinel-1 GRD and SLC products (default: the preset's).")
@click.option("--s2-dates", type=click.IntRange(min=1), default=None, help="Number of Sentinel-2 dates (default: the preset's).")
@standard_options(__version__, "s4c-sample")
@processor_command
def main(preset: str, seed: int, n_parcels: int | None, s1: bool | None, s2_dates: int | None, output: Path, workers: int) -> None:
    """Generate a synthetic growing season (2021, tile 31UFS) for the whole Sen4CAP chain.

    Writes Sentinel-2 L2A and Sentinel-1 GRD/SLC SAFE products, a DEM, the farmers' declarations
    (parcels, crop LUT, tile grid, practices) and the ground truth, with a STAC catalog, into OUTPUT.
    Prints a short summary on stdout. The same seed and options give the same bytes, whatever --workers.
    """
    scene = build_scene(preset, seed, n_parcels=n_parcels, s1=s1, s2_dates=s2_dates)
    summary = generate(scene, output, workers=workers)
    for line in summary.lines():
        click.echo(line)
