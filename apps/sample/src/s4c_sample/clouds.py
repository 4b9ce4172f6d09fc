"""Atmosphere of each Sentinel-2 date: clouds, their shadows, cirrus, haze, swath edge, saturation; and the SCL.

Clouds are a thresholded smooth random field (two octaves) whose threshold gives
the date's cloud cover; their opacity fades at the edges. Shadows are the
clouds moved away from the sun by ``height · tan(sun zenith)`` along the sun
azimuth. Reflectance under a cloud blends towards a bright, flat cloud spectrum,
in a shadow it keeps a third of its value, cirrus and haze add path radiance
(haze biases NDVI low by 0.05–0.15 over vegetation and is *not* flagged, as in
real products).

The scene classification follows Sen2Cor's classes: 0 no data, 1 saturated or
defective, 3 cloud shadow, 4 vegetation, 5 not vegetated (bare soil, roads and
built-up), 6 water, 7 unclassified (cloud fringes), 8 and 9 cloud medium and
high probability, 10 thin cirrus.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .noise import smooth_field
from .spectra import BANDS

SCL_NO_DATA = 0
SCL_SATURATED = 1
SCL_SHADOW = 3
SCL_VEGETATION = 4
SCL_NOT_VEGETATED = 5
SCL_WATER = 6
SCL_UNCLASSIFIED = 7
SCL_CLOUD_MEDIUM = 8
SCL_CLOUD_HIGH = 9
SCL_CIRRUS = 10
SCL_CLEAR = (SCL_VEGETATION, SCL_NOT_VEGETATED, SCL_WATER)
VEGETATION_NDVI = 0.4

# Reflectance whose L2A digital number (× 10000 + 1000 offset) is the saturation value 65535.
SATURATED_REFLECTANCE = (65535 - 1000) / 10000
#                    B01   B02   B03   B04   B05   B06   B07   B08   B8A   B09   B11   B12
CLOUD = np.array([0.46, 0.45, 0.44, 0.44, 0.45, 0.46, 0.46, 0.47, 0.47, 0.26, 0.32, 0.22], dtype=np.float32)
CIRRUS = np.array([0.05, 0.045, 0.04, 0.04, 0.04, 0.04, 0.04, 0.04, 0.04, 0.03, 0.03, 0.02], dtype=np.float32)
HAZE = np.array([0.07, 0.06, 0.045, 0.032, 0.028, 0.024, 0.021, 0.018, 0.017, 0.012, 0.006, 0.003], dtype=np.float32)
HAZE_ATTENUATION = 0.08
SHADOW_TRANSMISSION = 0.33
CLOUD_SCALE_PX = 70.0
CIRRUS_SCALE_PX = 150.0
CIRRUS_FLAG = 0.15  # thinner veils pass unflagged, as in real products


@dataclass(frozen=True)
class Atmosphere:
    cloud_cover: float  # share of the scene under cloud (1 = overcast)
    cirrus: float  # strength of a cirrus veil, 0 = none
    haze: float  # strength of aerosol haze, 0 = none
    cloud_height_m: float
    swath_edge: bool  # the west of the scene lies outside the swath (no data)


def plan_atmospheres(n_dates: int, regime: str, rng: np.random.Generator) -> list[Atmosphere]:
    """One atmosphere per date.

    ``mixed``: about a third of the dates clear, a tenth clear but hazy, a fifth mostly cloudy, the
    rest partly cloudy, one overcast date (with three dates or more) and one date on the swath edge
    (with five or more). ``light``: 5–15 % cloud on every date (throughput benchmarks).
    """
    heights = rng.uniform(800.0, 2500.0, n_dates)
    if regime == "light":
        covers = rng.uniform(0.05, 0.15, n_dates)
        return [Atmosphere(float(c), 0.0, 0.0, float(h), False) for c, h in zip(covers, heights, strict=True)]
    order = rng.permutation(n_dates)
    n_overcast = 1 if n_dates >= 3 else 0
    n_clear = max(1, round(0.35 * n_dates))
    n_hazy = round(0.1 * n_dates)
    n_mostly = round(0.2 * n_dates)
    kinds = np.full(n_dates, "partly", dtype=object)
    kinds[order[:n_overcast]] = "overcast"
    kinds[order[n_overcast : n_overcast + n_clear]] = "clear"
    kinds[order[n_overcast + n_clear : n_overcast + n_clear + n_hazy]] = "hazy"
    kinds[order[n_overcast + n_clear + n_hazy : n_overcast + n_clear + n_hazy + n_mostly]] = "mostly"
    partly = np.flatnonzero(kinds == "partly")
    edge = int(partly[0]) if n_dates >= 5 and len(partly) else -1
    # Cirrus veils half of the cloudy dates, the first of them always, so every scene has some.
    cloudy = [i for i in range(n_dates) if kinds[i] in ("partly", "mostly")]
    veiled = {i for rank, i in enumerate(cloudy) if rank % 2 == 0}
    atmospheres = []
    for i in range(n_dates):
        cover = {
            "overcast": 1.0,
            "clear": 0.0,
            "hazy": 0.0,
            "mostly": rng.uniform(0.55, 0.9),
            "partly": rng.uniform(0.05, 0.35),
        }[kinds[i]]
        cirrus = rng.uniform(0.5, 1.0) if i in veiled else 0.0
        haze = rng.uniform(0.5, 1.0) if kinds[i] == "hazy" else 0.0
        atmospheres.append(Atmosphere(float(cover), float(cirrus), float(haze), float(heights[i]), i == edge))
    return atmospheres


@dataclass
class CloudLayers:
    """The atmosphere of one date on the grid; ``None`` where a layer is absent."""

    opacity: np.ndarray | None  # float32 0..1
    brightness: np.ndarray | None  # float32 cloud-top brightness factor
    shadow: np.ndarray | None  # bool
    cirrus: np.ndarray | None  # float32 0..1
    haze: np.ndarray | None  # float32 0..1
    no_data: np.ndarray | None  # bool
    saturated: np.ndarray  # flat pixel indices


def _shifted(mask: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """``mask`` moved by (rows, cols) pixels, empty where it comes from outside."""
    out = np.zeros_like(mask)
    height, width = mask.shape
    if abs(rows) >= height or abs(cols) >= width:
        return out
    src_rows = slice(max(0, -rows), height - max(0, rows))
    dst_rows = slice(max(0, rows), height - max(0, -rows))
    src_cols = slice(max(0, -cols), width - max(0, cols))
    dst_cols = slice(max(0, cols), width - max(0, -cols))
    out[dst_rows, dst_cols] = mask[src_rows, src_cols]
    return out


def shadow_offset(height_m: float, sun_zenith: float, sun_azimuth: float, pixel_size: float) -> tuple[int, int]:
    """(rows, cols) from a cloud to its shadow: away from the sun, ``height · tan(zenith)`` long."""
    length = height_m * math.tan(math.radians(sun_zenith)) / pixel_size
    away = math.radians(sun_azimuth + 180.0)
    return round(-length * math.cos(away)), round(length * math.sin(away))


def render_layers(
    shape: tuple[int, int], atmosphere: Atmosphere, sun_zenith: float, sun_azimuth: float, pixel_size: float, rng: np.random.Generator
) -> CloudLayers:
    height, width = shape
    opacity = brightness = shadow = cirrus = haze = no_data = None
    if atmosphere.cloud_cover > 0:
        # Clouds are drawn on a canvas larger than the scene, so that clouds outside it cast shadows into it.
        rows, cols = shadow_offset(atmosphere.cloud_height_m, sun_zenith, sun_azimuth, pixel_size)
        pad_rows, pad_cols = min(abs(rows), height), min(abs(cols), width)
        canvas = (height + 2 * pad_rows, width + 2 * pad_cols)
        inside = (slice(pad_rows, pad_rows + height), slice(pad_cols, pad_cols + width))
        # Two octaves, combined in place: a whole tile holds two canvases at most.
        opacity = smooth_field(canvas, CLOUD_SCALE_PX, rng)
        opacity *= np.float32(0.8)
        detail = smooth_field(canvas, CLOUD_SCALE_PX / 5, rng)
        detail *= np.float32(0.45)
        opacity += detail
        del detail
        if atmosphere.cloud_cover >= 1:
            opacity *= np.float32(0.1)
            opacity += np.float32(0.85)
            np.clip(opacity, 0.66, 1.0, out=opacity)
        else:
            threshold = np.float32(np.quantile(opacity[::4, ::4], 1 - atmosphere.cloud_cover))
            clear = opacity < threshold
            opacity -= threshold
            opacity /= np.float32(0.6)
            opacity += np.float32(0.1)
            np.clip(opacity, 0, 1, out=opacity)
            opacity[clear] = 0
            del clear
        shadow = _shifted(opacity > 0.3, rows, cols)[inside]
        opacity = np.ascontiguousarray(opacity[inside])
        shadow &= opacity == 0
        brightness = smooth_field(shape, CLOUD_SCALE_PX / 3, rng)
        brightness *= np.float32(0.1)
        brightness += np.float32(0.9)
    if atmosphere.cirrus > 0:
        cirrus = np.clip(atmosphere.cirrus * (smooth_field(shape, CIRRUS_SCALE_PX, rng) - 0.2), 0, 1).astype(np.float32)
    if atmosphere.haze > 0:
        haze = np.clip(atmosphere.haze * (0.75 + 0.25 * smooth_field(shape, CIRRUS_SCALE_PX, rng)), 0, 1).astype(np.float32)
    if atmosphere.swath_edge:
        edge = width * (0.12 + 0.08 * np.arange(height) / height)  # the swath border runs slightly oblique
        no_data = np.arange(width)[None, :] < edge[:, None]
    n_saturated = max(3, round(2e-5 * height * width))
    saturated = np.sort(rng.choice(height * width, n_saturated, replace=False))
    return CloudLayers(opacity, brightness, shadow, cirrus, haze, no_data, saturated)


def apply_atmosphere(surface: np.ndarray, band: str, layers: CloudLayers) -> np.ndarray:
    """Top-of-canopy reflectance (float32, modified in place) as the L2A product shows it."""
    b = BANDS.index(band)
    layer = np.empty_like(surface)  # one scratch array for every layer
    if layers.haze is not None:
        np.multiply(layers.haze, np.float32(HAZE_ATTENUATION), out=layer)
        np.subtract(1, layer, out=layer)
        surface *= layer
        np.multiply(layers.haze, HAZE[b], out=layer)
        surface += layer
    if layers.shadow is not None:
        np.multiply(surface, np.float32(SHADOW_TRANSMISSION), out=surface, where=layers.shadow)
    if layers.cirrus is not None:
        np.multiply(layers.cirrus, CIRRUS[b], out=layer)
        surface += layer
    if layers.opacity is not None:
        np.subtract(1, layers.opacity, out=layer)
        surface *= layer
        np.multiply(layers.brightness, layers.opacity, out=layer)
        layer *= CLOUD[b]
        surface += layer
    del layer
    surface.ravel()[layers.saturated] = SATURATED_REFLECTANCE
    if layers.no_data is not None:
        surface[layers.no_data] = np.nan
    return surface


def scene_classification(surface_ndvi: np.ndarray, water: np.ndarray, layers: CloudLayers) -> np.ndarray:
    """The SCL layer (uint8) from the clear-sky NDVI, the water mask and the atmosphere."""
    scl = np.full(surface_ndvi.shape, SCL_NOT_VEGETATED, dtype=np.uint8)
    scl[surface_ndvi >= VEGETATION_NDVI] = SCL_VEGETATION
    scl[water] = SCL_WATER
    if layers.cirrus is not None:
        scl[layers.cirrus > CIRRUS_FLAG] = SCL_CIRRUS
    if layers.shadow is not None:
        scl[layers.shadow] = SCL_SHADOW
    if layers.opacity is not None:
        scl[layers.opacity > 0.1] = SCL_UNCLASSIFIED
        scl[layers.opacity > 0.35] = SCL_CLOUD_MEDIUM
        scl[layers.opacity > 0.65] = SCL_CLOUD_HIGH
    scl.ravel()[layers.saturated] = SCL_SATURATED
    if layers.no_data is not None:
        scl[layers.no_data] = SCL_NO_DATA
    return scl
