"""Sentinel-1 SAFE metadata and measurement readers."""
