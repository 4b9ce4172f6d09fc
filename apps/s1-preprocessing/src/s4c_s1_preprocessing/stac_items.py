"""STAC items of the products (spec 3: sat:, sar: and s4c: properties)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path

import pystac
from s4c_common.raster import Grid
from s4c_common.stac import MEDIA_COG, AssetSpec, build_item
from shapely.geometry import box

from . import __version__
from .inputs import InputProduct

PROCESSOR = "s4c-s1-preprocessing"


def _platform(mission: str) -> str:
    return f"sentinel-{mission[1:].lower()}"


def product_item(
    path: Path,
    grid: Grid,
    *,
    kind: str,
    polarisation: str,
    sources: Sequence[InputProduct],
    properties: Mapping[str, object],
    warnings: Sequence[Mapping[str, str]] = (),
) -> pystac.Item:
    """One item per raster: ``kind`` BCK/AMP (one source) or COH/COHE (master, slave)."""
    first = sources[0].product
    times = sorted(s.product.start_time for s in sources)
    props: dict[str, object] = {
        "platform": _platform(max(sources, key=lambda s: s.product.start_time).product.mission),
        "constellation": "sentinel-1",
        "instruments": ["c-sar"],
        "sat:relative_orbit": first.relative_orbit,
        "sat:orbit_state": first.pass_direction.lower(),
        "sar:instrument_mode": "IW",
        "sar:polarizations": [polarisation],
        "sar:frequency_band": "C",
        "s4c:product": kind,
        **properties,
    }
    timing: dict[str, dt.datetime] = {"datetime": times[-1]}
    if len(times) > 1:
        timing.update(start_datetime=times[0], end_datetime=times[-1])
    asset = AssetSpec(path, MEDIA_COG, ("data",), f"{kind} {polarisation}", {"raster:bands": [{"data_type": "float32"}]})
    return build_item(
        path.stem,
        geometry=box(*grid.bounds),
        crs=grid.crs.to_wkt(),
        assets={"data": asset},
        processor=PROCESSOR,
        processor_version=__version__,
        properties=props,
        derived_from=[str(s.path.resolve()) for s in sources],
        shape=grid.shape,
        transform=list(grid.transform)[:6],
        warnings=warnings,
        **timing,
    )
