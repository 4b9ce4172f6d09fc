"""Network files: reading, shape checks, model and spacecraft selection, Sen4CAP text nets."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from bio_helpers import AUXDATA_IN_SHARED, SEN4CAP_NN_IN_SHARED
from s4c_biophysical.models import MODELS, check_indicators, load_networks, sensor_for
from s4c_biophysical.network import REQUIRED_PARTS, read_snap_network
from s4c_biophysical.sen4cap_net import read_sen4cap_network
from s4c_common.errors import InputError, Warnings


@pytest.fixture(scope="module")
def auxdata(shared) -> Path:
    return shared.path(AUXDATA_IN_SHARED)


@pytest.fixture
def lai_copy(auxdata: Path, tmp_path: Path) -> Path:
    """A writable copy of 3_0/S2B/LAI."""
    folder = tmp_path / "3_0" / "S2B" / "LAI"
    shutil.copytree(auxdata / "3_0/S2B/LAI", folder)
    return folder


def test_snap_network_fields(auxdata: Path) -> None:
    net = read_snap_network(auxdata / "3_0/S2B/LAI", "LAI", "3_0/S2B/LAI")
    assert (net.n_inputs, net.n_hidden) == (11, 5)
    assert net.hidden_weights.shape == (5, 11)
    assert (net.output_range.tolerance, net.output_range.minimum, net.output_range.maximum) == (0.2, 0.0, 8.0)
    assert net.domain is not None and net.domain.grid is not None
    assert net.domain.minimum.shape == (8,) and net.domain.grid.shape == (2930, 8)


def test_negative_tolerance_is_taken_as_absolute(auxdata: Path) -> None:
    assert (auxdata / "2_1/LAI/LAI_ExtremeCases").read_text().startswith("-0.2")
    assert read_snap_network(auxdata / "2_1/LAI", "LAI").output_range.tolerance == 0.2


def test_network_without_definition_domain(auxdata: Path) -> None:
    assert read_snap_network(auxdata / "2_1/FCOVER", "FCOVER").domain is None


@pytest.mark.parametrize(
    ("part", "content"),
    [
        ("Weights_Layer1_Neurons", "1,2,3\n4,5,6\n"),  # 3 columns for 11 inputs
        ("Weights_Layer1_Bias", "1,2,3\n"),  # 3 biases for 5 neurons
        ("Normalisation", "0,1,2\n"),  # not min,max pairs
        ("ExtremeCases", "0.2,0\n"),
        ("DefinitionDomain_Grid", "1,2\n"),
        ("Denormalisation", "not,numbers\n"),
    ],
)
def test_wrong_shape_names_the_file(lai_copy: Path, part: str, content: str) -> None:
    (lai_copy / f"LAI_{part}").write_text(content)
    with pytest.raises(InputError) as caught:
        read_snap_network(lai_copy, "LAI")
    assert caught.value.code == "E_SCHEMA"
    assert f"LAI_{part}" in caught.value.message


@pytest.mark.parametrize("part", REQUIRED_PARTS)
def test_missing_part_names_the_file(lai_copy: Path, part: str) -> None:
    (lai_copy / f"LAI_{part}").unlink()
    with pytest.raises(InputError) as caught:
        read_snap_network(lai_copy, "LAI")
    assert caught.value.code == "E_INPUT_NOT_FOUND" and f"LAI_{part}" in caught.value.message


def test_input_count_must_match_the_model(lai_copy: Path, auxdata: Path) -> None:
    shutil.copytree(auxdata / "3_0/S2A_10m/LAI", lai_copy, dirs_exist_ok=True)  # 6-input files where 11 are expected
    with pytest.raises(InputError) as caught:
        load_networks(MODELS["snap-3.0-20m"], ["LAI"], sensor="S2B", auxdata=lai_copy.parents[2], sen4cap_nn_dir=None)
    assert caught.value.code == "E_SCHEMA" and "LAI_Normalisation" in caught.value.message


@pytest.mark.parametrize(
    ("spacecraft", "requested", "sensor", "warned"),
    [
        ("Sentinel-2A", "auto", "S2A", False),
        ("Sentinel-2B", "auto", "S2B", False),
        ("Sentinel-2C", "auto", "S2A", True),
        ("Sentinel-2D", "auto", "S2A", True),
        ("Sentinel-2A", "S2B", "S2B", False),
    ],
)
def test_sensor_selection(spacecraft: str, requested: str, sensor: str, warned: bool) -> None:
    warnings = Warnings()
    assert sensor_for(spacecraft, requested, warnings) == sensor
    assert warnings.codes() == (["W_MODEL_SUBSTITUTED"] if warned else [])


def test_model_folders(auxdata: Path) -> None:
    def labels(model: str, sensor: str, indicators: list[str]) -> list[str]:
        return [n.label for n in load_networks(MODELS[model], indicators, sensor=sensor, auxdata=auxdata, sen4cap_nn_dir=None)]

    assert labels("snap-3.0-20m", "S2A", ["LAI", "CCC", "CWC"]) == ["3_0/S2A/LAI", "3_0/S2A/LAI_Cab", "3_0/S2A/LAI_Cw"]
    assert labels("snap-3.0-10m", "S2B", ["FAPAR"]) == ["3_0/S2B_10m/FAPAR"]
    assert labels("snap-2.1", "S2B", ["FCOVER"]) == ["2_1/FCOVER"]
    with pytest.raises(InputError, match="no network for CCC") as caught:
        check_indicators(MODELS["snap-3.0-10m"], ["LAI", "CCC"])
    assert caught.value.code == "E_PARAM"


def test_sen4cap_allbands_net(shared) -> None:
    folder = shared.path(SEN4CAP_NN_IN_SHARED)
    net = read_sen4cap_network(folder / "Algo_S2_V2.0_SL2T_allbands_LAI.txt", "LAI", 12)
    assert (net.n_inputs, net.n_hidden) == (12, 5)
    assert (net.output_range.minimum, net.output_range.maximum, net.output_range.tolerance) == (0.0, 8.0, 0.2)
    assert net.output_max == pytest.approx(14.238223860863263)
    assert net.domain is not None and net.domain.grid is None and net.domain.minimum.size == 9
    assert net.input_min[9] == pytest.approx(0.9185974648964176)  # cos(VZA) normalisation
    with pytest.raises(InputError) as caught:
        read_sen4cap_network(folder / "Algo_S2_V2.0_SL2T_allbands_LAI.txt", "LAI", 11)
    assert caught.value.code == "E_SCHEMA"


def test_sen4cap_net_with_a_missing_neuron(shared, tmp_path: Path) -> None:
    source = shared.path(SEN4CAP_NN_IN_SHARED) / "Algo_S2_V2.0_SL2T_allbands_FAPAR.txt"
    lines = source.read_text().splitlines()
    data = [i for i, line in enumerate(lines) if line.strip() and not line.startswith("#")]
    del lines[data[3]]
    broken = tmp_path / source.name
    broken.write_text("\n".join(lines))
    with pytest.raises(InputError) as caught:
        read_sen4cap_network(broken, "FAPAR", 12)
    assert caught.value.code == "E_SCHEMA" and source.name in caught.value.message
    assert np.isfinite(read_sen4cap_network(source, "FAPAR", 12).hidden_weights).all()
