"""Shared library of the Sen4CAP processors."""

__version__ = "0.1.0"
