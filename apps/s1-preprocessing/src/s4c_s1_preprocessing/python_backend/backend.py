"""``PythonBackend``: backscatter and coherence GeoTIFFs on the output grid (the ``Backend`` protocol)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from s4c_common.errors import InputError
from s4c_common.s1.safe import S1Product, open_s1
from shapely.geometry.base import BaseGeometry

from ..dem import DemSource, open_dem
from ..options import BackscatterOptions, CoherenceOptions, GeocodingOptions
from ..output_grid import crs_of, envelope, output_grid, to_crs
from .calibration import LUT_OF_RADIOMETRY
from .dem_heights import DemAtPoints, DemOnGrid
from .gcp_geocoding import GcpGeocoding, grid_inverse
from .grd import grd_image
from .image_geometry import GrdGeometry
from .orbit_fit import OrbitPolynomial, fit_orbit
from .pair_coherence import swath_coherence
from .slc import swath_intensity, swaths
from .terrain_correction import RadarImage, TerrainCorrection

log = logging.getLogger("s4c.s1_preprocessing")


def _dem(options: GeocodingOptions) -> DemSource | None:
    return None if options.dem is None else open_dem(options.dem, options.dem_heights, options.geoid_undulation)


def _orbit(product: S1Product) -> OrbitPolynomial:
    swath, pol = product.swath_polarisations()[0]
    annotation = product.annotation(swath, pol)
    start = min(product.annotation(s, p).first_line_time for s, p in product.swath_polarisations())
    stop = max(product.annotation(s, p).last_line_time for s, p in product.swath_polarisations())
    return fit_orbit(annotation.orbit, start, stop)


def _polarisations(product: S1Product, wanted: tuple[str, ...]) -> list[str]:
    missing = [p for p in wanted if p not in product.polarisations]
    if missing:
        raise InputError(f"{product.name} has no {'/'.join(missing)} polarisation (it has {'/'.join(product.polarisations)}).", "E_MISSING_BAND")
    return list(wanted)


def _area(footprint: BaseGeometry, dem: DemSource | None) -> BaseGeometry:
    area = footprint if dem is None else footprint.intersection(dem.footprint)
    if area.is_empty:
        raise InputError(f"DEM {dem.path} does not cover the product footprint.", "E_NO_OVERLAP")
    return area


def _values(options: BackscatterOptions) -> Callable[[np.ndarray], np.ndarray] | None:
    """Intensity → written values: sqrt (Sen4CAP amplitude) or 10·log10 (dB, no value for σ⁰ ≤ 0)."""
    if options.amp_mode == "sen4cap":
        return np.sqrt
    if options.scale == "db":

        def decibel(block: np.ndarray) -> np.ndarray:
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.where(block > 0, 10.0 * np.log10(block), np.nan).astype(np.float32)

        return decibel
    return None


def _geocoder(images: list[RadarImage], products: list[S1Product], orbit: OrbitPolynomial, options: GeocodingOptions, dem: DemSource | None, grid, **kwargs):
    heights = None if dem is None else DemOnGrid(dem, grid, options.dem_resampling)
    if options.geocoding == "gcp":
        annotations = [products[0].annotation(s, p) for s, p in products[0].swath_polarisations() if p == products[0].swath_polarisations()[0][1]]
        return GcpGeocoding(images, orbit, grid, heights, resampling=options.img_resampling, inverse=grid_inverse(annotations, orbit), **kwargs)
    if heights is None:
        raise InputError("range-doppler geocoding needs a DEM: pass --dem FILE (or --geocoding gcp for flat terrain).", "E_PARAM")
    return TerrainCorrection(images, orbit, grid, heights, resampling=options.img_resampling, **kwargs)


class PythonBackend:
    """Calibration, noise removal, multilook, range-Doppler terrain correction and coherence in numpy."""

    name = "python"

    def backscatter(self, product: Path, options: BackscatterOptions, workdir: Path) -> dict[str, Path]:
        if options.speckle_filter != "none":
            raise InputError(f"the python back end has no speckle filter ({options.speckle_filter!r}); use --backend snap or --speckle-filter none.", "E_PARAM")
        s1 = open_s1(product)
        pols = _polarisations(s1, options.polarisations)
        dem = _dem(options)
        grid = output_grid(_area(s1.footprint, dem), options.projection, options.pixel_spacing, options.extent)
        orbit = _orbit(s1)
        kind = LUT_OF_RADIOMETRY[options.radiometry]
        looks = options.looks(s1.product_type)
        log.info("%s: %s %s, looks %d x %d, output grid %d x %d", s1.name, options.radiometry, "/".join(pols), *looks, grid.width, grid.height)
        if s1.product_type == "GRD":
            swath = swaths(s1, pols[0])[0]
            bands = {pol: grd_image(s1, pol, kind, options.thermal_noise, looks, options.workers, swath) for pol in pols}
            shape = next(iter(bands.values())).shape
            images = [RadarImage(GrdGeometry(s1.annotation(swath, pols[0]), orbit, looks, shape), bands)]
        else:
            images = [swath_intensity(s1, swath, pols, kind, options.thermal_noise, looks, orbit, options.workers) for swath in swaths(s1, pols[0])]
        geocoder = _geocoder(images, [s1], orbit, options, dem, grid, flatten=options.terrain_flattening)
        outputs = {pol: workdir / f"backscatter_{pol}.tif" for pol in pols}
        return geocoder.run(outputs, chunk_size=options.chunk_size, workers=options.workers, finish=_values(options))

    def coherence(self, master: Path, slave: Path, options: CoherenceOptions, workdir: Path) -> dict[str, Path]:
        products = [open_s1(master), open_s1(slave)]
        for s1 in products:
            if s1.product_type != "SLC":
                raise InputError(f"{s1.name} is a {s1.product_type} product; coherence needs SLC products.", "E_UNSUPPORTED_PRODUCT")
        pols = _polarisations(products[0], options.polarisations)
        _polarisations(products[1], options.polarisations)
        dem = _dem(options)
        overlap = envelope([s1.footprint for s1 in products])
        if overlap.is_empty:
            raise InputError(f"{products[0].name} and {products[1].name} do not overlap.", "E_NO_OVERLAP")
        area = _area(overlap if options.subset_to_pair_overlap else products[0].footprint, dem)
        grid = output_grid(area, options.projection, options.pixel_spacing, options.extent)
        orbits = (_orbit(products[0]), _orbit(products[1]))
        points = DemAtPoints(dem, products[0].footprint.buffer(0.05).bounds, options.dem_resampling) if dem is not None else None
        common = [s for s in swaths(products[0], pols[0]) if s in swaths(products[1], pols[0])]
        started = time.perf_counter()
        images = [image for swath in common if (image := swath_coherence(*products, swath, pols, orbits, points, options, options.workers)) is not None]
        log.info("stage coherence (read, calibrate, coregister, estimate, deburst): %.1f s", time.perf_counter() - started)
        if not images:
            raise InputError(f"{products[0].name} and {products[1].name} have no burst in common.", "E_NO_OVERLAP")
        log.info("coherence %s / %s: %d sub-swath(s), output grid %d x %d", products[0].name, products[1].name, len(images), grid.width, grid.height)
        mask = to_crs(overlap, crs_of(options.projection)) if options.subset_to_pair_overlap else None
        geocoder = _geocoder(images, products, orbits[0], options, dem, grid, area=mask)
        outputs = {pol: workdir / f"coherence_{pol}.tif" for pol in pols}
        return geocoder.run(outputs, chunk_size=options.chunk_size, workers=options.workers)
