"""Pairing rules (spec 2 and 7.5) and the s4c-s1-pairs tool."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner
from s4c_s1_preprocessing.pairing import Candidate, choose_master, make_pairs, overlap_ratio, why_unpaired
from s4c_s1_preprocessing.pairing_cli import main as pairs_main
from shapely.geometry import box

T0 = dt.datetime(2021, 4, 3, 17, 24, 52, tzinfo=dt.UTC)
FOOTPRINT = box(4.0, 50.0, 7.0, 52.0)


def _c(name: str, days: float, mission: str = "S1A", orbit: int = 88, footprint=FOOTPRINT, pols=("VV", "VH")) -> Candidate:
    return Candidate(name, mission, T0 + dt.timedelta(days=days), orbit, pols, footprint)


def test_six_day_pairs_on_one_track():
    products = [_c("a", 0, "S1A"), _c("b", 6, "S1B"), _c("c", 12, "S1A"), _c("other-track", 6, "S1B", orbit=117)]
    pairs = make_pairs(products)
    assert [(p.master.name, p.slave.name, p.interval_days) for p in pairs] == [("b", "a", 6), ("c", "b", 6)]


def test_tolerance_footprint_and_polarisation_rules():
    assert make_pairs([_c("a", 0), _c("b", 6.4)])  # time-of-day tolerance ±1 day
    assert not make_pairs([_c("a", 0), _c("b", 7.2)])  # a 7-day gap is not a pair
    far = box(10.0, 50.0, 13.0, 52.0)
    assert not make_pairs([_c("a", 0), _c("b", 6, footprint=far)])
    sliver = box(6.95, 50.0, 9.95, 52.0)  # overlap 0.05 / 3 of the smaller footprint
    assert overlap_ratio(FOOTPRINT, sliver) < 0.05 and not make_pairs([_c("a", 0), _c("b", 6, footprint=sliver)])
    assert make_pairs([_c("a", 0), _c("b", 6, footprint=sliver)], min_intersection=0.01)
    assert not make_pairs([_c("a", 0), _c("b", 6, pols=("VV",))])


def test_largest_intersection_wins():
    half = box(5.5, 50.0, 8.5, 52.0)
    pairs = make_pairs([_c("half", 0, footprint=half), _c("full", 0.01, footprint=FOOTPRINT), _c("b", 6)])
    assert pairs[0].slave.name == "full"


def test_twelve_day_fallback_only_when_allowed():
    products = [_c("a", 0, "S1A"), _c("b", 12, "S1A")]
    assert make_pairs(products) == []
    (pair,) = make_pairs(products, max_pair_interval=12)
    assert (pair.master.name, pair.interval_days) == ("b", 12)
    six = make_pairs([_c("a", 0), _c("b", 6, "S1B"), _c("c", 12)], max_pair_interval=12)
    assert [p.interval_days for p in six] == [6, 6]  # 6-day partners exist: no 12-day pair


@pytest.mark.parametrize(("rule", "master"), [("NEWEST", "new"), ("OLDEST", "old"), ("S1A", "old"), ("S1B", "new"), ("S1C", "new")])
def test_master_selection(rule, master):
    old, new = _c("old", 0, "S1A"), _c("new", 6, "S1B")
    assert choose_master(old, new, rule)[0].name == master


def test_reasons_for_no_pair():
    assert "different relative orbits" in why_unpaired([_c("a", 0), _c("b", 6, orbit=117)])
    assert "at least two" in why_unpaired([_c("a", 0)])


def test_pairs_tool_on_generated_products(slc_pair, grd_scene):
    runner = CliRunner()
    args = ["--input", str(slc_pair.safes[0]), "--input", str(slc_pair.safes[1]), "--input", str(grd_scene.safe)]
    result = runner.invoke(pairs_main, args)
    assert result.exit_code == 0, result.output
    listing = json.loads(result.stdout)
    assert len(listing["pairs"]) == 1 and listing["pairs"][0]["interval_days"] == 6
    assert listing["pairs"][0]["master"] == slc_pair.safes[1].name and listing["unpaired"] == [grd_scene.safe.name]
    csv_out = runner.invoke(pairs_main, [*args, "--format", "csv", "--master", "OLDEST"])
    header, row = csv_out.stdout.strip().splitlines()
    assert header.startswith("master,slave") and row.startswith(slc_pair.safes[0].name)
