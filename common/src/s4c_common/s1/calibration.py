"""Calibration LUTs (``calibration-*.xml``) and radiometric calibration of digital numbers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from rasterio.windows import Window

from ..errors import InputError
from .lut import interpolate_vectors, window_axes
from .noise import noise_lut
from .xml_node import XmlNode

if TYPE_CHECKING:
    from .safe import S1Product

CALIBRATION_KINDS = ("sigmaNought", "betaNought", "gamma", "dn")


@dataclass(frozen=True)
class CalibrationVectors:
    """``calibrationVector`` list: one entry per vector, each with its own pixel array."""

    azimuth_time: np.ndarray  # datetime64[ns]
    line: np.ndarray
    pixel: tuple[np.ndarray, ...]
    values: dict[str, tuple[np.ndarray, ...]]  # kind -> one array per vector
    absolute_calibration_constant: float

    def __len__(self) -> int:
        return len(self.line)

    def lut(self, kind: str, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """The ``kind`` LUT interpolated at rows × cols (float64), by the spec rule of :mod:`.lut`."""
        if kind not in self.values:
            raise ValueError(f"unknown calibration LUT {kind!r}; expected one of {CALIBRATION_KINDS}")
        return interpolate_vectors(self.line, self.pixel, self.values[kind], rows, cols)


def parse_calibration(calibration: XmlNode) -> CalibrationVectors:
    vectors = calibration.findall("calibrationVectorList/calibrationVector")
    if not vectors:
        raise InputError(f"{calibration.source} has no calibration vectors.", "E_BAD_SAFE")
    return CalibrationVectors(
        azimuth_time=np.array([v.time("azimuthTime") for v in vectors], dtype="datetime64[ns]"),
        line=np.array([v.integer("line") for v in vectors]),
        pixel=tuple(v.numbers("pixel", np.int64) for v in vectors),
        values={kind: tuple(v.numbers(kind) for v in vectors) for kind in CALIBRATION_KINDS},
        absolute_calibration_constant=calibration.number("calibrationInformation/absoluteCalibrationConstant"),
    )


def calibration_lut(product: S1Product, swath: str, polarisation: str, kind: str = "sigmaNought", window: Window | None = None) -> np.ndarray:
    """LUT ``kind`` (sigmaNought, betaNought, gamma, dn) at every pixel of ``window`` (whole image if None), float32."""
    annotation = product.annotation(swath, polarisation)
    rows, cols = window_axes(window, annotation.lines, annotation.samples)
    return product.calibration(swath, polarisation).lut(kind, rows, cols).astype(np.float32)


def calibrated_intensity(dn: np.ndarray, lut: np.ndarray, noise: np.ndarray | None = None) -> np.ndarray:
    """ESA calibration ``X⁰ = (|DN|² − N) / A²`` (float32), negative results set to 0 and DN = 0 as NaN (no-data).

    ``lut`` is A (sigmaNought, betaNought or gamma); without ``noise`` no thermal noise is removed.
    """
    intensity = np.abs(dn).astype(np.float64) ** 2
    if noise is not None:
        intensity = intensity - noise
    result = np.maximum(intensity, 0.0) / np.asarray(lut, np.float64) ** 2
    return np.where(dn == 0, np.nan, result).astype(np.float32)


def calibrate(
    product: S1Product,
    swath: str,
    polarisation: str,
    kind: str = "sigmaNought",
    window: Window | None = None,
    remove_noise: bool = True,
) -> np.ndarray:
    """Read the DN of ``window`` from the measurement and calibrate them (with thermal-noise removal by default)."""
    dn = product.read_measurement(swath, polarisation, window)
    noise = noise_lut(product, swath, polarisation, window) if remove_noise else None
    return calibrated_intensity(dn, calibration_lut(product, swath, polarisation, kind, window), noise)
