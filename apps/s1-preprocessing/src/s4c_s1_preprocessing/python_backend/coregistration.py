"""Geometric coregistration of a slave SLC burst onto its master burst (spec G.1–G.4).

On a coarse lattice of master burst samples, each sample is located on the DEM (radar → ground, iterating
the height), then the slave's zero-Doppler time and slant range of that ground point give its fractional
slave line and sample; both offsets and the geometric phase 4π/λ·(R_slave − R_master) are interpolated
bilinearly to every master sample. The slave is deramped (TOPS azimuth phase), resampled with a bicubic
kernel and reramped. Offsets within ``INTEGER_TOLERANCE`` of one constant integer shift (zero-baseline
repeat passes on the same burst grid) are applied as that shift, without interpolation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from s4c_common.s1.annotation import SwathAnnotation, TimePolynomial
from s4c_common.s1.coordinate_conversion import SPEED_OF_LIGHT

from ..coarse_grid import nodes, upsample
from .dem_heights import DemAtPoints
from .ellipsoid import to_ecef, to_geodetic
from .orbit_fit import OrbitPolynomial
from .range_doppler import radar_to_ground, zero_doppler
from .resampling import sample

NODE_LINES = 100  # burst lines between coregistration nodes
NODE_SAMPLES = 400  # samples between coregistration nodes
HEIGHT_ITERATIONS = 3
INTEGER_TOLERANCE = 1e-3  # samples
BURST_MATCH = 1.0  # s: bursts of the same track are matched by their time since the ascending node


@dataclass(frozen=True)
class BurstImage:
    """One SLC burst: annotation, orbit and burst index."""

    annotation: SwathAnnotation
    orbit: OrbitPolynomial
    burst: int

    @property
    def start(self) -> float:
        return float(self.orbit.seconds(self.annotation.bursts[self.burst].azimuth_time))

    def line(self, t: np.ndarray) -> np.ndarray:
        return (t - self.start) / self.annotation.azimuth_time_interval

    def sample(self, slant_range: np.ndarray) -> np.ndarray:
        return (2.0 * slant_range / SPEED_OF_LIGHT - self.annotation.slant_range_time) * self.annotation.range_sampling_rate


def match_bursts(master: SwathAnnotation, slave: SwathAnnotation) -> dict[int, int]:
    """Master burst index → slave burst index of the same burst (time since ANX within a second)."""
    slave_anx = np.array([b.azimuth_anx_time for b in slave.bursts])
    matches = {}
    for index, burst in enumerate(master.bursts):
        if slave_anx.size:
            nearest = int(np.argmin(np.abs(slave_anx - burst.azimuth_anx_time)))
            if abs(slave_anx[nearest] - burst.azimuth_anx_time) < BURST_MATCH:
                matches[index] = nearest
    return matches


@dataclass(frozen=True)
class Offsets:
    """Slave line/sample (burst-local) and geometric phase at coarse master nodes, interpolable to every sample."""

    node_lines: np.ndarray
    node_samples: np.ndarray
    line: np.ndarray  # (node lines, node samples)
    sample: np.ndarray
    phase: np.ndarray  # rad, 4π/λ·(R_slave − R_master)
    shape: tuple[int, int]  # master burst (lines, samples)

    def integer_shift(self) -> tuple[int, int] | None:
        """(lines, samples) when slave position = master position + one integer shift everywhere (then also between nodes)."""
        d_line = self.line - self.node_lines[:, None]
        d_sample = self.sample - self.node_samples[None, :]
        shift = (round(float(d_line.flat[0])), round(float(d_sample.flat[0])))
        if np.abs(d_line - shift[0]).max() < INTEGER_TOLERANCE and np.abs(d_sample - shift[1]).max() < INTEGER_TOLERANCE:
            return shift
        return None

    def positions(self) -> tuple[np.ndarray, np.ndarray]:
        """Slave (line, sample) at every master sample (float64)."""
        line, sample_ = upsample(np.stack([self.line, self.sample]), self.node_lines, self.node_samples, self.shape)
        return line, sample_

    def phase_at_samples(self) -> np.ndarray:
        return upsample(self.phase, self.node_lines, self.node_samples, self.shape).astype(np.float32)


def burst_offsets(master: BurstImage, slave: BurstImage, dem: DemAtPoints | None) -> Offsets:
    """Offsets on the DEM, or on the annotation's geolocation-grid heights without one."""
    annotation = master.annotation
    lines = nodes(annotation.lines_per_burst, NODE_LINES)
    samples = nodes(annotation.samples, NODE_SAMPLES)
    line_grid, sample_grid = np.meshgrid(lines, samples, indexing="ij")
    t = master.start + line_grid * annotation.azimuth_time_interval
    slant_range = annotation.sample_slant_range(sample_grid)
    times = master.orbit.epoch + np.round(t * 1e9).astype("timedelta64[ns]")
    lon = annotation.geolocation.interpolate("longitude", times, sample_grid)
    lat = annotation.geolocation.interpolate("latitude", times, sample_grid)
    height = annotation.geolocation.interpolate("height", times, sample_grid)
    point = to_ecef(lon, lat, height)
    for _ in range(HEIGHT_ITERATIONS if dem is not None else 1):
        dem_height = dem.at(lon, lat) if dem is not None else height
        height = np.where(np.isfinite(dem_height), dem_height, height)
        point = radar_to_ground(master.orbit, t, slant_range, height, point)
        lon, lat, _ = to_geodetic(point)
    t_slave, range_slave = zero_doppler(slave.orbit, point, slave.start)
    _, range_master = zero_doppler(master.orbit, point, master.start)
    phase = 4.0 * math.pi / annotation.wavelength * (range_slave - range_master)
    shape = (annotation.lines_per_burst, annotation.samples)
    return Offsets(lines, samples, slave.line(t_slave), slave.sample(range_slave), phase, shape)


def _polynomial_at(polynomials: tuple[TimePolynomial, ...], time: np.datetime64, tau: np.ndarray) -> np.ndarray:
    """The record nearest in azimuth time, evaluated at slant-range times ``tau``."""
    record = min(polynomials, key=lambda p: abs(p.azimuth_time - time))
    return np.polynomial.polynomial.polyval(tau - record.t0, record.coefficients)


def deramp_phase(image: BurstImage, line: np.ndarray, sample_: np.ndarray) -> np.ndarray:
    """TOPS azimuth phase φ = −π·k_t(τ)·(η − η_ref(τ))² at burst-local (line, sample) (spec G.3)."""
    annotation = image.annotation
    burst = annotation.bursts[image.burst]
    middle = image.start + annotation.lines_per_burst / 2 * annotation.azimuth_time_interval
    speed = float(np.linalg.norm(image.orbit.velocity(np.array(middle))))
    k_s = 2.0 * speed * math.radians(annotation.azimuth_steering_rate) / annotation.wavelength
    tau = annotation.slant_range_time + sample_ / annotation.range_sampling_rate
    tau0 = np.array(annotation.slant_range_time)
    k_a = _polynomial_at(annotation.azimuth_fm_rates, burst.azimuth_time, tau)
    f_dc = _polynomial_at(annotation.doppler_centroids, burst.azimuth_time, tau)
    reference = _polynomial_at(annotation.doppler_centroids, burst.azimuth_time, tau0) / _polynomial_at(annotation.azimuth_fm_rates, burst.azimuth_time, tau0)
    k_t = k_a * k_s / (k_a - k_s)
    eta = (line - annotation.lines_per_burst / 2) * annotation.azimuth_time_interval
    eta_ref = reference - f_dc / k_a
    return -math.pi * k_t * (eta - eta_ref) ** 2


def resample_slave(slave_burst: np.ndarray, slave: BurstImage, offsets: Offsets) -> np.ndarray:
    """The slave burst (complex64, NaN where invalid) on the master burst's samples."""
    shift = offsets.integer_shift()
    if shift is not None:
        result = np.full(offsets.shape, np.nan + 0j, np.complex64)
        lines, samples = slave_burst.shape
        rows = slice(max(0, -shift[0]), min(result.shape[0], lines - shift[0]))
        cols = slice(max(0, -shift[1]), min(result.shape[1], samples - shift[1]))
        result[rows, cols] = slave_burst[rows.start + shift[0] : rows.stop + shift[0], cols.start + shift[1] : cols.stop + shift[1]]
        return result
    lines, samples = np.indices(slave_burst.shape)
    deramped = slave_burst * np.exp(-1j * deramp_phase(slave, lines, samples)).astype(np.complex64)
    line, sample_ = offsets.positions()
    resampled = sample(deramped, line, sample_, "bicubic")
    return (resampled * np.exp(1j * deramp_phase(slave, line, sample_))).astype(np.complex64)
