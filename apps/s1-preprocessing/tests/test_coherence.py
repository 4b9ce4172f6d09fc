"""Coherence of generator SLC pairs with known coherence, the estimator and its bias, SLC amplitude."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import s1p_helpers as h
from s4c_common.s1.safe import open_s1
from s4c_s1_preprocessing.options import BackscatterOptions, CoherenceOptions
from s4c_s1_preprocessing.python_backend import PythonBackend
from s4c_s1_preprocessing.python_backend.coherence import coherence, debias, expected_coherence
from s4c_s1_preprocessing.python_backend.coregistration import BurstImage, burst_offsets, match_bursts
from s4c_s1_preprocessing.python_backend.deburst import segments
from s4c_s1_preprocessing.python_backend.orbit_fit import fit_orbit


def _band_means(path) -> list[float]:
    values = h.scene_values(path)
    cols = np.indices(h.GRID.shape)[1]
    means = []
    for k in range(len(h.COHERENCE_LEVELS)):
        mask = (cols >= 75 * k + 10) & (cols < 75 * k + 65) & np.isfinite(values)
        assert mask.sum() > 10000  # ≥ 1000 output pixels of 20 m
        means.append(float(values[mask].mean()))
    return means


@pytest.mark.parametrize("bias", ["none", "table"])
def test_coherence_levels_are_recovered(slc_pair, tmp_path, bias):
    """Spec 7.4: |mean γ̂ − γ| ≤ 0.05 for γ ≥ 0.3, ≤ 0.12 at γ = 0 raw; with the bias table within 0.05 everywhere."""
    master, slave = slc_pair.safes[1], slc_pair.safes[0]
    out = PythonBackend().coherence(master, slave, CoherenceOptions(dem=slc_pair.dem, bias_correction=bias), tmp_path)
    for pol in ("VV", "VH"):
        means = _band_means(out[pol])
        errors = np.subtract(means, h.COHERENCE_LEVELS)
        assert np.abs(errors[1:]).max() <= 0.05, means
        assert means[0] <= (0.05 if bias == "table" else 0.12), means
        if bias == "none":
            assert means[0] == pytest.approx(expected_coherence(np.array([0.0]), 100)[0], abs=0.02)  # the documented bias


def test_sen4cap_compat_keeps_the_geometric_phase_and_agrees_at_zero_baseline(slc_pair, tmp_path):
    options = CoherenceOptions(dem=slc_pair.dem, remove_geometric_phase=False, polarisations=("VV",))
    means = _band_means(PythonBackend().coherence(slc_pair.safes[1], slc_pair.safes[0], options, tmp_path)["VV"])
    assert np.abs(np.subtract(means[1:], h.COHERENCE_LEVELS[1:])).max() <= 0.05


def test_zero_baseline_offsets_are_an_integer_shift(slc_pair):
    """The geometric coregistration finds the generator's zero-baseline geometry: no offset, no geometric phase."""
    master, slave = (open_s1(p) for p in slc_pair.safes[::-1])
    swath, pol = master.swath_polarisations()[0]
    m, s = master.annotation(swath, pol), slave.annotation(swath, pol)
    orbits = [fit_orbit(a.orbit, a.first_line_time, a.last_line_time) for a in (m, s)]
    matches = match_bursts(m, s)
    assert matches and all(k == v for k, v in matches.items())
    burst = next(iter(matches))
    offsets = burst_offsets(BurstImage(m, orbits[0], burst), BurstImage(s, orbits[1], burst), None)
    assert offsets.integer_shift() == (0, 0)
    assert np.abs(offsets.phase).max() < 0.01


def test_deburst_segments_cover_time_once(slc_pair):
    annotation = open_s1(slc_pair.safes[0]).annotation(*open_s1(slc_pair.safes[0]).swath_polarisations()[0])
    orbit = fit_orbit(annotation.orbit, annotation.first_line_time, annotation.last_line_time)
    kept = segments(annotation, orbit)
    dt = annotation.azimuth_time_interval
    for a, b in itertools.pairwise(kept):
        end = orbit.seconds(annotation.bursts[a.burst].azimuth_time) + a.last_line * dt
        start = orbit.seconds(annotation.bursts[b.burst].azimuth_time) + b.first_line * dt
        assert abs(end - start) < dt  # contiguous, no gap and no repeated line


def test_estimator_and_bias_table():
    rng = np.random.default_rng(1)
    shape = (200, 2000)
    for gamma in (0.0, 0.5, 0.9):
        m = (rng.normal(size=shape) + 1j * rng.normal(size=shape)) / np.sqrt(2)
        w = (rng.normal(size=shape) + 1j * rng.normal(size=shape)) / np.sqrt(2)
        estimate = coherence(m, gamma * m + np.sqrt(1 - gamma**2) * w, (5, 20))[::5, ::20]
        assert np.nanmean(estimate) == pytest.approx(expected_coherence(np.array([gamma]), 100)[0], abs=0.01)
        assert np.nanmean(debias(estimate, 100)) == pytest.approx(gamma, abs=0.05)
    invalid = np.full(shape, np.nan + 0j)
    assert np.isnan(coherence(invalid, invalid, (5, 20))).all()
    assert expected_coherence(np.array([0.0]), 100)[0] == pytest.approx(0.0887, abs=1e-3)  # Γ(L)Γ(3/2)/Γ(L+½)


def test_slc_amplitude_chain_recovers_sigma0(slc_pair, tmp_path):
    """Deburst, calibration, noise removal, 8×2 multilook and geocoding of an SLC (Sen4CAP AMP input)."""
    out = PythonBackend().backscatter(slc_pair.safes[0], BackscatterOptions(dem=slc_pair.dem), tmp_path)
    for pol, truth in (("VV", 0.1), ("VH", 0.02)):
        values = h.scene_values(out[pol])[20:280, 20:280]
        assert np.isfinite(values).mean() > 0.99
        assert 10 * np.log10(np.nanmean(values) / truth) == pytest.approx(0.0, abs=0.2)


def test_chunked_estimate_equals_the_whole_burst():
    from s4c_s1_preprocessing.python_backend.deburst import Segment
    from s4c_s1_preprocessing.python_backend.pair_coherence import _kept_coherence

    rng = np.random.default_rng(2)
    shape = (700, 120)
    a = (rng.normal(size=shape) + 1j * rng.normal(size=shape)).astype(np.complex64)
    b = (0.6 * a + 0.8 * (rng.normal(size=shape) + 1j * rng.normal(size=shape))).astype(np.complex64)
    segment = Segment(0, 20, 680)
    np.testing.assert_allclose(_kept_coherence(a, b, (5, 20), None, segment), coherence(a, b, (5, 20))[20:680], atol=1e-6)


def test_fractional_coregistration_deramps_and_reramps_consistently(slc_pair):
    """The general path (deramp, bicubic, reramp) at a tiny fractional offset reproduces the burst (coherence ≈ 1)."""
    from s4c_s1_preprocessing.python_backend.coregistration import Offsets, deramp_phase, resample_slave
    from s4c_s1_preprocessing.python_backend.pair_coherence import _burst_samples

    product = open_s1(slc_pair.safes[0])
    swath, pol = product.swath_polarisations()[0]
    annotation = product.annotation(swath, pol)
    orbit = fit_orbit(annotation.orbit, annotation.first_line_time, annotation.last_line_time)
    burst = BurstImage(annotation, orbit, 0)
    samples = _burst_samples(product, swath, pol, 0)
    phase = deramp_phase(burst, np.array([0.0, annotation.lines_per_burst - 1.0]), np.array([0.0, 0.0]))
    assert np.ptp(phase) > 10  # the TOPS azimuth phase varies by many cycles along a burst
    lines, cols = np.array([0, annotation.lines_per_burst - 1]), np.array([0, annotation.samples - 1])
    shift = 0.003  # above the integer-shift tolerance: the interpolating path runs
    offsets = Offsets(lines, cols, lines[:, None] + shift + 0.0 * cols, cols[None, :] + shift + 0.0 * lines[:, None], np.zeros((2, 2)), samples.shape)
    assert offsets.integer_shift() is None
    resampled = resample_slave(samples, burst, offsets)
    valid = np.isfinite(resampled) & np.isfinite(samples)
    gamma = np.abs(np.sum(samples[valid] * np.conj(resampled[valid]))) / np.sqrt(np.sum(np.abs(samples[valid]) ** 2) * np.sum(np.abs(resampled[valid]) ** 2))
    assert gamma > 0.99
