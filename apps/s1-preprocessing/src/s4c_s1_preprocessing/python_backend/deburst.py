"""TOPS bursts of an SLC sub-swath: valid lines and samples, and the deburst selection (spec C).

Consecutive bursts overlap in time; the earlier burst's lines are kept up to the middle of the overlap
(of their valid lines), the later burst's after it. Each kept run of lines is a :class:`Segment`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from s4c_common.s1.annotation import SwathAnnotation

from .image_geometry import DeburstGeometry
from .orbit_fit import OrbitPolynomial


@dataclass(frozen=True)
class Segment:
    burst: int
    first_line: int  # burst-local, inclusive
    last_line: int  # burst-local, exclusive

    @property
    def lines(self) -> int:
        return self.last_line - self.first_line


def valid_lines(annotation: SwathAnnotation, burst: int) -> tuple[int, int]:
    """[first, last) burst-local lines with valid samples (firstValidSample ≠ −1)."""
    valid = np.flatnonzero(annotation.bursts[burst].first_valid_sample >= 0)
    return (int(valid[0]), int(valid[-1]) + 1) if valid.size else (0, 0)


def valid_sample_mask(annotation: SwathAnnotation, burst: int, first_line: int, last_line: int) -> np.ndarray:
    """(lines, samples) True where a sample of burst lines [first_line, last_line) is valid."""
    info = annotation.bursts[burst]
    first = info.first_valid_sample[first_line:last_line, None]
    last = info.last_valid_sample[first_line:last_line, None]
    samples = np.arange(annotation.samples)[None, :]
    return (first >= 0) & (samples >= first) & (samples <= last)


def _burst_start(annotation: SwathAnnotation, orbit: OrbitPolynomial, burst: int) -> float:
    return float(orbit.seconds(annotation.bursts[burst].azimuth_time))


def segments(annotation: SwathAnnotation, orbit: OrbitPolynomial, bursts: list[int] | None = None) -> list[Segment]:
    """The kept lines of each burst (all bursts, or the given increasing burst indices)."""
    bursts = list(range(len(annotation.bursts))) if bursts is None else bursts
    dt = annotation.azimuth_time_interval
    ranges = {b: list(valid_lines(annotation, b)) for b in bursts}
    for earlier, later in itertools.pairwise(bursts):
        t_earlier, t_later = _burst_start(annotation, orbit, earlier), _burst_start(annotation, orbit, later)
        overlap_start = t_later + ranges[later][0] * dt
        overlap_end = t_earlier + ranges[earlier][1] * dt
        if overlap_end <= overlap_start:
            continue  # not consecutive: keep both whole
        switch = (overlap_start + overlap_end) / 2
        ranges[earlier][1] = round((switch - t_earlier) / dt)
        ranges[later][0] = round((t_earlier + ranges[earlier][1] * dt - t_later) / dt)
    return [Segment(b, first, last) for b, (first, last) in ranges.items() if last > first]


def deburst_geometry(
    annotation: SwathAnnotation, orbit: OrbitPolynomial, kept: list[Segment], looks: tuple[int, int], shape: tuple[int, int]
) -> DeburstGeometry:
    """Geometry of the image made by concatenating the segments' lines (then multilooked by ``looks``)."""
    dt = annotation.azimuth_time_interval
    starts = np.array([_burst_start(annotation, orbit, s.burst) + s.first_line * dt for s in kept])
    rows = np.cumsum([0] + [s.lines for s in kept[:-1]])
    first_sample = min(int(annotation.bursts[s.burst].first_valid_sample.max()) for s in kept)
    last_sample = max(int(annotation.bursts[s.burst].last_valid_sample.max()) for s in kept)
    ranges = annotation.sample_slant_range(np.array([first_sample, last_sample]))
    return DeburstGeometry(
        segment_start=starts,
        segment_row=rows.astype(float),
        azimuth_time_interval=dt,
        slant_range_time=annotation.slant_range_time,
        range_sampling_rate=annotation.range_sampling_rate,
        looks=looks,
        shape=shape,
        first_range=float(ranges[0]),
        last_range=float(ranges[1]),
    )
