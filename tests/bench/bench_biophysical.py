"""Benchmark of s4c-biophysical (LAI + FAPAR + FCOVER) on a full 10980 × 10980 Sentinel-2 L2A tile.

    .venv/bin/python tests/bench/bench_biophysical.py [--data bench-data] [--workers N] [--auxdata DIR]

The tile is the one the spectral-indices benchmark writes (path in ``DATA/s2-tile/READY``); without it a
tile of vegetation and soil fields is written once into ``DATA/s2-tile-bio/``. The SNAP networks come
from ``--auxdata``, ``$S4C_BIOPHYSICAL_AUXDATA`` or ``../shared/data/snap-s2tbx-biophysical``.

Measured in the same run, each case in its own process (wall time, peak RSS of the child):

- ``decode floor``: reading and decoding only what the 20 m networks need (B03, B04 at 10 m; B05, B06,
  B07, B8A, B11, B12 and SCL at 20 m; the MTD_TL.xml angle grids), with the processor's windows and
  worker threads (s4c_common.blocks);
- ``LAI+FAPAR+FCOVER``: the processor at 10 m, int16 COG products.

Goal: processor ≤ 2 × decode floor, peak < 4 GB. Prints a table, the ratios of wall time and of CPU time
(the machine is shared: CPU time is what other jobs do not inflate), and one JSON line (also written to
``DATA/bench_biophysical.json``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import Measurement, report, run_measured

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
TILE = 10980
INDICATORS = "LAI,FAPAR,FCOVER"
NETWORK_BANDS = ("B03", "B04", "B05", "B06", "B07", "B8A", "B11", "B12", "SCL")
DEFAULT_AUXDATA = REPO.parent / "shared" / "data" / "snap-s2tbx-biophysical"


def own_tile(folder: Path) -> Path:
    """A full tile of 600 m vegetation and soil fields with noise and 15 % cloud, written once (fallback)."""
    ready = folder / "READY"
    if ready.exists():
        return Path(ready.read_text(encoding="utf-8").strip())
    from s4c_sample.s2_safe import L2A_BANDS, S2Acquisition, write_l2a_safe

    rng = np.random.default_rng(3)
    fields = rng.random((TILE // 60 + 1, TILE // 60 + 1))
    vegetated = np.kron(fields > 0.4, np.ones((60, 60), bool))[:TILE, :TILE]
    green = np.array([0.03, 0.04, 0.07, 0.04, 0.11, 0.30, 0.37, 0.41, 0.42, 0.42, 0.21, 0.10], np.float32)
    soil = np.array([0.08, 0.10, 0.13, 0.17, 0.20, 0.22, 0.23, 0.24, 0.25, 0.26, 0.32, 0.27], np.float32)
    scl = np.where(vegetated, 4, 5).astype(np.uint8)
    scl[np.kron(fields > 0.85, np.ones((60, 60), bool))[:TILE, :TILE]] = 9

    def reflectance(band: str) -> np.ndarray:
        k = L2A_BANDS.index(band)
        noise = np.random.default_rng([3, k]).standard_normal((TILE, TILE), dtype=np.float32) * np.float32(0.004)
        return np.where(vegetated, green[k], soil[k]) + noise

    acquisition = S2Acquisition(
        tile_id="31UFS", epsg=32631, ulx=600000.0, uly=5700000.0, width=TILE, height=TILE,
        sensing_time=dt.datetime(2024, 6, 12, 10, 56, 19, tzinfo=dt.UTC), spacecraft="S2A", relative_orbit=94,
        sun_zenith=32.0, sun_azimuth=155.0, view_zenith=6.0, view_azimuth=105.0,
    )  # fmt: skip
    safe = write_l2a_safe(folder, acquisition, reflectance, scl)
    ready.write_text(str(safe.resolve()) + "\n", encoding="utf-8")
    return safe


def bench_tile(data: Path) -> Path:
    shared = data / "s2-tile" / "READY"
    if shared.exists():
        return Path(shared.read_text(encoding="utf-8").strip())
    return own_tile(data / "s2-tile-bio")


def decode_floor(safe: Path, workers: int) -> None:
    """Decode the network inputs window by window, as the processor reads them (its windows, its threads)."""
    import rasterio
    from rasterio.windows import Window
    from s4c_common.blocks import aligned_block_size, process_windows
    from s4c_common.raster import block_windows
    from s4c_common.s2 import open_l2a
    from s4c_common.s2.bands import NATIVE_RESOLUTION

    product = open_l2a(safe)
    product.angles()
    grid = product.grid(10)
    blocks = []
    for band in NETWORK_BANDS:
        with rasterio.open(product.band_path(band)) as src:
            blocks.append(src.block_shapes[0][0] * NATIVE_RESOLUTION[band] // 10)
    size = aligned_block_size(blocks)

    def decode(window: Window) -> int:
        pixels = 0
        for band in NETWORK_BANDS:
            factor = NATIVE_RESOLUTION[band] // 10
            native = Window(window.col_off // factor, window.row_off // factor, -(-window.width // factor), -(-window.height // factor))
            with rasterio.open(product.band_path(band)) as src:
                pixels += src.read(1, window=native).size
        return pixels

    total = sum(pixels for _, pixels in process_windows(decode, block_windows(grid.width, grid.height, size), workers))
    print(f"decoded {total} pixels in windows of {size}", file=sys.stderr)


def children_cpu_s() -> float:
    """User + system CPU seconds of every finished descendant (the measured commands run as grandchildren)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measured(name: str, cmd: list[str], workers: int) -> Measurement:
    """Wall time and peak RSS (benchlib) plus the CPU time, which contention from other jobs does not inflate."""
    before = children_cpu_s()
    row = run_measured(name, cmd, workers=workers)
    row.extra["cpu_s"] = round(children_cpu_s() - before, 1)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default="bench-data", type=Path, help="benchmark data folder (tile reused between runs)")
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)), help="worker threads (default: the usable cores)")
    parser.add_argument("--auxdata", type=Path, default=Path(os.environ.get("S4C_BIOPHYSICAL_AUXDATA", DEFAULT_AUXDATA)), help="SNAP network folder")
    parser.add_argument("--decode-floor", type=Path, help=argparse.SUPPRESS)  # internal: the floor, in a child process
    args = parser.parse_args()
    if args.decode_floor:
        decode_floor(args.decode_floor, args.workers)
        return
    safe = bench_tile(args.data)
    out = Path(tempfile.mkdtemp(prefix="bench-biophysical-", dir=args.data))
    try:
        floor_cmd = [sys.executable, __file__, "--decode-floor", str(safe), "--workers", str(args.workers)]
        floor = measured("decode floor (B3 B4 10 m, 6 bands + SCL 20 m, angles)", floor_cmd, args.workers)
        processor_cmd = [str(VENV_BIN / "s4c-biophysical"), "--input", str(safe), "--auxdata", str(args.auxdata), "--indicator", INDICATORS]
        processor_cmd += ["--output", str(out), "--workers", str(args.workers), "--quiet"]
        processor = measured(f"s4c-biophysical {INDICATORS}", processor_cmd, args.workers)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    processor.extra["ratio_to_floor"] = round(processor.wall_s / floor.wall_s, 2)
    processor.extra["cpu_ratio_to_floor"] = round(float(processor.extra["cpu_s"]) / float(floor.extra["cpu_s"]), 2)
    processor.extra["goal"] = "<= 2 x floor, < 4096 MB"
    rows: list[Measurement] = [floor, processor]
    report(f"s4c-biophysical on a {TILE} x {TILE} tile ({safe.name})", rows, args.data / "bench_biophysical.json")


if __name__ == "__main__":
    main()
