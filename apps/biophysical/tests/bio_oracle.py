"""The official SNAP TestCases as an oracle: every file, its network and SNAP's pass rule.

Run as a script to print the per-file table of maximal errors::

    .venv/bin/python apps/biophysical/tests/bio_oracle.py [AUXDATA_DIR]
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from s4c_biophysical.evaluate import evaluate_network
from s4c_biophysical.network import Network, read_snap_network, read_test_cases


@dataclass(frozen=True)
class OracleResult:
    test_file: str  # relative to the auxdata root
    network: str  # the network that reproduces it
    rows: int
    skipped_nan: int
    max_error: float
    failures: int  # rows breaking |y − e| ≤ max(0.01, 0.001·|e|)


def snap_test_case_files(auxdata: Path) -> list[Path]:
    return sorted(auxdata.rglob("*_TestCases"))


def network_for(test_file: Path, auxdata: Path) -> Network:
    """The network whose input count matches the file's columns.

    The ``3_0/S2B_10m`` files hold 11 inputs: they reproduce the ``3_0/S2B`` 20 m network, not the 6-input
    10 m one in their folder; any other mismatch is an error, never a silent pass.
    """
    folder = test_file.parent
    variable = folder.name
    columns = read_test_cases(test_file).shape[1]
    candidates = [folder]
    if folder.parent.name.endswith("_10m"):
        candidates.append(folder.parent.parent / folder.parent.name.removesuffix("_10m") / variable)
    for candidate in candidates:
        net = read_snap_network(candidate, variable, candidate.relative_to(auxdata).as_posix())
        if net.n_inputs == columns - 1:
            return net
    raise AssertionError(f"{test_file} has {columns - 1} inputs; no network among {[str(c) for c in candidates]} reads that many")


def check_file(test_file: Path, auxdata: Path) -> OracleResult:
    cases = read_test_cases(test_file)
    net = network_for(test_file, auxdata)
    expected = cases[:, -1]
    computed = evaluate_network(net, cases[:, :-1].T).values  # after the snap output-range rule
    finite = np.isfinite(expected)
    error = np.abs(computed[finite] - expected[finite])
    allowed = np.maximum(0.01, 0.001 * np.abs(expected[finite]))
    return OracleResult(
        test_file=test_file.relative_to(auxdata).as_posix(),
        network=net.label,
        rows=int(expected.size),
        skipped_nan=int((~finite).sum()),
        max_error=float(error.max()),
        failures=int((error > allowed).sum()),
    )


def table(results: list[OracleResult]) -> str:
    lines = ["| TestCases file | network | rows (NaN skipped) | max abs error | failures |", "|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r.test_file} | {r.network} | {r.rows} ({r.skipped_nan}) | {r.max_error:.2e} | {r.failures} |")
    return "\n".join(lines)


if __name__ == "__main__":
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/snap-s2tbx-biophysical/s2tbx-biophysical/src/main/resources/auxdata")
    print(table([check_file(path, root) for path in snap_test_case_files(root)]))
