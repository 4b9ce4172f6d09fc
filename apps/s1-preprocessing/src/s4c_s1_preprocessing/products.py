"""Output product names and layout (spec section 3), and the ``Backend`` protocol.

Both back ends return per-polarisation GeoTIFFs on the output grid; the processor (not the back end)
names them, converts no-data, cuts tiles and writes the COGs and STAC items, so the product layout
is the same whatever the back end.

Project ("v2") names, flat in the output folder::

    S1{X}_L2_BCK_{YYYYMMDDThhmmss}_{POL}_{ORB:03d}[_{TILE}].tif
    S1{X}_L2_COH_{t_early}_{t_late}_{POL}_{ORB:03d}[_{TILE}].tif     (S1{X}: satellite of the later acquisition)

Sen4CAP names (``--naming sen4cap``), one folder per (pair, polarisation)::

    SEN4CAP_L2A_S{site}_V{t_first}_{t_second}_{POL}_{ORB:03d}/
        SEN4CAP_L2A_S{site}_V{t_first}_{t_second}_{POL}_{ORB:03d}_AMP[_{TILE}].tif
        SEN4CAP_L2A_S{site}_V{t_first}_{t_second}_{POL}_{ORB:03d}_COHE[_{TILE}].tif

For a coherence folder ``t_first``/``t_second`` are the master/slave times; an amplitude is written in
the folder of the pair whose master it is (its own time first), or, for an acquisition that is never
a master, with its own time first and its partner's second (its own time twice when unpaired).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from s4c_common.times import format_time

from .options import BackscatterOptions, CoherenceOptions

NAMINGS = ("project", "sen4cap")
PROJECT_NODATA = float("nan")
SEN4CAP_NODATA = 0.0

# Regexes of spec section 3 that downstream Sen4CAP tools apply to the names.
SEN4CAP_REGEX = re.compile(r"SEN4CAP_L2A_.*_V(\d{8})T\d{6}_(\d{8})T\d{6}_(VH|VV)_(\d{3})_(?:.+)?(AMP|COHE)\.tif")
SEN4CAP_TILE_REGEX = re.compile(r"SEN4CAP_L2A_.*_V(\d{8})T\d{6}_(\d{8})T\d{6}_(VH|VV)_(\d{3})_(?:.+)?(AMP|COHE)_(\d{2}[A-Z]{3})\.tif")
BCK_REGEX = re.compile(r"S1[A-D]_L2_(BCK)_(\d{8})T\d{6}_(VH|VV)_(\d{3})_(\d{2}[A-Z]{3})\.tif")
COH_REGEX = re.compile(r"S1[A-D]_L2_(COH)_(\d{8})T\d{6}_(\d{8})T\d{6}_(VH|VV)_(\d{3})_(\d{2}[A-Z]{3})\.tif")


@dataclass(frozen=True)
class Acquisition:
    """What naming needs to know of one input product."""

    mission: str  # S1A..S1D
    start_time: dt.datetime  # UTC
    relative_orbit: int


@dataclass(frozen=True)
class BackscatterProduct:
    """One backscatter raster: an acquisition, a polarisation, optionally an S2 tile."""

    acquisition: Acquisition
    polarisation: str
    tile: str | None = None
    partner: Acquisition | None = None  # Sen4CAP naming only: the acquisition it is paired with

    def relative_path(self, naming: str = "project", site: int | str = 1) -> Path:
        acq = self.acquisition
        if naming == "project":
            name = f"{acq.mission}_L2_BCK_{format_time(acq.start_time)}_{self.polarisation}_{acq.relative_orbit:03d}"
            return Path(_with_tile(name, self.tile) + ".tif")
        second = self.partner or acq
        folder = sen4cap_folder(site, acq.start_time, second.start_time, self.polarisation, acq.relative_orbit)
        return Path(folder) / (_with_tile(f"{folder}_AMP", self.tile) + ".tif")


@dataclass(frozen=True)
class CoherenceProduct:
    """One coherence raster of a (master, slave) pair."""

    master: Acquisition
    slave: Acquisition
    polarisation: str
    tile: str | None = None

    @property
    def early(self) -> Acquisition:
        return min(self.master, self.slave, key=lambda a: a.start_time)

    @property
    def late(self) -> Acquisition:
        return max(self.master, self.slave, key=lambda a: a.start_time)

    @property
    def interval_days(self) -> int:
        return round((self.late.start_time - self.early.start_time).total_seconds() / 86400.0)

    def relative_path(self, naming: str = "project", site: int | str = 1) -> Path:
        orbit = self.master.relative_orbit
        if naming == "project":
            times = f"{format_time(self.early.start_time)}_{format_time(self.late.start_time)}"
            name = f"{self.late.mission}_L2_COH_{times}_{self.polarisation}_{orbit:03d}"
            return Path(_with_tile(name, self.tile) + ".tif")
        folder = sen4cap_folder(site, self.master.start_time, self.slave.start_time, self.polarisation, orbit)
        return Path(folder) / (_with_tile(f"{folder}_COHE", self.tile) + ".tif")


def sen4cap_folder(site: int | str, first: dt.datetime, second: dt.datetime, polarisation: str, relative_orbit: int) -> str:
    return f"SEN4CAP_L2A_S{site}_V{format_time(first)}_{format_time(second)}_{polarisation}_{relative_orbit:03d}"


def _with_tile(stem: str, tile: str | None) -> str:
    return f"{stem}_{tile}" if tile else stem


def output_nodata(naming: str) -> float:
    """NaN for project products; 0 for Sen4CAP names (downstream Sen4CAP tools treat 0 as no-data)."""
    return SEN4CAP_NODATA if naming == "sen4cap" else PROJECT_NODATA


@runtime_checkable
class Backend(Protocol):
    """A processing back end. Outputs are float32 single-band GeoTIFFs written under ``workdir`` on the
    output grid of the options (``projection``, ``pixel_spacing``, ``extent``); no-data is NaN or the
    value declared in the file. Failures raise ``s4c_common.errors`` exceptions (InputError: exit 3,
    ExternalError ``E_BACKEND``: exit 5)."""

    name: str

    def backscatter(self, product: Path, options: BackscatterOptions, workdir: Path) -> dict[str, Path]:
        """Polarisation -> backscatter GeoTIFF, values as ``options`` say (radiometry, amp_mode, scale)."""
        ...

    def coherence(self, master: Path, slave: Path, options: CoherenceOptions, workdir: Path) -> dict[str, Path]:
        """Polarisation -> coherence magnitude GeoTIFF (0..1)."""
        ...
