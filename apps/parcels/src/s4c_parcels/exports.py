"""Writing the parcel products (spec parcels.md, section 3) and their STAC item."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
from s4c_common.raster import write_cog
from s4c_common.stac import (
    MEDIA_CSV,
    MEDIA_GEOPACKAGE,
    MEDIA_GEOTIFF,
    MEDIA_PARQUET,
    MEDIA_SHAPEFILE,
    AssetSpec,
    build_item,
    write_catalog,
)
from shapely.geometry import box

from . import __version__
from .prepare import Options, Result

log = logging.getLogger("s4c.parcels")

TABLE_FORMATS = ("geoparquet", "gpkg", "shp", "csv")
PARCELS_CSV_COLUMNS = ["NewID", "Area_meters", "S1Pix", "S2Pix", "CTnumL4A", "CTL4A", "LC"]


def _write_table(table: gpd.GeoDataFrame, stage: Path, name: str, fmt: str) -> list[AssetSpec]:
    if fmt == "geoparquet":
        path = stage / f"{name}.parquet"
        table.to_parquet(path, index=False, compression="zstd", write_covering_bbox=False)
        return [AssetSpec(path, MEDIA_PARQUET, ("data",), "parcel table (GeoParquet)")]
    if fmt == "gpkg":
        path = stage / f"{name}.gpkg"
        pyogrio.write_dataframe(table, path, layer="parcels", driver="GPKG")
        return [AssetSpec(path, MEDIA_GEOPACKAGE, ("data",), "parcel table (GeoPackage)")]
    if fmt == "shp":
        path = stage / f"{name}.shp"
        pyogrio.write_dataframe(table, path, driver="ESRI Shapefile")
        return _shapefile_assets(path, "parcel table (Shapefile)")
    path = stage / f"{name}_table.csv"
    table.drop(columns="geometry").assign(geometry_wkt=table.geometry.to_wkt()).to_csv(path, index=False)
    return [AssetSpec(path, MEDIA_CSV, ("data",), "parcel table with WKT geometry (CSV)")]


def _shapefile_assets(shp: Path, title: str) -> list[AssetSpec]:
    return [
        AssetSpec(part, MEDIA_SHAPEFILE if part.suffix == ".shp" else "application/octet-stream", ("data",), title)
        for part in sorted(shp.parent.glob(shp.stem + ".*"))
    ]


def joined_with_lut(result: Result) -> pd.DataFrame:
    """Valid, non-deleted parcels inner-joined with the LUT (``<table>.csv``)."""
    table = result.table
    active = table[table["GeomValid"] & ~table["is_deleted"]].drop(columns="geometry")
    joined = active.merge(result.lut, on="ori_crop", how="inner", validate="many_to_one")
    return joined.sort_values("NewID", kind="stable")


def parcels_csv(result: Result) -> pd.DataFrame:
    """Parcels usable for classification: valid, not duplicate, not overlapping, not deleted, with a LUT match."""
    joined = joined_with_lut(result)
    usable = joined[~joined["Duplic"] & ~joined["Overlap"]]
    out = usable.rename(columns={"ctnuml4a": "CTnumL4A", "ctl4a": "CTL4A", "lc": "LC"})[PARCELS_CSV_COLUMNS]
    return out.reset_index(drop=True)


def write_outputs(result: Result, options: Options, stage: Path, formats: tuple[str, ...], derived_from: list[str]) -> Path:
    """Write every product into ``stage`` and the STAC catalog; returns the catalog path."""
    name = options.table_name
    assets: dict[str, AssetSpec] = {}

    def add(specs: list[AssetSpec]) -> None:
        for spec in specs:
            assets[spec.path.name] = spec

    for fmt in formats:
        add(_write_table(result.table, stage, name, fmt))

    joined = joined_with_lut(result)
    joined_path = stage / f"{name}.csv"
    joined.to_csv(joined_path, index=False)
    add([AssetSpec(joined_path, MEDIA_CSV, ("data",), "valid parcels joined with the LUT")])

    for (epsg, metres), layer in sorted(result.buffered.items()):
        shp = stage / f"{name}_{epsg}_buf_{metres}m.shp"
        pyogrio.write_dataframe(layer, shp, driver="ESRI Shapefile")
        add(_shapefile_assets(shp, f"parcels buffered -{metres} m, EPSG:{epsg}"))

    for raster in result.rasters:
        suffix = "S2" if raster.resolution == 10 else "S1"
        path = stage / f"{name}_{raster.tile.tile_id}_{suffix}.tif"
        write_cog(path, raster.labels, raster.tile.grid(raster.resolution), nodata=None)
        add([AssetSpec(path, MEDIA_GEOTIFF, ("data",), f"NewID raster, tile {raster.tile.tile_id}, {raster.resolution} m",
                       {"gsd": raster.resolution, "proj:epsg": raster.tile.epsg})])

    usable = parcels_csv(result)
    usable_path = stage / "parcels.csv"
    usable.to_csv(usable_path, index=False)
    lut_path = stage / "lut.csv"
    lut_pairs = result.lut[["ctnuml4a", "ctl4a"]].drop_duplicates().sort_values(["ctnuml4a", "ctl4a"])
    lut_pairs.rename(columns={"ctnuml4a": "CTnumL4A", "ctl4a": "CTL4A"}).to_csv(lut_path, index=False)
    add([AssetSpec(usable_path, MEDIA_CSV, ("data",), "parcels for classification"), AssetSpec(lut_path, MEDIA_CSV, ("metadata",), "L4A classes")])

    table = result.table
    item = build_item(
        "lpis",
        geometry=box(*table.total_bounds),
        crs=table.crs,
        start_datetime=dt.datetime(options.year, 1, 1, tzinfo=dt.UTC),
        end_datetime=dt.datetime(options.year, 12, 31, 23, 59, 59, tzinfo=dt.UTC),
        assets=assets,
        processor="s4c-parcels",
        processor_version=__version__,
        properties={
            "s4c:year": options.year,
            "s4c:site": options.site,
            "s4c:parcels": len(table),
            "s4c:parcels_usable": len(usable),
            "s4c:tiles": sorted({r.tile.tile_id for r in result.rasters}),
        },
        derived_from=derived_from,
        warnings=result.warnings.items,
    )
    return write_catalog(stage, [item], catalog_id=f"s4c-parcels-{name}", description=f"Prepared declarations {name}")
