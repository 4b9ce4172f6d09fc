"""``s4c-s1-pairs``: list the coherence pairs the processor would make from a set of S1 products."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import click
from s4c_common.cli import processor_command

from . import __version__
from .inputs import InputProduct, open_inputs
from .options import MASTERS
from .pairing import Candidate, Pair, make_pairs

CSV_FIELDS = ("master", "slave", "master_time", "slave_time", "relative_orbit", "interval_days", "intersection")


def candidate(product: InputProduct) -> Candidate:
    s1 = product.product
    return Candidate(s1.name, s1.mission, s1.start_time, s1.relative_orbit, tuple(s1.polarisations), s1.footprint)


def pair_record(pair: Pair) -> dict[str, object]:
    return {
        "master": pair.master.name,
        "slave": pair.slave.name,
        "master_time": pair.master.start_time.isoformat(),
        "slave_time": pair.slave.start_time.isoformat(),
        "relative_orbit": pair.master.relative_orbit,
        "interval_days": pair.interval_days,
        "intersection": round(pair.intersection, 4),
    }


@click.command(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.option("--input", "inputs", multiple=True, required=True, type=click.Path(path_type=Path), help="STAC catalog dir or SAFE folder/zip (repeatable).")
@click.option("--temporal-offset", type=click.IntRange(1), default=6, show_default=True, help="Days between the acquisitions of a pair.")
@click.option("--max-pair-interval", type=click.IntRange(1), default=6, show_default=True, help="Days; 12 enables 12-day pairs where no 6-day partner exists.")
@click.option("--min-intersection", type=click.FloatRange(0, 1), default=0.05, show_default=True, help="Minimum area(A∩B)/min(area(A), area(B)).")
@click.option("--master", type=click.Choice(MASTERS), default="NEWEST", show_default=True, help="Master of each pair (coregistration reference).")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True, help="Output format on stdout.")
@click.option("--quiet", "-q", is_flag=True, help="Only warnings and errors on stderr.")
@click.option("--verbose", "-v", is_flag=True, help="Debug logging, and tracebacks on errors.")
@click.version_option(__version__, prog_name="s4c-s1-pairs")
@processor_command
def main(inputs: tuple[Path, ...], temporal_offset: int, max_pair_interval: int, min_intersection: float, master: str, fmt: str) -> None:
    """Print the SLC pairs (master, slave, interval) of the spec's pairing rules as JSON or CSV; GRD
    products and SLCs without a partner are listed as unpaired (they only get backscatter)."""
    products = open_inputs(list(inputs))
    slcs = [candidate(p) for p in products if p.product.product_type == "SLC"]
    pairs = make_pairs(slcs, temporal_offset, max_pair_interval, min_intersection, master)
    records = [pair_record(p) for p in pairs]
    if fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=CSV_FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
        return
    paired = {name for p in pairs for name in (p.master.name, p.slave.name)}
    unpaired = [p.name for p in products if p.name not in paired]
    click.echo(json.dumps({"pairs": records, "unpaired": unpaired}, indent=2))
