"""Multilooking: mean intensity over non-overlapping range × azimuth windows (spec D).

A window with fewer than half valid (non-NaN) samples is no-data. Blocks of lines are fed in order;
lines that do not fill an azimuth window are carried to the next block, so the result does not depend
on the block size.
"""

from __future__ import annotations

import numpy as np


def _sum_windows(values: np.ndarray, range_looks: int, azimuth_looks: int) -> np.ndarray:
    """Window sums: azimuth looks added row by row, then range looks as strided column slices (no slow strided reduce)."""
    lines, samples = values.shape
    rows = values.reshape(lines // azimuth_looks, azimuth_looks, samples)
    total = rows[:, 0].copy()
    for k in range(1, azimuth_looks):
        total += rows[:, k]
    result = total[:, 0::range_looks].copy()
    for k in range(1, range_looks):
        result += total[:, k::range_looks]
    return result


def multilook(block: np.ndarray, range_looks: int, azimuth_looks: int) -> np.ndarray:
    """Multilook a block whose line count is a multiple of ``azimuth_looks``; trailing samples form a partial window."""
    samples = block.shape[1]
    cols = -(-samples // range_looks)
    if cols * range_looks != samples:
        block = np.pad(block, ((0, 0), (0, cols * range_looks - samples)), constant_values=np.nan)
    valid = np.isfinite(block)
    count = _sum_windows(valid.astype(np.float32), range_looks, azimuth_looks)
    total = _sum_windows(np.where(valid, block, np.float32(0)).astype(np.float32, copy=False), range_looks, azimuth_looks)
    with np.errstate(invalid="ignore", divide="ignore"):
        total /= count
    total[2 * count < range_looks * azimuth_looks] = np.nan
    return total


class Multilooker:
    """Streaming multilook of consecutive line blocks into a preallocated image of ``lines`` × ``samples`` input."""

    def __init__(self, lines: int, samples: int, range_looks: int, azimuth_looks: int):
        self.range_looks = range_looks
        self.azimuth_looks = azimuth_looks
        self.image = np.full((-(-lines // azimuth_looks), -(-samples // range_looks)), np.nan, np.float32)
        self._row = 0
        self._carry: np.ndarray | None = None

    def _put(self, block: np.ndarray) -> None:
        rows = multilook(block, self.range_looks, self.azimuth_looks)
        self.image[self._row : self._row + len(rows)] = rows
        self._row += len(rows)

    def feed(self, block: np.ndarray) -> None:
        if self._carry is not None:
            block = np.concatenate([self._carry, block])
        usable = (len(block) // self.azimuth_looks) * self.azimuth_looks
        if usable:
            self._put(block[:usable])
        self._carry = block[usable:] if usable < len(block) else None

    def result(self) -> np.ndarray:
        """The multilooked image; a last partial azimuth window is padded with no-data."""
        if self._carry is not None:
            pad = np.full((self.azimuth_looks - len(self._carry), self._carry.shape[1]), np.nan, np.float32)
            self._put(np.concatenate([self._carry, pad]))
            self._carry = None
        return self.image
