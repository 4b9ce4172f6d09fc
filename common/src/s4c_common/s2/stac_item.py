"""L2A products as STAC items: SAFE → item with stactools-sentinel2, and item → product parts.

Items of stactools-sentinel2 ≥ 0.4 and Earth Search name band assets by common name (``red``,
``nir08``, ``scl``), older ones and the Planetary Computer by band (``B04``, ``SCL``); a band is also
found by the ``eo:bands`` name of an asset. Product fields come from the product metadata asset
(``MTD_MSIL2A.xml``) when the item has one, from the item's properties otherwise.
"""

from __future__ import annotations

import base64
import re
import zipfile
from pathlib import Path

import pystac

from ..errors import InputError
from ..stac import StagedItem
from ..xmlsafe import parse_xml
from .bands import L2A_BANDS, NATIVE_RESOLUTION, STAC_COMMON_NAMES
from .metadata import (
    DEFAULT_QUANTIFICATION,
    ProductMetadata,
    default_offset,
    id_fields,
    parse_product_metadata,
    spacecraft_name,
)
from .safe import ProductFiles, safe_files, vsizip_path

PRODUCT_METADATA_KEYS = ("product_metadata", "product-metadata", "MTD_MSIL2A")
GRANULE_METADATA_KEYS = ("granule_metadata", "granule-metadata", "MTD_TL")
_RESOLUTION_SUFFIX = re.compile(r"_(\d0)m$")
_TILE_IN_NAME = re.compile(r"(?:^|_)T?(\d{2}[C-X][A-Z]{2})(?:_|$)")
_VSIZIP = re.compile(r"^/vsizip/(?:\{(.+?)\}|(.+?\.zip))/(.+)$", re.IGNORECASE)


def _asset_band_names(asset: pystac.Asset) -> list[str]:
    bands = asset.extra_fields.get("eo:bands") or asset.extra_fields.get("bands") or []
    return [str(band.get("name", "")).upper() for band in bands if isinstance(band, dict)]


def band_asset_key(item: pystac.Item, band: str) -> str | None:
    """Key of the asset holding ``band`` (``B04``, ``SCL``), preferring the native resolution."""
    for key in (band, band.lower(), STAC_COMMON_NAMES[band]):
        if key in item.assets:
            return key
    matches = [key for key, asset in sorted(item.assets.items()) if _asset_band_names(asset) == [band]]

    def rank(key: str) -> tuple[bool, bool, str]:
        suffix = _RESOLUTION_SUFFIX.search(key)
        return suffix is not None and int(suffix.group(1)) != NATIVE_RESOLUTION[band], suffix is not None, key

    return min(matches, key=rank) if matches else None


def read_bytes(path: str) -> bytes:
    """Content of a small file given as a local, ``/vsicurl/`` or ``/vsizip/`` path."""
    try:
        if path.startswith("/vsicurl/"):
            return pystac.StacIO.default().read_text(path[len("/vsicurl/") :]).encode("utf-8")
        if zipped := _VSIZIP.match(path):
            with zipfile.ZipFile(zipped.group(1) or zipped.group(2)) as zf:
                return zf.read(zipped.group(3))
        if path.startswith("/vsi"):
            raise InputError(f"cannot fetch metadata file {path}; stage it locally or give an http(s) href.", "E_INPUT_NOT_FOUND")
        return Path(path).read_bytes()
    except InputError:
        raise
    except Exception as exc:  # urllib, zipfile and the file system raise unrelated types
        raise InputError(f"cannot read metadata file {path}: {exc}.", "E_INPUT_NOT_FOUND") from exc


def _first_key(item: pystac.Item, keys: tuple[str, ...]) -> str | None:
    return next((key for key in keys if key in item.assets), None)


def _tile_from_properties(item: pystac.Item, product_id: str) -> str:
    props = item.properties
    if "mgrs:utm_zone" in props:
        return f"{int(props['mgrs:utm_zone']):02d}{props['mgrs:latitude_band']}{props['mgrs:grid_square']}"
    for candidate in (props.get("s2:mgrs_tile"), str(props.get("grid:code", "")).removeprefix("MGRS-"), product_id):
        if candidate and (match := _TILE_IN_NAME.search(str(candidate))):
            return match.group(1)
    raise InputError(f"STAC item {item.id} does not say which MGRS tile it covers.", "E_SCHEMA")


def metadata_from_properties(item: pystac.Item, band_keys: dict[str, str]) -> ProductMetadata:
    """Product fields from STAC properties and the ``raster:bands`` scale/offset of the band assets."""
    props = item.properties
    product_id = str(props.get("s2:product_uri", item.id)).removesuffix(".SAFE")
    from_id = id_fields(product_id) or {}
    baseline = props.get("s2:processing_baseline") or from_id.get("baseline")
    platform = props.get("platform") or from_id.get("spacecraft")
    orbit = props.get("sat:relative_orbit") or from_id.get("relative_orbit")
    if baseline is None or platform is None or orbit is None or item.datetime is None:
        raise InputError(
            f"STAC item {item.id} lacks s2:processing_baseline, platform, sat:relative_orbit or datetime and has no product metadata asset.",
            "E_SCHEMA",
        )
    scale_offset = {}
    for band, key in band_keys.items():
        raster = (item.assets[key].extra_fields.get("raster:bands") or [{}])[0]
        if "scale" in raster:
            scale_offset[band] = (float(raster["scale"]), float(raster.get("offset", 0.0)))
    quantification = round(1.0 / next(iter(scale_offset.values()))[0]) if scale_offset else DEFAULT_QUANTIFICATION
    offsets = {band: round(scale_offset[band][1] / scale_offset[band][0]) if band in scale_offset else default_offset(str(baseline)) for band in L2A_BANDS}
    return ProductMetadata(
        product_id=product_id,
        tile_id=_tile_from_properties(item, product_id),
        sensing_time=item.datetime,
        spacecraft=spacecraft_name(str(platform)),
        processing_baseline=str(baseline),
        relative_orbit=int(orbit),
        quantification=float(quantification),
        boa_offset=offsets,
    )


def item_files(source: pystac.Item | StagedItem) -> ProductFiles:
    """Parts of a product described by a STAC item."""
    staged = source if isinstance(source, StagedItem) else StagedItem(source, None)
    item = staged.item
    band_keys = {band: key for band in (*L2A_BANDS, "SCL") if (key := band_asset_key(item, band)) is not None}
    product_key = _first_key(item, PRODUCT_METADATA_KEYS)
    if product_key is None:
        metadata = metadata_from_properties(item, band_keys)
    else:
        product_path = staged.asset_path(product_key)
        metadata = parse_product_metadata(parse_xml(read_bytes(product_path), product_path), product_path)
    granule_key = _first_key(item, GRANULE_METADATA_KEYS)
    granule_path = staged.asset_path(granule_key) if granule_key else None
    return ProductFiles(
        label=f"STAC item {item.id}",
        metadata=metadata,
        band_paths={band: staged.asset_path(key) for band, key in band_keys.items()},
        granule_root=parse_xml(read_bytes(granule_path), granule_path) if granule_path else None,
        granule_label=granule_path or f"STAC item {item.id}",
    )


def _zip_member_as_data_url(href: str) -> str:
    """pystac's default I/O cannot look inside a zip: hand stactools the member's content as a data: URL."""
    if _VSIZIP.match(href) is None:
        return href
    return "data:application/xml;base64," + base64.b64encode(read_bytes(href)).decode("ascii")


def safe_to_stac_item(safe_path: str | Path) -> pystac.Item:
    """A STAC item of a ``.SAFE`` folder or zip made by ``stactools.sentinel2.stac.create_item``.

    Band asset hrefs are GDAL paths (``/vsizip/...`` for a zip); the item has no self href.
    """
    from stactools.sentinel2.stac import create_item  # optional dependency, imported on use

    path = Path(safe_path)
    safe_files(path)  # refuses unsafe zips and non-L2A products with the project's errors
    if path.is_dir():
        href, modifier = str(path.resolve()), None
    else:
        with zipfile.ZipFile(path) as zf:
            folders = sorted({name.split("/", 1)[0] for name in zf.namelist() if name.split("/", 1)[0].upper().endswith(".SAFE")})
        if not folders:
            raise InputError(f"zip {path} holds no .SAFE folder; stactools needs one.", "E_UNSUPPORTED_PRODUCT")
        href, modifier = f"{vsizip_path(path)}/{folders[0]}", _zip_member_as_data_url
    if not href.upper().endswith(".SAFE"):
        raise InputError(f"{path} is not named *.SAFE, which stactools-sentinel2 requires.", "E_UNSUPPORTED_PRODUCT")
    try:
        return create_item(href, read_href_modifier=modifier)
    except Exception as exc:  # stactools raises bare Exception, ValueError, KeyError ... on incomplete metadata
        raise InputError(f"stactools-sentinel2 cannot describe {path}: {exc}.", "E_SCHEMA") from exc
