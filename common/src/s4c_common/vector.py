"""Vector I/O with pyogrio/geopandas, with input errors that name the file."""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely
from pyproj import CRS, Transformer

from .errors import InputError


def read_vector(path: str | os.PathLike[str], layer: str | int | None = None, *, require_crs: bool = True) -> gpd.GeoDataFrame:
    """Read any OGR vector (zipped Shapefile too) into a GeoDataFrame.

    Raises ``E_NOT_FOUND``, ``E_READ``, ``E_SCHEMA`` (no geometry column) or
    ``E_BAD_CRS`` as input errors.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"vector file {path} does not exist.", "E_INPUT_NOT_FOUND")
    source = f"/vsizip/{path}" if path.suffix.lower() == ".zip" else str(path)
    try:
        info = pyogrio.read_info(source, layer=layer)
    except Exception as exc:  # pyogrio raises DataSourceError, DataLayerError, ...
        raise InputError(f"cannot read vector file {path}: {exc}.", "E_INPUT_NOT_FOUND") from exc
    if not info.get("geometry_type"):
        raise InputError(f"vector file {path} has no geometry column; give a layer with polygons.", "E_SCHEMA")
    try:
        frame = pyogrio.read_dataframe(source, layer=layer)
    except Exception as exc:
        raise InputError(f"cannot read vector file {path}: {exc}.", "E_INPUT_NOT_FOUND") from exc
    if require_crs and frame.crs is None:
        raise InputError(f"vector file {path} has no coordinate reference system; assign one (e.g. with ogr2ogr -a_srs).", "E_BAD_CRS")
    return frame


def to_crs(frame: gpd.GeoDataFrame, crs: CRS | str | int) -> gpd.GeoDataFrame:
    """Reproject unless already in ``crs`` (so an identity transform does not perturb coordinates)."""
    target = CRS.from_user_input(crs)
    if frame.crs is not None and CRS.from_user_input(frame.crs).equals(target):
        return frame
    return frame.to_crs(target)


def transform_geometry(geometry, src: CRS | str | int, dst: CRS | str | int):
    """Reproject a shapely geometry (or an array of them) with x/y axis order."""
    transformer = Transformer.from_crs(CRS.from_user_input(src), CRS.from_user_input(dst), always_xy=True)

    def _xy(coords: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geometry, _xy)
