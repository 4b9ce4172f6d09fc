"""Synthetic L2A products shared by the tests of this folder (written once per session)."""

import sys
from pathlib import Path

import pytest

# Test helper modules (si_helpers.py) live beside the tests.
sys.path.insert(0, str(Path(__file__).parent))

import si_helpers


@pytest.fixture(scope="session")
def scene(tmp_path_factory: pytest.TempPathFactory) -> si_helpers.Scene:
    """The field scene at processing baseline 05.10 (BOA offset −1000)."""
    return si_helpers.write_scene(tmp_path_factory.mktemp("scene"))


@pytest.fixture(scope="session")
def scene_baseline_03(tmp_path_factory: pytest.TempPathFactory) -> si_helpers.Scene:
    """The same scene at processing baseline 03.01 (no offset)."""
    return si_helpers.write_scene(tmp_path_factory.mktemp("scene03"), baseline="03.01")


@pytest.fixture(scope="session")
def cloudy_scene(tmp_path_factory: pytest.TempPathFactory) -> si_helpers.Scene:
    return si_helpers.write_scene(tmp_path_factory.mktemp("cloudy"), cloudy=True)


@pytest.fixture(scope="session")
def scene_without_b11(tmp_path_factory: pytest.TempPathFactory) -> si_helpers.Scene:
    return si_helpers.write_scene(tmp_path_factory.mktemp("nob11"), drop=("B11",))
