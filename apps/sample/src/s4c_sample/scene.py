"""Scene definition: where, when and how much, for each preset.

A preset fixes the area (a window of Sentinel-2 tile 31UFS, UTM 31N, in the
south of the Netherlands), the acquisition calendars and the number of
parcels; :func:`build_scene` resolves it, with command-line overrides, into a
:class:`Scene` that every other module reads.

Calendars follow the real orbit geometry of the area: Sentinel-2 relative
orbit R008 (S2A and S2B alternating on a 5-day grid, about 10:50 UTC) and
Sentinel-1 ascending relative orbit 88 (S1A and S1B alternating on a 6-day
grid, about 17:25 UTC). Sun angles are computed for the date, time and
latitude.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace

import numpy as np
from pyproj import Transformer
from s4c_common.raster import Grid

TILE_ID = "31UFS"
EPSG = 32631
TILE_ULX = 600000.0
TILE_ULY = 5700000.0
TILE_SIZE_PX = 10980
PIXEL_SIZE = 10.0

YEAR = 2021
SEASON_START = dt.date(YEAR, 3, 1)
SEASON_END = dt.date(YEAR, 11, 30)

S2_RELATIVE_ORBIT = 8
S2_REVISIT_DAYS = 5
S2_ANCHOR = dt.date(YEAR, 4, 2)  # an S2A acquisition on R008; S2B flies 5 days later
S2_SENSING_TIME = dt.time(10, 50, 21)
S2_VIEW_ZENITH = 6.2  # mean over the tile for R008, degrees
S2_VIEW_AZIMUTH = 104.8

S1_RELATIVE_ORBIT = 88
S1_PASS = "ASCENDING"
S1_REVISIT_DAYS = 6
S1_ANCHOR = dt.date(YEAR, 4, 3)  # an S1A acquisition on orbit 88; S1B flies 6 days later
S1_START_TIME = dt.time(17, 24, 52)


@dataclass(frozen=True)
class Preset:
    """What a preset asks for; sizes in 10 m pixels (multiples of 6 so 20 m and 60 m grids align)."""

    name: str
    ulx: float
    uly: float
    width: int
    height: int
    n_parcels: int
    s2_dates: int
    s2_window: tuple[dt.date, dt.date]
    s1: bool
    s1_grd_dates: int
    slc_triplet_starts: tuple[dt.date, ...]  # first date of each 6+6-day SLC triplet (snapped to the S1 grid)
    cloud_regime: str  # "mixed": realistic mix with a fully cloudy date; "light": few clouds (throughput runs)
    median_parcel_ha: float = 1.5
    misdeclared_share: float = 0.05


PRESETS: dict[str, Preset] = {
    "tiny": Preset(
        name="tiny",
        ulx=650400.0,
        uly=5691000.0,
        width=180,
        height=144,
        n_parcels=60,
        s2_dates=6,
        s2_window=(dt.date(YEAR, 4, 20), dt.date(YEAR, 9, 30)),
        s1=True,
        s1_grd_dates=3,
        slc_triplet_starts=(dt.date(YEAR, 5, 27),),
        cloud_regime="mixed",
        median_parcel_ha=1.2,
    ),
    "demo": Preset(
        name="demo",
        ulx=648000.0,
        uly=5693400.0,
        width=480,
        height=360,
        n_parcels=600,
        s2_dates=12,
        s2_window=(dt.date(YEAR, 4, 1), dt.date(YEAR, 10, 31)),
        s1=True,
        s1_grd_dates=20,
        slc_triplet_starts=(dt.date(YEAR, 5, 27), dt.date(YEAR, 7, 20)),
        cloud_regime="mixed",
    ),
    "bench": Preset(
        name="bench",
        ulx=TILE_ULX,
        uly=TILE_ULY,
        width=TILE_SIZE_PX,
        height=TILE_SIZE_PX,
        n_parcels=100_000,
        s2_dates=1,
        s2_window=(dt.date(YEAR, 6, 15), dt.date(YEAR, 7, 31)),
        s1=False,
        s1_grd_dates=2,
        slc_triplet_starts=(),
        cloud_regime="light",
    ),
}


@dataclass(frozen=True)
class S2Date:
    """One Sentinel-2 acquisition of the scene."""

    index: int
    date: dt.date
    sensing_time: dt.datetime
    spacecraft: str
    relative_orbit: int
    sun_zenith: float
    sun_azimuth: float
    view_zenith: float
    view_azimuth: float


@dataclass(frozen=True)
class S1Date:
    """One Sentinel-1 acquisition of the scene."""

    date: dt.date
    start_time: dt.datetime
    platform: str
    relative_orbit: int
    pass_direction: str


@dataclass(frozen=True)
class Scene:
    """A resolved preset: the grid, the calendars and the sizes every module works with."""

    preset: str
    seed: int
    tile_id: str
    grid: Grid
    n_parcels: int
    median_parcel_ha: float
    misdeclared_share: float
    cloud_regime: str
    s2: tuple[S2Date, ...]
    s1_grd: tuple[S1Date, ...]
    slc_triplets: tuple[tuple[S1Date, S1Date, S1Date], ...]
    season_start: dt.date = SEASON_START
    season_end: dt.date = SEASON_END

    @property
    def epsg(self) -> int:
        return int(self.grid.crs.to_epsg())

    @property
    def season_days(self) -> int:
        return (self.season_end - self.season_start).days + 1

    def day_index(self, date: dt.date) -> int:
        """Day of the season (0 = first day)."""
        return (date - self.season_start).days

    def lonlat_centre(self) -> tuple[float, float]:
        left, bottom, right, top = self.grid.bounds
        to_wgs84 = Transformer.from_crs(self.grid.crs, "EPSG:4326", always_xy=True)
        lon, lat = to_wgs84.transform((left + right) / 2, (bottom + top) / 2)
        return float(lon), float(lat)

    @property
    def slc_dates(self) -> tuple[S1Date, ...]:
        return tuple(acq for triplet in self.slc_triplets for acq in triplet)


def solar_angles(when: dt.datetime, lat: float, lon: float) -> tuple[float, float]:
    """Sun zenith and azimuth (degrees, azimuth clockwise from north) with the NOAA approximation (≈0.1°)."""
    day_of_year = when.timetuple().tm_yday
    hours = when.hour + when.minute / 60 + when.second / 3600
    gamma = 2 * math.pi / 365 * (day_of_year - 1 + (hours - 12) / 24)
    eq_time = 229.18 * (0.000075 + 0.001868 * math.cos(gamma) - 0.032077 * math.sin(gamma) - 0.014615 * math.cos(2 * gamma) - 0.040849 * math.sin(2 * gamma))
    declination = (
        0.006918
        - 0.399912 * math.cos(gamma)
        + 0.070257 * math.sin(gamma)
        - 0.006758 * math.cos(2 * gamma)
        + 0.000907 * math.sin(2 * gamma)
        - 0.002697 * math.cos(3 * gamma)
        + 0.00148 * math.sin(3 * gamma)
    )
    true_solar_minutes = hours * 60 + eq_time + 4 * lon
    hour_angle = math.radians(true_solar_minutes / 4 - 180)
    phi = math.radians(lat)
    cos_zenith = math.sin(phi) * math.sin(declination) + math.cos(phi) * math.cos(declination) * math.cos(hour_angle)
    zenith = math.acos(max(-1.0, min(1.0, cos_zenith)))
    cos_az = (math.sin(phi) * math.cos(zenith) - math.sin(declination)) / (math.cos(phi) * math.sin(zenith))
    azimuth = math.degrees(math.acos(max(-1.0, min(1.0, cos_az))))
    azimuth = (azimuth + 180) % 360 if hour_angle > 0 else (540 - azimuth) % 360
    return math.degrees(zenith), azimuth


def revisit_calendar(anchor: dt.date, step_days: int, start: dt.date, end: dt.date, count: int) -> list[dt.date]:
    """``count`` dates of a repeat-pass grid (``anchor`` + k·step) spread evenly over [start, end].

    Picks alternate between odd and even slots where the spacing allows, so the two satellites of a
    constellation (which fly on alternate slots) alternate too.
    """
    first = anchor + dt.timedelta(days=step_days * math.ceil((start - anchor).days / step_days))
    slots = [first + dt.timedelta(days=step_days * k) for k in range((end - first).days // step_days + 1)]
    if count >= len(slots):
        return slots
    ideal = np.linspace(0, len(slots) - 1, count)
    picks = [round(ideal[0])]
    for position in ideal[1:]:
        wanted_parity = (picks[-1] + 1) % 2
        candidate = math.floor(position)
        candidate += (candidate % 2) != wanted_parity
        picks.append(min(candidate, len(slots) - 1))
    if len(set(picks)) < count:  # too dense to alternate: plain even spread
        picks = sorted({round(p) for p in ideal})
    return [slots[i] for i in picks]


def s2_spacecraft(date: dt.date) -> str:
    return "S2A" if ((date - S2_ANCHOR).days // S2_REVISIT_DAYS) % 2 == 0 else "S2B"


def s1_platform(date: dt.date) -> str:
    return "S1A" if ((date - S1_ANCHOR).days // S1_REVISIT_DAYS) % 2 == 0 else "S1B"


def s1_date(date: dt.date) -> S1Date:
    # Successive products of one orbit start a few seconds apart along the track; the time of day is kept fixed.
    return S1Date(
        date=date,
        start_time=dt.datetime.combine(date, S1_START_TIME, tzinfo=dt.UTC),
        platform=s1_platform(date),
        relative_orbit=S1_RELATIVE_ORBIT,
        pass_direction=S1_PASS,
    )


def snap_to_s1_grid(date: dt.date) -> dt.date:
    offset = (date - S1_ANCHOR).days
    return S1_ANCHOR + dt.timedelta(days=S1_REVISIT_DAYS * round(offset / S1_REVISIT_DAYS))


def build_scene(
    preset: str | Preset,
    seed: int = 42,
    *,
    n_parcels: int | None = None,
    s1: bool | None = None,
    s2_dates: int | None = None,
) -> Scene:
    """Resolve a preset (by name or object) and the overrides into a :class:`Scene`."""
    spec = PRESETS[preset] if isinstance(preset, str) else preset
    if n_parcels is not None:
        spec = replace(spec, n_parcels=n_parcels)
    if s2_dates is not None:
        spec = replace(spec, s2_dates=s2_dates)
    if s1 is not None:
        spec = replace(spec, s1=s1)
    if spec.width % 6 or spec.height % 6:
        raise ValueError(f"preset {spec.name}: width and height must be multiples of 6 pixels")
    bounds = (spec.ulx, spec.uly - spec.height * PIXEL_SIZE, spec.ulx + spec.width * PIXEL_SIZE, spec.uly)
    grid = Grid.from_bounds(EPSG, bounds, PIXEL_SIZE)
    partial = Scene(
        preset=spec.name,
        seed=seed,
        tile_id=TILE_ID,
        grid=grid,
        n_parcels=spec.n_parcels,
        median_parcel_ha=spec.median_parcel_ha,
        misdeclared_share=spec.misdeclared_share,
        cloud_regime=spec.cloud_regime,
        s2=(),
        s1_grd=(),
        slc_triplets=(),
    )
    lon, lat = partial.lonlat_centre()
    s2 = []
    for index, date in enumerate(revisit_calendar(S2_ANCHOR, S2_REVISIT_DAYS, *spec.s2_window, spec.s2_dates)):
        sensing = dt.datetime.combine(date, S2_SENSING_TIME, tzinfo=dt.UTC)
        zenith, azimuth = solar_angles(sensing, lat, lon)
        s2.append(
            S2Date(
                index=index,
                date=date,
                sensing_time=sensing,
                spacecraft=s2_spacecraft(date),
                relative_orbit=S2_RELATIVE_ORBIT,
                sun_zenith=round(zenith, 4),
                sun_azimuth=round(azimuth, 4),
                view_zenith=S2_VIEW_ZENITH,
                view_azimuth=S2_VIEW_AZIMUTH,
            )
        )
    grd: list[S1Date] = []
    triplets: list[tuple[S1Date, S1Date, S1Date]] = []
    if spec.s1:
        window = (dt.date(YEAR, 4, 1), dt.date(YEAR, 10, 31))
        grd = [s1_date(d) for d in revisit_calendar(S1_ANCHOR, S1_REVISIT_DAYS, *window, spec.s1_grd_dates)]
        for start in spec.slc_triplet_starts:
            first = snap_to_s1_grid(start)
            step = dt.timedelta(days=S1_REVISIT_DAYS)
            triplets.append((s1_date(first), s1_date(first + step), s1_date(first + 2 * step)))
    return replace(partial, s2=tuple(s2), s1_grd=tuple(grd), slc_triplets=tuple(triplets))
