"""The common core: errors and CLI plumbing, atomic outputs, STAC in/out, COG writing."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import click
import numpy as np
import pystac
import pytest
import rasterio
from click.testing import CliRunner
from rasterio.crs import CRS
from s4c_common.cli import processor_command, standard_options
from s4c_common.errors import ExternalError, InputError
from s4c_common.output import AtomicOutput
from s4c_common.raster import CogWriter, Grid, write_cog
from s4c_common.stac import AssetSpec, build_item, read_items, resolve_href, write_catalog
from shapely.geometry import box


@click.command()
@click.option("--fail", type=click.Choice(["none", "input", "external", "bug"]), default="none")
@click.option("--threshold", type=float, default=0.5)
@standard_options("9.9.9", "s4c-dummy")
@processor_command
def dummy(fail: str, threshold: float, output: Path, workers: int) -> None:
    with AtomicOutput(output) as stage:
        (stage / "part.txt").write_text("partial")
        if fail == "input":
            raise InputError("file x.tif has no CRS; assign one.", "E_BAD_CRS")
        if fail == "external":
            raise ExternalError("gpt failed.", "E_GPT", detail="line 1\nline 2")
        if fail == "bug":
            raise ZeroDivisionError("boom")
        (stage / "catalog.json").write_text(json.dumps({"threshold": threshold, "workers": workers}))


@pytest.mark.parametrize(("fail", "code", "exit_code"), [("input", "E_BAD_CRS", 3), ("external", "E_GPT", 5), ("bug", "E_INTERNAL", 4)])
def test_errors_map_to_exit_codes_and_leave_nothing(tmp_path, fail, code, exit_code):
    out = tmp_path / "out"
    result = CliRunner().invoke(dummy, ["--fail", fail, "--output", str(out)])
    assert result.exit_code == exit_code
    assert result.output.splitlines()[0].startswith(f"ERROR {code}: ")
    assert "Traceback" not in result.output
    assert not out.exists()


def test_verbose_adds_traceback(tmp_path):
    result = CliRunner().invoke(dummy, ["--fail", "bug", "--verbose", "--output", str(tmp_path / "o")])
    assert result.exit_code == 4 and "Traceback" in result.output


def test_success_publishes_and_params_file_defaults(tmp_path):
    params = tmp_path / "params.yml"
    params.write_text("threshold: 0.8\nworkers: 3\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(dummy, ["--params-file", str(params), "--workers", "2", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads((out / "catalog.json").read_text()) == {"threshold": 0.8, "workers": 2}  # the flag wins
    assert sorted(p.name for p in out.iterdir()) == ["catalog.json", "part.txt"]


def test_version():
    result = CliRunner().invoke(dummy, ["--version"])
    assert result.exit_code == 0 and "9.9.9" in result.output


def _item(tmp: Path, href: str) -> Path:
    item = pystac.Item("a", box(0, 0, 1, 1).__geo_interface__, [0, 0, 1, 1], dt.datetime(2024, 5, 1, tzinfo=dt.UTC), {})
    item.add_asset("B04", pystac.Asset(href))
    catalog = pystac.Catalog("c", "d")
    catalog.add_item(item)
    catalog.normalize_hrefs(str(tmp))
    catalog.save(pystac.CatalogType.SELF_CONTAINED)
    return tmp


def test_read_items_and_resolve_relative_href(tmp_path):
    folder = _item(tmp_path / "staged", "./B04.tif")
    (folder / "a" / "B04.tif").write_bytes(b"x")
    [staged] = read_items(folder)
    assert Path(staged.asset_path("B04")) == (folder / "a" / "B04.tif").resolve()
    with pytest.raises(InputError) as err:
        staged.asset_path("B08")
    assert err.value.code == "E_MISSING_BAND"


def test_href_escaping_the_catalog_is_refused(tmp_path):
    folder = _item(tmp_path / "staged", "../../secret.tif")
    [staged] = read_items(folder)
    with pytest.raises(InputError) as err:
        staged.asset_path("B04")
    assert err.value.code == "E_INPUT_NOT_FOUND"


def test_remote_hrefs_become_gdal_paths():
    assert resolve_href("https://x.org/a.tif", None, None) == "/vsicurl/https://x.org/a.tif"
    assert resolve_href("s3://bucket/key.tif", None, None) == "/vsis3/bucket/key.tif"
    with pytest.raises(InputError):
        resolve_href("ftp://x/a.tif", None, None)


def test_missing_catalog_is_an_input_error(tmp_path):
    with pytest.raises(InputError) as err:
        read_items(tmp_path)
    assert err.value.code == "E_INPUT_NOT_FOUND"


def test_write_catalog_is_self_contained(tmp_path):
    grid = Grid.from_bounds(32631, (600000, 5690000, 601000, 5691000), 10)
    data = np.arange(100 * 100, dtype=np.int16).reshape(100, 100)
    write_cog(tmp_path / "ndvi.tif", data, grid, nodata=-10000)
    item = build_item("ndvi", geometry=box(*grid.bounds), crs=32631, datetime=dt.datetime(2024, 5, 1, tzinfo=dt.UTC),
                      assets={"ndvi": AssetSpec(tmp_path / "ndvi.tif", "image/tiff")}, processor="s4c-test", processor_version="1",
                      derived_from=["/in/item.json"], shape=grid.shape, transform=list(grid.transform))
    write_catalog(tmp_path, [item], catalog_id="out", description="d")
    saved = json.loads((tmp_path / "ndvi" / "ndvi.json").read_text())
    assert saved["assets"]["ndvi"]["href"] == "../ndvi.tif"
    assert saved["properties"]["proj:epsg"] == 32631
    assert saved["properties"]["processing:software"]["s4c-test"] == "1"
    assert any(link["rel"] == "derived_from" for link in saved["links"])
    lon, lat = saved["geometry"]["coordinates"][0][0]
    assert 4 < lon < 5 and 51 < lat < 52
    [staged] = read_items(tmp_path)
    assert Path(staged.asset_path("ndvi")) == (tmp_path / "ndvi.tif").resolve()


def test_cog_writer_windows_and_determinism(tmp_path):
    grid = Grid(CRS.from_epsg(32631), rasterio.Affine(10, 0, 600000, 0, -10, 5700000), 1500, 1300)
    rng = np.random.default_rng(0)
    data = rng.integers(-1000, 1000, size=grid.shape).astype(np.int16)
    digests = []
    for name in ("a.tif", "b.tif"):
        with CogWriter(tmp_path / name, grid, "int16", nodata=-10000, overviews=True) as out:
            for window in grid.windows(700):
                out.write(data[window.row_off : window.row_off + window.height, window.col_off : window.col_off + window.width], window)
        digests.append(hashlib.sha256((tmp_path / name).read_bytes()).hexdigest())
    assert digests[0] == digests[1]
    with rasterio.open(tmp_path / "a.tif") as src:
        assert np.array_equal(src.read(1), data)
        assert src.tags(ns="IMAGE_STRUCTURE").get("LAYOUT") == "COG"
        assert src.profile["compress"] == "deflate" and src.block_shapes[0] == (512, 512)
        assert src.overviews(1)
    assert not list(tmp_path.glob(".*tmp*"))


def test_cgroup_quota_caps_workers(tmp_path):
    from s4c_common.cli import _cgroup_cpu_limit

    cpu_max = tmp_path / "cpu.max"
    cpu_max.write_text("150000 100000\n")
    assert _cgroup_cpu_limit(cpu_max) == 2
    cpu_max.write_text("max 100000\n")
    assert _cgroup_cpu_limit(cpu_max) is None
    assert _cgroup_cpu_limit(tmp_path / "absent") is None


def test_sub_catalog_staged_without_its_root(tmp_path):
    root = pystac.Catalog("scene", "d")
    child = pystac.Catalog("S2", "d")
    root.add_child(child)
    item = pystac.Item("a", box(0, 0, 1, 1).__geo_interface__, [0, 0, 1, 1], dt.datetime(2024, 5, 1, tzinfo=dt.UTC), {})
    item.add_asset("B04", pystac.Asset("./B04.tif"))
    child.add_item(item)
    root.normalize_hrefs(str(tmp_path / "scene"))
    root.save(pystac.CatalogType.SELF_CONTAINED)
    staged = tmp_path / "staged"
    (tmp_path / "scene" / "S2").rename(staged)  # as CWL stages a Directory input
    [found] = read_items(staged)
    assert found.item.id == "a"
    assert Path(found.asset_path("B04")) == (staged / "a" / "B04.tif").resolve()
