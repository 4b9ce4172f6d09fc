"""Forward pass, domain bits and output-range rule on crafted networks and inputs."""

from __future__ import annotations

import numpy as np
import pytest
from bio_helpers import AUXDATA_IN_SHARED, identity_network
from s4c_biophysical.evaluate import (
    FLAG_INPUT_OUT_OF_DOMAIN,
    FLAG_LOWERED_TO_MAX,
    FLAG_RAISED_TO_MIN,
    FLAG_TOO_HIGH,
    FLAG_TOO_LOW,
    evaluate_network,
    evaluate_networks,
)
from s4c_biophysical.models import MODELS, load_networks
from s4c_biophysical.network import DefinitionDomain, Network, OutputRange, read_test_cases


def inputs_for(outputs: list[float]) -> np.ndarray:
    return np.arctanh(np.asarray(outputs) / 10.0)[None, :]


def test_forward_pass_matches_the_formula() -> None:
    rng = np.random.default_rng(1)
    net = Network(
        label="random", variable="LAI", input_min=np.array([0.0, -1.0, 0.2]), input_max=np.array([0.5, 1.0, 0.9]),
        hidden_weights=rng.normal(size=(5, 3)), hidden_bias=rng.normal(size=5), output_weights=rng.normal(size=5),
        output_bias=0.3, output_min=0.001, output_max=14.0, output_range=OutputRange(100.0, -100.0, 100.0), domain=None,
    )  # fmt: skip
    x = rng.uniform(0, 1, (3, 50))
    xn = 2 * (x - net.input_min[:, None]) / (net.input_max - net.input_min)[:, None] - 1
    yn = net.output_weights @ np.tanh(net.hidden_weights @ xn + net.hidden_bias[:, None]) + net.output_bias
    expected = 0.5 * (yn + 1) * (net.output_max - net.output_min) + net.output_min
    np.testing.assert_allclose(evaluate_network(net, x).values, expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(evaluate_network(net, x, dtype=np.float32).values, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(
    ("raw", "snap_value", "sen4cap_value", "bits"),
    [
        (-0.1, 0.0, -0.1, FLAG_RAISED_TO_MIN),
        (-0.5, -0.5, 0.0, FLAG_TOO_LOW),
        (8.1, 8.0, 8.1, FLAG_LOWERED_TO_MAX),
        (8.5, 8.5, 8.0, FLAG_TOO_HIGH),
        (3.0, 3.0, 3.0, 0),
        (0.0, 0.0, 0.0, 0),
    ],
)
def test_output_range_modes(raw: float, snap_value: float, sen4cap_value: float, bits: int) -> None:
    net = identity_network()
    snap = evaluate_network(net, inputs_for([raw]), output_range_mode="snap")
    sen4cap = evaluate_network(net, inputs_for([raw]), output_range_mode="sen4cap")
    assert snap.values[0] == pytest.approx(snap_value, abs=1e-12)
    assert sen4cap.values[0] == pytest.approx(sen4cap_value, abs=1e-12)
    assert snap.flags[0] == bits and sen4cap.flags[0] == bits  # the bits describe the raw output in both modes


def test_domain_box_and_grid_bits() -> None:
    domain = DefinitionDomain(minimum=np.array([0.0, 0.0]), maximum=np.array([1.0, 1.0]), grid=np.array([[1, 1], [2, 3]]))
    net = identity_network(domain, n_inputs=3)
    # cells floor(10·x + 1): (1, 1) and (2, 3) are admissible; (2, 2) is inside the box only; 1.2 leaves the box;
    # NaN passes the box but falls in cell 0, outside the grid (SNAP casts it to 0)
    x = np.array([[0.05, 0.15, 0.15, 1.2, np.nan], [0.05, 0.25, 0.15, 0.1, 0.1], [0.3, 0.3, 0.3, 0.3, 0.3]])
    grid = evaluate_network(net, x, domain_check="box+grid").flags & FLAG_INPUT_OUT_OF_DOMAIN
    box = evaluate_network(net, x, domain_check="box").flags & FLAG_INPUT_OUT_OF_DOMAIN
    assert grid.tolist() == [0, 0, 1, 1, 1]
    assert box.tolist() == [0, 0, 0, 1, 0]


def test_domain_flag_keeps_the_value() -> None:
    domain = DefinitionDomain(minimum=np.array([-0.1]), maximum=np.array([0.1]), grid=None)
    result = evaluate_network(identity_network(domain), inputs_for([3.0]))
    assert result.flags[0] == FLAG_INPUT_OUT_OF_DOMAIN and result.values[0] == pytest.approx(3.0)


def test_nan_inputs_give_nan_without_flags() -> None:
    result = evaluate_network(identity_network(), np.array([[np.nan]]))
    assert np.isnan(result.values[0]) and result.flags[0] == 0


def test_stacked_networks_equal_single_ones(shared) -> None:
    auxdata = shared.path(AUXDATA_IN_SHARED)
    nets = load_networks(MODELS["snap-3.0-20m"], ["LAI", "FAPAR", "FCOVER", "CCC", "CWC"], sensor="S2B", auxdata=auxdata, sen4cap_nn_dir=None)
    x = read_test_cases(auxdata / "3_0/S2B/LAI/LAI_TestCases")[:, :-1].T.reshape(11, 6, 109)
    stacked = evaluate_networks(nets, x)
    for net, together in zip(nets, stacked, strict=True):
        alone = evaluate_network(net, x)
        assert together.values.shape == (6, 109)
        np.testing.assert_allclose(together.values, alone.values, rtol=1e-12, atol=1e-12)
        np.testing.assert_array_equal(together.flags, alone.flags)
    single_precision = evaluate_networks(nets, x.astype(np.float32), dtype=np.float32)
    for net, double, single in zip(nets, stacked, single_precision, strict=True):
        span = net.output_range.maximum - net.output_range.minimum
        np.testing.assert_allclose(single.values, double.values, atol=2e-6 * span)
