"""Per (swath, polarisation) product annotation: image size, timing, sampling, bursts, geometry."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from shapely.geometry import Polygon

from .coordinate_conversion import SPEED_OF_LIGHT, CoordinateConversion, parse_coordinate_conversion
from .geolocation import GeolocationGrid, parse_geolocation_grid
from .orbit import OrbitStateVectors, parse_orbit
from .xml_node import XmlNode


@dataclass(frozen=True)
class Burst:
    """One TOPS burst of an SLC sub-swath; valid-sample arrays have one value per burst line (-1: invalid line)."""

    azimuth_time: np.datetime64
    azimuth_anx_time: float  # s since the ascending node
    sensing_time: np.datetime64
    byte_offset: int
    first_valid_sample: np.ndarray
    last_valid_sample: np.ndarray


@dataclass(frozen=True)
class TimePolynomial:
    """A polynomial in slant-range time ``(τ − t0)`` valid around ``azimuth_time`` (FM rate, Doppler centroid)."""

    azimuth_time: np.datetime64
    t0: float
    coefficients: np.ndarray


@dataclass(frozen=True)
class SwathAnnotation:
    mission: str
    product_type: str
    mode: str
    swath: str
    polarisation: str
    pass_direction: str  # ASCENDING / DESCENDING
    projection: str  # "Slant Range" (SLC) or "Ground Range" (GRD)
    lines: int
    samples: int
    range_pixel_spacing: float  # m
    azimuth_pixel_spacing: float  # m
    slant_range_time: float  # two-way time of the first sample, s
    azimuth_time_interval: float  # s
    radar_frequency: float  # Hz
    range_sampling_rate: float  # Hz
    incidence_angle_mid_swath: float  # degrees
    azimuth_steering_rate: float  # degrees/s
    platform_heading: float  # degrees
    first_line_time: np.datetime64
    last_line_time: np.datetime64
    ascending_node_time: np.datetime64
    lines_per_burst: int
    samples_per_burst: int
    bursts: tuple[Burst, ...]
    geolocation: GeolocationGrid
    orbit: OrbitStateVectors
    coordinate_conversion: CoordinateConversion
    azimuth_fm_rates: tuple[TimePolynomial, ...]
    doppler_centroids: tuple[TimePolynomial, ...]  # dataDcPolynomial of each dcEstimate

    @property
    def wavelength(self) -> float:
        return SPEED_OF_LIGHT / self.radar_frequency

    def line_azimuth_time(self, line: np.ndarray) -> np.ndarray:
        """Zero-Doppler time of image lines (datetime64[ns]); per burst for SLC, since bursts overlap in time."""
        line = np.asarray(line)
        if self.bursts:
            burst = np.clip(line // self.lines_per_burst, 0, len(self.bursts) - 1)
            starts = np.array([b.azimuth_time for b in self.bursts], dtype="datetime64[ns]")[burst]
            offset = (line - burst * self.lines_per_burst) * self.azimuth_time_interval
        else:
            starts = self.first_line_time
            offset = line * self.azimuth_time_interval
        return starts + np.round(offset * 1e9).astype("timedelta64[ns]")

    def sample_slant_range(self, sample: np.ndarray) -> np.ndarray:
        """Slant range (m) of samples of a slant-range (SLC) image."""
        return SPEED_OF_LIGHT / 2.0 * (self.slant_range_time + np.asarray(sample) / self.range_sampling_rate)

    def footprint(self) -> Polygon:
        return self.geolocation.footprint()


def _time_polynomials(annotation: XmlNode, path: str, tag: str) -> tuple[TimePolynomial, ...]:
    """Polynomial records; older products give the FM rate as separate ``c0``, ``c1``, ``c2`` elements."""

    def coefficients(node: XmlNode) -> np.ndarray:
        if node.find_optional(tag) is None:
            return np.array([node.number(c) for c in ("c0", "c1", "c2")])
        return node.numbers(tag)

    return tuple(TimePolynomial(node.time("azimuthTime"), node.number("t0"), coefficients(node)) for node in annotation.findall(path))


def _burst(node: XmlNode) -> Burst:
    return Burst(
        azimuth_time=node.time("azimuthTime"),
        azimuth_anx_time=node.number("azimuthAnxTime"),
        sensing_time=node.time("sensingTime"),
        byte_offset=node.integer("byteOffset"),
        first_valid_sample=node.numbers("firstValidSample", np.int64),
        last_valid_sample=node.numbers("lastValidSample", np.int64),
    )


def parse_annotation(annotation: XmlNode) -> SwathAnnotation:
    """An annotation file (``annotation/s1?-<swath>-<type>-<pol>-....xml``)."""
    header = annotation.find("adsHeader")
    product = annotation.find("generalAnnotation/productInformation")
    image = annotation.find("imageAnnotation/imageInformation")
    timing = annotation.find("swathTiming")
    return SwathAnnotation(
        mission=header.text("missionId"),
        product_type=header.text("productType"),
        mode=header.text("mode"),
        swath=header.text("swath").upper(),
        polarisation=header.text("polarisation").upper(),
        pass_direction=product.text("pass").upper(),
        projection=product.text("projection"),
        lines=image.integer("numberOfLines"),
        samples=image.integer("numberOfSamples"),
        range_pixel_spacing=image.number("rangePixelSpacing"),
        azimuth_pixel_spacing=image.number("azimuthPixelSpacing"),
        slant_range_time=image.number("slantRangeTime"),
        azimuth_time_interval=image.number("azimuthTimeInterval"),
        radar_frequency=product.number("radarFrequency"),
        range_sampling_rate=product.number("rangeSamplingRate"),
        incidence_angle_mid_swath=image.number("incidenceAngleMidSwath"),
        azimuth_steering_rate=product.number("azimuthSteeringRate"),
        platform_heading=product.number("platformHeading"),
        first_line_time=image.time("productFirstLineUtcTime"),
        last_line_time=image.time("productLastLineUtcTime"),
        ascending_node_time=image.time("ascendingNodeTime"),
        lines_per_burst=timing.integer("linesPerBurst"),
        samples_per_burst=timing.integer("samplesPerBurst"),
        bursts=tuple(_burst(node) for node in timing.findall("burstList/burst")),
        geolocation=parse_geolocation_grid(annotation),
        orbit=parse_orbit(annotation),
        coordinate_conversion=parse_coordinate_conversion(annotation),
        azimuth_fm_rates=_time_polynomials(annotation, "generalAnnotation/azimuthFmRateList/azimuthFmRate", "azimuthFmRatePolynomial"),
        doppler_centroids=_time_polynomials(annotation, "dopplerCentroid/dcEstimateList/dcEstimate", "dataDcPolynomial"),
    )
