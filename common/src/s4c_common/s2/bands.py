"""Sentinel-2 MSI band names, metadata band indices and native resolutions."""

from __future__ import annotations

import re

# The twelve surface-reflectance bands of an L2A product (B10 cirrus is not delivered at L2A).
L2A_BANDS: tuple[str, ...] = ("B01", "B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B09", "B11", "B12")

# Order of the ``bandId`` / ``band_id`` attributes of the SAFE metadata (0 = B01, 8 = B8A, 10 = B10).
METADATA_BAND_ORDER: tuple[str, ...] = (
    "B01", "B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B09", "B10", "B11", "B12",
)  # fmt: skip

NATIVE_RESOLUTION: dict[str, int] = {
    "B01": 60, "B02": 10, "B03": 10, "B04": 10, "B05": 20, "B06": 20, "B07": 20,
    "B08": 10, "B8A": 20, "B09": 60, "B10": 60, "B11": 20, "B12": 20, "SCL": 20,
}  # fmt: skip

# Asset keys of stactools-sentinel2 ≥ 0.4 (and Earth Search); older items use the band names.
STAC_COMMON_NAMES: dict[str, str] = {
    "B01": "coastal", "B02": "blue", "B03": "green", "B04": "red", "B05": "rededge1", "B06": "rededge2",
    "B07": "rededge3", "B08": "nir", "B8A": "nir08", "B09": "nir09", "B10": "cirrus", "B11": "swir16",
    "B12": "swir22", "SCL": "scl",
}  # fmt: skip

RESOLUTIONS: tuple[int, ...] = (10, 20, 60)

# Band or SCL name and resolution at the end of an image file name: ..._B8A_20m(.jp2)
IMAGE_NAME_PATTERN = re.compile(r"_(B\d[\dA]|SCL)_(\d0)m(?:\.\w+)?$")


def band_from_metadata_id(band_id: str | int) -> str:
    """``B04`` for the metadata band index 3."""
    index = int(band_id)
    if not 0 <= index < len(METADATA_BAND_ORDER):
        raise ValueError(f"Sentinel-2 band index {band_id} is outside 0..12")
    return METADATA_BAND_ORDER[index]


def check_band(name: str) -> str:
    """The canonical band name (``B8A``, ``SCL``) or ValueError for an unknown one."""
    canonical = name.upper()
    if canonical not in NATIVE_RESOLUTION:
        raise ValueError(f"unknown Sentinel-2 band {name!r}; expected one of {', '.join(NATIVE_RESOLUTION)}")
    return canonical
