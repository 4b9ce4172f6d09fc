"""WGS 84 geodetic ↔ Earth-centred Earth-fixed (ECEF) coordinates, closed form and vectorised."""

from __future__ import annotations

import numpy as np

A = 6_378_137.0  # m, semi-major axis
F = 1 / 298.257223563
B = A * (1 - F)
E2 = F * (2 - F)  # first eccentricity squared
EP2 = E2 / (1 - E2)  # second eccentricity squared


def to_ecef(lon: np.ndarray, lat: np.ndarray, height: np.ndarray) -> np.ndarray:
    """ECEF (..., 3) in metres of longitude/latitude (degrees) and ellipsoidal height (m)."""
    lon, lat = np.radians(lon), np.radians(lat)
    sin_lat, cos_lat = np.sin(lat), np.cos(lat)
    n = A / np.sqrt(1 - E2 * sin_lat * sin_lat)
    x = (n + height) * cos_lat * np.cos(lon)
    y = (n + height) * cos_lat * np.sin(lon)
    z = (n * (1 - E2) + height) * sin_lat
    return np.stack(np.broadcast_arrays(x, y, z), axis=-1)


def to_geodetic(points: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Longitude, latitude (degrees) and ellipsoidal height (m) of ECEF points (..., 3); Bowring's formula, sub-mm on Earth."""
    x, y, z = points[..., 0], points[..., 1], points[..., 2]
    p = np.hypot(x, y)
    theta = np.arctan2(z * A, p * B)
    lat = np.arctan2(z + EP2 * B * np.sin(theta) ** 3, p - E2 * A * np.cos(theta) ** 3)
    sin_lat = np.sin(lat)
    n = A / np.sqrt(1 - E2 * sin_lat * sin_lat)
    height = p / np.cos(lat) - n
    return np.degrees(np.arctan2(y, x)), np.degrees(lat), height


def normal(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Unit ellipsoid normal (..., 3) at longitude/latitude (degrees)."""
    lon, lat = np.radians(lon), np.radians(lat)
    return np.stack(np.broadcast_arrays(np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)), axis=-1)
