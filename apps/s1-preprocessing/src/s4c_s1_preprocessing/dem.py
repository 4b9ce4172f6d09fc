"""The DEM: horizontal CRS, vertical datum and coverage, checked before any processing.

Terrain correction needs heights above the WGS 84 ellipsoid. Supported vertical datums:

* ``ellipsoidal`` — used as they are (e.g. the sample generator's DEM, or EPSG:4979 rasters);
* ``egm96`` / ``egm2008`` — orthometric heights, h = H + N. N comes from PROJ's geoid grid
  (``us_nga_egm96_15.tif`` / ``us_nga_egm08_25.tif``) when PROJ can find it (PROJ data directory or
  ``PROJ_NETWORK=ON``); offline without the grid, a constant undulation must be given
  (``--geoid-undulation``, metres; e.g. about 45 m over Belgium), otherwise the DEM is refused.

``declared`` reads the datum from the DEM: a compound CRS with a vertical part (EPSG:5773 EGM96,
EPSG:3855 EGM2008), a 3-D geographic CRS (ellipsoidal), or a ``VERTICAL_DATUM`` metadata item naming
the ellipsoid, EGM96 or EGM2008. Copernicus DEM GLO-30 tiles are EGM2008 heights.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import rasterio
from affine import Affine
from pyproj import CRS, Transformer
from pyproj.transformer import TransformerGroup
from rasterio.enums import Resampling
from rasterio.vrt import WarpedVRT
from s4c_common.errors import InputError
from shapely.geometry import Polygon, box
from shapely.geometry.base import BaseGeometry

from .coarse_grid import nodes, upsample

GEOID_VERTICAL_CRS = {"egm96": 5773, "egm2008": 3855}
UNDULATION_STEP = 32  # output pixels between geoid evaluations (N varies over tens of kilometres)
RELIEF_SPACING = 100.0  # m, resolution at which the DEM relief is measured for the gcp check


@dataclass(frozen=True)
class DemSource:
    path: Path
    crs: CRS
    footprint: Polygon  # lon/lat bounds of the raster
    vertical: str  # ellipsoidal, egm96, egm2008
    undulation: float | None  # constant N (m) when no geoid grid is used

    def undulation_on(self, crs: CRS, transform: Affine, shape: tuple[int, int]) -> np.ndarray | float:
        """Geoid undulation N (m) to add to the DEM on a grid window: 0, the constant, or PROJ's geoid grid."""
        if self.vertical == "ellipsoidal":
            return 0.0
        if self.undulation is not None:
            return self.undulation
        rows, cols = nodes(shape[0], UNDULATION_STEP), nodes(shape[1], UNDULATION_STEP)
        x, y = transform @ np.meshgrid(cols + 0.5, rows + 0.5)
        lon, lat = Transformer.from_crs(crs, 4326, always_xy=True).transform(x, y)
        coarse = geoid_transformer(self.vertical).transform(lon, lat, np.zeros_like(lon))[2]
        return upsample(coarse, rows, cols, shape).astype(np.float32)


def geoid_transformer(vertical: str) -> Transformer:
    """Orthometric (EGM) → ellipsoidal heights with PROJ's geoid grid; InputError when the grid is unavailable."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        group = TransformerGroup(CRS.from_user_input(f"EPSG:4326+{GEOID_VERTICAL_CRS[vertical]}"), CRS.from_epsg(4979), always_xy=True)
    if not group.best_available or not group.transformers:
        raise InputError(
            f"the {vertical.upper()} geoid grid is not available to PROJ (offline); pass --geoid-undulation METRES "
            "(a constant geoid height for the area) or convert the DEM to ellipsoidal heights.",
            "E_BAD_CRS",
        )
    return group.transformers[0]


def _declared_vertical(crs: CRS, tags: dict[str, str]) -> str | None:
    if crs.is_compound and len(crs.sub_crs_list) > 1:
        vertical = crs.sub_crs_list[1]
        code = vertical.to_epsg()
        for name, epsg in GEOID_VERTICAL_CRS.items():
            if code == epsg or name in vertical.name.lower().replace(" ", ""):
                return name
        return None
    if crs.is_geographic and len(crs.axis_info) == 3:
        return "ellipsoidal"
    text = tags.get("VERTICAL_DATUM", "").lower().replace(" ", "")
    if "ellipsoid" in text or "4979" in text:
        return "ellipsoidal"
    for name in GEOID_VERTICAL_CRS:
        if name in text:
            return name
    return None


def open_dem(path: Path, heights: str = "declared", undulation: float | None = None) -> DemSource:
    """Check a DEM file and resolve its vertical datum (``heights``: declared, ellipsoidal, egm96, egm2008)."""
    try:
        with rasterio.open(path) as src:
            if src.crs is None:
                raise InputError(f"DEM {path} has no coordinate reference system; assign one (e.g. gdal_edit.py -a_srs).", "E_BAD_CRS")
            crs = CRS.from_user_input(src.crs.to_wkt())
            tags = src.tags()
            bounds = src.bounds
    except rasterio.errors.RasterioIOError as exc:
        raise InputError(f"cannot read DEM {path}: {exc}.", "E_INPUT_NOT_FOUND") from exc
    vertical = _declared_vertical(crs, tags) if heights == "declared" else heights
    if vertical is None:
        raise InputError(
            f"DEM {path} does not declare its vertical datum; pass --dem-vertical-datum ellipsoid, egm96 or egm2008.",
            "E_BAD_CRS",
        )
    if vertical != "ellipsoidal" and undulation is None:
        geoid_transformer(vertical)
    horizontal = crs.sub_crs_list[0] if crs.is_compound else crs
    lonlat = Transformer.from_crs(horizontal, 4326, always_xy=True).transform_bounds(*bounds, densify_pts=21)
    return DemSource(Path(path), horizontal, box(*lonlat), vertical, undulation if vertical != "ellipsoidal" else None)


def check_coverage(dem: DemSource, footprint: BaseGeometry, what: str) -> None:
    """E_NO_OVERLAP when the DEM does not reach the product footprint (lon/lat) at all."""
    if not dem.footprint.intersects(footprint) or dem.footprint.intersection(footprint).area <= 0.0:
        raise InputError(
            f"DEM {dem.path} does not cover {what} (footprint {tuple(round(v, 3) for v in footprint.bounds)}, "
            f"DEM {tuple(round(v, 3) for v in dem.footprint.bounds)}); give a DEM of the area (see s4c-dem-fetch).",
            "E_NO_OVERLAP",
        )


def relief(dem: DemSource, footprint: BaseGeometry) -> float:
    """Height range (m) of the DEM over the footprint (lon/lat), measured at about 100 m resolution."""
    area = footprint.intersection(dem.footprint)
    if area.is_empty:
        return 0.0
    left, bottom, right, top = area.bounds
    step = RELIEF_SPACING / 111_320.0
    width, height = max(2, math.ceil((right - left) / step)), max(2, math.ceil((top - bottom) / step))
    transform = Affine((right - left) / width, 0, left, 0, -(top - bottom) / height, top)
    with rasterio.open(dem.path) as src:
        nodata = src.nodata if src.nodata is not None else np.nan
        grid = {"crs": "EPSG:4326", "transform": transform, "width": width, "height": height}
        with WarpedVRT(src, **grid, resampling=Resampling.average, src_nodata=nodata, nodata=np.nan, dtype="float32") as vrt:
            heights = vrt.read(1)
    heights = heights[np.isfinite(heights)]
    return float(heights.max() - heights.min()) if heights.size else 0.0
