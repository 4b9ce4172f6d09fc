"""Fixtures shared by every test folder: where the real test data are."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent
SHARED = Path(os.environ.get("S4C_SHARED", REPO.parent / "shared")).resolve()


def shared_path(relative: str) -> Path:
    """A path under ../shared/, or skip the test with the reason when it is absent."""
    path = SHARED / relative
    if not path.exists():
        pytest.skip(f"real test data not available: {path} (set S4C_SHARED to the shared/ folder)")
    return path


@pytest.fixture(scope="session")
def shared() -> type:
    """Access to ../shared/ in tests: ``shared.path("data/...")`` skips when missing."""

    class _Shared:
        root = SHARED
        path = staticmethod(shared_path)

    return _Shared
