"""Geometry validity, area, shape index, overlaps and duplicates of declared parcels."""

from __future__ import annotations

import numpy as np
import shapely
from pyproj import CRS, Geod
from s4c_common.vector import transform_geometry

_GEOD = Geod(ellps="WGS84")
_POLYGONAL = ("Polygon", "MultiPolygon")


def to_multipolygon(geometries: np.ndarray) -> np.ndarray:
    """Polygons become MultiPolygons; other geometry types are left as they are (and flagged invalid)."""
    out = np.array(geometries, dtype=object)
    types = shapely.get_type_id(out)
    polygons = types == shapely.GeometryType.POLYGON
    out[polygons] = [shapely.MultiPolygon([g]) for g in out[polygons]]
    return out


def is_polygonal(geometries: np.ndarray) -> np.ndarray:
    types = shapely.get_type_id(geometries)
    return (types == shapely.GeometryType.POLYGON) | (types == shapely.GeometryType.MULTIPOLYGON)


def geometry_valid(geometries: np.ndarray) -> np.ndarray:
    """OGC validity of the input geometry; missing and non-polygonal geometries are invalid."""
    missing = shapely.is_missing(geometries)
    valid = np.zeros(len(geometries), dtype=bool)
    present = ~missing
    valid[present] = shapely.is_valid(geometries[present]) & is_polygonal(geometries[present])
    return valid


def repaired(geometries: np.ndarray) -> np.ndarray:
    """``make_valid`` keeping only the polygonal part (a repaired bow-tie is two triangles)."""
    out = np.empty(len(geometries), dtype=object)
    for i, geom in enumerate(geometries):
        if geom is None or geom.is_empty:
            out[i] = shapely.MultiPolygon()
            continue
        fixed = shapely.make_valid(geom)
        if fixed.geom_type in _POLYGONAL:
            out[i] = fixed
        else:
            parts = [p for p in shapely.get_parts(fixed) if p.geom_type in _POLYGONAL]
            out[i] = shapely.union_all(parts) if parts else shapely.MultiPolygon()
    return out


def area_perimeter(geometries: np.ndarray, crs: CRS) -> tuple[np.ndarray, np.ndarray]:
    """Area (m²) and perimeter (m): planar in a projected CRS, geodesic on WGS84 in a geographic one."""
    if crs.is_projected:
        return shapely.area(geometries), shapely.length(geometries)
    to_wgs84 = not crs.equals(CRS.from_epsg(4326))
    if to_wgs84:
        geometries = transform_geometry(geometries, crs, 4326)
    area = np.zeros(len(geometries))
    perimeter = np.zeros(len(geometries))
    for i, geom in enumerate(geometries):
        if geom is not None and not geom.is_empty:
            signed_area, length = _GEOD.geometry_area_perimeter(geom)
            area[i], perimeter[i] = abs(signed_area), length
    return area, perimeter


def shape_index(area: np.ndarray, perimeter: np.ndarray) -> np.ndarray:
    """perimeter / (2·sqrt(π·area)): 1 for a circle, 1.1284 for a square; NaN for zero area."""
    with np.errstate(divide="ignore", invalid="ignore"):
        index = perimeter / (2.0 * np.sqrt(np.pi * area))
    index[~(area > 0)] = np.nan
    return index


def overlap_fraction(geometries: np.ndarray, area: np.ndarray, crs: CRS) -> np.ndarray:
    """For each parcel, the summed area of its intersections with the others over its own area."""
    tree = shapely.STRtree(geometries)
    left, right = tree.query(geometries, predicate="intersects")
    pairs = left != right
    left, right = left[pairs], right[pairs]
    shared = np.zeros(len(geometries))
    if left.size:
        intersections = shapely.intersection(geometries[left], geometries[right])
        inter_area, _ = area_perimeter(intersections, crs)
        np.add.at(shared, left, inter_area)
    with np.errstate(divide="ignore", invalid="ignore"):
        fraction = np.where(area > 0, shared / area, 0.0)
    return fraction


def duplicate_flags(geometries: np.ndarray, rule: str = "normalized") -> np.ndarray:
    """True for every geometry equal to another one (all copies are flagged).

    ``normalized``: equal after normalising ring order and start point;
    ``binary``: byte-identical WKB (Sen4CAP compatibility).
    """
    geoms = shapely.normalize(geometries) if rule == "normalized" else geometries
    keys = shapely.to_wkb(geoms, hex=True)
    _, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    return counts[inverse] > 1


def change_ratio(old: np.ndarray, new: np.ndarray) -> np.ndarray:
    """area(old △ new) / area(old ∪ new): 0 for an unchanged geometry, 1 for a disjoint one."""
    old_fixed, new_fixed = repaired(old), repaired(new)
    union = shapely.area(shapely.union(old_fixed, new_fixed))
    sym = shapely.area(shapely.symmetric_difference(old_fixed, new_fixed))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(union > 0, sym / union, 0.0)
