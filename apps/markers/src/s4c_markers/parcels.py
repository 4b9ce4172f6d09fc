"""The parcels: read and check the parcel table, and their inward-buffered geometries on a raster's CRS.

Rows of the markers table are the parcels of the file that are neither invalid nor deleted (columns
``GeomValid`` and ``is_deleted`` of s4c-parcels, when present), sorted by ``NewID``. The buffer
depends on the raster's pixel size (−5 m at 10 m, −10 m at 20 m, half a pixel otherwise) and is
applied in the parcels' CRS when it is projected, in the raster's otherwise; the buffered parcels are
then reprojected to the raster's CRS (the raster is never warped).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from s4c_common.errors import InputError
from s4c_common.raster import Grid
from s4c_common.rasterize import buffer_inward
from s4c_common.stac import read_items
from s4c_common.vector import read_vector, transform_geometry

ID_COLUMN = "NewID"
METRES_PER_DEGREE = 111_320.0


@dataclass(frozen=True)
class Buffers:
    """Inward buffers (negative metres) by pixel size."""

    at_10m: float = -5.0
    at_20m: float = -10.0

    def for_pixel(self, metres: float) -> float:
        if math.isclose(metres, 10.0, rel_tol=0.05):
            return -abs(self.at_10m)
        if math.isclose(metres, 20.0, rel_tol=0.05):
            return -abs(self.at_20m)
        return -metres / 2.0


@dataclass
class Parcels:
    """The table's parcels: ids (int32, ascending) and geometries in their own CRS."""

    ids: np.ndarray
    geometries: np.ndarray
    crs: CRS
    source: Path
    _on_crs: dict[tuple[str, float], np.ndarray] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        return tuple(shapely.total_bounds(self.geometries).tolist())  # type: ignore[return-value]

    def buffered_on(self, crs: CRS, buffer: float) -> np.ndarray:
        """Geometries buffered by ``buffer`` metres (negative: inward) on ``crs``; cached."""
        key = (crs.to_wkt(), buffer)
        if key not in self._on_crs:
            self._on_crs[key] = self._buffer_and_reproject(crs, buffer)
        return self._on_crs[key]

    def _buffer_and_reproject(self, crs: CRS, buffer: float) -> np.ndarray:
        if buffer == 0:
            return _reproject(self.geometries, self.crs, crs)
        if self.crs.is_projected:
            return _reproject(buffer_inward(self.geometries, buffer), self.crs, crs)
        if not crs.is_projected:
            raise InputError(
                f"parcels {self.source} and a raster both have a geographic CRS; the inward buffer needs metres: reproject the parcels.", "E_BAD_CRS"
            )
        return buffer_inward(_reproject(self.geometries, self.crs, crs), buffer)


def _reproject(geometries: np.ndarray, source: CRS, target: CRS) -> np.ndarray:
    if source.equals(target):
        return geometries
    return np.asarray(transform_geometry(geometries, source, target), dtype=object)


def pixel_size_m(grid: Grid) -> float:
    """The grid's pixel width in metres (at the grid's centre for a geographic CRS)."""
    crs = CRS.from_user_input(grid.crs)
    if crs.is_projected:
        return abs(grid.transform.a) * crs.axis_info[0].unit_conversion_factor
    _, bottom, _, top = grid.bounds
    return abs(grid.transform.a) * METRES_PER_DEGREE * math.cos(math.radians((bottom + top) / 2))


def _parcel_file(path: Path) -> Path:
    """A parcel table path, or the table of an s4c-parcels output folder (its STAC item's GeoParquet)."""
    if not path.is_dir():
        return path
    for staged in read_items(path):
        for key, asset in sorted(staged.item.assets.items()):
            if asset.href.endswith(".parquet") and key.startswith("decl_"):
                return Path(staged.asset_path(key))
    raise InputError(f"folder {path} holds no parcel table (decl_<site>_<year>.parquet); give the table file.", "E_INPUT_NOT_FOUND")


def _read_frame(path: Path, layer: str | None) -> gpd.GeoDataFrame:
    if not path.exists():
        raise InputError(f"parcel file {path} does not exist.", "E_INPUT_NOT_FOUND")
    if path.suffix.lower() in (".parquet", ".geoparquet"):
        try:
            frame = gpd.read_parquet(path)
        except Exception as exc:  # pyarrow and geopandas raise many types for a bad file
            raise InputError(f"cannot read parcel table {path}: {exc}.", "E_INPUT_NOT_FOUND") from exc
        if frame.crs is None:
            raise InputError(f"parcel table {path} has no coordinate reference system; assign one.", "E_BAD_CRS")
        return frame
    return read_vector(path, layer)


def read_parcels(path: Path, layer: str | None = None) -> Parcels:
    """Read and check a parcel file (any OGR vector, GeoParquet, or an s4c-parcels output folder)."""
    path = _parcel_file(Path(path))
    frame = _read_frame(path, layer)
    if ID_COLUMN not in frame.columns:
        raise InputError(f"parcel file {path} has no {ID_COLUMN} column; prepare the declarations with s4c-parcels first.", "E_SCHEMA")
    if "GeomValid" in frame.columns:
        frame = frame[frame["GeomValid"].astype(bool)]
    if "is_deleted" in frame.columns:
        frame = frame[~frame["is_deleted"].astype(bool)]
    if frame.empty:
        raise InputError(f"parcel file {path} holds no (valid) parcel.", "E_EMPTY_PARCELS")
    ids = pd.to_numeric(frame[ID_COLUMN], errors="coerce")
    if ids.isna().any() or not np.all(ids == np.round(ids)) or ids.min() < 1 or ids.max() > np.iinfo(np.int32).max:
        raise InputError(f"column {ID_COLUMN} of {path} must hold positive 32-bit integers.", "E_SCHEMA")
    if ids.duplicated().any():
        raise InputError(f"column {ID_COLUMN} of {path} has duplicated values ({int(ids.duplicated().sum())}); ids must be unique.", "E_SCHEMA")
    order = np.argsort(ids.to_numpy(), kind="stable")
    geometries = np.asarray(frame.geometry.to_numpy(), dtype=object)[order]
    return Parcels(ids.to_numpy().astype(np.int32)[order], geometries, CRS.from_user_input(frame.crs), path)
