"""The simulated world of a scene, built in memory from the scene and its seed.

Every random component draws from its own stream, ``numpy.random.default_rng([seed, stream])``,
so components are independent of each other and of the order they are built in.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from . import backscatter
from .backscatter import RadarParameters
from .clouds import Atmosphere, plan_atmospheres
from .declarations import object_ids
from .dem import dem_grid, make_dem, resample_to
from .fields import FieldLayout, make_layout
from .landscape import Landscape, rasterize
from .optical import OpticalDate
from .phenology import States, simulate
from .plan import PRACTICE_START, ParcelPlan, Units, make_plan, make_units
from .scene import S1Date, S2Date, Scene
from .spectra import UnitSpectra, unit_spectra
from .weather import Weather, simulate_weather

log = logging.getLogger("s4c")

STREAM_LAYOUT = 1
STREAM_PLAN = 2
STREAM_PHENOLOGY = 3
STREAM_WEATHER = 4
STREAM_SPECTRA = 5
STREAM_RADAR = 6
STREAM_LANDSCAPE = 7
STREAM_ATMOSPHERE = 8
STREAM_DEM = 9
STREAM_S1_PRODUCT = 10
STREAM_OBJECTID = 11
STREAM_DECLARED_AREA = 12
STREAM_DECLARATION_ERRORS = 13


@dataclass
class World:
    scene: Scene
    layout: FieldLayout
    plan: ParcelPlan
    units: Units
    states: States
    weather: Weather
    spectra: UnitSpectra
    radar: RadarParameters
    landscape: Landscape
    atmospheres: list[Atmosphere]
    dem: np.ndarray  # 30 m, see dem.dem_grid
    objectid: np.ndarray  # int64 declared parcel numbers, by parcel index

    @cached_property
    def dem_10m(self) -> np.ndarray:
        """The DEM interpolated to the scene grid (for the SAR simulation; made when first needed)."""
        return resample_to(self.dem, dem_grid(self.scene.grid).resolution / self.scene.grid.resolution, self.scene.grid.shape)

    def rng(self, stream: int) -> np.random.Generator:
        return np.random.default_rng([self.scene.seed, stream])

    def optical(self, acquisition: S2Date) -> OpticalDate:
        day = self.scene.day_index(acquisition.date)
        return OpticalDate(
            self.landscape,
            self.units,
            self.spectra,
            self.states.at(day),
            float(self.weather.soil_moisture[day]),
            self.atmospheres[acquisition.index],
            acquisition.sun_zenith,
            acquisition.sun_azimuth,
            self.scene.grid.resolution,
            self.scene.seed,
            acquisition.index,
        )

    def unit_sigma0(self, day: int) -> tuple[np.ndarray, np.ndarray]:
        return backscatter.unit_sigma0(self.radar, self.states.at(day), float(self.weather.soil_moisture[day]), float(self.weather.wind[day]))

    def sigma0_maps(self, acquisition: S1Date) -> dict[str, np.ndarray]:
        """Linear σ⁰ on the scene grid (float32), per polarisation."""
        vv, vh = self.unit_sigma0(self.scene.day_index(acquisition.date))
        return {"VV": vv.astype(np.float32)[self.landscape.unit], "VH": vh.astype(np.float32)[self.landscape.unit]}

    def unit_coherence(self, first_day: int, last_day: int) -> np.ndarray:
        operations = backscatter.event_factor(self.states.events, len(self.units), first_day, last_day)
        rain = self.weather.rain_between(first_day, last_day)
        return backscatter.unit_coherence(self.radar, self.states.at(first_day), self.states.at(last_day), operations, rain)

    def coherence_map(self, first: S1Date, second: S1Date) -> np.ndarray:
        gamma = self.unit_coherence(self.scene.day_index(first.date), self.scene.day_index(second.date))
        return gamma[self.landscape.unit]

    def s1_product_seed(self, index: int) -> int:
        return int(np.random.SeedSequence([self.scene.seed, STREAM_S1_PRODUCT, index]).generate_state(1)[0])


def build_world(scene: Scene) -> World:
    def rng(stream: int) -> np.random.Generator:
        return np.random.default_rng([scene.seed, stream])

    layout = make_layout(scene.grid.bounds, scene.n_parcels, rng(STREAM_LAYOUT), median_parcel_ha=scene.median_parcel_ha)
    log.info("layout: %d parcels, %d land-cover features", len(layout.parcels), len(layout.background))
    plan = make_plan(layout, rng(STREAM_PLAN), scene.misdeclared_share)
    units = make_units(plan)
    first_doy = scene.season_start.timetuple().tm_yday
    states = simulate(units, scene.season_days, first_doy, scene.day_index(PRACTICE_START["CatchCrop"]), rng(STREAM_PHENOLOGY))
    landscape = rasterize(layout, plan, units, scene.grid, rng(STREAM_LANDSCAPE))
    log.info("landscape rasterised on %d × %d pixels", scene.grid.width, scene.grid.height)
    dem = make_dem(dem_grid(scene.grid), rng(STREAM_DEM))
    return World(
        scene=scene,
        layout=layout,
        plan=plan,
        units=units,
        states=states,
        weather=simulate_weather(scene.season_days, rng(STREAM_WEATHER)),
        spectra=unit_spectra(units, rng(STREAM_SPECTRA)),
        radar=backscatter.radar_parameters(units, rng(STREAM_RADAR)),
        landscape=landscape,
        atmospheres=plan_atmospheres(len(scene.s2), scene.cloud_regime, rng(STREAM_ATMOSPHERE)),
        dem=dem,
        objectid=object_ids(len(layout.parcels), rng(STREAM_OBJECTID)),
    )
