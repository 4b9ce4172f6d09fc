"""Daily canopy state and field operations of every unit over the season.

The state of a unit on a day is the cover of its surface, which is all the
sensors see:

- ``green``: green vegetation cover fraction (the FCOVER of the truth);
- ``standing``: standing senescent (dry) canopy, before harvest;
- ``residue``: flat crop residue on the soil (stubble, straw, hay);
- ``flower``: yellow flower cover over the canopy (rapeseed);
- ``roughness_db``: soil-roughness increase of the radar backscatter after tillage.

Arable crops follow a double-logistic green-up/senescence curve cut by the
harvest, with spring ploughing and sowing before and a follow-up after it
(catch crop, stubble then ploughing, winter crop sowing). Grass-like crops
relax towards a seasonal potential and drop at each cut (the regrowth of
0.01–0.03 NDVI/day after a cut comes from the relaxation rate). All dates are
drawn per unit around the crop calendar; earlier and later farms shift all
their dates together.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from .crops import CROPS
from .fields import LandCover
from .plan import Units

ROUGHNESS_MEMORY_DAYS = 30.0
CATCH_CROP_PEAK = (0.45, 0.68)  # green cover, NDVI about 0.5–0.7
WINTER_CROP_AUTUMN_COVER = 0.3
CUT_REMAINING_GREEN = (0.3, 0.55)  # share of the green cover a cut leaves: grass NDVI falls to about 0.3–0.5
REGROWTH_RATE = (0.035, 0.07)  # per day, relaxation towards the potential cover
HAY_COVER = 0.25
HAY_MEMORY_DAYS = 3.0
VERGE_CUT_DOYS = (165.0, 255.0)
MEADOW_CUT_DOY = 185.0


class Event(IntEnum):
    PLOUGH = 1
    SOW = 2
    HARVEST = 3
    MOW = 4
    CULTIVATE = 5  # stubble cultivation and catch-crop sowing
    WINTER_SOW = 6


ROUGHNESS_DB = {Event.PLOUGH: 3.0, Event.CULTIVATE: 2.0, Event.SOW: 1.2, Event.WINTER_SOW: 1.5}


@dataclass
class Events:
    unit: np.ndarray  # int32
    day: np.ndarray  # int32 day of the season
    kind: np.ndarray  # int8 Event

    def select(self, kind: Event) -> Events:
        keep = self.kind == kind
        return Events(self.unit[keep], self.day[keep], self.kind[keep])


@dataclass
class States:
    """Daily states, arrays of (units, days) float32, and the events that shaped them."""

    green: np.ndarray
    standing: np.ndarray
    residue: np.ndarray
    flower: np.ndarray
    roughness_db: np.ndarray
    harvest_day: np.ndarray  # (units,) float, NaN without harvest in the season
    events: Events
    first_doy: int

    @property
    def days(self) -> int:
        return self.green.shape[1]

    def at(self, days: int | np.ndarray) -> DayState:
        """The states on one day (arrays of (units,)) or on several (arrays of (units, days))."""
        after = np.asarray(days)[None, ...] >= np.nan_to_num(self.harvest_day, nan=np.inf).reshape(-1, *([1] * np.ndim(days)))
        return DayState(
            green=self.green[:, days],
            dry=self.standing[:, days] + self.residue[:, days],
            standing=self.standing[:, days],
            flower=self.flower[:, days],
            after_harvest=after,
            roughness_db=self.roughness_db[:, days],
        )


@dataclass
class DayState:
    """Unit states on a day (arrays of (units,)) or on several days (arrays of (units, days))."""

    green: np.ndarray
    dry: np.ndarray  # standing senescent canopy + flat residue
    standing: np.ndarray
    flower: np.ndarray
    after_harvest: np.ndarray  # bool
    roughness_db: np.ndarray


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -40, 40)))


def _calendar_array(crops: np.ndarray, attribute: str) -> np.ndarray:
    return np.array([getattr(CROPS[c].calendar, attribute) for c in crops], dtype=float)


@dataclass
class _EventList:
    unit: list[np.ndarray]
    day: list[np.ndarray]
    kind: list[np.ndarray]

    def add(self, units: np.ndarray, days: np.ndarray, kind: Event, n_days: int) -> None:
        days = np.round(days)
        keep = np.isfinite(days) & (days >= 0) & (days < n_days)
        self.unit.append(units[keep])
        self.day.append(days[keep].astype(np.int32))
        self.kind.append(np.full(int(keep.sum()), kind, dtype=np.int8))

    def freeze(self) -> Events:
        unit = np.concatenate(self.unit).astype(np.int32)
        day = np.concatenate(self.day).astype(np.int32)
        kind = np.concatenate(self.kind).astype(np.int8)
        order = np.lexsort((kind, day, unit))
        return Events(unit[order], day[order], kind[order])


def _arable(
    units: np.ndarray,
    crops: np.ndarray,
    catch: np.ndarray,
    catch_declared: np.ndarray,
    n_days: int,
    first_doy: int,
    catch_start_day: int,
    rng: np.random.Generator,
    out: States,
    events: _EventList,
) -> None:
    n = len(units)
    t = np.arange(n_days, dtype=np.float32)[None, :]

    def day(doy: np.ndarray | float) -> np.ndarray:
        return np.asarray(doy, dtype=float) - first_doy

    def col(values: np.ndarray) -> np.ndarray:
        return np.asarray(values, dtype=np.float32)[:, None]

    cycle = np.array([CROPS[c].calendar.cycle for c in crops])
    winter = cycle == "winter"
    earliness = rng.standard_normal(n)  # shifts all the dates of a farm together
    noise = rng.standard_normal((4, n))
    harvest_sd = _calendar_array(crops, "harvest_sd")
    # Operations fall on whole days: the states change on the day the event is recorded.
    sow = np.round(day(_calendar_array(crops, "sow_doy")) + _calendar_array(crops, "sow_sd") * earliness + 2 * noise[0])
    plough = sow - np.round(rng.uniform(8, 25, n))
    greenup = np.where(
        winter,
        day(_calendar_array(crops, "greenup_doy")) + 4 * earliness + 3 * noise[1],
        sow + _calendar_array(crops, "greenup_doy") + 3 * noise[1],
    )
    senescence = day(_calendar_array(crops, "senescence_doy")) + 0.8 * harvest_sd * earliness + 2 * noise[2]
    harvest = np.round(day(_calendar_array(crops, "harvest_doy")) + 0.8 * harvest_sd * earliness + 2 * noise[3])
    peak = np.minimum(_calendar_array(crops, "peak_green") * rng.uniform(0.94, 1.03, n), 0.98)
    start = np.where(winter, _calendar_array(crops, "start_green") * rng.uniform(0.8, 1.2, n), 0.0)
    pre_cover = np.where(winter, 0.0, rng.uniform(0.0, 0.3, n))  # last winter's cover crop, until ploughing
    stubble = _calendar_array(crops, "stubble") * rng.uniform(0.8, 1.2, n)

    canopy = col(start) + col(peak - start) * sigmoid((t - col(greenup)) / col(_calendar_array(crops, "greenup_days")))
    before_sowing = ~winter[:, None] & (t < col(sow))
    canopy = np.where(before_sowing, 0.0, canopy)
    senesced = sigmoid((t - col(senescence)) / col(_calendar_array(crops, "senescence_days")))
    green = canopy * (1 - senesced)
    standing = 0.85 * canopy * senesced
    green = np.where(~winter[:, None] & (t < col(plough)), col(pre_cover), green)
    residue = np.where(winter[:, None], 0.05, np.where(t < col(plough), 0.15, 0.03))
    flower_peak = _calendar_array(crops, "flower_doy")
    flower = np.where(
        np.isfinite(col(flower_peak)),
        col(_calendar_array(crops, "flower_cover")) * np.exp(-(((t - col(np.nan_to_num(day(flower_peak)))) / 9.0) ** 2)),
        0.0,
    )

    # After the harvest: a catch crop, or stubble until ploughing and possibly a winter crop.
    cultivate = np.where(catch, harvest + np.round(rng.uniform(7, 21, n)), np.nan)  # 1–3 weeks after the harvest
    cultivate = np.where(catch & catch_declared, np.maximum(np.minimum(cultivate, catch_start_day + 5), harvest + 2), cultivate)
    catch_mid = cultivate + rng.uniform(20, 28, n)
    catch_peak = rng.uniform(*CATCH_CROP_PEAK, n)
    late_harvest = harvest > day(250)
    plough_after = harvest + np.round(np.where(late_harvest, rng.uniform(2, 12, n), rng.uniform(15, 60, n)))
    # A declared catch crop that is not sown: the stubble is ploughed inside the catch-crop period.
    in_period = catch_start_day + np.round(rng.uniform(10, 35, n))
    plough_after = np.where(catch_declared & ~catch, np.maximum(in_period, harvest + 5), plough_after)
    plough_after = np.where(catch, np.nan, plough_after)
    sows_winter_crop = ~catch & (rng.random(n) < 0.6)
    winter_sow = np.where(sows_winter_crop, np.round(np.maximum(day(rng.uniform(282, 300, n)), plough_after + rng.uniform(2, 8, n))), np.nan)

    after = t >= col(harvest)
    catch_green = np.where(t >= col(np.nan_to_num(cultivate, nan=1e9)), col(catch_peak) * sigmoid((t - col(np.nan_to_num(catch_mid))) / 5.0), 0.0)
    winter_green = np.where(
        t >= col(np.nan_to_num(winter_sow, nan=1e9)),
        WINTER_CROP_AUTUMN_COVER * sigmoid((t - col(np.nan_to_num(winter_sow)) - 30.0) / 7.0),
        0.0,
    )
    first_work = np.fmin(cultivate, plough_after)
    stubble_left = col(stubble) * np.exp(-(t - col(harvest)) / 90.0)
    residue_after = np.where(t < col(np.nan_to_num(first_work, nan=1e9)), stubble_left, np.where(col(catch), 0.1 * col(stubble), 0.03))

    green = np.where(after, catch_green + winter_green, green)
    standing = np.where(after, 0.0, standing)
    residue = np.where(after, residue_after, residue)
    flower = np.where(after, 0.0, flower)
    residue = np.minimum(residue, 1 - green - standing)

    out.green[units] = green
    out.standing[units] = standing
    out.residue[units] = residue
    out.flower[units] = flower
    out.harvest_day[units] = np.where((harvest >= 0) & (harvest < n_days), harvest, np.nan)
    spring = ~winter
    events.add(units[spring], plough[spring], Event.PLOUGH, n_days)
    events.add(units[spring], sow[spring], Event.SOW, n_days)
    events.add(units, harvest, Event.HARVEST, n_days)
    events.add(units, cultivate, Event.CULTIVATE, n_days)
    events.add(units, plough_after, Event.PLOUGH, n_days)
    events.add(units, winter_sow, Event.WINTER_SOW, n_days)


def grass_potential(doy: np.ndarray) -> np.ndarray:
    """Seasonal shape of grass cover (× the crop's peak): spring flush, a dip in the summer drought, autumn decline."""
    spring = 0.6 + 0.4 * sigmoid((doy - 105.0) / 10.0)
    summer = 1 - 0.08 * np.exp(-(((doy - 205.0) / 18.0) ** 2))
    autumn = 1 - 0.15 * sigmoid((doy - 305.0) / 10.0)
    return spring * summer * autumn


def _cut_days(crops: np.ndarray, first_doy: int, rng: np.random.Generator) -> np.ndarray:
    """(units, max cuts) days of the season of each cut, NaN where there is none."""
    max_cuts = max(len(CROPS[c].calendar.cut_counts) for c in crops) - 1 if len(crops) else 0
    cuts = np.full((len(crops), max(max_cuts, 1)), np.nan)
    for i, c in enumerate(crops):
        calendar = CROPS[c].calendar
        probabilities = np.asarray(calendar.cut_counts)
        count = int(rng.choice(len(probabilities), p=probabilities / probabilities.sum()))
        doy = rng.uniform(*calendar.first_cut_doy)
        for k in range(count):
            if doy > calendar.last_cut_doy:
                break
            cuts[i, k] = round(doy - first_doy)
            doy += rng.uniform(*calendar.cut_interval)
    return cuts


def _grass(units: np.ndarray, peak: np.ndarray, cuts: np.ndarray, n_days: int, first_doy: int, rng, out: States, events: _EventList) -> None:
    potential = peak[:, None] * grass_potential(np.arange(n_days, dtype=float) + first_doy)[None, :]
    remaining = rng.uniform(*CUT_REMAINING_GREEN, cuts.shape)
    rate = rng.uniform(*REGROWTH_RATE, len(units))
    green = potential[:, 0] * 0.95
    hay = np.zeros(len(units))
    hay_decay = np.exp(-1.0 / HAY_MEMORY_DAYS)
    green_days = np.empty((len(units), n_days))
    hay_days = np.empty((len(units), n_days))
    for d in range(n_days):
        green = green + rate * (potential[:, d] - green)
        cut_today = cuts == d
        mown = cut_today.any(axis=1)
        green = np.where(mown, green * (remaining * cut_today).sum(axis=1), green)
        hay = hay * hay_decay + HAY_COVER * mown
        green_days[:, d] = green
        hay_days[:, d] = hay
    out.green[units] = green_days
    out.residue[units] = np.minimum(hay_days, 1 - green_days)
    for k in range(cuts.shape[1]):
        events.add(units, cuts[:, k], Event.MOW, n_days)


def _land_cover_green(land_cover: LandCover, doy: np.ndarray) -> np.ndarray:
    if land_cover == LandCover.FOREST:  # mixed forest: deciduous leaves come out in late April, fall in November
        return 0.93 - 0.2 * (1 - sigmoid((doy - 118.0) / 7.0)) - 0.15 * sigmoid((doy - 300.0) / 8.0)
    if land_cover == LandCover.BUILT:  # gardens and street trees
        return 0.25 * (0.6 + 0.4 * sigmoid((doy - 110.0) / 10.0))
    if land_cover == LandCover.ROAD:
        return np.full_like(doy, 0.03)
    return np.zeros_like(doy)


def _roughness(events: Events, n_units: int, n_days: int) -> np.ndarray:
    """Radar roughness after tillage: set to the operation's level, then smoothed by weather over ~30 days."""
    tillage = np.isin(events.kind, list(ROUGHNESS_DB))
    unit, day, kind = events.unit[tillage], events.day[tillage], events.kind[tillage]
    level = np.array([ROUGHNESS_DB[Event(k)] for k in kind])
    roughness = np.zeros((n_units, n_days), dtype=np.float32)
    if len(unit) == 0:
        return roughness
    t = np.arange(n_days)[None, :]
    starts = np.r_[0, np.flatnonzero(np.diff(unit)) + 1]  # events are sorted by unit then day
    rank = np.arange(len(unit)) - np.repeat(starts, np.diff(np.r_[starts, len(unit)]))
    for r in range(int(rank.max()) + 1):
        pick = rank == r
        rows = unit[pick]
        since = t - day[pick][:, None]
        roughness[rows] = np.where(since >= 0, level[pick][:, None] * np.exp(-since / ROUGHNESS_MEMORY_DAYS), roughness[rows])
    return roughness


def simulate(units: Units, n_days: int, first_doy: int, catch_start_day: int, rng: np.random.Generator) -> States:
    """Daily states of all units; ``catch_start_day`` is the catch-crop period start (sowing deadline)."""
    shape = (len(units), n_days)
    out = States(
        green=np.zeros(shape, np.float32),
        standing=np.zeros(shape, np.float32),
        residue=np.zeros(shape, np.float32),
        flower=np.zeros(shape, np.float32),
        roughness_db=np.zeros(shape, np.float32),
        harvest_day=np.full(len(units), np.nan),
        events=Events(np.empty(0, np.int32), np.empty(0, np.int32), np.empty(0, np.int8)),
        first_doy=first_doy,
    )
    events = _EventList([], [], [])
    cycle = np.array([CROPS[c].calendar.cycle if c >= 0 else "" for c in units.crop])
    arable = np.flatnonzero((cycle == "winter") | (cycle == "spring"))
    _arable(arable, units.crop[arable], units.catch_crop[arable], units.catch_crop_declared[arable], n_days, first_doy, catch_start_day, rng, out, events)

    grass = np.flatnonzero(cycle == "grass")
    peak = np.array([CROPS[c].calendar.peak_green for c in units.crop[grass]]) * rng.uniform(0.95, 1.04, len(grass))
    _grass(grass, np.minimum(peak, 0.97), _cut_days(units.crop[grass], first_doy, rng), n_days, first_doy, rng, out, events)

    verge, meadow = int(LandCover.VERGE), int(LandCover.MEADOW)
    background_grass = np.array([verge, meadow])
    cuts = np.array([[VERGE_CUT_DOYS[0] - first_doy, VERGE_CUT_DOYS[1] - first_doy], [MEADOW_CUT_DOY - first_doy, np.nan]])
    _grass(background_grass, np.array([0.8, 0.88]), cuts, n_days, first_doy, rng, out, events)

    doy = np.arange(n_days, dtype=float) + first_doy
    for land_cover in (LandCover.FOREST, LandCover.BUILT, LandCover.ROAD, LandCover.WATER):
        out.green[int(land_cover)] = _land_cover_green(land_cover, doy)
    out.standing[int(LandCover.FOREST)] = 0.05

    out.events = events.freeze()
    out.roughness_db = _roughness(out.events, len(units), n_days)
    return out
