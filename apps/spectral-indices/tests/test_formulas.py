"""Index formulas: an independent float64 NumPy implementation of spec §5.3, and spyndex on real pixels."""

from __future__ import annotations

import numpy as np
import pytest
import rasterio
from s4c_spectral_indices.formulas import INDICES, Definitions, compute_index, compute_indices, help_table, required_roles

EPS = 1e-7


def guard(num: np.ndarray, den: np.ndarray, by: np.ndarray | None = None) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.abs(den if by is None else by) < EPS, 0.0, num / den)


def reference(name: str, r: np.ndarray, n: np.ndarray, g: np.ndarray, s1: np.ndarray) -> np.ndarray:
    """Spec l3b-spectral-indices.md §5.3, written from the table in float64."""
    nd = guard(n - r, n + r)
    with np.errstate(invalid="ignore", divide="ignore"):
        table = {
            "NDVI": lambda: nd,
            "TNDVI": lambda: np.where(nd + 0.5 < 0, 0.0, np.sqrt(np.abs(nd + 0.5))),
            "RVI": lambda: guard(n, r),
            "SAVI": lambda: guard((n - r) * 1.5, n + r + 0.5),
            "TSAVI": lambda: guard(0.7 * (n - 0.7 * r - 0.9), 0.7 * n + r + 0.08 * (1 + 0.49)),
            "MSAVI": lambda: guard((n - r) * (2 - 0.8 * nd * (n - 0.4 * r)), n + r + 1 - 0.8 * nd * (n - 0.4 * r)),
            "MSAVI2": lambda: np.where((2 * n + 1) ** 2 - 8 * (n - r) < 0, 0.0, (2 * n + 1 - np.sqrt(np.abs((2 * n + 1) ** 2 - 8 * (n - r)))) / 2),
            "GEMI": lambda: guard(
                guard(2 * (n**2 - r**2) + 1.5 * n + 0.5 * r, n + r + 0.5) * (1 - 0.25 * guard(2 * (n**2 - r**2) + 1.5 * n + 0.5 * r, n + r + 0.5))
                - (r - 0.125),
                1 - r,
            ),
            "IPVI": lambda: guard(n, n + r),
            "LAIFromNDVILog": lambda: np.where(nd < 0, 0.0, -(1 / 0.71) * np.log((nd - 0.89) / (0.1 - 0.89))),
            "LAIFromReflLinear": lambda: -17.91 * r + 12.26 * n,
            "NDWI": lambda: guard(n - s1, n + s1),
            "NDWI2": lambda: guard(g - n, g + n),
            "MNDWI": lambda: guard(g - s1, g + s1),
            "NDTI": lambda: guard(r - g, r + g),
            "RI": lambda: guard(r**2, g**3, by=g),
            "CI": lambda: guard(r - g, r + g),
            "BI": lambda: np.sqrt((r**2 + g**2) / 2),
            "BI2": lambda: np.sqrt((r**2 + g**2 + n**2) / 3),
            "BRIGHTNESS": lambda: np.sqrt((r**2 + g**2) / 2),
        }
        out = table[name]()
    return np.where(np.isinf(out), np.nan, out)


def _bands(r, n, g, s1) -> dict[str, np.ndarray]:
    return {k: np.asarray(v, dtype=np.float32) for k, v in {"red": r, "nir": n, "green": g, "swir1": s1}.items()}


@pytest.fixture(scope="module")
def random_reflectance() -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(42)
    values = rng.uniform(0, 0.6, (4, 20000))
    # Zero-denominator and domain-edge cases: R = NIR = 0, R = 0, G = 0, R = 1 (GEMI), NDVI + 0.5 < 0, radicand < 0.
    special = np.array(
        [
            [0.0, 0.0, 0.0, 0.0],
            [0.0, 0.3, 0.0, 0.0],
            [0.2, 0.3, 0.0, 0.2],
            [1.0, 0.3, 0.1, 0.1],
            [0.9, 0.1, 0.1, 0.1],
            [-0.1, 0.5, 0.1, 0.1],
            [-0.25, -0.25, 0.1, 0.1],
            [0.01, 0.5, 0.1, 0.1],
        ]
    ).T
    return tuple(np.concatenate([values, special], axis=1).astype(np.float32))


@pytest.mark.parametrize("name", list(INDICES))
def test_formula_catalogue(name: str, random_reflectance) -> None:
    r, n, g, s1 = random_reflectance
    ours = compute_index(_bands(r, n, g, s1), name)
    expected = reference(name, *(a.astype(np.float64) for a in (r, n, g, s1)))
    assert ours.dtype == np.float32
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(expected))
    finite = ~np.isnan(expected)
    np.testing.assert_allclose(ours[finite], expected[finite], rtol=2e-5, atol=2e-6)


def test_zero_denominator_rule() -> None:
    zero = _bands([0.0], [0.0], [0.0], [0.0])
    for name in ("NDVI", "RVI", "IPVI", "NDWI", "NDWI2", "MNDWI", "NDTI", "RI", "CI"):
        assert compute_index(zero, name).tolist() == [0.0], name
    assert compute_index(_bands([1.0], [0.3], [0.1], [0.1]), "GEMI").tolist() == [0.0]
    assert compute_index(_bands([0.9], [0.1], [0.1], [0.1]), "TNDVI").tolist() == [0.0]
    assert compute_index(_bands([-0.1], [0.5], [0.1], [0.1]), "MSAVI2").tolist() == [0.0]
    assert np.isnan(compute_index(_bands([0.01], [0.5], [0.1], [0.1]), "LAIFromNDVILog")[0])  # NDVI > 0.89


def test_nan_propagates() -> None:
    # pixel k has no data in role k only
    roles = ("red", "nir", "green", "swir1")
    bands = {role: np.where(np.arange(4) == k, np.nan, 0.2).astype(np.float32) for k, role in enumerate(roles)}
    for name, values in compute_indices(bands, list(INDICES)).items():
        used = INDICES[name].formula(Definitions()).roles
        expected = [role in used for role in roles]
        assert np.isnan(values).tolist() == expected, name


def test_definitions() -> None:
    bands = _bands([0.1], [0.4], [0.08], [0.2])
    assert compute_index(bands, "NDWI", Definitions(ndwi_definition="l4a"))[0] == pytest.approx(-compute_index(bands, "NDWI")[0])
    assert compute_index(bands, "BRIGHTNESS")[0] == pytest.approx(compute_index(bands, "BI")[0])
    assert compute_index(bands, "BRIGHTNESS", Definitions(brightness_definition="BI2"))[0] == pytest.approx(compute_index(bands, "BI2")[0])
    assert compute_index(bands, "brightness", Definitions(brightness_definition="L4A"))[0] == pytest.approx(np.sqrt(0.08**2 + 0.1**2 + 0.4**2 + 0.2**2))
    assert required_roles(["NDVI"]) == ("nir", "red")
    assert required_roles(["NDVI", "NDWI", "bi"]) == ("green", "nir", "red", "swir1")
    assert required_roles(["BRIGHTNESS"], Definitions(brightness_definition="L4A")) == ("green", "nir", "red", "swir1")
    assert all(name in help_table() for name in INDICES)


# ---------------------------------------------------------------------------- spyndex

# Our index → (spyndex index, constants). spyndex has no TSAVI of OTB's form (its denominator is
# a·NIR + R − a·b), no OTB MSAVI, no LAI regressions, no R²/G³ redness, no BI2 with NIR.
SPYNDEX = {
    "NDVI": ("NDVI", {}),
    "TNDVI": ("TVI", {}),
    "RVI": ("SR", {}),
    "SAVI": ("SAVI", {"L": 0.5}),
    "MSAVI2": ("MSAVI", {}),
    "IPVI": ("IPVI", {}),
    "NDWI": ("NDMI", {}),  # Gao's NDWI is spyndex's NDMI; spyndex's NDWI is McFeeters'
    "NDWI2": ("NDWI", {}),
    "MNDWI": ("MNDWI", {}),
    "NDTI": ("NDTI", {}),
    "CI": ("RI", {}),  # spyndex's "Redness Index" is the normalised difference of Sen4CAP's colour index
    "BI": ("BIXS", {}),
    "BRIGHTNESS": ("BIXS", {}),
}


@pytest.fixture(scope="module")
def real_pixels(shared) -> dict[str, np.ndarray]:
    """Real S2 surface reflectance (rsgislib subset, × 1000): B02 B03 B04 B05 B06 B07 B08 B8A B11 B12."""
    path = shared.path("data/rsgislib-s2/python_tests/data/sen2_20210527_aber_subset.tif")
    with rasterio.open(path) as src:
        data = src.read().astype(np.float32) * np.float32(0.001)
    bands = {"blue": data[0], "green": data[1], "red": data[2], "nir": data[6], "swir1": data[8]}
    valid = np.all([np.isfinite(v) & (v > 0) for v in bands.values()], axis=0)
    return {k: v[valid] for k, v in bands.items()}


@pytest.mark.parametrize("name", list(SPYNDEX))
def test_spyndex_on_real_pixels(name: str, real_pixels: dict[str, np.ndarray]) -> None:
    spyndex = pytest.importorskip("spyndex")
    other, constants = SPYNDEX[name]
    params = {"R": real_pixels["red"], "N": real_pixels["nir"], "G": real_pixels["green"], "S1": real_pixels["swir1"], **constants}
    needed = {key: params[key] for key in spyndex.indices[other].bands}
    expected = np.asarray(spyndex.computeIndex(other, needed), dtype=np.float64)
    ours = compute_index(real_pixels, name)
    assert real_pixels["red"].size > 100_000
    np.testing.assert_allclose(ours, expected, rtol=1e-5, atol=1e-6)


def test_gemi_against_spyndex_published_form(real_pixels: dict[str, np.ndarray]) -> None:
    """OTB divides η(1 − 0.25η) − (R − 0.125) by (1 − R); the published form (spyndex) only R − 0.125.

    Both agree through  OTB = published + η(1 − 0.25η)·R/(1 − R).
    """
    spyndex = pytest.importorskip("spyndex")
    r, n = real_pixels["red"].astype(np.float64), real_pixels["nir"].astype(np.float64)
    published = np.asarray(spyndex.computeIndex("GEMI", {"N": n, "R": r}), dtype=np.float64)
    eta = (2 * (n**2 - r**2) + 1.5 * n + 0.5 * r) / (n + r + 0.5)
    np.testing.assert_allclose(compute_index(real_pixels, "GEMI"), published + eta * (1 - 0.25 * eta) * r / (1 - r), rtol=1e-5, atol=1e-6)
