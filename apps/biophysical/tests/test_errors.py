"""Bad input: exit code 3, one ERROR line with the spec's code, nothing written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pystac
import pytest
from bio_helpers import AUXDATA_IN_SHARED, write_scene
from click.testing import CliRunner
from s4c_biophysical.cli import main
from s4c_common.s2 import safe_to_stac_item


@pytest.fixture(scope="module")
def auxdata(shared) -> Path:
    return shared.path(AUXDATA_IN_SHARED)


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_scene(tmp_path_factory.mktemp("scene"))


@pytest.fixture
def scene_copy(scene: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(scene, tmp_path / "in" / scene.name))


def assert_input_error(auxdata: Path | None, inputs: list[Path], out: Path, code: str, *extra: str) -> str:
    args = [*(a for p in inputs for a in ("--input", str(p))), "--output", str(out), "--workers", "1", *extra]
    if auxdata is not None:
        args = ["--auxdata", str(auxdata), *args]
    result = CliRunner().invoke(main, args, env={"S4C_BIOPHYSICAL_AUXDATA": ""})
    assert result.exit_code == 3, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("ERROR")]
    assert len(lines) == 1 and lines[0].startswith(f"ERROR {code}:"), result.output
    assert "Traceback" not in result.output
    assert not out.exists() or not any(out.iterdir()), "partial output left behind"
    return lines[0]


def test_product_without_b8a(auxdata: Path, tmp_path: Path) -> None:
    safe = write_scene(tmp_path / "in", drop=("B8A",))
    assert "B8A" in assert_input_error(auxdata, [safe], tmp_path / "out", "E_MISSING_BAND")


def test_the_10m_model_does_not_need_b8a(auxdata: Path, tmp_path: Path) -> None:
    safe = write_scene(tmp_path / "in", drop=("B8A",))
    result = CliRunner().invoke(main, ["--auxdata", str(auxdata), "--input", str(safe), "--output", str(tmp_path / "out"), "--model", "snap-3.0-10m"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_unreadable_jp2(auxdata: Path, scene_copy: Path, tmp_path: Path, damage: str) -> None:
    (jp2,) = scene_copy.glob("GRANULE/*/IMG_DATA/R20m/*_B05_20m.jp2")
    content = jp2.read_bytes()
    jp2.write_bytes(b"\x00\x00\x00\x0cjP  \r\n\x87\n" + b"garbage" * 10 if damage == "garbage" else content[: len(content) * 2 // 3])
    assert "B05" in assert_input_error(auxdata, [scene_copy], tmp_path / "out", "E_INPUT_NOT_FOUND")


def test_stac_item_without_angles(auxdata: Path, scene: Path, tmp_path: Path) -> None:
    item = safe_to_stac_item(scene)
    del item.assets["granule_metadata"]
    catalog = pystac.Catalog(id="inputs", description="staged L2A without granule metadata")
    catalog.add_item(item)
    catalog.normalize_and_save(str(tmp_path / "staged"), pystac.CatalogType.SELF_CONTAINED)
    assert "MTD_TL.xml" in assert_input_error(auxdata, [tmp_path / "staged"], tmp_path / "out", "E_MISSING_BAND")


def test_granule_metadata_without_angle_grids(auxdata: Path, scene_copy: Path, tmp_path: Path) -> None:
    (tile_metadata,) = scene_copy.glob("GRANULE/*/MTD_TL.xml")
    text = tile_metadata.read_text()
    start, end = text.index("<Tile_Angles"), text.index("</Tile_Angles>") + len("</Tile_Angles>")
    tile_metadata.write_text(text[:start] + text[end:])
    assert_input_error(auxdata, [scene_copy], tmp_path / "out", "E_SCHEMA")


def test_level_1c_product(auxdata: Path, scene_copy: Path, tmp_path: Path) -> None:
    (scene_copy / "MTD_MSIL2A.xml").rename(scene_copy / "MTD_MSIL1C.xml")
    assert_input_error(auxdata, [scene_copy], tmp_path / "out", "E_UNSUPPORTED_PRODUCT")


def test_missing_input(auxdata: Path, tmp_path: Path) -> None:
    assert_input_error(auxdata, [tmp_path / "nothing.SAFE"], tmp_path / "out", "E_INPUT_NOT_FOUND")


def test_missing_auxdata_folder(scene: Path, tmp_path: Path) -> None:
    assert_input_error(tmp_path / "no-auxdata", [scene], tmp_path / "out", "E_INPUT_NOT_FOUND")
    assert "S4C_BIOPHYSICAL_AUXDATA" in assert_input_error(None, [scene], tmp_path / "out", "E_INPUT_NOT_FOUND")


def test_network_file_with_the_wrong_shape(auxdata: Path, scene: Path, tmp_path: Path) -> None:
    broken = tmp_path / "auxdata"
    shutil.copytree(auxdata / "3_0" / "S2B", broken / "3_0" / "S2B")
    (broken / "3_0/S2B/LAI/LAI_Weights_Layer1_Neurons").write_text("0.1,0.2\n0.3,0.4\n")
    assert "LAI_Weights_Layer1_Neurons" in assert_input_error(broken, [scene], tmp_path / "out", "E_SCHEMA")


def test_network_part_missing(auxdata: Path, scene: Path, tmp_path: Path) -> None:
    broken = tmp_path / "auxdata"
    shutil.copytree(auxdata / "3_0" / "S2B", broken / "3_0" / "S2B")
    (broken / "3_0/S2B/FAPAR/FAPAR_Denormalisation").unlink()
    line = assert_input_error(broken, [scene], tmp_path / "out", "E_INPUT_NOT_FOUND", "--indicator", "FAPAR")
    assert "FAPAR_Denormalisation" in line


def test_indicator_the_model_lacks(auxdata: Path, scene: Path, tmp_path: Path) -> None:
    assert_input_error(auxdata, [scene], tmp_path / "out", "E_PARAM", "--model", "snap-3.0-10m", "--indicator", "CWC")


def test_unknown_indicator_is_a_usage_error(auxdata: Path, scene: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--auxdata", str(auxdata), "--input", str(scene), "--output", str(tmp_path / "o"), "--indicator", "NDVI"])
    assert result.exit_code == 2 and "NDVI" in result.output


def test_the_same_product_twice(auxdata: Path, scene: Path, tmp_path: Path) -> None:
    assert_input_error(auxdata, [scene, scene], tmp_path / "out", "E_PARAM")


def test_negative_site_id(auxdata: Path, scene: Path, tmp_path: Path) -> None:
    assert_input_error(auxdata, [scene], tmp_path / "out", "E_PARAM", "--site-id", "-1")
