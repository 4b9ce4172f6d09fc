"""Sen2Cor scene classification (SCL) → validity mask and Sen4CAP flags raster.

The mapping is Sen4CAP's (SEN2CORMetadataHelper), see spec l3b-spectral-indices.md §5.2.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

SCL_NO_DATA = 0
SCL_SATURATED_DEFECTIVE = 1
SCL_DARK_AREA = 2
SCL_CLOUD_SHADOW = 3
SCL_VEGETATION = 4
SCL_NOT_VEGETATED = 5
SCL_WATER = 6
SCL_UNCLASSIFIED = 7
SCL_CLOUD_MEDIUM = 8
SCL_CLOUD_HIGH = 9
SCL_THIN_CIRRUS = 10
SCL_SNOW = 11

FLAG_LAND = 0
FLAG_WATER = 1
FLAG_CLOUD_SHADOW = 2
FLAG_SNOW = 3
FLAG_CLOUD = 4
FLAG_SATURATED = 5
FLAG_NODATA = 255

# Sen4CAP computes vegetation and soil indices on flag 0 only, i.e. SCL 4 and 5;
# water indices also accept SCL 6 (pass ``valid_classes=LAND_AND_WATER_CLASSES``).
LAND_CLASSES: tuple[int, ...] = (SCL_VEGETATION, SCL_NOT_VEGETATED)
LAND_AND_WATER_CLASSES: tuple[int, ...] = (SCL_VEGETATION, SCL_NOT_VEGETATED, SCL_WATER)


def scl_valid_mask(scl: np.ndarray, valid_classes: Iterable[int] = LAND_CLASSES) -> np.ndarray:
    """True where the SCL class is one of ``valid_classes`` (default: vegetation, not vegetated)."""
    return np.isin(scl, np.fromiter(valid_classes, dtype=np.int64))


def _flag_table(shadow_flag: int) -> np.ndarray:
    table = np.full(256, FLAG_NODATA, dtype=np.uint8)  # classes above 11 are not Sen2Cor's: no data
    table[SCL_SATURATED_DEFECTIVE] = FLAG_SATURATED
    table[SCL_DARK_AREA] = FLAG_CLOUD
    table[SCL_CLOUD_SHADOW] = shadow_flag
    table[[SCL_VEGETATION, SCL_NOT_VEGETATED]] = FLAG_LAND
    table[SCL_WATER] = FLAG_WATER
    table[[SCL_UNCLASSIFIED, SCL_CLOUD_MEDIUM, SCL_CLOUD_HIGH, SCL_THIN_CIRRUS]] = FLAG_CLOUD
    table[SCL_SNOW] = FLAG_SNOW
    return table


def scl_to_flags(scl: np.ndarray, shadow_flag: int = FLAG_CLOUD_SHADOW) -> np.ndarray:
    """Sen4CAP flags (0 land, 1 water, 2 cloud shadow, 3 snow, 4 cloud, 5 saturated, 255 no data) of an SCL array.

    ``shadow_flag`` is the flag of SCL 3 (cloud shadow): 2, or 4 to reproduce Sen4CAP's compat behaviour.
    """
    if scl.dtype != np.uint8:
        raise ValueError(f"SCL must be uint8, got {scl.dtype}")
    return _flag_table(shadow_flag)[scl]
