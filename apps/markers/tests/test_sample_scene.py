"""Against the generator's truth: the sample scene through s4c-parcels, s4c-spectral-indices and s4c-markers.

The generator knows every parcel's noise-free NDVI on every date (truth/timeseries.parquet, parcel
means over the 10 m pixels). On clear parcels the NDVI markers follow it (the markers use the
parcels buffered −5 m and the simulated sensor noise, hence a small tolerance). L2A bands, masked by
the same SCL, count exactly the pixels the NDVI products count. The plot command draws the result.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from markers_helpers import read_wide, run_ok

BIN = Path(sys.executable).parent


def _run(*args: object) -> None:
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-2000:]


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("sample")
    scene = folder / "scene"
    _run(BIN / "s4c-sample", "--preset", "tiny", "--no-s1", "--s2-dates", "2", "--output", scene)
    declarations = scene / "declarations"
    _run(BIN / "s4c-parcels", "--declarations", declarations / "parcels.gpkg", "--lut", declarations / "lut.csv", "--tile-grid",
         declarations / "tile_grid.gpkg", "--year", 2021, "--output", folder / "parcels", "--quiet")
    _run(BIN / "s4c-spectral-indices", "--input", scene / "S2", "--index", "NDVI", "--output", folder / "l3b", "--quiet")
    run_ok("--input", folder / "l3b", "--input", scene / "S2", "--l2a-bands", "B4,B8,B11", "--parcels", folder / "parcels", "--output",
           folder / "markers", "--stats", "valid_pixels_cnt")
    return {"folder": folder, "scene": scene, "parcels": folder / "parcels", "markers": folder / "markers"}


def test_ndvi_follows_the_truth(chain: dict[str, Path]) -> None:
    table = read_wide(chain["markers"]).to_pandas()
    truth = pd.read_parquet(chain["scene"] / "truth/timeseries.parquet")
    ids = gpd.read_parquet(chain["parcels"] / "decl_site_2021.parquet")[["NewID", "ori_id"]].astype({"ori_id": np.int64})
    differences = []
    for date in sorted({name[:8] for name in table.columns if name.endswith("_mean_NDVI")}):
        day = pd.Timestamp(date).date()
        clear = truth[(truth["date"] == day) & (truth["s2_clear_fraction"] == 1.0)]
        joined = table[["NewID", f"{date}_mean_NDVI"]].merge(ids, on="NewID").merge(clear, left_on="ori_id", right_on="OBJECTID")
        joined = joined[np.isfinite(joined[f"{date}_mean_NDVI"])]
        differences.append(np.abs(joined[f"{date}_mean_NDVI"] / 1000 - joined["ndvi"]).to_numpy())
    difference = np.concatenate(differences)
    assert difference.size >= 40
    assert difference.max() < 0.05 and np.median(difference) < 0.01


def test_l2a_bands_are_masked_like_the_indices(chain: dict[str, Path]) -> None:
    table = read_wide(chain["markers"]).to_pandas()
    dates = sorted({name[:8] for name in table.columns if name.endswith("_mean_NDVI")})
    assert len(dates) == 2
    for date in dates:
        ndvi = table[f"{date}_valid_pixels_cnt_NDVI"]
        for band in ("B4", "B8"):
            np.testing.assert_array_equal(table[f"{date}_valid_pixels_cnt_L2A_31UFS_{band}"], ndvi)
        reflectance = table[f"{date}_mean_L2A_31UFS_B8"].dropna()
        assert reflectance.between(0, 1).all()
    assert f"{dates[0]}_mean_L2A_31UFS_B11" in table.columns


def test_plot(chain: dict[str, Path]) -> None:
    from click.testing import CliRunner
    from s4c_markers.plot_cli import main

    table = read_wide(chain["markers"]).to_pandas()
    parcels = table["NewID"][table.filter(like="_mean_NDVI").notna().all(axis=1)].head(3).tolist()
    out = chain["folder"] / "plot"
    args = ["--table", chain["markers"], "--series", "NDVI,L2A", "--parcels", chain["parcels"] / "decl_site_2021.parquet", "--label-column",
            "ori_crop", "--output", out, *(a for p in parcels for a in ("--parcel", p))]
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    png = (out / "timeseries.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 10_000
    again = CliRunner().invoke(main, [str(a) for a in args])
    assert again.exit_code == 0 and (out / "timeseries.png").read_bytes() == png
    picked = CliRunner().invoke(main, ["--table", str(chain["markers"]), "--parcels", str(chain["parcels"]), "--label-column", "ori_crop",
                                       "--per-label", "3", "--output", str(out), "--name", "crops"])
    assert picked.exit_code == 0 and (out / "crops.png").exists(), picked.output
    missing = CliRunner().invoke(main, ["--table", str(chain["markers"]), "--parcel", "999999", "--output", str(out)])
    assert missing.exit_code == 3 and "E_PARAM" in missing.output
