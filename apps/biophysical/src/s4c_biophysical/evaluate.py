"""Vectorised evaluation of the biophysical networks, with SNAP's domain and output-range flags.

Per pixel, as SNAP's ``BiophysicalAlgo``: ``xn = 2(x − min)/(max − min) − 1``, ``h = tanh(W1 xn + b1)``,
``yn = w2 · h + b2``, ``y = (yn + 1)(Ymax − Ymin)/2 + Ymin``. The affine normalisation and
denormalisation are folded into the weights, and networks that read the same inputs are stacked,
so evaluating LAI, FAPAR and FCOVER together is two matrix products and one ``tanh`` pass.

Inputs are feature-first: an array of shape ``(n_inputs, *pixels)``; outputs have shape ``pixels``.

Quality bits (SNAP ``BiophysicalFlag``; value = sum): 1 input outside the definition domain,
2 output raised to min (within tolerance), 4 output lowered to max (within tolerance),
8 output below min − tolerance, 16 output above max + tolerance. The bits describe the raw
network output whatever ``output_range_mode``; only the value correction differs:

- ``snap``: within the tolerance the value is clamped to the range, beyond it kept as is;
- ``sen4cap``: within the tolerance the value is kept, beyond it clamped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from .network import DefinitionDomain, Network, OutputRange

FLAG_INPUT_OUT_OF_DOMAIN = 1
FLAG_RAISED_TO_MIN = 2
FLAG_LOWERED_TO_MAX = 4
FLAG_TOO_LOW = 8
FLAG_TOO_HIGH = 16
FLAG_OUT_OF_RANGE = FLAG_TOO_LOW | FLAG_TOO_HIGH

OutputRangeMode = Literal["snap", "sen4cap"]
DomainCheck = Literal["box", "box+grid"]
OUTPUT_RANGE_MODES: tuple[str, ...] = ("snap", "sen4cap")
DOMAIN_CHECKS: tuple[str, ...] = ("box+grid", "box")

_CELL_BASE = 12  # grid cells of in-box inputs are 1..11; 0 and 11 bound the clipped out-of-box ones


@dataclass(frozen=True)
class Evaluation:
    """Output of one network: values (after the output-range rule) and quality bits (uint8)."""

    values: np.ndarray
    flags: np.ndarray


class StackedNetworks:
    """Networks sharing their inputs, with normalisation folded into the weights."""

    def __init__(self, networks: Sequence[Network], dtype: type[np.floating] = np.float64):
        if not networks:
            raise ValueError("at least one network is needed")
        n_inputs = {net.n_inputs for net in networks}
        if len(n_inputs) != 1:
            raise ValueError(f"stacked networks must read the same inputs, got input counts {sorted(n_inputs)}")
        self.networks = tuple(networks)
        self.n_inputs = n_inputs.pop()
        self.dtype = np.dtype(dtype)
        hidden_weights, hidden_bias, blocks, output_bias = [], [], [], []
        for net in networks:
            scale = 2.0 / (net.input_max - net.input_min)  # xn = scale · x + shift
            shift = -2.0 * net.input_min / (net.input_max - net.input_min) - 1.0
            hidden_weights.append(net.hidden_weights * scale)
            hidden_bias.append(net.hidden_weights @ shift + net.hidden_bias)
            half_span = 0.5 * (net.output_max - net.output_min)  # y = half_span · (yn + 1) + Ymin
            blocks.append(net.output_weights * half_span)
            output_bias.append(half_span * (net.output_bias + 1.0) + net.output_min)
        self.hidden_weights = np.vstack(hidden_weights).astype(self.dtype)  # (H, n)
        self.hidden_bias = np.concatenate(hidden_bias).astype(self.dtype)[:, None]
        output_weights = np.zeros((len(networks), self.hidden_weights.shape[0]))
        start = 0
        for row, block in enumerate(blocks):
            output_weights[row, start : start + block.size] = block
            start += block.size
        self.output_weights = output_weights.astype(self.dtype)  # (V, H), block diagonal
        self.output_bias = np.asarray(output_bias, dtype=self.dtype)[:, None]

    def raw_outputs(self, inputs: np.ndarray) -> np.ndarray:
        """Network outputs before the output-range rule: shape ``(len(networks), *pixels)``."""
        if inputs.shape[0] != self.n_inputs:
            raise ValueError(f"expected {self.n_inputs} inputs along the first axis, got {inputs.shape[0]}")
        pixels = inputs.shape[1:]
        x = inputs.reshape(self.n_inputs, -1).astype(self.dtype, copy=False)
        hidden = self.hidden_weights @ x
        hidden += self.hidden_bias
        np.tanh(hidden, out=hidden)
        out = self.output_weights @ hidden
        out += self.output_bias
        return out.reshape((len(self.networks), *pixels))


class DomainTest:
    """Is a reflectance vector inside a network's definition domain (box, then admissible grid cells)?"""

    def __init__(self, domain: DefinitionDomain, use_grid: bool = True):
        self.minimum = domain.minimum
        self.maximum = domain.maximum
        self.cell_scale = 10.0 / (domain.maximum - domain.minimum)
        self.powers = _CELL_BASE ** np.arange(domain.minimum.size, dtype=np.int64)  # 12**8 fits int32
        self.keys = np.unique(domain.grid @ self.powers).astype(np.int32) if use_grid and domain.grid is not None else None

    @property
    def n_inputs(self) -> int:
        return int(self.minimum.size)

    def outside(self, inputs: np.ndarray) -> np.ndarray:
        """Boolean array of shape ``pixels``: True where the first m inputs leave the domain.

        A NaN input passes the box test but falls in cell 0 (Java's ``(int) NaN``), outside the grid, as in SNAP.
        """
        m = self.n_inputs
        x = inputs[:m].reshape(m, -1)
        kind = x.dtype.type
        out = np.zeros(x.shape[1], dtype=bool)
        for i in range(m):
            out |= x[i] < self.minimum[i]
            out |= x[i] > self.maximum[i]
        if self.keys is None:
            return out.reshape(inputs.shape[1:])
        key = np.zeros(x.shape[1], dtype=np.int32)
        cell = np.empty(x.shape[1], dtype=x.dtype)
        for i in range(m):
            np.subtract(x[i], kind(self.minimum[i]), out=cell)  # SNAP: floor(10 (x − min) / (max − min) + 1)
            cell *= kind(self.cell_scale[i])
            cell += 1
            np.floor(cell, out=cell)
            np.fmax(cell, 0, out=cell)  # NaN → 0; out-of-box pixels are flagged by the box test already
            np.minimum(cell, _CELL_BASE - 1, out=cell)
            cells = cell.astype(np.int32)
            cells *= np.int32(self.powers[i])
            key += cells
        index = np.searchsorted(self.keys, key)
        np.minimum(index, self.keys.size - 1, out=index)
        out |= self.keys[index] != key
        return out.reshape(inputs.shape[1:])


def apply_output_range(values: np.ndarray, output_range: OutputRange, mode: OutputRangeMode = "snap") -> np.ndarray:
    """Apply the output-range rule to ``values`` in place; the quality bits 2, 4, 8, 16 (uint8)."""
    if mode not in OUTPUT_RANGE_MODES:
        raise ValueError(f"output_range_mode must be one of {OUTPUT_RANGE_MODES}, got {mode!r}")
    low, high = output_range.minimum, output_range.maximum
    tol = output_range.tolerance
    too_low = values < low - tol
    too_high = values > high + tol
    raised = (values < low) & ~too_low
    lowered = (values > high) & ~too_high
    flags = np.zeros(values.shape, dtype=np.uint8)
    flags[raised] = FLAG_RAISED_TO_MIN
    flags[lowered] = FLAG_LOWERED_TO_MAX
    flags[too_low] = FLAG_TOO_LOW
    flags[too_high] = FLAG_TOO_HIGH
    if mode == "snap":
        values[raised] = low
        values[lowered] = high
    else:
        values[too_low] = low
        values[too_high] = high
    return flags


def check_modes(output_range_mode: str, domain_check: str) -> None:
    if output_range_mode not in OUTPUT_RANGE_MODES:
        raise ValueError(f"output_range_mode must be one of {OUTPUT_RANGE_MODES}, got {output_range_mode!r}")
    if domain_check not in DOMAIN_CHECKS:
        raise ValueError(f"domain_check must be one of {DOMAIN_CHECKS}, got {domain_check!r}")


def domain_tests(networks: Sequence[Network], domain_check: DomainCheck) -> list[DomainTest | None]:
    """One test per network, the same object where networks share their domain (so it runs once)."""
    tests: list[DomainTest | None] = []
    seen: list[tuple[DefinitionDomain, DomainTest]] = []
    for net in networks:
        if net.domain is None:
            tests.append(None)
            continue
        shared = next((test for domain, test in seen if domain.same_as(net.domain)), None)
        if shared is None:
            shared = DomainTest(net.domain, use_grid=domain_check == "box+grid")
            seen.append((net.domain, shared))
        tests.append(shared)
    return tests


class Evaluator:
    """Evaluate several networks on the same inputs: values after the output-range rule and quality bits."""

    def __init__(
        self,
        networks: Sequence[Network],
        *,
        output_range_mode: OutputRangeMode = "snap",
        domain_check: DomainCheck = "box+grid",
        dtype: type[np.floating] = np.float64,
    ):
        check_modes(output_range_mode, domain_check)
        self.stack = StackedNetworks(networks, dtype)
        self.output_range_mode = output_range_mode
        self.domain_tests = domain_tests(networks, domain_check)

    def __call__(self, inputs: np.ndarray) -> list[Evaluation]:
        raw = self.stack.raw_outputs(inputs)
        outside: dict[int, np.ndarray] = {}
        results = []
        for net, values, test in zip(self.stack.networks, raw, self.domain_tests, strict=True):
            flags = apply_output_range(values, net.output_range, self.output_range_mode)
            if test is not None:
                if id(test) not in outside:
                    outside[id(test)] = test.outside(inputs)
                flags[outside[id(test)]] |= FLAG_INPUT_OUT_OF_DOMAIN
            results.append(Evaluation(values=values, flags=flags))
        return results


def evaluate_networks(
    networks: Sequence[Network],
    inputs: np.ndarray,
    *,
    output_range_mode: OutputRangeMode = "snap",
    domain_check: DomainCheck = "box+grid",
    dtype: type[np.floating] = np.float64,
) -> list[Evaluation]:
    """Evaluate networks that read the same ``inputs`` (shape ``(n_inputs, *pixels)``), one :class:`Evaluation` each."""
    return Evaluator(networks, output_range_mode=output_range_mode, domain_check=domain_check, dtype=dtype)(np.asarray(inputs))


def evaluate_network(
    network: Network,
    inputs: np.ndarray,
    *,
    output_range_mode: OutputRangeMode = "snap",
    domain_check: DomainCheck = "box+grid",
    dtype: type[np.floating] = np.float64,
) -> Evaluation:
    """Evaluate one network on ``inputs`` of shape ``(n_inputs, *pixels)`` (reflectances 0–1, then the angle cosines)."""
    return evaluate_networks([network], inputs, output_range_mode=output_range_mode, domain_check=domain_check, dtype=dtype)[0]
