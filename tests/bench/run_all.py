"""Run every benchmark script (bench_*.py) in turn; each prints its own table and JSON."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", default="bench-data", help="folder for generated benchmark inputs (reused between runs)")
    parser.add_argument("names", nargs="*", help="benchmarks to run (e.g. parcels); default: all")
    args = parser.parse_args()
    scripts = sorted(Path(__file__).parent.glob("bench_*.py"))
    if args.names:
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in args.names]
    failed = []
    for script in scripts:
        print(f"=== {script.stem}", flush=True)
        if subprocess.run([sys.executable, str(script), "--data", args.data]).returncode != 0:
            failed.append(script.stem)
    if failed:
        raise SystemExit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
