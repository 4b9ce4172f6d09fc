"""Synthetic L2A products with known reflectances per field, for the spectral-indices tests.

The scene is 4 × 4 blocks of 30 × 30 pixels (10 m) on a 120 × 120 grid of tile 31UFS:

- row 0: fields with prescribed NDVI 0.8, 0.2, 0 and −0.3 (the last one flooded soil: SCL 5, so
  land, and its negative NDVI must be kept);
- rows 1–3: a vegetated background (NDVI 0.6) under one SCL class per block (0 … 11), the four
  remaining blocks vegetation;
- the first two columns have no data in every band (DN 0), as a tile border.

Every band of a field is uniform, so 20 m bands are uniform over each field too (30 is even).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from s4c_sample.s2_safe import L2A_BANDS, S2Acquisition, write_l2a_safe

SIZE = 120
BLOCK = 30
BORDER = 2
SENSING = dt.datetime(2024, 5, 12, 10, 56, 19, 24000, tzinfo=dt.UTC)
# Reflectance of B02 … B12 but red (B04) and NIR (B08), which set the NDVI.
BASE = {"B01": 0.04, "B02": 0.05, "B03": 0.08, "B05": 0.12, "B06": 0.2, "B07": 0.25, "B8A": 0.3, "B09": 0.3, "B11": 0.22, "B12": 0.14}
# (red, nir, scl) of the four fields of row 0: NDVI (nir − red)/(nir + red) = 0.8, 0.2, 0, −0.3.
FIELDS = ((0.04, 0.36, 4), (0.2, 0.3, 4), (0.15, 0.15, 5), (0.065, 0.035, 5))
FIELD_NDVI = (0.8, 0.2, 0.0, -0.3)
BACKGROUND = (0.06, 0.24, 4)  # NDVI 0.6
SCL_BLOCKS = tuple(range(12))  # SCL class of blocks 4 … 15 (row-major from row 1)


@dataclass(frozen=True)
class Scene:
    safe: Path
    red: np.ndarray  # 10 m reflectance, NaN on the border
    nir: np.ndarray
    scl: np.ndarray  # 10 m classes as written


def block_slices(number: int) -> tuple[slice, slice]:
    """Rows and columns of block ``number`` (row-major, 4 × 4)."""
    row, col = divmod(number, 4)
    return slice(row * BLOCK, (row + 1) * BLOCK), slice(col * BLOCK, (col + 1) * BLOCK)


def field_pixels(number: int) -> tuple[slice, slice]:
    """The pixels of block ``number`` off the no-data border."""
    rows, cols = block_slices(number)
    return rows, slice(max(cols.start, BORDER), cols.stop)


def scene_arrays(cloudy: bool = False) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Reflectance per band (10 m, float32) and the SCL of the scene; ``cloudy``: SCL 9 everywhere but the border."""
    red = np.full((SIZE, SIZE), BACKGROUND[0], np.float32)
    nir = np.full((SIZE, SIZE), BACKGROUND[1], np.float32)
    scl = np.full((SIZE, SIZE), BACKGROUND[2], np.uint8)
    for number, (r, n, c) in enumerate(FIELDS):
        rows, cols = block_slices(number)
        red[rows, cols], nir[rows, cols], scl[rows, cols] = r, n, c
    for number, c in enumerate(SCL_BLOCKS, start=4):
        scl[block_slices(number)] = c
    if cloudy:
        scl[:] = 9
    bands = {band: np.full((SIZE, SIZE), BASE.get(band, 0.0), np.float32) for band in L2A_BANDS}
    bands["B04"], bands["B08"] = red, nir
    for values in bands.values():
        values[:, :BORDER] = np.nan
    scl[:, :BORDER] = 0
    return bands, scl


def write_scene(
    folder: Path,
    *,
    baseline: str = "05.10",
    cloudy: bool = False,
    drop: Iterable[str] = (),
    sensing: dt.datetime = SENSING,
) -> Scene:
    """Write the scene as an L2A SAFE under ``folder``; ``drop`` leaves bands out of the product."""
    bands, scl = scene_arrays(cloudy)
    acquisition = S2Acquisition(
        tile_id="31UFS", epsg=32631, ulx=600000.0, uly=5700000.0, width=SIZE, height=SIZE, sensing_time=sensing,
        spacecraft="S2B", relative_orbit=94, sun_zenith=35.0, sun_azimuth=160.0, view_zenith=5.0, view_azimuth=100.0,
        baseline=baseline,
    )  # fmt: skip
    dropped = set(drop)
    safe = write_l2a_safe(folder, acquisition, {b: v for b, v in bands.items() if b not in dropped}, scl)
    return Scene(safe, bands["B04"], bands["B08"], scl)
