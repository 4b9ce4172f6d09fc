"""STAC in and out, with pystac.

In: a staged directory holding ``catalog.json`` (OGC EO Application Package
best practice), a catalog or item JSON file. Asset hrefs are resolved relative
to their item; relative hrefs that leave the catalog folder are refused;
http(s) and s3 hrefs become GDAL virtual file system paths.

Out: one self-contained catalog per run, items built in one place
(:func:`build_item`) with geometry, bbox, datetime, ``proj:`` fields,
``derived_from`` links and ``processing:software``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pystac
import shapely.geometry
from pyproj import CRS
from pystac.extensions.projection import ProjectionExtension
from shapely.geometry.base import BaseGeometry

from .errors import InputError
from .provenance import processing_properties
from .vector import transform_geometry

log = logging.getLogger("s4c")

CATALOG_FILE = "catalog.json"

MEDIA_COG = pystac.MediaType.COG
MEDIA_GEOTIFF = pystac.MediaType.GEOTIFF
MEDIA_PARQUET = "application/vnd.apache.parquet"
MEDIA_GEOPACKAGE = pystac.MediaType.GEOPACKAGE
MEDIA_CSV = "text/csv"
MEDIA_SHAPEFILE = "application/x-esri-shapefile"
MEDIA_JSON = pystac.MediaType.JSON
MEDIA_PNG = pystac.MediaType.PNG
MEDIA_ARROW = "application/vnd.apache.arrow.file"


# --------------------------------------------------------------------------- in


@dataclass(frozen=True)
class StagedItem:
    """An input item and the folder its relative hrefs must stay inside."""

    item: pystac.Item
    root: Path | None

    def asset_path(self, key: str) -> str:
        """A path GDAL can open for asset ``key`` (local path or /vsicurl/, /vsis3/)."""
        asset = self.item.assets.get(key)
        if asset is None:
            raise InputError(
                f"STAC item {self.item.id} has no asset '{key}' (it has: {', '.join(sorted(self.item.assets)) or 'none'}).",
                "E_MISSING_BAND",
            )
        return resolve_href(asset.href, self.item.get_self_href(), self.root)


def resolve_href(href: str, item_href: str | None, root: Path | None) -> str:
    """Resolve an asset href to a GDAL-openable path.

    Relative hrefs are resolved against the item's own location and must stay
    inside ``root`` (the staged catalog folder).
    """
    scheme = urlparse(href).scheme.lower()
    if scheme in ("http", "https"):
        return "/vsicurl/" + href
    if scheme == "s3":
        return "/vsis3/" + href[len("s3://") :]
    if scheme == "file":
        return urlparse(href).path
    if scheme and len(scheme) > 1:
        raise InputError(f"asset href {href} uses the unsupported scheme '{scheme}'; use a path, http(s) or s3.", "E_INPUT_NOT_FOUND")
    path = Path(href)
    if path.is_absolute():
        return str(path)
    if item_href is None:
        raise InputError(f"relative asset href {href} has no item location to resolve against.", "E_INPUT_NOT_FOUND")
    base = Path(item_href).parent
    resolved = (base / path).resolve()
    if root is not None:
        root_resolved = root.resolve()
        if resolved != root_resolved and root_resolved not in resolved.parents:
            raise InputError(
                f"asset href {href} of {item_href} points outside the staged catalog folder {root}; "
                "stage the file inside the folder or use an absolute href.",
                "E_INPUT_NOT_FOUND",
            )
    return str(resolved)


def read_items(path: str | Path) -> list[StagedItem]:
    """Items of a staged directory (``catalog.json`` inside), a catalog/collection file or an item file.

    Items are returned sorted by datetime then id, so processing order is deterministic.
    """
    path = Path(path)
    if path.is_dir():
        candidate = path / CATALOG_FILE
        if not candidate.exists():
            raise InputError(f"directory {path} holds no {CATALOG_FILE}; stage the inputs as a STAC catalog.", "E_INPUT_NOT_FOUND")
        path = candidate
    if not path.exists():
        raise InputError(f"input {path} does not exist.", "E_INPUT_NOT_FOUND")
    try:
        obj = pystac.read_file(str(path))
    except Exception as exc:  # pystac raises many types for bad JSON / bad STAC
        raise InputError(f"cannot read STAC file {path}: {exc}.", "E_INPUT_NOT_FOUND") from exc
    root = path.parent
    if isinstance(obj, pystac.Item):
        items = [obj]
    elif isinstance(obj, pystac.Catalog):
        root_link = obj.get_single_link("root")
        if root_link is not None and not Path(root_link.get_absolute_href() or "").exists():
            # a sub-catalog staged on its own (e.g. S2/ of a scene): its parent root is not there
            obj.set_root(obj)
        try:
            items = list(obj.get_items(recursive=True))
        except Exception as exc:
            raise InputError(f"cannot read the items of STAC catalog {path}: {exc}.", "E_INPUT_NOT_FOUND") from exc
    else:
        raise InputError(f"{path} is a STAC {type(obj).__name__}, not a catalog or item.", "E_INPUT_NOT_FOUND")
    if not items:
        raise InputError(f"STAC catalog {path} holds no items.", "E_INPUT_NOT_FOUND")
    items.sort(key=lambda it: (it.datetime or it.common_metadata.start_datetime or dt.datetime.min.replace(tzinfo=dt.UTC), it.id))
    return [StagedItem(item, root) for item in items]


# -------------------------------------------------------------------------- out


@dataclass
class AssetSpec:
    """A file to publish as an asset of an output item."""

    path: Path
    media_type: str
    roles: Sequence[str] = ("data",)
    title: str | None = None
    extra: Mapping[str, object] = field(default_factory=dict)


def _to_wgs84(geometry: BaseGeometry, crs: CRS | str | int) -> BaseGeometry:
    src = CRS.from_user_input(crs)
    if src.equals(CRS.from_epsg(4326)):
        return geometry
    return transform_geometry(geometry, src, 4326)


def build_item(
    item_id: str,
    *,
    geometry: BaseGeometry,
    crs: CRS | str | int,
    datetime: dt.datetime | None = None,
    start_datetime: dt.datetime | None = None,
    end_datetime: dt.datetime | None = None,
    assets: Mapping[str, AssetSpec],
    processor: str,
    processor_version: str,
    properties: Mapping[str, object] | None = None,
    derived_from: Iterable[str] = (),
    shape: tuple[int, int] | None = None,
    transform: Sequence[float] | None = None,
    warnings: Sequence[Mapping[str, str]] = (),
) -> pystac.Item:
    """One output item: WGS84 geometry/bbox from a geometry in ``crs``, ``proj:`` fields, provenance."""
    if datetime is None and (start_datetime is None or end_datetime is None):
        raise ValueError("an item needs a datetime or a start and end datetime")
    crs_obj = CRS.from_user_input(crs)
    native_bbox = list(geometry.bounds)
    footprint = _to_wgs84(geometry, crs_obj)
    props: dict[str, object] = dict(properties or {})
    props.update(processing_properties(processor, processor_version))
    if start_datetime is not None and end_datetime is not None:
        props["start_datetime"] = start_datetime.isoformat()
        props["end_datetime"] = end_datetime.isoformat()
    if warnings:
        props["s4c:warnings"] = [dict(w) for w in warnings]
    item = pystac.Item(
        id=item_id,
        geometry=shapely.geometry.mapping(footprint),
        bbox=list(footprint.bounds),
        datetime=datetime if datetime is not None else start_datetime,
        properties=props,
    )
    proj = ProjectionExtension.ext(item, add_if_missing=True)
    epsg = crs_obj.to_epsg()
    proj.epsg = epsg
    if epsg is None:
        proj.wkt2 = crs_obj.to_wkt()
    proj.bbox = native_bbox
    if shape is not None:
        proj.shape = list(shape)
    if transform is not None:
        proj.transform = list(transform)[:6]
    for key, spec in assets.items():
        asset = pystac.Asset(
            href=str(Path(spec.path).resolve()),
            media_type=spec.media_type,
            roles=list(spec.roles),
            title=spec.title,
            extra_fields=dict(spec.extra),
        )
        item.add_asset(key, asset)
    for href in derived_from:
        item.add_link(pystac.Link("derived_from", href))
    return item


def write_catalog(
    stage: Path,
    items: Sequence[pystac.Item],
    *,
    catalog_id: str,
    description: str,
) -> Path:
    """Write a self-contained catalog into ``stage``: ``catalog.json`` and ``<id>/<id>.json`` per item.

    Asset files must already lie inside ``stage``; their hrefs become relative.
    """
    stage = Path(stage).resolve()
    for item in items:
        for key, asset in item.assets.items():
            asset_path = Path(asset.href)
            if stage != asset_path and stage not in asset_path.parents:
                raise ValueError(f"asset {key} of {item.id} lies outside the output folder: {asset_path}")
            if not asset_path.exists():
                raise ValueError(f"asset {key} of {item.id} was not written: {asset_path}")
    catalog = pystac.Catalog(id=catalog_id, description=description)
    for item in sorted(items, key=lambda it: it.id):
        catalog.add_item(item)
    catalog.normalize_hrefs(str(stage))
    catalog.make_all_asset_hrefs_relative()
    catalog.save(catalog_type=pystac.CatalogType.SELF_CONTAINED)
    return stage / CATALOG_FILE
