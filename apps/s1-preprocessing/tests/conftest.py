import sys
from pathlib import Path

import pytest

# Test helper modules (s1p_helpers.py, snap_helpers.py) live beside the tests.
sys.path.insert(0, str(Path(__file__).parent))

import s1p_helpers


@pytest.fixture(scope="session")
def grd_scene(tmp_path_factory) -> s1p_helpers.GrdScene:
    """GRD over the field chequer on a 250 m ridge, speckled (4.4 looks)."""
    return s1p_helpers.grd_scene(tmp_path_factory.mktemp("grd"))


@pytest.fixture(scope="session")
def target_scene(tmp_path_factory) -> s1p_helpers.GrdScene:
    """GRD of a bright 200 m square on the ridge, nearly speckle-free."""
    return s1p_helpers.grd_scene(tmp_path_factory.mktemp("target"), target=True, looks=1e6)


@pytest.fixture(scope="session")
def slc_pair(tmp_path_factory) -> s1p_helpers.SlcScene:
    """Two SLCs 6 days apart (S1A, S1B) with coherence 0 / 0.3 / 0.6 / 0.9 in column bands, 100 m ridge."""
    return s1p_helpers.slc_scene(tmp_path_factory.mktemp("slc"))
