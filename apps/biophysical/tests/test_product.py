"""The processor on synthetic SAFE products: values, per-pixel angles, layout, STAC, determinism, options."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pystac
import pytest
import rasterio
from bio_helpers import ACQ, AUXDATA_IN_SHARED, CLOUD, PARCEL, SIZE, VEGETATION, write_scene
from click.testing import CliRunner
from s4c_biophysical.cli import main
from s4c_biophysical.evaluate import evaluate_networks
from s4c_biophysical.models import MODELS, load_networks
from s4c_biophysical.process import Options, process_product
from s4c_common.quantize import NODATA
from s4c_common.s2 import safe_to_stac_item
from s4c_common.s2.angles import circular_nanmean
from s4c_common.s2.bands import L2A_BANDS
from s4c_sample.s2_safe import synthetic_angles, write_l2a_safe
from scipy.interpolate import RegularGridInterpolator

ALL = ("LAI", "FAPAR", "FCOVER", "CCC", "CWC")


@pytest.fixture(scope="module")
def auxdata(shared) -> Path:
    return shared.path(AUXDATA_IN_SHARED)


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_scene(tmp_path_factory.mktemp("scene"))


def invoke(auxdata: Path, inputs: list[Path], out: Path, *extra: str):
    args = ["--auxdata", str(auxdata), *(a for p in inputs for a in ("--input", str(p))), "--output", str(out), "--workers", "2", *extra]
    return CliRunner().invoke(main, args)


def raster(out: Path, pattern: str) -> np.ndarray:
    (path,) = out.glob(f"*/TILES/*/*/{pattern}")
    with rasterio.open(path) as src:
        return src.read(1)


@pytest.fixture(scope="module")
def all_indicators(auxdata: Path, scene: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("all")
    result = invoke(auxdata, [scene], out, "--indicator", ",".join(ALL))
    assert result.exit_code == 0, result.output
    return out


def test_vegetated_parcel_gives_plausible_values(all_indicators: Path) -> None:
    lai = raster(all_indicators, "*_SLAIMONO_*.TIF")
    fapar = raster(all_indicators, "*_SFAPARMONO_*.TIF")
    fcover = raster(all_indicators, "*_SFCOVERMONO_*.TIF")
    ccc = raster(all_indicators, "*_SCCCMONO_*.TIF")
    # the Qvidja grassland spectrum of 2023-06-11: SNAP 3.0 S2B gives LAI ≈ 2.5 there (see test_qvidja)
    assert 2300 <= lai[PARCEL].min() and lai[PARCEL].max() <= 2700
    assert 700 <= fapar[PARCEL].min() and fapar[PARCEL].max() <= 800
    assert 700 <= fcover[PARCEL].min() and fcover[PARCEL].max() <= 800
    assert 1000 <= ccc[PARCEL].min() and ccc[PARCEL].max() <= 2000  # ×10: 100–200 µg/cm²
    soil = np.ones((SIZE, SIZE), bool)
    soil[PARCEL] = soil[CLOUD] = False
    assert lai[soil].max() < 300 and fapar[soil].max() < 100
    for values in (lai, fapar, fcover, ccc):
        assert (values[CLOUD] == NODATA).all()


def test_flags_and_quality_rasters(all_indicators: Path) -> None:
    flags = raster(all_indicators, "S2AGRI_L3BLAI_MMONODFLG_*.TIF")
    assert (flags[CLOUD] == 4).all() and (flags[PARCEL] == 0).all()
    assert np.array_equal(flags, raster(all_indicators, "S2AGRI_L3BFAPAR_MMONODFLG_*.TIF"))
    domain = raster(all_indicators, "*_MLAIDOMFLG_*.TIF")
    assert (domain[CLOUD] == 255).all() and (domain[PARCEL] == 0).all()
    assert (raster(all_indicators, "*_MCCCDOMFLG_*.TIF")[PARCEL] < 32).all()


def test_layout_and_stac(all_indicators: Path) -> None:
    catalog = pystac.Catalog.from_file(str(all_indicators / "catalog.json"))
    items = {item.properties["s4c:indicator"]: item for item in catalog.get_items(recursive=True)}
    assert sorted(items) == sorted(ALL)
    lai = items["LAI"]
    assert lai.id == "S2AGRI_L3BLAI_PRD_S0_20230611T125044_A20230611T094549_T34VEM"
    assert sorted(lai.assets) == ["MLAIDOMFLG", "MMONODFLG", "SLAIMONO", "metadata", "thumbnail"]
    assert lai.assets["SLAIMONO"].extra_fields["raster:bands"] == [{"data_type": "int16", "nodata": NODATA, "scale": 0.001}]
    assert items["CWC"].assets["SCWCMONO"].extra_fields["raster:bands"][0]["scale"] == pytest.approx(1e-4)
    assert lai.properties["s4c:network"] == "3_0/S2B/LAI" and lai.properties["proj:shape"] == [SIZE, SIZE]
    assert next(link.target for link in lai.links if link.rel == "derived_from").endswith(".SAFE")
    with rasterio.open(lai.assets["SLAIMONO"].get_absolute_href()) as src:
        assert src.driver == "GTiff" and src.profile["tiled"] and src.nodata == NODATA
    metadata = Path(lai.assets["metadata"].get_absolute_href()).read_text()
    assert '<PARAMETER name="model">snap-3.0-20m</PARAMETER>' in metadata and '<PARAMETER name="sensor">S2B</PARAMETER>' in metadata


def test_same_inputs_give_the_same_bytes(auxdata: Path, scene: Path, all_indicators: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    assert invoke(auxdata, [scene], again, "--indicator", ",".join(ALL), "--workers", "1").exit_code == 0
    first = {p.relative_to(all_indicators): p.read_bytes() for p in sorted(all_indicators.rglob("*")) if p.is_file()}
    second = {p.relative_to(again): p.read_bytes() for p in sorted(again.rglob("*")) if p.is_file()}
    assert first.keys() == second.keys() and all(first[k] == second[k] for k in first)


def _angle_oracle(acquisition, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """cos VZA, cos SZA, cos(SAA − VAA) at pixel centres ``offsets`` metres from the tile corner (rows and columns alike),
    interpolated from the generator's node grids with scipy, independently of the reader."""
    grids = synthetic_angles(acquisition)
    view_zenith = np.nanmean(np.stack(list(grids.view_zenith.values())), axis=0)
    view_azimuth = circular_nanmean(np.stack(list(grids.view_azimuth.values())))
    nodes = np.arange(view_zenith.shape[0], dtype=float)
    where = np.stack(np.meshgrid(offsets / 5000, offsets / 5000, indexing="ij"), axis=-1)

    def at(grid: np.ndarray) -> np.ndarray:
        return RegularGridInterpolator((nodes, nodes), grid)(where)

    cos = lambda degrees: np.cos(np.deg2rad(degrees))  # noqa: E731
    return cos(at(view_zenith)), cos(at(grids.sun_zenith)), cos(at(grids.sun_azimuth) - at(view_azimuth))


def test_angles_are_used_per_pixel(auxdata: Path, tmp_path: Path) -> None:
    """A 12 km vegetated product (angles change across it) against an oracle built from the generator's grids."""
    size = 1200
    acquisition = dataclasses.replace(ACQ, width=size, height=size)
    texture = np.linspace(-0.02, 0.02, size, dtype=np.float32)
    vegetation = {b: np.full((size, size), VEGETATION[b], np.float32) + texture[None, :] for b in L2A_BANDS}
    safe = write_l2a_safe(tmp_path / "in", acquisition, vegetation, np.full((size, size), 4, np.uint8))
    items = process_product(safe, tmp_path / "out", Options(resolution=20, output_dtype="float32"), auxdata=auxdata, workers=2)
    with rasterio.open(items[0].assets["SLAIMONO"].href) as src:
        lai = src.read(1)
    # independent inputs: a 20 m band is written as the DN-rounded mean of 2 × 2 10 m pixels; a 10 m band is read
    # onto the 20 m grid as the mean of its DN-rounded pixels
    model = MODELS["snap-3.0-20m"]
    half = size // 2

    def dn_rounded(values: np.ndarray) -> np.ndarray:
        return np.round(values.astype(np.float64) * 10000) / 10000

    def block_mean(values: np.ndarray) -> np.ndarray:
        return values.reshape(half, 2, half, 2).mean(axis=(1, 3), dtype=np.float64)

    reflectance = [block_mean(dn_rounded(vegetation[b])) if b in ("B03", "B04") else dn_rounded(block_mean(vegetation[b])) for b in model.bands]
    cosines = _angle_oracle(acquisition, (np.arange(half) + 0.5) * 20.0)
    x = np.stack(reflectance + list(cosines))
    (expected,) = evaluate_networks(load_networks(model, ["LAI"], sensor="S2B", auxdata=auxdata, sen4cap_nn_dir=None), x)
    per_pixel = expected.values.copy()
    x[-3:] = [np.full_like(c, c.mean()) for c in cosines]
    (constant_angles,) = evaluate_networks(load_networks(model, ["LAI"], sensor="S2B", auxdata=auxdata, sen4cap_nn_dir=None), x)
    assert np.abs(constant_angles.values - per_pixel).max() > 5e-4  # the angles matter at this scale ...
    assert np.abs(lai - per_pixel).max() < 2e-5  # ... and the processor follows them pixel by pixel


def test_20m_float32_and_10m_model(auxdata: Path, scene: Path, tmp_path: Path) -> None:
    assert invoke(auxdata, [scene], tmp_path / "a", "--resolution", "20", "--output-dtype", "float32").exit_code == 0
    lai20 = raster(tmp_path / "a", "*_SLAIMONO_*.TIF")
    assert lai20.shape == (SIZE // 2, SIZE // 2) and lai20.dtype == np.float32
    assert np.isnan(lai20[CLOUD[0].start // 2 :, CLOUD[1].start // 2 :]).all()
    assert 2.3 < np.nanmedian(lai20[6:24, 6:18]) < 2.7
    assert invoke(auxdata, [scene], tmp_path / "b", "--model", "snap-3.0-10m", "--indicator", "LAI").exit_code == 0
    lai10 = raster(tmp_path / "b", "*_SLAIMONO_*.TIF")
    assert 1500 < np.median(lai10[PARCEL]) < 4500  # a different network on B3, B4, B8 only: the same canopy, roughly


def test_sentinel2c_uses_the_s2a_network_with_a_warning(auxdata: Path, tmp_path: Path) -> None:
    safe = write_scene(tmp_path / "in", spacecraft="S2C")
    result = invoke(auxdata, [safe], tmp_path / "out")
    assert result.exit_code == 0 and "W_MODEL_SUBSTITUTED" in result.output
    (item,) = pystac.Catalog.from_file(str(tmp_path / "out" / "catalog.json")).get_items(recursive=True)
    assert item.properties["s4c:network"] == "3_0/S2A/LAI"
    assert [w["code"] for w in item.properties["s4c:warnings"]] == ["W_MODEL_SUBSTITUTED"]


def test_fully_cloudy_product(auxdata: Path, tmp_path: Path) -> None:
    safe = write_scene(tmp_path / "in", cloudy=True)
    result = invoke(auxdata, [safe], tmp_path / "out", "--indicator", "LAI,FAPAR")
    assert result.exit_code == 0 and "WARNING" in result.output and "W_ALL_INVALID" in result.output
    assert (raster(tmp_path / "out", "*_SLAIMONO_*.TIF") == NODATA).all()
    assert (raster(tmp_path / "out", "*_SFAPARMONO_*.TIF") == NODATA).all()
    item = json.loads(next((tmp_path / "out").glob("S2AGRI_L3BLAI_*/*.json")).read_text())
    assert item["properties"]["s4c:warnings"][0]["code"] == "W_ALL_INVALID"


def test_stac_catalog_input_and_compat(auxdata: Path, scene: Path, tmp_path: Path) -> None:
    staged = tmp_path / "staged"
    catalog = pystac.Catalog(id="inputs", description="staged L2A")
    catalog.add_item(safe_to_stac_item(scene))
    catalog.normalize_and_save(str(staged), pystac.CatalogType.SELF_CONTAINED)
    result = invoke(auxdata, [staged], tmp_path / "out", "--sen4cap-compat", "--quantize-rounding", "round")
    assert result.exit_code == 0, result.output
    product = next((tmp_path / "out").glob("S2AGRI_L3BLAI_*"))
    assert not list(product.rglob("*DOMFLG*"))  # compat: no domain flags file
    metadata = next(product.glob("*_MTD_*.xml")).read_text()
    assert '<PARAMETER name="output_range_mode">sen4cap</PARAMETER>' in metadata
    assert '<PARAMETER name="quantize_rounding">round</PARAMETER>' in metadata  # an explicit option wins over compat
    assert 2300 <= raster(tmp_path / "out", "*_SLAIMONO_*.TIF")[PARCEL].min()


def test_params_file(auxdata: Path, scene: Path, tmp_path: Path) -> None:
    params = tmp_path / "params.yml"
    params.write_text("indicator: [FAPAR, FCOVER]\nresolution: '20'\nnaming: project\n")
    result = CliRunner().invoke(main, ["--params-file", str(params), "--auxdata", str(auxdata), "--input", str(scene), "--output", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    products = sorted(p.name for p in (tmp_path / "out").iterdir() if p.is_dir())
    assert products == ["L3BFAPAR_T34VEM_20230611T094549", "L3BFCOVER_T34VEM_20230611T094549"]
    with rasterio.open(next((tmp_path / "out").glob("L3BFAPAR_*/*_SFAPARMONO.tif"))) as src:
        assert src.shape == (SIZE // 2, SIZE // 2)
