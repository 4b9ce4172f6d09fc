"""Sun and viewing angle grids of an L2A tile (``MTD_TL.xml`` ``Tile_Angles``) and their resampling.

The grids hold angles at nodes spaced 5000 m apart (23 × 23 for a tile), node (0, 0) lying on the
upper-left corner of the tile, as SNAP and Sen4CAP read them. Viewing angles are given per band and
detector, NaN outside each detector's footprint; a band's grid combines its detectors by the mean of
the available values at each node, the tile's grid combines all bands and detectors the same way.
Azimuths are averaged and interpolated on the circle, so 350° and 10° give 0°, not 180°.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from lxml import etree
from scipy import ndimage

from ..errors import InputError
from .bands import band_from_metadata_id


@dataclass(frozen=True)
class AngleGrids:
    """Angle grids in degrees on the node grid ``origin`` + (col, row) × ``step`` (metres, y down)."""

    origin: tuple[float, float]  # x, y of node (0, 0): the tile's upper-left corner
    step: tuple[float, float]  # column and row spacing in metres
    sun_zenith: np.ndarray
    sun_azimuth: np.ndarray
    view_zenith: np.ndarray  # over all bands and detectors
    view_azimuth: np.ndarray
    band_view_zenith: Mapping[str, np.ndarray]  # per band, over its detectors
    band_view_azimuth: Mapping[str, np.ndarray]
    detector_view_zenith: Mapping[tuple[str, int], np.ndarray]  # as written, per (band, detector id)
    detector_view_azimuth: Mapping[tuple[str, int], np.ndarray]
    mean_sun: tuple[float, float]  # Mean_Sun_Angle (zenith, azimuth)
    mean_view: Mapping[str, tuple[float, float]]  # Mean_Viewing_Incidence_Angle per band (zenith, azimuth)


def circular_nanmean(azimuths: np.ndarray, axis: int = 0) -> np.ndarray:
    """Mean direction in degrees [0, 360) over ``axis``, ignoring NaN; NaN where all are NaN."""
    radians = np.deg2rad(azimuths)
    valid = np.isfinite(radians)
    sin_sum = np.where(valid, np.sin(radians), 0.0).sum(axis=axis)
    cos_sum = np.where(valid, np.cos(radians), 0.0).sum(axis=axis)
    mean = _wrap360(np.rad2deg(np.arctan2(sin_sum, cos_sum)))
    return np.where(valid.any(axis=axis), mean, np.nan)


def _wrap360(degrees: np.ndarray) -> np.ndarray:
    """Degrees in [0, 360): a tiny negative angle would otherwise become 360.0 by rounding."""
    wrapped = np.mod(degrees, 360.0)
    return np.where(wrapped >= 360.0, 0.0, wrapped).astype(wrapped.dtype)


def _nanmean(values: np.ndarray, axis: int = 0) -> np.ndarray:
    valid = np.isfinite(values)
    count = valid.sum(axis=axis)
    total = np.where(valid, values, 0.0).sum(axis=axis)
    return np.divide(total, count, out=np.full(total.shape, np.nan), where=count > 0)


def relative_azimuth(sun_azimuth: np.ndarray | float, view_azimuth: np.ndarray | float) -> np.ndarray:
    """|sun azimuth − view azimuth| folded into [0, 180] degrees; its cosine, the networks' input, is that of SAA − VAA."""
    difference = np.abs((np.asarray(sun_azimuth, dtype=np.float64) - view_azimuth) % 360.0)
    return np.minimum(difference, 360.0 - difference)


# ----------------------------------------------------------------------------- parsing


def _values_grid(node: etree._Element, label: str) -> tuple[np.ndarray, float, float]:
    rows = [row.text.split() for row in node.findall("Values_List/VALUES") if row.text]
    try:
        values = np.array(rows, dtype=np.float64)
        col_step = float(node.findtext("COL_STEP"))
        row_step = float(node.findtext("ROW_STEP"))
    except (TypeError, ValueError) as exc:
        raise InputError(f"{label}: angle grid {node.getparent().tag}/{node.tag} is malformed: {exc}.", "E_SCHEMA") from exc
    if values.ndim != 2 or values.size == 0:
        raise InputError(f"{label}: angle grid {node.getparent().tag}/{node.tag} has no rectangular VALUES.", "E_SCHEMA")
    return values, col_step, row_step


def _zenith_azimuth(node: etree._Element, label: str) -> tuple[np.ndarray, np.ndarray, tuple[float, float]]:
    zenith_node, azimuth_node = node.find("Zenith"), node.find("Azimuth")
    if zenith_node is None or azimuth_node is None:
        raise InputError(f"{label}: {node.tag} lacks its Zenith or Azimuth grid.", "E_SCHEMA")
    zenith, col_step, row_step = _values_grid(zenith_node, label)
    azimuth, _, _ = _values_grid(azimuth_node, label)
    if zenith.shape != azimuth.shape:
        raise InputError(f"{label}: {node.tag} zenith and azimuth grids differ in shape.", "E_SCHEMA")
    return zenith, azimuth, (col_step, row_step)


def _zenith_azimuth_pair(node: etree._Element, label: str) -> tuple[float, float]:
    try:
        return float(node.findtext("ZENITH_ANGLE")), float(node.findtext("AZIMUTH_ANGLE"))
    except (TypeError, ValueError) as exc:
        raise InputError(f"{label}: {node.tag} lacks a numeric ZENITH_ANGLE or AZIMUTH_ANGLE.", "E_SCHEMA") from exc


def parse_angle_grids(root: etree._Element, origin: tuple[float, float], label: str) -> AngleGrids:
    """Angle grids of a parsed ``MTD_TL.xml``; ``origin`` is the tile's upper-left corner (x, y)."""
    tile_angles = root.find("{*}Geometric_Info/Tile_Angles")
    sun_node = None if tile_angles is None else tile_angles.find("Sun_Angles_Grid")
    view_nodes = [] if tile_angles is None else tile_angles.findall("Viewing_Incidence_Angles_Grids")
    if sun_node is None or not view_nodes:
        raise InputError(f"{label} holds no Tile_Angles sun and viewing angle grids; it cannot give the angles.", "E_SCHEMA")
    sun_zenith, sun_azimuth, step = _zenith_azimuth(sun_node, label)

    detector_zenith: dict[tuple[str, int], np.ndarray] = {}
    detector_azimuth: dict[tuple[str, int], np.ndarray] = {}
    for node in view_nodes:
        key = (band_from_metadata_id(node.get("bandId")), int(node.get("detectorId")))
        zenith, azimuth, _ = _zenith_azimuth(node, label)
        if zenith.shape != sun_zenith.shape:
            raise InputError(f"{label}: viewing grid of band {key[0]} detector {key[1]} differs in shape from the sun grid.", "E_SCHEMA")
        detector_zenith[key], detector_azimuth[key] = zenith, azimuth

    keys = sorted(detector_zenith)
    bands = sorted({band for band, _ in keys})
    band_zenith = {b: _nanmean(np.stack([detector_zenith[k] for k in keys if k[0] == b])) for b in bands}
    band_azimuth = {b: circular_nanmean(np.stack([detector_azimuth[k] for k in keys if k[0] == b])) for b in bands}

    mean_sun_node = tile_angles.find("Mean_Sun_Angle")
    mean_sun = (
        _zenith_azimuth_pair(mean_sun_node, label)
        if mean_sun_node is not None
        else (float(_nanmean(sun_zenith.ravel())), float(circular_nanmean(sun_azimuth.ravel())))
    )
    mean_view = {
        band_from_metadata_id(node.get("bandId")): _zenith_azimuth_pair(node, label)
        for node in tile_angles.findall("Mean_Viewing_Incidence_Angle_List/Mean_Viewing_Incidence_Angle")
    }
    return AngleGrids(
        origin=origin,
        step=step,
        sun_zenith=sun_zenith,
        sun_azimuth=sun_azimuth,
        view_zenith=_nanmean(np.stack([detector_zenith[k] for k in keys])),
        view_azimuth=circular_nanmean(np.stack([detector_azimuth[k] for k in keys])),
        band_view_zenith=band_zenith,
        band_view_azimuth=band_azimuth,
        detector_view_zenith=detector_zenith,
        detector_view_azimuth=detector_azimuth,
        mean_sun=mean_sun,
        mean_view=mean_view,
    )


# ------------------------------------------------------------------------- resampling


def fill_nearest(values: np.ndarray) -> np.ndarray:
    """NaN nodes replaced by the value of the nearest valid node (Euclidean distance in node units)."""
    missing = ~np.isfinite(values)
    if not missing.any():
        return values
    if missing.all():
        raise InputError("an angle grid holds no valid node; the product's MTD_TL.xml is unusable for angles.", "E_SCHEMA")
    nearest = ndimage.distance_transform_edt(missing, return_distances=False, return_indices=True)
    return values[tuple(nearest)]


def _axis_weights(coords: np.ndarray, nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """Index of the node before each coordinate and the weight of the node after it (clamped at the edges)."""
    lower = np.clip(np.floor(coords).astype(np.int64), 0, nodes - 2)
    return lower, np.clip(coords - lower, 0.0, 1.0)


def _wrap180(degrees: np.ndarray) -> np.ndarray:
    return (degrees + 180.0) % 360.0 - 180.0


def interpolate_nodes(values: np.ndarray, rows: np.ndarray, cols: np.ndarray, *, azimuth: bool = False) -> np.ndarray:
    """Bilinear interpolation of a node grid (no NaN) at fractional node ``rows`` × ``cols`` → float32 (len(rows), len(cols)).

    Separable: first along columns on the (few) node rows, then along rows, so memory stays that of the output.
    With ``azimuth`` the differences between neighbour nodes are taken on the circle and the result is in [0, 360).
    """
    row0, row_weight = _axis_weights(np.asarray(rows, dtype=np.float64), values.shape[0])
    col0, col_weight = _axis_weights(np.asarray(cols, dtype=np.float64), values.shape[1])
    left, right = values[:, col0], values[:, col0 + 1]
    step = right - left
    along_cols = left + col_weight * (_wrap180(step) if azimuth else step)
    top = along_cols[row0].astype(np.float32)
    step = along_cols[row0 + 1].astype(np.float32)
    step -= top
    if azimuth:
        step = _wrap180(step)
    step *= row_weight.astype(np.float32)[:, None]
    top += step
    return _wrap360(top) if azimuth else top


def node_coordinates(grids: AngleGrids, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fractional node (row, col) coordinates of map coordinates ``y`` and ``x``."""
    return (grids.origin[1] - np.asarray(y)) / grids.step[1], (np.asarray(x) - grids.origin[0]) / grids.step[0]


def angles_at(grids: AngleGrids, x: np.ndarray, y: np.ndarray, bands: Iterable[str] = ()) -> dict[str, np.ndarray]:
    """Angles (degrees, float32) on the raster of pixel centres ``y`` (rows) × ``x`` (columns).

    Names: ``sun_zenith``, ``sun_azimuth``, ``view_zenith``, ``view_azimuth`` (all bands and detectors) and,
    for each of ``bands``, ``view_zenith_<band>`` and ``view_azimuth_<band>``. NaN nodes are filled by the
    nearest valid node before interpolation.
    """
    rows, cols = node_coordinates(grids, x, y)
    sources = {
        "sun_zenith": (grids.sun_zenith, False),
        "sun_azimuth": (grids.sun_azimuth, True),
        "view_zenith": (grids.view_zenith, False),
        "view_azimuth": (grids.view_azimuth, True),
    }
    for band in bands:
        if band not in grids.band_view_zenith:
            raise InputError(f"the angle grids have no viewing angles for band {band}.", "E_MISSING_BAND")
        sources[f"view_zenith_{band}"] = (grids.band_view_zenith[band], False)
        sources[f"view_azimuth_{band}"] = (grids.band_view_azimuth[band], True)
    return {name: interpolate_nodes(fill_nearest(grid), rows, cols, azimuth=az) for name, (grid, az) in sources.items()}
