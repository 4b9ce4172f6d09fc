"""Benchmark of s4c-spectral-indices on a full 10980 × 10980 Sentinel-2 L2A tile (SAFE layout).

    .venv/bin/python tests/bench/bench_spectral_indices.py [--data bench-data] [--workers N]

The tile is written once into ``DATA/s2-tile/`` (``s4c_sample.s2_safe.write_l2a_safe``: 600 m fields of
vegetation, bare soil and water with sensor-like noise, clouds, shadows and snow in the SCL) and
``DATA/s2-tile/READY`` then holds the SAFE path, for the other L3B benchmarks to reuse.

Measured, each in its own process (wall time and peak RSS from ``os.wait4``):

- ``decode floor``: only reading and decoding the bands NDVI needs (B04, B08 at 10 m, SCL at 20 m),
  window by window with the processor's windows and parallelism (s4c_common.blocks);
- ``NDVI``: the processor with its default index;
- ``all indices``: the processor with every index.

Prints a table and the ratios to the decode floor, then one JSON line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

TILE = 10980
FIELD_PX = 60  # 600 m fields
SEED = 20240512
# Surface reflectance per band (B01 .. B12) of the land covers: dense crop, sparse crop, bare soil, water, grass.
SPECTRA = {
    "dense": (0.03, 0.03, 0.06, 0.03, 0.09, 0.28, 0.36, 0.40, 0.42, 0.42, 0.20, 0.10),
    "sparse": (0.05, 0.06, 0.09, 0.09, 0.14, 0.20, 0.23, 0.25, 0.27, 0.27, 0.25, 0.17),
    "soil": (0.08, 0.10, 0.13, 0.17, 0.20, 0.22, 0.23, 0.24, 0.25, 0.26, 0.32, 0.27),
    "water": (0.06, 0.05, 0.04, 0.03, 0.02, 0.015, 0.012, 0.01, 0.01, 0.008, 0.005, 0.004),
    "grass": (0.04, 0.04, 0.08, 0.05, 0.12, 0.26, 0.32, 0.35, 0.36, 0.36, 0.24, 0.13),
}
COVER_SHARE = (0.3, 0.2, 0.25, 0.05, 0.2)
NOISE = 0.004  # reflectance units, per pixel


def _covers(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Land cover index and per-field brightness factor of every 10 m pixel."""
    fields = -(-TILE // FIELD_PX)
    cover = rng.choice(len(SPECTRA), size=(fields, fields), p=COVER_SHARE).astype(np.uint8)
    factor = rng.uniform(0.85, 1.15, size=(fields, fields)).astype(np.float32)
    expand = np.ones((FIELD_PX, FIELD_PX), dtype=np.uint8)
    return np.kron(cover, expand)[:TILE, :TILE], np.kron(factor, expand.astype(np.float32))[:TILE, :TILE]


def _scl(cover: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """SCL: vegetation / not vegetated / water from the covers, then clouds (~15 %), shadows, snow, a no-data corner."""
    scl = np.choose(cover, [4, 4, 5, 6, 4]).astype(np.uint8)
    coarse = TILE // 180
    clouds = rng.random((coarse, coarse))
    grid = np.kron(clouds, np.ones((180, 180)))
    scl[: coarse * 180, : coarse * 180][grid > 0.85] = 9
    scl[: coarse * 180, : coarse * 180][(grid > 0.80) & (grid <= 0.85)] = 8
    scl[: coarse * 180, : coarse * 180][(grid > 0.78) & (grid <= 0.80)] = 3
    scl[: coarse * 180, : coarse * 180][grid < 0.005] = 11
    scl[-300:, -900:] = 0
    return scl


def ensure_tile(data: Path) -> Path:
    """The bench SAFE under ``data/s2-tile`` (written once); its path is in ``data/s2-tile/READY``."""
    folder = data / "s2-tile"
    ready = folder / "READY"
    if ready.exists():
        return Path(ready.read_text(encoding="utf-8").strip())
    from s4c_sample.s2_safe import L2A_BANDS, S2Acquisition, write_l2a_safe

    rng = np.random.default_rng(SEED)
    cover, factor = _covers(rng)
    scl = _scl(cover, rng)
    table = np.array(list(SPECTRA.values()), dtype=np.float32)  # cover × band

    def reflectance(band: str) -> np.ndarray:
        band_rng = np.random.default_rng([SEED, L2A_BANDS.index(band)])
        values = table[:, L2A_BANDS.index(band)][cover] * factor
        values += band_rng.standard_normal(values.shape, dtype=np.float32) * np.float32(NOISE)
        np.clip(values, 0.0001, 1.0, out=values)
        values[scl == 0] = np.nan
        return values

    acquisition = S2Acquisition(
        tile_id="31UFS", epsg=32631, ulx=600000.0, uly=5700000.0, width=TILE, height=TILE,
        sensing_time=dt.datetime(2024, 5, 12, 10, 56, 19, 24000, tzinfo=dt.UTC), spacecraft="S2B", relative_orbit=94,
        sun_zenith=35.0, sun_azimuth=160.0, view_zenith=6.0, view_azimuth=105.0,
    )  # fmt: skip
    started = time.monotonic()
    safe = write_l2a_safe(folder, acquisition, reflectance, scl)
    print(f"wrote {safe} in {time.monotonic() - started:.0f} s", file=sys.stderr)
    ready.write_text(str(safe.resolve()) + "\n", encoding="utf-8")
    return safe


# ------------------------------------------------------------------------------ measuring

NDVI_BANDS = ("B04", "B08", "SCL")
ALL_INDEX_BANDS = ("B03", "B04", "B08", "B11", "SCL")


def _read_window(paths: dict[str, str], window) -> list[np.ndarray]:
    """The window of every band at its native resolution (``window`` in 10 m pixels)."""
    import rasterio
    from rasterio.windows import Window
    from s4c_common.s2.bands import NATIVE_RESOLUTION

    arrays = []
    for band, path in paths.items():
        factor = NATIVE_RESOLUTION[band] // 10
        native = Window(window.col_off // factor, window.row_off // factor, -(-window.width // factor), -(-window.height // factor))
        with rasterio.open(path) as src:
            arrays.append(src.read(1, window=native))
    return arrays


def decode_floor(safe: Path, bands: tuple[str, ...], workers: int, pool: str = "threads") -> None:
    """Read and decode ``bands`` window by window at native resolution, as the processor does, and nothing else.

    The decoded windows are handed back to the caller, as the processor's workers hand theirs to the writer:
    free for threads, pickled for ``pool="processes"`` (the comparison behind s4c_common.blocks' choice).
    """
    import functools
    from concurrent.futures import ProcessPoolExecutor

    import rasterio
    from s4c_common.blocks import aligned_block_size, gdal_threads, process_windows
    from s4c_common.raster import block_windows
    from s4c_common.s2 import open_l2a
    from s4c_common.s2.bands import NATIVE_RESOLUTION

    product = open_l2a(safe)
    paths = {band: product.band_path(band) for band in bands}
    blocks = []
    for band, path in paths.items():
        with rasterio.open(path) as src:
            blocks.append(src.block_shapes[0][1] * NATIVE_RESOLUTION[band] // 10)
    block = aligned_block_size(blocks)
    windows = list(block_windows(TILE, TILE, block))
    read = functools.partial(_read_window, paths)
    if pool == "processes":
        with rasterio.Env(GDAL_NUM_THREADS=str(gdal_threads(workers))), ProcessPoolExecutor(workers) as executor:
            pixels = sum(sum(a.size for a in arrays) for arrays in executor.map(read, windows))
    else:
        pixels = sum(sum(a.size for a in arrays) for _, arrays in process_windows(read, windows, workers))
    print(json.dumps({"pixels": pixels, "block": block, "pool": pool}))


def measure(cmd: list[str]) -> dict[str, float]:
    """Run ``cmd``; its wall time, CPU time and peak resident memory (os.wait4 gives the child's own rusage)."""
    started = time.monotonic()
    process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.monotonic() - started
    stderr = process.stderr.read().decode() if process.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{stderr[-2000:]}")
    return {"wall_s": round(wall, 2), "cpu_s": round(usage.ru_utime + usage.ru_stime, 2), "peak_rss_mb": round(usage.ru_maxrss / 1024, 1)}


def run_processor(safe: Path, indices: list[str], workers: int) -> dict[str, float]:
    output = Path(tempfile.mkdtemp(prefix="bench-si-"))
    try:
        cli = Path(sys.executable).with_name("s4c-spectral-indices")
        return measure([str(cli), "--input", str(safe), *[a for i in indices for a in ("--index", i)], "--workers", str(workers), "--output", str(output)])
    finally:
        shutil.rmtree(output, ignore_errors=True)


def run_floor(safe: Path, bands: tuple[str, ...], workers: int, pool: str = "threads") -> dict[str, float]:
    return measure([sys.executable, __file__, "--decode-floor", str(safe), "--bands", ",".join(bands), "--workers", str(workers), "--pool", pool])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path("bench-data"), help="folder of the bench tile (default: bench-data)")
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)), help="workers (default: the usable cores)")
    parser.add_argument("--skip-all", action="store_true", help="only NDVI (the all-indices run takes a few minutes)")
    parser.add_argument("--compare-pools", action="store_true", help="also time the NDVI decode floor with a process pool")
    parser.add_argument("--decode-floor", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--bands", default=",".join(NDVI_BANDS), help=argparse.SUPPRESS)
    parser.add_argument("--pool", choices=("threads", "processes"), default="threads", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.decode_floor:
        decode_floor(args.decode_floor, tuple(args.bands.split(",")), args.workers, args.pool)
        return

    from s4c_spectral_indices.formulas import INDICES

    safe = ensure_tile(args.data)
    load = os.getloadavg()[0]
    results: dict[str, dict[str, float]] = {
        "decode floor NDVI (B04, B08, SCL)": run_floor(safe, NDVI_BANDS, args.workers),
        "NDVI": run_processor(safe, ["NDVI"], args.workers),
    }
    ratios = {"NDVI / floor (wall)": results["NDVI"]["wall_s"] / results["decode floor NDVI (B04, B08, SCL)"]["wall_s"]}
    ratios["NDVI / floor (cpu)"] = results["NDVI"]["cpu_s"] / results["decode floor NDVI (B04, B08, SCL)"]["cpu_s"]
    if args.compare_pools:
        results["decode floor NDVI, process pool"] = run_floor(safe, NDVI_BANDS, args.workers, "processes")
    if not args.skip_all:
        results["decode floor all indices (B03, B04, B08, B11, SCL)"] = run_floor(safe, ALL_INDEX_BANDS, args.workers)
        results[f"all {len(INDICES)} indices"] = run_processor(safe, list(INDICES), args.workers)
        floor = results["decode floor all indices (B03, B04, B08, B11, SCL)"]
        ratios["all indices / floor (wall)"] = results[f"all {len(INDICES)} indices"]["wall_s"] / floor["wall_s"]
        ratios["all indices / floor (cpu)"] = results[f"all {len(INDICES)} indices"]["cpu_s"] / floor["cpu_s"]

    print(f"s4c-spectral-indices on a {TILE} × {TILE} L2A tile, {args.workers} worker(s), load average at start {load:.1f}")
    print(f"{'run':52s} {'wall s':>8s} {'cpu s':>8s} {'peak MB':>8s}")
    for name, result in results.items():
        print(f"{name:52s} {result['wall_s']:8.1f} {result['cpu_s']:8.1f} {result['peak_rss_mb']:8.0f}")
    for name, value in ratios.items():
        print(f"{name:52s} {value:8.2f}")
    print(
        json.dumps(
            {"tile": TILE, "workers": args.workers, "load_average": round(load, 2), "runs": results, "ratios": {k: round(v, 3) for k, v in ratios.items()}}
        )
    )


if __name__ == "__main__":
    main()
