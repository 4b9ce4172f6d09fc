"""Sen4CAP quantisation rules (spec l3b-spectral-indices.md §5.4)."""

from __future__ import annotations

import numpy as np
import pytest
from s4c_common.quantize import NODATA, quantize


def q(values, **kwargs) -> list[int]:
    return quantize(np.asarray(values, dtype=np.float32), **kwargs).tolist()


def test_scale_and_round_half_away_from_zero() -> None:
    assert q([0.8, -0.3, 0.0125, -0.0125, 0.0135, 1.0]) == [800, -300, 13, -13, 14, 1000]
    assert q([0.0015, -0.0015, 0.0025, -0.0025]) == [2, -2, 3, -3]


def test_round_is_exact_just_below_half() -> None:
    below_half = np.nextafter(np.float32(0.5), np.float32(0))  # 0.49999997: x + 0.5 would give 1
    assert quantize(np.array([below_half / 1000], dtype=np.float32), scale=1000).tolist() == [0]
    assert quantize(np.array([below_half], dtype=np.float32), scale=1).tolist() == [0]


def test_truncate_toward_zero() -> None:
    assert q([0.8009, -0.3009, 0.0019, -0.0019], rounding="truncate") == [800, -300, 1, -1]


def test_near_zero_is_zero_before_the_negative_rule() -> None:
    assert q([0.00009, -0.00009, 0.0001], negative_to_nodata=True) == [0, 0, 0]
    assert q([-0.0002], negative_to_nodata=True) == [NODATA]
    assert q([-0.0002]) == [0]


def test_negative_to_nodata() -> None:
    assert q([-0.3, 0.3, -1.5], negative_to_nodata=True) == [NODATA, 300, NODATA]
    assert q([-0.3, 0.3, -1.5]) == [-300, 300, -1500]


def test_clamp_and_unambiguous_nodata() -> None:
    assert q([100.0, -100.0, 32.7674]) == [32767, -32767, 32767]
    assert q([-10.0, -9.9996]) == [-9999, -9999]  # a real −10.000 must not read as no-data
    assert q([-10000.0]) == [NODATA]  # the no-data value itself stays no-data


def test_nan_inf_and_invalid_mask() -> None:
    values = np.array([0.5, np.nan, np.inf, -np.inf, 0.2], dtype=np.float32)
    valid = np.array([True, True, True, True, False])
    assert quantize(values, valid).tolist() == [500, NODATA, NODATA, NODATA, NODATA]


def test_other_scale_and_nodata() -> None:
    out = quantize(np.array([0.12345, np.nan, -3.2768], dtype=np.float32), scale=10000, nodata=-32768)
    assert out.dtype == np.int16 and out.tolist() == [1235, -32768, -32767]


def test_shape_is_kept_and_bad_arguments() -> None:
    out = quantize(np.zeros((3, 4), dtype=np.float32))
    assert out.shape == (3, 4) and out.dtype == np.int16
    with pytest.raises(ValueError):
        quantize(np.zeros(1, dtype=np.float32), rounding="floor")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        quantize(np.zeros(1, dtype=np.float32), nodata=40000)
