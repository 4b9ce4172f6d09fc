"""Synthetic Sentinel-1 IW GRD and SLC products in the SAFE layout, with known truth.

What is simulated
-----------------
* Geometry (:mod:`s4c_sample.s1_geometry`): a realistic near-polar orbit
  (state vectors every 10 s), right-looking zero-Doppler imaging, and for every
  radar sample its ground point on the WGS84 ellipsoid plus the DEM height. The
  geolocation grid, the TIFF GCPs, the GRD slant/ground-range polynomials and
  the calibration LUTs come from the same model, so range-Doppler terrain
  correction with the annotation orbit puts each pixel back where it was taken.
* Radiometry: each radar sample takes the truth σ⁰ of the scene cell that
  contains its ground point (nearest cell; NaN or outside the scene → DN 0,
  no-data). No terrain area normalisation is simulated: the DN carry the
  ellipsoid-based σ⁰ of the truth map. LUTs follow the real IW ones:
  βnought constant (474 GRD, 237 SLC), σnought = β/√sin θ, γ = β/√tan θ,
  dn = β/√1.393, with θ the ellipsoid incidence at the LUT node. Thermal noise
  N = noiseRange · noiseAzimuth with NESZ −24 dB at sub-swath centres rising to
  −20 dB at their edges and a TOPS-like azimuth scalloping (factor 1…1.15).
* GRD: |DN|² = (σ⁰·A_σ² + N)·G, G gamma-distributed with mean 1 and ``looks``
  equivalent looks (speckle acts on signal plus noise, as it does physically),
  so E[(|DN|² − N)/A_σ²] = σ⁰. DN are rounded to uint16 (≥ 1 where valid).
* SLC: DN = √(σ⁰·A_σ² + N)·z with z unit circular complex Gaussian. Repeat
  passes follow the first-order chain z_{i+1} = g_i·z_i + √(1 − g_i²)·w_i with
  fresh w_i, so E[z_i z*_{i+1}] = g_i (the given coherence of the pair) and
  E[z_i z*_{i+2}] = g_i·g_{i+1}. The chain acts on the total (signal + thermal
  noise) field: the coherence of the written DN is exactly the given map (no
  SNR decorrelation). Zero baseline: all products share one orbit in ECEF as a
  function of time since ANX, so pixels are co-registered by construction and
  there is no geometric (flat-earth or topographic) interferometric phase.

Determinism: the same inputs and seed give the same bytes (no wall-clock time;
times derive from the acquisition; random numbers are drawn per block from
seeds derived from (seed, product kind, swath, polarisation, block)). Memory:
pixels are produced in blocks of lines, so a full-size GRD is written with the
memory of a block (plus the caller's σ⁰/DEM arrays, which may be memory-mapped
or broadcast views).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import shutil
import warnings
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import rasterio
from lxml import etree
from rasterio.control import GroundControlPoint
from rasterio.crs import CRS
from rasterio.errors import NotGeoreferencedWarning
from rasterio.windows import Window
from s4c_common.s1.calibration import CalibrationVectors, parse_calibration
from s4c_common.s1.noise import NoiseVectors, parse_noise
from s4c_common.s1.orbit import ORBITS_PER_CYCLE, RELATIVE_ORBIT_OFFSET, relative_orbit
from s4c_common.s1.xml_node import SAFE_NAMESPACES, XmlNode

from .s1_geometry import (
    BURST_CYCLE,
    DEFAULT_MARGIN,
    GRD_PIXEL_SPACING,
    ORBIT_PERIOD,
    RADAR_FREQUENCY,
    RANGE_SAMPLING_RATE,
    SPEED_OF_LIGHT,
    SUB_SWATHS,
    CircularOrbit,
    GrdGeometry,
    GroundLookup,
    GroundScene,
    RadarExtent,
    SlcSwathGeometry,
    elevation_angle,
    geodetic,
    grd_geometry,
    grid_lonlat,
    ground_point,
    incidence_angle,
    place_track,
    scene_radar_extent,
    slc_swaths,
)

__all__ = ["GroundScene", "S1Acquisition", "write_grd_safe", "write_slc_series", "zip_safe"]

IPF_VERSION = "003.31"
NSSDC_IDENTIFIER = {"S1A": "2014-016A", "S1B": "2016-025A"}
# one real (absolute orbit, its ascending-node time) per platform: S1A_IW_GRDH_..._036201_043ED0 and S1B_IW_SLC__..._026269_032297
ORBIT_ANCHOR = {
    "S1A": (36201, np.datetime64("2021-01-19T02:22:31.388113", "us")),
    "S1B": (26269, np.datetime64("2021-04-01T04:49:55.637823", "us")),
}
CYCLE_OFFSET = {"S1A": 15, "S1B": 7}  # cycle = (absolute − relative-orbit offset) // 175 + this, as in the real manifests
POLARISATION_CODE = {("VV",): "SV", ("VH", "VV"): "DV", ("HH",): "SH", ("HH", "HV"): "DH"}
BETA_NOUGHT = {"GRD": 473.9733, "SLC": 236.9867}  # DN scale of real IW products
ABSOLUTE_CALIBRATION_CONSTANT = 1.393
GRD_SWATH_LIMITS = (36.45, 41.7)  # incidence (degrees) where a GRD switches IW1→IW2→IW3 (middle of the overlaps)
LUT_PIXEL_STEP = 40  # samples between LUT nodes, as in real products
BLOCK_PIXELS = 1 << 20  # pixels per processing block
GRID_POINTS_ACROSS = 21  # geolocation grid points per line, as in real products


@dataclass(frozen=True)
class S1Acquisition:
    platform: str  # "S1A" or "S1B"
    start_time: dt.datetime  # tz-aware UTC
    relative_orbit: int
    pass_direction: str  # "ASCENDING" or "DESCENDING"
    product_type: str  # "GRD" or "SLC"
    polarisations: tuple[str, ...] = ("VV", "VH")
    # the absolute orbit is derived from platform + relative orbit + date, consistent with the relative-orbit formula


# --- orbit numbering and track ---------------------------------------------------------------------------------------


def absolute_orbit(platform: str, relative: int, when: dt.datetime) -> int:
    """The absolute orbit with relative orbit ``relative`` nearest to the orbit count of ``platform`` at ``when``."""
    anchor_orbit, anchor_anx = ORBIT_ANCHOR[platform]
    elapsed = (np.datetime64(when.astimezone(dt.UTC).replace(tzinfo=None), "us") - anchor_anx) / np.timedelta64(1, "s")
    estimate = anchor_orbit + math.floor(elapsed / ORBIT_PERIOD)
    shift = (relative - relative_orbit(platform, estimate)) % ORBITS_PER_CYCLE
    return estimate + (shift - ORBITS_PER_CYCLE if shift > ORBITS_PER_CYCLE // 2 else shift)


def cycle_number(platform: str, absolute: int) -> int:
    """Repeat-cycle number of an absolute orbit, as the real manifests give it."""
    return (absolute - RELATIVE_ORBIT_OFFSET[platform]) // ORBITS_PER_CYCLE + CYCLE_OFFSET[platform]


def track_incidence(relative: int) -> float:
    """Incidence (degrees) at which a track sees the scene centre: 31.5–44.4°, fixed per relative orbit."""
    return 31.5 + ((37 * relative) % 130) / 10.0


def _check_acquisition(acq: S1Acquisition, product_type: str) -> None:
    if acq.platform not in ORBIT_ANCHOR:
        raise ValueError(f"platform {acq.platform!r}: the generator simulates S1A and S1B")
    if acq.product_type != product_type:
        raise ValueError(f"acquisition product type {acq.product_type!r}, expected {product_type!r}")
    if acq.pass_direction not in ("ASCENDING", "DESCENDING"):
        raise ValueError(f"pass direction {acq.pass_direction!r}, expected ASCENDING or DESCENDING")
    if tuple(sorted(acq.polarisations)) not in POLARISATION_CODE:
        raise ValueError(f"polarisations {acq.polarisations!r}: expected VV, VV+VH, HH or HH+HV")
    if acq.start_time.tzinfo is None:
        raise ValueError("start_time must be timezone-aware (UTC)")
    if not 1 <= acq.relative_orbit <= ORBITS_PER_CYCLE:
        raise ValueError(f"relative orbit {acq.relative_orbit} outside 1..175")


# --- product plan ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Imaging:
    """Geometry shared by every acquisition of one track over one scene (zero baseline)."""

    orbit: CircularOrbit
    extent: RadarExtent
    reference_height: float
    swaths: tuple[GrdGeometry | SlcSwathGeometry, ...]
    lookup: GroundLookup


def _imaging(acq: S1Acquisition, scene: GroundScene) -> Imaging:
    height, width = scene.grid.shape
    lon, lat = grid_lonlat(scene.grid, np.array(width / 2), np.array(height / 2))
    centre_height = float(scene.dem[height // 2, width // 2])
    orbit, tau = place_track(float(lon), float(lat), centre_height, acq.pass_direction, track_incidence(acq.relative_orbit))
    extent = scene_radar_extent(orbit, scene, tau)
    reference_height = round(float(np.mean(scene.dem)), 3)
    swaths: tuple[GrdGeometry | SlcSwathGeometry, ...]
    if acq.product_type == "GRD":
        swaths = (grd_geometry(orbit, extent, reference_height, DEFAULT_MARGIN),)
    else:
        swaths = tuple(slc_swaths(orbit, extent, reference_height, DEFAULT_MARGIN))
    corners = [(s.line_tau(np.array([0, s.lines - 1])), s.slant_range(np.array([0, s.lines - 1]), np.array([0, s.samples - 1]))) for s in swaths]
    taus = np.concatenate([t for t, _ in corners])
    ranges = np.concatenate([r.ravel() for _, r in corners])
    lookup = GroundLookup(orbit, scene, (taus.min() - 0.2, taus.max() + 0.2), (ranges.min() - 500.0, ranges.max() + 500.0))
    return Imaging(orbit, extent, reference_height, swaths, lookup)


def _compact(time: np.datetime64) -> str:
    """``20210401T052624`` of a time."""
    return np.datetime_as_string(time, unit="s").replace("-", "").replace(":", "")


@dataclass(frozen=True)
class Product:
    """One acquisition: its numbering, timing and names; geometry from the shared :class:`Imaging`."""

    acq: S1Acquisition
    imaging: Imaging
    absolute_orbit: int
    datatake: int
    anx_time: np.datetime64  # [us]; first line time = acquisition start time

    def time(self, tau: np.ndarray | float) -> np.ndarray:
        """UTC (datetime64[us]) of τ seconds after the ascending node."""
        return self.anx_time + np.round(np.asarray(tau) * 1e6).astype("timedelta64[us]")

    @property
    def swath_names(self) -> list[str]:
        return ["IW" if isinstance(s, GrdGeometry) else s.swath for s in self.imaging.swaths]

    def swath_times(self, swath: GrdGeometry | SlcSwathGeometry) -> tuple[np.datetime64, np.datetime64]:
        return self.time(swath.line_tau(0)), self.time(swath.line_tau(swath.lines - 1))

    @property
    def start(self) -> np.datetime64:
        return min(self.swath_times(s)[0] for s in self.imaging.swaths)

    @property
    def stop(self) -> np.datetime64:
        return max(self.swath_times(s)[1] for s in self.imaging.swaths)

    @property
    def name(self) -> str:
        kind = "GRDH" if self.acq.product_type == "GRD" else "SLC_"
        code = POLARISATION_CODE[tuple(sorted(self.acq.polarisations))]
        stem = f"{self.acq.platform}_IW_{kind}_1S{code}_{_compact(self.start)}_{_compact(self.stop)}_{self.absolute_orbit:06d}_{self.datatake:06X}"
        return f"{stem}_{zlib.crc32(stem.encode()) & 0xFFFF:04X}.SAFE"

    def file_stem(self, swath: GrdGeometry | SlcSwathGeometry, swath_name: str, polarisation: str, image: int) -> str:
        """``s1a-iw-grd-vv-<start>-<stop>-<orbit>-<datatake>-<image>`` of one measurement and its metadata."""
        start, stop = (_compact(t).lower() for t in self.swath_times(swath))
        kind = self.acq.product_type.lower()
        return (
            f"{self.acq.platform.lower()}-{swath_name.lower()}-{kind}-{polarisation.lower()}-{start}-{stop}"
            f"-{self.absolute_orbit:06d}-{self.datatake:06x}-{image:03d}"
        )

    def images(self) -> list[tuple[int, GrdGeometry | SlcSwathGeometry, str, str, int]]:
        """(swath index, geometry, swath name, polarisation, image number); SLC numbering lists cross-polar first, as ESA."""
        pols = self.acq.polarisations if self.acq.product_type == "GRD" else tuple(sorted(self.acq.polarisations))
        entries = [(i, s, n, p) for p in pols for i, (s, n) in enumerate(zip(self.imaging.swaths, self.swath_names, strict=True))]
        return [(*entry, number) for number, entry in enumerate(entries, start=1)]


def _product(acq: S1Acquisition, imaging: Imaging) -> Product:
    orbit_number = absolute_orbit(acq.platform, acq.relative_orbit, acq.start_time)
    start = np.datetime64(acq.start_time.astimezone(dt.UTC).replace(tzinfo=None), "us")
    first_tau = min(float(s.line_tau(0)) for s in imaging.swaths)
    anx_time = start - np.timedelta64(round(first_tau * 1e6), "us")
    datatake = zlib.crc32(f"{acq.platform}{orbit_number}{_compact(start)}".encode()) & 0xFFFFF
    return Product(acq, imaging, orbit_number, datatake, anx_time)


# --- radiometric LUT models ------------------------------------------------------------------------------------------


def calibration_values(incidence: np.ndarray, product_type: str) -> dict[str, np.ndarray]:
    """Calibration LUTs at ellipsoid incidence angles (degrees): σ⁰ = β⁰·sin θ, γ⁰ = β⁰·tan θ."""
    beta = BETA_NOUGHT[product_type]
    theta = np.radians(incidence)
    return {
        "sigmaNought": beta / np.sqrt(np.sin(theta)),
        "betaNought": np.full(theta.shape, beta),
        "gamma": beta / np.sqrt(np.tan(theta)),
        "dn": np.full(theta.shape, beta / math.sqrt(ABSOLUTE_CALIBRATION_CONSTANT)),
    }


def _swath_intervals(swath_name: str) -> list[tuple[str, float, float]]:
    """Incidence intervals of the sub-swaths in an image: nominal for an SLC sub-swath, merged for a GRD."""
    if swath_name != "IW":
        return [(swath_name, *SUB_SWATHS[swath_name].incidence)]
    bounds = (SUB_SWATHS["IW1"].incidence[0], *GRD_SWATH_LIMITS, SUB_SWATHS["IW3"].incidence[1])
    return [(name, bounds[k], bounds[k + 1]) for k, name in enumerate(SUB_SWATHS)]


def noise_equivalent_sigma0(incidence: np.ndarray, swath_name: str) -> np.ndarray:
    """NESZ (linear): −24 dB at the centre of each sub-swath, −20 dB at its edges."""
    position = np.zeros_like(incidence)
    for k, (_, low, high) in enumerate(_swath_intervals(swath_name)):
        selected = incidence >= low if k else np.ones(incidence.shape, bool)
        position = np.where(selected, np.clip((incidence - low) / (high - low), 0.0, 1.0), position)
    return 10.0 ** ((-24.0 + 4.0 * (2.0 * position - 1.0) ** 2) / 10.0)


def grd_scalloping(tau: np.ndarray, swath_name: str) -> np.ndarray:
    """Azimuth noise factor of a GRD block: peaks of 1.13 between the bursts of its sub-swath."""
    phase = ((tau - SUB_SWATHS[swath_name].burst_offset) % BURST_CYCLE) / BURST_CYCLE
    return 1.0 + 0.13 * (2.0 * phase - 1.0) ** 2


def slc_scalloping(line_in_burst: np.ndarray, lines_per_burst: int) -> np.ndarray:
    """Azimuth noise factor along an SLC burst: 1 at the burst centre, 1.15 at its ends."""
    half = (lines_per_burst - 1) / 2
    return 1.0 + 0.15 * ((line_in_burst - half) / half) ** 2


# --- XML helpers -----------------------------------------------------------------------------------------------------


def _el(parent: etree._Element, tag: str, text: object = None, **attrib: str) -> etree._Element:
    """Child element; ``prefix:tag`` uses the SAFE namespaces."""
    if ":" in tag:
        prefix, local = tag.split(":")
        tag = f"{{{SAFE_NAMESPACES[prefix]}}}{local}"
    element = etree.SubElement(parent, tag, attrib)
    if text is not None:
        element.text = str(text)
    return element


def _f(value: float) -> str:
    return f"{value:.15e}"


def _f6(value: float) -> str:
    return f"{value:.6e}"


def _list(values: np.ndarray, spec: str = "") -> str:
    return " ".join(format(v, spec) for v in np.asarray(values).ravel().tolist())


def _utc(time: np.datetime64) -> str:
    return np.datetime_as_string(np.datetime64(time, "us"), unit="us")


def _write_xml(root: etree._Element, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(root, encoding="UTF-8", pretty_print=True))


def _header(root: etree._Element, product: Product, swath: GrdGeometry | SlcSwathGeometry, swath_name: str, pol: str, image: int) -> None:
    header = _el(root, "adsHeader")
    start, stop = product.swath_times(swath)
    for tag, value in (
        ("missionId", product.acq.platform),
        ("productType", product.acq.product_type),
        ("polarisation", pol),
        ("mode", "IW"),
        ("swath", swath_name),
        ("startTime", _utc(start)),
        ("stopTime", _utc(stop)),
        ("absoluteOrbitNumber", product.absolute_orbit),
        ("missionDataTakeId", product.datatake),
        ("imageNumber", f"{image:03d}"),
    ):
        _el(header, tag, value)


# --- LUT nodes ---------------------------------------------------------------------------------------------------------


def _lut_pixels(samples: int) -> np.ndarray:
    return np.unique(np.append(np.arange(0, samples, LUT_PIXEL_STEP), samples - 1))


def _ellipsoid_incidence(imaging: Imaging, swath: GrdGeometry | SlcSwathGeometry, lines: np.ndarray, pixels: np.ndarray) -> np.ndarray:
    """Incidence (degrees) on the ellipsoid at the reference height, lines × pixels."""
    tau = swath.line_tau(lines)[:, None]
    slant_range = swath.slant_range(lines, pixels)
    points = ground_point(imaging.orbit, tau, slant_range, imaging.reference_height)
    sensor, _ = imaging.orbit.state(tau)
    return incidence_angle(points, sensor)


def _vector_lines(swath: GrdGeometry | SlcSwathGeometry) -> np.ndarray:
    """Calibration-vector lines: ~1 s apart (at least 5 vectors) for GRD; start, middle and end of each SLC burst."""
    if isinstance(swath, GrdGeometry):
        step = max(1, min(round(1.0 / swath.azimuth_time_interval), (swath.lines - 1) // 4))
        return np.unique(np.append(np.arange(0, swath.lines, step), swath.lines - 1))
    starts = np.arange(0, swath.lines, swath.lines_per_burst)
    return np.unique(np.concatenate([starts, starts + swath.lines_per_burst // 2, starts + swath.lines_per_burst - 1]))


def _noise_lines(swath: GrdGeometry | SlcSwathGeometry) -> np.ndarray:
    if isinstance(swath, GrdGeometry):
        return _vector_lines(swath)
    starts = np.arange(0, swath.lines, swath.lines_per_burst)
    return np.unique(np.concatenate([starts, starts + swath.lines_per_burst - 1]))


# --- calibration and noise files ---------------------------------------------------------------------------------------


def _calibration_xml(product: Product, swath: GrdGeometry | SlcSwathGeometry, swath_name: str, pol: str, image: int) -> etree._Element:
    root = etree.Element("calibration")
    _header(root, product, swath, swath_name, pol, image)
    _el(_el(root, "calibrationInformation"), "absoluteCalibrationConstant", _f6(ABSOLUTE_CALIBRATION_CONSTANT))
    lines, pixels = _vector_lines(swath), _lut_pixels(swath.samples)
    values = calibration_values(_ellipsoid_incidence(product.imaging, swath, lines, pixels), product.acq.product_type)
    vectors = _el(root, "calibrationVectorList", count=str(len(lines)))
    for k, line in enumerate(lines):
        vector = _el(vectors, "calibrationVector")
        _el(vector, "azimuthTime", _utc(product.time(swath.line_tau(line))))
        _el(vector, "line", int(line))
        _el(vector, "pixel", _list(pixels), count=str(len(pixels)))
        for kind in ("sigmaNought", "betaNought", "gamma", "dn"):
            _el(vector, kind, _list(values[kind][k], ".6e"), count=str(len(pixels)))
    return root


def _noise_xml(product: Product, swath: GrdGeometry | SlcSwathGeometry, swath_name: str, pol: str, image: int) -> etree._Element:
    root = etree.Element("noise")
    _header(root, product, swath, swath_name, pol, image)
    lines, pixels = _noise_lines(swath), _lut_pixels(swath.samples)
    incidence = _ellipsoid_incidence(product.imaging, swath, lines, pixels)
    power = noise_equivalent_sigma0(incidence, swath_name) * calibration_values(incidence, product.acq.product_type)["sigmaNought"] ** 2
    range_list = _el(root, "noiseRangeVectorList", count=str(len(lines)))
    for k, line in enumerate(lines):
        vector = _el(range_list, "noiseRangeVector")
        _el(vector, "azimuthTime", _utc(product.time(swath.line_tau(line))))
        _el(vector, "line", int(line))
        _el(vector, "pixel", _list(pixels), count=str(len(pixels)))
        _el(vector, "noiseRangeLut", _list(power[k], ".6e"), count=str(len(pixels)))
    blocks = _azimuth_blocks(product, swath, swath_name)
    azimuth_list = _el(root, "noiseAzimuthVectorList", count=str(len(blocks)))
    for name, first_sample, last_sample, block_lines, factors in blocks:
        vector = _el(azimuth_list, "noiseAzimuthVector")
        _el(vector, "swath", name)
        _el(vector, "firstAzimuthLine", 0)
        _el(vector, "firstRangeSample", first_sample)
        _el(vector, "lastAzimuthLine", swath.lines - 1)
        _el(vector, "lastRangeSample", last_sample)
        _el(vector, "line", _list(block_lines), count=str(len(block_lines)))
        _el(vector, "noiseAzimuthLut", _list(factors, ".6e"), count=str(len(block_lines)))
    return root


def _grd_swath_bounds(product: Product, swath: GrdGeometry) -> list[tuple[str, int, int]]:
    """(sub-swath, first sample, last sample) of the GRD image, split where the incidence crosses the merge limits."""
    pixels = _lut_pixels(swath.samples)
    incidence = _ellipsoid_incidence(product.imaging, swath, np.array([swath.lines // 2]), pixels)[0]
    edges = [0]
    for limit in GRD_SWATH_LIMITS:
        if limit <= incidence[0]:
            edges.append(0)
        elif limit > incidence[-1]:
            edges.append(swath.samples)
        else:
            edges.append(math.ceil(np.interp(limit, incidence, pixels)))
    edges.append(swath.samples)
    return [(name, edges[k], edges[k + 1] - 1) for k, name in enumerate(SUB_SWATHS) if edges[k + 1] > edges[k]]


def _azimuth_blocks(product: Product, swath: GrdGeometry | SlcSwathGeometry, swath_name: str) -> list[tuple[str, int, int, np.ndarray, np.ndarray]]:
    """(sub-swath, first sample, last sample, lines, factors) of the noiseAzimuthVector blocks."""
    if isinstance(swath, GrdGeometry):
        lines = np.unique(np.append(np.arange(0, swath.lines, 10), swath.lines - 1))
        tau = swath.line_tau(lines)
        return [(name, first, last, lines, grd_scalloping(tau, name)) for name, first, last in _grd_swath_bounds(product, swath)]
    starts = np.arange(0, swath.lines, swath.lines_per_burst)
    lines = np.unique(np.concatenate([np.arange(0, swath.lines, 10), starts, starts + swath.lines_per_burst - 1]))
    factors = slc_scalloping(lines % swath.lines_per_burst, swath.lines_per_burst)
    return [(swath_name, 0, swath.samples - 1, lines, factors)]


# --- geolocation grid ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GeolocationPoints:
    """Annotation geolocation grid of one swath: lines × pixels, from the geometry model and the DEM."""

    lines: np.ndarray
    pixels: np.ndarray
    tau: np.ndarray  # per line
    slant_range: np.ndarray  # lines × pixels, m
    longitude: np.ndarray
    latitude: np.ndarray
    height: np.ndarray
    incidence: np.ndarray
    elevation: np.ndarray


def _geolocation(imaging: Imaging, swath: GrdGeometry | SlcSwathGeometry) -> GeolocationPoints:
    """21 pixels × 11 lines (GRD), as real products, or × the start and quarters of every burst and the last line (SLC).

    Real SLC grids have lines at burst starts only; the quarters keep bilinear interpolation within ~0.2 m.
    """
    if isinstance(swath, GrdGeometry):
        lines = np.unique(np.round(np.linspace(0, swath.lines - 1, 11)).astype(np.int64))
    else:
        quarters = np.arange(0, swath.lines, swath.lines_per_burst)[:, None] + np.arange(4) * (swath.lines_per_burst // 4)
        lines = np.append(quarters.ravel(), swath.lines - 1)
    pixels = np.unique(np.round(np.linspace(0, swath.samples - 1, GRID_POINTS_ACROSS)).astype(np.int64))
    tau = swath.line_tau(lines)
    slant_range = np.array(swath.slant_range(lines, pixels))
    points = imaging.lookup.ground_points(tau, slant_range)
    sensor = imaging.orbit.state(tau)[0][:, None, :]
    lon, lat, height = geodetic(points)
    return GeolocationPoints(lines, pixels, tau, slant_range, lon, lat, height, incidence_angle(points, sensor), elevation_angle(points, sensor))


def _heading(imaging: Imaging) -> float:
    """Platform heading (degrees from north, clockwise) at the scene-centre time."""
    position, velocity = imaging.orbit.state(imaging.extent.tau_centre)
    lon, lat, _ = geodetic(position)
    lon, lat = np.radians(lon), np.radians(lat)
    east = np.array([-np.sin(lon), np.cos(lon), 0.0])
    north = np.array([-np.sin(lat) * np.cos(lon), -np.sin(lat) * np.sin(lon), np.cos(lat)])
    return float(np.degrees(np.arctan2(velocity @ east, velocity @ north)))


# --- annotation file ---------------------------------------------------------------------------------------------------


def _record_taus(swath: GrdGeometry | SlcSwathGeometry) -> np.ndarray:
    """Times of the FM-rate, Doppler and terrain-height records: one per burst cycle over the image."""
    first, last = float(swath.line_tau(0)), float(swath.line_tau(swath.lines - 1))
    return first - 1.0 + BURST_CYCLE * np.arange(math.ceil((last - first + 2.0) / BURST_CYCLE) + 1)


def _first_slant_range(swath: GrdGeometry | SlcSwathGeometry) -> float:
    return swath.sr0 if isinstance(swath, GrdGeometry) else float(swath.sample_range(0))


def _fm_rate(imaging: Imaging, swath: GrdGeometry | SlcSwathGeometry, tau: float) -> np.ndarray:
    """Azimuth FM rate polynomial in (τ_range − t0): k_a = −2·|V|·v_ground / (λ·R)."""
    middle = np.array([swath.lines // 2])
    ranges = np.linspace(_first_slant_range(swath), float(swath.slant_range(middle, np.array([swath.samples - 1]))[0, 0]), 50)
    _, velocity = imaging.orbit.state(tau)
    rate = -2.0 * np.linalg.norm(velocity) * imaging.extent.ground_speed * RADAR_FREQUENCY / (SPEED_OF_LIGHT * ranges)
    times = 2.0 * ranges / SPEED_OF_LIGHT
    return np.polynomial.polynomial.polyfit(times - times[0], rate, 2)


def _annotation_xml(
    product: Product,
    swath: GrdGeometry | SlcSwathGeometry,
    swath_name: str,
    pol: str,
    image: int,
    grid: GeolocationPoints,
    burst_offsets: Sequence[int],
) -> etree._Element:
    imaging, grd = product.imaging, isinstance(swath, GrdGeometry)
    root = etree.Element("product")
    _header(root, product, swath, swath_name, pol, image)
    quality = _el(root, "qualityInformation")
    _el(quality, "productQualityIndex", _f(0.0))
    _el(quality, "qualityDataList", count="0")

    general = _el(root, "generalAnnotation")
    info = _el(general, "productInformation")
    steering = SUB_SWATHS["IW1" if grd else swath_name].steering_rate
    for tag, value in (
        ("pass", product.acq.pass_direction.capitalize()),
        ("timelinessCategory", "Fast-24h"),
        ("platformHeading", _f(_heading(imaging))),
        ("projection", "Ground Range" if grd else "Slant Range"),
        ("rangeSamplingRate", _f(RANGE_SAMPLING_RATE)),
        ("radarFrequency", _f(RADAR_FREQUENCY)),
        ("azimuthSteeringRate", _f(steering)),
    ):
        _el(info, tag, value)
    _el(general, "downlinkInformationList", count="0")
    first, last = product.swath_times(swath)
    earliest = (first - np.timedelta64(60, "s")).astype("datetime64[s]")
    earliest -= earliest.astype(np.int64) % 10  # state vectors on whole 10 s of UTC, a minute beyond the image
    vector_times = np.arange(earliest, last + np.timedelta64(70, "s"), np.timedelta64(10, "s")).astype("datetime64[us]")
    positions, velocities = imaging.orbit.state((vector_times - product.anx_time) / np.timedelta64(1, "s"))
    orbits = _el(general, "orbitList", count=str(len(vector_times)))
    for time, position, velocity in zip(vector_times, positions, velocities, strict=True):
        orbit = _el(orbits, "orbit")
        _el(orbit, "time", _utc(time))
        _el(orbit, "frame", "Earth Fixed")
        for tag, vector in (("position", position), ("velocity", velocity)):
            element = _el(orbit, tag)
            for axis, value in zip("xyz", vector, strict=True):
                _el(element, axis, _f(value))
    for tag in ("attitudeList", "rawDataAnalysisList", "replicaInformationList", "noiseList"):
        _el(general, tag, count="0")
    records = _record_taus(swath)
    heights = _el(general, "terrainHeightList", count=str(len(records)))
    fm_rates = _el(general, "azimuthFmRateList", count=str(len(records)))
    t0 = _f(2.0 * _first_slant_range(swath) / SPEED_OF_LIGHT)
    for tau in records:
        height = _el(heights, "terrainHeight")
        _el(height, "azimuthTime", _utc(product.time(tau)))
        _el(height, "value", _f(imaging.reference_height))
        fm_rate = _el(fm_rates, "azimuthFmRate")
        _el(fm_rate, "azimuthTime", _utc(product.time(tau)))
        _el(fm_rate, "t0", t0)
        _el(fm_rate, "azimuthFmRatePolynomial", _list(_fm_rate(imaging, swath, tau), ".15e"), count="3")

    image_annotation = _el(root, "imageAnnotation")
    image_info = _el(image_annotation, "imageInformation")
    middle_incidence = _ellipsoid_incidence(imaging, swath, np.array([swath.lines // 2]), np.array([swath.samples // 2]))
    azimuth_spacing = GRD_PIXEL_SPACING if grd else imaging.extent.ground_speed * swath.azimuth_time_interval
    for tag, value in (
        ("productFirstLineUtcTime", _utc(first)),
        ("productLastLineUtcTime", _utc(last)),
        ("ascendingNodeTime", _utc(product.anx_time)),
        ("anchorTime", _utc(first)),
        ("productComposition", "Individual"),
        ("slantRangeTime", t0),
        ("pixelValue", "Detected" if grd else "Complex"),
        ("outputPixels", "16 bit Unsigned Integer" if grd else "16 bit Signed Integer"),
        ("rangePixelSpacing", _f6(GRD_PIXEL_SPACING if grd else SPEED_OF_LIGHT / (2 * RANGE_SAMPLING_RATE))),
        ("azimuthPixelSpacing", _f6(azimuth_spacing)),
        ("azimuthTimeInterval", _f(swath.azimuth_time_interval)),
        ("azimuthFrequency", _f(1.0 / swath.azimuth_time_interval)),
        ("numberOfSamples", swath.samples),
        ("numberOfLines", swath.lines),
        ("incidenceAngleMidSwath", _f(float(middle_incidence[0, 0]))),
    ):
        _el(image_info, tag, value)
    processing = _el(image_annotation, "processingInformation")
    for tag, value in (
        ("srgrConversionApplied", str(grd).lower()),
        ("detectionPerformed", str(grd).lower()),
        ("thermalNoiseCorrectionPerformed", "false"),
        ("ellipsoidName", "WGS84"),
        ("ellipsoidSemiMajorAxis", _f(6378137.0)),
        ("ellipsoidSemiMinorAxis", _f(6356752.314245)),
    ):
        _el(processing, tag, value)

    estimates = _el(_el(root, "dopplerCentroid"), "dcEstimateList", count=str(len(records)))
    for tau in records:  # zero-Doppler steered geometry: the synthetic data have no Doppler centroid offset
        estimate = _el(estimates, "dcEstimate")
        for tag, value in (
            ("azimuthTime", _utc(product.time(tau))),
            ("t0", t0),
            ("geometryDcPolynomial", "0.000000e+00 0.000000e+00 0.000000e+00"),
            ("dataDcPolynomial", "0.000000e+00 0.000000e+00 0.000000e+00"),
            ("dataDcRmsError", _f(0.0)),
            ("dataDcRmsErrorAboveThreshold", "false"),
            ("fineDceAzimuthStartTime", _utc(product.time(tau - 1.0))),
            ("fineDceAzimuthStopTime", _utc(product.time(tau + 1.0))),
        ):
            _el(estimate, tag, value, **({"count": "3"} if tag.endswith("Polynomial") else {}))
        _el(estimate, "fineDceList", count="0")
    _el(_el(root, "antennaPattern"), "antennaPatternList", count="0")

    timing = _el(root, "swathTiming")
    _el(timing, "linesPerBurst", 0 if grd else swath.lines_per_burst)
    _el(timing, "samplesPerBurst", 0 if grd else swath.samples)
    bursts = _el(timing, "burstList", count=str(0 if grd else len(swath.burst_taus)))
    if not grd:
        line_in_burst = np.arange(swath.lines_per_burst)
        valid = swath.valid_lines(line_in_burst)
        first_valid, last_valid = np.where(valid, 0, -1), np.where(valid, swath.samples - 1, -1)
        for tau, offset in zip(swath.burst_taus, burst_offsets, strict=True):
            burst = _el(bursts, "burst")
            _el(burst, "azimuthTime", _utc(product.time(tau)))
            _el(burst, "azimuthAnxTime", _f(tau))
            _el(burst, "sensingTime", _utc(product.time(tau)))
            _el(burst, "byteOffset", offset)
            _el(burst, "firstValidSample", _list(first_valid), count=str(swath.lines_per_burst))
            _el(burst, "lastValidSample", _list(last_valid), count=str(swath.lines_per_burst))

    points = _el(_el(root, "geolocationGrid"), "geolocationGridPointList", count=str(grid.longitude.size))
    for i, line in enumerate(grid.lines):
        for j, pixel in enumerate(grid.pixels):
            point = _el(points, "geolocationGridPoint")
            for tag, value in (
                ("azimuthTime", _utc(product.time(grid.tau[i]))),
                ("slantRangeTime", _f(2.0 * grid.slant_range[i, j] / SPEED_OF_LIGHT)),
                ("line", int(line)),
                ("pixel", int(pixel)),
                ("latitude", _f(grid.latitude[i, j])),
                ("longitude", _f(grid.longitude[i, j])),
                ("height", _f(grid.height[i, j])),
                ("incidenceAngle", _f(grid.incidence[i, j])),
                ("elevationAngle", _f(grid.elevation[i, j])),
            ):
                _el(point, tag, value)

    conversions = _el(_el(root, "coordinateConversion"), "coordinateConversionList", count=str(len(swath.record_taus) if grd else 0))
    if grd:
        for k, tau in enumerate(swath.record_taus):
            record = _el(conversions, "coordinateConversion")
            _el(record, "azimuthTime", _utc(product.time(tau)))
            _el(record, "slantRangeTime", t0)
            _el(record, "sr0", _f(swath.sr0))
            _el(record, "srgrCoefficients", _list(swath.srgr[k], ".15e"), count=str(swath.srgr.shape[1]))
            _el(record, "gr0", _f(0.0))
            _el(record, "grsrCoefficients", _list(swath.grsr[k], ".15e"), count=str(swath.grsr.shape[1]))

    merges = _el(_el(root, "swathMerging"), "swathMergeList", count=str(len(_grd_swath_bounds(product, swath)) if grd else 0))
    if grd:
        for name, first_sample, last_sample in _grd_swath_bounds(product, swath):
            merge = _el(merges, "swathMerge")
            _el(merge, "swath", name)
            bounds = _el(_el(merge, "swathBoundsList", count="1"), "swathBounds")
            for tag, value in (
                ("azimuthTime", _utc(first)),
                ("firstAzimuthLine", 0),
                ("firstRangeSample", first_sample),
                ("lastAzimuthLine", swath.lines - 1),
                ("lastRangeSample", last_sample),
            ):
                _el(bounds, tag, value)
    return root


# --- measurements ------------------------------------------------------------------------------------------------------


def _sample_nearest(values: np.ndarray, col: np.ndarray, row: np.ndarray) -> np.ndarray:
    """Values of the scene cells containing the fractional grid positions; NaN outside the grid."""
    height, width = values.shape
    c, r = np.floor(col).astype(np.intp), np.floor(row).astype(np.intp)
    inside = (c >= 0) & (c < width) & (r >= 0) & (r < height)
    result = np.full(col.shape, np.nan)
    result[inside] = values[r[inside], c[inside]]
    return result


def _circular_gaussian(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Unit-power circular complex Gaussian samples."""
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) / math.sqrt(2.0)


def _create_measurement(path: Path, swath: GrdGeometry | SlcSwathGeometry, dtype: str, grid: GeolocationPoints, description: str):
    """An uncompressed GeoTIFF with one-line strips and the geolocation grid as GCPs, like the real measurements."""
    path.parent.mkdir(parents=True, exist_ok=True)
    gcps = [
        GroundControlPoint(row=float(line), col=float(pixel), x=grid.longitude[i, j], y=grid.latitude[i, j], z=grid.height[i, j], id=str(k))
        for k, (i, j, line, pixel) in enumerate((i, j, line, pixel) for i, line in enumerate(grid.lines) for j, pixel in enumerate(grid.pixels))
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        dataset = rasterio.open(path, "w", driver="GTiff", width=swath.samples, height=swath.lines, count=1, dtype=dtype, tiled=False, blockysize=1)
    dataset.gcps = (gcps, CRS.from_epsg(4326))
    dataset.update_tags(TIFFTAG_IMAGEDESCRIPTION=description, TIFFTAG_SOFTWARE="s4c-sample synthetic Sentinel-1 generator")
    return dataset


def _line_blocks(swath: GrdGeometry | SlcSwathGeometry) -> list[np.ndarray]:
    lines_per_block = max(1, BLOCK_PIXELS // swath.samples)
    return [np.arange(first, min(first + lines_per_block, swath.lines)) for first in range(0, swath.lines, lines_per_block)]


def _write_grd_measurements(
    product: Product,
    swath: GrdGeometry,
    paths: Mapping[str, Path],
    grid: GeolocationPoints,
    sigma0: Mapping[str, np.ndarray],
    luts: Mapping[str, tuple[CalibrationVectors, NoiseVectors]],
    seed: int,
    looks: float,
) -> None:
    cols = np.arange(swath.samples)
    description = f"Sentinel-1{product.acq.platform[-1]} IW GRD HR L1"
    with ExitStack() as stack:
        outputs = {pol: stack.enter_context(_create_measurement(path, swath, "uint16", grid, description)) for pol, path in paths.items()}
        for block, rows in enumerate(_line_blocks(swath)):
            col, row, _ = product.imaging.lookup.locate(swath.line_tau(rows), swath.slant_range(rows, cols))
            for index, pol in enumerate(product.acq.polarisations):
                calibration, noise = luts[pol]
                truth = _sample_nearest(sigma0[pol], col, row)
                signal = truth * calibration.lut("sigmaNought", rows, cols) ** 2 + noise.lut(rows, cols)
                speckle = np.random.default_rng([seed, 0, index, block]).gamma(looks, 1.0 / looks, truth.shape)
                dn = np.where(np.isfinite(truth), np.clip(np.rint(np.sqrt(signal * speckle)), 1, 65535), 0).astype(np.uint16)
                outputs[pol].write(dn, 1, window=Window(0, int(rows[0]), swath.samples, len(rows)))


def _write_slc_measurements(
    products: Sequence[Product],
    swath_index: int,
    swath: SlcSwathGeometry,
    pol_index: int,
    pol: str,
    paths: Sequence[Path],
    grid: GeolocationPoints,
    sigma0: Sequence[Mapping[str, np.ndarray]],
    coherence: Sequence[np.ndarray],
    luts: tuple[CalibrationVectors, NoiseVectors],
    seed: int,
) -> list[list[int]]:
    """Write one (sub-swath, polarisation) of every product; returns the byte offset of each burst, per product."""
    cols = np.arange(swath.samples)
    calibration, noise = luts
    with ExitStack() as stack:
        outputs = [
            stack.enter_context(_create_measurement(path, swath, "complex_int16", grid, f"Sentinel-1{p.acq.platform[-1]} IW SLC L1"))
            for path, p in zip(paths, products, strict=True)
        ]
        for block, rows in enumerate(_line_blocks(swath)):
            col, row, _ = products[0].imaging.lookup.locate(swath.line_tau(rows), swath.slant_range(rows, cols))
            valid_lines = swath.valid_lines(rows)[:, None]
            power_scale = calibration.lut("sigmaNought", rows, cols) ** 2
            noise_power = noise.lut(rows, cols)
            rng = np.random.default_rng([seed, 1, swath_index, pol_index, block])
            field = _circular_gaussian(rng, col.shape)
            for i, output in enumerate(outputs):
                if i:
                    g = np.clip(np.nan_to_num(_sample_nearest(coherence[i - 1], col, row)), 0.0, 1.0)
                    field = g * field + np.sqrt(1.0 - g * g) * _circular_gaussian(rng, col.shape)
                truth = _sample_nearest(sigma0[i][pol], col, row)
                dn = np.where(np.isfinite(truth) & valid_lines, np.sqrt(truth * power_scale + noise_power) * field, 0.0)
                encoded = np.clip(np.rint(dn.real), -32767, 32767) + 1j * np.clip(np.rint(dn.imag), -32767, 32767)
                output.write(encoded.astype(np.complex64), 1, window=Window(0, int(rows[0]), swath.samples, len(rows)))
    offsets = []
    for path in paths:
        with rasterio.open(path) as src:
            offsets.append([int(src.get_tag_item(f"BLOCK_OFFSET_0_{line}", "TIFF", bidx=1)) for line in range(0, swath.lines, swath.lines_per_burst)])
    return offsets


# --- manifest ----------------------------------------------------------------------------------------------------------

SCHEMA_OF_KIND = {
    "annotation": ("s1Level1ProductSchema", "product", "text/xml"),
    "calibration": ("s1Level1CalibrationSchema", "calibration", "text/xml"),
    "noise": ("s1Level1NoiseSchema", "noise", "text/xml"),
    "measurement": ("s1Level1MeasurementSchema", "", "application/octet-stream"),
}
SCHEMA_FILES = {
    "s1Level1ProductSchema": "s1-level-1-product.xsd",
    "s1Level1NoiseSchema": "s1-level-1-noise.xsd",
    "s1Level1CalibrationSchema": "s1-level-1-calibration.xsd",
    "s1ObjectTypesSchema": "s1-object-types.xsd",
    "s1Level1MeasurementSchema": "s1-level-1-measurement.xsd",
}


def _md5(path: Path) -> str:
    digest = hashlib.md5()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _footprint(grids: Sequence[GeolocationPoints]) -> str:
    """gml:coordinates (lat,lon) of the image corners in ESA order: last line near, last far, first far, first near."""
    near, far = grids[0], grids[-1]
    corners = [(near, -1, 0), (far, -1, -1), (far, 0, -1), (near, 0, 0)]
    return " ".join(f"{g.latitude[i, j]:.6f},{g.longitude[i, j]:.6f}" for g, i, j in corners)


def _wrap(section: etree._Element, identifier: str, text: str) -> etree._Element:
    metadata = _el(section, "metadataObject", ID=identifier, classification="DESCRIPTION", category="DMD")
    return _el(_el(metadata, "metadataWrap", mimeType="text/xml", vocabularyName="SAFE", textInfo=text), "xmlData")


def _manifest_xml(product: Product, safe: Path, files: Sequence[tuple[str, str]], grids: Sequence[GeolocationPoints]) -> etree._Element:
    """``files``: (kind, href relative to the product) of every annotation, calibration, noise and measurement file."""
    acq, grd = product.acq, product.acq.product_type == "GRD"
    nsmap = {k: SAFE_NAMESPACES[k] for k in ("xfdu", "safe", "s1", "s1sar", "s1sarl1", "gml")}
    root = etree.Element(
        f"{{{SAFE_NAMESPACES['xfdu']}}}XFDU", nsmap=nsmap, version=f"esa/safe/sentinel-1.0/sentinel-1/sar/level-1/{acq.product_type.lower()}/standard/iwdp"
    )
    identifiers = {href: SCHEMA_OF_KIND[kind][1] + Path(href).stem.replace("-", "") for kind, href in files}
    package = _el(
        _el(root, "informationPackageMap"),
        "xfdu:contentUnit",
        unitType="SAFE Archive Information Package",
        textInfo=f"Sentinel-1 IW Level-1 {acq.product_type} Product",
        dmdID="acquisitionPeriod platform generalProductInformation measurementOrbitReference measurementFrameSet",
        pdiID="processing",
    )
    for kind, href in files:
        schema = SCHEMA_OF_KIND[kind][0]
        if kind == "measurement":
            stem = Path(href).stem.replace("-", "")
            annotations = " ".join(f"{prefix}{stem}Annotation" for prefix in ("product", "noise", "calibration"))
            unit = _el(package, "xfdu:contentUnit", unitType="Measurement Data Unit", repID=schema, dmdID=annotations)
        else:
            unit = _el(package, "xfdu:contentUnit", unitType="Metadata Unit", repID=schema)
        _el(unit, "dataObjectPointer", dataObjectID=identifiers[href])

    section = _el(root, "metadataSection")
    for kind, href in files:
        if kind != "measurement":
            metadata = _el(section, "metadataObject", ID=f"{identifiers[href]}Annotation", classification="DESCRIPTION", category="DMD")
            _el(metadata, "dataObjectPointer", dataObjectID=identifiers[href])
    processed = product.stop + np.timedelta64(3600, "s")  # derived from the acquisition, never the wall clock
    provenance = _el(section, "metadataObject", ID="processing", classification="PROVENANCE", category="PDI")
    wrap = _el(_el(provenance, "metadataWrap", mimeType="text/xml", vocabularyName="SAFE", textInfo="Processing"), "xmlData")
    processing = _el(
        wrap, "safe:processing", name=f"{acq.product_type} Post Processing", start=_utc(processed), stop=_utc(processed + np.timedelta64(600, "s"))
    )
    facility = _el(processing, "safe:facility", country="-", name="s4c-sample synthetic generator", organisation="Sen4CAP reimplementation", site="-")
    _el(facility, "safe:software", name="Sentinel-1 IPF", version=IPF_VERSION)

    platform = _el(_wrap(section, "platform", "Platform Description"), "safe:platform")
    _el(platform, "safe:nssdcIdentifier", NSSDC_IDENTIFIER[acq.platform])
    _el(platform, "safe:familyName", "SENTINEL-1")
    _el(platform, "safe:number", acq.platform[-1])
    instrument = _el(platform, "safe:instrument")
    _el(instrument, "safe:familyName", "Synthetic Aperture Radar", abbreviation="SAR")
    mode = _el(_el(instrument, "safe:extension"), "s1sarl1:instrumentMode")
    _el(mode, "s1sarl1:mode", "IW")
    for name in ("IW1", "IW2", "IW3") if grd else product.swath_names:
        _el(mode, "s1sarl1:swath", name)

    reference = _el(_wrap(section, "measurementOrbitReference", "Orbit Reference"), "safe:orbitReference")
    for tag, kind in (("safe:orbitNumber", "start"), ("safe:orbitNumber", "stop")):
        _el(reference, tag, product.absolute_orbit, type=kind)
    for kind in ("start", "stop"):
        _el(reference, "safe:relativeOrbitNumber", acq.relative_orbit, type=kind)
    _el(reference, "safe:cycleNumber", cycle_number(acq.platform, product.absolute_orbit))
    _el(reference, "safe:phaseIdentifier", 1)
    properties = _el(_el(reference, "safe:extension"), "s1:orbitProperties")
    _el(properties, "s1:pass", acq.pass_direction)
    _el(properties, "s1:ascendingNodeTime", _utc(product.anx_time))

    general = _el(_wrap(section, "generalProductInformation", "General Product Information"), "s1sarl1:standAloneProductInformation")
    for tag, value in (
        ("instrumentConfigurationID", 1),
        ("missionDataTakeID", product.datatake),
        *(("transmitterReceiverPolarisation", pol) for pol in acq.polarisations),
        ("productClass", "S"),
        ("productClassDescription", "SAR Standard L1 Product"),
        ("productComposition", "Individual"),
        ("productType", acq.product_type),
        ("productTimelinessCategory", "Fast-24h"),
        ("sliceProductFlag", "false"),
    ):
        _el(general, f"s1sarl1:{tag}", value)

    period = _el(_wrap(section, "acquisitionPeriod", "Acquisition Period"), "safe:acquisitionPeriod")
    _el(period, "safe:startTime", _utc(product.start))
    _el(period, "safe:stopTime", _utc(product.stop))
    anx = _el(_el(period, "safe:extension"), "s1:timeANX")
    for tag, time in (("s1:startTimeANX", product.start), ("s1:stopTimeANX", product.stop)):
        _el(anx, tag, _f6((time - product.anx_time) / np.timedelta64(1, "ms")))

    frame = _el(_el(_wrap(section, "measurementFrameSet", "Frame Set"), "safe:frameSet"), "safe:frame")
    footprint = _el(frame, "safe:footPrint", srsName="http://www.opengis.net/gml/srs/epsg.xml#4326")
    _el(footprint, "gml:coordinates", _footprint(grids))
    for identifier, name in SCHEMA_FILES.items():
        schema = _el(section, "metadataObject", ID=identifier, classification="SYNTAX", category="REP")
        _el(schema, "metadataReference", mimeType="text/xml", vocabularyName="XML Schema", locatorType="URL", href=f"./support/{name}")

    objects = _el(root, "dataObjectSection")
    for kind, href in files:
        schema, _, mime = SCHEMA_OF_KIND[kind]
        stream = _el(_el(objects, "dataObject", ID=identifiers[href], repID=schema), "byteStream", mimeType=mime, size=str((safe / href).stat().st_size))
        _el(stream, "fileLocation", locatorType="URL", href=f"./{href}")
        _el(stream, "checksum", _md5(safe / href), checksumName="MD5")
    return root


# --- products ----------------------------------------------------------------------------------------------------------


def _check_scene_arrays(scene: GroundScene, arrays: Mapping[str, np.ndarray], pols: Sequence[str], what: str) -> None:
    for pol in pols:
        if pol not in arrays:
            raise ValueError(f"{what} has no {pol} array")
        if arrays[pol].shape != scene.grid.shape:
            raise ValueError(f"{what}[{pol}] has shape {arrays[pol].shape}, expected the scene grid shape {scene.grid.shape}")


def _new_safe(out_dir: Path, product: Product) -> Path:
    safe = Path(out_dir) / product.name
    if safe.exists():
        shutil.rmtree(safe)
    (safe / "measurement").mkdir(parents=True)
    (safe / "annotation" / "calibration").mkdir(parents=True)
    return safe


def _write_luts(product: Product, safe: Path) -> dict[tuple[int, str], tuple[CalibrationVectors, NoiseVectors]]:
    """Write the calibration and noise files of every image and read them back as a reader will see them."""
    luts = {}
    for index, swath, name, pol, image in product.images():
        stem = product.file_stem(swath, name, pol, image)
        calibration_path = safe / "annotation" / "calibration" / f"calibration-{stem}.xml"
        noise_path = safe / "annotation" / "calibration" / f"noise-{stem}.xml"
        _write_xml(_calibration_xml(product, swath, name, pol, image), calibration_path)
        _write_xml(_noise_xml(product, swath, name, pol, image), noise_path)
        luts[index, pol] = (
            parse_calibration(XmlNode.parse(calibration_path.read_bytes(), str(calibration_path))),
            parse_noise(XmlNode.parse(noise_path.read_bytes(), str(noise_path))),
        )
    return luts


def _finish(product: Product, safe: Path, grids: Sequence[GeolocationPoints], burst_offsets: Mapping[int, Sequence[int]]) -> None:
    """Write the annotation files and the manifest (with sizes and checksums of every file)."""
    files = []
    for index, swath, name, pol, image in product.images():
        stem = product.file_stem(swath, name, pol, image)
        root = _annotation_xml(product, swath, name, pol, image, grids[index], burst_offsets.get(index, ()))
        _write_xml(root, safe / "annotation" / f"{stem}.xml")
        files += [
            ("annotation", f"annotation/{stem}.xml"),
            ("calibration", f"annotation/calibration/calibration-{stem}.xml"),
            ("noise", f"annotation/calibration/noise-{stem}.xml"),
            ("measurement", f"measurement/{stem}.tiff"),
        ]
    order = {"annotation": 0, "noise": 1, "calibration": 2, "measurement": 3}
    files.sort(key=lambda f: (order[f[0]], f[1]))
    _write_xml(_manifest_xml(product, safe, files, grids), safe / "manifest.safe")


def write_grd_safe(out_dir: Path, acq: S1Acquisition, scene: GroundScene, sigma0: Mapping[str, np.ndarray], seed: int, looks: float = 4.4) -> Path:
    """sigma0: polarisation -> linear sigma0 (float32 on scene.grid; NaN outside the land to simulate).
    Samples sigma0 at each GRD pixel's ground position (through the geometry model and the DEM), adds speckle
    (gamma-distributed intensity with `looks` equivalent looks, seeded), adds thermal noise consistent with the
    written noise LUTs, and encodes DN = sqrt((sigma0*A_sigma^2)+noise) as uint16 with the written sigmaNought
    LUT (realistic LUT values ~ a few hundred, varying smoothly with range). Returns the .SAFE folder path."""
    _check_acquisition(acq, "GRD")
    _check_scene_arrays(scene, sigma0, acq.polarisations, "sigma0")
    product = _product(acq, _imaging(acq, scene))
    safe = _new_safe(out_dir, product)
    luts = _write_luts(product, safe)
    swath = product.imaging.swaths[0]
    grid = _geolocation(product.imaging, swath)
    paths = {pol: safe / "measurement" / f"{product.file_stem(swath, name, pol, image)}.tiff" for _, _, name, pol, image in product.images()}
    _write_grd_measurements(product, swath, paths, grid, sigma0, {pol: luts[0, pol] for pol in paths}, seed, looks)
    _finish(product, safe, [grid], {})
    return safe


def write_slc_series(
    out_dir: Path,
    acqs: Sequence[S1Acquisition],
    scene: GroundScene,
    sigma0: Sequence[Mapping[str, np.ndarray]],
    coherence: Sequence[np.ndarray],
    seed: int,
) -> list[Path]:
    """Repeat-pass SLCs on the same relative orbit (zero baseline: identical orbit geometry shifted in time,
    so pixels are co-registered by construction), one per acquisition, sigma0[i] for acqs[i];
    coherence[i] (on scene.grid, in [0,1]) is the true interferometric coherence between acqs[i] and acqs[i+1];
    generate complex circular-Gaussian speckle with a first-order chain z_{i+1} = g*z_i + sqrt(1-g^2)*w_i so that
    consecutive pairs have coherence g and pairs two steps apart g_i*g_{i+1} (see the module documentation).
    IW SLC layout: the sub-swaths IW1..IW3 that see the scene, each with the bursts covering it;
    complex int16 CInt16 measurement TIFFs."""
    if not acqs:
        raise ValueError("no acquisition given")
    for acq in acqs:
        _check_acquisition(acq, "SLC")
        if (acq.relative_orbit, acq.pass_direction, acq.polarisations) != (acqs[0].relative_orbit, acqs[0].pass_direction, acqs[0].polarisations):
            raise ValueError("a repeat-pass series needs one relative orbit, pass direction and polarisation set")
    if len(sigma0) != len(acqs) or len(coherence) != len(acqs) - 1:
        raise ValueError(f"{len(acqs)} acquisitions need {len(acqs)} sigma0 maps and {len(acqs) - 1} coherence maps")
    for i, maps in enumerate(sigma0):
        _check_scene_arrays(scene, maps, acqs[0].polarisations, f"sigma0[{i}]")
    _check_scene_arrays(scene, {str(i): c for i, c in enumerate(coherence)}, [str(i) for i in range(len(coherence))], "coherence")
    imaging = _imaging(acqs[0], scene)
    products = [_product(acq, imaging) for acq in acqs]
    safes = [_new_safe(out_dir, product) for product in products]
    luts = [_write_luts(product, safe) for product, safe in zip(products, safes, strict=True)]
    grids = [_geolocation(imaging, swath) for swath in imaging.swaths]
    offsets: list[dict[int, list[int]]] = [{} for _ in products]
    for index, swath, name, pol, image in products[0].images():
        paths = [safe / "measurement" / f"{p.file_stem(swath, name, pol, image)}.tiff" for p, safe in zip(products, safes, strict=True)]
        pol_index = sorted(acqs[0].polarisations).index(pol)
        # the LUT values depend on the geometry only, identical in every product of the series
        burst_offsets = _write_slc_measurements(products, index, swath, pol_index, pol, paths, grids[index], sigma0, coherence, luts[0][index, pol], seed)
        for product_offsets, burst in zip(offsets, burst_offsets, strict=True):
            product_offsets[index] = burst
    for product, safe, product_offsets in zip(products, safes, offsets, strict=True):
        _finish(product, safe, grids, product_offsets)
    return safes


def zip_safe(safe_dir: Path) -> Path:
    """Zip a SAFE folder as ``<name>.zip`` beside it, members ``<name>.SAFE/...`` sorted, with fixed timestamps."""
    safe_dir = Path(safe_dir)
    target = safe_dir.with_name(safe_dir.name.removesuffix(".SAFE") + ".zip")
    entries = sorted(safe_dir.rglob("*"))
    with zipfile.ZipFile(target, "w") as archive:
        for entry in [safe_dir, *entries]:
            relative = entry.relative_to(safe_dir.parent).as_posix()
            info = zipfile.ZipInfo(relative + "/" if entry.is_dir() else relative, date_time=(1980, 1, 1, 0, 0, 0))
            info.create_system = 3  # Unix, whatever the host
            if entry.is_dir():
                info.external_attr = (0o40755 << 16) | 0x10
                archive.writestr(info, b"")
                continue
            info.external_attr = 0o100644 << 16
            info.compress_type = zipfile.ZIP_STORED if entry.suffix == ".tiff" else zipfile.ZIP_DEFLATED
            with entry.open("rb") as source, archive.open(info, "w", force_zip64=entry.stat().st_size >= 1 << 31) as destination:
                shutil.copyfileobj(source, destination, 1 << 20)
    return target
