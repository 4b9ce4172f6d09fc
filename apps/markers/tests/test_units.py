"""Unit tests of the building blocks: column names, product recognition, label runs, layers, moments, percentiles, scales."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
import shapely
from markers_helpers import grid, pixel_box
from s4c_markers.accumulate import GroupAccumulator, merge_moments
from s4c_markers.columns import SEN4CAP_PATTERN, ColumnKey, padded_band, parse_column, unpadded_band
from s4c_markers.labels import build_label_cache, label_runs
from s4c_markers.layers import overlap_layers
from s4c_markers.percentiles import PercentileMethod, order_statistics, sort_segments, sort_stored_segments
from s4c_markers.reduce import Moments, segment_moments
from s4c_markers.registry import Kind, recognise_file
from s4c_markers.scales import AmpDb, scale_for
from shapely.geometry import box


def test_column_names_follow_sen4cap() -> None:
    keys = [ColumnKey("20190305", "AMP", "VV", 88), ColumnKey("20190305", "NDVI"), ColumnKey("20200601", "L2A", tile="31UFS", band="B4")]
    assert [k.column("mean") for k in keys] == ["20190305_mean_AMP_VV_088", "20190305_mean_NDVI", "20200601_mean_L2A_31UFS_B4"]
    for key in keys:
        for stat in ("mean", "stdev", "p25", "valid_pixels_cnt"):
            name = key.column(stat)
            assert SEN4CAP_PATTERN.match(name)
            assert parse_column(name) == (key, stat)
    assert parse_column("NewID") is None
    assert unpadded_band("B02") == "B2" and unpadded_band("B8A") == "B8A" and padded_band("B2") == "B02" and padded_band("B11") == "B11"


@pytest.mark.parametrize(
    ("name", "token", "date", "pol", "orbit", "tile"),
    [
        ("S2AGRI_L3BNDVI_SNDVI_A20210503T103021_T31UFS.TIF", "NDVI", "2021-05-03", None, None, "31UFS"),
        ("S2AGRI_L3BLAI_SLAIMONO_A20210503T103021_T31UFS.TIF", "LAI", "2021-05-03", None, None, "31UFS"),
        ("L3BFAPAR_T31UFS_20210503T103021_SFAPARMONO.tif", "FAPAR", "2021-05-03", None, None, "31UFS"),
        ("S1A_L2_BCK_20210504T054500_VH_088_31UFS.tif", "BCK", "2021-05-04", "VH", 88, "31UFS"),
        ("S1B_L2_BCK_20210504T054500_VV_037.tif", "BCK", "2021-05-04", "VV", 37, None),
        ("S1A_L2_COH_20210428T054500_20210504T054500_VV_088.tif", "COH", "2021-05-04", "VV", 88, None),  # the later date of the pair
        ("SEN4CAP_L2A_S1_V20210504T054500_20210428T054500_VV_088_AMP.tif", "AMP", "2021-05-04", "VV", 88, None),
        ("SEN4CAP_L2A_S1_V20210504T054500_20210428T054500_VH_088_COHE_31UFS.tif", "COHE", "2021-05-04", "VH", 88, "31UFS"),
    ],
)
def test_file_names_are_recognised(name: str, token: str, date: str, pol: str | None, orbit: int | None, tile: str | None) -> None:
    found = recognise_file(Path("/data") / name)
    assert found is not None
    assert (found.type.token, found.date, found.pol, found.orbit, found.tile) == (token, dt.date.fromisoformat(date), pol, orbit, tile)


def test_unknown_names_are_not_recognised() -> None:
    assert recognise_file("/data/ndvi.tif") is None
    assert recognise_file("/data/S2AGRI_L3BNDVI_MMONODFLG_A20210503T103021_T31UFS.TIF") is None


def test_label_runs() -> None:
    labels = np.array([[0, 1, 1, 2], [2, 2, 0, 0], [3, 3, 3, 3]], dtype=np.int32)
    start, length, label = label_runs(labels)
    assert start.tolist() == [1, 3, 4, 8] and length.tolist() == [2, 1, 2, 4] and label.tolist() == [1, 2, 2, 3]


def test_label_cache_positions_match_a_full_burn() -> None:
    """Windows, runs and layers give each parcel exactly the pixels of its own rasterisation."""
    g = grid(70, 50)
    geometries = np.array([pixel_box(g, 2.3, 3.1, 20.6, 40.2), pixel_box(g, 15.2, 30.4, 45.7, 66.6),  # these two overlap
                           shapely.Point(g.transform * (60.5, 5.5)).buffer(3), shapely.Polygon(), pixel_box(g, 40.4, 0.5, 48.2, 9.3)], dtype=object)
    layers = overlap_layers(geometries)  # the third is smaller than a pixel, the fourth empty
    assert layers.tolist() == [0, 1, 0, 0, 0]
    cache = build_label_cache(g, geometries, layers, window_size=16)
    from rasterio.features import rasterize

    for parcel, geometry in enumerate(geometries):
        expected = rasterize([(geometry, 1)], out_shape=g.shape, transform=g.transform) if not geometry.is_empty else np.zeros(g.shape)
        found = np.zeros(g.shape, dtype=int)
        for window in cache.windows:
            if parcel not in window.parcels:
                continue
            i = int(np.searchsorted(window.parcels, parcel))
            positions = np.split(window.positions(), np.cumsum(window.pixel_counts)[:-1])[i]
            rows, cols = window.window.row_off + positions // window.window.width, window.window.col_off + positions % window.window.width
            found[rows, cols] += 1
        np.testing.assert_array_equal(found, expected, err_msg=str(parcel))
        assert cache.pixels_per_parcel[parcel] == expected.sum()
    assert cache.windows_per_parcel[0] > 1


def test_overlap_layers_are_disjoint() -> None:
    boxes = np.array([box(i, 0, i + 1.5, 1) for i in range(6)], dtype=object)  # a chain: each overlaps its neighbours
    layers = overlap_layers(boxes)
    assert layers.tolist() == [0, 1, 0, 1, 0, 1]


def test_segment_moments_and_chan_merge_are_exact() -> None:
    rng = np.random.default_rng(0)
    values = 1e6 + rng.normal(0, 1, 300)  # a large offset: a naive sum of squares would lose digits
    counts = np.array([100, 0, 200])
    whole = segment_moments(values, counts)
    total = Moments(np.zeros(3, np.int64), np.zeros(3), np.zeros(3))
    for part in np.split(np.arange(300), [40, 170]):  # the same values in three arbitrary chunks
        chunk_counts = np.array([np.sum(part < 100), 0, np.sum(part >= 100)])
        merge_moments(total, np.arange(3), segment_moments(values[part], chunk_counts))
    np.testing.assert_array_equal(total.count, counts)
    np.testing.assert_allclose(total.mean, whole.mean, rtol=1e-15)
    np.testing.assert_allclose(total.m2, whole.m2, rtol=1e-9)
    assert total.m2[0] / 99 == pytest.approx(np.var(values[:100], ddof=1), rel=1e-9)


def test_linear_percentiles_equal_numpy() -> None:
    rng = np.random.default_rng(1)
    counts = np.array([1, 2, 7, 30])
    values = rng.integers(0, 20, counts.sum()).astype(np.float64)
    ordered = sort_segments(values, counts)
    stats = order_statistics(ordered, counts, ("min", "max", "median", "p25", "p75"), PercentileMethod.LINEAR)
    for i, segment in enumerate(np.split(values, np.cumsum(counts)[:-1])):
        assert stats["min"][i] == segment.min() and stats["max"][i] == segment.max()
        assert stats["median"][i] == pytest.approx(np.median(segment))
        assert stats["p25"][i] == pytest.approx(np.percentile(segment, 25)) and stats["p75"][i] == pytest.approx(np.percentile(segment, 75))


def test_sen4cap_percentile_rule() -> None:
    """Spec §7.5: u = [1, 2, 3, 4], p = 25 → first = 1, m even → (2 + 3)/2; repeated values count once."""
    counts = np.array([4, 6, 3])
    ordered = np.array([1, 2, 3, 4, 1, 1, 2, 2, 3, 4, 5, 6, 7], dtype=float)
    stats = order_statistics(ordered, counts, ("p25", "median"), PercentileMethod.SEN4CAP)
    assert stats["p25"].tolist() == [2.5, 2.5, 6.0]  # m=4: (u1+u2)/2; m=4 again (1,2,3,4); m=3 odd: u[0+1]
    assert stats["median"].tolist() == [3.5, 3.5, 7.0]  # first = 2; m=3: first = 1 → u[2]


@pytest.mark.parametrize("dtype", [np.int16, np.uint16, np.uint8, np.int32, np.float32, np.float64])
def test_stored_sort_equals_lexsort(dtype: type) -> None:
    rng = np.random.default_rng(2)
    counts = np.array([5, 1, 12, 3])
    values = (rng.standard_normal(21) * 1000).astype(dtype) if np.dtype(dtype).kind in "if" else rng.integers(0, 250, 21).astype(dtype)
    sorted_values = sort_stored_segments(values, counts)
    assert sorted_values.dtype == values.dtype
    np.testing.assert_array_equal(sorted_values, sort_segments(values, counts))


def test_backscatter_scales() -> None:
    from s4c_markers.registry import AMP, BCK, index_type

    sigma0 = np.array([0.01, 0.1])
    amplitude = np.sqrt(sigma0)
    assert scale_for(index_type("NDVI"), AmpDb.LINEAR).report(sigma0) is sigma0
    linear = scale_for(AMP, AmpDb.LINEAR)
    np.testing.assert_allclose(linear.report(linear.stat_domain(amplitude)), [-20, -10])
    np.testing.assert_allclose(linear.spread_domain(amplitude), [-20, -10])
    np.testing.assert_allclose(scale_for(AMP, AmpDb.SIGMA0).stat_domain(amplitude), [-20, -10])
    np.testing.assert_allclose(scale_for(AMP, AmpDb.SEN4CAP).stat_domain(amplitude), [-10, -5])  # Sen4CAP's half dB
    np.testing.assert_allclose(scale_for(BCK, AmpDb.SEN4CAP).stat_domain(sigma0), [-20, -10])
    assert BCK.kind == Kind.BACKSCATTER


def test_reporting_rule_and_counts() -> None:
    from s4c_markers.accumulate import Reporting
    from s4c_markers.reduce import WindowStats
    from s4c_markers.scales import IDENTITY

    accumulator = GroupAccumulator(4, np.ones(4, dtype=np.int32), IDENTITY, (), PercentileMethod.LINEAR)
    valid = np.array([1, 3, 2, 10])  # one valid pixel; 3 of 20 (15 %); 2 of 21 (not more than 10 %); 10 of 10
    counted = np.array([1, 20, 21, 10])
    accumulator.add(WindowStats(np.arange(4, dtype=np.int32), counted, Moments(valid, np.ones(4), np.ones(4)), None, None))
    out = accumulator.finish(Reporting(2, 0.1), ("valid_pixels_cnt", "invalid_pixels_cnt"))
    assert np.isnan(out["mean"][0]) and out["valid_pixels_cnt"][0] == 1
    assert out["mean"][1] == 1.0 and np.isnan(out["mean"][2]) and out["mean"][3] == 1.0
    assert out["invalid_pixels_cnt"].tolist() == [0, 17, 19, 0]
