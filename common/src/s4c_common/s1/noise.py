"""Thermal-noise LUTs (``noise-*.xml``).

IPF ≥ 2.90 products give range vectors (``noiseRangeVector``/``noiseRangeLut``)
and azimuth blocks (``noiseAzimuthVector``); the noise power is their product.
Older products give one range LUT (``noiseVector``/``noiseLut``) and no
azimuth blocks, so the azimuth factor is 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from rasterio.windows import Window

from ..errors import InputError
from .lut import interpolate_vectors, window_axes
from .xml_node import XmlNode

if TYPE_CHECKING:
    from .safe import S1Product


@dataclass(frozen=True)
class NoiseRangeVectors:
    azimuth_time: np.ndarray  # datetime64[ns]
    line: np.ndarray
    pixel: tuple[np.ndarray, ...]
    values: tuple[np.ndarray, ...]

    def __len__(self) -> int:
        return len(self.line)


@dataclass(frozen=True)
class NoiseAzimuthBlock:
    """Azimuth noise profile of one image block [first_line, last_line] × [first_sample, last_sample] (inclusive)."""

    swath: str
    first_line: int
    last_line: int
    first_sample: int
    last_sample: int
    line: np.ndarray
    values: np.ndarray


@dataclass(frozen=True)
class NoiseVectors:
    range: NoiseRangeVectors
    azimuth: tuple[NoiseAzimuthBlock, ...]
    legacy: bool  # True for the pre-IPF-2.90 single ``noiseVector`` format

    def range_lut(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        return interpolate_vectors(self.range.line, self.range.pixel, self.range.values, rows, cols)

    def azimuth_lut(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Azimuth factor at rows × cols: per block, linear in line (clamped), constant in range; 1 outside every block."""
        result = np.ones((len(rows), len(cols)))
        for block in self.azimuth:
            in_rows = (rows >= block.first_line) & (rows <= block.last_line)
            in_cols = (cols >= block.first_sample) & (cols <= block.last_sample)
            if in_rows.any() and in_cols.any():
                profile = np.interp(rows[in_rows], block.line, block.values)
                result[np.ix_(in_rows, in_cols)] = profile[:, None]
        return result

    def lut(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Noise power N (DN² units) at rows × cols, float64."""
        return self.range_lut(rows, cols) * self.azimuth_lut(rows, cols)


def _range_vectors(nodes: list[XmlNode], lut_tag: str) -> NoiseRangeVectors:
    return NoiseRangeVectors(
        azimuth_time=np.array([v.time("azimuthTime") for v in nodes], dtype="datetime64[ns]"),
        line=np.array([v.integer("line") for v in nodes]),
        pixel=tuple(v.numbers("pixel", np.int64) for v in nodes),
        values=tuple(v.numbers(lut_tag) for v in nodes),
    )


def _azimuth_block(node: XmlNode) -> NoiseAzimuthBlock:
    swath = node.find_optional("swath")
    return NoiseAzimuthBlock(
        swath="" if swath is None else swath.text(),
        first_line=node.integer("firstAzimuthLine"),
        last_line=node.integer("lastAzimuthLine"),
        first_sample=node.integer("firstRangeSample"),
        last_sample=node.integer("lastRangeSample"),
        line=node.numbers("line", np.int64),
        values=node.numbers("noiseAzimuthLut"),
    )


def parse_noise(noise: XmlNode) -> NoiseVectors:
    range_nodes = noise.findall("noiseRangeVectorList/noiseRangeVector")
    if range_nodes:
        azimuth = tuple(_azimuth_block(n) for n in noise.findall("noiseAzimuthVectorList/noiseAzimuthVector"))
        return NoiseVectors(_range_vectors(range_nodes, "noiseRangeLut"), azimuth, legacy=False)
    legacy_nodes = noise.findall("noiseVectorList/noiseVector")
    if legacy_nodes:
        return NoiseVectors(_range_vectors(legacy_nodes, "noiseLut"), (), legacy=True)
    raise InputError(f"{noise.source} has neither noiseRangeVector nor noiseVector entries.", "E_BAD_SAFE")


def noise_lut(product: S1Product, swath: str, polarisation: str, window: Window | None = None) -> np.ndarray:
    """Thermal-noise power at every pixel of ``window`` (whole image if None), float32."""
    annotation = product.annotation(swath, polarisation)
    rows, cols = window_axes(window, annotation.lines, annotation.samples)
    return product.noise(swath, polarisation).lut(rows, cols).astype(np.float32)
