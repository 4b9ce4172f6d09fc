"""What happens on each parcel: its true crop, what the farmer declared, heterogeneity, practices.

The plan is drawn once per scene from the seed. Special cases are guaranteed
even in a small scene (every crop at least once, heterogeneous parcels, a
compliant and a non-compliant catch crop, misdeclared parcels) so that each
processor meets them.

A parcel is simulated as one or two *units* (zones with their own crop and
dates): two for heterogeneous parcels, whose second zone grows another crop,
either as a compact part of the parcel (``halves``) or mixed pixel by pixel
(``salt_and_pepper``). Land cover around the parcels forms one unit per class.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from .crops import ARABLE, CROPS
from .fields import FieldLayout, LandCover, ShapeKind
from .scene import YEAR

PRACTICE_TYPES = {"CatchCrop": "CatchCrop_1", "NFC": "NFC_1", "Fallow": "Fallow_1"}
# Practice periods of the national profile (the practice file's P_START / P_END). Catch crops are
# declared with P_END = NA, which means P_START + CATCHPERIOD - 1 days (Sen4CAP, CATCHPERIOD 56).
PRACTICE_START = {"CatchCrop": dt.date(YEAR, 8, 20), "NFC": dt.date(YEAR, 5, 1), "Fallow": dt.date(YEAR, 3, 1)}
PRACTICE_END = {"CatchCrop": None, "NFC": dt.date(YEAR, 7, 31), "Fallow": dt.date(YEAR, 7, 31)}
CATCH_PERIOD_DAYS = 56
CATCH_CROP_DECLARED_SHARE = 0.45  # of early-harvest parcels (cereals, rapeseed)
CATCH_CROP_COMPLIANT_SHARE = 0.8
VOLUNTARY_CATCH_CROP_SHARE = 0.15  # early-harvest parcels sowing a green cover without declaring it
HETEROGENEOUS_SHARE = 0.03
SALT_AND_PEPPER_SHARE = 0.005
HETEROGENEOUS_MIN_AREA = 12_000.0  # m²

N_BACKGROUND_UNITS = len(LandCover) - 1  # every land cover except FIELD


def practice_period(practice: str) -> tuple[dt.date, dt.date]:
    start = PRACTICE_START[practice]
    end = PRACTICE_END[practice] or start + dt.timedelta(days=CATCH_PERIOD_DAYS - 1)
    return start, end


@dataclass
class ParcelPlan:
    crop: np.ndarray  # int16 index into CROPS: what really grows (in the main zone)
    declared: np.ndarray  # int16 index into CROPS: what the farmer declared
    heterogeneity: np.ndarray  # str: "none", "halves" or "salt_and_pepper"
    second_crop: np.ndarray  # int16 index into CROPS, -1 for homogeneous parcels
    second_share: np.ndarray  # float32 wanted share of the second zone
    practice: np.ndarray  # str: "CatchCrop", "NFC", "Fallow", "NA", or "" (not in the practice file)
    catch_crop_sown: np.ndarray  # bool: a catch crop really follows the main crop


@dataclass
class Units:
    """Simulation units: background land covers first, then one unit per parcel zone."""

    parcel: np.ndarray  # int32 parcel index, -1 for land-cover units
    zone: np.ndarray  # int8: 0 main zone, 1 second crop of a heterogeneous parcel
    crop: np.ndarray  # int16 index into CROPS, -1 for land-cover units
    land_cover: np.ndarray  # int8 LandCover
    catch_crop: np.ndarray  # bool
    catch_crop_declared: np.ndarray  # bool: the parcel declared a catch crop (its sowing deadline applies)

    def __len__(self) -> int:
        return len(self.parcel)

    def main_unit(self, n_parcels: int) -> np.ndarray:
        """Unit index of each parcel's main zone."""
        return N_BACKGROUND_UNITS + np.arange(n_parcels)


def _draw_crops(n: int, rng: np.random.Generator) -> np.ndarray:
    shares = np.array([crop.share for crop in CROPS])
    crops = rng.choice(len(CROPS), size=n, p=shares / shares.sum())
    guaranteed = min(n, len(CROPS))
    crops[rng.permutation(n)[:guaranteed]] = rng.permutation(len(CROPS))[:guaranteed]
    return crops.astype(np.int16)


def make_plan(layout: FieldLayout, rng: np.random.Generator, misdeclared_share: float) -> ParcelPlan:
    n = len(layout.parcels)
    crop = _draw_crops(n, rng)
    areas = np.array([geometry.area for geometry in layout.parcels])
    regular = np.array([kind == ShapeKind.REGULAR for kind in layout.shape_kind])

    heterogeneity = np.full(n, "none", dtype=object)
    second_crop = np.full(n, -1, dtype=np.int16)
    second_share = np.zeros(n, dtype=np.float32)
    candidates = np.flatnonzero(regular & (areas >= HETEROGENEOUS_MIN_AREA) & np.isin(crop, ARABLE))
    candidates = candidates[rng.permutation(len(candidates))]
    n_halves = min(len(candidates), max(1, round(HETEROGENEOUS_SHARE * n)))
    n_mixed = min(len(candidates) - n_halves, round(SALT_AND_PEPPER_SHARE * n) if n >= 100 else 0)
    for rank, p in enumerate(candidates[: n_halves + n_mixed]):
        # The second crop contrasts with the first: a winter crop next to a spring crop and vice versa.
        cycle = CROPS[crop[p]].calendar.cycle
        others = [c for c in ARABLE if CROPS[c].calendar.cycle != cycle]
        second_crop[p] = others[int(rng.integers(len(others)))]
        heterogeneity[p] = "halves" if rank < n_halves else "salt_and_pepper"
        second_share[p] = rng.uniform(0.35, 0.5)

    declared = crop.copy()
    homogeneous = np.flatnonzero(heterogeneity == "none")
    n_wrong = min(len(homogeneous), round(misdeclared_share * n))
    for p in rng.permutation(homogeneous)[:n_wrong]:
        others = [c for c in range(len(CROPS)) if CROPS[c].lut.ctnuml4a != CROPS[crop[p]].lut.ctnuml4a]
        declared[p] = others[int(rng.integers(len(others)))]

    practice = np.full(n, "", dtype=object)
    draws = rng.random(n)
    compliance = rng.random(n) < CATCH_CROP_COMPLIANT_SHARE
    voluntary = rng.random(n) < VOLUNTARY_CATCH_CROP_SHARE
    for p in range(n):
        declared_crop = CROPS[declared[p]]
        if declared_crop.nfc:
            practice[p] = "NFC"
        elif declared_crop.lut.fallow:
            practice[p] = "Fallow"
        elif declared_crop.early_harvest:
            practice[p] = "CatchCrop" if draws[p] < CATCH_CROP_DECLARED_SHARE else "NA"
        elif declared_crop.calendar.cycle != "grass":
            practice[p] = "NA"
    catch_parcels = np.flatnonzero(practice == "CatchCrop")
    if len(catch_parcels) >= 2:  # both outcomes exist whatever the draw
        compliance[catch_parcels[0]], compliance[catch_parcels[1]] = True, False
    early = np.array([CROPS[c].early_harvest for c in crop])
    catch_crop_sown = early & np.where(practice == "CatchCrop", compliance, voluntary)
    return ParcelPlan(crop, declared, heterogeneity, second_crop, second_share, practice, catch_crop_sown)


def make_units(plan: ParcelPlan) -> Units:
    n = len(plan.crop)
    second = np.flatnonzero(plan.second_crop >= 0)
    background = [lc for lc in LandCover if lc != LandCover.FIELD]
    parcel = np.concatenate([np.full(len(background), -1), np.arange(n), second]).astype(np.int32)
    zone = np.concatenate([np.zeros(len(background) + n), np.ones(len(second))]).astype(np.int8)
    crop = np.concatenate([np.full(len(background), -1), plan.crop, plan.second_crop[second]]).astype(np.int16)
    land_cover = np.concatenate([np.array(background), np.full(n + len(second), LandCover.FIELD)]).astype(np.int8)
    declared_catch = plan.practice == "CatchCrop"
    catch = np.concatenate([np.zeros(len(background), bool), plan.catch_crop_sown, np.zeros(len(second), bool)])
    catch_declared = np.concatenate([np.zeros(len(background), bool), declared_catch, np.zeros(len(second), bool)])
    return Units(parcel, zone, crop, land_cover, catch, catch_declared)
