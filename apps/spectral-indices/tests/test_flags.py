"""Flags per SCL class, no-data bands, and where each index class is defined."""

from __future__ import annotations

import numpy as np
from s4c_common.s2 import scl_to_flags
from s4c_spectral_indices.flags import allowed, index_flags

# spec §5.2: SCL 0 … 11 → flag
EXPECTED = [255, 5, 4, 2, 0, 0, 1, 4, 4, 4, 4, 3]


def test_flag_per_scl_class() -> None:
    scl = np.arange(12, dtype=np.uint8)
    assert scl_to_flags(scl).tolist() == EXPECTED
    assert scl_to_flags(scl, shadow_flag=4).tolist() == [*EXPECTED[:3], 4, *EXPECTED[4:]]


def test_band_nodata_gives_255() -> None:
    base = np.zeros(4, dtype=np.uint8)
    red = np.array([0.1, np.nan, 0.1, 0.1], np.float32)
    nir = np.array([0.1, 0.1, np.nan, 0.1], np.float32)
    assert index_flags(base, [red, nir]).tolist() == [0, 255, 255, 0]
    assert index_flags(np.array([6, 6, 6, 6], np.uint8), [red]).tolist() == [6, 255, 6, 6]


def test_allowed_per_index_class() -> None:
    flags = np.array([0, 1, 2, 3, 4, 5, 255], dtype=np.uint8)
    assert allowed(flags, "vegetation").tolist() == [True, False, False, False, False, False, False]
    assert allowed(flags, "soil").tolist() == [True, False, False, False, False, False, False]
    assert allowed(flags, "water").tolist() == [True, True, False, False, False, False, False]
