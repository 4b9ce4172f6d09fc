"""The generator's season (tiny preset): retrieved LAI and FCOVER follow the truth of every parcel and date."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pystac
import pytest
import rasterio
from bio_helpers import AUXDATA_IN_SHARED
from click.testing import CliRunner
from s4c_biophysical.cli import main
from s4c_sample.cli import main as sample_main
from scipy.stats import spearmanr


@pytest.fixture(scope="module")
def season(shared, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The tiny scene (6 S2 dates, one fully cloudy) and the processor's LAI and FCOVER products of it."""
    scene = tmp_path_factory.mktemp("scene")
    assert CliRunner().invoke(sample_main, ["--preset", "tiny", "--no-s1", "--output", str(scene), "-q"]).exit_code == 0
    out = tmp_path_factory.mktemp("l3b")
    args = ["--auxdata", str(shared.path(AUXDATA_IN_SHARED)), "--input", str(scene / "S2"), "--indicator", "LAI,FCOVER", "--output", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return scene, out


def parcel_medians(scene: Path, out: Path, suffix: str) -> pd.DataFrame:
    """Median retrieved value per parcel and date, where at least 80 % of the parcel's pixels have one."""
    with rasterio.open(scene / "truth" / "parcel_id.tif") as src:
        parcel = src.read(1)
    ids = np.unique(parcel[parcel > 0])
    rows = []
    for path in sorted(out.glob(f"*/TILES/*/IMG_DATA/*_{suffix}_*.TIF")):
        date = pd.Timestamp(path.name.split("_A")[1][:8])
        with rasterio.open(path) as src:
            values = src.read(1).astype(np.float64)
        values[values == -10000] = np.nan
        values /= 1000.0
        for parcel_id in ids:
            inside = values[parcel == parcel_id]
            if np.isfinite(inside).mean() >= 0.8:
                rows.append((parcel_id, date, float(np.nanmedian(inside))))
    return pd.DataFrame(rows, columns=["OBJECTID", "date", "retrieved"])


def truth(scene: Path) -> pd.DataFrame:
    table = pd.read_parquet(scene / "truth" / "timeseries.parquet")
    table["date"] = pd.to_datetime(table["date"])
    return table


@pytest.mark.parametrize(("suffix", "column"), [("SLAIMONO", "lai"), ("SFCOVERMONO", "fcover")])
def test_values_follow_the_generator_truth(season: tuple[Path, Path], suffix: str, column: str) -> None:
    scene, out = season
    matched = parcel_medians(scene, out, suffix).merge(truth(scene), on=["OBJECTID", "date"])
    assert len(matched) > 150  # ~60 parcels on the 4 clear dates and the partly cloudy one
    # The generator's spectra are not a radiative-transfer model: the networks see them with a bias, but rank
    # every parcel and date as its phenology does.
    assert spearmanr(matched["retrieved"], matched[column]).statistic > 0.9
    assert abs(np.median(matched["retrieved"] - matched[column])) < (0.6 if column == "lai" else 0.15)


def test_the_cloudy_date_is_all_nodata_with_a_warning(season: tuple[Path, Path]) -> None:
    _, out = season
    catalog = pystac.Catalog.from_file(str(out / "catalog.json"))
    warned = [item for item in catalog.get_items(recursive=True) if any(w["code"] == "W_ALL_INVALID" for w in item.properties.get("s4c:warnings", []))]
    assert {item.properties["s4c:indicator"] for item in warned} == {"LAI", "FCOVER"}
    for item in warned:
        with rasterio.open(next(a.get_absolute_href() for k, a in item.assets.items() if k.endswith("MONO"))) as src:
            assert (src.read(1) == -10000).all()
