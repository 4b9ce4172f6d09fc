"""The index formulas of Sen4CAP's radiometric-indices application (OTB functors), vectorised.

Bands are given by role (``red``, ``nir``, ``green``, ``swir1``, ...) as float32 arrays of surface
reflectance (or DN + offset in Sen4CAP's compat mode); NaN propagates. OTB's zero-denominator rule
applies: where the absolute value of a guarded denominator is below 1e-7 the index is 0.

>>> bands = {"red": np.array([0.05, 0.2], np.float32), "nir": np.array([0.4, 0.2], np.float32)}
>>> compute_index(bands, "NDVI")
array([0.7777778, 0.       ], dtype=float32)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

EPSILON = 1e-7  # OTB EpsilonToBeConsideredAsZero

Bands = Mapping[str, np.ndarray]
IndexClass = Literal["vegetation", "water", "soil"]
NDWI_DEFINITIONS: tuple[str, ...] = ("gao", "l4a")
BRIGHTNESS_DEFINITIONS: tuple[str, ...] = ("BI", "BI2", "L4A")


def _guarded(numerator: np.ndarray, denominator: np.ndarray, guard: np.ndarray | None = None) -> np.ndarray:
    """numerator / denominator, 0 where |guard| (default: the denominator) < 1e-7; NaN stays NaN."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = np.asarray(numerator / denominator)
    out[np.abs(denominator if guard is None else guard) < EPSILON] = 0
    return out


def _normalized_difference(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return _guarded(a - b, a + b)


def ndvi(b: Bands) -> np.ndarray:
    """NDVI = (NIR − R)/(NIR + R); 0 if |NIR + R| < ε (Rouse et al., 1973)."""
    return _normalized_difference(b["nir"], b["red"])


def tndvi(b: Bands) -> np.ndarray:
    """TNDVI = sqrt(NDVI + 0.5); 0 if NDVI + 0.5 < 0 (Deering, 1975)."""
    shifted = ndvi(b) + np.float32(0.5)
    return np.sqrt(np.maximum(shifted, 0, out=shifted))  # NaN stays NaN


def rvi(b: Bands) -> np.ndarray:
    """RVI = NIR/R; 0 if |R| < ε (Pearson and Miller, 1972)."""
    return _guarded(b["nir"], b["red"])


def savi(b: Bands, soil_factor: float = 0.5) -> np.ndarray:
    """SAVI = (NIR − R)(1 + L)/(NIR + R + L), L = 0.5 (Huete, 1988)."""
    nir, red = b["nir"], b["red"]
    return _guarded((nir - red) * np.float32(1 + soil_factor), nir + red + np.float32(soil_factor))


def tsavi(b: Bands, slope: float = 0.7, intercept: float = 0.9, adjustment: float = 0.08) -> np.ndarray:
    """TSAVI = A(NIR − A·R − S)/(A·NIR + R + X(1 + A²)), A = 0.7, S = 0.9, X = 0.08 (Baret et al., 1989)."""
    nir, red = b["nir"], b["red"]
    a, s, x = np.float32(slope), np.float32(intercept), np.float32(adjustment)
    return _guarded(a * (nir - a * red - s), a * nir + red + x * (1 + a * a))


def msavi(b: Bands, soil_slope: float = 0.4) -> np.ndarray:
    """MSAVI = (NIR − R)(1 + L)/(NIR + R + L), L = 1 − 2·s·NDVI·WDVI, WDVI = NIR − s·R, s = 0.4 (Qi et al., 1994)."""
    nir, red, s = b["nir"], b["red"], np.float32(soil_slope)
    wdvi = nir - s * red
    soil_factor = 1 - 2 * s * ndvi(b) * wdvi
    return _guarded((nir - red) * (1 + soil_factor), nir + red + soil_factor)


def msavi2(b: Bands) -> np.ndarray:
    """MSAVI2 = (2·NIR + 1 − sqrt((2·NIR + 1)² − 8(NIR − R)))/2; 0 if the radicand < 0 (Qi et al., 1994)."""
    nir, red = b["nir"], b["red"]
    term = 2 * nir + 1
    radicand = term * term - 8 * (nir - red)
    with np.errstate(invalid="ignore"):
        out = (term - np.sqrt(radicand)) / 2
    out[radicand < 0] = 0
    return out


def gemi(b: Bands) -> np.ndarray:
    """GEMI = (η(1 − 0.25η) − (R − 0.125))/(1 − R), η = (2(NIR² − R²) + 1.5·NIR + 0.5·R)/(NIR + R + 0.5).

    As OTB codes it: the published Pinty & Verstraete (1992) form divides only (R − 0.125) by (1 − R).
    """
    nir, red = b["nir"], b["red"]
    eta = _guarded(2 * (nir * nir - red * red) + np.float32(1.5) * nir + np.float32(0.5) * red, nir + red + np.float32(0.5))
    return _guarded(eta * (1 - np.float32(0.25) * eta) - (red - np.float32(0.125)), 1 - red)


def ipvi(b: Bands) -> np.ndarray:
    """IPVI = NIR/(NIR + R) (Crippen, 1990)."""
    return _guarded(b["nir"], b["nir"] + b["red"])


def lai_from_ndvi_log(b: Bands, ndvi_soil: float = 0.1, ndvi_inf: float = 0.89, extinction: float = 0.71) -> np.ndarray:
    """LAIFromNDVILog = −(1/0.71)·ln((NDVI − 0.89)/(0.1 − 0.89)); 0 if NDVI < 0; NaN (undefined) if NDVI ≥ 0.89.

    In float64: near NDVI = 0.89 the logarithm magnifies float32 rounding of the NDVI.
    """
    values = ndvi({"nir": b["nir"].astype(np.float64), "red": b["red"].astype(np.float64)})
    with np.errstate(divide="ignore", invalid="ignore"):
        out = (-1 / extinction) * np.log((values - ndvi_inf) / (ndvi_soil - ndvi_inf))
    out[values < 0] = 0
    out[np.isinf(out)] = np.nan  # NDVI = 0.89 gives log(0): undefined, like NDVI above 0.89
    return out.astype(np.float32)


def lai_from_refl_linear(b: Bands, red_coefficient: float = -17.91, nir_coefficient: float = 12.26) -> np.ndarray:
    """LAIFromReflLinear = −17.91·R + 12.26·NIR (Bsaibes et al., 2009)."""
    return np.float32(red_coefficient) * b["red"] + np.float32(nir_coefficient) * b["nir"]


def ndwi_gao(b: Bands) -> np.ndarray:
    """NDWI (Gao, Sen4CAP L3B) = (NIR − SWIR1)/(NIR + SWIR1) = (B08 − B11)/(B08 + B11)."""
    return _normalized_difference(b["nir"], b["swir1"])


def ndwi_l4a(b: Bands) -> np.ndarray:
    """NDWI with Sen4CAP L4A's sign = (SWIR1 − NIR)/(SWIR1 + NIR)."""
    return _normalized_difference(b["swir1"], b["nir"])


def ndwi2(b: Bands) -> np.ndarray:
    """NDWI2 (McFeeters) = (G − NIR)/(G + NIR)."""
    return _normalized_difference(b["green"], b["nir"])


def mndwi(b: Bands) -> np.ndarray:
    """MNDWI = (G − SWIR1)/(G + SWIR1) (Xu, 2006)."""
    return _normalized_difference(b["green"], b["swir1"])


def ndti(b: Bands) -> np.ndarray:
    """NDTI = (R − G)/(R + G), the turbidity index (not the tillage index)."""
    return _normalized_difference(b["red"], b["green"])


def redness(b: Bands) -> np.ndarray:
    """RI (redness) = R²/G³; 0 if |G| < ε (Pouget et al., 1990)."""
    red, green = b["red"], b["green"]
    return _guarded(red * red, green * green * green, guard=green)  # OTB guards |G|, not |G³|


def colour(b: Bands) -> np.ndarray:
    """CI (colour) = (R − G)/(R + G) (Pouget et al., 1990)."""
    return _normalized_difference(b["red"], b["green"])


def _root_mean_square(arrays: Sequence[np.ndarray], divisor: float) -> np.ndarray:
    total = np.zeros_like(arrays[0])
    for array in arrays:
        total += array * array
    return np.sqrt(total / np.float32(divisor))


def brightness_bi(b: Bands) -> np.ndarray:
    """BI (brightness) = sqrt((R² + G²)/2)."""
    return _root_mean_square([b["red"], b["green"]], 2)


def brightness_bi2(b: Bands) -> np.ndarray:
    """BI2 = sqrt((R² + G² + NIR²)/3)."""
    return _root_mean_square([b["red"], b["green"], b["nir"]], 3)


def brightness_l4a(b: Bands) -> np.ndarray:
    """Brightness of Sen4CAP L4A = sqrt(G² + R² + NIR² + SWIR1²)."""
    return _root_mean_square([b["green"], b["red"], b["nir"], b["swir1"]], 1)


@dataclass(frozen=True)
class Formula:
    """One way of computing an index: the band roles it reads, the function, the formula as text."""

    roles: tuple[str, ...]
    compute: Callable[[Bands], np.ndarray]
    text: str


@dataclass(frozen=True)
class Index:
    """An index of the Sen4CAP list: CLI name, product code (files ``S{code}``), class and formula(s).

    Indices with several definitions (NDWI, BRIGHTNESS) key them by the definition option's value.
    """

    name: str
    code: str
    index_class: IndexClass
    formulas: Mapping[str, Formula] = field(default_factory=dict)
    option: str | None = None  # the Definitions field choosing among several formulas

    def formula(self, definitions: Definitions) -> Formula:
        key = getattr(definitions, self.option) if self.option else "default"
        return self.formulas[key]


@dataclass(frozen=True)
class Definitions:
    """The options that choose between definitions of one index."""

    ndwi_definition: str = "gao"
    brightness_definition: str = "BI"


def _single(roles: tuple[str, ...], compute: Callable[[Bands], np.ndarray], text: str) -> dict[str, Formula]:
    return {"default": Formula(roles, compute, text)}


RN = ("red", "nir")
INDICES: dict[str, Index] = {
    index.name: index
    for index in (
        Index("NDVI", "NDVI", "vegetation", _single(RN, ndvi, "(NIR − R)/(NIR + R)")),
        Index("TNDVI", "TNDVI", "vegetation", _single(RN, tndvi, "sqrt(NDVI + 0.5); 0 if NDVI + 0.5 < 0")),
        Index("RVI", "RVI", "vegetation", _single(RN, rvi, "NIR/R")),
        Index("SAVI", "SAVI", "vegetation", _single(RN, savi, "(NIR − R)(1 + L)/(NIR + R + L), L = 0.5")),
        Index("TSAVI", "TSAVI", "vegetation", _single(RN, tsavi, "A(NIR − A·R − S)/(A·NIR + R + X(1 + A²)), A = 0.7, S = 0.9, X = 0.08")),
        Index(
            "MSAVI",
            "MSAVI",
            "vegetation",
            _single(RN, msavi, "(NIR − R)(1 + L)/(NIR + R + L), L = 1 − 2·s·NDVI·WDVI, WDVI = NIR − s·R, s = 0.4"),
        ),
        Index("MSAVI2", "MSAVI2", "vegetation", _single(RN, msavi2, "(2·NIR + 1 − sqrt((2·NIR + 1)² − 8(NIR − R)))/2; 0 if the radicand < 0")),
        Index(
            "GEMI",
            "GEMI",
            "vegetation",
            _single(RN, gemi, "(η(1 − 0.25η) − (R − 0.125))/(1 − R), η = (2(NIR² − R²) + 1.5·NIR + 0.5·R)/(NIR + R + 0.5)"),
        ),
        Index("IPVI", "IPVI", "vegetation", _single(RN, ipvi, "NIR/(NIR + R)")),
        Index(
            "LAIFromNDVILog",
            "LAIFromNDVILog",
            "vegetation",
            _single(RN, lai_from_ndvi_log, "−(1/0.71)·ln((NDVI − 0.89)/(0.1 − 0.89)); 0 if NDVI < 0, no-data if NDVI ≥ 0.89"),
        ),
        Index("LAIFromReflLinear", "LAIFromReflLinear", "vegetation", _single(RN, lai_from_refl_linear, "−17.91·R + 12.26·NIR")),
        Index(
            "NDWI",
            "NDWI",
            "water",
            {
                "gao": Formula(("nir", "swir1"), ndwi_gao, "(NIR − SWIR1)/(NIR + SWIR1) (Gao; --ndwi-definition gao)"),
                "l4a": Formula(("nir", "swir1"), ndwi_l4a, "(SWIR1 − NIR)/(SWIR1 + NIR) (--ndwi-definition l4a)"),
            },
            option="ndwi_definition",
        ),
        Index("NDWI2", "NDWI2", "water", _single(("green", "nir"), ndwi2, "(G − NIR)/(G + NIR) (McFeeters)")),
        Index("MNDWI", "MNDWI", "water", _single(("green", "swir1"), mndwi, "(G − SWIR1)/(G + SWIR1)")),
        Index("NDTI", "NDTI", "water", _single(("red", "green"), ndti, "(R − G)/(R + G) (turbidity)")),
        Index("RI", "RI", "soil", _single(("red", "green"), redness, "R²/G³ (redness); 0 if |G| < ε")),
        Index("CI", "CI", "soil", _single(("red", "green"), colour, "(R − G)/(R + G) (colour)")),
        Index("BI", "BI", "soil", _single(("red", "green"), brightness_bi, "sqrt((R² + G²)/2) (brightness)")),
        Index("BI2", "BI2", "soil", _single(("red", "green", "nir"), brightness_bi2, "sqrt((R² + G² + NIR²)/3)")),
        Index(
            "BRIGHTNESS",
            "BRIGHT",
            "soil",
            {
                "BI": Formula(("red", "green"), brightness_bi, "sqrt((R² + G²)/2) (--brightness-definition BI)"),
                "BI2": Formula(("red", "green", "nir"), brightness_bi2, "sqrt((R² + G² + NIR²)/3) (BI2)"),
                "L4A": Formula(("green", "red", "nir", "swir1"), brightness_l4a, "sqrt(G² + R² + NIR² + SWIR1²) (L4A)"),
            },
            option="brightness_definition",
        ),
    )
}


def index_by_name(name: str) -> Index:
    """The index called ``name`` (case-insensitive)."""
    for key, index in INDICES.items():
        if key.lower() == name.lower():
            return index
    raise KeyError(f"unknown index {name!r}; known: {', '.join(INDICES)}")


def required_roles(names: Sequence[str], definitions: Definitions = Definitions()) -> tuple[str, ...]:
    """The band roles the indices ``names`` read, each once, in a fixed order."""
    roles = {role for name in names for role in index_by_name(name).formula(definitions).roles}
    return tuple(sorted(roles))


def compute_index(bands: Bands, name: str, definitions: Definitions = Definitions()) -> np.ndarray:
    """One index (float32, NaN where an input is NaN or the formula is undefined)."""
    return index_by_name(name).formula(definitions).compute(bands).astype(np.float32, copy=False)


def compute_indices(bands: Bands, names: Sequence[str], definitions: Definitions = Definitions()) -> dict[str, np.ndarray]:
    """Every index of ``names`` from the same bands (each band read once by the caller)."""
    return {index_by_name(name).name: compute_index(bands, name, definitions) for name in names}


def help_table() -> str:
    """The formulas as lines for ``--help``: NAME [class]: formula."""
    lines = []
    for index in INDICES.values():
        texts = "; or ".join(formula.text for formula in index.formulas.values())
        lines.append(f"{index.name} [{index.index_class}]: {texts}")
    return "\n".join(lines)
