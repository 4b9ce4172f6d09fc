"""Field layout: blocks between roads, parcels inside the blocks, land cover in between.

The scene is cut recursively by straight lines, the way a rural landscape is
laid out: the first cuts leave a road between the two halves (blocks of
tens of hectares), the following ones split a block into parcels separated
by ditches. Each cut runs across the longest axis of the polygon (sometimes
along it, which makes strips), slightly rotated, at a random position, until
a polygon is smaller than a log-normal target size. Polygons stay convex
during the recursion, so the split is a plain half-plane clip.

Blocks are then given a land use: farmland (cut into declared parcels), forest,
a lake, a village, or undeclared meadow. A few parcels get a special shape so
that processors meet the cases real declarations contain: an L shape (concave),
a wavy side (irregular), a hole (a pond or a tree clump inside the parcel), and
two pieces of one declaration separated by a ditch (MultiPolygon).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import IntEnum

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

HECTARE = 10_000.0
MAIN_ROAD_WIDTH = 14.0  # m, the first two cuts of the scene
ROAD_WIDTH = 9.0  # m, between blocks
DITCH_HALF_WIDTH = 1.5  # m, each parcel is shrunk by this much: 3 m between neighbours
BLOCK_MEDIAN_HA = 35.0
BLOCK_SIGMA = 0.5
BLOCK_MIN_WIDTH = 150.0  # m
PARCEL_SIGMA = 0.75  # log-normal sigma of parcel areas
PARCEL_MIN_WIDTH = 30.0  # m
STRIP_PROBABILITY = 0.3  # share of cuts made along the long axis (strip fields)
ROAD_ANGLE_JITTER = math.radians(9.0)
PARCEL_ANGLE_JITTER = math.radians(3.0)


class LandCover(IntEnum):
    """Pixel land cover; every pixel not painted otherwise is a grassy verge or ditch."""

    VERGE = 0
    ROAD = 1
    FOREST = 2
    WATER = 3
    BUILT = 4
    MEADOW = 5  # grassland nobody declared
    FIELD = 6  # a declared parcel


class ShapeKind:
    REGULAR = "regular"
    CONCAVE = "concave"
    IRREGULAR = "irregular"
    HOLE = "hole"
    MULTIPOLYGON = "multipolygon"


@dataclass
class FieldLayout:
    """Declared parcels and the land cover painted around them (in scene CRS metres)."""

    parcels: list[BaseGeometry]  # Polygon or MultiPolygon, index = parcel index
    shape_kind: list[str]
    block: np.ndarray  # int32 block number of each parcel
    holding: np.ndarray  # int32 holding number of each parcel
    background: list[tuple[BaseGeometry, LandCover]]  # painted in this order, before the parcels


# ----------------------------------------------------------------- convex geometry
# Polygons in the recursion have 3 to 8 vertices: plain Python floats are faster than numpy here.

Point = tuple[float, float]
Ring = list[Point]


def polygon_area(ring: Ring) -> float:
    total = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        total += x0 * y1 - x1 * y0
    return abs(total) / 2


def centroid(ring: Ring) -> Point:
    return sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring)


def clip_half_plane(ring: Ring, origin: Point, normal: Point) -> Ring:
    """The part of a convex polygon where (p − origin)·normal ≥ 0 (Sutherland–Hodgman, one edge)."""
    ox, oy = origin
    nx, ny = normal
    side = [(x - ox) * nx + (y - oy) * ny for x, y in ring]
    out: Ring = []
    count = len(ring)
    for i in range(count):
        j = (i + 1) % count
        if side[i] >= 0:
            out.append(ring[i])
        if (side[i] >= 0) != (side[j] >= 0):
            t = side[i] / (side[i] - side[j])
            (xi, yi), (xj, yj) = ring[i], ring[j]
            out.append((xi + t * (xj - xi), yi + t * (yj - yi)))
    return out if len(out) >= 3 else []


def principal_axes(ring: Ring) -> tuple[Point, Point]:
    """Unit vectors along the longest and the shortest extent of a polygon (vertex covariance)."""
    cx, cy = centroid(ring)
    sxx = sum((x - cx) ** 2 for x, _ in ring)
    syy = sum((y - cy) ** 2 for _, y in ring)
    sxy = sum((x - cx) * (y - cy) for x, y in ring)
    angle = 0.5 * math.atan2(2 * sxy, sxx - syy)
    c, s = math.cos(angle), math.sin(angle)
    return (c, s), (-s, c)


def width_along(ring: Ring, direction: Point) -> float:
    projection = [x * direction[0] + y * direction[1] for x, y in ring]
    return max(projection) - min(projection)


def min_width(ring: Ring) -> float:
    return min(width_along(ring, axis) for axis in principal_axes(ring))


def rotate(vector: Point, angle: float) -> Point:
    c, s = math.cos(angle), math.sin(angle)
    return (c * vector[0] - s * vector[1], s * vector[0] + c * vector[1])


@dataclass
class Cut:
    """The two sides of a cut and the strip between them (empty when the gap is 0)."""

    first: Ring
    second: Ring
    gap: Ring


def cut_polygon(ring: Ring, normal: Point, fraction: float, gap: float) -> Cut:
    nx, ny = normal
    projection = [x * nx + y * ny for x, y in ring]
    offset = min(projection) + fraction * (max(projection) - min(projection))
    lower = ((offset - gap / 2) * nx, (offset - gap / 2) * ny)
    upper = ((offset + gap / 2) * nx, (offset + gap / 2) * ny)
    first = clip_half_plane(ring, upper, normal)
    second = clip_half_plane(ring, lower, (-nx, -ny))
    strip = clip_half_plane(clip_half_plane(ring, lower, normal), upper, (-nx, -ny)) if gap > 0 else []
    return Cut(first, second, strip)


def choose_cut(ring: Ring, rng: np.random.Generator, narrowest: float, jitter: float, gap: float) -> Cut | None:
    """A random cut whose two sides are at least ``narrowest`` wide, or None when none fits."""
    long_axis, short_axis = principal_axes(ring)
    across = rng.random() >= STRIP_PROBABILITY
    fraction = rng.uniform(0.3, 0.7)
    angle = rng.uniform(-jitter, jitter)
    for normal in (long_axis, short_axis) if across else (short_axis, long_axis):
        cut = cut_polygon(ring, rotate(normal, angle), fraction, gap)
        if cut.first and cut.second and min(min_width(cut.first), min_width(cut.second)) >= narrowest:
            return cut
    return None


@dataclass
class Subdivision:
    leaves: list[Ring]
    gaps: list[Ring]  # road strips (only when cutting with a gap)
    siblings: list[tuple[int, int]]  # pairs of leaf indices produced by the same cut


def subdivide(
    ring: Ring,
    rng: np.random.Generator,
    *,
    median_area: float,
    sigma: float,
    narrowest: float,
    jitter: float,
    gap_for_depth: tuple[float, ...],
) -> Subdivision:
    """Recursive cuts until each polygon is below a log-normal target area; depth-first, deterministic.

    The leaves of such a recursion have about half the stopping size, so the stopping size is drawn
    around twice the wanted median.
    """
    result = Subdivision([], [], [])
    stack: list[tuple[Ring, int, int]] = [(ring, 0, -1)]
    leaf_children: dict[int, list[int]] = {}
    next_node = 0
    while stack:
        poly, depth, parent = stack.pop()
        target = 2 * median_area * math.exp(sigma * rng.standard_normal())
        gap = gap_for_depth[min(depth, len(gap_for_depth) - 1)]
        cut = None if polygon_area(poly) <= target else choose_cut(poly, rng, narrowest, jitter, gap)
        if cut is None:
            result.leaves.append(poly)
            leaf_children.setdefault(parent, []).append(len(result.leaves) - 1)
            continue
        if cut.gap:
            result.gaps.append(cut.gap)
        stack.append((cut.second, depth + 1, next_node))
        stack.append((cut.first, depth + 1, next_node))
        next_node += 1
    result.siblings = [(pair[0], pair[1]) for parent, pair in leaf_children.items() if parent >= 0 and len(pair) == 2]
    return result


# -------------------------------------------------------------------- special shapes


def concave_shape(ring: Ring, rng: np.random.Generator) -> tuple[Polygon, Polygon]:
    """An L shape: the polygon without a parallelogram at one corner; returns (parcel, corner)."""
    vertices = np.asarray(ring)
    to_next_all = np.roll(vertices, -1, axis=0) - vertices
    to_prev_all = np.roll(vertices, 1, axis=0) - vertices
    spans = np.abs(np.cross(to_next_all, to_prev_all))
    i = int(np.argmax(spans))  # the corner between the two longest sides: a clear notch, not a nick
    corner = vertices[i]
    to_next = vertices[(i + 1) % len(vertices)] - corner
    to_prev = vertices[i - 1] - corner
    share = rng.uniform(0.3, 0.45)
    piece = Polygon([corner, corner + share * to_next, corner + share * (to_next + to_prev), corner + share * to_prev])
    return Polygon(ring).difference(piece), piece


def holed_shape(ring: Ring, rng: np.random.Generator) -> tuple[Polygon, Polygon]:
    """The polygon with a square hole (40–60 m, aligned with the parcel) at its centre; returns (parcel, hole)."""
    long_axis, short_axis = (np.asarray(a) for a in principal_axes(ring))
    side = rng.uniform(40.0, 60.0)
    centre = np.asarray(centroid(ring))
    hole = Polygon([centre + (sx * long_axis + sy * short_axis) * side / 2 for sx, sy in ((-1, -1), (1, -1), (1, 1), (-1, 1))])
    return Polygon(ring).difference(hole), hole


def wavy_shape(ring: Ring, rng: np.random.Generator) -> Polygon:
    """The longest side replaced by a meander bending inwards (a field along a stream)."""
    vertices = np.asarray(ring)
    count = len(vertices)
    i = int(np.argmax([np.linalg.norm(vertices[(k + 1) % count] - vertices[k]) for k in range(count)]))
    start, end = vertices[i], vertices[(i + 1) % count]
    edge = end - start
    inward = np.array([-edge[1], edge[0]]) / np.linalg.norm(edge)
    if (vertices.mean(axis=0) - start) @ inward < 0:
        inward = -inward
    depth = min(rng.uniform(10.0, 25.0), 0.2 * min_width(ring))
    waves = int(rng.integers(1, 4))
    t = np.linspace(0.0, 1.0, 24)
    offset = depth * (0.25 * (1 - np.cos(2 * np.pi * waves * t)) + 0.5 * np.sin(np.pi * t))
    meander = start + np.outer(t, edge) + np.outer(offset, inward)
    outline = [*meander, *(vertices[(i + 1 + k) % count] for k in range(1, count))]
    return Polygon(outline).buffer(0)


def lake(ring: Ring, rng: np.random.Generator) -> Polygon:
    """An elliptic lake filling about a third of a block."""
    long_axis, short_axis = principal_axes(ring)
    a = 0.35 * width_along(ring, long_axis)
    b = 0.35 * width_along(ring, short_axis)
    angle = np.linspace(0, 2 * np.pi, 48, endpoint=False)
    wobble = 1 + 0.08 * np.sin(3 * angle + rng.uniform(0, 2 * np.pi))
    centre = np.asarray(centroid(ring))
    outline = centre + np.outer(a * wobble * np.cos(angle), long_axis) + np.outer(b * wobble * np.sin(angle), short_axis)
    return Polygon(outline).intersection(Polygon(ring))


# ---------------------------------------------------------------------------- layout


def special_counts(n_parcels: int) -> dict[str, int]:
    """How many parcels of each special shape: a few in a small scene, 0.5 % each in a large one."""
    per_kind = max(1, round(0.005 * n_parcels))
    return {
        ShapeKind.CONCAVE: max(per_kind, 3 if n_parcels >= 200 else 1),
        ShapeKind.IRREGULAR: max(per_kind, 2 if n_parcels >= 200 else 1),
        ShapeKind.HOLE: per_kind,
        ShapeKind.MULTIPOLYGON: max(per_kind, 2 if n_parcels >= 200 else 1),
    }


def make_layout(
    bounds: tuple[float, float, float, float],
    n_parcels: int,
    rng: np.random.Generator,
    *,
    median_parcel_ha: float = 1.5,
) -> FieldLayout:
    """Lay out ``n_parcels`` declared parcels and the land cover around them inside ``bounds``."""
    left, bottom, right, top = bounds
    domain: Ring = [(left, bottom), (right, bottom), (right, top), (left, top)]
    # Small scenes get smaller blocks, so that they still hold a forest, a lake and a village.
    block_area = min(BLOCK_MEDIAN_HA * HECTARE, polygon_area(domain) / 20)
    blocks = subdivide(
        domain,
        rng,
        median_area=block_area,
        sigma=BLOCK_SIGMA,
        narrowest=min(BLOCK_MIN_WIDTH, math.sqrt(block_area) / 2),
        jitter=ROAD_ANGLE_JITTER,
        gap_for_depth=(MAIN_ROAD_WIDTH, MAIN_ROAD_WIDTH, ROAD_WIDTH),
    )
    background: list[tuple[BaseGeometry, LandCover]] = [(Polygon(g), LandCover.ROAD) for g in blocks.gaps]
    n_blocks = len(blocks.leaves)
    use = np.full(n_blocks, LandCover.FIELD, dtype=np.int8)
    order = rng.permutation(n_blocks)
    if n_blocks >= 5:  # keep most blocks for farmland
        n_forest = max(1, round(0.08 * n_blocks))
        use[order[0]] = LandCover.WATER
        use[order[1]] = LandCover.BUILT
        use[order[2 : 2 + n_forest]] = LandCover.FOREST

    farmland = [b for b in range(n_blocks) if use[b] == LandCover.FIELD]
    farmland_area = sum(polygon_area(blocks.leaves[b]) for b in farmland)
    counts = special_counts(n_parcels)
    n_leaves = n_parcels + counts[ShapeKind.MULTIPOLYGON]  # a two-piece declaration uses two leaves
    # Parcels fill the farmland closest to a random centre; the median size shrinks if the scene is too small.
    mean_factor = math.exp(PARCEL_SIGMA**2 / 2)
    median_area = min(median_parcel_ha * HECTARE, 0.85 * farmland_area / (n_leaves * mean_factor))
    centre = (rng.uniform(left, right) * 0.4 + 0.3 * (left + right), rng.uniform(bottom, top) * 0.4 + 0.3 * (bottom + top))
    farmland.sort(key=lambda b: math.dist(centroid(blocks.leaves[b]), centre))

    leaves: list[Ring] = []
    leaf_block: list[int] = []
    siblings: list[tuple[int, int]] = []
    for b in farmland:
        if len(leaves) >= n_leaves:
            use[b] = int(rng.choice([LandCover.MEADOW, LandCover.MEADOW, LandCover.FOREST]))
            continue
        split = subdivide(
            blocks.leaves[b],
            rng,
            median_area=median_area,
            sigma=PARCEL_SIGMA,
            narrowest=PARCEL_MIN_WIDTH,
            jitter=PARCEL_ANGLE_JITTER,
            gap_for_depth=(0.0,),
        )
        offset = len(leaves)
        leaves.extend(split.leaves)
        leaf_block.extend([b] * len(split.leaves))
        siblings.extend((offset + i, offset + j) for i, j in split.siblings)
    while len(leaves) < n_leaves:  # the farmland ran out: halve the largest parcels
        largest = int(np.argmax([polygon_area(r) for r in leaves]))
        cut = cut_polygon(leaves[largest], principal_axes(leaves[largest])[0], 0.5, 0.0)
        leaves[largest] = cut.first
        leaves.append(cut.second)
        leaf_block.append(leaf_block[largest])
        siblings = [pair for pair in siblings if largest not in pair]

    pairs = [pair for pair in siblings if max(pair) < n_parcels]
    merged: dict[int, int] = {}  # first leaf -> second leaf of a two-piece declaration
    for k in rng.permutation(len(pairs)):
        first, second = pairs[k]
        if len(merged) == counts[ShapeKind.MULTIPOLYGON]:
            break
        if not {first, second} & (set(merged) | set(merged.values())):
            merged[first] = second
    absorbed = set(merged.values())
    kept = [i for i in range(len(leaves)) if i not in absorbed][:n_parcels]
    declared = absorbed | set(kept)
    background.extend((Polygon(r), LandCover.MEADOW) for i, r in enumerate(leaves) if i not in declared)

    candidates = [i for i in kept if i not in merged and polygon_area(leaves[i]) >= HECTARE]
    special: dict[int, str] = {}
    for kind in (ShapeKind.HOLE, ShapeKind.CONCAVE, ShapeKind.IRREGULAR):
        eligible = [i for i in candidates if i not in special and (kind != ShapeKind.HOLE or polygon_area(leaves[i]) >= 2 * HECTARE)]
        for k in rng.permutation(len(eligible))[: counts[kind]]:
            special[eligible[k]] = kind

    shapes: list[BaseGeometry] = []
    kinds: list[str] = []
    for i in kept:
        kind = ShapeKind.MULTIPOLYGON if i in merged else special.get(i, ShapeKind.REGULAR)
        if kind == ShapeKind.MULTIPOLYGON:
            shape: BaseGeometry = MultiPolygon([Polygon(leaves[i]), Polygon(leaves[merged[i]])])
        elif kind == ShapeKind.CONCAVE:
            shape, corner = concave_shape(leaves[i], rng)
            background.append((corner, LandCover(int(rng.choice([LandCover.BUILT, LandCover.FOREST])))))
        elif kind == ShapeKind.HOLE:
            shape, hole = holed_shape(leaves[i], rng)
            background.append((hole, LandCover(int(rng.choice([LandCover.WATER, LandCover.FOREST])))))
        elif kind == ShapeKind.IRREGULAR:
            shape = wavy_shape(leaves[i], rng)
        else:
            shape = Polygon(leaves[i])
        shapes.append(shape)
        kinds.append(kind)
    # The ditches: every parcel shrinks by half a ditch; the two pieces of a MultiPolygon come apart.
    shrunk = shapely.buffer(np.array(shapes, dtype=object), -DITCH_HALF_WIDTH, join_style="mitre")
    parcels = list(shapely.transform(shrunk, lambda xy: np.round(xy, 2)))

    for b in range(n_blocks):
        if use[b] == LandCover.WATER:
            background.append((Polygon(blocks.leaves[b]), LandCover.MEADOW))
            background.append((lake(blocks.leaves[b], rng), LandCover.WATER))
        elif use[b] != LandCover.FIELD:
            background.append((Polygon(blocks.leaves[b]), LandCover(int(use[b]))))

    block = np.array([leaf_block[i] for i in kept], dtype=np.int32)
    return FieldLayout(parcels, kinds, block, holdings(block, rng), background)


def holdings(block: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Farms own the parcels of one block, split among one to three holdings per block (numbered from 1)."""
    blocks, members = np.unique(block, return_inverse=True)
    farms_per_block = rng.integers(1, 4, len(blocks))
    first_farm = np.concatenate([[1], 1 + np.cumsum(farms_per_block)[:-1]])
    choice = np.floor(rng.random(len(block)) * farms_per_block[members]).astype(np.int32)
    return (first_farm[members] + choice).astype(np.int32)
