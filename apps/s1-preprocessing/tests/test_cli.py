"""``s4c-s1-preprocessing`` end to end: layout and names of both namings, tiles, STAC, determinism."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import s1p_helpers as h
from click.testing import CliRunner
from s4c_s1_preprocessing.cli import main
from s4c_s1_preprocessing.products import BCK_REGEX, COH_REGEX, SEN4CAP_REGEX, SEN4CAP_TILE_REGEX
from shapely.geometry import box

TILE = "31UES"


def run_cli(*args: str) -> object:
    return CliRunner().invoke(main, [*args, "--quiet"], catch_exceptions=False)


def _inputs(slc_pair) -> list[str]:
    return [arg for safe in slc_pair.safes for arg in ("--input", str(safe))] + ["--dem", str(slc_pair.dem), "--backend", "python"]


@pytest.fixture(scope="module")
def tile_grid(tmp_path_factory) -> Path:
    """A tile grid with one tile covering the generator scene (the S2 grid itself is 110 km; this keeps tests small)."""
    path = tmp_path_factory.mktemp("tiles") / "tile_grid.gpkg"
    tiles = gpd.GeoDataFrame({"tile_id": [TILE], "epsg_code": [32631]}, geometry=[box(*h.BOUNDS)], crs=32631).to_crs(4326)
    tiles.to_file(path)
    return path


@pytest.fixture(scope="module")
def project_run(slc_pair, tile_grid, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("project")
    result = run_cli(*_inputs(slc_pair), "--tiles", TILE, "--tile-grid", str(tile_grid), "--output", str(out))
    assert result.exit_code == 0, result.output
    return out


def _files(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_project_names_match_the_downstream_regexes(project_run):
    rasters = sorted(p.name for p in project_run.glob("*.tif"))
    assert len(rasters) == 6  # 2 acquisitions × 2 polarisations BCK + 1 pair × 2 polarisations COH
    assert sum(bool(BCK_REGEX.fullmatch(n)) for n in rasters) == 4
    assert sum(bool(COH_REGEX.fullmatch(n)) for n in rasters) == 2
    assert "S1B_L2_COH_20210403T172452_20210409T172452_VV_088_31UES.tif" in rasters  # S1B: satellite of the later acquisition
    with rasterio.open(project_run / rasters[0]) as src:
        assert src.dtypes[0] == "float32" and np.isnan(src.nodata) and src.res == (20.0, 20.0) and src.crs.to_epsg() == 32631
        assert (src.width, src.height) == (150, 150)  # the tile grid


def test_stac_items_carry_the_spec_properties(project_run):
    catalog = json.loads((project_run / "catalog.json").read_text())
    items = [link["href"] for link in catalog["links"] if link["rel"] == "item"]
    assert len(items) == 6
    coherence = json.loads(
        (project_run / "S1B_L2_COH_20210403T172452_20210409T172452_VH_088_31UES" / "S1B_L2_COH_20210403T172452_20210409T172452_VH_088_31UES.json").read_text()
    )
    props = coherence["properties"]
    assert props["sat:relative_orbit"] == 88 and props["sat:orbit_state"] == "ascending" and props["sar:instrument_mode"] == "IW"
    assert props["sar:polarizations"] == ["VH"] and props["s4c:backend"] == "python" and props["s4c:pair_interval_days"] == 6
    assert props["s4c:master"].startswith("S1B_IW_SLC") and props["s4c:slave"].startswith("S1A_IW_SLC") and props["s4c:radiometry"] == "coherence"
    assert coherence["assets"]["data"]["href"].endswith(".tif") and any(link["rel"] == "derived_from" for link in coherence["links"])
    backscatter = next(project_run.glob("S1A_L2_BCK_*_VV_088_31UES/*.json"))
    assert json.loads(backscatter.read_text())["properties"]["s4c:radiometry"] == "sigma0"


def test_sen4cap_naming_writes_the_amplitude(slc_pair, tile_grid, project_run, tmp_path):
    """Legacy names (tile variant), AMP = sqrt(σ⁰) of the project product within 1e-6, no-data 0."""
    result = run_cli(*_inputs(slc_pair), "--tiles", TILE, "--tile-grid", str(tile_grid), "--naming", "sen4cap", "--site-id", "7", "--output", str(tmp_path))
    assert result.exit_code == 0, result.output
    rasters = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.tif"))
    assert len(rasters) == 6 and all(SEN4CAP_TILE_REGEX.fullmatch(Path(r).name) for r in rasters)
    folder = "SEN4CAP_L2A_S7_V20210409T172452_20210403T172452_VV_088"
    assert f"{folder}/{folder}_COHE_{TILE}.tif" in rasters and f"{folder}/{folder}_AMP_{TILE}.tif" in rasters
    with rasterio.open(tmp_path / folder / f"{folder}_AMP_{TILE}.tif") as src:
        amplitude, nodata = src.read(1), src.nodata
    with rasterio.open(project_run / f"S1B_L2_BCK_20210409T172452_VV_088_{TILE}.tif") as src:
        sigma0 = src.read(1)
    assert nodata == 0 and not np.isnan(amplitude).any()
    valid = np.isfinite(sigma0) & (sigma0 > 0)
    np.testing.assert_allclose(amplitude[valid], np.sqrt(sigma0[valid]), rtol=1e-6)
    assert np.all(amplitude[~np.isfinite(sigma0)] == 0)


def test_untiled_sen4cap_names_and_determinism(slc_pair, tmp_path):
    """Without tiles: EPSG:3035 products cropped to their data; the same inputs give the same bytes."""
    outputs = []
    for run in ("a", "b"):
        out = tmp_path / run
        assert run_cli(*_inputs(slc_pair), "--product", "coherence", "--naming", "sen4cap", "--output", str(out)).exit_code == 0
        outputs.append(_files(out))
    assert outputs[0] == outputs[1]
    names = [Path(n).name for n in outputs[0] if n.endswith(".tif")]
    assert len(names) == 2 and all(SEN4CAP_REGEX.fullmatch(n) for n in names)
    with rasterio.open(next((tmp_path / "a").rglob("*_COHE.tif"))) as src:
        assert src.crs.to_epsg() == 3035 and src.transform.c % 20 == 0 and src.transform.f % 20 == 0
        assert np.isfinite(src.read(1, masked=True).filled(np.nan)).any()
