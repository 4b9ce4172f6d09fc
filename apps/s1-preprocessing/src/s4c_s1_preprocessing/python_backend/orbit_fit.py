"""The orbit as one polynomial per ECEF axis, fitted to the state vectors around the acquisition.

A least-squares polynomial of degree ≤ 7 through the positions of a few minutes of orbit reproduces them
to about a millimetre and gives position, velocity and acceleration in closed form, which the zero-Doppler
Newton iteration needs for every output block. The annotated velocities disagree with the derivative of
the positions by about 1 cm/s in real products, so they only weakly constrain the fit (weight
``VELOCITY_WEIGHT``); they matter only when there are too few vectors to fix the degree.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from s4c_common.s1.orbit import OrbitStateVectors

MAX_DEGREE = 7
MARGIN = 120.0  # s of state vectors kept beyond the acquisition on each side
VELOCITY_WEIGHT = 0.01


@dataclass(frozen=True)
class OrbitPolynomial:
    """Position(t) = Σ c_k (t/scale)^k for t in seconds since ``epoch``."""

    epoch: np.datetime64  # datetime64[ns]
    scale: float  # s
    coefficients: np.ndarray  # (degree + 1, 3)

    def seconds(self, times: np.ndarray) -> np.ndarray:
        """Seconds since the epoch of datetime64 times."""
        return (np.asarray(times, "datetime64[ns]") - self.epoch) / np.timedelta64(1, "s")

    def _basis(self, t: np.ndarray, derivative: int) -> np.ndarray:
        u = np.asarray(t, float)[..., None] / self.scale
        k = np.arange(len(self.coefficients))
        factor = np.ones(len(k))
        for d in range(derivative):
            factor = factor * (k - d)
        power = np.maximum(k - derivative, 0)
        return factor * u**power / self.scale**derivative

    def position(self, t: np.ndarray) -> np.ndarray:
        return self._basis(t, 0) @ self.coefficients

    def velocity(self, t: np.ndarray) -> np.ndarray:
        return self._basis(t, 1) @ self.coefficients

    def acceleration(self, t: np.ndarray) -> np.ndarray:
        return self._basis(t, 2) @ self.coefficients


def fit_orbit(orbit: OrbitStateVectors, start: np.datetime64, stop: np.datetime64) -> OrbitPolynomial:
    """Fit the state vectors within ``MARGIN`` seconds of [start, stop] (at least 4 of them, the nearest)."""
    epoch = np.datetime64(start, "ns") + (np.datetime64(stop, "ns") - np.datetime64(start, "ns")) // 2
    t = (orbit.times - epoch) / np.timedelta64(1, "s")
    half = (np.datetime64(stop, "ns") - np.datetime64(start, "ns")) / np.timedelta64(1, "s") / 2
    keep = np.abs(t) <= half + MARGIN
    if keep.sum() < 4:
        keep = np.zeros(len(t), bool)
        keep[np.argsort(np.abs(t))[: min(4, len(t))]] = True
    t = t[keep]
    scale = float(max(np.abs(t).max(), 1.0))
    degree = min(MAX_DEGREE, 2 * len(t) - 1)
    u = t[:, None] / scale
    k = np.arange(degree + 1)
    rows_position = u**k
    rows_velocity = k * u ** np.maximum(k - 1, 0)  # d/du; velocity·scale has the unit of position
    design = np.vstack([rows_position, VELOCITY_WEIGHT * rows_velocity])
    target = np.vstack([orbit.positions[keep], VELOCITY_WEIGHT * orbit.velocities[keep] * scale])
    coefficients, *_ = np.linalg.lstsq(design, target, rcond=None)
    return OrbitPolynomial(epoch, scale, coefficients)
