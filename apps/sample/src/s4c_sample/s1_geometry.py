"""Orbit and imaging geometry of the synthetic Sentinel-1 IW products.

Model
-----
* Orbit: circular, inclination 98.18°, period of the Sentinel-1 repeat cycle
  (175 orbits in 12 days, semi-major axis ≈ 7077 km, ~700 km above the
  ellipsoid). Positions and velocities are Earth-fixed (ECEF, WGS84) and
  include the Earth rotation. Time is τ, seconds since the ascending-node
  crossing (ANX) of the orbit.
* Track: the ECEF longitude of the ascending node is chosen so that the scene
  centre is seen, right-looking, at a given incidence angle. The same scene,
  pass direction and incidence always give the same ECEF trajectory as a
  function of τ, so repeat passes on one relative orbit have zero baseline.
* Radar coordinates are zero-Doppler time τ and slant range R. The ground point
  of a sample solves (P − S(τ))·V(τ) = 0 and |P − S(τ)| = R with P at its
  geodetic height, the height being iterated on the DEM (h = DEM(P)).
* GRD: lines every ``azimuth_time_interval`` (10 m on the ground), samples 10 m
  apart in ground range, defined by slant-to-ground polynomials fitted on the
  ellipsoid at the reference (mean scene) height, as in the annotation
  ``coordinateConversionList``. SLC: IW sub-swaths sampled at the IW range
  sampling rate, bursts of ~1500 lines on a burst grid fixed relative to ANX.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
from affine import Affine
from pyproj import CRS, Transformer
from s4c_common.raster import Grid
from scipy.optimize import brentq

GM = 3.986004418e14  # m³/s², WGS84
EARTH_ROTATION_RATE = 7.2921150e-5  # rad/s
INCLINATION = math.radians(98.18)
ORBIT_PERIOD = 12 * 86400.0 / 175  # s
MEAN_MOTION = 2 * math.pi / ORBIT_PERIOD  # rad/s
SEMI_MAJOR_AXIS = (GM / MEAN_MOTION**2) ** (1 / 3)  # m
SPEED_OF_LIGHT = 299_792_458.0  # m/s
RADAR_FREQUENCY = 5.405000454334350e9  # Hz
RANGE_SAMPLING_RATE = 6.434523812571428e7  # Hz, IW
SLC_AZIMUTH_TIME_INTERVAL = 2.055556299999998e-3  # s, IW SLC line spacing
BURST_CYCLE = 2.758277  # s, IW burst repetition (ESA burst-ID definition)
GRD_PIXEL_SPACING = 10.0  # m
SLC_INVALID_LINES = 20  # lines at each end of a burst marked invalid (-1 valid samples), as in real products
SRGR_DEGREE = 8  # 9 coefficients as IPF ≥ 3.40: ~0.1 m residual over a full 250 km swath
COORDINATE_CONVERSION_STEP = 1.0  # s between coordinateConversion records
DEFAULT_MARGIN = 1000.0  # m of image kept around the scene on every side


@dataclass(frozen=True)
class SubSwath:
    """Nominal IW sub-swath: ellipsoid incidence bounds (degrees), burst layout and antenna steering rate."""

    incidence: tuple[float, float]
    lines_per_burst: int
    burst_offset: float  # s after the IW1 burst of the same cycle
    steering_rate: float  # degrees/s


# incidence bounds, burst lengths and offsets as in S1B_IW_SLC__1SDV_20210401 (IW3 lines per burst as IW1)
SUB_SWATHS = {
    "IW1": SubSwath((30.4, 36.8), 1501, 0.0, 1.590368784),
    "IW2": SubSwath((36.1, 42.0), 1513, 0.945, 0.979863325),
    "IW3": SubSwath((41.4, 46.2), 1501, 1.85, 1.397440818),
}


@dataclass(frozen=True)
class GroundScene:
    """The area a generator simulates: a UTM grid (10 m) and the DEM on it."""

    grid: Grid
    dem: np.ndarray  # float32 (height, width), metres above the WGS84 ellipsoid


def written(value: float) -> float:
    """``value`` as it reads back from the XML (15 decimals in exponent notation), so writer and readers agree."""
    return float(f"{value:.15e}")


# --- coordinates ---------------------------------------------------------------------------------------------------

_TO_ECEF = Transformer.from_crs("EPSG:4979", "EPSG:4978", always_xy=True)
_TO_GEODETIC = Transformer.from_crs("EPSG:4978", "EPSG:4979", always_xy=True)


def ecef(lon: np.ndarray, lat: np.ndarray, height: np.ndarray) -> np.ndarray:
    """ECEF (…, 3) of geodetic lon/lat (degrees) and ellipsoidal height (m)."""
    lon, lat, height = np.broadcast_arrays(np.asarray(lon, float), np.asarray(lat, float), np.asarray(height, float))
    x, y, z = _TO_ECEF.transform(lon.ravel(), lat.ravel(), height.ravel())
    return np.stack([x, y, z], axis=-1).reshape(*lon.shape, 3)


def geodetic(points: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Longitude, latitude (degrees) and ellipsoidal height (m) of ECEF points (…, 3)."""
    shape = points.shape[:-1]
    lon, lat, height = _TO_GEODETIC.transform(points[..., 0].ravel(), points[..., 1].ravel(), points[..., 2].ravel())
    return np.reshape(lon, shape), np.reshape(lat, shape), np.reshape(height, shape)


def ellipsoid_normal(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    lon, lat = np.radians(lon), np.radians(lat)
    return np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], axis=-1)


@functools.lru_cache(maxsize=8)
def _grid_transformers(crs_wkt: str) -> tuple[Transformer, Transformer]:
    crs = CRS.from_wkt(crs_wkt)
    return Transformer.from_crs("EPSG:4326", crs, always_xy=True), Transformer.from_crs(crs, "EPSG:4326", always_xy=True)


def _affine(transform: Affine, u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return transform.a * u + transform.b * v + transform.c, transform.d * u + transform.e * v + transform.f


def grid_position(grid: Grid, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fractional (col, row) on ``grid`` of lon/lat; pixel (c, r) covers [c, c+1) × [r, r+1)."""
    x, y = _grid_transformers(grid.crs.to_wkt())[0].transform(np.ravel(lon), np.ravel(lat))
    col, row = _affine(~grid.transform, np.asarray(x), np.asarray(y))
    return np.reshape(col, np.shape(lon)), np.reshape(row, np.shape(lon))


def grid_lonlat(grid: Grid, col: np.ndarray, row: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lon/lat of fractional grid positions."""
    x, y = _affine(grid.transform, np.ravel(col).astype(float), np.ravel(row).astype(float))
    lon, lat = _grid_transformers(grid.crs.to_wkt())[1].transform(np.asarray(x), np.asarray(y))
    return np.reshape(lon, np.shape(col)), np.reshape(lat, np.shape(col))


# --- orbit -----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CircularOrbit:
    """Circular orbit whose ascending node is at ECEF longitude ``anx_longitude`` (radians) at τ = 0."""

    anx_longitude: float

    def state(self, tau: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """ECEF position (m) and velocity (m/s), shape (…, 3), at τ (s since ANX)."""
        tau = np.asarray(tau, float)
        u = MEAN_MOTION * tau
        cu, su = np.cos(u), np.sin(u)
        ci, si = math.cos(INCLINATION), math.sin(INCLINATION)
        co, so = math.cos(self.anx_longitude), math.sin(self.anx_longitude)
        a, v = SEMI_MAJOR_AXIS, SEMI_MAJOR_AXIS * MEAN_MOTION
        # inertial frame equal to ECEF at τ = 0
        xi, yi, zi = a * (co * cu - so * su * ci), a * (so * cu + co * su * ci), a * su * si
        vxi, vyi, vzi = v * (-co * su - so * cu * ci), v * (-so * su + co * cu * ci), v * cu * si
        ct, st = np.cos(EARTH_ROTATION_RATE * tau), np.sin(EARTH_ROTATION_RATE * tau)
        x, y = ct * xi + st * yi, -st * xi + ct * yi
        vx = ct * vxi + st * vyi + EARTH_ROTATION_RATE * y
        vy = -st * vxi + ct * vyi - EARTH_ROTATION_RATE * x
        return np.stack([x, y, zi], axis=-1), np.stack([vx, vy, vzi], axis=-1)

    @staticmethod
    def acceleration(position: np.ndarray, velocity: np.ndarray) -> np.ndarray:
        """ECEF acceleration: central (−n²r) plus Coriolis and centrifugal terms of the rotating frame."""
        w, n2 = EARTH_ROTATION_RATE, MEAN_MOTION**2
        x, y, z = position[..., 0], position[..., 1], position[..., 2]
        return np.stack([(w * w - n2) * x + 2 * w * velocity[..., 1], (w * w - n2) * y - 2 * w * velocity[..., 0], -n2 * z], axis=-1)


def _dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.einsum("...i,...i->...", a, b)


def _unit(a: np.ndarray) -> np.ndarray:
    return a / np.linalg.norm(a, axis=-1, keepdims=True)


def zero_doppler(orbit: CircularOrbit, points: np.ndarray, tau_guess: float | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Zero-Doppler time τ and slant range of ECEF points, by Newton iteration on (P − S)·V = 0."""
    tau = np.array(np.broadcast_to(tau_guess, points.shape[:-1]), dtype=float)
    for _ in range(30):
        position, velocity = orbit.state(tau)
        offset = points - position
        derivative = -_dot(velocity, velocity) + _dot(offset, orbit.acceleration(position, velocity))
        step = _dot(offset, velocity) / derivative
        tau -= step
        if np.max(np.abs(step), initial=0.0) < 1e-10:
            break
    position, _ = orbit.state(tau)
    return tau, np.linalg.norm(points - position, axis=-1)


def look_frame(position: np.ndarray, velocity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors of the zero-Doppler plane: towards the Earth centre and to the right of the track."""
    along = _unit(velocity)
    down = -position - _dot(-position, along)[..., None] * along
    down = _unit(down)
    return down, np.cross(down, along)


def ground_point(orbit: CircularOrbit, tau: np.ndarray, slant_range: np.ndarray, height: np.ndarray) -> np.ndarray:
    """ECEF point at zero Doppler τ, slant range R, right of the track, at geodetic ``height``.

    The point lies on the circle S + R(cos α · down + sin α · right); Newton on α with dh/dα = n·dP/dα.
    """
    tau, slant_range, height = np.broadcast_arrays(*(np.asarray(v, float) for v in (tau, slant_range, height)))
    position, velocity = orbit.state(tau)
    down, right = look_frame(position, velocity)
    lon, lat, _ = geodetic(position)
    radius = np.linalg.norm(ecef(lon, lat, 0.0), axis=-1) + height  # sphere through the nadir point, for the start value
    distance = np.linalg.norm(position, axis=-1)
    cos_alpha = (distance**2 + slant_range**2 - radius**2) / (2 * distance * slant_range)
    alpha = np.arccos(np.clip(cos_alpha, -1.0, 1.0))
    r = slant_range[..., None]
    for _ in range(20):
        a = alpha[..., None]
        point = position + r * (np.cos(a) * down + np.sin(a) * right)
        lon, lat, point_height = geodetic(point)
        rate = _dot(ellipsoid_normal(lon, lat), r * (-np.sin(a) * down + np.cos(a) * right))
        step = (point_height - height) / rate
        alpha = alpha - step
        if np.max(np.abs(step * slant_range), initial=0.0) < 1e-6:
            break
    a = alpha[..., None]
    return position + r * (np.cos(a) * down + np.sin(a) * right)


def incidence_angle(points: np.ndarray, sensor: np.ndarray) -> np.ndarray:
    """Angle (degrees) between the ellipsoid normal at the points and the direction to the sensor."""
    lon, lat, _ = geodetic(points)
    cosine = _dot(ellipsoid_normal(lon, lat), _unit(sensor - points))
    return np.degrees(np.arccos(np.clip(cosine, -1.0, 1.0)))


def elevation_angle(points: np.ndarray, sensor: np.ndarray) -> np.ndarray:
    """Off-nadir look angle (degrees) at the sensor, from its geodetic nadir direction."""
    lon, lat, _ = geodetic(sensor)
    cosine = _dot(-ellipsoid_normal(lon, lat), _unit(points - sensor))
    return np.degrees(np.arccos(np.clip(cosine, -1.0, 1.0)))


def place_track(lon: float, lat: float, height: float, pass_direction: str, incidence: float) -> tuple[CircularOrbit, float]:
    """The orbit seeing (lon, lat, height) right-looking at ``incidence`` degrees on the given pass, and τ of that point."""
    if abs(lat) > 78.0:
        raise ValueError(f"scene latitude {lat:.1f}° is outside the modelled orbit coverage (|lat| ≤ 78°)")
    target = ecef(lon, lat, height)
    geocentric_lat = math.asin(target[2] / np.linalg.norm(target))
    u = math.asin(math.sin(geocentric_lat) / math.sin(INCLINATION))
    if pass_direction == "DESCENDING":
        u = math.pi - u
    tau_guess = (u % (2 * math.pi)) / MEAN_MOTION
    sub_satellite, _ = CircularOrbit(0.0).state(tau_guess)
    overhead = math.radians(lon) - math.atan2(sub_satellite[1], sub_satellite[0])
    span = math.radians(12.0) / math.cos(geocentric_lat)

    def signed_incidence_error(anx_longitude: float) -> float:
        orbit = CircularOrbit(anx_longitude)
        tau, _ = zero_doppler(orbit, target, tau_guess)
        position, velocity = orbit.state(tau)
        _, right = look_frame(position, velocity)
        side = math.copysign(1.0, float(_dot(target - position, right)))
        return side * float(incidence_angle(target, position)) - incidence

    anx_longitude = brentq(signed_incidence_error, overhead - span, overhead + span, xtol=1e-13)
    orbit = CircularOrbit(anx_longitude)
    tau, _ = zero_doppler(orbit, target, tau_guess)
    return orbit, float(tau)


# --- scene in radar coordinates ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RadarExtent:
    """Bounds of the scene in radar coordinates (τ in s since ANX, slant range in m) and its imaging geometry."""

    tau_min: float
    tau_max: float
    range_min: float
    range_max: float
    tau_centre: float
    range_centre: float
    ground_speed: float  # m/s of the zero-Doppler footprint at the scene centre


def scene_radar_extent(orbit: CircularOrbit, scene: GroundScene, tau_guess: float) -> RadarExtent:
    """Radar bounds of the scene outline at the lowest and highest DEM heights."""
    height, width = scene.grid.shape
    cols = np.linspace(0.5, width - 0.5, min(width, 201))
    rows = np.linspace(0.5, height - 0.5, min(height, 201))
    outline_col = np.concatenate([cols, cols, np.full(rows.size, 0.5), np.full(rows.size, width - 0.5)])
    outline_row = np.concatenate([np.full(cols.size, 0.5), np.full(cols.size, height - 0.5), rows, rows])
    lon, lat = grid_lonlat(scene.grid, outline_col, outline_row)
    low, high = float(np.min(scene.dem)), float(np.max(scene.dem))
    points = np.concatenate([ecef(lon, lat, low), ecef(lon, lat, high)])
    tau, slant_range = zero_doppler(orbit, points, tau_guess)
    centre_lon, centre_lat = grid_lonlat(scene.grid, np.array(width / 2), np.array(height / 2))
    centre_height = float(scene.dem[height // 2, width // 2])
    tau_centre, range_centre = zero_doppler(orbit, ecef(centre_lon, centre_lat, centre_height), tau_guess)
    footprint = ground_point(orbit, tau_centre + np.array([-0.5, 0.5]), range_centre, centre_height)
    return RadarExtent(
        tau_min=float(tau.min()),
        tau_max=float(tau.max()),
        range_min=float(slant_range.min()),
        range_max=float(slant_range.max()),
        tau_centre=float(tau_centre),
        range_centre=float(range_centre),
        ground_speed=float(np.linalg.norm(footprint[1] - footprint[0])),
    )


def ground_range_profile(orbit: CircularOrbit, tau: float, slant_range: np.ndarray, height: float) -> np.ndarray:
    """Ground distance (m) along the ellipsoid at ``height`` from the first of increasing slant ranges."""
    points = ground_point(orbit, np.full(slant_range.shape, tau), slant_range, height)
    steps = np.linalg.norm(np.diff(points, axis=0), axis=-1)
    return np.concatenate([[0.0], np.cumsum(steps)])


def slant_range_at_incidence(orbit: CircularOrbit, tau: float, height: float, incidence: float) -> float:
    """Slant range at which a spherical Earth through the nadir point is seen at ``incidence`` degrees (profile bounds)."""
    position, _ = orbit.state(tau)
    lon, lat, _ = geodetic(position)
    sensor, earth = float(np.linalg.norm(position)), float(np.linalg.norm(ecef(lon, lat, height)))
    theta = math.radians(incidence)
    earth_angle = theta - math.asin(earth * math.sin(theta) / sensor)
    return math.sqrt(sensor**2 + earth**2 - 2 * sensor * earth * math.cos(earth_angle))


def incidence_profile(orbit: CircularOrbit, tau: float, slant_range: np.ndarray, height: float) -> np.ndarray:
    points = ground_point(orbit, np.full(slant_range.shape, tau), slant_range, height)
    position, _ = orbit.state(np.full(slant_range.shape, tau))
    return incidence_angle(points, position)


# --- image geometries ------------------------------------------------------------------------------------------------


def _interpolate_records(knots: np.ndarray, values: np.ndarray, tau: np.ndarray) -> np.ndarray:
    """Per-record ``values`` interpolated linearly at τ, clamped outside (the annotation rule)."""
    i = np.clip(np.searchsorted(knots, tau, side="right") - 1, 0, len(knots) - 2)
    w = np.clip((tau - knots[i]) / (knots[i + 1] - knots[i]), 0.0, 1.0)
    w = w.reshape(w.shape + (1,) * (values.ndim - 1))
    return (1.0 - w) * values[i] + w * values[i + 1]


def _polyval(coefficients: np.ndarray, x: np.ndarray) -> np.ndarray:
    result = np.zeros(np.broadcast_shapes(coefficients.shape[:-1], x.shape))
    for k in range(coefficients.shape[-1] - 1, -1, -1):
        result = result * x + coefficients[..., k]
    return result


@dataclass(frozen=True)
class GrdGeometry:
    """Lines at ``tau_first + line·Δt``; sample s at ground range s·spacing through the srgr polynomials."""

    tau_first: float  # s since ANX, microsecond-exact
    azimuth_time_interval: float
    lines: int
    samples: int
    pixel_spacing: float
    record_taus: np.ndarray  # τ of the coordinateConversion records
    sr0: float  # slant range of sample 0 (m)
    srgr: np.ndarray  # (records, degree + 1): ground range of (R − sr0)
    grsr: np.ndarray  # (records, degree + 1): slant range of ground range

    def line_tau(self, lines: np.ndarray) -> np.ndarray:
        return self.tau_first + np.asarray(lines, float) * self.azimuth_time_interval

    def slant_range(self, lines: np.ndarray, samples: np.ndarray) -> np.ndarray:
        """Slant range (lines × samples) whose srgr ground range is sample·spacing (srgr inverted by Newton)."""
        tau = self.line_tau(lines)
        srgr = _interpolate_records(self.record_taus, self.srgr, tau)[:, None, :]
        grsr = _interpolate_records(self.record_taus, self.grsr, tau)[:, None, :]
        ground = np.asarray(samples, float)[None, :] * self.pixel_spacing
        x = _polyval(grsr, np.broadcast_to(ground, (len(tau), ground.shape[1]))) - self.sr0
        derivative = srgr[..., 1:] * np.arange(1, srgr.shape[-1])
        for _ in range(3):
            x = x - (_polyval(srgr, x) - ground) / _polyval(derivative, x)
        return self.sr0 + x


def grd_geometry(orbit: CircularOrbit, extent: RadarExtent, reference_height: float, margin: float) -> GrdGeometry:
    """GRD lines and samples covering the scene extent plus ``margin`` metres on the ground."""
    interval = written(GRD_PIXEL_SPACING / extent.ground_speed)
    margin_tau = margin / extent.ground_speed
    tau_first = round(extent.tau_min - margin_tau, 6)
    lines = math.ceil((extent.tau_max + margin_tau - tau_first) / interval) + 1
    # near and far slant ranges: `margin` of ground range beyond the scene, at the scene centre time
    ranges = np.linspace(extent.range_min - 3 * margin, extent.range_max + 3 * margin, 2001)
    ground = ground_range_profile(orbit, extent.tau_centre, ranges, reference_height)
    near_ground, far_ground = np.interp([extent.range_min, extent.range_max], ranges, ground) + np.array([-margin, margin])
    sr0 = written(float(np.interp(near_ground, ground, ranges)))
    far = float(np.interp(far_ground, ground, ranges))
    samples = math.ceil((far_ground - near_ground) / GRD_PIXEL_SPACING) + 1
    tau_last = tau_first + (lines - 1) * interval
    record_taus = (
        tau_first - COORDINATE_CONVERSION_STEP + COORDINATE_CONVERSION_STEP * np.arange(math.ceil((tau_last - tau_first) / COORDINATE_CONVERSION_STEP) + 3)
    )
    fit_ranges = np.linspace(sr0, far + 0.1 * (far - sr0), 400)
    srgr, grsr = [], []
    for tau in record_taus:
        ground = ground_range_profile(orbit, tau, fit_ranges, reference_height)
        srgr.append([written(c) for c in np.polynomial.polynomial.polyfit(fit_ranges - sr0, ground, SRGR_DEGREE)])
        grsr.append([written(c) for c in np.polynomial.polynomial.polyfit(ground, fit_ranges, SRGR_DEGREE)])
    return GrdGeometry(tau_first, interval, lines, samples, GRD_PIXEL_SPACING, record_taus, sr0, np.array(srgr), np.array(grsr))


@dataclass(frozen=True)
class SlcSwathGeometry:
    """One IW sub-swath: bursts stacked in the image, samples at the IW range sampling rate."""

    swath: str
    burst_taus: np.ndarray  # τ of the first line of each burst, microsecond-exact
    lines_per_burst: int
    azimuth_time_interval: float
    slant_range_time: float  # two-way time of sample 0
    samples: int

    @property
    def lines(self) -> int:
        return len(self.burst_taus) * self.lines_per_burst

    def line_tau(self, lines: np.ndarray) -> np.ndarray:
        lines = np.asarray(lines)
        burst = lines // self.lines_per_burst
        return self.burst_taus[burst] + (lines - burst * self.lines_per_burst) * self.azimuth_time_interval

    def valid_lines(self, lines: np.ndarray) -> np.ndarray:
        within = np.asarray(lines) % self.lines_per_burst
        return (within >= SLC_INVALID_LINES) & (within < self.lines_per_burst - SLC_INVALID_LINES)

    def sample_range(self, samples: np.ndarray) -> np.ndarray:
        return SPEED_OF_LIGHT / 2 * (self.slant_range_time + np.asarray(samples, float) / RANGE_SAMPLING_RATE)

    def slant_range(self, lines: np.ndarray, samples: np.ndarray) -> np.ndarray:
        return np.broadcast_to(self.sample_range(samples)[None, :], (len(lines), len(samples)))


def slc_swaths(orbit: CircularOrbit, extent: RadarExtent, reference_height: float, margin: float) -> list[SlcSwathGeometry]:
    """The IW sub-swaths that see the scene, cut to the scene plus ``margin``, with the bursts covering it."""
    ranges = np.linspace(*(slant_range_at_incidence(orbit, extent.tau_centre, reference_height, i) for i in (25.0, 50.0)), 2001)
    incidence = incidence_profile(orbit, extent.tau_centre, ranges, reference_height)
    ground = ground_range_profile(orbit, extent.tau_centre, ranges, reference_height)
    near_ground, far_ground = np.interp([extent.range_min, extent.range_max], ranges, ground) + np.array([-margin, margin])
    near, far = np.interp([near_ground, far_ground], ground, ranges)
    margin_tau = margin / extent.ground_speed
    first_tau, last_tau = extent.tau_min - margin_tau, extent.tau_max + margin_tau
    spacing = SPEED_OF_LIGHT / (2 * RANGE_SAMPLING_RATE)
    swaths = []
    for name, sub in SUB_SWATHS.items():
        swath_near, swath_far = np.interp(sub.incidence, incidence, ranges)
        if swath_far < extent.range_min or swath_near > extent.range_max:
            continue
        start, stop = max(near, swath_near), min(far, swath_far)
        duration = sub.lines_per_burst * SLC_AZIMUTH_TIME_INTERVAL
        valid_start, valid_stop = SLC_INVALID_LINES * SLC_AZIMUTH_TIME_INTERVAL, duration - SLC_INVALID_LINES * SLC_AZIMUTH_TIME_INTERVAL
        k_first = math.floor((first_tau - valid_start - sub.burst_offset) / BURST_CYCLE)
        k_last = math.ceil((last_tau - valid_stop - sub.burst_offset) / BURST_CYCLE)
        burst_taus = np.round(sub.burst_offset + BURST_CYCLE * np.arange(k_first, k_last + 1), 6)
        swaths.append(
            SlcSwathGeometry(
                swath=name,
                burst_taus=burst_taus,
                lines_per_burst=sub.lines_per_burst,
                azimuth_time_interval=SLC_AZIMUTH_TIME_INTERVAL,
                slant_range_time=written(2 * start / SPEED_OF_LIGHT),
                samples=math.ceil((stop - start) / spacing) + 1,
            )
        )
    return swaths


# --- radar → ground with the DEM -------------------------------------------------------------------------------------


def dem_height(dem: np.ndarray, col: np.ndarray, row: np.ndarray) -> np.ndarray:
    """Bilinear DEM height at fractional grid positions (cell centres at +0.5), clamped at the edges."""
    height, width = dem.shape
    u = np.clip(col - 0.5, 0.0, width - 1.0)
    v = np.clip(row - 0.5, 0.0, height - 1.0)
    c0 = np.minimum(u.astype(np.intp), max(width - 2, 0))
    r0 = np.minimum(v.astype(np.intp), max(height - 2, 0))
    c1, r1 = np.minimum(c0 + 1, width - 1), np.minimum(r0 + 1, height - 1)
    fu, fv = u - c0, v - r0
    top = dem[r0, c0] * (1 - fu) + dem[r0, c1] * fu
    bottom = dem[r1, c0] * (1 - fu) + dem[r1, c1] * fu
    return top * (1 - fv) + bottom * fv


class GroundLookup:
    """Scene-grid position of radar samples (τ, R) on the DEM.

    The exact ground point is computed on a coarse (τ, R) grid at three heights and
    its grid position kept as a quadratic in height per node; a sample's position is
    the bilinear interpolation of these quadratics, with the height iterated on the
    DEM until it stops changing. Interpolation errors are millimetres (the mapping
    is smooth over the ~0.05 s × 150 m nodes); memory is a few MB for a full swath.
    """

    def __init__(self, orbit: CircularOrbit, scene: GroundScene, taus: tuple[float, float], ranges: tuple[float, float]):
        self.orbit, self.scene = orbit, scene
        self.taus = np.linspace(taus[0], taus[1], max(2, math.ceil((taus[1] - taus[0]) / 0.05) + 1))
        self.ranges = np.linspace(ranges[0], ranges[1], max(2, math.ceil((ranges[1] - ranges[0]) / 150.0) + 1))
        low, high = float(np.min(scene.dem)) - 10.0, float(np.max(scene.dem)) + 10.0
        self.height_centre, self.height_half_span = 0.5 * (low + high), 0.5 * (high - low)
        tau_grid, range_grid = np.meshgrid(self.taus, self.ranges, indexing="ij")
        positions = []
        for h in (low, self.height_centre, high):
            lon, lat, _ = geodetic(ground_point(orbit, tau_grid, range_grid, h))
            positions.append(np.stack(grid_position(scene.grid, lon, lat)))
        # quadratic through the three heights, in the normalised height z ∈ {-1, 0, 1}
        below, centre, above = positions
        self.coefficients = np.stack([centre, 0.5 * (above - below), 0.5 * (above + below) - centre], axis=1)  # (2, 3, nτ, nR)

    def locate(self, tau: np.ndarray, slant_range: np.ndarray, tolerance: float = 1e-3) -> tuple[np.ndarray, ...]:
        """(col, row, height) of samples; ``tau`` has one value per row of ``slant_range`` (rows × samples)."""
        fi = (np.asarray(tau, float) - self.taus[0]) / (self.taus[1] - self.taus[0])
        i = np.clip(np.floor(fi).astype(np.intp), 0, len(self.taus) - 2)[:, None]
        wi = (fi[:, None] - i).astype(np.float64)
        fj = (slant_range - self.ranges[0]) / (self.ranges[1] - self.ranges[0])
        j = np.clip(np.floor(fj).astype(np.intp), 0, len(self.ranges) - 2)
        wj = fj - j
        fields = [
            (1 - wi) * ((1 - wj) * c[i, j] + wj * c[i, j + 1]) + wi * ((1 - wj) * c[i + 1, j] + wj * c[i + 1, j + 1])
            for c in self.coefficients.reshape(6, *self.coefficients.shape[2:])
        ]

        def position(h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            z = (h - self.height_centre) / self.height_half_span
            return fields[0] + z * (fields[1] + z * fields[2]), fields[3] + z * (fields[4] + z * fields[5])

        height = np.full(np.shape(slant_range), self.height_centre)
        for _ in range(50):
            col, row = position(height)
            new_height = dem_height(self.scene.dem, col, row)
            change = np.max(np.abs(new_height - height), initial=0.0)
            height = new_height
            if change < tolerance:
                break
        col, row = position(height)
        return col, row, height

    def ground_points(self, tau: np.ndarray, slant_range: np.ndarray) -> np.ndarray:
        """Exact ECEF ground points of samples at their DEM height (for the annotation geolocation grid)."""
        _, _, height = self.locate(tau, slant_range)
        return ground_point(self.orbit, np.broadcast_to(np.asarray(tau)[:, None], np.shape(slant_range)), slant_range, height)
