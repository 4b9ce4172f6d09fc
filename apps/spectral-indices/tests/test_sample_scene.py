"""The generator's sample scene (s4c-sample --preset tiny) through the processor: parcel NDVI = the truth."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import rasterio
from si_run import run_ok

TOLERANCE = 0.03  # sensor noise and 20 m / 10 m mixing; haze-free, clear dates only
MIN_PIXELS = 10


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory) -> tuple[Path, Path]:
    generate = pytest.importorskip("s4c_sample.generate")
    scene = pytest.importorskip("s4c_sample.scene").build_scene("tiny", 42, s1=False)
    folder = tmp_path_factory.mktemp("sample")
    generate.generate(scene, folder / "scene")
    run_ok("--input", folder / "scene" / "S2", "--output", folder / "out", "--workers", 2)
    return folder / "scene", folder / "out"


def _products(out: Path) -> dict[str, tuple[dict, np.ndarray]]:
    """Acquisition date → (item, NDVI int16) of every product of the run."""
    catalog = json.loads((out / "catalog.json").read_text())
    products = {}
    for link in catalog["links"]:
        if link["rel"] != "item":
            continue
        item_path = out / link["href"]
        item = json.loads(item_path.read_text())
        with rasterio.open(item_path.parent / item["assets"]["SNDVI"]["href"]) as src:
            products[item["properties"]["datetime"][:10]] = (item, src.read(1))
    return products


def test_parcel_ndvi_follows_the_generator_truth(sample_run) -> None:
    scene, out = sample_run
    truth = json.loads((scene / "truth" / "ground_truth.json").read_text())
    series = pd.read_parquet(scene / "truth" / "timeseries.parquet")
    with rasterio.open(scene / "truth" / "parcel_id.tif") as src:
        parcel_id = src.read(1)
    products = _products(out)
    acquisitions = {a["date"]: a for a in truth["acquisitions"]["S2"]}
    assert set(products) == set(acquisitions)
    compared = 0
    for date, (_, ndvi) in products.items():
        if acquisitions[date]["haze"] > 0:
            continue  # haze lowers the observed NDVI, by design of the generator
        rows = series[(series["date"].astype(str) == date) & series["s2_acquired"] & (series["s2_clear_fraction"] >= 0.9)]
        for objectid, expected in zip(rows["OBJECTID"], rows["ndvi"], strict=True):
            pixels = (parcel_id == objectid) & (ndvi != -10000)
            if pixels.sum() >= MIN_PIXELS:
                assert abs(ndvi[pixels].mean() / 1000 - expected) <= TOLERANCE, (date, objectid)
                compared += 1
    assert compared >= 100


def test_cloudy_dates_of_the_sample_scene(sample_run) -> None:
    scene, out = sample_run
    truth = json.loads((scene / "truth" / "ground_truth.json").read_text())
    products = _products(out)
    for acquisition in truth["acquisitions"]["S2"]:
        item, ndvi = products[acquisition["date"]]
        codes = [w["code"] for w in item["properties"].get("s4c:warnings", [])]
        if acquisition["scl_clear_share"] == 0:
            assert codes == ["W_ALL_INVALID"] and np.all(ndvi == -10000)
        else:
            assert not codes
