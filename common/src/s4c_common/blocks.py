"""Windowed, parallel processing of a raster tile with bounded memory.

A processor splits its grid into windows, computes each window in a worker thread and consumes the
results in window order (so the output is written sequentially and is the same whatever the number
of workers). At most ``2 × workers`` windows are in flight, so memory stays bounded by a few windows.

Threads rather than processes: the work is JPEG 2000 / DEFLATE decoding in GDAL and numpy
arithmetic, which both release the GIL, and a thread hands its result back without pickling a
window of pixels (see tests/bench/bench_spectral_indices.py for the measurement). GDAL's own
decoding threads (``GDAL_NUM_THREADS``, used by the JPEG 2000 driver for windows spanning several
JP2 tiles) are limited so that workers × GDAL threads does not exceed the usable cores.

>>> from s4c_common.raster import block_windows
>>> windows = block_windows(10980, 10980, aligned_block_size([1024, 2048]))
>>> for window, ndvi in process_windows(compute_ndvi, windows, workers=4):
...     writer.write(ndvi, window)
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

import rasterio

from .cli import default_workers

W = TypeVar("W")
R = TypeVar("R")

IN_FLIGHT_PER_WORKER = 2


def gdal_threads(workers: int, cores: int | None = None) -> int:
    """GDAL decoding threads per worker: the usable cores shared among the workers, at least 1."""
    return max(1, (cores or default_workers()) // workers)


def process_windows(fn: Callable[[W], R], windows: Iterable[W], workers: int, *, in_flight: int | None = None) -> Iterator[tuple[W, R]]:
    """Yield ``(window, fn(window))`` in the order of ``windows``, computed by ``workers`` threads.

    At most ``in_flight`` (default ``2 × workers``) results are pending at any time. An exception of
    ``fn`` is raised when its window's turn comes; windows not yet started are then cancelled.
    ``workers = 1`` computes in the calling thread. Each call runs with ``GDAL_NUM_THREADS`` set
    to :func:`gdal_threads` (thread-local), so GDAL's decoding threads do not oversubscribe the cores.
    """
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    threads = str(gdal_threads(workers))

    def call(window: W) -> R:
        with rasterio.Env(GDAL_NUM_THREADS=threads):
            return fn(window)

    if workers == 1:
        for window in windows:
            yield window, call(window)
        return
    limit = max(workers, in_flight or IN_FLIGHT_PER_WORKER * workers)
    pending: deque[tuple[W, Future[R]]] = deque()
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="s4c-window")
    try:
        for window in windows:
            pending.append((window, pool.submit(call, window)))
            if len(pending) >= limit:
                done, future = pending.popleft()
                yield done, future.result()
        while pending:
            done, future = pending.popleft()
            yield done, future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def aligned_block_size(input_blocks: Sequence[int], *, minimum: int = 1024, maximum: int = 4096) -> int:
    """A window size (output pixels) that is a whole number of every input's internal block.

    ``input_blocks`` are the inputs' block sizes expressed in output pixels (a 1024-pixel JPEG 2000
    tile of a 20 m band read onto a 10 m grid is 2048). Aligned windows decode every input block
    exactly once. The least common multiple is doubled up to ``minimum``; when it exceeds
    ``maximum`` no alignment is possible within bounds and the largest input block (capped) is used.

    >>> aligned_block_size([1024, 2048])
    2048
    >>> aligned_block_size([256])
    1024
    """
    blocks = [int(b) for b in input_blocks if b > 0]
    if not blocks:
        return minimum
    size = math.lcm(*blocks)
    if size > maximum:
        return min(max(blocks), maximum)
    while size < minimum:
        size *= 2
    return size
