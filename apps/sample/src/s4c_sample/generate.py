"""Generate a whole scene: products, DEM, declarations, truth and their STAC catalog.

Output layout::

    <out>/catalog.json                         root catalog (see catalog.py)
    <out>/S2/<L2A SAFE>/ ...                   Sentinel-2 L2A products
    <out>/S1/GRD/<GRD SAFE>/ ...               Sentinel-1 IW GRDH products
    <out>/S1/SLC/<SLC SAFE>/ ...               Sentinel-1 IW SLC products (6-day triplets)
    <out>/dem.tif                              DEM, heights above the WGS 84 ellipsoid, 30 m
    <out>/declarations/parcels.gpkg, lut.csv, tile_grid.gpkg, practices_<PRACTICE>.csv
    <out>/truth/parcels.parquet, timeseries.parquet, ground_truth.json, parcel_id.tif, crop_code.tif, land_cover.tif

Everything is written into a staging folder and published only when complete
(s4c_common.output.AtomicOutput). Rasters are rendered one date and one band at
a time, so memory holds the landscape and one band, whatever the number of dates.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import multiprocessing
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np
import pystac
from s4c_common.output import AtomicOutput
from s4c_common.stac import MEDIA_COG, MEDIA_CSV, MEDIA_GEOPACKAGE, MEDIA_JSON, MEDIA_PARQUET, AssetSpec

from . import __version__, catalog, declarations, truth
from .clouds import SCL_CLEAR
from .crops import CROPS
from .dem import dem_grid, write_dem
from .model import STREAM_DECLARATION_ERRORS, STREAM_DECLARED_AREA, World, build_world
from .s1_geometry import GroundScene
from .s1_safe import S1Acquisition, write_grd_safe, write_slc_series
from .s2_safe import S2Acquisition, write_l2a_safe
from .scene import S1Date, S2Date, Scene

log = logging.getLogger("s4c")


class ProductWriters(Protocol):
    """Writers of the satellite products; the SAFE writers by default, fakes in tests."""

    def s2(self, out_dir: Path, scene: Scene, acquisition: S2Date, reflectance: Callable[[str], np.ndarray], scl: np.ndarray) -> Path: ...

    def grd(self, out_dir: Path, world: World, acquisition: S1Date, sigma0: dict[str, np.ndarray], seed: int) -> Path: ...

    def slc(
        self, out_dir: Path, world: World, acquisitions: Sequence[S1Date], sigma0: Sequence[dict[str, np.ndarray]], coherence: Sequence[np.ndarray], seed: int
    ) -> list[Path]: ...


class SafeWriters:
    """The SAFE writers of s4c_sample.s2_safe and s4c_sample.s1_safe."""

    def s2(self, out_dir: Path, scene: Scene, acquisition: S2Date, reflectance: Callable[[str], np.ndarray], scl: np.ndarray) -> Path:
        left, _, _, top = scene.grid.bounds
        acq = S2Acquisition(
            tile_id=scene.tile_id,
            epsg=scene.epsg,
            ulx=left,
            uly=top,
            width=scene.grid.width,
            height=scene.grid.height,
            sensing_time=acquisition.sensing_time,
            spacecraft=acquisition.spacecraft,
            relative_orbit=acquisition.relative_orbit,
            sun_zenith=acquisition.sun_zenith,
            sun_azimuth=acquisition.sun_azimuth,
            view_zenith=acquisition.view_zenith,
            view_azimuth=acquisition.view_azimuth,
        )
        return write_l2a_safe(out_dir, acq, reflectance, scl)

    def grd(self, out_dir: Path, world: World, acquisition: S1Date, sigma0: dict[str, np.ndarray], seed: int) -> Path:
        return write_grd_safe(out_dir, _s1_acquisition(acquisition, "GRD"), _ground_scene(world), sigma0, seed)

    def slc(
        self, out_dir: Path, world: World, acquisitions: Sequence[S1Date], sigma0: Sequence[dict[str, np.ndarray]], coherence: Sequence[np.ndarray], seed: int
    ) -> list[Path]:
        acqs = [_s1_acquisition(a, "SLC") for a in acquisitions]
        return write_slc_series(out_dir, acqs, _ground_scene(world), sigma0, coherence, seed)


def _s1_acquisition(acquisition: S1Date, product_type: str) -> S1Acquisition:
    return S1Acquisition(acquisition.platform, acquisition.start_time, acquisition.relative_orbit, acquisition.pass_direction, product_type)


def _ground_scene(world: World) -> GroundScene:
    return GroundScene(world.scene.grid, world.dem_10m)


@dataclass
class Summary:
    output: Path
    parcels: int
    products: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    bytes: int = 0

    def lines(self) -> list[str]:
        products = ", ".join(f"{count} {kind}" for kind, count in self.products.items())
        return [
            f"output: {self.output}",
            f"parcels: {self.parcels}",
            f"products: {products}",
            f"size: {self.bytes / 1e6:.1f} MB",
            f"time: {self.seconds:.1f} s",
        ]


def _write_declarations(folder: Path, world: World) -> pystac.Item:
    folder.mkdir(parents=True)
    frame = declarations.declaration_frame(
        world.layout.parcels,
        world.objectid,
        world.layout.holding,
        np.array([CROPS[c].code for c in world.plan.declared]),
        world.scene.epsg,
        world.rng(STREAM_DECLARED_AREA),
    )
    frame, errors = declarations.with_declaration_errors(frame, world.rng(STREAM_DECLARATION_ERRORS))
    parcels = declarations.write_parcels(folder / "parcels.gpkg", frame)
    lut = declarations.write_lut(folder / "lut.csv")
    tiles = declarations.write_tile_grid(folder / "tile_grid.gpkg", world.scene)
    practices = declarations.write_practices(folder, world.objectid, world.plan.declared, world.plan.practice)
    assets = {
        "parcels": AssetSpec(parcels, MEDIA_GEOPACKAGE, ("data",), "Declared parcels (OBJECTID, holding_id, CULT_CODE, area_decl)"),
        "lut": AssetSpec(lut, MEDIA_CSV, ("metadata",), "Crop look-up table"),
        "tile_grid": AssetSpec(tiles, MEDIA_GEOPACKAGE, ("metadata",), "Sentinel-2 tile grid"),
    }
    for path in practices:
        assets[path.stem] = AssetSpec(path, MEDIA_CSV, ("data",), f"Practice declarations ({path.stem.removeprefix('practices_')})")
    # the deliberate declaration errors, so that the parcel checks can be verified against them
    return catalog.file_item(world.scene, "declarations", assets, {"s4c:year": world.scene.season_start.year, "s4c:declaration_errors": errors})


def _write_truth(folder: Path, world: World, s2_clear: dict[dt.date, np.ndarray], products: dict[str, list[dict[str, object]]]) -> pystac.Item:
    folder.mkdir(parents=True)
    scene = world.scene
    daily_ndvi = truth.daily_unit_ndvi(world)
    table = truth.parcel_table(world, daily_ndvi)
    parcels = truth.write_parcel_table(folder / "parcels.parquet", table)
    series = truth.timeseries_table(world, daily_ndvi, scene.s2, scene.s1_grd, scene.slc_dates, s2_clear)
    series_path = truth.write_series(folder / "timeseries.parquet", series)
    header = {
        "generator": {"name": catalog.PROCESSOR, "version": __version__},
        "preset": scene.preset,
        "seed": scene.seed,
        "scene": {
            "tile_id": scene.tile_id,
            "epsg": scene.epsg,
            "bounds": list(scene.grid.bounds),
            "width": scene.grid.width,
            "height": scene.grid.height,
            "pixel_size": scene.grid.resolution,
            "season_start": scene.season_start,
            "season_end": scene.season_end,
        },
        "acquisitions": products,
    }
    json_path = truth.write_json(folder / "ground_truth.json", header, table)
    rasters = truth.write_truth_rasters(folder, world)
    assets = {
        "parcels": AssetSpec(parcels, MEDIA_PARQUET, ("data",), "Per-parcel truth (GeoParquet)"),
        "timeseries": AssetSpec(series_path, MEDIA_PARQUET, ("data",), "Per-parcel, per-date truth"),
        "ground_truth": AssetSpec(json_path, MEDIA_JSON, ("metadata",), "Scene, acquisitions, definitions and per-parcel truth"),
    }
    for path in rasters:
        assets[path.stem] = AssetSpec(path, MEDIA_COG, ("data",), f"Truth raster: {path.stem}")
    return catalog.file_item(scene, "truth", assets, grid=scene.grid)


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


@dataclass
class ProductResult:
    """What one product task hands back: STAC items (as dicts), acquisition records, S2 clear shares."""

    family: str
    index: int
    items: list[dict[str, object]]
    acquisitions: list[dict[str, object]]
    clear: np.ndarray | None = None


@dataclass
class _Job:
    world: World
    stage: Path
    writers: ProductWriters


_JOB: _Job | None = None  # set before forking workers, which inherit it


def _s2_product(job: _Job, index: int) -> ProductResult:
    scene, world = job.world.scene, job.world
    acquisition = scene.s2[index]
    optical = world.optical(acquisition)
    safe = job.writers.s2(job.stage / "S2", scene, acquisition, optical.band, optical.scl)
    atmosphere = world.atmospheres[index]
    record = {
        "date": acquisition.date,
        "product": safe.name,
        "spacecraft": acquisition.spacecraft,
        "sun_zenith": acquisition.sun_zenith,
        "sun_azimuth": acquisition.sun_azimuth,
        "cloud_cover": round(atmosphere.cloud_cover, 4),
        "cirrus": round(atmosphere.cirrus, 4),
        "haze": round(atmosphere.haze, 4),
        "swath_edge": atmosphere.swath_edge,
        "scl_clear_share": round(float(np.isin(optical.scl, SCL_CLEAR).mean()), 4),
    }
    clear = truth.clear_fraction(optical.scl, world.landscape.parcel, len(world.layout.parcels))
    item = catalog.s2_item(scene, safe, acquisition.sensing_time, acquisition.spacecraft)
    log.info("S2 %s written (%s)", acquisition.date, safe.name)
    return ProductResult("S2", index, [item.to_dict(include_self_link=False)], [record], clear)


def _grd_product(job: _Job, index: int) -> ProductResult:
    scene, world = job.world.scene, job.world
    acquisition = scene.s1_grd[index]
    safe = job.writers.grd(job.stage / "S1" / "GRD", world, acquisition, world.sigma0_maps(acquisition), world.s1_product_seed(index))
    item = catalog.s1_item(scene, safe, acquisition.start_time, acquisition.platform, "GRD")
    log.info("S1 GRD %s written (%s)", acquisition.date, safe.name)
    record = {"date": acquisition.date, "product": safe.name, "platform": acquisition.platform}
    return ProductResult("GRD", index, [item.to_dict(include_self_link=False)], [record])


def _slc_product(job: _Job, index: int) -> ProductResult:
    scene, world = job.world.scene, job.world
    triplet = scene.slc_triplets[index]
    sigma0 = [world.sigma0_maps(a) for a in triplet]
    coherence = [world.coherence_map(first, second) for first, second in itertools.pairwise(triplet)]
    safes = job.writers.slc(job.stage / "S1" / "SLC", world, triplet, sigma0, coherence, world.s1_product_seed(len(scene.s1_grd) + index))
    items, records = [], []
    for acquisition, safe in zip(triplet, safes, strict=True):
        items.append(catalog.s1_item(scene, safe, acquisition.start_time, acquisition.platform, "SLC").to_dict(include_self_link=False))
        records.append({"date": acquisition.date, "product": safe.name, "platform": acquisition.platform, "triplet": index})
    log.info("S1 SLC triplet %s written", ", ".join(str(a.date) for a in triplet))
    return ProductResult("SLC", index, items, records)


_TASKS = {"S2": _s2_product, "GRD": _grd_product, "SLC": _slc_product}


def _run_task(family: str, index: int) -> ProductResult:
    assert _JOB is not None
    return _TASKS[family](_JOB, index)


def _write_products(job: _Job, workers: int) -> list[ProductResult]:
    """Write every satellite product, in ``workers`` forked processes when there are several."""
    global _JOB
    scene = job.world.scene
    tasks = [("S2", i) for i in range(len(scene.s2))]
    tasks += [("GRD", i) for i in range(len(scene.s1_grd))] + [("SLC", i) for i in range(len(scene.slc_triplets))]
    _JOB = job
    try:
        if workers <= 1 or len(tasks) <= 1 or "fork" not in multiprocessing.get_all_start_methods():
            return [_run_task(*task) for task in tasks]
        with ProcessPoolExecutor(min(workers, len(tasks)), mp_context=multiprocessing.get_context("fork")) as pool:
            futures = [pool.submit(_run_task, *task) for task in tasks]
            return [future.result() for future in futures]
    finally:
        _JOB = None


def generate(scene: Scene, output: Path, writers: ProductWriters | None = None, workers: int = 1) -> Summary:
    """Generate ``scene`` into ``output`` (created if needed); nothing is left behind on failure.

    ``workers`` > 1 writes the satellite products in that many forked processes; the bytes written
    do not depend on it.
    """
    started = time.perf_counter()
    summary = Summary(Path(output), scene.n_parcels)
    with AtomicOutput(output) as stage:
        world = build_world(scene)
        others = [_write_declarations(stage / "declarations", world)]
        grid_30m = dem_grid(scene.grid)
        dem_path = write_dem(stage / "dem.tif", world.dem, grid_30m)
        dem_asset = AssetSpec(dem_path, MEDIA_COG, ("data", "elevation"), "DEM, heights above the WGS 84 ellipsoid (m)")
        others.append(catalog.file_item(scene, "dem", {"dem": dem_asset}, {"s4c:vertical_datum": "EPSG:4979"}, grid=grid_30m))

        results = _write_products(_Job(world, stage, writers or SafeWriters()), workers)
        items: dict[str, list[pystac.Item]] = {family: [] for family in _TASKS}
        acquisitions: dict[str, list[dict[str, object]]] = {"S2": [], "S1_GRD": [], "S1_SLC": []}
        s2_clear = {}
        for result in results:
            items[result.family] += [pystac.Item.from_dict(d) for d in result.items]
            acquisitions["S2" if result.family == "S2" else f"S1_{result.family}"] += result.acquisitions
            if result.clear is not None:
                s2_clear[scene.s2[result.index].date] = result.clear

        others.append(_write_truth(stage / "truth", world, s2_clear, acquisitions))
        catalog.write_scene_catalog(stage, scene, items["S2"], items["GRD"], items["SLC"], others)
        summary.products = {"S2 L2A": len(items["S2"]), "S1 GRD": len(items["GRD"]), "S1 SLC": len(items["SLC"])}
        summary.parcels = len(world.layout.parcels)
        summary.bytes = _size(stage)
    summary.seconds = time.perf_counter() - started
    return summary
