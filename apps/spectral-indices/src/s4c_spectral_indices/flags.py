"""Validity flags (``MMONODFLG``) of a product and where each index class may be computed.

The SCL → flag table is Sen4CAP's (s4c_common.s2.scl_to_flags, spec §5.2); on top of it a pixel
where any band an index reads has no data (DN 0, NaN here) gets 255. Vegetation and soil indices are
defined on flag 0 (land), water indices on flags 0 and 1 (land, water).

>>> flags = index_flags(scl_to_flags(scl), [bands["red"], bands["nir"]])
>>> valid = allowed(flags, "vegetation")
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from s4c_common.s2.scl import FLAG_CLOUD, FLAG_CLOUD_SHADOW, FLAG_LAND, FLAG_NODATA, FLAG_WATER

from .formulas import IndexClass

SHADOW_FLAGS: tuple[int, ...] = (FLAG_CLOUD_SHADOW, FLAG_CLOUD)
ALLOWED_FLAGS: dict[str, tuple[int, ...]] = {
    "vegetation": (FLAG_LAND,),
    "soil": (FLAG_LAND,),
    "water": (FLAG_LAND, FLAG_WATER),
}


def _allowed_table(index_class: IndexClass) -> np.ndarray:
    table = np.zeros(256, dtype=bool)
    table[list(ALLOWED_FLAGS[index_class])] = True
    return table


_TABLES = {index_class: _allowed_table(index_class) for index_class in ALLOWED_FLAGS}  # type: ignore[arg-type]


def index_flags(base: np.ndarray, bands: Sequence[np.ndarray]) -> np.ndarray:
    """``base`` flags with 255 where any of ``bands`` is NaN (no data)."""
    missing = np.zeros(base.shape, dtype=bool)
    for band in bands:
        missing |= np.isnan(band)
    return np.where(missing, np.uint8(FLAG_NODATA), base)


def allowed(flags: np.ndarray, index_class: IndexClass) -> np.ndarray:
    """True where an index of ``index_class`` is defined (flag 0, or 0 and 1 for water indices)."""
    return _TABLES[index_class][flags]
