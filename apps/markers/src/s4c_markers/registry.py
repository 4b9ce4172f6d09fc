"""Product types the markers know, and how a product is recognised (STAC properties or file name).

This module is the one place to adjust when an upstream processor changes its names: the L3B layout
of s4c_common.l3b (spectral indices, biophysical indicators) and the S1 names of spec
s1-preprocessing.md §3 (project ``BCK``/``COH`` and Sen4CAP ``AMP``/``COHE``). Sentinel-2 L2A
products are recognised here and read band by band with s4c_common.s2.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from s4c_common.stac import StagedItem

L3B_NODATA = -10000.0
SEN4CAP_S1_NODATA = 0.0  # Sen4CAP AMP/COHE rasters: 0 is no-data
FLAGS_ASSET = "MMONODFLG"


class Kind(StrEnum):
    INDEX = "index"  # L3B indices and biophysical indicators: stored values kept (×1000)
    L2A = "l2a"  # surface reflectance, masked with the SCL
    BACKSCATTER = "backscatter"  # σ⁰ (BCK) or amplitude √σ⁰ (AMP): reported in dB
    COHERENCE = "coherence"  # 0–1


@dataclass(frozen=True)
class ProductType:
    token: str  # the column's type token
    kind: Kind
    amplitude: bool = False  # the stored value is √σ⁰ (Sen4CAP AMP)
    nodata: tuple[float, ...] = ()  # no-data values besides the file's own tag


BCK = ProductType("BCK", Kind.BACKSCATTER)
AMP = ProductType("AMP", Kind.BACKSCATTER, amplitude=True, nodata=(SEN4CAP_S1_NODATA,))
COH = ProductType("COH", Kind.COHERENCE)
COHE = ProductType("COHE", Kind.COHERENCE, nodata=(SEN4CAP_S1_NODATA,))
L2A = ProductType("L2A", Kind.L2A)
S1_TYPES = {t.token: t for t in (BCK, AMP, COH, COHE)}


def index_type(indicator: str) -> ProductType:
    """The type of an L3B product of ``indicator`` (NDVI, LAI, BRIGHT, ...)."""
    token = re.sub(r"[^A-Z0-9]", "", indicator.upper())
    return ProductType(token, Kind.INDEX, nodata=(L3B_NODATA,))


@dataclass(frozen=True)
class Recognised:
    """One raster product: its type, attributes and files."""

    type: ProductType
    date: dt.date
    image: str  # GDAL-openable path of the value raster
    product_id: str
    flags: str | None = None  # L3B validity flags raster (0 = valid)
    pol: str | None = None
    orbit: int | None = None
    tile: str | None = None
    band: int = 1  # band of the value raster


def _date(text: str) -> dt.date:
    return dt.datetime.strptime(text, "%Y%m%d").date()


def _later(*dates: str) -> dt.date:
    return max(_date(d) for d in dates)


def _existing(path: Path) -> str | None:
    return str(path) if path.exists() else None


def _sen4cap_l3b(match: re.Match[str], path: Path) -> Recognised:
    flags_name = path.name.replace(f"_S{match.group('suffix')}_", f"_{FLAGS_ASSET}_")
    folder = path.parent.parent / "QI_DATA" if path.parent.name == "IMG_DATA" else path.parent
    return Recognised(index_type(match.group("ind")), _date(match.group("date")), str(path), path.stem, _existing(folder / flags_name),
                      tile=match.group("tile"))


def _project_l3b(match: re.Match[str], path: Path) -> Recognised:
    flags = path.with_name(f"{match.group('stem')}_{FLAGS_ASSET}{path.suffix}")
    return Recognised(index_type(match.group("ind")), _date(match.group("date")), str(path), path.stem, _existing(flags), tile=match.group("tile"))


def _s1(match: re.Match[str], path: Path) -> Recognised:
    dates = [d for d in (match.groupdict().get("d1"), match.group("d2")) if d]
    return Recognised(
        S1_TYPES[match.group("type").upper()], _later(*dates), str(path), path.stem, pol=match.group("pol").upper(), orbit=int(match.group("orbit")),
        tile=match.group("tile"),
    )


_TILE = r"(?:_(?P<tile>\d{2}[A-Z]{3}))?"
# (pattern on the file name, builder); the first match wins.
FILE_PATTERNS: list[tuple[re.Pattern[str], Callable[[re.Match[str], Path], Recognised]]] = [
    (re.compile(r"^S2AGRI_L3B[A-Z0-9]*_S(?P<suffix>(?P<ind>[A-Z0-9]+?)(?:MONO)?)_A(?P<date>\d{8})T\d{6}(?:_T(?P<tile>\d{2}[A-Z]{3}))?\.TIF$", re.IGNORECASE),
     _sen4cap_l3b),
    (re.compile(r"^(?P<stem>L3B(?P<ind>[A-Z0-9]+)_T(?P<tile>\d{2}[A-Z]{3})_(?P<date>\d{8})T\d{6})_S(?P=ind)(?:MONO)?\.tif$", re.IGNORECASE), _project_l3b),
    (re.compile(r"^S1[A-D]_L2_(?P<type>BCK)_(?P<d2>\d{8})T\d{6}_(?P<pol>VH|VV)_(?P<orbit>\d{3})" + _TILE + r"\.tif$", re.IGNORECASE), _s1),
    (re.compile(r"^S1[A-D]_L2_(?P<type>COH)_(?P<d1>\d{8})T\d{6}_(?P<d2>\d{8})T\d{6}_(?P<pol>VH|VV)_(?P<orbit>\d{3})" + _TILE + r"\.tif$", re.IGNORECASE), _s1),
    (
        re.compile(r"^SEN4CAP_L2A_.*_V(?P<d1>\d{8})T\d{6}_(?P<d2>\d{8})T\d{6}_(?P<pol>VH|VV)_(?P<orbit>\d{3})_(?:.*_)?(?P<type>AMP|COHE)" + _TILE + r"\.tif$",
                   re.IGNORECASE),
        _s1,
    ),
]


def recognise_file(path: str | Path) -> Recognised | None:
    """A raster recognised by its name, None when no pattern matches."""
    path = Path(path)
    for pattern, build in FILE_PATTERNS:
        match = pattern.match(path.name)
        if match:
            return build(match, path)
    return None


def is_l2a_item(staged: StagedItem) -> bool:
    item = staged.item
    return item.properties.get("s2:product_type") == "S2MSI2A" or re.match(r"^S2[A-D]_MSIL2A_", item.id) is not None


def _image_asset(staged: StagedItem, indicator: str) -> str | None:
    keys = [f"S{indicator}", f"S{indicator}MONO"]
    return next((k for k in keys if k in staged.item.assets), None)


def _l3b_item(staged: StagedItem) -> Recognised | None:
    props = staged.item.properties
    indicator = str(props.get("s4c:indicator", ""))
    key = _image_asset(staged, indicator)
    if not indicator or key is None or staged.item.datetime is None:
        return None
    flags = staged.asset_path(FLAGS_ASSET) if FLAGS_ASSET in staged.item.assets else None
    return Recognised(index_type(indicator), staged.item.datetime.date(), staged.asset_path(key), staged.item.id, flags, tile=props.get("s4c:tile"))


def _data_asset_keys(staged: StagedItem) -> list[str]:
    return sorted(k for k, a in staged.item.assets.items() if "data" in (a.roles or ["data"]) and a.href.lower().endswith((".tif", ".tiff")))


def recognise_item(staged: StagedItem) -> list[Recognised]:
    """The raster products of a (non-L2A) STAC item: an L3B item by its ``s4c:`` properties, others by asset file names."""
    if str(staged.item.properties.get("s4c:product_type", "")).startswith("L3B"):
        l3b = _l3b_item(staged)
        if l3b is not None:
            return [l3b]
    found = (recognise_file(staged.asset_path(key)) for key in _data_asset_keys(staged))
    return [product for product in found if product is not None]
