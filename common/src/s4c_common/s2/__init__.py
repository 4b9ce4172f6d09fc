"""Sentinel-2 L2A product readers."""

from .angles import AngleGrids, relative_azimuth
from .bands import L2A_BANDS
from .l2a import L2AProduct, open_l2a
from .scl import scl_to_flags, scl_valid_mask
from .stac_item import safe_to_stac_item

__all__ = [
    "L2A_BANDS",
    "AngleGrids",
    "L2AProduct",
    "open_l2a",
    "relative_azimuth",
    "safe_to_stac_item",
    "scl_to_flags",
    "scl_valid_mask",
]
