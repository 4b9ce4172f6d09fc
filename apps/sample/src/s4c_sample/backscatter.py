"""C-band σ⁰ (VV, VH) and 6-day interferometric coherence of every unit.

Backscatter is a water-cloud model: the soil seen through the canopy plus the
canopy's own volume scattering,

    σ⁰ = τ²·σ⁰_soil + (1 − τ²)·σ⁰_canopy,   τ² = exp(−k·V),   V = LAI + 2·(standing dry cover),

with ``σ⁰_canopy`` and ``k`` per crop (:mod:`s4c_sample.crops`; maize VH rises
from about −20 to −13.5 dB as it grows). Soil σ⁰ is −11 dB in VV and 8.5 dB
less in VH on a dry, smooth field; moisture adds up to +3.5 dB and tillage
roughness +1.2 to +3 dB, fading over a month. Harvest removes the canopy, so
the VV−VH ratio rises by 2–4 dB.

Coherence over a pair of dates falls with the vegetation cover (green plus
standing dry canopy, which moves in the wind) and with rain, and collapses
when a field operation happens between the two dates:

    γ = 0.85 · (1 − 0.8·c̄) · exp(−rain/120 mm) · Π (operation factors),

with c̄ the mean cover of the two dates. That gives 0.7–0.85 on bare soil or
stubble, 0.2–0.3 on tall grass and closed crops, 0.5–0.6 on the first pairs
after a cut (decaying over 2–3 weeks as the grass regrows) and 0.6–0.7 after a
harvest. Forests, water, roads and villages have fixed levels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .crops import CATCH_CROP, CROPS
from .fields import LandCover
from .phenology import DayState, Event, Events
from .plan import Units
from .spectra import lai_from_cover

SOIL_VV_DB = -11.0
SOIL_VH_OFFSET_DB = -8.5
MOISTURE_DB = 5.0  # dB per unit of relative soil moisture, around 0.3
VH_ROUGHNESS_GAIN = 1.2
STANDING_VOLUME_WEIGHT = 2.0
GRASS_CANOPY_DB = (-10.5, -16.5)
COHERENCE_INTERVAL_DAYS = 6  # the pairs of the 6-day repeat (S1A + S1B)
COHERENCE_BARE = 0.85
COHERENCE_COVER_LOSS = 0.8
COHERENCE_RAIN_MM = 120.0
EVENT_COHERENCE = {
    Event.PLOUGH: 0.15,
    Event.CULTIVATE: 0.25,
    Event.SOW: 0.3,
    Event.WINTER_SOW: 0.3,
    Event.HARVEST: 0.3,
    Event.MOW: 0.45,
}
# Fixed σ⁰ (dB, VV and VH) and coherence of land covers without a canopy model; water depends on wind.
FIXED_DB = {LandCover.FOREST: (-7.5, -12.8), LandCover.ROAD: (-16.0, -24.0), LandCover.BUILT: (-3.0, -10.0)}
FIXED_COHERENCE = {LandCover.FOREST: 0.12, LandCover.WATER: 0.03, LandCover.ROAD: 0.7, LandCover.BUILT: 0.85}
WATER_DB = ((-24.0, 8.0), (-30.0, 5.0))  # (calm level, increase at full wind) for VV and VH


def db(linear: np.ndarray) -> np.ndarray:
    return 10 * np.log10(linear)


def linear(decibel: np.ndarray | float) -> np.ndarray:
    return np.power(10.0, np.asarray(decibel) / 10)


@dataclass
class RadarParameters:
    """Per-unit radar constants, arrays of (units,)."""

    soil_vv_db: np.ndarray
    canopy_db: np.ndarray  # (units, 2) VV, VH of the main canopy
    follow_canopy_db: np.ndarray  # (units, 2) after the harvest (catch crop or winter crop seedlings)
    extinction: np.ndarray
    follow_extinction: np.ndarray
    land_cover: np.ndarray


def radar_parameters(units: Units, rng: np.random.Generator) -> RadarParameters:
    n = len(units)
    canopy = np.array([(CROPS[c].canopy_vv_db, CROPS[c].canopy_vh_db) if c >= 0 else GRASS_CANOPY_DB for c in units.crop])
    extinction = np.array([CROPS[c].extinction if c >= 0 else 0.7 for c in units.crop])
    follow = np.repeat([[CATCH_CROP.canopy_vv_db, CATCH_CROP.canopy_vh_db]], n, axis=0)
    return RadarParameters(
        soil_vv_db=SOIL_VV_DB + 0.8 * rng.standard_normal(n),
        canopy_db=canopy.astype(float),
        follow_canopy_db=follow.astype(float),
        extinction=extinction,
        follow_extinction=np.full(n, CATCH_CROP.extinction),
        land_cover=units.land_cover.copy(),
    )


def _per_unit(values: np.ndarray, like: np.ndarray) -> np.ndarray:
    return values.reshape(-1, *([1] * (like.ndim - 1)))


def volume(state: DayState) -> np.ndarray:
    """The radar vegetation volume term: green LAI plus standing dry biomass."""
    return lai_from_cover(state.green) + STANDING_VOLUME_WEIGHT * state.standing


def unit_sigma0(params: RadarParameters, state: DayState, soil_moisture: float | np.ndarray, wind: float | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Linear σ⁰ VV and VH of every unit for one day's or several days' states (float64)."""
    like = state.green
    moisture_db = MOISTURE_DB * (np.asarray(soil_moisture) - 0.3)
    soil_vv = _per_unit(params.soil_vv_db, like) + state.roughness_db + moisture_db
    soil_vh = _per_unit(params.soil_vv_db, like) + SOIL_VH_OFFSET_DB + VH_ROUGHNESS_GAIN * state.roughness_db + moisture_db
    extinction = np.where(state.after_harvest, _per_unit(params.follow_extinction, like), _per_unit(params.extinction, like))
    transmissivity = np.exp(-extinction * volume(state))
    result = []
    for pol, soil in ((0, soil_vv), (1, soil_vh)):
        canopy = np.where(state.after_harvest, _per_unit(params.follow_canopy_db[:, pol], like), _per_unit(params.canopy_db[:, pol], like))
        sigma = transmissivity * linear(soil) + (1 - transmissivity) * linear(canopy)
        for land_cover, levels in FIXED_DB.items():
            sigma[params.land_cover == land_cover] = linear(levels[pol])
        calm, windy = WATER_DB[pol]
        sigma[params.land_cover == LandCover.WATER] = linear(calm + windy * np.asarray(wind))
        result.append(sigma)
    return result[0], result[1]


def event_factor(events: Events, n_units: int, first_day: int, last_day: int) -> np.ndarray:
    """Product of the coherence losses of field operations after ``first_day`` up to ``last_day``."""
    factor = np.ones(n_units)
    between = (events.day > first_day) & (events.day <= last_day)
    for kind, loss in EVENT_COHERENCE.items():
        hit = between & (events.kind == kind)
        np.multiply.at(factor, events.unit[hit], loss)
    return factor


def unit_coherence(params: RadarParameters, first: DayState, second: DayState, operations: np.ndarray, rain_mm: float) -> np.ndarray:
    """Coherence of every unit over a pair of dates (one day's states each)."""
    cover = (np.minimum(first.green + first.standing, 1) + np.minimum(second.green + second.standing, 1)) / 2
    gamma = COHERENCE_BARE * (1 - COHERENCE_COVER_LOSS * cover) * np.exp(-rain_mm / COHERENCE_RAIN_MM) * operations
    for land_cover, level in FIXED_COHERENCE.items():
        gamma[params.land_cover == land_cover] = level
    return gamma.astype(np.float32)
