"""Benchmark of s4c-s1-preprocessing (python back end) on full-size synthetic Sentinel-1 products.

1. A full-size IW GRD (about 25 000 × 16 700 pixels, VV + VH, written by the sample generator over a
   228 × 120 km scene of 1 km fields on rolling terrain) → 20 m EPSG:3035 σ⁰: wall time, peak memory
   and the time of each stage (the processor logs them: read, calibration + noise, multilook,
   geocoding, product writing).
2. Coherence of one full IW1 sub-swath pair (two SLCs 6 days apart, about 9 bursts, VV).

The products are generated once and cached in DATA/s1-grd/ (about 2 GB for the GRD, 4 GB for the pair;
the GRD alone takes about 4–5 minutes to write). Each case runs as a child process, ``--repeat`` times;
the best run is reported.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import rasterio
from pyproj import Transformer
from s4c_common.raster import Grid
from s4c_common.s1.safe import open_s1
from s4c_sample.s1_safe import GroundScene, S1Acquisition, write_grd_safe, write_slc_series

sys.path.insert(0, str(Path(__file__).parent))
from benchlib import Measurement, report

CENTRE = (650_000.0, 5_650_000.0)  # UTM 31N
CELL = 100.0  # m, scene (truth) grid
START = dt.datetime(2021, 4, 3, 17, 24, 52, tzinfo=dt.UTC)
GRD_SCENE = (228_000.0, 120_000.0)  # m east × north: a 25 000 × 16 700 pixel GRD
SLC_SCENE = (45_000.0, 150_000.0)  # m: inside the IW1 incidence range of track 113, about 9 bursts
CLASS_SIGMA0 = {"VV": (0.02, 0.05, 0.1, 0.2), "VH": (0.006, 0.012, 0.025, 0.05)}
STAGE = re.compile(r"stage (.*)")


def _heights(grid: Grid) -> np.ndarray:
    """Rolling terrain (ellipsoidal heights 0–310 m), a function of the UTM position: the same on any grid."""
    rows, cols = np.indices(grid.shape)
    x = grid.transform.c + (cols + 0.5) * CELL - CENTRE[0]
    y = grid.transform.f - (rows + 0.5) * CELL - CENTRE[1]
    return (150.0 + 120.0 * np.sin(x / 9_000.0) * np.cos(y / 13_000.0) + 40.0 * np.sin(x / 2_100.0 + y / 3_700.0)).astype(np.float32)


def _scene(size: tuple[float, float]) -> tuple[Grid, np.ndarray, dict[str, np.ndarray]]:
    width, height = size
    grid = Grid.from_bounds(32631, (CENTRE[0] - width / 2, CENTRE[1] - height / 2, CENTRE[0] + width / 2, CENTRE[1] + height / 2), CELL)
    rows, cols = np.indices(grid.shape)
    classes = ((rows // 10) + 2 * (cols // 10)) % 4  # 1 km fields
    sigma0 = {pol: np.asarray(values, np.float32)[classes] for pol, values in CLASS_SIGMA0.items()}
    return grid, _heights(grid), sigma0


def _write_dem(path: Path, safe: Path) -> None:
    """The DEM over the whole product footprint (the image reaches beyond the simulated scene), as a real DEM would be."""
    footprint = open_s1(safe).footprint
    left, bottom, right, top = Transformer.from_crs(4326, 32631, always_xy=True).transform_bounds(*footprint.bounds)
    snapped = (
        np.floor(left / CELL) * CELL - CELL,
        np.floor(bottom / CELL) * CELL - CELL,
        np.ceil(right / CELL) * CELL + CELL,
        np.ceil(top / CELL) * CELL + CELL,
    )
    grid = Grid.from_bounds(32631, snapped, CELL)
    profile = {"driver": "GTiff", "width": grid.width, "height": grid.height, "count": 1, "dtype": "float32", "crs": grid.crs, "transform": grid.transform}
    with rasterio.open(path, "w", **profile, tiled=True, compress="deflate") as dst:
        dst.write(_heights(grid), 1)
        dst.update_tags(VERTICAL_DATUM="WGS 84 ellipsoid (EPSG:4979)")


def make_grd(folder: Path) -> tuple[Path, Path]:
    ready = folder / "READY"
    if not ready.exists():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        grid, heights, sigma0 = _scene(GRD_SCENE)
        start = time.perf_counter()
        acquisition = S1Acquisition("S1A", START, 88, "ASCENDING", "GRD", ("VV", "VH"))
        write_grd_safe(folder, acquisition, GroundScene(grid, heights), sigma0, seed=1)
        print(f"full-size GRD written in {time.perf_counter() - start:.0f} s")
        ready.touch()
    safe = next(folder.glob("*.SAFE"))
    if not (folder / "dem.tif").exists():
        _write_dem(folder / "dem.tif", safe)
    return safe, folder / "dem.tif"


def make_slc_pair(folder: Path) -> tuple[list[Path], Path]:
    ready = folder / "READY"
    if not ready.exists():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        grid, heights, sigma0 = _scene(SLC_SCENE)
        coherence = np.where(np.indices(grid.shape)[1] % 20 < 10, 0.3, 0.8).astype(np.float32)
        acquisitions = [S1Acquisition(p, START + dt.timedelta(days=d), 113, "ASCENDING", "SLC", ("VV",)) for p, d in (("S1A", 0), ("S1B", 6))]
        start = time.perf_counter()
        write_slc_series(folder, acquisitions, GroundScene(grid, heights), [{"VV": sigma0["VV"]}] * 2, [coherence], seed=2)
        print(f"full sub-swath SLC pair written in {time.perf_counter() - start:.0f} s")
        ready.touch()
    safes = sorted(folder.glob("*.SAFE"))
    if not (folder / "dem.tif").exists():
        _write_dem(folder / "dem.tif", safes[0])
    return safes, folder / "dem.tif"


def run_case(name: str, cmd: list[str]) -> tuple[Measurement, list[str]]:
    """Run ``cmd`` as a child process; wall time, peak RSS and the processor's stage lines."""
    script = (
        "import resource, subprocess, sys, time, json\n"
        "t = time.perf_counter(); p = subprocess.run(sys.argv[1:], capture_output=True, text=True); wall = time.perf_counter() - t\n"
        "sys.stdout.write(p.stderr)\n"
        "print(json.dumps({'rc': p.returncode, 'wall': wall, 'peak': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))\n"
    )
    proc = subprocess.run([sys.executable, "-c", script, *cmd], capture_output=True, text=True, env=os.environ)
    lines = proc.stdout.strip().splitlines()
    result = json.loads(lines[-1])
    if result["rc"] != 0:
        raise SystemExit(f"{name} failed:\n{proc.stdout[-3000:]}")
    stages = [m.group(1) for line in lines[:-1] if (m := STAGE.search(line))]
    return Measurement(name, round(result["wall"], 1), round(result["peak"], 0), {}), stages


def best_of(name: str, cmd: list[str], output: Path, repeat: int) -> tuple[Measurement, list[str]]:
    runs = []
    for _ in range(repeat):
        shutil.rmtree(output, ignore_errors=True)
        runs.append(run_case(name, [*cmd, "--output", str(output)]))
    return min(runs, key=lambda run: run[0].wall_s)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("bench-data"))
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--skip-grd", action="store_true")
    parser.add_argument("--skip-coherence", action="store_true")
    args = parser.parse_args()
    folder = args.data / "s1-grd"
    processor = str(Path(sys.executable).parent / "s4c-s1-preprocessing")
    common = ["--backend", "python", "--workers", str(args.workers), "--verbose"]
    rows, stages = [], {}
    if not args.skip_grd:
        grd, dem = make_grd(folder)
        with rasterio.open(next((grd / "measurement").glob("*-vv-*.tiff"))) as src:
            size = f"{src.width}x{src.height}"
        cmd = [processor, "--input", str(grd), "--dem", str(dem), "--product", "backscatter", "--pixel-spacing", "20", "--projection", "EPSG:3035", *common]
        row, stages["GRD"] = best_of(f"GRD {size} VV+VH -> 20 m sigma0", cmd, folder / "out-grd", args.repeat)
        rows.append(row)
    if not args.skip_coherence:
        safes, slc_dem = make_slc_pair(folder / "slc")
        with rasterio.open(next((safes[0] / "measurement").glob("*-vv-*.tiff"))) as src:
            size = f"{src.width}x{src.height}"
        inputs = [arg for safe in safes for arg in ("--input", str(safe))]
        cmd = [processor, *inputs, "--dem", str(slc_dem), "--product", "coherence", "--polarisations", "VV", *common]
        row, stages["coherence"] = best_of(f"coherence IW1 {size} VV pair", cmd, folder / "out-coh", args.repeat)
        rows.append(row)
    report("s4c-s1-preprocessing (python back end)", rows, args.data / "bench_s1_preprocessing.json")
    for case, lines in stages.items():
        print(f"\nstages of the best {case} run:")
        for line in lines:
            print(f"  {line}")


if __name__ == "__main__":
    main()
