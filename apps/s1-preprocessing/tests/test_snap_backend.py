"""SnapBackend end to end with a stand-in gpt: graphs written, linted, run in order, results on the output grid."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import rasterio
import shapely
from s4c_common.errors import ExternalError, InputError
from s4c_s1_preprocessing.options import BackscatterOptions, CoherenceOptions
from s4c_s1_preprocessing.products import Backend
from s4c_s1_preprocessing.snap import SnapBackend
from s4c_s1_preprocessing.snap.graphfile import read_graph
from snap_helpers import (
    GRD_NAME,
    SHARED_PRODUCTS,
    SLAVE_NAME,
    SLC_NAME,
    STANDIN_BORDER,
    STANDIN_SIZE,
    STANDIN_VALUE,
    copy_product,
    standin_calls,
    standin_extent,
    write_dem,
    write_gpt_standin,
)

VALID_PIXELS = (STANDIN_SIZE[0] - 2 * STANDIN_BORDER) * (STANDIN_SIZE[1] - 2 * STANDIN_BORDER)


@pytest.fixture
def products(shared, tmp_path) -> dict[str, Path]:
    folder = shared.path(SHARED_PRODUCTS)
    inputs = tmp_path / "inputs"
    return {
        "grd": copy_product(folder, GRD_NAME, inputs),
        "slc": copy_product(folder, SLC_NAME, inputs),
        "slave": copy_product(folder, SLC_NAME, inputs, as_name=SLAVE_NAME),
    }


@pytest.fixture
def gpt(tmp_path, shared, monkeypatch) -> Path:
    monkeypatch.setenv("S4C_SNAP_OPERATORS", str(shared.path("reference/snap-operators.json")))
    return write_gpt_standin(tmp_path / "snap" / "bin")


@pytest.fixture
def dem(tmp_path) -> Path:
    return write_dem(tmp_path / "dem.tif")


def _runs(gpt: Path) -> list[str]:
    """Names of the graphs gpt ran, in order (--diag excluded)."""
    return [Path(call[0]).stem for call in standin_calls(gpt) if call != ["--diag"]]


def test_is_a_backend():
    assert isinstance(SnapBackend(), Backend)
    assert SnapBackend.name == "snap"


def test_grd_backscatter(products, gpt, dem, tmp_path):
    extent = standin_extent("EPSG:3035", 20.0)
    options = BackscatterOptions(dem=dem, scale="db", extent=extent)
    work = tmp_path / "work"
    results = SnapBackend(gpt).backscatter(products["grd"], options, work)
    assert set(results) == {"VV", "VH"}
    assert _runs(gpt) == ["VV-backscatter", "VH-backscatter"]
    calls = standin_calls(gpt)
    assert calls[0] == ["--diag"] and calls.count(["--diag"]) == 1
    assert calls[1][1:] == ["-c", "256M", "-q", "8", "-e"]
    with rasterio.open(results["VV"]) as output:
        assert (output.dtypes[0], output.crs.to_epsg(), output.res, tuple(output.bounds)) == ("float32", 3035, (20.0, 20.0), extent)
        assert math.isnan(output.nodata)
        data = output.read(1)
    # SNAP's 0 (undeclared no-data) became NaN; the stand-in's pixels were copied unchanged onto the aligned grid
    assert np.count_nonzero(np.isfinite(data)) == VALID_PIXELS
    assert np.all(data[np.isfinite(data)] == np.float32(STANDIN_VALUE))
    folder = work / f"snap_{GRD_NAME.removesuffix('.SAFE')}_VV"
    assert sorted(p.name for p in folder.iterdir()) == ["VV-backscatter.log", "VV-backscatter.xml"]  # intermediates removed


def test_grid_over_the_footprint_without_extent(products, gpt, dem, tmp_path):
    options = BackscatterOptions(dem=dem, polarisations=("VV",), pixel_spacing=1000.0)
    results = SnapBackend(gpt).backscatter(products["grd"], options, tmp_path / "work")
    with rasterio.open(results["VV"]) as output:
        left, bottom, right, top = output.bounds
        assert all(v % 1000 == 0 for v in (left, bottom, right, top))
        assert (output.width, output.height) == (round((right - left) / 1000), round((top - bottom) / 1000))
        assert output.width > 250 and output.height > 200  # the GRD footprint, about 290 x 210 km
        assert np.count_nonzero(np.isfinite(output.read(1))) == VALID_PIXELS


def test_slc_backscatter_runs_the_chained_steps(products, gpt, dem, tmp_path):
    options = BackscatterOptions(dem=dem, polarisations=("VH",), amp_mode="sen4cap", extent=standin_extent("EPSG:3035", 20.0))
    results = SnapBackend(gpt).backscatter(products["slc"], options, tmp_path / "work")
    assert _runs(gpt) == ["VH-split", "VH-deburst-IW1", "VH-deburst-IW2", "VH-deburst-IW3", "VH-geocode"]
    with rasterio.open(results["VH"]) as output:
        assert np.count_nonzero(np.isfinite(output.read(1))) == VALID_PIXELS


def test_coherence_pair(products, gpt, dem, tmp_path):
    options = CoherenceOptions(dem=dem, polarisations=("VV",), projection="EPSG:32632", pixel_spacing=10, extent=standin_extent("EPSG:32632", 10.0))
    results = SnapBackend(gpt, spectral_diversity=True).coherence(products["slc"], products["slave"], options, tmp_path / "work")
    assert _runs(gpt) == [
        "VV-split",
        "VV-coregister-IW1",
        "VV-coherence-IW1",
        "VV-coregister-IW2",
        "VV-coherence-IW2",
        "VV-coregister-IW3",
        "VV-coherence-IW3",
        "VV-geocode",
    ]
    with rasterio.open(results["VV"]) as output:
        assert (output.crs.to_epsg(), output.res) == (32632, (10.0, 10.0))
        assert np.count_nonzero(np.isfinite(output.read(1))) == VALID_PIXELS
    geocode_graph = read_graph(next((tmp_path / "work").glob("snap_*_VV/VV-geocode.xml")))
    region = shapely.from_wkt(geocode_graph.by_operator("Subset")[0].parameter("geoRegion"))
    assert region.bounds == pytest.approx((8.766076, 45.526531, 12.466462, 47.59214))  # both products have the same footprint


def test_unaligned_snap_grid_is_resampled_onto_the_output_grid(products, gpt, dem, tmp_path):
    """Ellipsoid-Correction-GG has no pixel spacing: the stand-in writes 15 m pixels, resampled onto the 20 m grid."""
    extent = standin_extent("EPSG:3035", 20.0)
    options = BackscatterOptions(dem=dem, polarisations=("VV",), geocoding="gcp", extent=extent, img_resampling="nearest")
    results = SnapBackend(gpt).backscatter(products["grd"], options, tmp_path / "work")
    with rasterio.open(results["VV"]) as output:
        assert (tuple(output.bounds), output.res) == (extent, (20.0, 20.0))
        data = output.read(1)
    assert np.isnan(data[0]).all() and np.isnan(data[-1]).all()
    assert set(np.unique(data[np.isfinite(data)])) == {np.float32(STANDIN_VALUE)}


def test_snap_older_than_minimum_is_refused_before_any_run(products, dem, tmp_path):
    old = write_gpt_standin(tmp_path / "old" / "bin", release="8.0.9")
    with pytest.raises(ExternalError) as caught:
        SnapBackend(old).backscatter(products["grd"], BackscatterOptions(dem=dem), tmp_path / "work")
    assert (caught.value.code, caught.value.exit_code) == ("E_BACKEND", 5)
    assert _runs(old) == []


def test_options_snap_refuses_are_a_parameter_error_and_gpt_does_not_run(products, gpt, dem, tmp_path):
    options = CoherenceOptions(dem=dem, coh_win_az=1, extent=standin_extent("EPSG:3035", 20.0))
    with pytest.raises(InputError) as caught:
        SnapBackend(gpt).coherence(products["slc"], products["slave"], options, tmp_path / "work")
    assert caught.value.code == "E_PARAM"
    assert "<cohWinAz>: value 1 is outside (1, 90]" in caught.value.detail
    assert _runs(gpt) == ["VV-split", "VV-coregister-IW1"]  # stopped at the coherence graph, before gpt saw it


def test_gpt_failure_is_exit_5_with_the_log_tail(products, dem, tmp_path):
    failing = write_gpt_standin(tmp_path / "bin", mode="fail")
    with pytest.raises(ExternalError) as caught:
        SnapBackend(failing).backscatter(products["grd"], BackscatterOptions(dem=dem, extent=standin_extent("EPSG:3035", 20.0)), tmp_path / "work")
    assert caught.value.exit_code == 5
    assert "does not cover the scene" in caught.value.detail


def test_bad_inputs(products, gpt, dem, tmp_path):
    backend = SnapBackend(gpt)
    with pytest.raises(InputError) as caught:
        backend.coherence(products["grd"], products["slc"], CoherenceOptions(dem=dem), tmp_path / "w1")
    assert caught.value.code == "E_UNSUPPORTED_PRODUCT"
    with pytest.raises(InputError) as caught:
        backend.backscatter(products["grd"], BackscatterOptions(dem=dem, polarisations=("HH",)), tmp_path / "w2")
    assert caught.value.code == "E_MISSING_BAND"
    with pytest.raises(InputError) as caught:
        backend.backscatter(products["grd"], BackscatterOptions(), tmp_path / "w3")
    assert caught.value.code == "E_PARAM"  # no DEM
    flat = write_dem(tmp_path / "no-datum.tif", crs="EPSG:4326")
    with pytest.raises(InputError) as caught:
        backend.backscatter(products["grd"], BackscatterOptions(dem=flat), tmp_path / "w4")
    assert caught.value.code == "E_BAD_CRS"
    assert _runs(gpt) == []
    assert not any((tmp_path / name).exists() for name in ("w1", "w2", "w3", "w4"))


def test_dem_heights_override(products, gpt, tmp_path):
    ellipsoidal = write_dem(tmp_path / "no-datum.tif", crs="EPSG:4326", nodata=None)
    options = BackscatterOptions(dem=ellipsoidal, dem_heights="ellipsoidal", polarisations=("VV",), extent=standin_extent("EPSG:3035", 20.0))
    SnapBackend(gpt).backscatter(products["grd"], options, tmp_path / "work")
    graph = next((tmp_path / "work").rglob("VV-backscatter.xml")).read_text()
    assert "<externalDEMApplyEGM>false</externalDEMApplyEGM>" in graph
    assert "<externalDEMNoDataValue>0.0</externalDEMNoDataValue>" in graph
