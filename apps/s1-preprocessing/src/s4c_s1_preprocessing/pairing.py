"""Coherence pairs (spec 2, pairing rules).

1. Same relative orbit and polarisation set; footprints must intersect with
   area(A∩B) / min(area(A), area(B)) ≥ ``min_intersection``; among candidates the largest intersection wins.
2. Each acquisition is paired with the acquisition ``temporal_offset`` days earlier (±1 day).
3. Without such a partner, a 12-day partner is used when ``max_pair_interval`` ≥ 12 (flagged by its
   interval); otherwise the acquisition only gets backscatter.
4. Master: NEWEST or OLDEST of the two, or the acquisition of a given satellite (S1A…S1D) when the pair
   has one (else NEWEST). The master geometry is the coregistration reference.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from shapely.geometry import Polygon

DAY_TOLERANCE = 1.0
FALLBACK_INTERVAL = 12


@dataclass(frozen=True)
class Candidate:
    """What the pairing rules look at in one SLC product."""

    name: str
    mission: str
    start_time: dt.datetime
    relative_orbit: int
    polarisations: tuple[str, ...]
    footprint: Polygon  # lon/lat


@dataclass(frozen=True)
class Pair:
    master: Candidate
    slave: Candidate
    interval_days: int
    intersection: float  # area(A∩B) / min(area(A), area(B))

    @property
    def early(self) -> Candidate:
        return min(self.master, self.slave, key=lambda c: c.start_time)

    @property
    def late(self) -> Candidate:
        return max(self.master, self.slave, key=lambda c: c.start_time)


def overlap_ratio(a: Polygon, b: Polygon) -> float:
    smaller = min(a.area, b.area)
    return a.intersection(b).area / smaller if smaller > 0 else 0.0


def _days(later: Candidate, earlier: Candidate) -> float:
    return (later.start_time - earlier.start_time).total_seconds() / 86400.0


def _partner(product: Candidate, others: Sequence[Candidate], interval: int, min_intersection: float) -> tuple[Candidate, float] | None:
    candidates = []
    for other in others:
        if other.relative_orbit != product.relative_orbit or sorted(other.polarisations) != sorted(product.polarisations):
            continue
        if abs(_days(product, other) - interval) > DAY_TOLERANCE:
            continue
        ratio = overlap_ratio(product.footprint, other.footprint)
        if ratio >= min_intersection:
            candidates.append((-product.footprint.intersection(other.footprint).area, other.start_time, other.name, other, ratio))
    if not candidates:
        return None
    best = min(candidates, key=lambda c: c[:3])
    return best[3], best[4]


def choose_master(a: Candidate, b: Candidate, master: str) -> tuple[Candidate, Candidate]:
    """(master, slave) of two acquisitions by the ``master`` rule."""
    newest, oldest = (a, b) if a.start_time >= b.start_time else (b, a)
    if master == "OLDEST":
        return oldest, newest
    if master in (a.mission, b.mission) and a.mission != b.mission:
        return (a, b) if a.mission == master else (b, a)
    return newest, oldest


def make_pairs(
    products: Sequence[Candidate], temporal_offset: int = 6, max_pair_interval: int = 6, min_intersection: float = 0.05, master: str = "NEWEST"
) -> list[Pair]:
    """Pairs of the rules above, one per acquisition that has an earlier partner, sorted by later time."""
    ordered = sorted(products, key=lambda c: (c.start_time, c.name))
    pairs = []
    for product in ordered:
        intervals = [temporal_offset] + ([FALLBACK_INTERVAL] if max_pair_interval >= FALLBACK_INTERVAL and FALLBACK_INTERVAL != temporal_offset else [])
        for interval in intervals:
            found = _partner(product, ordered, interval, min_intersection)
            if found:
                partner, ratio = found
                first, second = choose_master(product, partner, master)
                pairs.append(Pair(first, second, round(_days(product, partner)), ratio))
                break
    return pairs


def why_unpaired(products: Sequence[Candidate]) -> str:
    """One sentence on why a set of products gives no pair."""
    if len(products) < 2:
        return "coherence needs at least two SLC products of one track"
    orbits = sorted({p.relative_orbit for p in products})
    if len(orbits) > 1:
        return f"the SLC products are on different relative orbits ({', '.join(map(str, orbits))}); a pair must share one track"
    return "no two SLC products are 6 days apart (12 with --max-pair-interval 12) with overlapping footprints and the same polarisations"
