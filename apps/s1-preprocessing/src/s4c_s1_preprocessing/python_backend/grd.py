"""A GRD polarisation as a calibrated, noise-corrected, multilooked radar image, read in line blocks."""

from __future__ import annotations

import logging
import time

import numpy as np
from rasterio.windows import Window
from s4c_common.blocks import process_windows
from s4c_common.s1.safe import S1Product

from .calibration import calibrate_rows
from .multilook import Multilooker

BLOCK_LINES = 512

log = logging.getLogger("s4c.s1_preprocessing")


def grd_image(product: S1Product, polarisation: str, kind: str, remove_noise: bool, looks: tuple[int, int], workers: int = 1, swath: str = "IW") -> np.ndarray:
    """Calibrated intensity of LUT ``kind`` multilooked by (range, azimuth) ``looks`` (float32, NaN no-data)."""
    annotation = product.annotation(swath, polarisation)
    lines, samples = annotation.lines, annotation.samples
    multilooker = Multilooker(lines, samples, *looks)
    block_lines = max(looks[1], BLOCK_LINES // looks[1] * looks[1])
    windows = [Window(0, row, samples, min(block_lines, lines - row)) for row in range(0, lines, block_lines)]

    clock = {"read": 0.0, "calibrate": 0.0, "multilook": 0.0}

    def calibrate(window: Window) -> np.ndarray:
        start = time.perf_counter()
        dn = product.read_measurement(swath, polarisation, window)
        read = time.perf_counter()
        block = calibrate_rows(product, swath, polarisation, kind, remove_noise, int(window.row_off), dn)
        clock["read"] += read - start
        clock["calibrate"] += time.perf_counter() - read
        return block

    for _, block in process_windows(calibrate, windows, workers):
        start = time.perf_counter()
        multilooker.feed(block)
        clock["multilook"] += time.perf_counter() - start
    image = multilooker.result()
    log.info("stage %s: read %.1f s, calibration+noise %.1f s (thread time), multilook %.1f s", polarisation, *clock.values())
    return image
