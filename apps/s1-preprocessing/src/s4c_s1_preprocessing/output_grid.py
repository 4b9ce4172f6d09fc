"""The output grid: ``projection`` at ``pixel_spacing``, edges on multiples of the spacing (spec 3, E.1)."""

from __future__ import annotations

import math

import numpy as np
import shapely
from pyproj import CRS, Transformer
from s4c_common.errors import InputError
from s4c_common.raster import Grid
from shapely.geometry import Polygon, box
from shapely.geometry.base import BaseGeometry

DEGREES_PER_METRE = 1.796630568239043e-4 / 20.0  # Sen4CAP's $PS_DEGREES for 20 m


def crs_of(projection: str) -> CRS:
    try:
        return CRS.from_user_input(projection)
    except Exception as exc:  # pyproj raises CRSError for anything it cannot parse
        raise InputError(f"projection {projection!r} is not a CRS pyproj understands (try EPSG:3035 or EPSG:326xx).", "E_PARAM") from exc


def rasterio_crs(crs: CRS) -> str:
    """The EPSG code when there is one (so that files carry it), else WKT."""
    code = crs.to_epsg()
    return f"EPSG:{code}" if code else crs.to_wkt()


def resolution(crs: CRS, pixel_spacing: float) -> float:
    """Pixel size in CRS units: metres, or degrees for a geographic CRS."""
    return pixel_spacing * DEGREES_PER_METRE if crs.is_geographic else pixel_spacing


def to_crs(lonlat: BaseGeometry, crs: CRS) -> BaseGeometry:
    """A lon/lat geometry in ``crs`` (densified so that curved edges stay inside the bounds)."""
    transformer = Transformer.from_crs(4326, crs, always_xy=True)
    return shapely.transform(lonlat.segmentize(0.01), lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))


def grid_over(lonlat: BaseGeometry, projection: str, pixel_spacing: float) -> Grid:
    """The grid covering a lon/lat area, its edges snapped outwards to multiples of the pixel size."""
    crs = crs_of(projection)
    size = resolution(crs, pixel_spacing)
    left, bottom, right, top = to_crs(lonlat, crs).bounds
    snapped = (math.floor(left / size) * size, math.floor(bottom / size) * size, math.ceil(right / size) * size, math.ceil(top / size) * size)
    return Grid.from_bounds(rasterio_crs(crs), snapped, size)


def grid_of_extent(extent: tuple[float, float, float, float], projection: str, pixel_spacing: float) -> Grid:
    crs = crs_of(projection)
    return Grid.from_bounds(rasterio_crs(crs), extent, resolution(crs, pixel_spacing))


def output_grid(area_lonlat: BaseGeometry, projection: str, pixel_spacing: float, extent: tuple[float, float, float, float] | None) -> Grid:
    """``extent`` when given (must meet the area), else the grid over the area."""
    if extent is None:
        return grid_over(area_lonlat, projection, pixel_spacing)
    grid = grid_of_extent(extent, projection, pixel_spacing)
    if not to_crs(area_lonlat, crs_of(projection)).intersects(box(*grid.bounds)):
        raise InputError(f"the output extent {extent} does not meet the product footprint.", "E_NO_OVERLAP")
    return grid


def envelope(polygons: list[Polygon]) -> Polygon:
    """Bounding box (lon/lat) of the intersection of footprints."""
    area = polygons[0]
    for polygon in polygons[1:]:
        area = area.intersection(polygon)
    return box(*area.bounds) if not area.is_empty else Polygon()
