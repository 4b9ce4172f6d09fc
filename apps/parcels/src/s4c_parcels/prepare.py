"""The declaration-preparation pipeline (spec parcels.md, section 5)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from s4c_common.errors import InputError, Warnings
from s4c_common.rasterize import buffer_inward, burn_ids, pixel_counts
from s4c_common.vector import read_vector

from . import identifiers, quality
from .lut import coerce_keys, read_lut
from .tiles import Tile, extent_tile, read_tile_grid

log = logging.getLogger("s4c.parcels")

RESERVED = ("ori_id", "ori_hold", "ori_crop")
COMPUTED = ("ori_id", "ori_hold", "ori_crop", "NewID", "HoldID", "GeomValid", "Duplic", "Overlap", "Area_meters", "ShapeInd",
            "S1Pix", "S2Pix", "is_deleted", "geom_change_ratio")


@dataclass
class Options:
    """Parameters of parcels.md section 4, with its defaults."""

    year: int
    site: str = "site"
    parcel_id_cols: list[str] = field(default_factory=lambda: ["OBJECTID"])
    holding_id_cols: list[str] = field(default_factory=lambda: ["holding_id"])
    crop_code_col: str = "CULT_CODE"
    mode: str = "update"
    parcel_id_offset: int = 0
    holding_id_offset: int = 0
    overlap_threshold: float = 0.1
    buffer_optical: float = -5.0
    buffer_sar: float = -10.0
    extra_epsg: int | None = 3035
    duplicate_rule: str = "normalized"
    pixel_count_merge: str = "max"
    rasterize_all_touched: bool = False
    tiles: list[str] | None = None

    @property
    def table_name(self) -> str:
        return f"decl_{self.site}_{self.year}"


@dataclass
class TileRaster:
    tile: Tile
    resolution: int
    labels: np.ndarray


@dataclass
class Result:
    """Everything the exports need."""

    table: gpd.GeoDataFrame
    lut: pd.DataFrame
    rasters: list[TileRaster]
    buffered: dict[tuple[int, int], gpd.GeoDataFrame]
    warnings: Warnings
    input_columns: list[str]


def _read_declarations(path: Path, options: Options) -> gpd.GeoDataFrame:
    frame = read_vector(path)
    if frame.empty:
        raise InputError(f"declaration file {path} holds no parcels.", "E_EMPTY_PARCELS")
    reserved = [c for c in RESERVED if c in frame.columns]
    if reserved:
        raise InputError(f"declaration file {path} already has the reserved column(s) {', '.join(reserved)}; rename them.", "E_SCHEMA")
    needed = [*options.parcel_id_cols, *options.holding_id_cols, options.crop_code_col]
    missing = [c for c in dict.fromkeys(needed) if c not in frame.columns]
    if missing:
        raise InputError(
            f"declaration file {path} lacks the column(s) {', '.join(missing)}; "
            "name the right ones with --parcel-id-cols, --holding-id-cols and --crop-code-col.",
            "E_SCHEMA",
        )
    return frame


def _read_previous(path: Path, crs: CRS) -> gpd.GeoDataFrame:
    frame = gpd.read_parquet(path) if path.suffix == ".parquet" else read_vector(path)
    missing = [c for c in ("ori_id", "ori_hold", "NewID", "HoldID") if c not in frame.columns]
    if missing:
        raise InputError(f"previous parcel table {path} lacks {', '.join(missing)}; give a table written by s4c-parcels.", "E_SCHEMA")
    return frame.to_crs(crs)


def _identify(frame: gpd.GeoDataFrame, options: Options, previous: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    frame = frame.copy()
    frame["ori_id"] = identifiers.with_discriminators(identifiers.joined_text(frame, options.parcel_id_cols))
    frame["ori_hold"] = identifiers.joined_text(frame, options.holding_id_cols)
    frame["ori_crop"] = identifiers.crop_codes(frame[options.crop_code_col])
    prev_ids: dict[str, int] = {}
    prev_holds: dict[str, int] = {}
    if previous is not None:
        prev_ids = dict(zip(previous["ori_id"].astype(str), previous["NewID"].astype(int), strict=True))
        prev_holds = dict(zip(previous["ori_hold"].astype(str), previous["HoldID"].astype(int), strict=True))
    frame["NewID"], frame["HoldID"] = identifiers.assign_ids(
        frame["ori_id"], frame["ori_hold"], prev_ids, prev_holds, options.parcel_id_offset, options.holding_id_offset
    )
    frame["is_deleted"] = False
    frame["geom_change_ratio"] = np.float32(np.nan)
    if previous is not None:
        old = previous.set_index(previous["ori_id"].astype(str))
        matched = frame["ori_id"].isin(old.index)
        if matched.any():
            old_geoms = old.loc[frame.loc[matched, "ori_id"], "geometry"].to_numpy()
            frame.loc[matched, "geom_change_ratio"] = quality.change_ratio(old_geoms, frame.loc[matched, "geometry"].to_numpy()).astype(np.float32)
        vanished = previous[~previous["ori_id"].astype(str).isin(frame["ori_id"])].copy()
        if options.mode == "update":
            vanished["is_deleted"] = True
        if "is_deleted" not in vanished.columns:
            vanished["is_deleted"] = False
        keep = [c for c in vanished.columns if c in frame.columns or c in COMPUTED or c == "geometry"]
        frame = pd.concat([frame, vanished[keep]], ignore_index=True)
        frame = gpd.GeoDataFrame(frame, geometry="geometry", crs=previous.crs)
    return frame


def _measure(frame: gpd.GeoDataFrame, options: Options) -> gpd.GeoDataFrame:
    crs = CRS.from_user_input(frame.crs)
    geoms = quality.to_multipolygon(frame.geometry.to_numpy())
    frame = frame.copy()
    frame["geometry"] = gpd.GeoSeries(geoms, index=frame.index, crs=frame.crs)
    frame["GeomValid"] = quality.geometry_valid(geoms)
    fixed = quality.repaired(geoms)
    area, perimeter = quality.area_perimeter(fixed, crs)
    frame["Area_meters"] = area.astype(np.float32)
    frame["ShapeInd"] = quality.shape_index(area, perimeter).astype(np.float32)
    active = (frame["GeomValid"] & ~frame["is_deleted"].astype(bool)).to_numpy()
    frame["Overlap"] = False
    frame["Duplic"] = False
    if active.any():
        fraction = quality.overlap_fraction(geoms[active], area[active], crs)
        frame.loc[active, "Overlap"] = fraction > options.overlap_threshold
        frame.loc[active, "Duplic"] = quality.duplicate_flags(geoms[active], options.duplicate_rule)
    return frame


class _Reprojected:
    """The active parcels in each tile EPSG, reprojected once."""

    def __init__(self, active: gpd.GeoDataFrame):
        self.active = active
        self._cache: dict[int, gpd.GeoDataFrame] = {}

    def __call__(self, epsg: int) -> gpd.GeoDataFrame:
        if epsg not in self._cache:
            self._cache[epsg] = self.active.to_crs(epsg)
        return self._cache[epsg]


def _select_tiles(local: _Reprojected, tile_grid: Path | None, options: Options) -> list[Tile]:
    if tile_grid is None:
        return [extent_tile(local.active.geometry)]
    tiles = read_tile_grid(tile_grid, options.tiles)
    if not options.tiles:
        tiles = [t for t in tiles if local(t.epsg).sindex.query(t.footprint, predicate="intersects").size]
    return tiles


def _rasterise(reprojected: _Reprojected, tiles: list[Tile], options: Options, warnings: Warnings) -> tuple[list[TileRaster], pd.DataFrame]:
    """Burn ``NewID`` per tile at 10 m (buffer_optical) and 20 m (buffer_sar); pixel counts per parcel."""
    active = reprojected.active
    rasters: list[TileRaster] = []
    counts = {10: pd.Series(0, index=active["NewID"].to_numpy(), dtype=np.int64), 20: pd.Series(0, index=active["NewID"].to_numpy(), dtype=np.int64)}
    touched = np.zeros(len(active), dtype=bool)
    for tile in tiles:
        local = reprojected(tile.epsg)
        inside = np.zeros(len(local), dtype=bool)
        inside[local.sindex.query(tile.footprint, predicate="intersects")] = True
        touched |= inside
        if not inside.any():
            continue
        for resolution, buffer in ((10, options.buffer_optical), (20, options.buffer_sar)):
            buffered = buffer_inward(local.geometry.to_numpy()[inside], buffer)
            labels = burn_ids(buffered, local["NewID"].to_numpy()[inside], tile.grid(resolution), all_touched=options.rasterize_all_touched)
            rasters.append(TileRaster(tile, resolution, labels))
            per_tile = pd.Series(pixel_counts(labels), dtype=np.int64).reindex(counts[resolution].index, fill_value=0)
            if options.pixel_count_merge == "sum":
                counts[resolution] = counts[resolution] + per_tile
            else:
                counts[resolution] = np.maximum(counts[resolution], per_tile)
    if not touched.any():
        raise InputError("no parcel intersects any selected tile; check the tile grid, --tiles and the parcels' CRS.", "E_NO_OVERLAP")
    if not touched.all():
        warnings.warn("W_OUTSIDE_TILES", f"{int((~touched).sum())} parcel(s) lie outside all selected tiles; their S1Pix and S2Pix are 0.")
    return rasters, pd.DataFrame({"S2Pix": counts[10], "S1Pix": counts[20]})


def _buffered_layers(reprojected: _Reprojected, tiles: list[Tile], options: Options) -> dict[tuple[int, int], gpd.GeoDataFrame]:
    """``(epsg, metres) -> NewID + buffered geometry`` for each tile EPSG (5 m and 10 m) and the extra EPSG (10 m)."""
    epsgs = sorted({t.epsg for t in tiles})
    layers = {}
    targets = [(e, d) for e in epsgs for d in (options.buffer_optical, options.buffer_sar)]
    if options.extra_epsg and options.extra_epsg not in epsgs:
        targets.append((options.extra_epsg, options.buffer_sar))
    for epsg, distance in targets:
        local = reprojected(epsg)
        geoms = buffer_inward(local.geometry.to_numpy(), distance)
        geoms = np.where(shapely.is_empty(geoms), None, geoms)
        layers[(epsg, int(abs(distance)))] = gpd.GeoDataFrame({"NewID": local["NewID"].to_numpy()}, geometry=list(geoms), crs=local.crs)
    return layers


def prepare(declarations: Path, lut_path: Path, options: Options, tile_grid: Path | None = None, previous: Path | None = None) -> Result:
    """Run the whole preparation and return the tables and rasters (nothing is written here)."""
    warnings = Warnings()
    lut = read_lut(lut_path)
    frame = _read_declarations(declarations, options)
    input_columns = [c for c in frame.columns if c != frame.geometry.name]
    frame = frame.rename_geometry("geometry") if frame.geometry.name != "geometry" else frame
    prev = _read_previous(previous, CRS.from_user_input(frame.crs)) if previous is not None and options.mode != "replace" else None
    frame = _identify(frame, options, prev)
    frame = _measure(frame, options)
    active_mask = frame["GeomValid"] & ~frame["is_deleted"].astype(bool)
    active = frame[active_mask]
    if active.empty:
        raise InputError(f"declaration file {declarations} holds no valid polygon.", "E_EMPTY_PARCELS")
    reprojected = _Reprojected(active)
    tiles = _select_tiles(reprojected, tile_grid, options)
    if not tiles:
        raise InputError("no parcel intersects any tile of the tile grid; check the grid and the parcels' CRS.", "E_NO_OVERLAP")
    rasters, counts = _rasterise(reprojected, tiles, options, warnings)
    frame["S2Pix"] = frame["NewID"].map(counts["S2Pix"]).fillna(0).astype(np.int32)
    frame["S1Pix"] = frame["NewID"].map(counts["S1Pix"]).fillna(0).astype(np.int32)
    lut = coerce_keys(lut, frame["ori_crop"])
    unmatched = active[~active["ori_crop"].isin(lut["ori_crop"])]
    if len(unmatched):
        warnings.warn("W_LUT_UNMATCHED", f"{len(unmatched)} valid parcel(s) have a crop code without a LUT row and are left out of the CSV exports.")
    columns = [*input_columns, *COMPUTED, "geometry"]
    frame = frame[[c for c in columns if c in frame.columns]].sort_values("NewID", kind="stable").reset_index(drop=True)
    for col in ("GeomValid", "Duplic", "Overlap", "is_deleted"):
        frame[col] = frame[col].astype(bool)
    return Result(frame, lut, rasters, _buffered_layers(reprojected, tiles, options), warnings, input_columns)
