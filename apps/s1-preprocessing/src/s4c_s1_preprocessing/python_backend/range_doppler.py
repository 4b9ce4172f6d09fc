"""Range-Doppler geometry: ground point → zero-Doppler time and slant range, and the inverse.

Times are seconds since the orbit polynomial's epoch (float64: 1e-9 s resolution over hours).
"""

from __future__ import annotations

import numpy as np

from .ellipsoid import A, B
from .orbit_fit import OrbitPolynomial

TIME_TOLERANCE = 1e-6  # s (spec E.3)
MAX_ITERATIONS = 20


def zero_doppler(orbit: OrbitPolynomial, points: np.ndarray, t0: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Zero-Doppler time t (s since the orbit epoch) and slant range R (m) of ECEF points (..., 3).

    Newton on f(t) = (P − S(t))·V(t): f'(t) = −|V|² + (P − S)·A(t); start at ``t0``, stop when every |Δt| < 1e-6 s.
    """
    t = np.full(points.shape[:-1], float(t0))
    for _ in range(MAX_ITERATIONS):
        offset = points - orbit.position(t)
        velocity = orbit.velocity(t)
        f = np.einsum("...i,...i->...", offset, velocity)
        slope = np.einsum("...i,...i->...", offset, orbit.acceleration(t)) - np.einsum("...i,...i->...", velocity, velocity)
        step = f / slope
        t -= step
        if not np.any(np.abs(step) >= TIME_TOLERANCE):
            break
    slant_range = np.linalg.norm(points - orbit.position(t), axis=-1)
    return t, slant_range


def radar_to_ground(orbit: OrbitPolynomial, t: np.ndarray, slant_range: np.ndarray, height: np.ndarray, guess: np.ndarray) -> np.ndarray:
    """ECEF point at zero-Doppler time ``t``, slant range and height above the ellipsoid, near ``guess`` (..., 3).

    Newton in 3-D on: (P − S)·V = 0, |P − S|² = R², x²/(a+h)² + y²/(a+h)² + z²/(b+h)² = 1 (the ellipsoid
    inflated by h: within millimetres of the constant-height surface for land heights).
    """
    sensor, velocity = orbit.position(t), orbit.velocity(t)
    a2, b2 = (A + height) ** 2, (B + height) ** 2
    point = np.array(guess, float)
    for _ in range(MAX_ITERATIONS):
        offset = point - sensor
        f = np.stack(
            [
                np.einsum("...i,...i->...", offset, velocity),
                np.einsum("...i,...i->...", offset, offset) - slant_range**2,
                (point[..., 0] ** 2 + point[..., 1] ** 2) / a2 + point[..., 2] ** 2 / b2 - 1.0,
            ],
            axis=-1,
        )
        jacobian = np.stack(
            [velocity, 2 * offset, np.stack([2 * point[..., 0] / a2, 2 * point[..., 1] / a2, 2 * point[..., 2] / b2], axis=-1)],
            axis=-2,
        )
        step = np.linalg.solve(jacobian, f[..., None])[..., 0]
        point -= step
        if not np.any(np.abs(step) >= 1e-4):
            break
    return point
