"""The processor: inputs → checks → pairs → back end → product COGs and STAC catalog (nothing partial).

Both back ends produce per-polarisation GeoTIFFs; naming, no-data convention, cropping, tiles and STAC
are done here, so the product layout is the same whatever the back end.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pystac
from pyproj import CRS
from s4c_common.errors import InputError, Warnings
from s4c_common.output import AtomicOutput
from s4c_common.stac import write_catalog
from shapely.geometry import box

from .backends import get_backend
from .dem import check_coverage, open_dem, relief
from .finishing import write_product
from .inputs import InputProduct, open_inputs
from .options import BackscatterOptions, CoherenceOptions, GeocodingOptions
from .output_grid import resolution, to_crs
from .pairing import Candidate, Pair, make_pairs, why_unpaired
from .products import Acquisition, Backend, BackscatterProduct, CoherenceProduct, output_nodata
from .stac_items import product_item
from .tiles import Tile, read_tiles

log = logging.getLogger("s4c.s1_preprocessing")

PRODUCTS = ("backscatter", "coherence", "both")
WORKDIR = ".work"


@dataclass(frozen=True)
class RunConfig:
    """Everything of one run besides the inputs and the output folder."""

    product: str = "both"
    naming: str = "project"
    site: str = "1"
    backend: str = "python"
    gpt: str = "gpt"
    tiles: tuple[str, ...] = ()
    tile_grid: Path | None = None
    temporal_offset: int = 6
    max_pair_interval: int = 6
    min_intersection: float = 0.05
    master: str = "NEWEST"
    backscatter: BackscatterOptions = field(default_factory=BackscatterOptions)
    coherence: CoherenceOptions = field(default_factory=CoherenceOptions)


@dataclass(frozen=True)
class Target:
    """Where a back-end output goes: the whole grid (tile None) or one S2 tile."""

    options: GeocodingOptions
    tiles: tuple[Tile, ...] = ()


def _candidate(product: InputProduct) -> Candidate:
    s1 = product.product
    return Candidate(s1.name, s1.mission, s1.start_time, s1.relative_orbit, tuple(s1.polarisations), s1.footprint)


def _check_products(products: Sequence[InputProduct], config: RunConfig) -> None:
    grd = [p for p in products if p.product.product_type == "GRD"]
    if config.product == "coherence" and grd:
        raise InputError(f"{grd[0].name} is a GRD product; coherence needs SLC products (use --product backscatter for GRD).", "E_UNSUPPORTED_PRODUCT")
    for product in products:
        missing = [p for p in config.backscatter.polarisations if p not in product.product.polarisations]
        if missing:
            raise InputError(f"{product.name} has no {'/'.join(missing)} polarisation (it has {'/'.join(product.product.polarisations)}).", "E_MISSING_BAND")


def _check_dem(products: Sequence[InputProduct], options: GeocodingOptions, warnings: Warnings) -> None:
    if options.dem is None:
        if options.geocoding == "range-doppler":
            raise InputError("range-doppler terrain correction needs a DEM: pass --dem FILE (or --geocoding gcp over flat terrain).", "E_PARAM")
        warnings.warn("W_GCP_GEOCODING", "geocoding with the annotation geolocation grid and no DEM: terrain relief was not checked.")
        return
    dem = open_dem(options.dem, options.dem_heights, options.geoid_undulation)
    for product in products:
        check_coverage(dem, product.product.footprint, product.name)
        if options.geocoding == "gcp":
            span = relief(dem, product.product.footprint)
            if span > options.gcp_max_relief:
                raise InputError(
                    f"the DEM spans {span:.0f} m over {product.name}, more than --gcp-max-relief {options.gcp_max_relief:g} m; use --geocoding range-doppler.",
                    "E_PARAM",
                )
            warnings.warn("W_GCP_GEOCODING", f"{product.name}: geocoding with the annotation geolocation grid (DEM relief {span:.0f} m).")


def _targets(options: GeocodingOptions, footprint, tiles: Sequence[Tile]) -> list[Target]:
    """The back-end runs of one product: the whole footprint, or one per UTM zone of the tiles it meets."""
    if not tiles:
        return [Target(options)]
    targets = []
    for epsg in sorted({t.epsg for t in tiles}):
        zone = [t for t in tiles if t.epsg == epsg and t.footprint_lonlat.intersects(footprint)]
        if not zone:
            continue
        crs = CRS.from_epsg(epsg)
        size = resolution(crs, options.pixel_spacing)
        area = to_crs(footprint, crs).intersection(box(*_union_bounds([t.grid(options.pixel_spacing).bounds for t in zone])))
        left, bottom, right, top = area.bounds
        extent = (math.floor(left / size) * size, math.floor(bottom / size) * size, math.ceil(right / size) * size, math.ceil(top / size) * size)
        targets.append(Target(dataclasses.replace(options, projection=f"EPSG:{epsg}", extent=extent), tuple(zone)))
    return targets


def _union_bounds(bounds: Sequence[tuple[float, float, float, float]]) -> tuple[float, float, float, float]:
    return (min(b[0] for b in bounds), min(b[1] for b in bounds), max(b[2] for b in bounds), max(b[3] for b in bounds))


class Run:
    """One invocation: writes products into a staging folder and collects their STAC items."""

    def __init__(self, config: RunConfig, backend: Backend, stage: Path, warnings: Warnings):
        self.config = config
        self.backend = backend
        self.stage = stage
        self.warnings = warnings
        self.tiles = read_tiles(config.tile_grid, list(config.tiles)) if config.tiles else []
        self.items: list[pystac.Item] = []
        self._work = 0

    def _workdir(self) -> Path:
        self._work += 1
        path = self.stage / WORKDIR / f"{self._work:04d}"
        path.mkdir(parents=True)
        return path

    def _finish(self, outputs: dict[str, Path], target: Target, naming, kind: str, sources: Sequence[InputProduct], properties: dict) -> None:
        """Write the COGs (whole grid or per tile) and their items; ``naming(pol, tile)`` gives the relative path."""
        nodata = output_nodata(self.config.naming)
        started = time.perf_counter()
        for pol, source in sorted(outputs.items()):
            tiles = target.tiles or (None,)
            for tile in tiles:
                path = self.stage / naming(pol, tile.tile_id if tile else None)
                grid = write_product(source, path, nodata, grid=tile.grid(target.options.pixel_spacing) if tile else None, crop=target.options.crop_nodata)
                if grid is None:
                    log.info("%s: no valid pixel, not written", path.name)
                    continue
                self.items.append(product_item(path, grid, kind=kind, polarisation=pol, sources=sources, properties=properties, warnings=self.warnings.items))
        log.info("stage product writing (COG, STAC): %.1f s", time.perf_counter() - started)

    def backscatter(self, product: InputProduct, partner: Acquisition | None) -> None:
        options = self.config.backscatter
        properties = {
            "s4c:backend": self.backend.name,
            "s4c:radiometry": options.radiometry,
            "s4c:scale": "amplitude" if options.amp_mode == "sen4cap" else options.scale,
            "s4c:thermal_noise_removed": options.thermal_noise,
            "s4c:geocoding": options.geocoding,
            "s4c:looks": list(options.looks(product.product.product_type)),
            "s4c:pair_interval_days": None,
            "s4c:master": product.name,
            "s4c:slave": None,
        }
        kind = "AMP" if self.config.naming == "sen4cap" else "BCK"
        for target in _targets(options, product.product.footprint, self.tiles):
            outputs = self.backend.backscatter(product.path, target.options, self._workdir())

            def naming(pol: str, tile: str | None) -> Path:
                return BackscatterProduct(product.acquisition, pol, tile, partner).relative_path(self.config.naming, self.config.site)

            self._finish(outputs, target, naming, kind, [product], properties)

    def coherence(self, master: InputProduct, slave: InputProduct, pair: Pair) -> None:
        options = self.config.coherence
        properties = {
            "s4c:backend": self.backend.name,
            "s4c:radiometry": "coherence",
            "s4c:geocoding": options.geocoding,
            "s4c:pair_interval_days": pair.interval_days,
            "s4c:master": master.name,
            "s4c:slave": slave.name,
            "s4c:coherence_window": [options.coh_win_az, options.coh_win_rg],
            "s4c:geometric_phase_removed": options.remove_geometric_phase,
            "s4c:bias_correction": options.bias_correction,
        }
        kind = "COHE" if self.config.naming == "sen4cap" else "COH"
        footprint = master.product.footprint.intersection(slave.product.footprint)
        for target in _targets(options, footprint, self.tiles):
            outputs = self.backend.coherence(master.path, slave.path, target.options, self._workdir())

            def naming(pol: str, tile: str | None) -> Path:
                return CoherenceProduct(master.acquisition, slave.acquisition, pol, tile).relative_path(self.config.naming, self.config.site)

            self._finish(outputs, target, naming, kind, [master, slave], properties)


def _partners(pairs: Sequence[Pair], by_name: dict[str, InputProduct]) -> dict[str, Acquisition]:
    """Sen4CAP naming: the acquisition each product's AMP is named with (its slave if it is a master, else its master)."""
    partners: dict[str, Acquisition] = {}
    for pair in pairs:
        partners.setdefault(pair.slave.name, by_name[pair.master.name].acquisition)
    for pair in pairs:
        partners[pair.master.name] = by_name[pair.slave.name].acquisition
    return partners


def run(inputs: Sequence[Path], config: RunConfig, output: Path) -> list[pystac.Item]:
    """Process ``inputs`` into ``output``; returns the written items."""
    products = open_inputs(list(inputs))
    _check_products(products, config)
    warnings = Warnings()
    _check_dem(products, config.backscatter if config.product != "coherence" else config.coherence, warnings)
    by_name = {p.name: p for p in products}
    slcs = [_candidate(p) for p in products if p.product.product_type == "SLC"]
    pairs = (
        make_pairs(slcs, config.temporal_offset, config.max_pair_interval, config.min_intersection, config.master) if config.product != "backscatter" else []
    )
    if config.product != "backscatter" and not pairs and (slcs or config.product == "coherence"):
        message = why_unpaired(slcs)
        if config.product == "coherence":
            raise InputError(f"no coherence pair: {message}.", "E_NO_OVERLAP")
        warnings.warn("W_NO_PAIR", f"no coherence pair ({message}); only backscatter is written.")
    for pair in pairs:
        if pair.interval_days != config.temporal_offset:
            warnings.warn("W_PAIR_INTERVAL", f"{pair.late.name}: no {config.temporal_offset}-day partner, {pair.interval_days}-day pair used.")
    if config.backend == "python" and config.backscatter.orbit_dir is not None:
        warnings.warn("W_ORBIT_DIR", "the python back end uses the annotation orbit; --orbit-dir is used by the snap back end only.")
    backend = get_backend(config.backend, config.gpt)
    with AtomicOutput(output) as stage:
        job = Run(config, backend, stage, warnings)
        try:
            if config.product != "coherence":
                partners = _partners(pairs, by_name)
                for product in products:
                    job.backscatter(product, partners.get(product.name))
            for pair in pairs:
                job.coherence(by_name[pair.master.name], by_name[pair.slave.name], pair)
        finally:
            shutil.rmtree(stage / WORKDIR, ignore_errors=True)
        if not job.items:
            raise InputError("no product has valid pixels on the requested grid or tiles.", "E_NO_OVERLAP")
        write_catalog(stage, job.items, catalog_id="s1-preprocessing", description="Sentinel-1 backscatter and coherence (s4c-s1-preprocessing)")
    log.info("%d product(s) written to %s", len(job.items), output)
    return job.items
