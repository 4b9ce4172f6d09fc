"""Coherence of a coregistered SLC pair (spec G.5) and its estimator bias.

γ̂ = |Σ M·S*·e^{−jφ_geo}| / sqrt(Σ|M|²·Σ|S|²) over a boxcar of ``coh_win_az`` × ``coh_win_rg`` samples;
windows with fewer than half valid samples are no-data.

Bias: with L independent samples the sample coherence is biased upwards, most at low coherence:
E[γ̂ | γ = 0] = Γ(L)·Γ(3/2)/Γ(L + 1/2) ≈ 0.089 for the default 5 × 20 = 100-sample window. ``bias_correction
= "table"`` maps each estimate through the inverse of E[γ̂](γ; L) (Touzi et al. 1999,
E[γ̂] = Γ(L)Γ(3/2)/Γ(L+½) · ₃F₂(3/2, L, L; L+½, 1; γ²) · (1 − γ²)^L), with L = window size: exact for
independent samples, an under-correction for oversampled real SLCs (fewer independent looks). Estimates
below E[γ̂](0) become 0. The default ``none`` keeps the raw estimate, as Sen4CAP.
"""

from __future__ import annotations

import functools

import numpy as np
from scipy.ndimage import uniform_filter
from scipy.special import gammaln

TABLE_STEP = 0.001
SERIES_TERMS = 20_000


def coherence(master: np.ndarray, slave: np.ndarray, window: tuple[int, int], phase: np.ndarray | None = None) -> np.ndarray:
    """Coherence magnitude (float32, NaN no-data) of complex images (NaN = invalid); ``window`` = (azimuth, range)."""
    valid = np.isfinite(master) & np.isfinite(slave)
    m = np.where(valid, master, 0).astype(np.complex64, copy=False)
    s = np.where(valid, slave, 0).astype(np.complex64, copy=False)
    interferogram = m * np.conj(s)
    if phase is not None:
        interferogram *= np.exp(-1j * phase).astype(np.complex64)
    cross_re = uniform_filter(interferogram.real, window, mode="constant")
    cross_im = uniform_filter(interferogram.imag, window, mode="constant")
    power_m = uniform_filter(np.abs(m) ** 2, window, mode="constant")
    power_s = uniform_filter(np.abs(s) ** 2, window, mode="constant")
    fraction = uniform_filter(valid.astype(np.float32), window, mode="constant")
    with np.errstate(invalid="ignore", divide="ignore"):
        gamma = np.hypot(cross_re, cross_im) / np.sqrt(power_m * power_s)
    return np.where(fraction >= 0.5 - 1e-6, np.clip(gamma, 0.0, 1.0), np.nan).astype(np.float32)


def expected_coherence(gamma: np.ndarray, looks: int) -> np.ndarray:
    """E[γ̂] for true coherence ``gamma`` and ``looks`` independent samples (series of the ₃F₂, in logs)."""
    gamma = np.asarray(gamma, float)
    k = np.arange(SERIES_TERMS)[:, None]
    z = np.clip(gamma**2, 1e-300, 1 - 1e-12)[None, :]
    log_terms = (
        gammaln(1.5 + k) - gammaln(1.5) + 2 * (gammaln(looks + k) - gammaln(looks)) - (gammaln(looks + 0.5 + k) - gammaln(looks + 0.5)) - 2 * gammaln(1 + k)
    ) + k * np.log(z)
    log_prefactor = gammaln(looks) + gammaln(1.5) - gammaln(looks + 0.5) + looks * np.log1p(-z[0])
    peak = log_terms.max(axis=0)
    return np.exp(log_prefactor + peak + np.log(np.exp(log_terms - peak).sum(axis=0)))


@functools.lru_cache(maxsize=8)
def _bias_table(looks: int) -> tuple[np.ndarray, np.ndarray]:
    truth = np.arange(0.0, 1.0 + TABLE_STEP / 2, TABLE_STEP)
    expected = expected_coherence(truth[:-1], looks)
    return np.append(expected, 1.0), truth


def debias(estimate: np.ndarray, looks: int) -> np.ndarray:
    """Coherence whose expected estimate is ``estimate`` (inverse bias table), float32; 0 below E[γ̂](0)."""
    expected, truth = _bias_table(looks)
    return np.interp(estimate, expected, truth, left=0.0, right=1.0).astype(np.float32)
