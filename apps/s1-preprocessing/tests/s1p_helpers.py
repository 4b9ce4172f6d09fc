"""Synthetic Sentinel-1 scenes with known truth for the processor tests (generator: s4c_sample.s1_safe)."""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import rasterio
from s4c_common.raster import Grid
from s4c_sample.s1_safe import GroundScene, S1Acquisition, write_grd_safe, write_slc_series

BOUNDS = (600000.0, 5650000.0, 603000.0, 5653000.0)  # 3 km × 3 km in UTM 31N (51.0° N, 4.4° E)
GRID = Grid.from_bounds(32631, BOUNDS, 10.0)
START = dt.datetime(2021, 4, 3, 17, 24, 52, tzinfo=dt.UTC)
FIELD = 50  # scene pixels (500 m) per field side
# σ⁰ (linear) per land-cover class of the 6 × 6 field chequer: VV and VH
CLASS_SIGMA0 = {"VV": (0.02, 0.05, 0.1, 0.2), "VH": (0.006, 0.012, 0.025, 0.05)}
TARGET = (140, 140, 20)  # bright square: first scene row, first col, size (200 m)
COHERENCE_LEVELS = (0.0, 0.3, 0.6, 0.9)


def field_classes() -> np.ndarray:
    """Class 0–3 of each scene pixel: 500 m fields, classes cycling so that neighbours differ."""
    rows, cols = np.indices(GRID.shape)
    return ((rows // FIELD) + 2 * (cols // FIELD)) % 4


def ridge_dem(height: float = 250.0) -> np.ndarray:
    """A north–south ridge across the scene, slopes ≤ 16° for 250 m (ellipsoidal heights, m)."""
    x = (np.arange(GRID.width) + 0.5) * 10.0
    return np.broadcast_to(50.0 + height * np.exp(-(((x - 1500.0) / 700.0) ** 2)), GRID.shape).astype(np.float32)


def write_dem(path: Path, heights: np.ndarray, *, declare: bool = True, crs: int = 32631, bounds: tuple[float, float, float, float] = BOUNDS) -> Path:
    """The scene DEM at 30 m (3 × 3 scene pixels averaged), ellipsoidal heights declared in VERTICAL_DATUM."""
    coarse = heights.reshape(heights.shape[0] // 3, 3, heights.shape[1] // 3, 3).mean(axis=(1, 3)).astype(np.float32)
    grid = Grid.from_bounds(crs, bounds, 30.0)
    profile = {"driver": "GTiff", "width": grid.width, "height": grid.height, "count": 1, "dtype": "float32", "crs": grid.crs, "transform": grid.transform}
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(coarse, 1)
        if declare:
            dst.update_tags(VERTICAL_DATUM="WGS 84 ellipsoid (EPSG:4979)")
    return path


@dataclass(frozen=True)
class GrdScene:
    safe: Path
    dem: Path
    heights: np.ndarray
    sigma0: dict[str, np.ndarray]


def grd_scene(out: Path, *, relief: float = 250.0, looks: float = 4.4, target: bool = False, seed: int = 7, relative_orbit: int = 88,
              pass_direction: str = "ASCENDING", start: dt.datetime = START, platform: str = "S1A") -> GrdScene:  # fmt: skip
    """A GRD over the field chequer (optionally with a bright square target) on a ridge of ``relief`` metres."""
    classes = field_classes()
    sigma0 = {pol: np.asarray(values, np.float32)[classes] for pol, values in CLASS_SIGMA0.items()}
    if target:
        row, col, size = TARGET
        for pol in sigma0:
            sigma0[pol][:] = CLASS_SIGMA0[pol][0]
            sigma0[pol][row : row + size, col : col + size] = 50 * CLASS_SIGMA0[pol][3]
    heights = ridge_dem(relief) if relief else np.full(GRID.shape, 50.0, np.float32)
    out.mkdir(parents=True, exist_ok=True)
    acquisition = S1Acquisition(platform, start, relative_orbit, pass_direction, "GRD", ("VV", "VH"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        safe = write_grd_safe(out, acquisition, GroundScene(GRID, heights), sigma0, seed=seed, looks=looks)
    return GrdScene(safe, write_dem(out / "dem.tif", heights), heights, sigma0)


@dataclass(frozen=True)
class SlcScene:
    safes: list[Path]
    dem: Path
    coherence: np.ndarray  # truth of the first pair on the scene grid


def coherence_levels() -> np.ndarray:
    """Truth coherence: one level per 750 m column band."""
    cols = np.indices(GRID.shape)[1]
    return np.asarray(COHERENCE_LEVELS, np.float32)[np.minimum(cols // 75, 3)]


def slc_scene(
    out: Path,
    *,
    relief: float = 100.0,
    days: tuple[int, ...] = (0, 6),
    platforms: tuple[str, ...] = ("S1A", "S1B"),
    polarisations: tuple[str, ...] = ("VV", "VH"),
) -> SlcScene:
    """Repeat-pass SLCs (zero baseline) with known coherence between consecutive acquisitions."""
    heights = ridge_dem(relief) if relief else np.full(GRID.shape, 50.0, np.float32)
    acquisitions = [S1Acquisition(p, START + dt.timedelta(days=d), 88, "ASCENDING", "SLC", polarisations) for p, d in zip(platforms, days, strict=True)]
    sigma0 = [{pol: np.full(GRID.shape, 0.1 if pol == "VV" else 0.02, np.float32) for pol in polarisations}] * len(days)
    truth = coherence_levels()
    out.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        safes = write_slc_series(out, acquisitions, GroundScene(GRID, heights), sigma0, [truth] * (len(days) - 1), seed=11)
    return SlcScene(safes, write_dem(out / "dem.tif", heights), truth)


def scene_values(path: Path) -> np.ndarray:
    """A product raster resampled (nearest) onto the 10 m scene grid, NaN outside."""
    from rasterio.warp import Resampling, reproject

    values = np.full(GRID.shape, np.nan, np.float32)
    with rasterio.open(path) as src:
        reproject(rasterio.band(src, 1), values, dst_transform=GRID.transform, dst_crs=GRID.crs, resampling=Resampling.nearest, dst_nodata=np.nan)
    return values


def field_interiors(margin: int = 6) -> np.ndarray:
    """Scene pixels at least ``margin`` pixels (10 m) from a field edge."""
    rows, cols = np.indices(GRID.shape)
    return (rows % FIELD >= margin) & (rows % FIELD < FIELD - margin) & (cols % FIELD >= margin) & (cols % FIELD < FIELD - margin)
