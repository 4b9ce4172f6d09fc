"""Deterministic sample-scene generator."""

__version__ = "0.1.0"
