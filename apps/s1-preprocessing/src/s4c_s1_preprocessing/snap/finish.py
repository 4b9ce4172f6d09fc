"""Put a GeoTIFF written by SNAP onto the back end's output grid, with NaN no-data.

SNAP's Terrain-Correction marks no-data with 0 (its GeoTIFF may not declare it) and sizes its grid to the data; the
back-end contract is a float32 GeoTIFF on the output grid of the options (the grid the python back end uses,
:func:`..output_grid.output_grid`) with NaN no-data. When SNAP's grid already lies on that grid (Terrain-Correction
aligns it on multiples of the spacing) the pixels are copied unchanged (nearest neighbour on an aligned grid);
otherwise (Ellipsoid-Correction-GG, a half-pixel shift) they are resampled with ``img_resampling``. The copy goes
through a GDAL warped VRT block by block, so memory stays bounded. Cropping of no-data borders and tiling are the
processor's finishing steps.
"""

from __future__ import annotations

import math
from pathlib import Path

import rasterio
from rasterio.enums import Resampling
from rasterio.vrt import WarpedVRT
from s4c_common.raster import Grid

SNAP_NODATA = 0.0  # Terrain-Correction's no-data value when the file declares none
RESAMPLINGS = {"nearest": Resampling.nearest, "bilinear": Resampling.bilinear, "bicubic": Resampling.cubic}
_ALIGNMENT_TOLERANCE = 1e-6  # fraction of a pixel


def is_aligned(dataset: rasterio.DatasetReader, grid: Grid) -> bool:
    """Same CRS and pixel size, origins a whole number of pixels apart."""
    source, target = dataset.transform, grid.transform
    if dataset.crs != grid.crs or source.b or source.d or not math.isclose(source.a, target.a) or not math.isclose(source.e, target.e):
        return False
    offsets = ((source.c - target.c) / target.a, (source.f - target.f) / target.e)
    return all(abs(v - round(v)) < _ALIGNMENT_TOLERANCE for v in offsets)


def to_output_grid(snap_file: Path, target: Path, grid: Grid, resampling: str) -> Path:
    """Write ``target`` (float32, NaN no-data, tiled DEFLATE GeoTIFF on ``grid``) from SNAP's ``snap_file``."""
    with rasterio.open(snap_file) as source:
        source_nodata = source.nodata if source.nodata is not None else SNAP_NODATA
        method = Resampling.nearest if is_aligned(source, grid) else RESAMPLINGS[resampling]
        placement = {"crs": grid.crs, "transform": grid.transform, "width": grid.width, "height": grid.height}
        with WarpedVRT(source, src_nodata=source_nodata, nodata=math.nan, dtype="float32", resampling=method, **placement) as vrt:
            profile = {"driver": "GTiff", "dtype": "float32", "count": 1, "nodata": math.nan, "tiled": True, "compress": "deflate", "predictor": 3}
            with rasterio.open(target, "w", **profile, **placement) as output:
                for window in grid.windows():
                    output.write(vrt.read(1, window=window), 1, window=window)
    return target
