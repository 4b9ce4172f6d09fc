"""The layout on the 10 m grid: which unit (parcel zone or land cover) every pixel shows.

Parcels are burned with the pixel-centre rule, like the ``parcels`` processor
does. Heterogeneous parcels get their second zone burned over the first: half
of the parcel cut across its long axis (``halves``) or a random set of pixels
(``salt_and_pepper``). Two persistent noise fields give every pixel its own
deviation of green cover and soil brightness (within-field variability that
stays the same from date to date).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from rasterio import features
from s4c_common.raster import Grid
from shapely.geometry import Polygon, box
from shapely.geometry.base import BaseGeometry

from .fields import FieldLayout, LandCover
from .noise import label_sums, pixel_noise
from .plan import ParcelPlan, Units


@dataclass
class Landscape:
    unit: np.ndarray  # int32 (rows, cols) unit index
    parcel: np.ndarray  # int32 (rows, cols) parcel index + 1, 0 outside parcels
    land_cover: np.ndarray  # uint8 (rows, cols) LandCover
    green_noise: np.ndarray  # int8 (rows, cols), see noise.PIXEL_NOISE_SCALE
    soil_noise: np.ndarray  # int8 (rows, cols)
    unit_pixels: np.ndarray  # int64 (units,) pixel count of each unit
    unit_green_noise: np.ndarray  # float32 (units,) mean of green_noise over each unit (subtracted: zero-mean units)
    unit_soil_noise: np.ndarray  # float32 (units,)

    @property
    def shape(self) -> tuple[int, int]:
        return self.unit.shape


def second_zone(parcel: BaseGeometry, share: float) -> BaseGeometry:
    """The part of a parcel beyond ``share`` of its length along its long axis (≈ ``share`` of its area)."""
    rectangle = np.asarray(shapely.minimum_rotated_rectangle(parcel).exterior.coords)[:4]
    edges = np.diff(np.vstack([rectangle, rectangle[:1]]), axis=0)
    longest = int(np.argmax(np.hypot(edges[:, 0], edges[:, 1])))
    origin, along = rectangle[longest], edges[longest]
    across = edges[(longest + 1) % 4]
    start = origin + (1 - share) * along
    return parcel.intersection(Polygon([start, origin + along, origin + along + across, start + across]))


def rasterize(layout: FieldLayout, plan: ParcelPlan, units: Units, grid: Grid, rng: np.random.Generator) -> Landscape:
    shape = (grid.height, grid.width)
    frame = box(*grid.bounds)
    land_cover = features.rasterize(
        ((geometry, int(cover)) for geometry, cover in layout.background if geometry.intersects(frame)),
        out_shape=shape,
        transform=grid.transform,
        fill=int(LandCover.VERGE),
        dtype="uint8",
    )
    main_unit = units.main_unit(len(layout.parcels))
    unit = features.rasterize(zip(layout.parcels, main_unit.tolist(), strict=True), out_shape=shape, transform=grid.transform, fill=-1, dtype="int32")
    second = np.flatnonzero(units.zone == 1)
    halves = [u for u in second if plan.heterogeneity[units.parcel[u]] == "halves"]
    if halves:
        zones = [(second_zone(layout.parcels[units.parcel[u]], float(plan.second_share[units.parcel[u]])), int(u)) for u in halves]
        features.rasterize(zones, out=unit, transform=grid.transform)
    mixed = np.array([u for u in second if plan.heterogeneity[units.parcel[u]] == "salt_and_pepper"], dtype=np.int64)
    if len(mixed):
        # Each pixel of the parcel shows the second crop with probability = its share.
        second_of = np.full(len(units), -1, dtype=np.int32)
        share_of = np.zeros(len(units), dtype=np.float32)
        second_of[main_unit[units.parcel[mixed]]] = mixed
        share_of[main_unit[units.parcel[mixed]]] = plan.second_share[units.parcel[mixed]]
        flat = unit.ravel()
        candidates = np.flatnonzero(second_of[np.maximum(flat, 0)] >= 0)
        chosen = candidates[rng.random(len(candidates)) < share_of[flat[candidates]]]
        flat[chosen] = second_of[flat[chosen]]
    outside = unit < 0
    unit[outside] = land_cover[outside]
    land_cover[~outside] = LandCover.FIELD
    del outside
    parcel_of_unit = np.where(units.parcel >= 0, units.parcel + 1, 0).astype(np.int32)
    green_noise = pixel_noise(shape, rng, correlation_px=1.5)
    soil_noise = pixel_noise(shape, rng, correlation_px=2.0)
    pixels = label_sums(unit, len(units))
    # The pixel deviations average to zero over every unit, so the unit's own value is its true mean.
    green_mean, soil_mean = (label_sums(unit, len(units), noise) / np.maximum(pixels, 1) for noise in (green_noise, soil_noise))
    return Landscape(
        unit=unit,
        parcel=np.take(parcel_of_unit, unit),
        land_cover=land_cover,
        green_noise=green_noise,
        soil_noise=soil_noise,
        unit_pixels=pixels,
        unit_green_noise=green_mean.astype(np.float32),
        unit_soil_noise=soil_mean.astype(np.float32),
    )
