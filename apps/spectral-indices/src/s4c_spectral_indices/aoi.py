"""``--aoi``: crop the output to the bounding box of an area of interest, snapped to the grid (TAO 218).

The AOI is WKT or GeoJSON in EPSG:4326 (longitude, latitude), given inline or as a file path.

>>> parse_aoi("POLYGON((2.9 51.3, 3.0 51.3, 3.0 51.4, 2.9 51.4, 2.9 51.3))")
>>> subgrid(tile_grid, aoi)  # -> (Grid of the crop, column offset, row offset) in the tile grid
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import shapely
import shapely.geometry
from affine import Affine
from rasterio.windows import Window
from s4c_common.errors import InputError
from s4c_common.raster import Grid
from s4c_common.vector import transform_geometry
from shapely.geometry.base import BaseGeometry


def _geojson_geometry(data: dict) -> BaseGeometry:
    if data.get("type") == "FeatureCollection":
        return shapely.union_all([shapely.geometry.shape(f["geometry"]) for f in data["features"]])
    if data.get("type") == "Feature":
        return shapely.geometry.shape(data["geometry"])
    return shapely.geometry.shape(data)


def parse_aoi(text: str) -> BaseGeometry:
    """The AOI geometry (EPSG:4326) from WKT, GeoJSON, or a file holding either; E_PARAM if unreadable."""
    source = text.strip()
    path = Path(source)
    if len(source) < 4096 and not source.startswith(("{", "POLYGON", "MULTIPOLYGON")) and path.is_file():
        source = path.read_text(encoding="utf-8").strip()
    try:
        geometry = _geojson_geometry(json.loads(source)) if source.startswith("{") else shapely.from_wkt(source)
    except (ValueError, KeyError, TypeError, shapely.errors.ShapelyError) as exc:
        raise InputError(f"--aoi is neither WKT nor GeoJSON in EPSG:4326 ({exc}).", "E_PARAM") from exc
    if geometry.is_empty or geometry.area == 0:
        raise InputError("--aoi must be a polygon with a non-zero area (WKT or GeoJSON, EPSG:4326).", "E_PARAM")
    return geometry


def subgrid(grid: Grid, aoi: BaseGeometry) -> tuple[Grid, Window]:
    """The part of ``grid`` covering the AOI's bounding box, snapped outward to whole pixels.

    Returns that grid and its window in ``grid``; E_NO_OVERLAP when the AOI misses the grid.
    """
    left, bottom, right, top = transform_geometry(aoi, 4326, grid.crs).bounds
    res = grid.resolution
    col0 = max(0, math.floor((left - grid.transform.c) / res))
    col1 = min(grid.width, math.ceil((right - grid.transform.c) / res))
    row0 = max(0, math.floor((grid.transform.f - top) / res))
    row1 = min(grid.height, math.ceil((grid.transform.f - bottom) / res))
    if col0 >= col1 or row0 >= row1:
        raise InputError("the --aoi does not overlap the input product's grid; give an area inside the tile.", "E_NO_OVERLAP")
    transform = grid.transform @ Affine.translation(col0, row0)
    return Grid(grid.crs, transform, col1 - col0, row1 - row0), Window(col0, row0, col1 - col0, row1 - row0)
