"""One Sentinel-2 date rendered on the 10 m grid: reflectance of any band on demand, and the SCL.

Per pixel the unit's green cover is perturbed by the pixel's persistent noise
(more where the canopy is half closed), the soil brightness too; the band is
the soil/canopy/dry mixture of :mod:`s4c_sample.spectra`, blurred by the
instrument's point spread function (Gaussian, σ = 0.45 pixel), with sensor
noise, then seen through the date's atmosphere (:mod:`s4c_sample.clouds`).

A band is a pure function of (seed, date, band): the product writer may ask
for the bands in any order and as often as it likes, and memory holds one
band at a time (plus three per-date layers), whatever the number of dates.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from .clouds import Atmosphere, CloudLayers, apply_atmosphere, render_layers, scene_classification
from .fields import LandCover
from .landscape import Landscape
from .noise import PIXEL_NOISE_SCALE
from .phenology import DayState
from .plan import Units
from .spectra import BAND_INDEX, DRY, UnitSpectra, unit_endmembers

PSF_SIGMA_PX = 0.45
SENSOR_NOISE = 0.0025  # reflectance, per band and pixel
GREEN_NOISE = 0.12  # amplitude of the pixel green-cover deviation, × g(1 − g) ...
GREEN_NOISE_FLOOR = 0.01  # ... plus this
BUILT_GREEN_NOISE = 0.25  # gardens and roofs mix strongly in a village
SOIL_BRIGHTNESS_NOISE = 0.05
STREAM_SENSOR_NOISE = 101
STREAM_ATMOSPHERE = 102


def _row_blocks(height: int, rows: int = 1024) -> list[slice]:
    return [slice(start, min(start + rows, height)) for start in range(0, height, rows)]


class OpticalDate:
    """The reflectance and SCL of one date; bands are computed when asked for."""

    def __init__(
        self,
        landscape: Landscape,
        units: Units,
        spectra: UnitSpectra,
        state: DayState,
        soil_moisture: float,
        atmosphere: Atmosphere,
        sun_zenith: float,
        sun_azimuth: float,
        pixel_size: float,
        seed: int,
        date_index: int,
    ):
        self.landscape = landscape
        self.spectra = spectra
        self.state = state
        self.soil_moisture = soil_moisture
        self.seed = seed
        self.date_index = date_index
        unit = landscape.unit
        # Whole-grid arrays are built in place, so a full tile needs a handful of them, not dozens.
        amplitude = GREEN_NOISE * state.green * (1 - state.green) + GREEN_NOISE_FLOOR
        amplitude[units.land_cover == LandCover.BUILT] = BUILT_GREEN_NOISE
        self.green = np.take(state.green.astype(np.float32), unit)
        deviation = landscape.green_noise.astype(np.float32)
        deviation -= np.take(landscape.unit_green_noise, unit)
        deviation *= np.take((amplitude * PIXEL_NOISE_SCALE).astype(np.float32), unit)
        self.green += deviation
        self.dry = np.take(state.dry.astype(np.float32), unit)
        np.clip(self.green, 0, 1 - self.dry, out=self.green)
        # Reuse the buffer for the soil's share of the pixel, times its brightness deviation.
        np.subtract(landscape.soil_noise, np.take(landscape.unit_soil_noise, unit), out=deviation)
        deviation *= SOIL_BRIGHTNESS_NOISE * PIXEL_NOISE_SCALE
        deviation += 1
        deviation *= 1 - self.green - self.dry
        self.soil_weight = deviation
        rng = np.random.default_rng([seed, STREAM_ATMOSPHERE, date_index])
        self.layers: CloudLayers = render_layers(landscape.shape, atmosphere, sun_zenith, sun_azimuth, pixel_size, rng)
        self.scl = scene_classification(self._clear_ndvi(), landscape.land_cover == LandCover.WATER, self.layers)

    def _clear_ndvi(self) -> np.ndarray:
        red_table, nir_table = self._endmembers("B04"), self._endmembers("B08")
        ndvi = np.empty(self.landscape.shape, dtype=np.float32)
        for rows in _row_blocks(self.landscape.shape[0]):
            red, nir = self._surface_rows(red_table, rows), self._surface_rows(nir_table, rows)
            ndvi[rows] = (nir - red) / (nir + red)
        return ndvi

    def _endmembers(self, band: str) -> tuple[np.ndarray, np.ndarray, np.float32]:
        soil, canopy = unit_endmembers(self.spectra, BAND_INDEX[band], self.state, self.soil_moisture)
        return soil, canopy, np.float32(DRY[BAND_INDEX[band]])

    def _surface_rows(self, endmembers: tuple[np.ndarray, np.ndarray, np.float32], rows: slice) -> np.ndarray:
        soil, canopy, dry_reflectance = endmembers
        unit = self.landscape.unit[rows]
        out = np.take(soil, unit)
        out *= self.soil_weight[rows]
        part = np.take(canopy, unit)
        part *= self.green[rows]
        out += part
        np.multiply(self.dry[rows], dry_reflectance, out=part)
        out += part
        return out

    def surface(self, band: str) -> np.ndarray:
        """Clear-sky, noise-free-sensor reflectance of one band (float32), computed by row blocks."""
        endmembers = self._endmembers(band)
        out = np.empty(self.landscape.shape, dtype=np.float32)
        for rows in _row_blocks(self.landscape.shape[0]):
            out[rows] = self._surface_rows(endmembers, rows)
        return out

    def band(self, band: str) -> np.ndarray:
        """Reflectance of one band as the L2A product holds it (float32, NaN outside the swath)."""
        reflectance = self.surface(band)
        ndimage.gaussian_filter(reflectance, PSF_SIGMA_PX, mode="nearest", output=reflectance)
        rng = np.random.default_rng([self.seed, STREAM_SENSOR_NOISE, self.date_index, BAND_INDEX[band]])
        noise = rng.standard_normal(reflectance.shape, dtype=np.float32)
        noise *= np.float32(SENSOR_NOISE)
        reflectance += noise
        del noise
        return apply_atmosphere(reflectance, band, self.layers)
