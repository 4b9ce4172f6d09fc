"""The domain statistics are computed in, per product kind, and how they are reported.

Backscatter (``--amp-db``):

- ``linear`` (default): σ⁰ in linear power (BCK as stored, AMP squared) is averaged, and the mean,
  min, max and percentiles are converted to dB (10·log10). The standard deviation is that of the
  pixels' σ⁰ in dB: a standard deviation of linear power has no dB equivalent.
- ``sigma0``: every pixel is converted to σ⁰ dB first (10·log10 σ⁰, i.e. 20·log10 A for AMP) and all
  statistics are computed on dB values (spec l3-markers.md §5.4, "mean of pixel dB").
- ``sen4cap``: every pixel is converted with 10·log10(stored value), whatever it holds (Sen4CAP's
  extractor: half the σ⁰ dB value for AMP rasters); statistics on those values.

Other kinds (L3B, L2A, coherence) are reported in their stored units.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from .registry import Kind, ProductType

Transform = Callable[[np.ndarray], np.ndarray]


class AmpDb(StrEnum):
    LINEAR = "linear"
    SIGMA0 = "sigma0"
    SEN4CAP = "sen4cap"


# Recorded in the table metadata (s4c:amp_db_definition) so that L4 processors can adapt thresholds.
AMP_DB_DEFINITIONS = {AmpDb.LINEAR: "linear_mean_db", AmpDb.SIGMA0: "sigma0_db", AmpDb.SEN4CAP: "sen4cap_half_db"}


def _identity(values: np.ndarray) -> np.ndarray:
    return values


def _square(values: np.ndarray) -> np.ndarray:
    return values * values


def _db(values: np.ndarray) -> np.ndarray:
    return 10.0 * np.log10(values)


def _amplitude_db(values: np.ndarray) -> np.ndarray:
    return 20.0 * np.log10(values)


@dataclass(frozen=True)
class Scale:
    """``stat_domain`` maps pixel values to the domain of mean and order statistics, ``report`` maps those back;
    ``spread_domain`` is the domain of the standard deviation when it differs (None: the same)."""

    stat_domain: Transform = _identity
    report: Transform = _identity
    spread_domain: Transform | None = None


IDENTITY = Scale()


def scale_for(product_type: ProductType, amp_db: AmpDb) -> Scale:
    if product_type.kind != Kind.BACKSCATTER:
        return IDENTITY
    if amp_db == AmpDb.SEN4CAP:
        return Scale(stat_domain=_db)
    if amp_db == AmpDb.SIGMA0:
        return Scale(stat_domain=_amplitude_db if product_type.amplitude else _db)
    if product_type.amplitude:
        return Scale(stat_domain=_square, report=_db, spread_domain=_amplitude_db)
    return Scale(stat_domain=_identity, report=_db, spread_domain=_db)
