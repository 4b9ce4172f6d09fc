"""Sentinel-2 tiles as output grids (``--tiles`` with a tile grid GeoPackage: tile_id, epsg_code, polygons)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
from affine import Affine
from rasterio.crs import CRS
from s4c_common.errors import InputError
from s4c_common.raster import Grid
from s4c_common.vector import read_vector
from shapely.geometry.base import BaseGeometry

from .output_grid import DEGREES_PER_METRE


@dataclass(frozen=True)
class Tile:
    tile_id: str
    epsg: int
    footprint: BaseGeometry  # in the tile's EPSG
    footprint_lonlat: BaseGeometry

    def grid(self, pixel_spacing: float) -> Grid:
        """The tile envelope (truncated to whole metres) at ``pixel_spacing``, origin at the tile's upper-left corner."""
        crs = CRS.from_epsg(self.epsg)
        size = pixel_spacing * DEGREES_PER_METRE if crs.is_geographic else pixel_spacing
        xmin, ymin, xmax, ymax = (math.trunc(v) for v in self.footprint.bounds)
        width, height = int((xmax - xmin) / size + 0.5), int((ymax - ymin) / size + 0.5)
        return Grid(crs, Affine(size, 0, xmin, 0, -size, ymax), width, height)


def read_tiles(path: Path, tile_ids: list[str]) -> list[Tile]:
    """The requested tiles of a tile grid file, sorted by id."""
    grid = read_vector(path)
    missing = [c for c in ("tile_id", "epsg_code") if c not in grid.columns]
    if missing:
        raise InputError(f"tile grid {path} lacks the column(s) {', '.join(missing)}.", "E_SCHEMA")
    unknown = sorted(set(tile_ids) - set(grid["tile_id"].astype(str)))
    if unknown:
        raise InputError(f"tile(s) {', '.join(unknown)} are not in the tile grid {path}.", "E_PARAM")
    grid = grid[grid["tile_id"].astype(str).isin(tile_ids)].sort_values("tile_id")
    tiles = []
    for row in grid.itertuples():
        series = gpd.GeoSeries([row.geometry], crs=grid.crs)
        tiles.append(Tile(str(row.tile_id), int(row.epsg_code), series.to_crs(int(row.epsg_code)).iloc[0], series.to_crs(4326).iloc[0]))
    return tiles
