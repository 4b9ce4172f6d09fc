"""Sentinel-2 tiles the parcels are rasterised on."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from affine import Affine
from rasterio.crs import CRS as RioCRS
from s4c_common.errors import InputError
from s4c_common.raster import Grid
from s4c_common.vector import read_vector
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry


@dataclass(frozen=True)
class Tile:
    """A tile: id, UTM EPSG and footprint (in its own EPSG)."""

    tile_id: str
    epsg: int
    footprint: BaseGeometry

    def grid(self, resolution: float) -> Grid:
        """The tile envelope truncated to whole metres, pixel size ``resolution``, origin upper-left.

        The pixel count is rounded as ``gdal_rasterize -te ... -tr`` does (Sen4CAP parity).
        """
        xmin, ymin, xmax, ymax = (math.trunc(v) for v in self.footprint.bounds)
        width = int((xmax - xmin) / resolution + 0.5)
        height = int((ymax - ymin) / resolution + 0.5)
        return Grid(RioCRS.from_epsg(self.epsg), Affine(resolution, 0, xmin, 0, -resolution, ymax), width, height)


def read_tile_grid(path: Path, tiles: list[str] | None) -> list[Tile]:
    """Tiles of a grid file with ``tile_id``, ``epsg_code`` and polygons, optionally a subset."""
    grid = read_vector(path)
    missing = [c for c in ("tile_id", "epsg_code") if c not in grid.columns]
    if missing:
        raise InputError(f"tile grid {path} lacks the column(s) {', '.join(missing)}.", "E_SCHEMA")
    if tiles:
        unknown = sorted(set(tiles) - set(grid["tile_id"].astype(str)))
        if unknown:
            raise InputError(f"tile(s) {', '.join(unknown)} are not in the tile grid {path}.", "E_PARAM")
        grid = grid[grid["tile_id"].astype(str).isin(tiles)]
    result = []
    for row in grid.sort_values("tile_id").itertuples():
        epsg = int(row.epsg_code)
        footprint = gpd.GeoSeries([row.geometry], crs=grid.crs).to_crs(epsg).iloc[0]
        result.append(Tile(str(row.tile_id), epsg, footprint))
    if not result:
        raise InputError(f"tile grid {path} holds no tiles.", "E_PARAM")
    return result


def utm_epsg(lon: float, lat: float) -> int:
    zone = int((lon + 180) // 6) % 60 + 1
    return (32600 if lat >= 0 else 32700) + zone


def extent_tile(parcels: gpd.GeoSeries) -> Tile:
    """Without a tile grid: one tile in the UTM zone of the parcels' centre, covering them.

    Its extent is snapped outward to 20 m so the 10 m and 20 m grids align;
    it is named after its EPSG code (e.g. ``EPSG32631``).
    """
    lon, lat = np.asarray(shapely.centroid(shapely.box(*parcels.to_crs(4326).total_bounds)).coords[0])
    epsg = utm_epsg(lon, lat)
    xmin, ymin, xmax, ymax = parcels.to_crs(epsg).total_bounds
    step = 20.0
    footprint = box(math.floor(xmin / step) * step, math.floor(ymin / step) * step, math.ceil(xmax / step) * step, math.ceil(ymax / step) * step)
    return Tile(f"EPSG{epsg}", epsg, footprint)

