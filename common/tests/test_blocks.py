"""Windowed parallel processing: order, bounded in-flight work, errors, alignment."""

from __future__ import annotations

import threading
import time

import pytest
from s4c_common.blocks import aligned_block_size, gdal_threads, process_windows


@pytest.mark.parametrize("workers", [1, 2, 4])
def test_results_in_window_order(workers: int) -> None:
    windows = list(range(40))

    def slow_for_even(w: int) -> int:
        time.sleep(0.002 if w % 2 == 0 else 0)
        return w * w

    assert list(process_windows(slow_for_even, windows, workers)) == [(w, w * w) for w in windows]


def test_in_flight_is_bounded() -> None:
    started: list[int] = []
    lock = threading.Lock()

    def record(w: int) -> int:
        with lock:
            started.append(w)
        return w

    consumed = 0
    for window, _ in process_windows(record, iter(range(100)), workers=2):
        with lock:
            # windows started so far never run more than 2 × workers ahead of the consumer
            assert len(started) <= window + 1 + 4
        consumed += 1
    assert consumed == 100


def test_error_is_raised_in_order_and_later_windows_cancelled() -> None:
    calls: list[int] = []

    def fail_at_three(w: int) -> int:
        calls.append(w)
        if w == 3:
            raise RuntimeError("bad window")
        return w

    results = []
    with pytest.raises(RuntimeError, match="bad window"):
        for window, value in process_windows(fail_at_three, range(1000), workers=2):
            results.append((window, value))
    assert results == [(0, 0), (1, 1), (2, 2)]
    assert max(calls) < 20  # the rest was never submitted


def test_workers_must_be_positive() -> None:
    with pytest.raises(ValueError):
        list(process_windows(lambda w: w, [1], workers=0))


def test_aligned_block_size() -> None:
    assert aligned_block_size([1024, 2048]) == 2048  # 10 m and 20 m JPEG 2000 tiles of 1024 px
    assert aligned_block_size([512]) == 1024
    assert aligned_block_size([640, 1280]) == 1280
    assert aligned_block_size([1000, 1024]) == 1024  # no common multiple within bounds
    assert aligned_block_size([]) == 1024


def test_gdal_threads_share_the_cores() -> None:
    assert gdal_threads(1, cores=2) == 2
    assert gdal_threads(2, cores=2) == 1
    assert gdal_threads(4, cores=2) == 1
    assert gdal_threads(2, cores=8) == 4


@pytest.mark.parametrize("workers", [1, 2])
def test_windows_run_with_gdal_threads_set(workers: int) -> None:
    from rasterio.env import getenv

    seen = [value for _, value in process_windows(lambda w: getenv().get("GDAL_NUM_THREADS"), range(4), workers)]
    assert seen == [str(gdal_threads(workers))] * 4
