"""GRD slant-range ↔ ground-range polynomials (``coordinateConversionList``).

Each record holds, at one azimuth time, ``g = Σ srgr_k (R − sr0)^k`` and
``R = Σ grsr_k (g − gr0)^k`` (R slant range, g ground range, metres). Between
records the origins and coefficients are interpolated linearly in azimuth time
and clamped outside, as the spec and xarray-sentinel do.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .xml_node import XmlNode

SPEED_OF_LIGHT = 299_792_458.0  # m/s


@dataclass(frozen=True)
class CoordinateConversion:
    azimuth_time: np.ndarray  # datetime64[ns], one per record
    slant_range_time: np.ndarray  # s
    sr0: np.ndarray  # m
    srgr: np.ndarray  # (records, degree + 1)
    gr0: np.ndarray  # m
    grsr: np.ndarray  # (records, degree + 1)

    def __len__(self) -> int:
        return len(self.azimuth_time)

    def _at(self, azimuth_time: np.ndarray, values: np.ndarray) -> np.ndarray:
        """``values`` (per record) interpolated linearly at ``azimuth_time``, clamped outside the records."""
        t = (np.asarray(azimuth_time, "datetime64[ns]") - self.azimuth_time[0]) / np.timedelta64(1, "s")
        knots = (self.azimuth_time - self.azimuth_time[0]) / np.timedelta64(1, "s")
        if len(knots) == 1:
            return np.broadcast_to(values[0], (*np.shape(t), *values.shape[1:])).copy()
        i = np.clip(np.searchsorted(knots, t, side="right") - 1, 0, len(knots) - 2)
        w = np.clip((t - knots[i]) / (knots[i + 1] - knots[i]), 0.0, 1.0)
        w = w.reshape(w.shape + (1,) * (values.ndim - 1))
        return (1.0 - w) * values[i] + w * values[i + 1]

    def ground_range(self, azimuth_time: np.ndarray, slant_range: np.ndarray) -> np.ndarray:
        """Ground range (m) of ``slant_range`` (m); ``azimuth_time`` and ``slant_range`` broadcast together."""
        t = np.asarray(azimuth_time, "datetime64[ns]")
        return _polyval(self._at(t, self.srgr), np.asarray(slant_range, float) - self._at(t, self.sr0))

    def slant_range(self, azimuth_time: np.ndarray, ground_range: np.ndarray) -> np.ndarray:
        """Slant range (m) of ``ground_range`` (m) with the inverse polynomial."""
        t = np.asarray(azimuth_time, "datetime64[ns]")
        return _polyval(self._at(t, self.grsr), np.asarray(ground_range, float) - self._at(t, self.gr0))


def _polyval(coefficients: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Σ c_k x^k by Horner; ``coefficients`` has shape (..., degree + 1) with leading axes broadcasting against ``x``."""
    result = np.zeros(np.broadcast_shapes(coefficients.shape[:-1], np.shape(x)))
    for k in range(coefficients.shape[-1] - 1, -1, -1):
        result = result * x + coefficients[..., k]
    return result


def _rows(arrays: list[np.ndarray]) -> np.ndarray:
    """Equal-length coefficient arrays as a (records, coefficients) array, (0, 0) when there is no record (SLC)."""
    return np.array(arrays) if arrays else np.empty((0, 0))


def parse_coordinate_conversion(annotation: XmlNode) -> CoordinateConversion:
    records = annotation.findall("coordinateConversion/coordinateConversionList/coordinateConversion")
    return CoordinateConversion(
        azimuth_time=np.array([r.time("azimuthTime") for r in records], dtype="datetime64[ns]"),
        slant_range_time=np.array([r.number("slantRangeTime") for r in records]),
        sr0=np.array([r.number("sr0") for r in records]),
        srgr=_rows([r.numbers("srgrCoefficients") for r in records]),
        gr0=np.array([r.number("gr0") for r in records]),
        grsr=_rows([r.numbers("grsrCoefficients") for r in records]),
    )
