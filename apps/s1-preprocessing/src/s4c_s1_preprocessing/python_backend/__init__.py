"""The pure-Python back end: no SNAP (spec B–G)."""

from .backend import PythonBackend

__all__ = ["PythonBackend"]
