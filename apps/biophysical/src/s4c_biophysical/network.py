"""The SNAP S2 Toolbox biophysical networks as read from their coefficient files.

Upstream layout (``s2tbx-biophysical/src/main/resources/auxdata``)::

    <auxdata>/<version>/[<model>/]<VAR>/<VAR>_<Part>

Each part is extension-less text, comma-separated numbers, one record per line. A network is
one hidden layer of tansig neurons and a linear output; inputs and output are scaled to [-1, 1]
by ``Normalisation`` and ``Denormalisation``. ``DefinitionDomain_MinMax`` / ``_Grid`` describe
the reflectance domain the network was trained on, ``ExtremeCases`` the valid output range.
Files are parsed as plain numbers: nothing is ever unpickled or executed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from s4c_common.errors import InputError

VARIABLES: tuple[str, ...] = ("LAI", "FAPAR", "FCOVER", "LAI_Cab", "LAI_Cw")

REQUIRED_PARTS: tuple[str, ...] = (
    "Normalisation",
    "Weights_Layer1_Neurons",
    "Weights_Layer1_Bias",
    "Weights_Layer2_Neurons",
    "Weights_Layer2_Bias",
    "Denormalisation",
    "ExtremeCases",
)
DOMAIN_PARTS: tuple[str, ...] = ("DefinitionDomain_MinMax", "DefinitionDomain_Grid")
TEST_CASES_PART = "TestCases"


@dataclass(frozen=True)
class OutputRange:
    """``ExtremeCases``: the valid output interval and the tolerance around it (always ≥ 0)."""

    tolerance: float
    minimum: float
    maximum: float


@dataclass(frozen=True)
class DefinitionDomain:
    """Reflectance domain of the training set: a box, optionally refined by admissible grid cells.

    ``grid`` rows are integer cell tuples ``floor(10 · (x − min) / (max − min) + 1)`` of the first
    ``len(minimum)`` inputs; ``None`` means the box alone decides.
    """

    minimum: np.ndarray  # (m,)
    maximum: np.ndarray  # (m,)
    grid: np.ndarray | None  # (k, m) int64

    def same_as(self, other: DefinitionDomain | None) -> bool:
        """True when ``other`` describes the same domain (so its flags can be shared)."""
        if other is None:
            return False
        if not (np.array_equal(self.minimum, other.minimum) and np.array_equal(self.maximum, other.maximum)):
            return False
        if self.grid is None or other.grid is None:
            return self.grid is None and other.grid is None
        return np.array_equal(self.grid, other.grid)


@dataclass(frozen=True)
class Network:
    """One trained network: ``y = denorm(w2 · tanh(W1 · norm(x) + b1) + b2)``."""

    label: str  # where it came from, for messages: "3_0/S2B/LAI"
    variable: str  # LAI, FAPAR, FCOVER, LAI_Cab, LAI_Cw
    input_min: np.ndarray  # (n,) normalisation
    input_max: np.ndarray  # (n,)
    hidden_weights: np.ndarray  # (h, n)
    hidden_bias: np.ndarray  # (h,)
    output_weights: np.ndarray  # (h,)
    output_bias: float
    output_min: float  # denormalisation
    output_max: float
    output_range: OutputRange
    domain: DefinitionDomain | None

    @property
    def n_inputs(self) -> int:
        return int(self.input_min.size)

    @property
    def n_hidden(self) -> int:
        return int(self.hidden_bias.size)


def read_matrix(path: Path, *, rows: int | None = None, cols: int | None = None, what: str = "coefficients") -> np.ndarray:
    """A comma-separated numeric file as a 2-D float64 array, its shape checked (InputError E_SCHEMA names the file)."""
    if not path.is_file():
        raise InputError(f"network file {path} is missing; fetch the auxdata with s4c-biophysical-auxdata or point --auxdata at a complete copy.",
                         "E_INPUT_NOT_FOUND")  # fmt: skip
    try:
        values = np.loadtxt(path, delimiter=",", ndmin=2, dtype=np.float64)
    except (ValueError, OSError) as exc:
        raise InputError(f"network file {path} is not a table of comma-separated numbers ({exc}).", "E_SCHEMA") from exc
    expected = (rows if rows is not None else values.shape[0], cols if cols is not None else values.shape[1])
    if values.size == 0 or values.shape != expected:
        raise InputError(
            f"network file {path} holds {values.shape[0]} × {values.shape[1]} {what}, expected "
            f"{'any' if rows is None else rows} × {'any' if cols is None else cols}; the file is not a SNAP biophysical coefficient file.",
            "E_SCHEMA",
        )
    return values


def part_path(directory: Path, variable: str, part: str) -> Path:
    return directory / f"{variable}_{part}"


def _read_domain(directory: Path, variable: str, n_inputs: int) -> DefinitionDomain | None:
    """The definition domain, or None when the network ships without one (2_1 FCOVER, as in SNAP)."""
    minmax_path, grid_path = (part_path(directory, variable, part) for part in DOMAIN_PARTS)
    if not minmax_path.exists():
        if grid_path.exists():
            raise InputError(f"network file {minmax_path} is missing while {grid_path.name} exists; the domain grid needs its box.", "E_INPUT_NOT_FOUND")
        return None
    minmax = read_matrix(minmax_path, rows=2, what="domain bounds")
    if minmax.shape[1] > n_inputs or np.any(minmax[1] < minmax[0]):
        raise InputError(f"network file {minmax_path} does not hold a min row and a max row for at most {n_inputs} inputs.", "E_SCHEMA")
    grid = None
    if grid_path.exists():
        cells = read_matrix(grid_path, cols=minmax.shape[1], what="grid cells")
        if not np.array_equal(cells, np.round(cells)) or cells.min() < 0 or cells.max() > 11:
            raise InputError(f"network file {grid_path} must hold integer cells between 0 and 11.", "E_SCHEMA")
        grid = cells.astype(np.int64)
    return DefinitionDomain(minimum=minmax[0].copy(), maximum=minmax[1].copy(), grid=grid)


def read_snap_network(directory: Path, variable: str, label: str | None = None) -> Network:
    """Read ``<directory>/<variable>_<Part>`` files into a :class:`Network`, every shape checked."""
    directory = Path(directory)
    if not directory.is_dir():
        raise InputError(f"network folder {directory} does not exist; fetch the auxdata with s4c-biophysical-auxdata or fix --auxdata.",
                         "E_INPUT_NOT_FOUND")  # fmt: skip
    path = {part: part_path(directory, variable, part) for part in REQUIRED_PARTS}
    normalisation = read_matrix(path["Normalisation"], cols=2, what="min,max pairs")
    n_inputs = normalisation.shape[0]
    hidden = read_matrix(path["Weights_Layer1_Neurons"], cols=n_inputs, what="hidden weights")
    n_hidden = hidden.shape[0]
    hidden_bias = read_matrix(path["Weights_Layer1_Bias"], rows=1, cols=n_hidden, what="hidden biases")
    output_weights = read_matrix(path["Weights_Layer2_Neurons"], rows=1, cols=n_hidden, what="output weights")
    output_bias = read_matrix(path["Weights_Layer2_Bias"], rows=1, cols=1, what="output bias")
    denormalisation = read_matrix(path["Denormalisation"], rows=1, cols=2, what="output min,max")
    extreme = read_matrix(path["ExtremeCases"], rows=1, cols=3, what="tolerance,min,max")
    if np.any(normalisation[:, 1] <= normalisation[:, 0]):
        raise InputError(f"network file {path['Normalisation']} has an input whose max is not above its min.", "E_SCHEMA")
    tolerance, minimum, maximum = extreme[0]
    return Network(
        label=label or str(directory),
        variable=variable,
        input_min=normalisation[:, 0].copy(),
        input_max=normalisation[:, 1].copy(),
        hidden_weights=hidden,
        hidden_bias=hidden_bias[0].copy(),
        output_weights=output_weights[0].copy(),
        output_bias=float(output_bias[0, 0]),
        output_min=float(denormalisation[0, 0]),
        output_max=float(denormalisation[0, 1]),
        # the tolerance is stored negative in 2_1 and some 3_0 files; its sign carries no meaning
        output_range=OutputRange(tolerance=abs(float(tolerance)), minimum=float(minimum), maximum=float(maximum)),
        domain=_read_domain(directory, variable, n_inputs),
    )


def read_test_cases(path: Path) -> np.ndarray:
    """Official test vectors: rows of inputs followed by the expected output (NaN where SNAP gives none)."""
    return read_matrix(Path(path), what="test-case values")
