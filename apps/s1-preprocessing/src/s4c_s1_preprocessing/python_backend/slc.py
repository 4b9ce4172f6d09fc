"""SLC sub-swaths as debursted, calibrated, multilooked intensity images (the Sen4CAP amplitude chain)."""

from __future__ import annotations

import numpy as np
from rasterio.windows import Window
from s4c_common.blocks import process_windows
from s4c_common.s1.safe import S1Product

from .calibration import calibrate_rows
from .deburst import Segment, deburst_geometry, segments, valid_sample_mask
from .multilook import Multilooker
from .orbit_fit import OrbitPolynomial
from .terrain_correction import RadarImage


def swaths(product: S1Product, polarisation: str) -> list[str]:
    return [s for s, p in product.swath_polarisations() if p == polarisation]


def read_segment(product: S1Product, swath: str, polarisation: str, segment: Segment) -> np.ndarray:
    """Complex DN of one segment (burst lines [first, last), all samples)."""
    annotation = product.annotation(swath, polarisation)
    row = segment.burst * annotation.lines_per_burst + segment.first_line
    return product.read_measurement(swath, polarisation, Window(0, row, annotation.samples, segment.lines))


def swath_intensity(
    product: S1Product, swath: str, polarisations: list[str], kind: str, remove_noise: bool, looks: tuple[int, int], orbit: OrbitPolynomial, workers: int = 1
) -> RadarImage:
    """Debursted calibrated intensity of one sub-swath, multilooked, for every polarisation (NaN no-data)."""
    annotation = product.annotation(swath, polarisations[0])
    kept = segments(annotation, orbit)
    lines = sum(s.lines for s in kept)
    bands = {}
    for pol in polarisations:
        multilooker = Multilooker(lines, annotation.samples, *looks)

        def calibrate(segment: Segment, pol: str = pol) -> np.ndarray:
            dn = read_segment(product, swath, pol, segment)
            row = segment.burst * annotation.lines_per_burst + segment.first_line
            intensity = calibrate_rows(product, swath, pol, kind, remove_noise, row, dn)
            intensity[~valid_sample_mask(annotation, segment.burst, segment.first_line, segment.last_line)] = np.nan
            return intensity

        for _, block in process_windows(calibrate, kept, workers):
            multilooker.feed(block)
        bands[pol] = multilooker.result()
    shape = next(iter(bands.values())).shape
    return RadarImage(deburst_geometry(annotation, orbit, kept, looks, shape), bands)
