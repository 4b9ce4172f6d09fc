"""Command-line options every L3B processor shares: the identity of its products in their names."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import click

from .l3b import NAMINGS
from .times import parse_time


def parse_time_option(_ctx: click.Context, _param: click.Parameter, value: str | None) -> dt.datetime | None:
    """Click callback: a time option as a UTC datetime (YYYYMMDDThhmmss or ISO 8601)."""
    if value is None:
        return None
    try:
        return parse_time(value)
    except ValueError as exc:
        raise click.BadParameter(f"expected YYYYMMDDThhmmss or ISO 8601, got {value!r}") from exc


def l3b_product_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``--site-id``, ``--naming`` and ``--creation-time`` (given to the command as a UTC datetime or None)."""
    options = [
        click.option(
            "--creation-time",
            callback=parse_time_option,
            help="Creation time in product names and metadata (YYYYMMDDThhmmss or ISO 8601, UTC). Default: the input product's "
            "generation time (the last field of its name), else its sensing time, so that the same input gives the same output.",
        ),
        click.option(
            "--naming",
            type=click.Choice(NAMINGS),
            default="sen4cap",
            show_default=True,
            help="sen4cap: S2AGRI_L3B{IND}_PRD_S{site}_{creation}_A{acq}_T{tile}/TILES/.../IMG_DATA, QI_DATA; "
            "project: one flat folder L3B{IND}_T{tile}_{acq}/ per product.",
        ),
        click.option(
            "--site-id",
            type=int,  # the processors check the range, so that a bad value is E_PARAM (exit 3), not a usage error
            default=0,
            show_default=True,
            help="Site number (0 or more) written as S{site} in Sen4CAP product names.",
        ),
    ]
    for option in options:
        fn = option(fn)
    return fn
