"""Where a zero-Doppler time and slant range fall in a (multilooked) radar image.

Two image kinds: a GRD (ground range through the ``srgr`` polynomials, time linear in line) and a
debursted SLC sub-swath (slant range linear in sample, time piecewise linear in line: one segment per
burst, see :mod:`.deburst`). Times are seconds since the orbit polynomial's epoch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from s4c_common.s1.annotation import SwathAnnotation
from s4c_common.s1.coordinate_conversion import SPEED_OF_LIGHT

from .orbit_fit import OrbitPolynomial


def _multilooked(line: np.ndarray, sample: np.ndarray, looks: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Full-resolution (line, sample) → (row, col) of the image multilooked by (range, azimuth) looks."""
    range_looks, azimuth_looks = looks
    return (line - (azimuth_looks - 1) / 2) / azimuth_looks, (sample - (range_looks - 1) / 2) / range_looks


@dataclass(frozen=True)
class GrdGeometry:
    """A GRD image: line = (t − t_first)/Δt, sample = ground_range(t, R)/spacing."""

    annotation: SwathAnnotation
    orbit: OrbitPolynomial
    looks: tuple[int, int]
    shape: tuple[int, int]  # (rows, cols) of the multilooked image
    smooth = True  # (row, col) vary smoothly with the ground position: interpolate them, not (t, R)

    def coordinates(self, t: np.ndarray, slant_range: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        first = self.orbit.seconds(self.annotation.first_line_time)
        line = (t - first) / self.annotation.azimuth_time_interval
        times = self.orbit.epoch + np.round(np.asarray(t) * 1e9).astype("timedelta64[ns]")
        sample = self.annotation.coordinate_conversion.ground_range(times, slant_range) / self.annotation.range_pixel_spacing
        return _multilooked(line, sample, self.looks)


@dataclass(frozen=True)
class DeburstGeometry:
    """A debursted SLC sub-swath: each burst contributes the rows of one time segment."""

    segment_start: np.ndarray  # s, time of the first row of each segment (increasing)
    segment_row: np.ndarray  # debursted row of the first row of each segment
    azimuth_time_interval: float
    slant_range_time: float  # two-way time of sample 0, s
    range_sampling_rate: float
    looks: tuple[int, int]
    shape: tuple[int, int]
    first_range: float  # m, slant range of the first and last valid samples (for sub-swath merging)
    last_range: float
    smooth = False  # rows jump at burst boundaries: interpolate (t, R), then map

    def coordinates(self, t: np.ndarray, slant_range: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        segment = np.clip(np.searchsorted(self.segment_start, t, side="right") - 1, 0, len(self.segment_start) - 1)
        line = self.segment_row[segment] + (t - self.segment_start[segment]) / self.azimuth_time_interval
        sample = (2.0 * slant_range / SPEED_OF_LIGHT - self.slant_range_time) * self.range_sampling_rate
        return _multilooked(line, sample, self.looks)
