"""Benchmark of s4c-parcels on a full Sentinel-2 tile of realistic declared parcels.

Lays out N parcels (log-normal sizes, median about 1.5 ha) over tile 31UFS with
the sample generator's field layout, then runs the processor as a child process.
Prints wall time, peak memory and parcels per second.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from s4c_sample.fields import make_layout
from shapely.geometry import box

sys.path.insert(0, str(Path(__file__).parent))
from benchlib import report, run_measured, timed

TILE = (600000.0, 5590200.0, 709800.0, 5700000.0)  # 31UFS, EPSG:32631


def make_inputs(folder: Path, n_parcels: int, seed: int) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    decl = folder / f"declarations_{n_parcels}.gpkg"
    if not decl.exists():
        layout, seconds = timed(make_layout, TILE, n_parcels, np.random.default_rng(seed))
        print(f"layout of {n_parcels} parcels: {seconds:.1f} s")
        codes = np.random.default_rng(seed).choice([111, 222, 333, 444], size=n_parcels)
        frame = gpd.GeoDataFrame(
            {"OBJECTID": np.arange(1, n_parcels + 1), "holding_id": layout.holding, "CULT_CODE": codes},
            geometry=layout.parcels, crs=32631,
        )
        frame.to_file(decl, driver="GPKG")
    lut = folder / "lut.csv"
    pd.DataFrame({"ori_crop": [111, 222, 333, 444], "ctnum": [1, 2, 3, 4], "lc": 1, "ctnuml4a": [1, 2, 3, 4],
                  "ctl4a": ["a", "b", "c", "d"], "ctnumdiv": 1, "eaa": 1, "al": 1, "pgrass": 0, "tgrass": 0, "fallow": 0,
                  "cwater": 0}).to_csv(lut, index=False)
    grid = folder / "tile_grid.gpkg"
    gpd.GeoDataFrame({"tile_id": ["31UFS"], "epsg_code": [32631]}, geometry=[box(*TILE)], crs=32631).to_file(grid, driver="GPKG")
    return {"declarations": decl, "lut": lut, "tile_grid": grid}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("bench-data"))
    parser.add_argument("--parcels", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    inputs = make_inputs(args.data / "parcels", args.parcels, args.seed)
    out = args.data / "parcels" / "out"
    shutil.rmtree(out, ignore_errors=True)
    bindir = Path(sys.executable).parent
    row = run_measured(
        f"s4c-parcels, {args.parcels} parcels, 1 tile",
        [str(bindir / "s4c-parcels"), "--declarations", str(inputs["declarations"]), "--lut", str(inputs["lut"]),
         "--tile-grid", str(inputs["tile_grid"]), "--year", "2021", "--output", str(out), "--quiet"],
        parcels=args.parcels,
    )
    row.extra["parcels_per_s"] = round(args.parcels / row.wall_s)
    report("parcels", [row], args.data / "parcels" / "result.json")


if __name__ == "__main__":
    main()
