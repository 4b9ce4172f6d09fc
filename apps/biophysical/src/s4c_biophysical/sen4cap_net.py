"""Sen4CAP's own network text files (``Algo_S2_V2.0_SL2T_allbands_{LAI,FAPAR,FCOVER}.txt``).

Lines starting with ``#`` are comments. The others: (1) ``tansig <h> purelin 1``; (2) 2·n numbers, the
min,max pairs of the n inputs; (3 … 2+h) one hidden neuron each, ``bias w1 … wn``; (next) the output,
``bias w1 … wh``; (next) ``Ymin Ymax``; (last) ``out_min out_max tolerance``.

These nets carry no definition domain of their own; the box check uses the normalisation range of
their reflectance inputs (all inputs but the three angle cosines).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from s4c_common.errors import InputError

from .network import DefinitionDomain, Network, OutputRange

ANGLE_INPUTS = 3


def _lines(path: Path) -> list[str]:
    if not path.is_file():
        raise InputError(f"Sen4CAP network file {path} is missing; point --sen4cap-nn-dir at Sen4CAP's VegetationStatus/ConfigFiles folder.",
                         "E_INPUT_NOT_FOUND")  # fmt: skip
    text = path.read_text(encoding="utf-8", errors="replace")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def _numbers(line: str, path: Path, count: int, what: str) -> np.ndarray:
    try:
        values = np.array([float(v) for v in line.split()], dtype=np.float64)
    except ValueError as exc:
        raise InputError(f"Sen4CAP network file {path}: the {what} line is not numeric ({exc}).", "E_SCHEMA") from exc
    if values.size != count:
        raise InputError(f"Sen4CAP network file {path}: the {what} line holds {values.size} numbers, expected {count}.", "E_SCHEMA")
    return values


def read_sen4cap_network(path: Path, variable: str, n_inputs: int) -> Network:
    """Read a Sen4CAP net of ``n_inputs`` inputs (12 for the "allbands" nets) into a :class:`Network`."""
    path = Path(path)
    lines = _lines(path)
    header = lines[0].split() if lines else []
    if len(header) != 4 or header[0] != "tansig" or header[2] != "purelin" or header[3] != "1" or not header[1].isdigit():
        raise InputError(f"Sen4CAP network file {path} does not start with 'tansig <neurons> purelin 1'.", "E_SCHEMA")
    n_hidden = int(header[1])
    if len(lines) != 5 + n_hidden:
        raise InputError(f"Sen4CAP network file {path} holds {len(lines)} data lines, expected {5 + n_hidden} for {n_hidden} neurons.", "E_SCHEMA")
    bounds = _numbers(lines[1], path, 2 * n_inputs, "input min/max").reshape(n_inputs, 2)
    hidden = np.vstack([_numbers(lines[2 + k], path, n_inputs + 1, f"neuron {k + 1}") for k in range(n_hidden)])
    output = _numbers(lines[2 + n_hidden], path, n_hidden + 1, "output neuron")
    y_min, y_max = _numbers(lines[3 + n_hidden], path, 2, "output min/max")
    out_min, out_max, tolerance = _numbers(lines[4 + n_hidden], path, 3, "output range")
    if np.any(bounds[:, 1] <= bounds[:, 0]):
        raise InputError(f"Sen4CAP network file {path} has an input whose max is not above its min.", "E_SCHEMA")
    reflectances = n_inputs - ANGLE_INPUTS
    return Network(
        label=path.name,
        variable=variable,
        input_min=bounds[:, 0].copy(),
        input_max=bounds[:, 1].copy(),
        hidden_weights=hidden[:, 1:].copy(),
        hidden_bias=hidden[:, 0].copy(),
        output_weights=output[1:].copy(),
        output_bias=float(output[0]),
        output_min=float(y_min),
        output_max=float(y_max),
        output_range=OutputRange(tolerance=abs(float(tolerance)), minimum=float(out_min), maximum=float(out_max)),
        domain=DefinitionDomain(minimum=bounds[:reflectances, 0].copy(), maximum=bounds[:reflectances, 1].copy(), grid=None),
    )
