"""Acceptance criteria of spec parcels.md on synthetic declarations with known answers."""

from __future__ import annotations

import hashlib
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pystac
import pytest
import rasterio
from click.testing import CliRunner
from parcels_synthetic import declarations_year2, write_inputs
from s4c_parcels.cli import main
from stac_pydantic import Item as StacItemModel


def run(args: list[str]) -> object:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def year1(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Path], Path, gpd.GeoDataFrame]:
    base = tmp_path_factory.mktemp("year1")
    inputs = write_inputs(base / "in")
    out = base / "out"
    result = run(["--declarations", inputs["declarations"], "--lut", inputs["lut"], "--tile-grid", inputs["tile_grid"],
                  "--year", 2024, "--site", "test", "--output", out, "--format", "geoparquet", "--format", "gpkg"])
    assert result.exit_code == 0, result.output
    table = gpd.read_parquet(out / "decl_test_2024.parquet").set_index("ori_id")
    return inputs, out, table


def test_square_area_shape_index_and_pixels(year1):
    _, _, table = year1
    sq = table.loc["SQUARE"]
    assert abs(sq["Area_meters"] - 10000) / 10000 <= 1e-9
    assert sq["ShapeInd"] == pytest.approx(1.12838, abs=1e-5)
    assert (sq["S2Pix"], sq["S1Pix"]) == (81, 16)


def test_flags(year1):
    _, out, table = year1
    assert table.loc[["OV15A", "OV15B"], "Overlap"].all()
    assert not table.loc[["OV05A", "OV05B"], "Overlap"].any()
    assert table.loc[["DUP1", "DUP2"], "Duplic"].all()
    assert not table.loc["SQUARE", "Duplic"]
    assert not table.loc["BOWTIE", "GeomValid"]
    assert table.loc["SQUARE", "GeomValid"]
    # the bow-tie is absent from parcels.csv and from every raster
    bowtie_id = table.loc["BOWTIE", "NewID"]
    usable = pd.read_csv(out / "parcels.csv")
    assert bowtie_id not in set(usable["NewID"])
    for tif in out.glob("*_S[12].tif"):
        with rasterio.open(tif) as src:
            assert bowtie_id not in np.unique(src.read(1))


def test_parcels_csv_filter_and_columns(year1):
    _, out, table = year1
    usable = pd.read_csv(out / "parcels.csv")
    assert list(usable.columns) == ["NewID", "Area_meters", "S1Pix", "S2Pix", "CTnumL4A", "CTL4A", "LC"]
    expected = table[table.GeomValid & ~table.Duplic & ~table.Overlap & ~table.is_deleted & (table.ori_crop != 999)]
    assert sorted(usable["NewID"]) == sorted(expected["NewID"])
    assert usable["NewID"].is_monotonic_increasing
    lut = pd.read_csv(out / "lut.csv")
    assert list(lut.columns) == ["CTnumL4A", "CTL4A"] and len(lut) == 3


def test_repeated_ids_get_discriminators_and_ids_follow_ori_id_order(year1):
    _, _, table = year1
    assert {"REP-A", "REP-B"} <= set(table.index)
    ordered = table.sort_values("NewID").index.tolist()
    assert ordered == sorted(ordered)
    assert table["NewID"].sort_values().tolist() == list(range(1, len(table) + 1))


def test_thin_parcel_and_tiles(year1):
    _, out, table = year1
    assert table.loc["THIN", "S1Pix"] == 0
    # INOVERLAP lies in both tiles: max-merge counts it once ([927, 977] x [307, 357] holds 5 x 5 pixel centres)
    assert table.loc["INOVERLAP", "S2Pix"] == 25
    # STRADDLE: [957, 1147] x [607, 697] after buffering, whole in T2: 19 x 9 centres
    assert table.loc["STRADDLE", "S2Pix"] == 19 * 9
    assert table.loc["OUTSIDE", ["S1Pix", "S2Pix"]].tolist() == [0, 0]
    assert {p.name for p in out.glob("*.tif")} == {f"decl_test_2024_{t}_{s}.tif" for t in ("T1", "T2") for s in ("S1", "S2")}
    with rasterio.open(out / "decl_test_2024_T1_S2.tif") as src:
        assert (src.width, src.height, src.res, src.bounds.left, src.bounds.top) == (100, 100, (10.0, 10.0), 0, 1000)
        assert src.dtypes[0] == "int32" and src.profile["compress"] == "deflate"


def test_buffered_shapefiles(year1):
    _, out, _ = year1
    names = {p.name for p in out.glob("*.shp")}
    assert names == {"decl_test_2024_32631_buf_5m.shp", "decl_test_2024_32631_buf_10m.shp", "decl_test_2024_3035_buf_10m.shp"}
    buf5 = gpd.read_file(out / "decl_test_2024_32631_buf_5m.shp")
    assert list(buf5.columns) == ["NewID", "geometry"]
    table = gpd.read_parquet(out / "decl_test_2024.parquet").set_index("NewID")
    sq_id = int(table.index[table["ori_id"] == "SQUARE"][0])
    area = buf5.set_index("NewID").loc[sq_id].geometry.area
    assert area == pytest.approx(90 * 90, rel=1e-9)


def test_stac_catalog_lists_every_file(year1):
    _, out, _ = year1
    catalog = pystac.Catalog.from_file(str(out / "catalog.json"))
    items = list(catalog.get_items())
    assert [i.id for i in items] == ["lpis"]
    item = items[0]
    StacItemModel.model_validate(item.to_dict())  # offline validation (pystac's validator fetches schemas)
    assert item.properties["s4c:year"] == 2024 and item.properties["s4c:site"] == "test"
    assert "W_OUTSIDE_TILES" in {w["code"] for w in item.properties["s4c:warnings"]}
    listed = {Path(a.get_absolute_href()).resolve() for a in item.assets.values()}
    written = {p.resolve() for p in out.iterdir() if p.is_file() and p.name != "catalog.json"}
    assert listed == written
    assert not list(out.glob(".s4c-staging-*"))


def test_deterministic_outputs(year1, tmp_path):
    inputs, out, _ = year1
    again = tmp_path / "again"
    result = run(["--declarations", inputs["declarations"], "--lut", inputs["lut"], "--tile-grid", inputs["tile_grid"],
                  "--year", 2024, "--site", "test", "--output", again])
    assert result.exit_code == 0

    def digest(p: Path) -> str:
        return hashlib.sha256(p.read_bytes()).hexdigest()

    for name in ["decl_test_2024.csv", "parcels.csv", "lut.csv", "decl_test_2024_T1_S2.tif", "decl_test_2024_T2_S1.tif", "decl_test_2024.parquet"]:
        assert digest(out / name) == digest(again / name), name


def test_previous_run_keeps_ids(year1, tmp_path):
    _, out, table1 = year1
    paths = write_inputs(tmp_path / "in2", declarations_year2())
    out2 = tmp_path / "out2"
    result = run(["--declarations", paths["declarations"], "--lut", paths["lut"], "--tile-grid", paths["tile_grid"],
                  "--year", 2025, "--site", "test", "--previous", out / "decl_test_2024.parquet", "--output", out2])
    assert result.exit_code == 0, result.output
    table2 = gpd.read_parquet(out2 / "decl_test_2025.parquet").set_index("ori_id")
    # REP-A/REP-B of year 1 became a single "REP" (no discriminator): REP-A and REP-B vanish, REP is new
    kept = [i for i in table1.index if i in table2.index]
    assert kept and all(table2.loc[i, "NewID"] == table1.loc[i, "NewID"] for i in kept)
    assert table2.loc["NEW", "NewID"] > table1["NewID"].max()
    assert table2.loc[["REP-A", "REP-B"], "is_deleted"].all()
    assert not table2.loc["SQUARE", "is_deleted"]
    assert table2.loc["SQUARE", "geom_change_ratio"] == pytest.approx(1 - 10000 / 12100, rel=1e-6)
    assert table2.loc["DUP1", "geom_change_ratio"] == 0
    deleted = set(table2.loc[["REP-A", "REP-B"], "NewID"])
    assert deleted.isdisjoint(pd.read_csv(out2 / "parcels.csv")["NewID"])
    assert deleted.isdisjoint(pd.read_csv(out2 / "decl_test_2025.csv")["NewID"])
    for tif in out2.glob("*.tif"):
        with rasterio.open(tif) as src:
            assert deleted.isdisjoint(np.unique(src.read(1)))
    for shp in out2.glob("*.shp"):
        assert deleted.isdisjoint(gpd.read_file(shp)["NewID"])
