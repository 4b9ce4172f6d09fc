"""Synthetic inputs for the markers tests: L3B and S1 products with STAC catalogs, parcel tables, CLI runs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pystac
from affine import Affine
from click.testing import CliRunner, Result
from rasterio.crs import CRS
from s4c_common.l3b import L3BProduct, build_l3b_item, product_names, raster_asset, write_metadata
from s4c_common.raster import Grid, write_cog
from s4c_common.stac import MEDIA_COG, AssetSpec, build_item, write_catalog
from s4c_markers.cli import main
from shapely.geometry import box

UTM31 = CRS.from_epsg(32631)
ORIGIN = (600000.0, 5700000.0)


def grid(width: int, height: int, resolution: float = 10.0, origin: tuple[float, float] = ORIGIN, crs: CRS = UTM31) -> Grid:
    return Grid(crs, Affine(resolution, 0, origin[0], 0, -resolution, origin[1]), width, height)


def pixel_box(g: Grid, row0: float, col0: float, row1: float, col1: float):
    """A rectangle covering pixel rows [row0, row1) and columns [col0, col1) of ``g`` (fractions allowed)."""
    x0, y0 = g.transform * (col0, row0)
    x1, y1 = g.transform * (col1, row1)
    return box(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def write_parcels(path: Path, ids: Sequence[int], geometries: Sequence, crs: CRS | int = 32631, **columns: Sequence) -> Path:
    frame = gpd.GeoDataFrame({"NewID": np.asarray(ids, dtype=np.int32), **columns}, geometry=list(geometries), crs=crs)
    if path.suffix == ".parquet":
        frame.to_parquet(path)
    else:
        frame.to_file(path)
    return path


@dataclass
class Catalog:
    """Products written into one folder; :meth:`close` writes its STAC catalog."""

    folder: Path
    items: list[pystac.Item]

    @classmethod
    def at(cls, folder: Path) -> Catalog:
        folder.mkdir(parents=True, exist_ok=True)
        return cls(folder, [])

    def l3b(self, indicator: str, day: dt.date, g: Grid, values: np.ndarray, flags: np.ndarray | None = None, tile: str = "31UFS") -> Path:
        """An L3B product (int16 ×1000 with no-data −10000, or float32 with NaN) and its MMONODFLG flags, in the Sen4CAP layout."""
        when = dt.datetime(day.year, day.month, day.day, 10, 30, tzinfo=dt.UTC)
        names = product_names(indicator, tile=tile, acquisition=when, creation=when, site=1)
        product = L3BProduct(self.folder / names.product_dir, names)
        nodata = float("nan") if values.dtype.kind == "f" else -10000
        image = write_cog(product.image_path(f"S{indicator}"), values, g, nodata=nodata)
        quality = {}
        if flags is not None:
            flags_path = write_cog(product.quality_path("MMONODFLG"), flags.astype(np.uint8), g, nodata=255)
            quality["MMONODFLG"] = raster_asset(flags_path, title="flags", dtype="uint8", nodata=255)
        product.quicklook_path.write_bytes(b"")
        write_metadata(product, source_product="synthetic", processor="test", version="0", parameters={})
        self.items.append(
            build_l3b_item(product, g, datetime=when, images={f"S{indicator}": raster_asset(image, title=indicator, dtype=str(values.dtype), nodata=nodata)},
                           quality=quality, processor="test", version="0", source_product="synthetic")
        )
        return image

    def s1(self, kind: str, day: dt.date, pol: str, orbit: int, g: Grid, values: np.ndarray, tile: str | None = None, nodata: float | None = np.nan) -> Path:
        """A float32 S1 raster named as s1-preprocessing writes it (BCK, COH project names; AMP, COHE Sen4CAP names)."""
        stamp = day.strftime("%Y%m%d") + "T054500"
        earlier = (day - dt.timedelta(days=6)).strftime("%Y%m%d") + "T054500"
        suffix = f"_{tile}" if tile else ""
        name = {
            "BCK": f"S1A_L2_BCK_{stamp}_{pol}_{orbit:03d}{suffix}.tif",
            "COH": f"S1A_L2_COH_{earlier}_{stamp}_{pol}_{orbit:03d}{suffix}.tif",
            "AMP": f"SEN4CAP_L2A_S1_V{earlier}_{stamp}_{pol}_{orbit:03d}_AMP{suffix}.tif",
            "COHE": f"SEN4CAP_L2A_S1_V{earlier}_{stamp}_{pol}_{orbit:03d}_COHE{suffix}.tif",
        }[kind]
        path = write_cog(self.folder / name, values.astype(np.float32), g, nodata=nodata)
        when = dt.datetime(day.year, day.month, day.day, 5, 45, tzinfo=dt.UTC)
        self.items.append(
            build_item(Path(name).stem, geometry=box(*g.bounds), crs=g.crs, datetime=when, assets={"data": AssetSpec(path, MEDIA_COG)},
                       processor="test", processor_version="0", properties={"sar:polarizations": [pol], "sat:relative_orbit": orbit})
        )
        return path

    def close(self) -> Path:
        write_catalog(self.folder, self.items, catalog_id=self.folder.name, description="test products")
        return self.folder


def invoke(*args: object) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def run_ok(*args: object) -> Result:
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    return result


def read_wide(out: Path, name: str = "markers") -> pa.Table:
    return pq.read_table(out / f"{name}.parquet")


def column(table: pa.Table, name: str) -> np.ndarray:
    return table.column(name).to_numpy(zero_copy_only=False)
