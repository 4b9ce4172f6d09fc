"""The STAC catalog of a generated scene.

Layout (every catalog self-contained, hrefs relative)::

    catalog.json                  root: children S2 and S1, items dem, declarations, truth
    S2/catalog.json               one item per L2A product (stactools-sentinel2 metadata)
    S1/catalog.json               children GRD and SLC
    S1/GRD/catalog.json           one item per GRD product (stactools-sentinel1)
    S1/SLC/catalog.json           one item per SLC product (stactools-sentinel1)
    dem/dem.json, declarations/declarations.json, truth/truth.json

so a processor can be given ``--input <out>/S2`` (or ``<out>/S1/GRD``) as a staged catalog.
Items made by stactools lose their ``created`` timestamp (outputs must be byte-identical run to run)
and gain the generator's ``processing:software``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pystac
import shapely
from s4c_common.provenance import processing_properties
from s4c_common.raster import Grid
from s4c_common.stac import AssetSpec, build_item
from stactools.sentinel1.grd.stac import create_item as create_grd_item
from stactools.sentinel1.slc.stac import create_item as create_slc_item
from stactools.sentinel2.stac import create_item as create_s2_item

from . import __version__
from .scene import Scene

log = logging.getLogger("s4c")

PROCESSOR = "s4c-sample"


def _finish_item(item: pystac.Item) -> pystac.Item:
    item.properties.pop("created", None)
    item.properties.update(processing_properties(PROCESSOR, __version__))
    return item


def _stactools_item(create: Callable[[str], pystac.Item], product: Path, fallback: Callable[[], pystac.Item]) -> pystac.Item:
    try:
        return _finish_item(create(str(product)))
    except Exception as exc:  # noqa: BLE001 - stactools raises many kinds on metadata it does not understand
        log.warning("stactools could not describe %s (%s); writing a generic item", product.name, exc)
        return fallback()


def _product_fallback(scene: Scene, product: Path, datetime: dt.datetime, pattern: str, media_type: str, platform: str) -> pystac.Item:
    assets = {str(path.relative_to(product)).replace("/", "_"): AssetSpec(path, media_type, ("data",)) for path in sorted(product.rglob(pattern))}
    return build_item(
        product.name.removesuffix(".SAFE"),
        geometry=shapely.box(*scene.grid.bounds),
        crs=scene.epsg,
        datetime=datetime,
        assets=assets,
        processor=PROCESSOR,
        processor_version=__version__,
        properties={"platform": platform.lower()},
    )


def s2_item(scene: Scene, product: Path, sensing_time: dt.datetime, spacecraft: str) -> pystac.Item:
    def fallback() -> pystac.Item:
        return _product_fallback(scene, product, sensing_time, "*.jp2", "image/jp2", spacecraft)

    return _stactools_item(create_s2_item, product, fallback)


def s1_item(scene: Scene, product: Path, start_time: dt.datetime, platform: str, product_type: str) -> pystac.Item:
    create_item = create_grd_item if product_type == "GRD" else create_slc_item

    def fallback() -> pystac.Item:
        return _product_fallback(scene, product, start_time, "*.tiff", pystac.MediaType.GEOTIFF, platform)

    return _stactools_item(create_item, product, fallback)


def file_item(
    scene: Scene, item_id: str, assets: Mapping[str, AssetSpec], properties: Mapping[str, object] | None = None, grid: Grid | None = None
) -> pystac.Item:
    """An item for generated files that are not satellite products (DEM, declarations, truth): the whole season.

    ``grid`` gives the ``proj:shape``/``proj:transform`` of raster assets.
    """
    return build_item(
        item_id,
        geometry=shapely.box(*scene.grid.bounds),
        crs=scene.epsg,
        start_datetime=dt.datetime.combine(scene.season_start, dt.time(), tzinfo=dt.UTC),
        end_datetime=dt.datetime.combine(scene.season_end, dt.time(23, 59, 59), tzinfo=dt.UTC),
        assets=assets,
        processor=PROCESSOR,
        processor_version=__version__,
        properties={"s4c:preset": scene.preset, "s4c:seed": scene.seed, **(properties or {})},
        shape=grid.shape if grid else None,
        transform=list(grid.transform)[:6] if grid else None,
    )


def _sub_catalog(catalog_id: str, description: str, items: Sequence[pystac.Item]) -> pystac.Catalog:
    catalog = pystac.Catalog(id=catalog_id, description=description)
    for item in sorted(items, key=lambda it: it.id):
        catalog.add_item(item)
    return catalog


def write_scene_catalog(
    stage: Path,
    scene: Scene,
    s2: Sequence[pystac.Item],
    grd: Sequence[pystac.Item],
    slc: Sequence[pystac.Item],
    others: Sequence[pystac.Item],
) -> Path:
    """Write the catalog tree into ``stage`` (every asset must lie inside it); returns the root catalog path."""
    stage = stage.resolve()
    root = pystac.Catalog(
        id=f"s4c-sample-{scene.preset}-{scene.seed}",
        description=f"Synthetic Sen4CAP scene '{scene.preset}' (seed {scene.seed}), tile {scene.tile_id}, season {scene.season_start.year}",
    )
    if s2:
        root.add_child(_sub_catalog("S2", "Sentinel-2 L2A products (SAFE)", s2))
    if grd or slc:
        s1 = pystac.Catalog(id="S1", description="Sentinel-1 IW products (SAFE)")
        if grd:
            s1.add_child(_sub_catalog("GRD", "Sentinel-1 IW GRDH products", grd))
        if slc:
            s1.add_child(_sub_catalog("SLC", "Sentinel-1 IW SLC products (6-day repeat-pass series)", slc))
        root.add_child(s1)
    for item in sorted(others, key=lambda it: it.id):
        root.add_item(item)
    root.normalize_hrefs(str(stage))
    root.make_all_asset_hrefs_relative()
    root.save(catalog_type=pystac.CatalogType.SELF_CONTAINED)
    return stage / "catalog.json"
