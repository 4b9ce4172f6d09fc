"""Every official SNAP TestCases file passes SNAP's own rule, with the maximal errors of the spec."""

from __future__ import annotations

from pathlib import Path

import pytest
from bio_helpers import AUXDATA_IN_SHARED
from bio_oracle import check_file, network_for, snap_test_case_files, table

# spec l3b-biophysical.md §6: sets with test cases, their row counts and the reference maximal errors.
EXPECTED = {
    "2_1/FAPAR/FAPAR_TestCases": (100, 46, 1.6e-5),
    "2_1/LAI/LAI_TestCases": (100, 0, 2.4e-4),
    "2_1/LAI_Cab/LAI_Cab_TestCases": (100, 72, 4.8e-3),
    "3_0/S2A_10m/FAPAR/FAPAR_TestCases": (117, 0, 1.7e-5),
    "3_0/S2A_10m/FCOVER/FCOVER_TestCases": (132, 0, 1.5e-5),
    "3_0/S2A_10m/LAI/LAI_TestCases": (245, 0, 1.4e-4),
    "3_0/S2B/FAPAR/FAPAR_TestCases": (301, 0, 1.8e-5),
    "3_0/S2B/FCOVER/FCOVER_TestCases": (246, 0, 2.0e-5),
    "3_0/S2B/LAI/LAI_TestCases": (654, 0, 3.1e-4),
    "3_0/S2B/LAI_Cab/LAI_Cab_TestCases": (152, 0, 2.6e-2),
    "3_0/S2B_10m/FAPAR/FAPAR_TestCases": (41472, 0, 3.3e-5),
    "3_0/S2B_10m/FCOVER/FCOVER_TestCases": (41472, 0, 2.6e-5),
    "3_0/S2B_10m/LAI/LAI_TestCases": (41472, 0, 3.7e-4),
}


@pytest.fixture(scope="module")
def auxdata(shared) -> Path:
    return shared.path(AUXDATA_IN_SHARED)


def test_every_test_case_file_is_known(auxdata: Path) -> None:
    found = {path.relative_to(auxdata).as_posix() for path in snap_test_case_files(auxdata)}
    assert found == set(EXPECTED)


@pytest.mark.parametrize("relative", sorted(EXPECTED))
def test_snap_rule(auxdata: Path, relative: str) -> None:
    rows, skipped, reference_error = EXPECTED[relative]
    result = check_file(auxdata / relative, auxdata)
    assert result.failures == 0, table([result])
    assert (result.rows, result.skipped_nan) == (rows, skipped)
    # the same arithmetic as the spec's reference implementation, to its printed precision
    assert result.max_error <= reference_error * 1.06 + 1e-7, table([result])


def test_s2b_10m_files_are_routed_to_the_20m_network(auxdata: Path) -> None:
    net = network_for(auxdata / "3_0/S2B_10m/LAI/LAI_TestCases", auxdata)
    assert net.label == "3_0/S2B/LAI" and net.n_inputs == 11
    assert network_for(auxdata / "3_0/S2A_10m/LAI/LAI_TestCases", auxdata).label == "3_0/S2A_10m/LAI"


def test_a_test_file_matching_no_network_fails_loudly(auxdata: Path, tmp_path: Path) -> None:
    folder = tmp_path / "3_0" / "S2A" / "LAI"
    folder.mkdir(parents=True)
    for source in (auxdata / "3_0/S2A/LAI").iterdir():
        (folder / source.name).write_bytes(source.read_bytes())
    (folder / "LAI_TestCases").write_text("0.1,0.2,0.3,1.0\n")
    with pytest.raises(AssertionError, match="no network"):
        network_for(folder / "LAI_TestCases", tmp_path)
