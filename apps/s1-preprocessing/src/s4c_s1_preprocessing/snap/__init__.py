"""SNAP back end of s4c-s1-preprocessing: the project's SNAP graphs, their linter and the gpt runner.

``SnapBackend`` is imported on first use, so the linter (``python -m s4c_s1_preprocessing.snap.lint``) does not
load the raster stack.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .backend import SnapBackend

__all__ = ["SnapBackend"]


def __getattr__(name: str) -> Any:
    if name == "SnapBackend":
        from .backend import SnapBackend

        return SnapBackend
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
