"""Synthetic Sentinel-2 L2A products in the real SAFE layout (Sen2Cor, processing baseline 05.xx).

Layout written (names derived from the acquisition only, so the same inputs give the same bytes)::

    S2B_MSIL2A_20240512T105619_N0510_R094_T31UFS_20240512T140114.SAFE/
      manifest.safe  MTD_MSIL2A.xml  INSPIRE.xml
      DATASTRIP/DS_2BPS_20240512T140114_S20240512T105619/MTD_DS.xml
      GRANULE/L2A_T31UFS_A037510_20240512T105619/
        MTD_TL.xml
        IMG_DATA/R10m/T31UFS_20240512T105619_B02_10m.jp2 ... B03, B04, B08
        IMG_DATA/R20m/..._B05_20m.jp2 ... B06, B07, B8A, B11, B12, SCL, and B02, B03, B04 at 20 m
        IMG_DATA/R60m/..._B01_60m.jp2, B09, SCL

Band files are lossless JPEG 2000 (GDAL JP2OpenJPEG, reversible wavelet) of uint16 digital numbers
DN = round(reflectance × 10000) + 1000 (BOA_ADD_OFFSET −1000, baseline ≥ 04.00; no offset before), DN 0 = no data.
``MTD_TL.xml`` carries 23 × 23 sun and viewing angle grids (5000 m) per band and detector; the detector
footprints are slanted strips across the tile, NaN outside each strip, like real products.
No QI_DATA masks, AUX_DATA, HTML or rep_info are written; nothing reads them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import rasterio
from affine import Affine
from lxml import etree
from pyproj import Transformer
from rasterio.shutil import copy as rio_copy
from rasterio.windows import Window
from s4c_common.s2 import bands as s2_bands
from s4c_common.s2.angles import circular_nanmean
from s4c_common.s2.resample import block_nanmean

L2A_BANDS = s2_bands.L2A_BANDS
QUANTIFICATION = 10000
BASELINE_OFFSET = 1000  # DN added from baseline 04.00 on (BOA_ADD_OFFSET = −1000)
SCL_RESOLUTIONS = (20, 60)
COPIES_AT_20M = ("B02", "B03", "B04")  # the 10 m bands a real product also holds in R20m
ANGLE_NODES = 23
ANGLE_STEP_M = 5000
DETECTOR_IDS = (4, 5, 6, 7)
STRIP_ROWS_10M = 1200  # rows of 10 m input converted per step; a multiple of 6 keeps every resolution aligned

NS_PRODUCT = "https://psd-14.sentinel2.eo.esa.int/PSD/User_Product_Level-2A.xsd"
NS_TILE = "https://psd-14.sentinel2.eo.esa.int/PSD/S2_PDI_Level-2A_Tile_Metadata.xsd"
NS_DATASTRIP = "https://psd-14.sentinel2.eo.esa.int/PSD/S2_PDI_Level-2A_Datastrip_Metadata.xsd"
NS_XSI = "http://www.w3.org/2001/XMLSchema-instance"

_LAUNCH = {"S2A": dt.date(2015, 6, 23), "S2B": dt.date(2017, 3, 7), "S2C": dt.date(2024, 9, 5)}
_GENERATION_DELAY = dt.timedelta(hours=3, minutes=4, seconds=55)  # sensing → Sen2Cor product generation
_SCL_CLASSES = (
    "SC_NODATA", "SC_SATURATED_DEFECTIVE", "SC_DARK_FEATURE_SHADOW", "SC_CLOUD_SHADOW", "SC_VEGETATION",
    "SC_NOT_VEGETATED", "SC_WATER", "SC_UNCLASSIFIED", "SC_CLOUD_MEDIUM_PROBA", "SC_CLOUD_HIGH_PROBA",
    "SC_THIN_CIRRUS", "SC_SNOW_ICE",
)  # fmt: skip
_SCL_PERCENTAGES = (
    ("SATURATED_DEFECTIVE_PIXEL_PERCENTAGE", (1,)), ("DARK_FEATURES_PERCENTAGE", (2,)),
    ("CLOUD_SHADOW_PERCENTAGE", (3,)), ("VEGETATION_PERCENTAGE", (4,)), ("NOT_VEGETATED_PERCENTAGE", (5,)),
    ("WATER_PERCENTAGE", (6,)), ("UNCLASSIFIED_PERCENTAGE", (7,)), ("MEDIUM_PROBA_CLOUDS_PERCENTAGE", (8,)),
    ("HIGH_PROBA_CLOUDS_PERCENTAGE", (9,)), ("THIN_CIRRUS_PERCENTAGE", (10,)), ("SNOW_ICE_PERCENTAGE", (11,)),
)  # fmt: skip


@dataclass(frozen=True)
class S2Acquisition:
    tile_id: str  # e.g. "31UFS"
    epsg: int  # e.g. 32631
    ulx: float  # upper-left x of the 10 m grid (metres)
    uly: float  # upper-left y
    width: int  # 10 m columns (need not be 10980; divisible by 6 is guaranteed by the caller)
    height: int  # 10 m rows (divisible by 6)
    sensing_time: dt.datetime  # tz-aware UTC
    spacecraft: str  # "S2A" or "S2B"
    relative_orbit: int
    sun_zenith: float  # scene-mean degrees
    sun_azimuth: float
    view_zenith: float
    view_azimuth: float
    baseline: str = "05.10"


# ----------------------------------------------------------------------------- names


@dataclass(frozen=True)
class SafeNames:
    """Every name of a product, derived from its acquisition."""

    product: str  # folder name without .SAFE
    granule: str  # GRANULE/<granule>
    datastrip: str  # DATASTRIP/<datastrip>
    file_prefix: str  # T31UFS_20240512T105619
    tile_identifier: str  # S2B_OPER_MSI_L2A_TL_...
    datastrip_identifier: str  # S2B_OPER_MSI_L2A_DS_...
    datatake_identifier: str
    absolute_orbit: int
    generation_time: dt.datetime

    @property
    def safe(self) -> str:
        return f"{self.product}.SAFE"


def safe_names(acq: S2Acquisition) -> SafeNames:
    """Names of the product of ``acq``; the generation time is the sensing time + 3 h 04 min 55 s."""
    sensing = acq.sensing_time.astimezone(dt.UTC)
    generation = (sensing + _GENERATION_DELAY).replace(microsecond=0)
    s, g = f"{sensing:%Y%m%dT%H%M%S}", f"{generation:%Y%m%dT%H%M%S}"
    baseline = acq.baseline.replace(".", "")
    absolute_orbit = int((sensing.date() - _LAUNCH[acq.spacecraft]).days * 14.3) + 1  # 14.3 orbits per day
    centre = f"{acq.spacecraft[1:]}PS"  # processing centre code, e.g. 2BPS
    return SafeNames(
        product=f"{acq.spacecraft}_MSIL2A_{s}_N{baseline}_R{acq.relative_orbit:03d}_T{acq.tile_id}_{g}",
        granule=f"L2A_T{acq.tile_id}_A{absolute_orbit:06d}_{s}",
        datastrip=f"DS_{centre}_{g}_S{s}",
        file_prefix=f"T{acq.tile_id}_{s}",
        tile_identifier=f"{acq.spacecraft}_OPER_MSI_L2A_TL_{centre}_{g}_A{absolute_orbit:06d}_T{acq.tile_id}_N{acq.baseline}",
        datastrip_identifier=f"{acq.spacecraft}_OPER_MSI_L2A_DS_{centre}_{g}_S{s}_N{acq.baseline}",
        datatake_identifier=f"G{acq.spacecraft}_{s}_{absolute_orbit:06d}_N{acq.baseline}",
        absolute_orbit=absolute_orbit,
        generation_time=generation,
    )


def _check_acquisition(acq: S2Acquisition) -> None:
    if not re.fullmatch(r"\d{2}[C-X][A-Z]{2}", acq.tile_id):
        raise ValueError(f"tile_id must be an MGRS tile like 31UFS, got {acq.tile_id!r}")
    if acq.spacecraft not in _LAUNCH:
        raise ValueError(f"spacecraft must be one of {sorted(_LAUNCH)}, got {acq.spacecraft!r}")
    if acq.width <= 0 or acq.height <= 0 or acq.width % 6 or acq.height % 6:
        raise ValueError(f"width and height must be positive multiples of 6, got {acq.width} × {acq.height}")
    if acq.sensing_time.tzinfo is None:
        raise ValueError("sensing_time must be timezone-aware (UTC)")
    if not re.fullmatch(r"\d{2}\.\d{2}", acq.baseline):
        raise ValueError(f"baseline must look like 05.10, got {acq.baseline!r}")


def _has_offset(acq: S2Acquisition) -> bool:
    return acq.baseline >= "04.00"


def _iso(time: dt.datetime, digits: int = 3) -> str:
    fraction = f"{time.microsecond:06d}"[:digits]
    return f"{time.astimezone(dt.UTC):%Y-%m-%dT%H:%M:%S}.{fraction}Z"


# ---------------------------------------------------------------------------- angles


@dataclass(frozen=True)
class SyntheticAngles:
    """The angle grids written into MTD_TL.xml (degrees, rounded to the 4 decimals written)."""

    sun_zenith: np.ndarray  # (23, 23)
    sun_azimuth: np.ndarray
    view_zenith: dict[tuple[str, int], np.ndarray]  # (band, detector id) → grid, NaN outside the detector
    view_azimuth: dict[tuple[str, int], np.ndarray]


def synthetic_angles(acq: S2Acquisition) -> SyntheticAngles:
    """Smooth angle fields around the scene means of ``acq``, view angles per band and detector strip."""
    rows, cols = np.mgrid[0:ANGLE_NODES, 0:ANGLE_NODES].astype(np.float64)
    centre = (ANGLE_NODES - 1) / 2
    down, right = rows - centre, cols - centre  # symmetric, so grid means equal the scene means
    across = cols + 0.15 * down  # across-track position: detector strips are slanted like the orbit track
    edges = np.linspace(-2.0, ANGLE_NODES + 1.0, len(DETECTOR_IDS) + 1)
    view_zenith: dict[tuple[str, int], np.ndarray] = {}
    view_azimuth: dict[tuple[str, int], np.ndarray] = {}
    for k, detector in enumerate(DETECTOR_IDS):
        inside = (across >= edges[k] - 0.6) & (across <= edges[k + 1] + 0.6)  # neighbours overlap by ~1 node
        stagger = 1.0 if k % 2 else -1.0  # odd and even detectors look slightly forward / backward
        for index, band in enumerate(s2_bands.METADATA_BAND_ORDER):
            zenith = np.maximum(acq.view_zenith + 0.35 * (across - centre) + 0.02 * index + 0.05 * stagger, 0.05)
            azimuth = acq.view_azimuth + 0.4 * down + 0.05 * index + 2.0 * stagger
            view_zenith[(band, detector)] = np.where(inside, np.round(zenith, 4), np.nan)
            view_azimuth[(band, detector)] = np.where(inside, np.round(azimuth, 4) % 360.0, np.nan)
    return SyntheticAngles(
        sun_zenith=np.round(acq.sun_zenith + 0.04 * down - 0.01 * right, 4),
        sun_azimuth=np.round(acq.sun_azimuth + 0.06 * right + 0.01 * down, 4) % 360.0,
        view_zenith=view_zenith,
        view_azimuth=view_azimuth,
    )


# ---------------------------------------------------------------------------- pixels


def encode_dn(reflectance: np.ndarray, offset: int) -> np.ndarray:
    """uint16 digital numbers: round(ρ × 10000) + offset (halves to even), clipped to 1..65535; NaN → 0 (no data)."""
    values = np.asarray(reflectance, dtype=np.float64)
    dn = np.clip(np.rint(values * QUANTIFICATION) + offset, 1, 65535)
    return np.where(np.isfinite(values), dn, 0).astype(np.uint16)


def _write_jp2(path: Path, transform: Affine, crs: str, shape: tuple[int, int], dtype: str, strips: Iterator[np.ndarray]) -> None:
    """Write row strips through a temporary tiled GeoTIFF into a lossless JPEG 2000 (GDAL streams it by tiles)."""
    temporary = path.with_name(f".{path.name}.tif")
    profile = {
        "driver": "GTiff", "width": shape[1], "height": shape[0], "count": 1, "dtype": dtype, "crs": crs,
        "transform": transform, "tiled": True, "blockxsize": 512, "blockysize": 512,
    }  # fmt: skip
    try:
        with rasterio.Env(GDAL_PAM_ENABLED="NO"):  # no .aux.xml side files
            with rasterio.open(temporary, "w", **profile) as dst:
                row = 0
                for strip in strips:
                    dst.write(strip, 1, window=Window(0, row, shape[1], strip.shape[0]))
                    row += strip.shape[0]
            rio_copy(temporary, path, driver="JP2OpenJPEG", QUALITY=100, REVERSIBLE="YES", YCBCR420="NO")
    finally:
        temporary.unlink(missing_ok=True)


def _band_strips(reflectance: np.ndarray, factor: int, offset: int) -> Iterator[np.ndarray]:
    for row in range(0, reflectance.shape[0], STRIP_ROWS_10M):
        yield encode_dn(block_nanmean(reflectance[row : row + STRIP_ROWS_10M], factor), offset)


def _scl_strips(scl: np.ndarray, factor: int) -> Iterator[np.ndarray]:
    for row in range(0, scl.shape[0], STRIP_ROWS_10M):
        yield np.ascontiguousarray(scl[row : row + STRIP_ROWS_10M : factor, ::factor])


def _image_path(names: SafeNames, band: str, resolution: int) -> str:
    return f"GRANULE/{names.granule}/IMG_DATA/R{resolution}m/{names.file_prefix}_{band}_{resolution}m.jp2"


def _transform(acq: S2Acquisition, resolution: int) -> Affine:
    return Affine(resolution, 0.0, acq.ulx, 0.0, -resolution, acq.uly)


def _shape(acq: S2Acquisition, resolution: int) -> tuple[int, int]:
    return acq.height * 10 // resolution, acq.width * 10 // resolution


def _band_array(source: Mapping[str, np.ndarray] | Callable[[str], np.ndarray], band: str, acq: S2Acquisition) -> np.ndarray | None:
    array = source.get(band) if isinstance(source, Mapping) else source(band)
    if array is None:
        return None
    array = np.asarray(array)
    if array.shape != (acq.height, acq.width):
        raise ValueError(f"reflectance of {band} has shape {array.shape}, expected {(acq.height, acq.width)} (10 m)")
    return array


# ------------------------------------------------------------------------------- XML


def _el(parent: etree._Element, tag: str, text: object = None, **attributes: str) -> etree._Element:
    node = etree.SubElement(parent, tag, {k: str(v) for k, v in attributes.items()})
    if text is not None:
        node.text = str(text)
    return node


def _xml_bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _scl_percentages(scl: np.ndarray) -> dict[str, float]:
    counts = np.bincount(scl.ravel(), minlength=256).astype(np.float64)
    total, valid = counts.sum(), counts.sum() - counts[0]
    share = {name: 100.0 * counts[list(classes)].sum() / valid if valid else 0.0 for name, classes in _SCL_PERCENTAGES}
    share["NODATA_PIXEL_PERCENTAGE"] = 100.0 * counts[0] / total
    share["CLOUDY_PIXEL_PERCENTAGE"] = 100.0 * counts[[8, 9, 10]].sum() / valid if valid else 0.0
    return share


def _image_content_qi(parent: etree._Element, percentages: Mapping[str, float]) -> None:
    node = _el(parent, "Image_Content_QI")
    for name in ("NODATA_PIXEL_PERCENTAGE", *(n for n, _ in _SCL_PERCENTAGES), "CLOUDY_PIXEL_PERCENTAGE"):
        _el(node, name, f"{percentages[name]:.6f}")


def _footprint(acq: S2Acquisition) -> str:
    """Tile corners as ``lat lon`` pairs, closed counter-clockwise ring, like EXT_POS_LIST."""
    right, bottom = acq.ulx + 10 * acq.width, acq.uly - 10 * acq.height
    xs = [acq.ulx, acq.ulx, right, right, acq.ulx]
    ys = [acq.uly, bottom, bottom, acq.uly, acq.uly]
    lons, lats = Transformer.from_crs(acq.epsg, 4326, always_xy=True).transform(xs, ys)
    return " ".join(f"{lat:.9f} {lon:.9f}" for lat, lon in zip(lats, lons, strict=True))


def _earth_sun_correction(day: dt.date) -> float:
    """Reflectance conversion factor U (ESA's formula, ``1 / d²`` with d the Earth–Sun distance in AU)."""
    return 1.0 / (1.0 - 0.01673 * np.cos(0.0172 * (day.timetuple().tm_yday - 4))) ** 2


def product_metadata_xml(acq: S2Acquisition, names: SafeNames, image_files: list[str], scl: np.ndarray) -> bytes:
    """``MTD_MSIL2A.xml``."""
    root = etree.Element(f"{{{NS_PRODUCT}}}Level-2A_User_Product", nsmap={"n1": NS_PRODUCT, "xsi": NS_XSI})
    root.set(f"{{{NS_XSI}}}schemaLocation", NS_PRODUCT)
    general = _el(root, f"{{{NS_PRODUCT}}}General_Info")
    info = _el(general, "Product_Info")
    _el(info, "PRODUCT_START_TIME", _iso(acq.sensing_time))
    _el(info, "PRODUCT_STOP_TIME", _iso(acq.sensing_time))
    _el(info, "PRODUCT_URI", names.safe)
    _el(info, "PROCESSING_LEVEL", "Level-2A")
    _el(info, "PRODUCT_TYPE", "S2MSI2A")
    _el(info, "PROCESSING_BASELINE", acq.baseline)
    _el(info, "GENERATION_TIME", _iso(names.generation_time, 6))
    datatake = _el(info, "Datatake", datatakeIdentifier=names.datatake_identifier)
    _el(datatake, "SPACECRAFT_NAME", f"Sentinel-2{acq.spacecraft[-1]}")
    _el(datatake, "DATATAKE_TYPE", "INS-NOBS")
    _el(datatake, "DATATAKE_SENSING_START", _iso(acq.sensing_time))
    _el(datatake, "SENSING_ORBIT_NUMBER", acq.relative_orbit)
    _el(datatake, "SENSING_ORBIT_DIRECTION", "DESCENDING")
    _el(_el(info, "Query_Options", completeSingleTile="true"), "PRODUCT_FORMAT", "SAFE_COMPACT")
    granule = _el(
        _el(_el(info, "Product_Organisation"), "Granule_List"),
        "Granule",
        datastripIdentifier=names.datastrip_identifier,
        granuleIdentifier=names.tile_identifier,
        imageFormat="JPEG2000",
    )
    for path in image_files:
        _el(granule, "IMAGE_FILE", path.removesuffix(".jp2"))

    characteristics = _el(general, "Product_Image_Characteristics")
    for text, index in (("NODATA", 0), ("SATURATED", 65535)):
        special = _el(characteristics, "Special_Values")
        _el(special, "SPECIAL_VALUE_TEXT", text)
        _el(special, "SPECIAL_VALUE_INDEX", index)
    quantification = _el(characteristics, "QUANTIFICATION_VALUES_LIST")
    _el(quantification, "BOA_QUANTIFICATION_VALUE", QUANTIFICATION, unit="none")
    _el(quantification, "AOT_QUANTIFICATION_VALUE", "1000.0", unit="none")
    _el(quantification, "WVP_QUANTIFICATION_VALUE", "1000.0", unit="cm")
    if _has_offset(acq):
        offsets = _el(characteristics, "BOA_ADD_OFFSET_VALUES_LIST")
        for index, _ in enumerate(s2_bands.METADATA_BAND_ORDER):
            _el(offsets, "BOA_ADD_OFFSET", -BASELINE_OFFSET, band_id=index)
    _el(_el(characteristics, "Reflectance_Conversion"), "U", f"{_earth_sun_correction(acq.sensing_time.date()):.15f}")
    spectral = _el(characteristics, "Spectral_Information_List")
    for index, band in enumerate(s2_bands.METADATA_BAND_ORDER):
        physical = band.replace("B0", "B")
        _el(_el(spectral, "Spectral_Information", bandId=index, physicalBand=physical), "RESOLUTION", s2_bands.NATIVE_RESOLUTION[band])
    classes = _el(characteristics, "Scene_Classification_List")
    for index, text in enumerate(_SCL_CLASSES):
        entry = _el(classes, "Scene_Classification_ID")
        _el(entry, "SCENE_CLASSIFICATION_TEXT", text)
        _el(entry, "SCENE_CLASSIFICATION_INDEX", index)

    geometric = _el(root, f"{{{NS_PRODUCT}}}Geometric_Info")
    footprint = _el(geometric, "Product_Footprint")
    _el(_el(_el(footprint, "Product_Footprint"), "Global_Footprint"), "EXT_POS_LIST", _footprint(acq))
    _el(footprint, "RASTER_CS_TYPE", "POINT")
    _el(footprint, "PIXEL_ORIGIN", 1)
    crs = _el(geometric, "Coordinate_Reference_System")
    _el(crs, "GEO_TABLES", "EPSG", version="1")
    _el(crs, "HORIZONTAL_CS_TYPE", "GEOGRAPHIC")

    quality = _el(root, f"{{{NS_PRODUCT}}}Quality_Indicators_Info")
    percentages = _scl_percentages(scl)
    _el(quality, "Cloud_Coverage_Assessment", f"{percentages['CLOUDY_PIXEL_PERCENTAGE']:.6f}")
    _image_content_qi(quality, percentages)
    return _xml_bytes(root)


def _values_grid(parent: etree._Element, tag: str, values: np.ndarray) -> None:
    node = _el(parent, tag)
    _el(node, "COL_STEP", ANGLE_STEP_M, unit="m")
    _el(node, "ROW_STEP", ANGLE_STEP_M, unit="m")
    values_list = _el(node, "Values_List")
    for row in values:
        _el(values_list, "VALUES", " ".join("NaN" if np.isnan(v) else f"{v:.4f}" for v in row))


def _coordinate(value: float) -> str:
    """``600000`` for whole metres, as real products write them, else the shortest exact decimal."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def tile_metadata_xml(acq: S2Acquisition, names: SafeNames, angles: SyntheticAngles, scl: np.ndarray) -> bytes:
    """``MTD_TL.xml``: geocoding per resolution and the angle grids."""
    root = etree.Element(f"{{{NS_TILE}}}Level-2A_Tile_ID", nsmap={"n1": NS_TILE, "xsi": NS_XSI})
    root.set(f"{{{NS_XSI}}}schemaLocation", NS_TILE)
    general = _el(root, f"{{{NS_TILE}}}General_Info")
    _el(general, "TILE_ID", names.tile_identifier, metadataLevel="Brief")
    _el(general, "DATASTRIP_ID", names.datastrip_identifier, metadataLevel="Standard")
    _el(general, "DOWNLINK_PRIORITY", "NOMINAL", metadataLevel="Standard")
    _el(general, "SENSING_TIME", _iso(acq.sensing_time), metadataLevel="Standard")

    geometric = _el(root, f"{{{NS_TILE}}}Geometric_Info")
    geocoding = _el(geometric, "Tile_Geocoding", metadataLevel="Brief")
    zone = acq.epsg % 100
    hemisphere = "N" if acq.epsg // 100 == 326 else "S"
    _el(geocoding, "HORIZONTAL_CS_NAME", f"WGS84 / UTM zone {zone}{hemisphere}")
    _el(geocoding, "HORIZONTAL_CS_CODE", f"EPSG:{acq.epsg}")
    for resolution in s2_bands.RESOLUTIONS:
        rows, cols = _shape(acq, resolution)
        size = _el(geocoding, "Size", resolution=resolution)
        _el(size, "NROWS", rows)
        _el(size, "NCOLS", cols)
    for resolution in s2_bands.RESOLUTIONS:
        position = _el(geocoding, "Geoposition", resolution=resolution)
        _el(position, "ULX", _coordinate(acq.ulx))
        _el(position, "ULY", _coordinate(acq.uly))
        _el(position, "XDIM", resolution)
        _el(position, "YDIM", -resolution)

    tile_angles = _el(geometric, "Tile_Angles", metadataLevel="Standard")
    sun = _el(tile_angles, "Sun_Angles_Grid")
    _values_grid(sun, "Zenith", angles.sun_zenith)
    _values_grid(sun, "Azimuth", angles.sun_azimuth)
    mean_sun = _el(tile_angles, "Mean_Sun_Angle")
    _el(mean_sun, "ZENITH_ANGLE", f"{acq.sun_zenith:.6f}", unit="deg")
    _el(mean_sun, "AZIMUTH_ANGLE", f"{acq.sun_azimuth:.6f}", unit="deg")
    for index, band in enumerate(s2_bands.METADATA_BAND_ORDER):
        for detector in DETECTOR_IDS:
            grids = _el(tile_angles, "Viewing_Incidence_Angles_Grids", bandId=index, detectorId=detector)
            _values_grid(grids, "Zenith", angles.view_zenith[(band, detector)])
            _values_grid(grids, "Azimuth", angles.view_azimuth[(band, detector)])
    means = _el(tile_angles, "Mean_Viewing_Incidence_Angle_List")
    for index, band in enumerate(s2_bands.METADATA_BAND_ORDER):
        zenith = np.stack([angles.view_zenith[(band, d)] for d in DETECTOR_IDS])
        azimuth = np.stack([angles.view_azimuth[(band, d)] for d in DETECTOR_IDS])
        mean = _el(means, "Mean_Viewing_Incidence_Angle", bandId=index)
        _el(mean, "ZENITH_ANGLE", f"{np.nanmean(zenith):.6f}", unit="deg")
        _el(mean, "AZIMUTH_ANGLE", f"{float(circular_nanmean(azimuth.ravel())):.6f}", unit="deg")

    quality = _el(root, f"{{{NS_TILE}}}Quality_Indicators_Info", metadataLevel="Standard")
    _image_content_qi(quality, _scl_percentages(scl))
    return _xml_bytes(root)


def datastrip_metadata_xml(acq: S2Acquisition, names: SafeNames) -> bytes:
    """A minimal ``MTD_DS.xml``: identifiers and sensing times."""
    root = etree.Element(f"{{{NS_DATASTRIP}}}Level-2A_DataStrip_ID", nsmap={"n1": NS_DATASTRIP})
    general = _el(root, f"{{{NS_DATASTRIP}}}General_Info")
    _el(general, "DATASTRIP_ID", names.datastrip_identifier)
    times = _el(general, "Datastrip_Time_Info")
    _el(times, "DATASTRIP_SENSING_START", _iso(acq.sensing_time))
    _el(times, "DATASTRIP_SENSING_STOP", _iso(acq.sensing_time))
    processing = _el(general, "Processing_Info")
    _el(processing, "PROCESSING_BASELINE", acq.baseline)
    _el(processing, "UTC_DATE_TIME", _iso(names.generation_time))
    return _xml_bytes(root)


def inspire_xml(acq: S2Acquisition, names: SafeNames) -> bytes:
    """A minimal ISO 19139 ``INSPIRE.xml``."""
    gmd, gco = "http://www.isotc211.org/2005/gmd", "http://www.isotc211.org/2005/gco"
    root = etree.Element(f"{{{gmd}}}MD_Metadata", nsmap={"gmd": gmd, "gco": gco})
    _el(_el(root, f"{{{gmd}}}fileIdentifier"), f"{{{gco}}}CharacterString", names.product)
    _el(_el(root, f"{{{gmd}}}dateStamp"), f"{{{gco}}}Date", f"{names.generation_time:%Y-%m-%d}")
    return _xml_bytes(root)


def _data_object_id(relative: str) -> str:
    if relative == "MTD_MSIL2A.xml":
        return "S2_Level-2A_Product_Metadata"
    if relative == "INSPIRE.xml":
        return "INSPIRE_Metadata"
    if relative.endswith("MTD_DS.xml"):
        return "S2_Level-2A_Datastrip1_Metadata"
    if relative.endswith("MTD_TL.xml"):
        return "S2_Level-2A_Tile1_Metadata"
    match = s2_bands.IMAGE_NAME_PATTERN.search(relative)
    return f"IMG_DATA_Band_{match.group(1)}_{match.group(2)}m_Tile1_Data" if match else relative.replace("/", "_")


def manifest_xml(acq: S2Acquisition, safe_dir: Path) -> bytes:
    """``manifest.safe`` listing every other file with its size and SHA3-256."""
    xfdu, safe_ns = "urn:ccsds:schema:xfdu:1", "http://www.esa.int/safe/sentinel/1.1"
    root = etree.Element(f"{{{xfdu}}}XFDU", nsmap={"xfdu": xfdu, "safe": safe_ns})
    root.set("version", "esa/safe/sentinel/1.1/sentinel-2/msi/archive_l2a_user_product")
    files = sorted(p.relative_to(safe_dir).as_posix() for p in safe_dir.rglob("*") if p.is_file() and p.name != "manifest.safe")
    package = _el(_el(root, "informationPackageMap"), f"{{{xfdu}}}contentUnit", unitType="Product_Level-2A",
                  textInfo="SENTINEL-2 MSI Level-2A User Product", dmdID="acquisitionPeriod platform")  # fmt: skip
    for relative in files:
        _el(_el(package, "content", unitType="Data_Unit"), "dataObjectPointer", dataObjectID=_data_object_id(relative))
    metadata = _el(root, "metadataSection")
    period = _el(_el(_el(metadata, "metadataObject", ID="acquisitionPeriod", classification="DESCRIPTION",
                         category="DMD"), "metadataWrap", mimeType="text/xml"), "xmlData")  # fmt: skip
    _el(_el(period, f"{{{safe_ns}}}acquisitionPeriod"), f"{{{safe_ns}}}startTime", _iso(acq.sensing_time))
    platform = _el(_el(_el(metadata, "metadataObject", ID="platform", classification="DESCRIPTION",
                           category="DMD"), "metadataWrap", mimeType="text/xml"), "xmlData")  # fmt: skip
    platform_node = _el(platform, f"{{{safe_ns}}}platform")
    _el(platform_node, f"{{{safe_ns}}}familyName", "SENTINEL-2")
    _el(platform_node, f"{{{safe_ns}}}number", acq.spacecraft[-1])
    objects = _el(root, "dataObjectSection")
    for relative in files:
        path = safe_dir / relative
        stream = _el(_el(objects, "dataObject", ID=_data_object_id(relative)), "byteStream",
                     mimeType="text/xml" if relative.endswith(".xml") else "application/octet-stream",
                     size=path.stat().st_size)  # fmt: skip
        _el(stream, "fileLocation", locatorType="URL", href=f"./{relative}")
        _el(stream, "checksum", _sha3(path), checksumName="SHA3-256")
    return _xml_bytes(root)


def _sha3(path: Path) -> str:
    digest = hashlib.sha3_256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest().upper()


# ---------------------------------------------------------------------------- product


def write_l2a_safe(
    out_dir: Path,
    acq: S2Acquisition,
    reflectance: Mapping[str, np.ndarray] | Callable[[str], np.ndarray],
    scl: np.ndarray,
) -> Path:
    """reflectance: for every band in L2A_BANDS a float32 (height, width) array at 10 m (or a callable
    band -> such array, called once per band so that a full 10980x10980 tile never needs all bands in memory);
    the writer aggregates to the band's native resolution (mean of 2x2 / 6x6 blocks). NaN = nodata (DN 0).
    scl: uint8 (height, width) at 10 m; written at 20 m (and 60 m) by taking the top-left pixel of each block
    (nearest). Returns the path of the .SAFE folder written inside out_dir. Deterministic: same inputs ->
    same bytes (no wall-clock timestamps anywhere; derive the generation time in names from sensing_time).

    A band missing from the mapping (or for which the callable returns None) is left out of the product,
    to simulate incomplete products. The block means ignore NaN (NaN only where a whole block is NaN).
    The product is written under a temporary name and renamed when complete, replacing an older one.
    """
    _check_acquisition(acq)
    scl = np.asarray(scl)
    if scl.shape != (acq.height, acq.width) or scl.dtype != np.uint8:
        raise ValueError(f"scl must be uint8 of shape {(acq.height, acq.width)}, got {scl.dtype} {scl.shape}")
    names = safe_names(acq)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    final = out_dir / names.safe
    work = out_dir / f".{names.safe}.partial"
    shutil.rmtree(work, ignore_errors=True)
    crs = f"EPSG:{acq.epsg}"
    offset = BASELINE_OFFSET if _has_offset(acq) else 0
    image_files: list[str] = []
    try:
        for band in L2A_BANDS:
            array = _band_array(reflectance, band, acq)
            if array is None:
                continue
            native = s2_bands.NATIVE_RESOLUTION[band]
            for resolution in (native, 20) if band in COPIES_AT_20M else (native,):
                relative = _image_path(names, band, resolution)
                (work / relative).parent.mkdir(parents=True, exist_ok=True)
                _write_jp2(work / relative, _transform(acq, resolution), crs, _shape(acq, resolution), "uint16",
                           _band_strips(array, resolution // 10, offset))  # fmt: skip
                image_files.append(relative)
            del array
        for resolution in SCL_RESOLUTIONS:
            relative = _image_path(names, "SCL", resolution)
            (work / relative).parent.mkdir(parents=True, exist_ok=True)
            _write_jp2(work / relative, _transform(acq, resolution), crs, _shape(acq, resolution), "uint8",
                       _scl_strips(scl, resolution // 10))  # fmt: skip
            image_files.append(relative)

        (work / "GRANULE" / names.granule / "MTD_TL.xml").write_bytes(tile_metadata_xml(acq, names, synthetic_angles(acq), scl))
        (work / "MTD_MSIL2A.xml").write_bytes(product_metadata_xml(acq, names, sorted(image_files), scl))
        (work / "DATASTRIP" / names.datastrip).mkdir(parents=True)
        (work / "DATASTRIP" / names.datastrip / "MTD_DS.xml").write_bytes(datastrip_metadata_xml(acq, names))
        (work / "INSPIRE.xml").write_bytes(inspire_xml(acq, names))
        (work / "manifest.safe").write_bytes(manifest_xml(acq, work))
        shutil.rmtree(final, ignore_errors=True)
        os.replace(work, final)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return final


_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def zip_safe(safe_dir: Path) -> Path:
    """Zip a ``.SAFE`` folder as ``<product>.zip`` next to it (members ``<product>.SAFE/...``).

    Sorted members, fixed timestamps and permissions: the same folder gives the same bytes. JPEG 2000
    files are stored uncompressed (they are compressed already, and GDAL reads stored members faster).
    """
    safe_dir = Path(safe_dir)
    target = safe_dir.with_name(safe_dir.name.removesuffix(".SAFE") + ".zip")
    temporary = target.with_name(f".{target.name}.partial")
    files = sorted(p for p in safe_dir.rglob("*") if p.is_file())
    try:
        with zipfile.ZipFile(temporary, "w") as zf:
            for path in files:
                info = zipfile.ZipInfo(f"{safe_dir.name}/{path.relative_to(safe_dir).as_posix()}", date_time=_ZIP_TIME)
                info.compress_type = zipfile.ZIP_STORED if path.suffix == ".jp2" else zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                info.create_system = 3
                info.file_size = path.stat().st_size
                with open(path, "rb") as src, zf.open(info, "w") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return target
