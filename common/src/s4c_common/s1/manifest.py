"""The SAFE ``manifest.safe`` of a Sentinel-1 Level-1 product."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from shapely.geometry import Polygon
from shapely.geometry.polygon import orient

from ..errors import InputError
from .xml_node import XmlNode

FILE_KINDS = {
    "s1Level1ProductSchema": "annotation",
    "s1Level1CalibrationSchema": "calibration",
    "s1Level1NoiseSchema": "noise",
    "s1Level1MeasurementSchema": "measurement",
}
# s1a-iw1-slc-vv-20210401t052624-... ; swath is "iw"/"ew"/"s1".. for GRD, "iw1".. for SLC sub-swaths
FILE_NAME = re.compile(r"(?:calibration-|noise-)?s1[a-d]-(?P<swath>[a-z0-9]+)-(?P<type>slc|grd)-(?P<pol>hh|hv|vv|vh)-", re.IGNORECASE)


@dataclass(frozen=True)
class ManifestFile:
    href: str  # relative to the product folder, without "./"
    kind: str  # annotation, calibration, noise, measurement
    swath: str  # upper case: IW (GRD) or IW1 (SLC)
    polarisation: str  # upper case


@dataclass(frozen=True)
class Manifest:
    mission: str  # S1A, S1B, S1C, S1D
    product_type: str  # GRD, SLC
    mode: str  # IW, EW, SM
    swaths: tuple[str, ...]
    polarisations: tuple[str, ...]
    start_time: dt.datetime  # UTC
    stop_time: dt.datetime
    absolute_orbit: int
    relative_orbit: int
    pass_direction: str  # ASCENDING / DESCENDING
    ascending_node_time: dt.datetime | None
    footprint: Polygon  # lon/lat
    ipf_version: str | None
    files: tuple[ManifestFile, ...]


def utc_datetime(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.strip().removesuffix("Z")).replace(tzinfo=dt.UTC)


def escapes_root(path: str) -> bool:
    """True for an absolute path (``/x``, ``\\x``, ``C:x``) or one with a ``..`` component: it could leave the product."""
    return path.startswith(("/", "\\")) or bool(re.match(r"^[A-Za-z]:", path)) or ".." in re.split(r"[\\/]", path)


def checked_href(href: str, source: str) -> str:
    """A manifest file reference as a path relative to the product root; references leaving the product are refused."""
    path = href.strip().removeprefix("./")
    if escapes_root(path):
        raise InputError(f"{source} refers to {href!r}, outside the product folder; the product is corrupt or crafted.", "E_BAD_SAFE")
    return path.replace("\\", "/")


def footprint_from_gml(coordinates: str) -> Polygon:
    """``lat,lon lat,lon ...`` as a counter-clockwise lon/lat polygon."""
    points = [tuple(float(v) for v in pair.split(",")) for pair in coordinates.split()]
    return orient(Polygon([(lon, lat) for lat, lon in points]), sign=1.0)


def _files(manifest: XmlNode) -> tuple[ManifestFile, ...]:
    files = []
    for data_object in manifest.findall("dataObjectSection/dataObject"):
        kind = FILE_KINDS.get(data_object.element.get("repID", ""))
        location = data_object.find_optional("byteStream/fileLocation")
        if kind is None or location is None:
            continue
        href = checked_href(location.attribute("href"), manifest.source)
        match = FILE_NAME.match(href.rsplit("/", 1)[-1])
        if match:
            files.append(ManifestFile(href, kind, match["swath"].upper(), match["pol"].upper()))
    return tuple(files)


def parse_manifest(manifest: XmlNode) -> Manifest:
    family = manifest.find_optional(".//safe:platform/safe:familyName")
    if family is None or family.text() != "SENTINEL-1":
        name = "no platform" if family is None else family.text()
        raise InputError(f"{manifest.source} describes {name}, not a Sentinel-1 product.", "E_BAD_SAFE")
    orbit = manifest.find(".//safe:orbitReference")
    software = manifest.find_optional(".//safe:processing/safe:facility/safe:software")
    anx = manifest.find_optional(".//s1:ascendingNodeTime")
    return Manifest(
        mission="S1" + manifest.text(".//safe:platform/safe:number").upper(),
        product_type=manifest.text(".//s1sarl1:productType"),
        mode=manifest.text(".//s1sarl1:instrumentMode/s1sarl1:mode"),
        swaths=tuple(manifest.texts(".//s1sarl1:instrumentMode/s1sarl1:swath")),
        polarisations=tuple(manifest.texts(".//s1sarl1:transmitterReceiverPolarisation")),
        start_time=utc_datetime(manifest.text(".//safe:acquisitionPeriod/safe:startTime")),
        stop_time=utc_datetime(manifest.text(".//safe:acquisitionPeriod/safe:stopTime")),
        absolute_orbit=int(orbit.text("safe:orbitNumber")),
        relative_orbit=int(orbit.text("safe:relativeOrbitNumber")),
        pass_direction=orbit.text(".//s1:pass").upper(),
        ascending_node_time=None if anx is None else utc_datetime(anx.text()),
        footprint=footprint_from_gml(manifest.text(".//safe:footPrint/gml:coordinates")),
        ipf_version=None if software is None else software.element.get("version"),
        files=_files(manifest),
    )
