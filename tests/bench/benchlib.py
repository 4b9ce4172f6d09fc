"""Shared benchmark helpers: run a command as a child process, report wall time and peak memory."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass
class Measurement:
    name: str
    wall_s: float
    peak_rss_mb: float
    extra: dict[str, float | int | str]


def run_measured(name: str, cmd: list[str], env: dict[str, str] | None = None, **extra: float | int | str) -> Measurement:
    """Run ``cmd`` in a fresh child process (so its peak RSS is its own) and measure it."""
    script = (
        "import resource, subprocess, sys, time, json\n"
        "t = time.perf_counter(); rc = subprocess.run(sys.argv[1:]).returncode; wall = time.perf_counter() - t\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(json.dumps({'rc': rc, 'wall': wall, 'peak': peak}), file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", script, *cmd], env={**os.environ, **(env or {})}, capture_output=True, text=True)
    result = json.loads(proc.stderr.strip().splitlines()[-1])
    if result["rc"] != 0:
        raise SystemExit(f"{name} failed:\n{proc.stderr[-2000:]}")
    return Measurement(name, round(result["wall"], 2), round(result["peak"], 1), dict(extra))


def peak_rss_self_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn, *args, **kwargs) -> tuple[object, float]:
    start = time.perf_counter()
    value = fn(*args, **kwargs)
    return value, time.perf_counter() - start


def report(title: str, rows: list[Measurement], out: Path | None = None) -> None:
    """Print a table and a JSON line; optionally write the JSON next to the data."""
    print(f"\n{title}")
    print(f"{'case':<40} {'wall s':>9} {'peak MB':>9}  details")
    for row in rows:
        details = ", ".join(f"{k}={v}" for k, v in row.extra.items())
        print(f"{row.name:<40} {row.wall_s:>9.2f} {row.peak_rss_mb:>9.0f}  {details}")
    payload = {"benchmark": title, "cpus": os.cpu_count(), "rows": [asdict(r) for r in rows]}
    print(json.dumps(payload))
    if out is not None:
        out.write_text(json.dumps(payload, indent=2))
