"""Merging the tiles of one date: every ground pixel counts once.

Sentinel-2 tiles of one UTM zone overlap by about 10 km and share the 10 m (20 m, 60 m) pixel
lattice, so a parcel near a tile edge has the same pixels in two rasters. Within a column group the
rasters are ordered (by tile, then product id) and a pixel seen by several of them is counted by the
first raster where it is valid; when it is valid in none, by the first raster covering it (as
invalid). The merged statistics are then those of one mosaic of the tiles, whatever the overlap.

Rasters of one group on different CRSs or on shifted lattices have no common pixels; their pixels
are pooled as they are (a parcel in the overlap strip is sampled by both) and a warning says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from rasterio.windows import Window

from .labels import WindowLabels
from .products import RasterProduct


@dataclass(frozen=True)
class Neighbour:
    """Another raster of the group that shares pixels with this one."""

    product: RasterProduct
    earlier: bool  # before this raster in the group's order
    row_shift: int  # its row = our row + row_shift
    col_shift: int
    rows: tuple[int, int]  # the shared pixels, in our pixel coordinates (half-open)
    cols: tuple[int, int]


def _shift(ours: float, theirs: float, pixel: float) -> int | None:
    steps = (ours - theirs) / pixel
    return round(steps) if math.isclose(steps, round(steps), abs_tol=1e-6) else None


def find_neighbours(products: list[RasterProduct]) -> tuple[list[list[Neighbour]], bool]:
    """The neighbours of each raster, and whether some rasters overlap without sharing a lattice."""
    neighbours: list[list[Neighbour]] = [[] for _ in products]
    pooled = False
    for k, ours in enumerate(products):
        a = ours.grid
        for j, theirs in enumerate(products):
            b = theirs.grid
            if j == k or not _bounds_overlap(a.bounds, b.bounds):
                continue
            same = a.crs == b.crs and a.transform.a == b.transform.a and a.transform.e == b.transform.e
            col_shift = _shift(a.transform.c, b.transform.c, a.transform.a) if same else None
            row_shift = _shift(b.transform.f, a.transform.f, -a.transform.e) if same else None
            if col_shift is None or row_shift is None:
                pooled = True
                continue
            rows = (max(0, -row_shift), min(a.height, b.height - row_shift))
            cols = (max(0, -col_shift), min(a.width, b.width - col_shift))
            if rows[0] < rows[1] and cols[0] < cols[1]:
                neighbours[k].append(Neighbour(theirs, j < k, row_shift, col_shift, rows, cols))
    return neighbours, pooled


def _bounds_overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _window_meets(window: Window, neighbour: Neighbour) -> bool:
    return (
        window.row_off < neighbour.rows[1]
        and neighbour.rows[0] < window.row_off + window.height
        and window.col_off < neighbour.cols[1]
        and neighbour.cols[0] < window.col_off + window.width
    )


def counted_pixels(labels: WindowLabels, valid: np.ndarray, neighbours: list[Neighbour]) -> np.ndarray | None:
    """Which parcel pixels of the window this raster counts (None: all of them)."""
    meeting = [n for n in neighbours if _window_meets(labels.window, n)]
    if not meeting:
        return None
    positions = labels.positions()
    rows = labels.window.row_off + positions // labels.window.width
    cols = labels.window.col_off + positions % labels.window.width
    ours = valid.ravel()[positions]
    earlier_valid = np.zeros(positions.size, dtype=bool)
    earlier_covers = np.zeros(positions.size, dtype=bool)
    other_valid = np.zeros(positions.size, dtype=bool)
    for neighbour in meeting:
        covered = (rows >= neighbour.rows[0]) & (rows < neighbour.rows[1]) & (cols >= neighbour.cols[0]) & (cols < neighbour.cols[1])
        if not covered.any():
            continue
        their_rows, their_cols = rows[covered] + neighbour.row_shift, cols[covered] + neighbour.col_shift
        top, left = int(their_rows.min()), int(their_cols.min())
        window = Window(left, top, int(their_cols.max()) - left + 1, int(their_rows.max()) - top + 1)
        _, their_valid = neighbour.product.read(window)
        theirs = np.zeros(positions.size, dtype=bool)
        theirs[covered] = their_valid[their_rows - top, their_cols - left]
        other_valid |= theirs
        if neighbour.earlier:
            earlier_valid |= theirs
            earlier_covers |= covered
    return np.where(ours, ~earlier_valid, ~earlier_covers & ~other_valid)
