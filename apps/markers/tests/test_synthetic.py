"""Against truth: synthetic L3B and S1 products with known per-pixel values over crafted parcels.

The expected pixel set of a parcel is computed independently of the rasteriser: the pixel centres
inside the buffered polygon (shapely.contains_xy). Values are known per pixel, so every statistic
has an exact expected value (the table stores float32: compared to 1e-7 relative).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
import shapely
from markers_helpers import Catalog, column, grid, invoke, pixel_box, read_wide, run_ok, write_parcels
from rasterio.crs import CRS
from s4c_common.raster import Grid
from s4c_common.rasterize import buffer_inward
from s4c_common.vector import transform_geometry
from s4c_markers.columns import SEN4CAP_PATTERN
from shapely.geometry import MultiPolygon, Polygon

G10 = grid(120, 100)
G20 = grid(60, 50, 20.0)
D1, D2, D3 = dt.date(2021, 5, 3), dt.date(2021, 5, 13), dt.date(2021, 5, 23)
S1_DAY = dt.date(2021, 5, 4)


def _parcels() -> dict[int, object]:
    hole = pixel_box(G10, 60.3, 2.3, 95.3, 40.3).difference(pixel_box(G10, 70.3, 12.3, 85.3, 30.3))
    return {
        1: pixel_box(G10, 2.3, 2.3, 20.3, 30.3),  # clear
        2: pixel_box(G10, 2.3, 40.3, 30.3, 70.3),  # half cloudy
        3: pixel_box(G10, 35.3, 40.3, 55.3, 70.3),  # 95 % cloudy
        4: pixel_box(G10, 39.6, 2.6, 41.5, 4.5),  # one pixel after the −5 m buffer
        5: hole,  # a hole
        6: MultiPolygon([pixel_box(G10, 2.3, 80.3, 12.3, 95.3), pixel_box(G10, 20.3, 80.3, 30.3, 95.3)]),  # two pieces
        7: pixel_box(G10, 40.3, 100.3, 60.3, 140.3),  # partly outside the rasters
        8: pixel_box(G10, 40.3, 150.3, 60.3, 170.3),  # fully outside
        9: pixel_box(G10, 70.2, 70.2, 70.9, 70.9),  # smaller than a pixel
        10: pixel_box(G10, 60.3, 50.3, 95.3, 110.3),  # big, for the S1 20 m grid
    }


def truth_mask(geometry, g: Grid, buffer: float) -> np.ndarray:
    """Pixels of ``g`` whose centre lies inside ``geometry`` buffered by ``buffer`` (independent of GDAL)."""
    cols, rows = np.meshgrid(np.arange(g.width) + 0.5, np.arange(g.height) + 0.5)
    x, y = g.transform * (cols, rows)
    return shapely.contains_xy(buffer_inward([geometry], buffer)[0], x, y)


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("synthetic")
    rng = np.random.default_rng(7)
    parcels = _parcels()
    masks = {k: truth_mask(g, G10, 5) for k, g in parcels.items()}
    ndvi = np.full(G10.shape, 150, dtype=np.int16)
    for k, mask in masks.items():
        ndvi[mask] = np.clip(np.rint(100 * k + 50 + rng.normal(0, 40, mask.sum())), -1000, 1000)
    ndvi[masks[1].nonzero()[0][:3], masks[1].nonzero()[1][:3]] = 0  # exact zeros (valid by default)
    flags = np.zeros(G10.shape, dtype=np.uint8)
    for k, share in ((2, 0.5), (3, 0.95)):
        rows, cols = masks[k].nonzero()
        cloudy = slice(0, round(share * rows.size))
        flags[rows[cloudy], cols[cloudy]] = 4
    sigma0 = {pol: rng.lognormal(np.log(level), 0.4, G20.shape) for pol, level in (("VV", 0.05), ("VH", 0.01))}
    coherence = rng.uniform(0.1, 0.9, G20.shape)

    first = Catalog.at(folder / "batch1")
    first.l3b("NDVI", D1, G10, ndvi, flags)
    first.l3b("NDVI", D2, G10, np.full(G10.shape, -10000, np.int16), np.full(G10.shape, 255, np.uint8))  # all no data
    for orbit in (88, 37):
        for pol in ("VV", "VH"):
            first.s1("BCK", S1_DAY, pol, orbit, G20, sigma0[pol])
            first.s1("AMP", S1_DAY, pol, orbit, G20, np.sqrt(sigma0[pol]), nodata=None)
    first.s1("COH", S1_DAY, "VV", 88, G20, coherence)
    first.close()
    second = Catalog.at(folder / "batch2")
    second.l3b("NDVI", D3, G10, np.where(ndvi > -10000, ndvi + 7, ndvi).astype(np.int16), flags)
    second.close()
    path = write_parcels(folder / "parcels.parquet", list(parcels), list(parcels.values()))
    return {"folder": folder, "parcels": path, "geometries": parcels, "masks": masks, "ndvi": ndvi, "flags": flags, "sigma0": sigma0,
            "coherence": coherence, "batch1": first.folder, "batch2": second.folder}


@pytest.fixture(scope="module")
def table(scene: dict):
    out = scene["folder"] / "out"
    run_ok("--input", scene["batch1"], "--parcels", scene["parcels"], "--output", out, "--stats", "all", "--long", "--format", "parquet",
           "--format", "ipc", "--format", "csv")
    return read_wide(out)


def _row(k: int) -> int:
    return k - 1  # NewIDs 1..10 in order


def test_ndvi_equals_truth(scene: dict, table) -> None:
    d = D1.strftime("%Y%m%d")
    for k in (1, 2, 5, 6, 7, 10):
        valid = scene["masks"][k] & (scene["flags"] == 0)
        values = scene["ndvi"][valid].astype(np.float64)
        assert column(table, f"{d}_valid_pixels_cnt_NDVI")[_row(k)] == values.size, k
        assert column(table, f"{d}_invalid_pixels_cnt_NDVI")[_row(k)] == (scene["masks"][k] & (scene["flags"] != 0)).sum(), k
        expected = {"mean": values.mean(), "stdev": values.std(ddof=1), "min": values.min(), "max": values.max(), "median": np.median(values),
                    "p25": np.percentile(values, 25), "p75": np.percentile(values, 75)}
        for stat, value in expected.items():
            assert column(table, f"{d}_{stat}_NDVI")[_row(k)] == pytest.approx(value, rel=1e-7), (k, stat)


def test_reporting_rule(scene: dict, table) -> None:
    d = D1.strftime("%Y%m%d")
    mean, count = column(table, f"{d}_mean_NDVI"), column(table, f"{d}_valid_pixels_cnt_NDVI")
    assert np.isfinite(mean[_row(2)])  # 50 % cloudy: reported
    assert np.isnan(mean[_row(3)]) and count[_row(3)] > 0  # 95 % cloudy: 5 % < 10 %
    assert np.isnan(mean[_row(4)]) and count[_row(4)] == 1  # a single valid pixel
    assert np.isnan(mean[_row(8)]) and np.isnan(count[_row(8)])  # outside every raster: no pixel, no count
    assert np.isnan(mean[_row(9)]) and np.isnan(count[_row(9)])  # smaller than a pixel: nothing left after the buffer
    assert scene["masks"][7].sum() < truth_mask(scene["geometries"][7], grid(200, 100), 5).sum()  # partly outside: only its inside pixels


def test_all_no_data_date_has_empty_columns(scene: dict, table) -> None:
    d = D2.strftime("%Y%m%d")
    assert np.all(np.isnan(column(table, f"{d}_mean_NDVI")))
    item = json.loads(next((scene["folder"] / "out" / "markers").glob("*.json")).read_text())
    assert "W_ALL_INVALID" in {w["code"] for w in item["properties"]["s4c:warnings"]}


def test_backscatter_in_db(scene: dict, table) -> None:
    """Default: the mean of linear σ⁰, in dB; AMP (√σ⁰) gives the same; stdev is that of the pixel dB values; MDB2 = VV − VH."""
    d = S1_DAY.strftime("%Y%m%d")
    mask = truth_mask(scene["geometries"][10], G20, 10)
    assert mask.sum() > 50
    for pol in ("VV", "VH"):
        sigma0 = scene["sigma0"][pol][mask].astype(np.float32).astype(np.float64)
        expected = 10 * np.log10(sigma0.mean())
        for kind in ("BCK", "AMP"):
            assert column(table, f"{d}_mean_{kind}_{pol}_088")[_row(10)] == pytest.approx(expected, rel=1e-6), kind
        assert column(table, f"{d}_stdev_BCK_{pol}_088")[_row(10)] == pytest.approx((10 * np.log10(sigma0)).std(ddof=1), rel=1e-6)
        assert column(table, f"{d}_median_BCK_{pol}_037")[_row(10)] == pytest.approx(10 * np.log10(np.median(sigma0)), rel=1e-6)
    mdb2 = pq.read_table(scene["folder"] / "out" / "markers_vvvh.parquet")
    vv, vh = column(table, f"{d}_mean_BCK_VV_088"), column(table, f"{d}_mean_BCK_VH_088")
    np.testing.assert_array_equal(column(mdb2, f"{d}_mean_BCK_VVVH_088"), vv - vh)
    assert sorted(mdb2.column_names[1:]) == [f"{d}_mean_{k}_VVVH_{o}" for k in ("AMP", "BCK") for o in ("037", "088")]
    coherence = scene["coherence"][mask].astype(np.float32).astype(np.float64)
    assert column(table, f"{d}_mean_COH_VV_088")[_row(10)] == pytest.approx(coherence.mean(), rel=1e-6)  # named by the later date


@pytest.mark.parametrize(("mode", "factor"), [("sigma0", 1.0), ("sen4cap", 0.5)])
def test_amplitude_db_modes(scene: dict, mode: str, factor: float) -> None:
    """sigma0: mean of pixel σ⁰ dB for BCK and AMP alike; sen4cap: 10·log10(A), half of it for AMP (spec §5.4)."""
    out = scene["folder"] / f"amp-{mode}"
    run_ok("--input", scene["batch1"], "--parcels", scene["parcels"], "--output", out, "--products", "AMP,BCK", "--amp-db", mode)
    table = read_wide(out)
    d = S1_DAY.strftime("%Y%m%d")
    pixel_db = 10 * np.log10(scene["sigma0"]["VV"][truth_mask(scene["geometries"][10], G20, 10)].astype(np.float32).astype(np.float64))
    assert column(table, f"{d}_mean_BCK_VV_088")[_row(10)] == pytest.approx(pixel_db.mean(), rel=1e-5)
    assert column(table, f"{d}_mean_AMP_VV_088")[_row(10)] == pytest.approx(factor * pixel_db.mean(), rel=1e-5)
    assert json.loads(pq.read_schema(out / "markers.parquet").metadata[b"s4c:markers"])["parameters"]["amp_db"] == mode


def test_table_layouts(scene: dict, table) -> None:
    out = scene["folder"] / "out"
    assert table.schema.field("NewID").type == "int32" and table.column_names[0] == "NewID"
    assert table.column_names[1:] == sorted(table.column_names[1:])
    assert all(SEN4CAP_PATTERN.match(name) and table.schema.field(name).type == "float" for name in table.column_names[1:])
    assert column(table, "NewID").tolist() == list(range(1, 11))
    import pyarrow.ipc as ipc

    with ipc.open_file(out / "markers.ipc") as reader:
        assert reader.read_all().to_pandas().equals(table.to_pandas())
    header = (out / "markers.csv").read_text().splitlines()[0]
    assert header.replace('"', "").split(",") == table.column_names
    long = pq.read_table(out / "markers_long.parquet").to_pandas()
    assert list(long.columns[:7]) == ["NewID", "date", "type", "polarisation", "orbit", "tile", "band"]
    ndvi = long[(long["type"] == "NDVI") & (long["date"] == D1)].set_index("NewID")
    assert ndvi.loc[1, "mean"] == pytest.approx(column(table, f"{D1:%Y%m%d}_mean_NDVI")[0])
    assert set(long[long["type"] == "BCK"]["orbit"]) == {37, 88}


def test_zero_is_nodata(scene: dict, table) -> None:
    out = scene["folder"] / "zero"
    run_ok("--input", scene["batch1"], "--parcels", scene["parcels"], "--output", out, "--products", "NDVI", "--zero-is-nodata",
           "--stats", "valid_pixels_cnt")
    d = D1.strftime("%Y%m%d")
    assert column(read_wide(out), f"{d}_valid_pixels_cnt_NDVI")[0] == column(table, f"{d}_valid_pixels_cnt_NDVI")[0] - 3


def test_incremental_and_idempotent(scene: dict) -> None:
    """New products add columns without recomputing old ones; the same products again change no byte; appending = one run over all."""
    args = ("--parcels", scene["parcels"], "--stats", "median")
    first, again, appended, fresh = (scene["folder"] / name for name in ("inc1", "inc-again", "inc-appended", "inc-fresh"))
    run_ok("--input", scene["batch1"], "--output", first, *args)
    again_log = run_ok("--input", scene["batch1"], "--append-to", first / "markers.parquet", "--output", again, *args).output
    assert (again / "markers.parquet").read_bytes() == (first / "markers.parquet").read_bytes()
    assert "0 column group(s) computed" in again_log
    appended_log = run_ok("--input", scene["batch1"], "--input", scene["batch2"], "--append-to", first, "--output", appended, *args).output
    assert "1 column group(s) computed" in appended_log
    run_ok("--input", scene["batch1"], "--input", scene["batch2"], "--output", fresh, *args)
    assert (appended / "markers.parquet").read_bytes() == (fresh / "markers.parquet").read_bytes()
    assert f"{D3:%Y%m%d}_mean_NDVI" in read_wide(appended).column_names


def test_append_with_other_parameters_is_refused(scene: dict) -> None:
    first = scene["folder"] / "inc1"
    if not first.exists():
        run_ok("--input", scene["batch1"], "--parcels", scene["parcels"], "--output", first, "--stats", "median")
    out = scene["folder"] / "other-params"
    result = invoke("--input", scene["batch2"], "--parcels", scene["parcels"], "--append-to", first, "--output", out)
    assert result.exit_code == 3 and "E_PARAM" in result.output and not out.exists()


def test_workers_do_not_change_bytes(scene: dict) -> None:
    outs = []
    for workers in (1, 3):
        out = scene["folder"] / f"workers{workers}"
        run_ok("--input", scene["batch1"], "--parcels", scene["parcels"], "--output", out, "--stats", "all", "--workers", workers, "--window-size", 64)
        outs.append((out / "markers.parquet").read_bytes())
    assert outs[0] == outs[1]


def test_raster_in_another_crs(scene: dict, tmp_path: Path) -> None:
    """A raster on EPSG:3035: the parcels (UTM) are buffered in their CRS and reprojected to the raster's, never the raster warped."""
    laea = CRS.from_epsg(3035)
    x0, y0 = transform_geometry(shapely.Point(G10.transform.c, G10.transform.f), 32631, 3035).coords[0]
    g = Grid(laea, G10.transform.translation(round(x0, -1), round(y0, -1)) * G10.transform.scale(10, -10), 160, 140)
    rng = np.random.default_rng(3)
    values = rng.integers(-200, 900, g.shape).astype(np.int16)
    catalog = Catalog.at(tmp_path / "laea")
    catalog.l3b("NDVI", D1, g, values, np.zeros(g.shape, np.uint8))
    catalog.close()
    out = tmp_path / "out"
    run_ok("--input", catalog.folder, "--parcels", scene["parcels"], "--output", out, "--stats", "valid_pixels_cnt")
    table = read_wide(out)
    cols, rows = np.meshgrid(np.arange(g.width) + 0.5, np.arange(g.height) + 0.5)
    x, y = g.transform * (cols, rows)
    for k in (1, 5, 6):
        buffered = transform_geometry(buffer_inward([scene["geometries"][k]], 5)[0], 32631, 3035)
        inside = shapely.contains_xy(buffered, x, y)
        assert column(table, f"{D1:%Y%m%d}_valid_pixels_cnt_NDVI")[_row(k)] == inside.sum()
        assert column(table, f"{D1:%Y%m%d}_mean_NDVI")[_row(k)] == pytest.approx(values[inside].mean(), rel=1e-7)


def test_holes_and_pieces_are_respected(scene: dict) -> None:
    hole, pieces = scene["masks"][5], scene["masks"][6]
    assert not hole[75, 20] and hole[65, 20]  # the hole's pixels are not the parcel's
    assert pieces[5, 85] and pieces[25, 85] and not pieces[16, 85]
    assert isinstance(scene["geometries"][5], Polygon) and len(scene["geometries"][5].interiors) == 1


def test_exactextract_equals_on_whole_pixel_parcels(tmp_path: Path) -> None:
    """Parcels whose edges follow pixel edges cover whole pixels: coverage weights are 0 or 1 and both rules agree."""
    import geopandas as gpd
    from exactextract import exact_extract

    rng = np.random.default_rng(11)
    values = rng.normal(0.5, 0.2, G10.shape).astype(np.float32)
    catalog = Catalog.at(tmp_path / "products")
    catalog.l3b("NDVI", D1, G10, values, np.zeros(G10.shape, np.uint8))
    catalog.close()
    shapes = [pixel_box(G10, 3, 4, 20, 31), pixel_box(G10, 40, 10, 41, 12),
              MultiPolygon([pixel_box(G10, 50, 50, 60, 60), pixel_box(G10, 70, 50, 80, 70)]),
              pixel_box(G10, 10, 60, 40, 100).difference(pixel_box(G10, 20, 70, 30, 80))]
    parcels = write_parcels(tmp_path / "parcels.parquet", [1, 2, 3, 4], shapes)
    out = tmp_path / "out"
    run_ok("--input", catalog.folder, "--parcels", parcels, "--output", out, "--buffer-10m", 0, "--stats", "min,max,valid_pixels_cnt",
           "--min-valid-pixels", 1, "--min-valid-fraction", 0)
    table = read_wide(out)
    raster = next(catalog.folder.rglob("*_SNDVI_*.TIF"))
    theirs = exact_extract(str(raster), gpd.GeoDataFrame(geometry=shapes, crs=32631), ["count", "mean", "stdev", "min", "max"], output="pandas")
    d = D1.strftime("%Y%m%d")
    count = theirs["count"].to_numpy()
    np.testing.assert_array_equal(column(table, f"{d}_valid_pixels_cnt_NDVI"), count)
    for ours, key in (("mean", "mean"), ("min", "min"), ("max", "max")):
        np.testing.assert_allclose(column(table, f"{d}_{ours}_NDVI"), theirs[key], rtol=1e-6, err_msg=ours)
    np.testing.assert_allclose(column(table, f"{d}_stdev_NDVI"), theirs["stdev"] * np.sqrt(count / (count - 1)), rtol=1e-5)
