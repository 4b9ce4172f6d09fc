"""Coherence of one sub-swath of an SLC pair, burst by burst, debursted on the master's geometry (spec G)."""

from __future__ import annotations

import numpy as np
from rasterio.windows import Window
from s4c_common.blocks import process_windows
from s4c_common.s1.safe import S1Product

from ..options import CoherenceOptions
from .calibration import calibrate_complex
from .coherence import coherence, debias
from .coregistration import BurstImage, burst_offsets, match_bursts, resample_slave
from .deburst import Segment, deburst_geometry, segments, valid_sample_mask
from .dem_heights import DemAtPoints
from .orbit_fit import OrbitPolynomial
from .terrain_correction import RadarImage

CHUNK_LINES = 256  # burst lines per coherence estimation chunk


def _burst_samples(product: S1Product, swath: str, polarisation: str, burst: int) -> np.ndarray:
    """σ⁰-calibrated complex samples of a whole burst, NaN where invalid."""
    annotation = product.annotation(swath, polarisation)
    row = burst * annotation.lines_per_burst
    dn = product.read_measurement(swath, polarisation, Window(0, row, annotation.samples, annotation.lines_per_burst))
    samples = calibrate_complex(product, swath, polarisation, row, dn)
    samples[~valid_sample_mask(annotation, burst, 0, annotation.lines_per_burst) | (dn == 0)] = np.nan
    return samples


def _kept_coherence(reference: np.ndarray, secondary: np.ndarray, window: tuple[int, int], phase: np.ndarray | None, segment: Segment) -> np.ndarray:
    """Coherence of the segment's kept lines, computed in chunks of lines with a halo of half a window (bounded memory).

    Each chunk includes the neighbouring lines its windows reach, so the result equals the whole-burst estimate.
    """
    halo = window[0] // 2 + 1
    result = np.empty((segment.lines, reference.shape[1]), np.float32)
    for first in range(segment.first_line, segment.last_line, CHUNK_LINES):
        last = min(first + CHUNK_LINES, segment.last_line)
        low, high = max(first - halo, 0), min(last + halo, reference.shape[0])
        chunk = coherence(reference[low:high], secondary[low:high], window, None if phase is None else phase[low:high])
        result[first - segment.first_line : last - segment.first_line] = chunk[first - low : last - low]
    return result


def swath_coherence(
    master: S1Product,
    slave: S1Product,
    swath: str,
    polarisations: list[str],
    orbits: tuple[OrbitPolynomial, OrbitPolynomial],
    dem: DemAtPoints | None,
    options: CoherenceOptions,
    workers: int = 1,
) -> RadarImage | None:
    """Debursted coherence (float32, NaN no-data) of the master bursts that have a slave burst; None when none has."""
    master_annotation = master.annotation(swath, polarisations[0])
    slave_annotation = slave.annotation(swath, polarisations[0])
    matches = match_bursts(master_annotation, slave_annotation)
    if not matches:
        return None
    kept = segments(master_annotation, orbits[0], sorted(matches))
    window = (options.coh_win_az, options.coh_win_rg)

    def burst_coherence(segment: Segment) -> dict[str, np.ndarray]:
        master_burst = BurstImage(master_annotation, orbits[0], segment.burst)
        slave_burst = BurstImage(slave_annotation, orbits[1], matches[segment.burst])
        offsets = burst_offsets(master_burst, slave_burst, dem)
        phase = offsets.phase_at_samples() if options.remove_geometric_phase else None
        result = {}
        for pol in polarisations:
            reference = _burst_samples(master, swath, pol, segment.burst)
            secondary = resample_slave(_burst_samples(slave, swath, pol, slave_burst.burst), slave_burst, offsets)
            gamma = _kept_coherence(reference, secondary, window, phase, segment)
            result[pol] = debias(gamma, window[0] * window[1]) if options.bias_correction == "table" else gamma
        return result

    shape = (sum(segment.lines for segment in kept), master_annotation.samples)
    bands = {pol: np.empty(shape, np.float32) for pol in polarisations}
    row = 0
    for segment, values in process_windows(burst_coherence, kept, workers, in_flight=workers):
        for pol, part in values.items():
            bands[pol][row : row + segment.lines] = part
        row += segment.lines
    return RadarImage(deburst_geometry(master_annotation, orbits[0], kept, (1, 1), shape), bands)
