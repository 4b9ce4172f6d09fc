"""Open a Sentinel-1 Level-1 product (``.SAFE`` folder or zip) and reach its metadata and measurements.

A zip is read in place (members are never extracted); its member names are
checked first, and a name that is absolute or contains ``..`` makes the whole
archive invalid (``E_BAD_SAFE``). Measurements are returned as GDAL paths
(``/vsizip/...`` inside a zip) and read as plain GeoTIFF, never through
GDAL's SAFE driver.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import numpy as np
import rasterio
from rasterio.windows import Window
from shapely.geometry import Polygon
from shapely.ops import unary_union

from ..errors import InputError
from .annotation import SwathAnnotation, parse_annotation
from .calibration import CalibrationVectors, parse_calibration
from .manifest import Manifest, ManifestFile, escapes_root, parse_manifest
from .noise import NoiseVectors, parse_noise
from .orbit import relative_orbit
from .xml_node import XmlNode

MANIFEST = "manifest.safe"


class SafeContainer:
    """The files of one product, in a folder or a zip; paths are relative to the product root."""

    def __init__(self, path: Path):
        self.path = path
        self._zip_root: str | None = None
        self._members: set[str] = set()
        if path.is_dir():
            if not (path / MANIFEST).is_file():
                raise InputError(f"{path} has no {MANIFEST}: not a SAFE product folder.", "E_BAD_SAFE")
        elif zipfile.is_zipfile(path):
            self._open_zip()
        else:
            raise InputError(f"{path} is neither a SAFE folder nor a zip archive.", "E_BAD_SAFE")

    def _open_zip(self) -> None:
        try:
            with zipfile.ZipFile(self.path) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, OSError) as exc:
            raise InputError(f"cannot read zip archive {self.path}: {exc}.", "E_BAD_SAFE") from exc
        unsafe = [n for n in names if escapes_root(n)]
        if unsafe:
            message = f"{self.path} contains member {unsafe[0]!r} pointing outside the archive; refusing the archive."
            raise InputError(message, "E_BAD_SAFE")
        manifests = sorted((n for n in names if n.rsplit("/", 1)[-1] == MANIFEST and n.count("/") <= 1), key=len)
        if not manifests:
            raise InputError(f"{self.path} has no {MANIFEST}: not a zipped SAFE product.", "E_BAD_SAFE")
        self._zip_root = manifests[0][: -len(MANIFEST)]
        self._members = set(names)

    @property
    def name(self) -> str:
        """Product name, e.g. ``S1A_IW_GRDH_1SDV_..._8255.SAFE``."""
        if self._zip_root:
            return self._zip_root.rstrip("/")
        return self.path.name

    def exists(self, href: str) -> bool:
        if self._zip_root is None:
            return (self.path / href).is_file()
        return self._zip_root + href in self._members

    def read(self, href: str) -> bytes:
        if not self.exists(href):
            raise InputError(f"{self.name} lacks {href}, which its manifest lists.", "E_BAD_SAFE")
        if self._zip_root is None:
            return (self.path / href).read_bytes()
        with zipfile.ZipFile(self.path) as archive:
            return archive.read(self._zip_root + href)

    def gdal_path(self, href: str) -> str:
        if self._zip_root is None:
            return str(self.path / href)
        return f"/vsizip/{self.path.resolve()}/{self._zip_root}{href}"

    def xml(self, href: str) -> XmlNode:
        return XmlNode.parse(self.read(href), f"{self.name}/{href}")


class S1Product:
    """A Sentinel-1 IW/EW/SM GRD or SLC product; per (swath, polarisation) metadata are parsed on first use."""

    def __init__(self, container: SafeContainer):
        self.container = container
        self.manifest: Manifest = parse_manifest(container.xml(MANIFEST))
        self._annotations: dict[tuple[str, str], SwathAnnotation] = {}
        self._calibrations: dict[tuple[str, str], CalibrationVectors] = {}
        self._noises: dict[tuple[str, str], NoiseVectors] = {}

    @property
    def path(self) -> Path:
        return self.container.path

    @property
    def name(self) -> str:
        return self.container.name

    @property
    def mission(self) -> str:
        return self.manifest.mission

    @property
    def platform(self) -> str:
        return self.manifest.mission

    @property
    def product_type(self) -> str:
        return self.manifest.product_type

    @property
    def mode(self) -> str:
        return self.manifest.mode

    @property
    def polarisations(self) -> tuple[str, ...]:
        return self.manifest.polarisations

    @property
    def start_time(self) -> dt.datetime:
        return self.manifest.start_time

    @property
    def stop_time(self) -> dt.datetime:
        return self.manifest.stop_time

    @property
    def absolute_orbit(self) -> int:
        return self.manifest.absolute_orbit

    @property
    def relative_orbit(self) -> int:
        return self.manifest.relative_orbit

    @property
    def pass_direction(self) -> str:
        return self.manifest.pass_direction

    @property
    def footprint(self) -> Polygon:
        return self.manifest.footprint

    @property
    def relative_orbit_from_absolute(self) -> int | None:
        """The relative orbit computed from the absolute orbit (cross-check of the manifest value)."""
        return relative_orbit(self.mission, self.absolute_orbit)

    def swath_polarisations(self) -> list[tuple[str, str]]:
        """(swath, polarisation) pairs whose annotation file is present, sorted."""
        pairs = {(f.swath, f.polarisation) for f in self.manifest.files if f.kind == "annotation" and self.container.exists(f.href)}
        return sorted(pairs)

    def _file(self, kind: str, swath: str, polarisation: str) -> ManifestFile:
        key = (swath.upper(), polarisation.upper())
        for f in self.manifest.files:
            if f.kind == kind and (f.swath, f.polarisation) == key:
                return f
        code = "E_MISSING_BAND" if polarisation.upper() not in self.polarisations else "E_BAD_SAFE"
        raise InputError(f"{self.name} has no {kind} file for swath {key[0]} polarisation {key[1]}.", code)

    def annotation(self, swath: str, polarisation: str) -> SwathAnnotation:
        key = (swath.upper(), polarisation.upper())
        if key not in self._annotations:
            self._annotations[key] = parse_annotation(self.container.xml(self._file("annotation", *key).href))
        return self._annotations[key]

    def calibration(self, swath: str, polarisation: str) -> CalibrationVectors:
        key = (swath.upper(), polarisation.upper())
        if key not in self._calibrations:
            self._calibrations[key] = parse_calibration(self.container.xml(self._file("calibration", *key).href))
        return self._calibrations[key]

    def noise(self, swath: str, polarisation: str) -> NoiseVectors:
        key = (swath.upper(), polarisation.upper())
        if key not in self._noises:
            self._noises[key] = parse_noise(self.container.xml(self._file("noise", *key).href))
        return self._noises[key]

    def measurement_path(self, swath: str, polarisation: str) -> str:
        """GDAL path of the measurement GeoTIFF (``/vsizip/`` inside a zip)."""
        href = self._file("measurement", swath, polarisation).href
        if not self.container.exists(href):
            raise InputError(f"{self.name} has no measurement {href} (metadata-only product?).", "E_BAD_SAFE")
        return self.container.gdal_path(href)

    def read_measurement(self, swath: str, polarisation: str, window: Window | None = None) -> np.ndarray:
        """Digital numbers of ``window`` (uint16 for GRD, complex for SLC) read as a plain GeoTIFF."""
        path = self.measurement_path(swath, polarisation)
        try:
            with rasterio.open(path) as src:
                return src.read(1, window=window)
        except rasterio.errors.RasterioIOError as exc:
            raise InputError(f"cannot read measurement {path}: {exc}.", "E_INPUT_NOT_FOUND") from exc

    def annotation_footprint(self) -> Polygon:
        """Footprint from the geolocation-grid corners of every swath (first polarisation), as their convex hull."""
        polarisation = self.swath_polarisations()[0][1]
        swaths = [s for s, p in self.swath_polarisations() if p == polarisation]
        return unary_union([self.annotation(s, polarisation).footprint() for s in swaths]).convex_hull


def open_s1(path: str | Path) -> S1Product:
    """Open a ``.SAFE`` folder, its ``manifest.safe``, or a zipped SAFE.

    Raises InputError ``E_BAD_SAFE`` for anything that is not a readable Sentinel-1 SAFE product.
    """
    path = Path(path)
    if path.name == MANIFEST:
        path = path.parent
    if not path.exists():
        raise InputError(f"{path} does not exist.", "E_INPUT_NOT_FOUND")
    return S1Product(SafeContainer(path))
