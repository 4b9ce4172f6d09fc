"""Sentinel-2 L2A product readers."""
