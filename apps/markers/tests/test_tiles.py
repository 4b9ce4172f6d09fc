"""Parcels crossing tiles: the tiles of one date are merged so that every ground pixel counts once.

The real NDVI of the rsgislib S2 subset is cut into two tiles that overlap by 60 columns (as
Sentinel-2 tiles of one UTM zone do, on one pixel lattice); the markers of the two tiles must equal
those of the whole raster, also when one tile has no data or clouds in part of the overlap. Tiles on
different CRSs or shifted lattices are pooled with a warning.
"""

from __future__ import annotations

import numpy as np
import pytest
import rasterio
from affine import Affine
from markers_helpers import column, read_wide, run_ok, write_parcels
from s4c_common.raster import Grid, write_cog

DATA = "data/rsgislib-s2/python_tests/data"
NAME = "L3BNDVI_T{tile}_20210527T112119_SNDVI.tif"
STATS = ("--stats", "all", "--min-valid-pixels", 1, "--min-valid-fraction", 0)


@pytest.fixture(scope="module")
def scene(shared, tmp_path_factory: pytest.TempPathFactory) -> dict:
    import geopandas as gpd

    data = shared.path(DATA)
    folder = tmp_path_factory.mktemp("tiles")
    with rasterio.open(data / "imagecalc/calcindices/sen2_20210527_aber_subset_ndvi_ref.tif") as src:
        ndvi, grid = src.read(1), Grid.of(src)
    polygons = gpd.read_file(data / "aber_osgb_multi_polys.geojson").geometry.to_numpy()[:1]
    # Many small parcels over the whole subset, several of them across the tile overlap and its edges.
    x0, y0 = grid.transform.c, grid.transform.f
    cells = [gpd.GeoSeries.from_xy([x0 + 55 + 130 * i], [y0 - 55 - 130 * j]).buffer(52, quad_segs=4).iloc[0] for i in range(24) for j in range(25)]
    parcels = write_parcels(folder / "parcels.parquet", np.arange(1, len(cells) + 2), [*polygons, *cells], crs=27700)
    whole = write_cog(folder / NAME.format(tile="30UVD"), ndvi, grid, nodata=-999)
    return {"folder": folder, "ndvi": ndvi, "grid": grid, "parcels": parcels, "whole": read_wide(_run(folder, "whole_out", parcels, whole))}


def _run(folder, name, parcels, *inputs):
    out = folder / name
    run_ok(*(arg for path in inputs for arg in ("--input", path)), "--parcels", parcels, "--output", out, *STATS, "--window-size", 64)
    return out


def _write_tiles(scene: dict, name: str, damage_west=None, damage_east=None) -> list:
    """West tile: columns 0–199; east tile: columns 140–323 (a 60-column overlap on one lattice)."""
    folder = scene["folder"] / name
    folder.mkdir()
    paths = []
    for tile, (c0, c1), damage in (("30UVD", (0, 200), damage_west), ("30UWD", (140, 324), damage_east)):
        values = scene["ndvi"][:, c0:c1].copy()
        if damage is not None:
            damage(values)
        transform = scene["grid"].transform @ Affine.translation(c0, 0)
        grid = Grid(scene["grid"].crs, transform, c1 - c0, scene["grid"].height)
        paths.append(write_cog(folder / NAME.format(tile=tile), values, grid, nodata=-999))
    return paths


def _assert_same(table, reference) -> None:
    assert table.column_names == reference.column_names
    for name in reference.column_names[1:]:
        np.testing.assert_allclose(column(table, name), column(reference, name), rtol=1e-6, err_msg=name)


def test_overlapping_tiles_equal_the_whole_raster(scene: dict) -> None:
    tiles = _write_tiles(scene, "plain")
    _assert_same(read_wide(_run(scene["folder"], "plain_out", scene["parcels"], *tiles)), scene["whole"])


def test_no_data_in_one_tile_of_the_overlap_is_filled_by_the_other(scene: dict) -> None:
    def no_data_west(values: np.ndarray) -> None:
        values[:170, 150:] = -999  # the west tile's part of the overlap, top half: no data there

    def clouds_east(values: np.ndarray) -> None:
        values[200:, :30] = -999  # the east tile's part of the overlap, bottom: no data there either

    tiles = _write_tiles(scene, "damaged", no_data_west, clouds_east)
    _assert_same(read_wide(_run(scene["folder"], "damaged_out", scene["parcels"], *tiles)), scene["whole"])


def test_tiles_on_shifted_lattices_are_pooled_with_a_warning(scene: dict, tmp_path) -> None:
    west, _ = _write_tiles(scene, "mixed")
    east = tmp_path / NAME.format(tile="30UWD")
    shifted = Grid(scene["grid"].crs, scene["grid"].transform @ Affine.translation(140.5, 0), 184, scene["grid"].height)
    write_cog(east, scene["ndvi"][:, 140:], shifted, nodata=-999)
    out = _run(scene["folder"], "mixed_out", scene["parcels"], west, east)
    item = next((out / "markers").glob("*.json")).read_text()
    assert "W_TILES_POOLED" in item
