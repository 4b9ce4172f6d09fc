"""Oracles on real data in ../shared/data (spec parcels.md, section 6)."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
from affine import Affine
from click.testing import CliRunner
from rasterio.crs import CRS
from s4c_common.raster import Grid
from s4c_common.rasterize import burn_ids
from s4c_parcels.cli import main
from s4c_parcels.tiles import utm_epsg
from shapely.geometry import box

EOLEARN = "data/eo-learn-TestEOPatch/TestEOPatch"
RSGISLIB = "data/rsgislib-s2/python_tests/data/zonalstats"
GFMAP = "data/openeo-gfmap-cdse/tests/tests_integration/resources/wc_extraction_dataset.gpkg"
AT_CODES = "data/eurocrops-hcat/csvs/country_mappings/at_2021.csv"


def test_eolearn_centre_rule_rasterisation(shared):
    folder = shared.path(EOLEARN)
    polygons = gpd.read_file(folder / "vector_timeless/LULC.gpkg")
    bbox = json.loads((folder / "bbox.geojson").read_text())["coordinates"][0]
    xs, ys = [p[0] for p in bbox], [p[1] for p in bbox]
    width, height = 100, 101
    transform = Affine((max(xs) - min(xs)) / width, 0, min(xs), 0, -(max(ys) - min(ys)) / height, max(ys))
    grid = Grid(CRS.from_epsg(32633), transform, width, height)
    labels = burn_ids(polygons.geometry.to_numpy(), polygons["LULC_ID"].to_numpy(), grid, dtype="uint16")
    expected = np.load(folder / "mask_timeless/LULC.npy")[..., 0]
    assert np.array_equal(labels, expected)
    assert labels.mean() == pytest.approx(2.33267, abs=1e-5)
    assert np.median(labels) == 2 and labels.max() == 8


def test_rsgislib_centre_rule_selects_703_pixels(shared):
    folder = shared.path(RSGISLIB)
    polygons = gpd.read_file(folder / "sen2_20210527_aber_polygons.geojson")
    with rasterio.open(folder / "sen2_20210527_aber_polys.tif") as src:
        reference = src.read(1)
        grid = Grid.of(src)
    ones = np.ones(len(polygons), dtype=int)
    centre = burn_ids(polygons.geometry.to_numpy(), ones, grid)
    touched = burn_ids(polygons.geometry.to_numpy(), ones, grid, all_touched=True)
    assert int((centre > 0).sum()) == 703
    assert np.array_equal(centre > 0, reference > 0)
    assert int((touched > 0).sum()) == 863


def _country(sample_id: str) -> str:
    return "LV" if sample_id.startswith("2021_LV") else "AT" if sample_id.startswith("at2021") else "BE"


@pytest.fixture(scope="module")
def lpis_run(tmp_path_factory, shared):
    path = shared.path(GFMAP)
    base = tmp_path_factory.mktemp("lpis")
    parcels = gpd.read_file(path)
    # Tiles in each country's UTM zone, one per occupied 20 km cell: the clusters span hundreds of
    # kilometres, and rasterising whole 110 km tiles at 10 m would dominate the test time.
    rows = []
    for country, group in parcels.groupby(parcels["sample_id"].map(_country)):
        lon, lat = group.union_all().centroid.coords[0]
        epsg = utm_epsg(lon, lat)
        local = group.to_crs(epsg)
        cells = (local.centroid.x // 20000).astype(int).astype(str) + "_" + (local.centroid.y // 20000).astype(int).astype(str)
        for cell, members in local.groupby(cells):
            xmin, ymin, xmax, ymax = members.total_bounds
            footprint = gpd.GeoSeries([box(xmin - 100, ymin - 100, xmax + 100, ymax + 100)], crs=epsg).to_crs(4326).iloc[0]
            rows.append({"tile_id": f"T{country}{cell}", "epsg_code": epsg, "geometry": footprint})
    gpd.GeoDataFrame(rows, crs=4326).to_file(base / "tiles.gpkg", driver="GPKG")
    codes = sorted(parcels["croptype_label"].unique())
    lut = pd.DataFrame({"ori_crop": codes, "ctnum": range(1, len(codes) + 1), "lc": 1, "ctnuml4a": codes, "ctl4a": [f"wc{c}" for c in codes],
                        "ctnumdiv": range(1, len(codes) + 1), "eaa": 1, "al": 1, "pgrass": 0, "tgrass": 0, "fallow": 0, "cwater": 0})
    lut.to_csv(base / "lut.csv", index=False)
    out = base / "out"
    args = ["--declarations", path, "--lut", base / "lut.csv", "--tile-grid", base / "tiles.gpkg", "--year", 2021, "--site", "wc",
            "--parcel-id-cols", "sample_id", "--holding-id-cols", "ref_id", "--crop-code-col", "croptype_label", "--output", out]
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return base, out, parcels, args


def test_real_lpis_areas_and_shape(lpis_run):
    _, out, parcels, _ = lpis_run
    table = gpd.read_parquet(out / "decl_wc_2021.parquet")
    assert len(table) == 500
    planar = table.to_crs(3035).area.to_numpy()
    valid = table["GeomValid"].to_numpy()
    rel = np.abs(table["Area_meters"].to_numpy() - planar) / planar
    assert rel[valid].max() < 0.005
    assert (table.loc[valid, "ShapeInd"] >= 1).all()
    assert table["NewID"].tolist() == list(range(1, 501))
    assert table["ori_id"].tolist() == sorted(parcels["sample_id"])
    assert (table.loc[valid, "S2Pix"] > 0).mean() > 0.95
    usable = pd.read_csv(out / "parcels.csv")
    assert 0 < len(usable) <= 500


def test_real_lpis_previous_keeps_all_ids(lpis_run, tmp_path):
    _, out, _, args = lpis_run
    args = [*args[:-1], tmp_path / "again", "--previous", out / "decl_wc_2021.parquet"]
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    first = gpd.read_parquet(out / "decl_wc_2021.parquet").set_index("ori_id")["NewID"]
    second = gpd.read_parquet(tmp_path / "again/decl_wc_2021.parquet").set_index("ori_id")["NewID"]
    assert second.reindex(first.index).equals(first)
    assert (gpd.read_parquet(tmp_path / "again/decl_wc_2021.parquet")["geom_change_ratio"] == 0).all()


def test_text_crop_codes_from_eurocrops(shared, tmp_path):
    """A LUT of Austrian national crop names (text codes): unmatched codes are dropped from the joined CSV."""
    mapping = pd.read_csv(shared.path(AT_CODES))
    names = mapping["original_name"].dropna().drop_duplicates().head(40).tolist()
    lut = pd.DataFrame({"ori_crop": names[:30], "ctnum": range(1, 31), "lc": 1, "ctnuml4a": range(1, 31), "ctl4a": names[:30],
                        "ctnumdiv": 1, "eaa": 1, "al": 1, "pgrass": 0, "tgrass": 0, "fallow": 0, "cwater": 0})
    lut.to_csv(tmp_path / "lut.csv", index=False)
    decl = gpd.GeoDataFrame({"OBJECTID": range(40), "holding_id": 1, "CULT_CODE": names},
                            geometry=[box(i * 200, 0, i * 200 + 150, 150) for i in range(40)], crs=32633)
    decl.to_file(tmp_path / "decl.gpkg", driver="GPKG")
    result = CliRunner().invoke(main, ["--declarations", str(tmp_path / "decl.gpkg"), "--lut", str(tmp_path / "lut.csv"), "--year", "2021",
                                       "--output", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "W_LUT_UNMATCHED: 10 valid parcel(s)" in result.output
    joined = pd.read_csv(tmp_path / "out/decl_site_2021.csv")
    assert len(joined) == 30 and set(joined["ori_crop"]) == set(names[:30])
    assert (joined["ctl4a"] == joined["ori_crop"]).all()
