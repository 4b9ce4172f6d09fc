"""Orbit state vectors of the annotation and the absolute-to-relative orbit rule."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .xml_node import XmlNode

ORBITS_PER_CYCLE = 175  # Sentinel-1: 175 orbits in the 12-day repeat cycle
# relative = (absolute - offset) % 175 + 1. S1A, S1B: ESA; S1C: ISCE2 (components/isceobj/Sensor/TOPS/Sentinel1.py);
# S1D: fitted to (absolute, relative) pairs of CDSE products.
RELATIVE_ORBIT_OFFSET = {"S1A": 73, "S1B": 27, "S1C": 172, "S1D": 42}


def relative_orbit(platform: str, absolute_orbit: int) -> int | None:
    """Relative orbit (track, 1..175) of an absolute orbit; None for an unknown platform."""
    offset = RELATIVE_ORBIT_OFFSET.get(platform.upper())
    if offset is None:
        return None
    return (absolute_orbit - offset) % ORBITS_PER_CYCLE + 1


@dataclass(frozen=True)
class OrbitStateVectors:
    """Positions (m) and velocities (m/s) at ``times``, in the ``frame`` of the annotation (Earth Fixed)."""

    times: np.ndarray  # datetime64[ns], increasing
    positions: np.ndarray  # (n, 3)
    velocities: np.ndarray  # (n, 3)
    frame: str

    def __len__(self) -> int:
        return len(self.times)

    def interpolate(self, times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Position and velocity at ``times`` (datetime64) by cubic Hermite interpolation of the bracketing vectors.

        Hermite uses both positions and velocities, so 10 s spacing gives sub-millimetre positions.
        """
        t = (np.asarray(times, dtype="datetime64[ns]") - self.times[0]) / np.timedelta64(1, "s")
        knots = (self.times - self.times[0]) / np.timedelta64(1, "s")
        i = np.clip(np.searchsorted(knots, t, side="right") - 1, 0, len(knots) - 2)
        h = (knots[i + 1] - knots[i])[..., None]
        s = ((t - knots[i]) / (knots[i + 1] - knots[i]))[..., None]
        p0, p1 = self.positions[i], self.positions[i + 1]
        m0, m1 = self.velocities[i] * h, self.velocities[i + 1] * h
        s2, s3 = s * s, s * s * s
        position = (2 * s3 - 3 * s2 + 1) * p0 + (s3 - 2 * s2 + s) * m0 + (-2 * s3 + 3 * s2) * p1 + (s3 - s2) * m1
        velocity = ((6 * s2 - 6 * s) * p0 + (3 * s2 - 4 * s + 1) * m0 + (-6 * s2 + 6 * s) * p1 + (3 * s2 - 2 * s) * m1) / h
        return position, velocity


def parse_orbit(annotation: XmlNode) -> OrbitStateVectors:
    """The ``generalAnnotation/orbitList`` of an annotation file."""
    nodes = annotation.findall("generalAnnotation/orbitList/orbit")
    times = np.array([n.time("time") for n in nodes], dtype="datetime64[ns]")
    positions = np.array([[n.number(f"position/{a}") for a in "xyz"] for n in nodes], dtype=np.float64).reshape(-1, 3)
    velocities = np.array([[n.number(f"velocity/{a}") for a in "xyz"] for n in nodes], dtype=np.float64).reshape(-1, 3)
    frame = nodes[0].text("frame") if nodes else ""
    return OrbitStateVectors(times, positions, velocities, frame)
