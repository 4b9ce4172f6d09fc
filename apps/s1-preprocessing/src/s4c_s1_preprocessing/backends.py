"""Choosing the back end: ``python`` (this package) or ``snap`` (``s4c_s1_preprocessing.snap``, imported lazily)."""

from __future__ import annotations

import importlib
import shutil

from s4c_common.errors import ExternalError

from .products import Backend
from .python_backend import PythonBackend

BACKENDS = ("python", "snap")


def default_backend() -> str:
    """``snap`` when SNAP's ``gpt`` is on the PATH, else ``python``."""
    return "snap" if shutil.which("gpt") else "python"


def get_backend(name: str, gpt: str = "gpt") -> Backend:
    if name == "python":
        return PythonBackend()
    try:
        snap = importlib.import_module("s4c_s1_preprocessing.snap")
        backend_class = snap.SnapBackend
    except (ImportError, AttributeError) as exc:
        raise ExternalError(f"the SNAP back end is not available in this installation ({exc}); use --backend python.", "E_BACKEND") from exc
    return backend_class(gpt)
