"""Which pixels of a grid belong to which parcel: built once per grid, reused for every date and band.

The grid is cut into windows; in each window the parcels are burnt with the project's pixel-centre
rule (s4c_common.rasterize.burn_ids), one burn per overlap layer (layers.py), and the label image is
kept as horizontal runs sorted by parcel: ``(start, length)`` in the window's row-major pixel order.
Runs take a few bytes per parcel row instead of four bytes per pixel, so the cache of a 10980 × 10980
tile with 100 000 parcels is tens of MB rather than the 480 MB of an int32 label raster, and the
windows without parcels are never read. Expanding the runs gives the pixel positions grouped by
parcel, so every per-parcel reduction is a segmented (``reduceat``) one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import shapely
from affine import Affine
from rasterio.windows import Window
from s4c_common.blocks import process_windows
from s4c_common.raster import Grid
from s4c_common.rasterize import burn_ids

DEFAULT_WINDOW = 512  # the COG block size: windows without parcels are never decoded


@dataclass(frozen=True)
class WindowLabels:
    """The parcels of one window as runs of pixels, grouped by parcel (ascending index)."""

    window: Window
    parcels: np.ndarray  # int32 parcel indices (rows of the parcel table), ascending
    pixel_counts: np.ndarray  # int64 pixels of each parcel in the window
    run_start: np.ndarray  # int32 row-major offset in the window
    run_length: np.ndarray  # int32

    def positions(self) -> np.ndarray:
        """Row-major offsets of the parcels' pixels, parcel after parcel (a pixel of two parcels appears twice)."""
        lengths = self.run_length
        shift = self.run_start - (np.cumsum(lengths, dtype=np.int32) - lengths)
        return np.repeat(shift, lengths) + np.arange(int(lengths.sum()), dtype=np.int32)

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in (self.parcels, self.pixel_counts, self.run_start, self.run_length))


@dataclass
class LabelCache:
    """Every window of a grid that holds parcel pixels."""

    grid: Grid
    windows: list[WindowLabels]
    pixels_per_parcel: np.ndarray  # int64, one per parcel of the table
    windows_per_parcel: np.ndarray  # int32: parcels in more than one window need their values collected for percentiles
    seconds: float

    @property
    def nbytes(self) -> int:
        return sum(w.nbytes for w in self.windows)


def label_runs(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(start, length, label)`` of the runs of equal non-zero labels along the rows of a 2-D label image."""
    flat = labels.ravel()
    change = np.empty(flat.size, dtype=bool)
    change[0] = True
    np.not_equal(flat[1:], flat[:-1], out=change[1:])
    change[:: labels.shape[1]] = True
    starts = np.flatnonzero(change)
    lengths = np.diff(np.append(starts, flat.size))
    values = flat[starts]
    keep = values > 0
    return starts[keep].astype(np.int32), lengths[keep].astype(np.int32), values[keep]


def window_grid(grid: Grid, window: Window) -> Grid:
    """The grid of ``window`` of ``grid``."""
    return Grid(grid.crs, grid.transform @ Affine.translation(window.col_off, window.row_off), int(window.width), int(window.height))


def window_labels(window: Window, grid: Grid, geometries: np.ndarray, layers: np.ndarray, candidates: np.ndarray) -> WindowLabels | None:
    """Burn the ``candidates`` (parcel indices) into ``window``; None when no pixel centre falls in a parcel."""
    local = window_grid(grid, window)
    starts, lengths, labels = [], [], []
    for layer in np.unique(layers[candidates]).tolist():
        members = candidates[layers[candidates] == layer]
        burnt = burn_ids(geometries[members], members + 1, local)
        run = label_runs(burnt)
        starts.append(run[0])
        lengths.append(run[1])
        labels.append(run[2])
    start, length, label = np.concatenate(starts), np.concatenate(lengths), np.concatenate(labels)
    if label.size == 0:
        return None
    order = np.lexsort((start, label))
    start, length, label = start[order], length[order], label[order]
    first = np.flatnonzero(np.r_[True, label[1:] != label[:-1]])
    counts = np.add.reduceat(length.astype(np.int64), first)
    return WindowLabels(window, (label[first] - 1).astype(np.int32), counts, start, length)


def build_label_cache(grid: Grid, geometries: np.ndarray, layers: np.ndarray, *, window_size: int = DEFAULT_WINDOW, workers: int = 1) -> LabelCache:
    """The label cache of ``grid`` for ``geometries`` (in the grid's CRS, None or empty for parcels to leave out)."""
    started = time.perf_counter()
    geometries = np.asarray(geometries, dtype=object)
    present = np.flatnonzero(~(shapely.is_missing(geometries) | shapely.is_empty(geometries)))
    tree = shapely.STRtree(geometries[present])
    boxes = {}
    for window in grid.windows(window_size):
        hits = tree.query(shapely.box(*window_grid(grid, window).bounds))
        if hits.size:
            boxes[(window.row_off, window.col_off)] = (window, np.sort(present[hits]))

    def burn(entry: tuple[Window, np.ndarray]) -> WindowLabels | None:
        return window_labels(entry[0], grid, geometries, layers, entry[1])

    windows = [labels for _, labels in process_windows(burn, boxes.values(), workers) if labels is not None]
    pixels = np.zeros(len(geometries), dtype=np.int64)
    spans = np.zeros(len(geometries), dtype=np.int32)
    for labels in windows:
        pixels[labels.parcels] += labels.pixel_counts
        spans[labels.parcels] += 1
    return LabelCache(grid, windows, pixels, spans, time.perf_counter() - started)
