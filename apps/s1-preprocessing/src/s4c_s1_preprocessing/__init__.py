"""Sentinel-1 pre-processing: terrain-corrected backscatter and interferometric coherence (Sen4CAP L2 S1)."""

__version__ = "0.1.0"
