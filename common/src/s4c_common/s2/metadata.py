"""Fields of the L2A product metadata (``MTD_MSIL2A.xml``) and tile metadata (``MTD_TL.xml``)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from lxml import etree

from ..errors import InputError
from ..times import parse_time
from .bands import L2A_BANDS, band_from_metadata_id

L2A_LEVELS = ("Level-2A", "Level-2Ap")
OFFSET_BASELINE = "04.00"  # BOA_ADD_OFFSET exists from this processing baseline on
DEFAULT_QUANTIFICATION = 10000.0
_TILE_IN_ID = re.compile(r"_T(\d{2}[A-Z]{3})(?:_|$)")
_PRODUCT_ID = re.compile(r"^(S2[A-D])_MSI(L\w{2})_(\d{8}T\d{6})_N(\d{2})(\d{2})_R(\d{3})_T(\d{2}[A-Z]{3})_")


@dataclass(frozen=True)
class ProductMetadata:
    """What a reader needs from ``MTD_MSIL2A.xml`` (or from a STAC item's properties)."""

    product_id: str
    tile_id: str  # "31UFS"
    sensing_time: dt.datetime
    spacecraft: str  # "Sentinel-2A"
    processing_baseline: str  # "05.10"
    relative_orbit: int
    quantification: float
    boa_offset: dict[str, float]  # per L2A band, 0 where the product has none
    image_files: tuple[str, ...] = ()  # IMAGE_FILE entries, relative to the SAFE folder, with extension


@dataclass(frozen=True)
class TileGeocoding:
    """The tile's CRS and 10 m grid from ``MTD_TL.xml``."""

    epsg: int
    ulx: float
    uly: float
    width: int  # 10 m columns
    height: int  # 10 m rows


def spacecraft_name(code: str) -> str:
    """``Sentinel-2B`` from ``S2B``, ``sentinel-2b`` or ``Sentinel-2B``."""
    unit = code.strip()[-1].upper()
    return f"Sentinel-2{unit}"


def id_fields(product_id: str) -> dict[str, str] | None:
    """Spacecraft, level, sensing time, baseline, relative orbit and tile parsed from a product name."""
    match = _PRODUCT_ID.match(product_id)
    if match is None:
        return None
    unit, level, sensing, major, minor, orbit, tile = match.groups()
    return {
        "spacecraft": unit,
        "level": level,
        "sensing": sensing,
        "baseline": f"{major}.{minor}",
        "relative_orbit": orbit,
        "tile_id": tile,
    }


def default_offset(baseline: str) -> float:
    """The BOA offset Sen2Cor applies from baseline 04.00 on, for products that do not state it."""
    return -1000.0 if baseline >= OFFSET_BASELINE else 0.0


def _text(node: etree._Element, path: str, label: str) -> str:
    text = node.findtext(path)
    if text is None or not text.strip():
        raise InputError(f"{label} lacks {path}; it is not a complete Sentinel-2 L2A metadata file.", "E_SCHEMA")
    return text.strip()


def _product_level(root: etree._Element) -> str:
    level = root.findtext("{*}General_Info/Product_Info/PROCESSING_LEVEL")
    if level:
        return level.strip()
    return etree.QName(root).localname.split("_")[0]


def parse_product_metadata(root: etree._Element, label: str) -> ProductMetadata:
    """``MTD_MSIL2A.xml`` → ProductMetadata; InputError ``E_NOT_L2A`` for another product level."""
    level = _product_level(root)
    if level not in L2A_LEVELS:
        raise InputError(f"{label} describes a {level} product, not a Sentinel-2 Level-2A product.", "E_UNSUPPORTED_PRODUCT")
    info = root.find("{*}General_Info/Product_Info")
    characteristics = root.find("{*}General_Info/Product_Image_Characteristics")
    if info is None or characteristics is None:
        raise InputError(f"{label} lacks General_Info/Product_Info or Product_Image_Characteristics.", "E_SCHEMA")

    product_uri = _text(info, "PRODUCT_URI", label)
    baseline = _text(info, "PROCESSING_BASELINE", label)
    granule = info.find("Product_Organisation/Granule_List/Granule")
    tile = _TILE_IN_ID.search(product_uri) or _TILE_IN_ID.search("" if granule is None else granule.get("granuleIdentifier", ""))
    if tile is None:
        raise InputError(f"{label}: neither PRODUCT_URI nor the granule identifier names the MGRS tile.", "E_SCHEMA")
    extension = ".tif" if granule is not None and granule.get("imageFormat") == "GeoTIFF" else ".jp2"
    image_files = tuple(node.text.strip() + extension for node in ([] if granule is None else granule.findall("IMAGE_FILE")) if node.text)
    try:
        relative_orbit = int(_text(info, "Datatake/SENSING_ORBIT_NUMBER", label))
        sensing_time = parse_time(_text(info, "PRODUCT_START_TIME", label))
        quantification = next(
            (float(node.text) for node in characteristics.iter() if str(node.tag).endswith("BOA_QUANTIFICATION_VALUE")),
            DEFAULT_QUANTIFICATION,
        )
        offsets = {
            band_from_metadata_id(node.get("band_id")): float(node.text) for node in characteristics.findall("BOA_ADD_OFFSET_VALUES_LIST/BOA_ADD_OFFSET")
        }
    except (TypeError, ValueError) as exc:
        raise InputError(f"{label}: unreadable sensing time, orbit number, quantification or offsets: {exc}.", "E_SCHEMA") from exc
    return ProductMetadata(
        product_id=product_uri.removesuffix(".SAFE"),
        tile_id=tile.group(1),
        sensing_time=sensing_time,
        spacecraft=spacecraft_name(_text(info, "Datatake/SPACECRAFT_NAME", label)),
        processing_baseline=baseline,
        relative_orbit=relative_orbit,
        quantification=quantification,
        boa_offset={band: offsets.get(band, 0.0) for band in L2A_BANDS},
        image_files=image_files,
    )


def parse_tile_geocoding(root: etree._Element, label: str) -> TileGeocoding:
    """CRS, upper-left corner and 10 m size of the tile from ``MTD_TL.xml``."""
    geocoding = root.find("{*}Geometric_Info/Tile_Geocoding")
    if geocoding is None:
        raise InputError(f"{label} lacks Geometric_Info/Tile_Geocoding.", "E_SCHEMA")
    code = _text(geocoding, "HORIZONTAL_CS_CODE", label)
    try:
        return TileGeocoding(
            epsg=int(code.split(":")[-1]),
            ulx=float(_text(geocoding, "Geoposition[@resolution='10']/ULX", label)),
            uly=float(_text(geocoding, "Geoposition[@resolution='10']/ULY", label)),
            width=int(_text(geocoding, "Size[@resolution='10']/NCOLS", label)),
            height=int(_text(geocoding, "Size[@resolution='10']/NROWS", label)),
        )
    except ValueError as exc:
        raise InputError(f"{label}: unreadable tile geocoding: {exc}.", "E_SCHEMA") from exc
