"""Unit tests of the generator's models: scene calendars, field layout, spectra, radar, clouds."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pytest
import shapely
from s4c_sample import backscatter, spectra
from s4c_sample.clouds import plan_atmospheres, shadow_offset
from s4c_sample.crops import CROPS, lut_rows
from s4c_sample.fields import LandCover, ShapeKind, make_layout
from s4c_sample.model import build_world
from s4c_sample.phenology import DayState, Event
from s4c_sample.plan import Units
from s4c_sample.scene import PRESETS, TILE_SIZE_PX, TILE_ULX, TILE_ULY, build_scene, solar_angles
from s4c_sample.truth import daily_unit_ndvi

# ---------------------------------------------------------------------------------- scene


def test_presets() -> None:
    for preset in PRESETS.values():
        assert preset.width % 6 == 0 and preset.height % 6 == 0
    tile = (TILE_ULX, TILE_ULY - 10 * TILE_SIZE_PX, TILE_ULX + 10 * TILE_SIZE_PX, TILE_ULY)
    demo = build_scene("demo")
    left, bottom, right, top = demo.grid.bounds
    assert tile[0] <= left and right <= tile[2] and tile[1] <= bottom and top <= tile[3]
    assert (demo.grid.width, demo.grid.height, demo.epsg, demo.tile_id) == (480, 360, 32631, "31UFS")
    bench = build_scene("bench")
    assert bench.grid.bounds == tile and bench.n_parcels == 100_000 and len(bench.s2) <= 2 and not bench.s1_grd
    assert build_scene("bench", s1=True).s1_grd
    assert len(build_scene("demo", s2_dates=30).s2) == 30


def test_demo_calendars() -> None:
    scene = build_scene("demo")
    dates = [a.date for a in scene.s2]
    assert len(dates) == 12 and dates == sorted(dates)
    assert dt.date(2021, 4, 1) <= dates[0] and dates[-1] <= dt.date(2021, 10, 31)
    spacecraft = [a.spacecraft for a in scene.s2]
    assert sum(a != b for a, b in itertools.pairwise(spacecraft)) >= 9  # mostly alternating
    assert all((b.date - a.date).days % 5 == 0 for a, b in itertools.pairwise(scene.s2))
    assert len(scene.s1_grd) == 20
    assert {a.relative_orbit for a in scene.s1_grd} == {88} and {a.pass_direction for a in scene.s1_grd} == {"ASCENDING"}
    assert all((b.date - a.date).days % 6 == 0 for a, b in itertools.pairwise(scene.s1_grd))
    assert {a.platform for a in scene.s1_grd} == {"S1A", "S1B"}
    for triplet in scene.slc_triplets:
        assert [(b.date - a.date).days for a, b in itertools.pairwise(triplet)] == [6, 6]


def test_sun_angles_follow_the_season() -> None:
    when = dt.datetime(2021, 6, 21, 10, 50, tzinfo=dt.UTC)
    zenith, azimuth = solar_angles(when, 51.36, 5.16)
    assert zenith == pytest.approx(29.5, abs=0.5)  # 90 − (90 − 51.4 + 23.4) at noon, an hour before noon
    assert 145 < azimuth < 170  # south-south-east in the late morning
    winter_zenith, _ = solar_angles(when.replace(month=10, day=29), 51.36, 5.16)
    assert winter_zenith > 60


# --------------------------------------------------------------------------------- layout


@pytest.fixture(scope="module")
def layout():
    return make_layout((600000.0, 5680000.0, 610000.0, 5690000.0), 2000, np.random.default_rng(3))


def test_parcel_sizes_are_realistic(layout) -> None:
    hectares = shapely.area(np.array(layout.parcels, dtype=object)) / 10_000
    assert len(hectares) == 2000
    assert 1.0 <= np.median(hectares) <= 2.0
    assert 0.4 < np.log(hectares).std() < 1.1  # log-normal spread
    assert hectares.min() > 0.05


def test_parcels_are_valid_disjoint_and_varied(layout) -> None:
    geometries = np.array(layout.parcels, dtype=object)
    assert shapely.is_valid(geometries).all()
    tree = shapely.STRtree(geometries)
    left, right = tree.query(geometries, predicate="intersects")
    pairs = left < right
    overlap = shapely.area(shapely.intersection(geometries[left[pairs]], geometries[right[pairs]])).sum()
    assert overlap < 1.0  # m², rounding only
    kinds = set(layout.shape_kind)
    assert {ShapeKind.REGULAR, ShapeKind.CONCAVE, ShapeKind.IRREGULAR, ShapeKind.HOLE, ShapeKind.MULTIPOLYGON} <= kinds
    concave = [g for g, k in zip(layout.parcels, layout.shape_kind, strict=True) if k == ShapeKind.CONCAVE]
    assert all(g.convex_hull.area > g.area * 1.05 for g in concave)
    covers = {cover for _, cover in layout.background}
    assert {LandCover.ROAD, LandCover.FOREST, LandCover.WATER, LandCover.BUILT} <= covers
    assert len(np.unique(layout.holding)) < len(layout.parcels) / 3


# -------------------------------------------------------------------------------- spectra


def _index(a: np.ndarray, b: np.ndarray) -> float:
    return float((a - b) / (a + b))


def test_endmember_indices_fall_in_their_known_ranges() -> None:
    band = spectra.BAND_INDEX
    soil, leaf, dry = spectra.SOIL, spectra.LEAF, spectra.DRY
    assert 0.05 <= _index(soil[band["B08"]], soil[band["B04"]]) <= 0.15  # NDVI
    assert 0.0 <= _index(soil[band["B11"]], soil[band["B12"]]) <= 0.08  # NDTI
    bsi = _index(soil[band["B11"]] + soil[band["B04"]], soil[band["B08"]] + soil[band["B02"]])
    assert 0.1 <= bsi <= 0.25
    assert 0.15 <= _index(dry[band["B11"]], dry[band["B12"]]) <= 0.25
    assert _index(leaf[band["B08"]], leaf[band["B04"]]) > 0.85
    assert 0.3 <= _index(leaf[band["B11"]], leaf[band["B12"]]) <= 0.4
    assert spectra.lai_from_cover(np.array(0.0)) == 0
    assert np.all(np.diff(spectra.lai_from_cover(np.linspace(0, 1, 11))) > 0)


# ---------------------------------------------------------------------------------- radar


def _state(green: float, standing: float = 0.0, roughness: float = 0.0) -> DayState:
    def one(value: float) -> np.ndarray:
        return np.array([value])

    return DayState(one(green), one(standing), one(standing), one(0.0), np.array([False]), one(roughness))


def test_backscatter_and_coherence_levels() -> None:
    maize = next(i for i, c in enumerate(CROPS) if c.key == "silage_maize")
    no = np.array([False])
    units = Units(np.array([0]), np.array([0]), np.array([maize]), np.array([LandCover.FIELD]), no, no)
    params = backscatter.radar_parameters(units, np.random.default_rng(0))
    params.soil_vv_db[:] = backscatter.SOIL_VV_DB
    bare_vv, bare_vh = (backscatter.db(x)[0] for x in backscatter.unit_sigma0(params, _state(0.0), 0.3, 0.4))
    assert -12 <= bare_vv <= -8 and -22 <= bare_vh <= -18
    _, full_vh = (backscatter.db(x)[0] for x in backscatter.unit_sigma0(params, _state(0.95), 0.3, 0.4))
    assert full_vh - bare_vh > 4  # maize VH rises as the canopy grows
    no_operation = np.ones(1)
    assert 0.6 <= backscatter.unit_coherence(params, _state(0.0), _state(0.0), no_operation, 5.0)[0] <= 0.85
    assert 0.15 <= backscatter.unit_coherence(params, _state(0.85), _state(0.85), no_operation, 5.0)[0] <= 0.3


# ------------------------------------------------------------------------------ phenology


def test_harvests_and_bare_soil_in_the_daily_truth() -> None:
    world = build_world(build_scene("tiny"))
    ndvi = daily_unit_ndvi(world)
    harvests = world.states.events.select(Event.HARVEST)
    green_harvests = 0
    for unit, day in zip(harvests.unit, harvests.day, strict=True):
        crop = CROPS[world.units.crop[unit]].key
        if crop in ("sugar_beet", "silage_maize") and 7 <= day < ndvi.shape[1] - 7:
            # Harvested green (beet) or half senescent (silage maize): a drop within a week.
            assert ndvi[unit, day - 1] - ndvi[unit, day + 6] > (0.5 if crop == "sugar_beet" else 0.2)
            green_harvests += 1
    assert green_harvests
    maize = [u for u in range(len(world.units)) if world.units.crop[u] >= 0 and CROPS[world.units.crop[u]].key == "silage_maize"]
    assert all((ndvi[u, 40:90] < 0.25).any() for u in maize)  # ploughed and sown in April-May


def test_world_is_deterministic() -> None:
    first, second = build_world(build_scene("tiny", 5)), build_world(build_scene("tiny", 5))
    assert np.array_equal(first.landscape.unit, second.landscape.unit)
    assert np.array_equal(first.states.green, second.states.green)
    assert np.array_equal(first.objectid, second.objectid)


# --------------------------------------------------------------------------------- clouds


def test_cloud_schedule_and_shadow_direction() -> None:
    atmospheres = plan_atmospheres(12, "mixed", np.random.default_rng(0))
    assert sum(a.cloud_cover == 1.0 for a in atmospheres) == 1
    assert sum(a.cloud_cover == 0.0 and a.haze == 0.0 for a in atmospheres) >= 3
    assert any(a.haze > 0 for a in atmospheres) and any(a.cirrus > 0 for a in atmospheres)
    assert all(0.05 <= a.cloud_cover <= 0.15 for a in plan_atmospheres(3, "light", np.random.default_rng(0)))
    rows, cols = shadow_offset(1000.0, 45.0, 160.0, 10.0)  # sun in the south-south-east
    assert rows < 0 and cols < 0 and np.hypot(rows, cols) == pytest.approx(100, abs=1)  # shadow to the north-north-west


def test_lut_rows_cover_every_crop() -> None:
    rows = lut_rows()
    assert {c.code for c in CROPS} <= {r["ori_crop"] for r in rows}
    l4a = {}
    for row in rows:
        assert l4a.setdefault(row["ctnuml4a"], row["ctl4a"]) == row["ctl4a"]  # one name per L4A class
