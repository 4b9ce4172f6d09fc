"""One window of a product: read the network inputs, evaluate, mask and encode the outputs.

Inputs per pixel of the output grid: the model's reflectances (20 m bands replicated onto a 10 m grid
by nearest neighbour, as Sen4CAP), then cos(view zenith), cos(sun zenith) and cos(sun azimuth − view
azimuth) from the ``MTD_TL.xml`` grids interpolated bilinearly to the pixel centres (viewing angles
averaged over bands and detectors, azimuths on the circle). Validity flags come from SCL; a pixel
with DN 0 in any input band is no-data (255).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from rasterio.windows import Window
from s4c_common.quantize import NODATA, quantize
from s4c_common.s2 import L2AProduct, scl_to_flags
from s4c_common.s2.bands import NATIVE_RESOLUTION
from s4c_common.s2.scl import FLAG_LAND, FLAG_NODATA

from .angles import AngleCosines
from .evaluate import FLAG_OUT_OF_RANGE, Evaluator, OutputRangeMode

OutputDtype = Literal["int16", "float32"]
OUTPUT_DTYPES: tuple[str, ...] = ("int16", "float32")
DOMAIN_FLAGS_NODATA = 255
EVALUATION_CHUNK = 1 << 18  # pixels per network pass: bounds the hidden-layer temporaries to ~16 MB


@dataclass(frozen=True)
class Encoding:
    """How values become output pixels."""

    output_dtype: OutputDtype = "int16"
    scales: tuple[float, ...] = (1000.0,)  # int16 value per physical unit, one per network
    rounding: Literal["round", "truncate"] = "round"
    mask_invalid: bool = True  # no-data where the SCL flag is not land
    output_range_mode: OutputRangeMode = "snap"  # snap: bits 8/16 are no-data in int16


@dataclass(frozen=True)
class WindowResult:
    flags: np.ndarray  # uint8 validity flags (MMONODFLG)
    images: list[np.ndarray]  # per indicator: int16 (NODATA) or float32 (NaN)
    domain_flags: list[np.ndarray]  # per indicator: uint8 quality bits, 255 where no value
    valid_pixels: int  # land pixels with every input band (the pixels any indicator may get a value in)


class WindowComputer:
    """Callable ``window → WindowResult`` for one product (thread-safe: it only reads)."""

    def __init__(
        self,
        product: L2AProduct,
        bands: Sequence[str],
        evaluator: Evaluator,
        *,
        resolution: int,
        encoding: Encoding,
        apply_boa_offset: bool = True,
        shadow_flag: int = 2,
    ):
        self.product = product
        self.bands = tuple(bands)
        self.evaluator = evaluator
        self.resolution = resolution
        self.encoding = encoding
        self.shadow_flag = shadow_flag
        # reflectance without the offset = (DN + offset)/Q − offset/Q
        self.offset_removed = {b: 0.0 if apply_boa_offset else -product.boa_offset.get(b, 0.0) / product.quantification for b in self.bands}
        self.angle_cosines = AngleCosines(product.angles(), product.grid(resolution))

    def _coarse(self, band: str, window: Window) -> Window | None:
        """The window on the band's own grid when it is twice as coarse and the window falls on whole pixels of it."""
        even = all(int(v) % 2 == 0 for v in (window.col_off, window.row_off, window.width, window.height))
        if NATIVE_RESOLUTION[band] != 2 * self.resolution or not even:
            return None
        return Window(window.col_off // 2, window.row_off // 2, window.width // 2, window.height // 2)

    def read_inputs(self, window: Window) -> tuple[np.ndarray, np.ndarray]:
        """Network inputs ``(n_inputs, rows, cols)`` float32 and validity flags (uint8) of ``window``.

        A band twice as coarse as the grid is read at its own resolution and replicated 2 × 2 in place: the
        reader's nearest-neighbour upsampling without its fine intermediate array.
        """
        rows, cols = int(window.height), int(window.width)
        inputs = np.empty((len(self.bands) + 3, rows, cols), dtype=np.float32)
        missing = np.zeros((rows, cols), dtype=bool)
        missing_coarse = np.zeros((rows // 2, cols // 2), dtype=bool)
        for i, band in enumerate(self.bands):
            coarse = self._coarse(band, window)
            if coarse is None:
                inputs[i] = self.product.read_reflectance(band, window, self.resolution)
                missing |= np.isnan(inputs[i])
            else:
                values = self.product.read_reflectance(band, coarse, NATIVE_RESOLUTION[band])
                missing_coarse |= np.isnan(values)
                inputs[i].reshape(rows // 2, 2, cols)[...] = np.repeat(values, 2, axis=1)[:, None, :]
            if self.offset_removed[band]:
                inputs[i] += np.float32(self.offset_removed[band])
        if missing_coarse.any():
            missing.reshape(rows // 2, 2, cols)[...] |= np.repeat(missing_coarse, 2, axis=1)[:, None, :]
        inputs[len(self.bands) :] = self.angle_cosines(window)
        flags = scl_to_flags(self.product.read_scl(window, self.resolution), self.shadow_flag)
        flags[missing] = FLAG_NODATA
        return inputs, flags

    def evaluate(self, inputs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Values ``(n_networks, pixels)`` float32 and quality bits, a chunk of pixels at a time."""
        flat = inputs.reshape(inputs.shape[0], -1)
        count = len(self.evaluator.stack.networks)
        values = np.empty((count, flat.shape[1]), dtype=np.float32)
        bits = np.empty((count, flat.shape[1]), dtype=np.uint8)
        for start in range(0, flat.shape[1], EVALUATION_CHUNK):
            stop = min(start + EVALUATION_CHUNK, flat.shape[1])
            for k, result in enumerate(self.evaluator(flat[:, start:stop])):
                values[k, start:stop] = result.values
                bits[k, start:stop] = result.flags
        return values, bits

    def __call__(self, window: Window) -> WindowResult:
        inputs, flags = self.read_inputs(window)
        valid = flags == FLAG_LAND if self.encoding.mask_invalid else flags != FLAG_NODATA
        shape = flags.shape
        count = len(self.evaluator.stack.networks)
        if not valid.any():
            empty = np.full(shape, NODATA, np.int16) if self.encoding.output_dtype == "int16" else np.full(shape, np.nan, np.float32)
            return WindowResult(flags, [empty] * count, [np.full(shape, DOMAIN_FLAGS_NODATA, np.uint8)] * count, 0)
        values, bits = self.evaluate(inputs)
        del inputs
        images, domain_flags = [], []
        for k in range(count):
            value = values[k].reshape(shape)
            bit = bits[k].reshape(shape)
            keep = valid & np.isfinite(value)
            images.append(self._encode(value, keep & ~self._dropped(bit), self.encoding.scales[k]))
            domain_flags.append(np.where(keep, bit, np.uint8(DOMAIN_FLAGS_NODATA)))
        return WindowResult(flags, images, domain_flags, int(np.count_nonzero(valid)))

    def _dropped(self, bits: np.ndarray) -> np.ndarray:
        """Values beyond the tolerance are kept by SNAP but not written into a quantised product (spec §5.6)."""
        if self.encoding.output_dtype == "int16" and self.encoding.output_range_mode == "snap":
            return (bits & FLAG_OUT_OF_RANGE) != 0
        return np.zeros(bits.shape, dtype=bool)

    def _encode(self, values: np.ndarray, keep: np.ndarray, scale: float) -> np.ndarray:
        if self.encoding.output_dtype == "float32":
            return np.where(keep, values, np.float32(np.nan)).astype(np.float32, copy=False)
        return quantize(values, keep, scale=scale, rounding=self.encoding.rounding)
