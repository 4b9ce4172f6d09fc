"""End-to-end tests of s4c-sample on the ``tiny`` preset: determinism, products, declarations, truth."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pystac
import pytest
import rasterio
import shapely
from click.testing import CliRunner
from s4c_common.stac import read_items
from s4c_sample import truth
from s4c_sample.cli import main
from s4c_sample.crops import CROPS
from s4c_sample.declarations import LUT_COLUMNS, PRACTICE_COLUMNS
from s4c_sample.generate import SafeWriters, generate
from s4c_sample.model import build_world
from s4c_sample.phenology import Event
from s4c_sample.scene import build_scene
from scipy import ndimage

TINY_PARCELS = 60


@pytest.fixture(scope="module")
def scenes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The tiny scene twice with seed 42 (sequential, then two workers) and once with seed 7."""
    root = tmp_path_factory.mktemp("scenes")
    runs = {"first": (42, 1), "again": (42, 2), "other_seed": (7, 1)}
    for name, (seed, workers) in runs.items():
        generate(build_scene("tiny", seed), root / name, workers=workers)
    return {name: root / name for name in runs}


@pytest.fixture(scope="module")
def tiny(scenes: dict[str, Path]) -> Path:
    return scenes["first"]


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _s2_products(scene: Path) -> dict[str, Path]:
    return {p.name: p for p in sorted((scene / "S2").glob("*.SAFE"))}


def _band(safe: Path, band: str, resolution: int) -> np.ndarray:
    (path,) = safe.glob(f"GRANULE/*/IMG_DATA/R{resolution}m/*_{band}_{resolution}m.jp2")
    with rasterio.open(path) as src:
        return src.read(1)


def _reflectance(safe: Path, band: str) -> np.ndarray:
    dn = _band(safe, band, 10).astype(float)
    return np.where(dn > 0, (dn - 1000) / 10000, np.nan)


def _scl_10m(safe: Path) -> np.ndarray:
    return np.kron(_band(safe, "SCL", 20), np.ones((2, 2), dtype=np.uint8))


def _ground_truth(scene: Path) -> dict:
    return json.loads((scene / "truth" / "ground_truth.json").read_text())


# --------------------------------------------------------------------------- determinism


def test_same_seed_gives_the_same_bytes_whatever_the_workers(scenes: dict[str, Path]) -> None:
    first, again = _files(scenes["first"]), _files(scenes["again"])
    assert sorted(first) == sorted(again)
    different = [name for name in first if first[name] != again[name]]
    assert not different, f"files differ between identical runs: {different[:5]}"


def test_another_seed_gives_another_scene(scenes: dict[str, Path]) -> None:
    first, other = _files(scenes["first"]), _files(scenes["other_seed"])
    assert first["declarations/parcels.gpkg"] != other["declarations/parcels.gpkg"]
    assert first["truth/timeseries.parquet"] != other["truth/timeseries.parquet"]
    first_b04 = _band(next(iter(_s2_products(scenes["first"]).values())), "B04", 10)
    other_b04 = _band(next(iter(_s2_products(scenes["other_seed"]).values())), "B04", 10)
    assert not np.array_equal(first_b04, other_b04)


# ------------------------------------------------------------------------ products, STAC


def test_layout_and_catalog(tiny: Path) -> None:
    for name in ("dem.tif", "declarations/parcels.gpkg", "declarations/lut.csv", "declarations/tile_grid.gpkg", "truth/parcels.parquet"):
        assert (tiny / name).is_file(), name
    assert not list(tiny.glob(".s4c-staging-*"))
    scene = build_scene("tiny")
    s2 = read_items(tiny / "S2")
    assert len(s2) == len(scene.s2) == len(_s2_products(tiny))
    assert len(read_items(tiny / "S1" / "GRD")) == len(scene.s1_grd)
    assert len(read_items(tiny / "S1" / "SLC")) == 3 * len(scene.slc_triplets)
    for staged in s2:
        assert "created" not in staged.item.properties
        for key, asset in staged.item.assets.items():
            assert not Path(asset.href).is_absolute(), key
            assert Path(staged.asset_path(key)).exists(), key
    root = pystac.Catalog.from_file(str(tiny / "catalog.json"))
    root_items = {item.id for item in root.get_items()}
    assert root_items == {"declarations", "dem", "truth"}
    assert len(list(root.get_items(recursive=True))) == len(scene.s2) + len(scene.s1_grd) + 3 * len(scene.slc_triplets) + 3


def test_dem_states_its_vertical_datum(tiny: Path) -> None:
    with rasterio.open(tiny / "dem.tif") as src:
        assert "ellipsoid" in src.tags()["VERTICAL_DATUM"]
        assert src.res == (30.0, 30.0)
        heights = src.read(1)
    assert 20 < heights.min() and heights.max() < 120  # 45 m geoid + gentle hills


# --------------------------------------------------------------------------- declarations


def test_declarations_are_readable(tiny: Path) -> None:
    parcels = gpd.read_file(tiny / "declarations" / "parcels.gpkg", layer="parcels")
    assert list(parcels.columns) == ["OBJECTID", "holding_id", "CULT_CODE", "area_decl", "geometry"]
    assert len(parcels) == TINY_PARCELS + 3 and parcels.OBJECTID.is_unique  # + a duplicate, a sliver and a bow-tie
    assert parcels.crs.to_epsg() == 32631
    assert (~parcels.is_valid).sum() == 1  # the bow-tie
    parts_per_parcel = shapely.get_num_geometries(parcels.geometry.values)
    assert (parts_per_parcel == 2).any()  # a declaration in two pieces
    assert any(len(part.interiors) for part in shapely.get_parts(parcels.geometry.values))  # a parcel with a hole
    assert np.allclose(parcels.area_decl, parcels.area / 10_000, rtol=0.05)
    tiles = gpd.read_file(tiny / "declarations" / "tile_grid.gpkg")
    assert tiles.tile_id.tolist() == ["31UFS"] and tiles.epsg_code.tolist() == [32631]
    assert tiles.to_crs(32631).geometry.iloc[0].contains(parcels[parcels.is_valid].union_all())


def test_lut_has_the_required_columns_and_unique_keys(tiny: Path) -> None:
    lut = pd.read_csv(tiny / "declarations" / "lut.csv")
    assert tuple(lut.columns) == LUT_COLUMNS
    assert lut.ori_crop.is_unique and lut.ctnum.is_unique
    assert lut.lc.between(0, 5).all()
    for flag in ("eaa", "al", "pgrass", "tgrass", "fallow", "cwater"):
        assert set(lut[flag]) <= {0, 1}
    parcels = gpd.read_file(tiny / "declarations" / "parcels.gpkg")
    assert set(parcels.CULT_CODE) <= set(lut.ori_crop)


def test_practice_files_follow_the_sen4cap_format(tiny: Path) -> None:
    objectids = {str(i) for i in gpd.read_file(tiny / "declarations" / "parcels.gpkg").OBJECTID}
    for practice in ("CatchCrop", "NFC", "Fallow", "NA"):
        with open(tiny / "declarations" / f"practices_{practice}.csv", newline="") as f:
            reader = csv.DictReader(f)
            assert tuple(reader.fieldnames) == PRACTICE_COLUMNS
            rows = list(reader)
        assert rows, practice
        assert {row["PRACTICE"] for row in rows} == {practice}
        assert {row["FIELD_ID"] for row in rows} <= objectids
        if practice == "CatchCrop":
            assert {row["P_END"] for row in rows} == {"NA"}
            assert all(pd.Timestamp(row["P_START"]) for row in rows)


# --------------------------------------------------------------------------------- truth


def test_truth_ndvi_matches_the_written_reflectance(tiny: Path) -> None:
    """On clear, haze-free dates the NDVI of each parcel's interior equals the truth within 0.03."""
    acquisitions = _ground_truth(tiny)["acquisitions"]["S2"]
    parcels = gpd.read_parquet(tiny / "truth" / "parcels.parquet").set_index("OBJECTID")
    series = pd.read_parquet(tiny / "truth" / "timeseries.parquet")
    with rasterio.open(tiny / "truth" / "parcel_id.tif") as src:
        parcel_id = src.read(1)
    clear_dates = [a for a in acquisitions if a["cloud_cover"] == 0 and a["haze"] == 0 and not a["swath_edge"]]
    assert clear_dates
    checked = 0
    for acquisition in clear_dates:
        safe = tiny / "S2" / acquisition["product"]
        red, nir = _reflectance(safe, "B04"), _reflectance(safe, "B08")
        ndvi = (nir - red) / (nir + red)
        clear = np.isin(_scl_10m(safe), (4, 5, 6))
        day = series[series.date == pd.Timestamp(acquisition["date"]).date()].set_index("OBJECTID")
        for objectid in parcels.index[parcels.heterogeneity == "none"]:
            interior = ndimage.binary_erosion(parcel_id == objectid, iterations=2) & clear
            if interior.sum() >= 20:
                assert abs(ndvi[interior].mean() - day.loc[objectid, "ndvi"]) <= 0.03, (acquisition["date"], objectid)
                checked += 1
    assert checked >= 50


def test_heterogeneous_parcels_have_two_distinct_halves(tiny: Path) -> None:
    parcels = gpd.read_parquet(tiny / "truth" / "parcels.parquet")
    mixed = parcels[parcels.heterogeneity == "halves"]
    assert len(mixed)
    with rasterio.open(tiny / "truth" / "parcel_id.tif") as src:
        parcel_id = src.read(1)
    with rasterio.open(tiny / "truth" / "crop_code.tif") as src:
        crop_code = src.read(1)
    acquisitions = _ground_truth(tiny)["acquisitions"]["S2"]
    clear = [a for a in acquisitions if a["cloud_cover"] == 0 and a["haze"] == 0 and not a["swath_edge"]]
    ndvi_by_date = []
    for acquisition in clear:
        safe = tiny / "S2" / acquisition["product"]
        red, nir = _reflectance(safe, "B04"), _reflectance(safe, "B08")
        ndvi_by_date.append((nir - red) / (nir + red))
    for row in mixed.itertuples():
        inside = parcel_id == row.OBJECTID
        codes, counts = np.unique(crop_code[inside], return_counts=True)
        assert set(codes) == {row.crop_code, row.second_crop_code}
        assert counts.min() / counts.sum() == pytest.approx(row.second_share, abs=1e-6)
        assert row.second_share >= 0.25
        zones = [ndimage.binary_erosion(inside & (crop_code == code), iterations=2) for code in codes]
        contrast = max(abs(ndvi[zones[0]].mean() - ndvi[zones[1]].mean()) for ndvi in ndvi_by_date)
        assert contrast > 0.2


def test_mowing_drops_ndvi_and_raises_coherence() -> None:
    world = build_world(build_scene("tiny"))
    daily = truth.daily_unit_ndvi(world)
    mowing = world.states.events.select(Event.MOW)
    grassland = {i for i, crop in enumerate(CROPS) if crop.key in ("permanent_grassland", "temporary_grassland")}
    cuts = [(u, d) for u, d in zip(mowing.unit, mowing.day, strict=True) if world.units.crop[u] in grassland and 8 <= d < daily.shape[1] - 14]
    assert len(cuts) >= 20
    jumps = []
    for unit, day in cuts:
        drop = daily[unit, day - 1] - daily[unit, day]
        assert 0.15 < drop < 0.6, (unit, day, drop)
        assert daily[unit, day + 14] > daily[unit, day] + 0.05  # regrowth
        before = world.unit_coherence(day - 7, day - 1)[unit]
        after = world.unit_coherence(day + 1, day + 7)[unit]
        jumps.append(after - before)
    # Rain between the dates of a pair lowers coherence too, so a few jumps are hidden.
    assert np.median(jumps) > 0.15
    assert np.mean(np.array(jumps) > 0) >= 0.9


def test_truth_tables(tiny: Path) -> None:
    parcels = gpd.read_parquet(tiny / "truth" / "parcels.parquet")
    assert list(parcels.columns) == [*truth.PARCEL_SCHEMA.names, "geometry"]
    assert len(parcels) == TINY_PARCELS and parcels.crs.to_epsg() == 32631
    grass = parcels[parcels.crop.isin(["permanent_grassland", "temporary_grassland"])]
    assert grass.mowing_dates.map(len).max() >= 3
    arable = parcels[parcels.crop.isin(["winter_wheat", "silage_maize", "sugar_beet", "potato"])]
    assert arable.harvest_date.notna().all()
    assert arable.bare_soil_periods.map(len).gt(0).any()
    assert set(parcels.practice.dropna()) == {"CatchCrop", "NFC", "Fallow", "NA"}
    assert {True, False} <= set(parcels.practice_compliant.dropna())
    assert (~parcels.correctly_declared).sum() >= 1
    series = pd.read_parquet(tiny / "truth" / "timeseries.parquet")
    scene = build_scene("tiny")
    n_dates = len({a.date for a in (*scene.s2, *scene.s1_grd, *scene.slc_dates)})
    assert len(series) == TINY_PARCELS * n_dates
    assert series[["ndvi", "lai", "sigma0_vv_db", "sigma0_vh_db", "coherence_6d"]].notna().all().all()
    assert series.ndvi.between(-1, 1).all() and series.coherence_6d.between(0, 1).all()
    assert series.sigma0_vh_db.lt(series.sigma0_vv_db).all()
    document = _ground_truth(tiny)
    assert len(document["parcels"]) == TINY_PARCELS
    assert {"S2", "S1_GRD", "S1_SLC"} == set(document["acquisitions"])


# ------------------------------------------------------------------------------- clouds


def test_scl_classes_and_an_overcast_date(tiny: Path) -> None:
    present: set[int] = set()
    fully_cloudy = 0
    for safe in _s2_products(tiny).values():
        scl = _band(safe, "SCL", 20)
        present |= set(np.unique(scl).tolist())
        fully_cloudy += bool(np.isin(scl, (8, 9)).all())
    assert {0, 1, 3, 4, 5, 6, 7, 8, 9, 10} <= present
    assert fully_cloudy >= 1
    demo = build_world(build_scene("demo"))
    assert any(a.cloud_cover == 1.0 for a in demo.atmospheres)
    assert any(a.cloud_cover == 0.0 and a.haze == 0.0 for a in demo.atmospheres)


# ----------------------------------------------------------------------------------- CLI


def test_cli_summary(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--preset", "tiny", "--no-s1", "--s2-dates", "2", "--parcels", "30", "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "parcels: 30" in result.output and "2 S2 L2A" in result.output
    assert len(gpd.read_file(tmp_path / "out" / "declarations" / "parcels.gpkg")) == 30 + 3  # + the declaration errors
    assert not (tmp_path / "out" / "S1").exists()


def test_cli_rejects_bad_options(tmp_path: Path) -> None:
    assert CliRunner().invoke(main, ["--preset", "huge", "-o", str(tmp_path)]).exit_code == 2
    assert CliRunner().invoke(main, ["--parcels", "0", "-o", str(tmp_path)]).exit_code == 2


def test_failure_leaves_nothing_behind(tmp_path: Path) -> None:
    class BrokenWriters(SafeWriters):
        def grd(self, *args: object, **kwargs: object) -> Path:
            raise RuntimeError("disk full")

    output = tmp_path / "out"
    with pytest.raises(RuntimeError, match="disk full"):
        generate(build_scene("tiny", s2_dates=1), output, writers=BrokenWriters())
    assert not output.exists()


def test_relative_output_gives_item_hrefs_inside_the_scene(tmp_path, monkeypatch):
    """A relative --output (as the README's demo uses) must not leak the staging folder into hrefs."""
    import pystac
    from click.testing import CliRunner
    from s4c_sample.cli import main

    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["--preset", "tiny", "--no-s1", "--s2-dates", "1", "--output", "scene", "--quiet"])
    assert result.exit_code == 0, result.output
    item = next(iter(pystac.Catalog.from_file(str(tmp_path / "scene" / "S2" / "catalog.json")).get_items()))
    for asset in item.assets.values():
        href = asset.get_absolute_href()
        assert ".s4c-staging" not in href and (tmp_path / "scene").resolve() in Path(href).resolve().parents


def test_declaration_errors_are_what_the_item_says(tiny: Path) -> None:
    """The duplicate, the sliver and the bow-tie are recorded in the declarations item, with the parcel each copies."""
    item = json.loads((tiny / "declarations" / "declarations.json").read_text())
    errors = {e["kind"]: e for e in item["properties"]["s4c:declaration_errors"]}
    parcels = gpd.read_file(tiny / "declarations" / "parcels.gpkg").set_index("OBJECTID")
    duplicate, original = parcels.geometry[errors["duplicate"]["OBJECTID"]], parcels.geometry[errors["duplicate"]["of"]]
    assert shapely.normalize(duplicate).equals_exact(shapely.normalize(original), 1e-9)
    sliver, neighbour = parcels.geometry[errors["overlap"]["OBJECTID"]], parcels.geometry[errors["overlap"]["of"]]
    assert 0.2 <= shapely.area(shapely.intersection(sliver, neighbour)) / neighbour.area < 0.6
    assert not parcels.geometry[errors["bowtie"]["OBJECTID"]].is_valid
