"""Overlapping parcels: split the parcels into layers whose members neither overlap nor touch.

Each parcel must keep its own pixel set (every pixel whose centre lies inside it, as rasterstats
counts it), also where buffered parcels still overlap. One label raster cannot hold two ids in a
pixel, so the parcels are coloured greedily: layer 0 takes every parcel that meets no other (nearly
all of them), the few that meet others go to the lowest layer none of their neighbours holds. Each
layer is burnt separately, and a pixel shared by two parcels counts for both.
"""

from __future__ import annotations

import numpy as np
import shapely


def overlap_layers(geometries: np.ndarray) -> np.ndarray:
    """Layer number (0, 1, ...) of each geometry; geometries in one layer are disjoint."""
    geometries = np.asarray(geometries, dtype=object)
    layers = np.zeros(len(geometries), dtype=np.int32)
    present = ~(shapely.is_missing(geometries) | shapely.is_empty(geometries))
    index = np.flatnonzero(present)
    if index.size < 2:
        return layers
    tree = shapely.STRtree(geometries[index])
    first, second = tree.query(geometries[index], predicate="intersects")
    pairs = first != second
    first, second = index[first[pairs]], index[second[pairs]]
    if first.size == 0:
        return layers
    order = np.argsort(first, kind="stable")
    first, second = first[order], second[order]
    members, starts = np.unique(first, return_index=True)
    ends = np.r_[starts[1:], first.size]
    for parcel, start, end in zip(members.tolist(), starts.tolist(), ends.tolist(), strict=True):
        neighbours = second[start:end]
        taken = set(layers[neighbours[neighbours < parcel]].tolist())
        layers[parcel] = next(layer for layer in range(len(taken) + 1) if layer not in taken)
    return layers
