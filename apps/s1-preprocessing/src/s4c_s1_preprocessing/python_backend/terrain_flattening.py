"""Radiometric terrain flattening (``gamma0_rtc``), planar-facet area projection.

Small (2011) normalises β⁰ by the illuminated area projected onto the plane perpendicular to the look
direction: γ⁰_T = β⁰ · A_β / A_γ. For one locally planar DEM facet this area is, per radar pixel of
slant-range spacing δR and azimuth spacing δa,

    A_γ = δR · δa · cos θ_loc / (sin θ_ri · cos α_az)

with θ_loc the angle between the facet normal n and the look vector l (ground → sensor), θ_ri the local
incidence angle in the zero-Doppler (range) plane, i.e. between l and n_r (n with its azimuth component
removed) and α_az the azimuth slope (|n_r| = cos α_az). Hence

    γ⁰_T = β⁰ · sin θ_ri · cos α_az / cos θ_loc      (flat terrain: β⁰ · tan θ, the ellipsoid γ⁰).

This is the area integration of Small (2011) evaluated facet by facet: exact where a radar pixel sees one
planar facet, but it does not add up the areas of several facets that fold into the same radar pixel.
Facets in layover (θ_ri ≤ 0) or shadow (cos θ_loc ≤ 0) are no-data instead.
"""

from __future__ import annotations

import numpy as np


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def facet_normals(points: np.ndarray) -> np.ndarray:
    """Unit normals (H, W, 3) of the DEM surface from ECEF points (H, W, 3) of a north-up grid (central differences)."""
    along_x = np.gradient(points, axis=1)
    along_y = -np.gradient(points, axis=0)  # rows grow southwards
    normal = _unit(np.cross(along_x, along_y))
    up = np.einsum("...i,...i->...", normal, points) < 0
    normal[up] *= -1.0  # outward (away from the Earth's centre)
    return normal


def flattening_factor(points: np.ndarray, sensor: np.ndarray, velocity: np.ndarray) -> np.ndarray:
    """γ⁰_T / β⁰ (float32) per DEM facet; NaN in layover and shadow."""
    normal = facet_normals(points)
    look = _unit(sensor - points)
    azimuth = _unit(velocity)
    cos_local = np.einsum("...i,...i->...", normal, look)
    in_range_plane = normal - np.einsum("...i,...i->...", normal, azimuth)[..., None] * azimuth
    cos_azimuth_slope = np.linalg.norm(in_range_plane, axis=-1)
    # signed sin θ_ri: positive when the facet faces the sensor less steeply than the look direction (no layover)
    sin_range_incidence = np.einsum("...i,...i->...", np.cross(in_range_plane, look), azimuth) / cos_azimuth_slope
    flat_sign = np.sign(np.einsum("...i,...i->...", np.cross(_unit(points), look), azimuth))
    sin_range_incidence *= flat_sign
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = sin_range_incidence * cos_azimuth_slope / cos_local
    return np.where((cos_local > 0) & (sin_range_incidence > 0), factor, np.nan).astype(np.float32)
