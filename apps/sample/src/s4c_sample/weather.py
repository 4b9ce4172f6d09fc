"""Daily weather of the season: rain, surface soil moisture and wind.

Soil moisture darkens bare soil in the optical bands, raises soil backscatter
and decorrelates interferometric pairs that span rain; wind roughens water.
One series for the whole scene (a few km to one tile: the same weather).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

RAIN_PROBABILITY = 0.33  # share of days with rain, Dutch climate
RAIN_MEAN_MM = 5.5
MOISTURE_MEMORY_DAYS = 5.0
MOISTURE_PER_MM = 0.025


@dataclass(frozen=True)
class Weather:
    rain_mm: np.ndarray  # (days,) float32
    soil_moisture: np.ndarray  # (days,) relative surface moisture 0..1
    wind: np.ndarray  # (days,) relative wind speed 0..1

    def rain_between(self, first_day: int, last_day: int) -> float:
        """Rain that fell after ``first_day`` up to and including ``last_day``."""
        return float(self.rain_mm[first_day + 1 : last_day + 1].sum())


def simulate_weather(days: int, rng: np.random.Generator) -> Weather:
    wet = rng.random(days) < RAIN_PROBABILITY
    rain = np.where(wet, rng.exponential(RAIN_MEAN_MM, days), 0.0)
    moisture = np.empty(days)
    level = 0.35
    decay = np.exp(-1.0 / MOISTURE_MEMORY_DAYS)
    for day in range(days):
        level = min(1.0, 0.15 + (level - 0.15) * decay + MOISTURE_PER_MM * rain[day])
        moisture[day] = level
    wind = np.clip(0.4 + 0.25 * rng.standard_normal(days), 0.0, 1.0)
    return Weather(rain.astype(np.float32), moisture.astype(np.float32), wind.astype(np.float32))
