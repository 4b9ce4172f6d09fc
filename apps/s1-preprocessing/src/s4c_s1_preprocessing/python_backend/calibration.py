"""Radiometric calibration of measurement rows with the annotation LUTs (spec B), on the vectors parsed by s4c_common.s1.

The spec's interpolation (linear in pixel along each vector, then linear in line between the two vectors
bracketing the row, clamped outside) is evaluated exactly at every pixel, so LUT values at the nodes are
reproduced exactly. It is separable per row: with the bracketing vectors a_lo(p), a_hi(p) (interpolated
once per block along the pixels) and the row weight w, A(l, p) = a_lo(p) + w(l)·(a_hi(p) − a_lo(p)); rows
are processed in runs sharing their bracketing vectors, in float32 and in place, which keeps a full-size
GRD within seconds per polarisation.
"""

from __future__ import annotations

import numpy as np
from s4c_common.s1.lut import line_weights
from s4c_common.s1.safe import S1Product

# radiometry option -> calibration LUT; gamma0_rtc starts from beta0 (terrain flattening follows)
LUT_OF_RADIOMETRY = {"sigma0": "sigmaNought", "beta0": "betaNought", "gamma0": "gamma", "gamma0_rtc": "betaNought"}


def interpolated_lut(lines: np.ndarray, pixels, values, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """The LUT at rows × cols (float32), runs of rows with the same bracketing vectors at a time."""
    lower, upper, weight = line_weights(np.asarray(lines), rows)
    along = {k: np.interp(cols, pixels[k], values[k]).astype(np.float32) for k in np.unique(np.concatenate([lower, upper]))}
    result = np.empty((len(rows), len(cols)), np.float32)
    starts = np.flatnonzero(np.r_[True, (lower[1:] != lower[:-1]) | (upper[1:] != upper[:-1])])
    for start, stop in zip(starts, np.r_[starts[1:], len(rows)], strict=True):
        low, step = along[lower[start]], along[upper[start]] - along[lower[start]]
        block = result[start:stop]
        np.multiply(weight[start:stop, None].astype(np.float32), step, out=block)
        block += low  # a + w·(b − a): exactly a at the vector lines (w = 0)
    return result


def _noise(product: S1Product, swath: str, polarisation: str, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Noise power N = noiseRange · noiseAzimuth (float32) at rows × cols."""
    noise = product.noise(swath, polarisation)
    power = interpolated_lut(noise.range.line, noise.range.pixel, noise.range.values, rows, cols)
    for block in noise.azimuth:
        in_rows = (rows >= block.first_line) & (rows <= block.last_line)
        in_cols = (cols >= block.first_sample) & (cols <= block.last_sample)
        if in_rows.any() and in_cols.any():
            r, c = np.flatnonzero(in_rows), np.flatnonzero(in_cols)
            profile = np.interp(rows[r], block.line, block.values).astype(np.float32)
            power[r[0] : r[-1] + 1, c[0] : c[-1] + 1] *= profile[:, None]
    return power


def calibrate_rows(product: S1Product, swath: str, polarisation: str, kind: str, remove_noise: bool, first_row: int, dn: np.ndarray) -> np.ndarray:
    """X⁰ = (|DN|² − N)/A² (float32; negative → 0, NaN where DN = 0) of image rows ``first_row …`` (all samples)."""
    rows, cols = np.arange(first_row, first_row + dn.shape[0]), np.arange(dn.shape[1])
    calibration = product.calibration(swath, polarisation)
    lut = interpolated_lut(calibration.line, calibration.pixel, calibration.values[kind], rows, cols)
    if np.iscomplexobj(dn):
        intensity = np.square(dn.real, dtype=np.float32)
        intensity += np.square(dn.imag, dtype=np.float32)
    else:
        intensity = np.square(dn, dtype=np.float32)
    if remove_noise:
        intensity -= _noise(product, swath, polarisation, rows, cols)
        np.maximum(intensity, 0.0, out=intensity)
    np.square(lut, out=lut)
    intensity /= lut
    intensity[dn == 0] = np.nan
    return intensity


def calibrate_complex(product: S1Product, swath: str, polarisation: str, first_row: int, dn: np.ndarray) -> np.ndarray:
    """σ⁰-calibrated complex samples DN / A_σ (complex64) for coherence (spec B.3)."""
    rows, cols = np.arange(first_row, first_row + dn.shape[0]), np.arange(dn.shape[1])
    calibration = product.calibration(swath, polarisation)
    lut = interpolated_lut(calibration.line, calibration.pixel, calibration.values["sigmaNought"], rows, cols)
    return (dn / lut).astype(np.complex64)
