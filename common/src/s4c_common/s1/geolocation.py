"""The annotation geolocation grid: ground position, angles and radar times at a coarse (line, pixel) grid."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.interpolate import RegularGridInterpolator
from shapely.geometry import Polygon
from shapely.geometry.polygon import orient

from .xml_node import XmlNode

GRID_FIELDS = ("latitude", "longitude", "height", "incidence_angle", "elevation_angle", "slant_range_time")


@dataclass(frozen=True)
class GeolocationGrid:
    """Grid points in file order; every array has one value per point."""

    line: np.ndarray
    pixel: np.ndarray
    azimuth_time: np.ndarray  # datetime64[ns]
    slant_range_time: np.ndarray  # s, two-way
    latitude: np.ndarray  # degrees
    longitude: np.ndarray  # degrees
    height: np.ndarray  # m above the WGS84 ellipsoid
    incidence_angle: np.ndarray  # degrees
    elevation_angle: np.ndarray  # degrees

    def __len__(self) -> int:
        return len(self.line)

    @property
    def lines(self) -> np.ndarray:
        return np.unique(self.line)

    @property
    def pixels(self) -> np.ndarray:
        return np.unique(self.pixel)

    def as_grid(self, field: str) -> np.ndarray:
        """``field`` as a (lines, pixels) array on the axes :attr:`lines` × :attr:`pixels` (NaN where no point)."""
        grid = np.full((len(self.lines), len(self.pixels)), np.nan)
        grid[np.searchsorted(self.lines, self.line), np.searchsorted(self.pixels, self.pixel)] = getattr(self, field)
        return grid

    @property
    def line_times(self) -> np.ndarray:
        """Mean azimuth time of each grid line (datetime64[ns]; real grids vary by < 1 ms along a line)."""
        line_index = np.searchsorted(self.lines, self.line)
        offsets = (self.azimuth_time - self.azimuth_time.min()) / np.timedelta64(1, "ns")
        mean = np.bincount(line_index, weights=offsets) / np.bincount(line_index)
        return self.azimuth_time.min() + np.round(mean).astype("timedelta64[ns]")

    def interpolate(self, field: str, azimuth_time: np.ndarray, pixel: np.ndarray) -> np.ndarray:
        """Bilinear interpolation of ``field`` (one of GRID_FIELDS) in (azimuth time, pixel), extrapolating at the edges.

        Azimuth time rather than line: SLC grid lines sit at burst starts and bursts overlap in time, so only time
        is continuous across bursts; for GRD, time is linear in line and both are equivalent.
        """
        times = (self.line_times - self.line_times[0]) / np.timedelta64(1, "s")
        interpolator = RegularGridInterpolator((times, self.pixels.astype(float)), self.as_grid(field), bounds_error=False, fill_value=None)
        t = (np.asarray(azimuth_time, "datetime64[ns]") - self.line_times[0]) / np.timedelta64(1, "s")
        t, pixel = np.broadcast_arrays(t, np.asarray(pixel, float))
        return interpolator(np.stack([t.ravel(), pixel.ravel()], axis=-1)).reshape(t.shape)

    def footprint(self) -> Polygon:
        """Counter-clockwise lon/lat polygon through the four corner points (first/last line × first/last pixel)."""
        corners = []
        for line, pixel in ((self.lines[0], self.pixels[0]), (self.lines[0], self.pixels[-1]),
                            (self.lines[-1], self.pixels[-1]), (self.lines[-1], self.pixels[0])):  # fmt: skip
            i = np.flatnonzero((self.line == line) & (self.pixel == pixel))[0]
            corners.append((float(self.longitude[i]), float(self.latitude[i])))
        return orient(Polygon(corners), sign=1.0)


def parse_geolocation_grid(annotation: XmlNode) -> GeolocationGrid:
    """The ``geolocationGrid/geolocationGridPointList`` of an annotation file."""
    points = annotation.findall("geolocationGrid/geolocationGridPointList/geolocationGridPoint")

    def column(tag: str, dtype: type = np.float64) -> np.ndarray:
        return np.array([p.text(tag) for p in points], dtype=dtype)

    return GeolocationGrid(
        line=column("line", np.int64),
        pixel=column("pixel", np.int64),
        azimuth_time=np.array([p.time("azimuthTime") for p in points], dtype="datetime64[ns]"),
        slant_range_time=column("slantRangeTime"),
        latitude=column("latitude"),
        longitude=column("longitude"),
        height=column("height"),
        incidence_angle=column("incidenceAngle"),
        elevation_angle=column("elevationAngle"),
    )
