"""Surface reflectance of the 12 L2A bands: a linear mixture of soil, green canopy and dry matter.

A pixel's reflectance is ``soil·(1 − g − d) + canopy·g + dry·d`` with ``g`` the
green cover and ``d`` the dry cover (standing senescent canopy plus flat
residue). Endmember spectra are typical laboratory/field values for a sandy
loam, a green crop canopy, straw, rapeseed flowers, a mixed forest canopy,
turbid water, asphalt and roofs; with them the usual indices land in their
known ranges: bare soil NDVI 0.05–0.15, NDTI 0.0–0.08, BSI 0.1–0.25; straw
NDTI 0.15–0.25; dense canopy NDVI ≈ 0.87, NDTI 0.3–0.4. Wet soil is darker.

The truth LAI comes from the green cover with Beer–Lambert: ``LAI = −2·ln(1 − 0.95·g)``
(extinction 0.5, 5 % gaps in a closed canopy).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .crops import CATCH_CROP, CROPS
from .fields import LandCover
from .phenology import DayState
from .plan import Units

BANDS = ("B01", "B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B09", "B11", "B12")
BAND_INDEX = {band: i for i, band in enumerate(BANDS)}
NIR_PLATEAU = np.array([band in ("B06", "B07", "B08", "B8A", "B09") for band in BANDS])

#                      B01    B02    B03    B04    B05    B06    B07    B08    B8A    B09    B11    B12
SOIL = np.array([0.070, 0.090, 0.125, 0.165, 0.185, 0.195, 0.205, 0.215, 0.225, 0.230, 0.300, 0.265])
LEAF = np.array([0.025, 0.030, 0.070, 0.030, 0.100, 0.300, 0.400, 0.440, 0.450, 0.440, 0.200, 0.095])
DRY = np.array([0.060, 0.080, 0.110, 0.160, 0.180, 0.210, 0.235, 0.250, 0.265, 0.265, 0.360, 0.230])
FLOWER = np.array([0.040, 0.050, 0.170, 0.120, 0.260, 0.330, 0.380, 0.400, 0.410, 0.400, 0.240, 0.120])
FOREST_LEAF = np.array([0.020, 0.025, 0.045, 0.022, 0.070, 0.220, 0.290, 0.310, 0.320, 0.310, 0.140, 0.060])
WATER = np.array([0.060, 0.055, 0.050, 0.030, 0.025, 0.012, 0.010, 0.008, 0.007, 0.005, 0.003, 0.002])
ASPHALT = np.array([0.080, 0.085, 0.095, 0.105, 0.115, 0.120, 0.125, 0.130, 0.135, 0.135, 0.150, 0.140])
ROOF = np.array([0.100, 0.110, 0.120, 0.140, 0.160, 0.170, 0.180, 0.190, 0.200, 0.200, 0.240, 0.220])

WET_SOIL_DARKENING = 0.35  # relative darkening per unit of soil moisture above the dry level
DRY_SOIL_MOISTURE = 0.15
LAI_EXTINCTION = 0.5
LAI_MAX_COVER = 0.95


def leaf_spectrum(nir_scale: float) -> np.ndarray:
    return np.where(NIR_PLATEAU, LEAF * nir_scale, LEAF)


def lai_from_cover(green: np.ndarray) -> np.ndarray:
    """Green LAI from green cover (Beer–Lambert with extinction 0.5; see the module docstring)."""
    return -np.log(1 - LAI_MAX_COVER * np.clip(green, 0, 1)) / LAI_EXTINCTION


def ndvi(red: np.ndarray, nir: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return (nir - red) / (nir + red)


@dataclass
class UnitSpectra:
    """Per-unit endmembers, (units, bands) float32."""

    soil: np.ndarray  # the background under the canopy: soil (× brightness), water, asphalt or roofs
    canopy: np.ndarray  # the main crop's (or the land cover's) canopy
    follow_canopy: np.ndarray  # canopy after the harvest (catch crop, winter crop seedlings)
    darkens_when_wet: np.ndarray  # (units,) bool


def unit_spectra(units: Units, rng: np.random.Generator) -> UnitSpectra:
    n = len(units)
    brightness = rng.uniform(0.85, 1.15, n)  # soils differ from field to field
    soil = SOIL[None, :] * brightness[:, None]
    crop_canopy = np.array([leaf_spectrum(CROPS[c].nir_scale) if c >= 0 else LEAF for c in units.crop])
    canopy = crop_canopy.copy()
    follow = np.repeat(leaf_spectrum(CATCH_CROP.nir_scale)[None, :], n, axis=0)
    wet = np.ones(n, dtype=bool)
    for land_cover, background, cover in (
        (LandCover.FOREST, SOIL * 0.7, FOREST_LEAF),
        (LandCover.WATER, WATER, LEAF),
        (LandCover.ROAD, ASPHALT, LEAF),
        (LandCover.BUILT, ROOF, LEAF),
    ):
        rows = units.land_cover == land_cover
        soil[rows] = background
        canopy[rows] = cover
        follow[rows] = cover
        wet[rows] = land_cover == LandCover.FOREST
    return UnitSpectra(soil.astype(np.float32), canopy.astype(np.float32), follow.astype(np.float32), wet)


def wet_factor(soil_moisture: float | np.ndarray) -> np.ndarray:
    return 1.0 - WET_SOIL_DARKENING * np.maximum(0.0, np.asarray(soil_moisture, dtype=np.float32) - DRY_SOIL_MOISTURE)


def _per_unit(values: np.ndarray, like: np.ndarray) -> np.ndarray:
    """A (units,) array shaped to broadcast against (units,) or (units, days) states."""
    return values.reshape(-1, *([1] * (like.ndim - 1)))


def unit_reflectance(spectra: UnitSpectra, band: int, state: DayState, soil_moisture: float | np.ndarray) -> np.ndarray:
    """Noise-free reflectance of every unit in one band, for one day's or several days' states.

    ``soil_moisture`` is a scalar for one day or a (days,) array matching the states.
    """
    soil, canopy = unit_endmembers(spectra, band, state, soil_moisture)
    return mix(soil, canopy, state.green, state.dry, band)


def unit_endmembers(spectra: UnitSpectra, band: int, state: DayState, soil_moisture: float | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Soil (wet or dry) and canopy (flowers included) reflectance of every unit in one band."""
    like = state.green
    wetness = np.where(_per_unit(spectra.darkens_when_wet, like), wet_factor(soil_moisture), 1.0)
    soil = _per_unit(spectra.soil[:, band], like) * wetness
    canopy = np.where(state.after_harvest, _per_unit(spectra.follow_canopy[:, band], like), _per_unit(spectra.canopy[:, band], like))
    canopy = canopy * (1 - state.flower) + FLOWER[band] * state.flower
    return soil.astype(np.float32), canopy.astype(np.float32)


def mix(soil: np.ndarray, canopy: np.ndarray, green: np.ndarray, dry: np.ndarray, band: int) -> np.ndarray:
    """The linear mixture of soil, green canopy and dry matter (any broadcastable shapes)."""
    return soil * (1 - green - dry) + canopy * green + np.float32(DRY[band]) * dry
