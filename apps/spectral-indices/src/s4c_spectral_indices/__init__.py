"""Sen4CAP L3B spectral indices from Sentinel-2 L2A: per-date index rasters and validity flags."""

__version__ = "0.1.0"
