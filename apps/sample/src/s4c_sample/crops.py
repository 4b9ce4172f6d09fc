"""Crop types: codes, LUT classes, calendars and radar behaviour.

Codes are the Dutch BRP crop codes (``gewascode``) of the scene's area, so the
declaration looks like a real Dutch one; the L4A classes group them the way a
national LUT would (both grassland codes fall into one class).

Calendars are day-of-year means and spreads for the south of the Netherlands;
each parcel draws its own dates around them. ``cycle`` tells
:mod:`s4c_sample.phenology` which growth model applies:

- ``winter``: sown the previous autumn, green at the start of the season, senesces and is harvested in summer;
- ``spring``: ploughed and sown in spring, bare until emergence, harvested in late summer or autumn;
- ``grass``: a grass-like canopy that regrows after each cut (grassland, alfalfa, natural fallow).

Radar canopy levels are the σ⁰ (dB) of a full canopy at ~39° incidence in C band, the
``extinction`` the Beer–Lambert coefficient per unit of the radar volume term
(green LAI plus standing dry biomass); see :mod:`s4c_sample.backscatter`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Calendar:
    """Growth and management dates (day of year) and canopy levels of one crop; ``*_sd`` are spreads in days."""

    cycle: str
    peak_green: float  # green cover fraction at the canopy peak
    # winter and spring crops
    start_green: float = 0.0  # green cover on 1 March (winter crops)
    plough_doy: float = float("nan")  # spring ploughing (spring crops)
    sow_doy: float = float("nan")
    sow_sd: float = 6.0
    greenup_doy: float = float("nan")  # mid-point of green-up: absolute (winter) or days after sowing (spring)
    greenup_days: float = 8.0  # logistic scale
    senescence_doy: float = float("nan")
    senescence_days: float = 7.0
    harvest_doy: float = float("nan")
    harvest_sd: float = 7.0
    stubble: float = 0.0  # residue cover right after harvest
    flower_doy: float = float("nan")  # rapeseed: yellow flowers over the canopy
    flower_cover: float = 0.0
    # grass-like crops
    cut_counts: tuple[float, ...] = ()  # probabilities of 0, 1, 2, ... cuts
    first_cut_doy: tuple[float, float] = (0.0, 0.0)
    cut_interval: tuple[float, float] = (0.0, 0.0)
    last_cut_doy: float = 290.0


@dataclass(frozen=True)
class LutClass:
    """The LUT columns of a crop code (parcels.md section 2); flags are 0/1."""

    ctnum: int
    lc: int  # land-cover group: 0 non agricultural, 1 arable, 3 grassland, 4 fallow, 5 catch crop
    ctnuml4a: int
    ctl4a: str
    ctnumdiv: int
    eaa: int = 1
    al: int = 1
    pgrass: int = 0
    tgrass: int = 0
    fallow: int = 0
    cwater: int = 0


@dataclass(frozen=True)
class CropType:
    """A declared crop: BRP code, LUT class, share of the parcels, calendar, spectra and radar parameters."""

    key: str
    code: int
    name: str
    lut: LutClass
    share: float = 0.0
    calendar: Calendar | None = None
    nfc: bool = False
    early_harvest: bool = False  # harvested early enough for a catch crop
    nir_scale: float = 1.0  # canopy NIR plateau relative to the generic leaf spectrum
    canopy_vv_db: float = -10.0
    canopy_vh_db: float = -16.0
    extinction: float = 0.6
    # Dates of the harvest window a national profile would declare (practice file VEG_START, H_START, H_END).
    windows: dict[str, str] = field(default_factory=dict)


GRASS_CUTS_PERMANENT = (0.08, 0.17, 0.30, 0.30, 0.15)
GRASS_CUTS_TEMPORARY = (0.0, 0.0, 0.2, 0.5, 0.3)

CROPS: tuple[CropType, ...] = (
    CropType(
        "winter_wheat", 233, "Tarwe, winter-",
        LutClass(ctnum=1, lc=1, ctnuml4a=1, ctl4a="Winter wheat", ctnumdiv=1),
        share=0.12,
        calendar=Calendar("winter", 0.93, start_green=0.32, greenup_doy=97, greenup_days=9, senescence_doy=200,
                          senescence_days=10, harvest_doy=213, harvest_sd=7, stubble=0.45),
        early_harvest=True, nir_scale=0.95, canopy_vv_db=-13.0, canopy_vh_db=-18.5, extinction=0.7,
        windows={"VEG_START": "03-15", "H_START": "07-01", "H_END": "08-31"},
    ),
    CropType(
        "winter_barley", 235, "Gerst, winter-",
        LutClass(ctnum=2, lc=1, ctnuml4a=2, ctl4a="Winter barley", ctnumdiv=2),
        share=0.05,
        calendar=Calendar("winter", 0.90, start_green=0.35, greenup_doy=90, greenup_days=9, senescence_doy=180,
                          senescence_days=9, harvest_doy=193, harvest_sd=6, stubble=0.4),
        early_harvest=True, nir_scale=0.92, canopy_vv_db=-12.5, canopy_vh_db=-18.0, extinction=0.7,
        windows={"VEG_START": "03-15", "H_START": "06-20", "H_END": "08-15"},
    ),
    CropType(
        "winter_rapeseed", 1922, "Koolzaad, winter (incl. boterzaad)",
        LutClass(ctnum=3, lc=1, ctnuml4a=3, ctl4a="Rapeseed", ctnumdiv=3),
        share=0.03,
        calendar=Calendar("winter", 0.92, start_green=0.45, greenup_doy=82, greenup_days=10, senescence_doy=182,
                          senescence_days=8, harvest_doy=199, harvest_sd=6, stubble=0.35, flower_doy=122, flower_cover=0.55),
        early_harvest=True, nir_scale=1.0, canopy_vv_db=-8.5, canopy_vh_db=-13.0, extinction=0.55,
        windows={"VEG_START": "03-01", "H_START": "06-25", "H_END": "08-15"},
    ),
    CropType(
        "silage_maize", 259, "Maïs, snij-",
        LutClass(ctnum=4, lc=1, ctnuml4a=4, ctl4a="Maize", ctnumdiv=4),
        share=0.17,
        calendar=Calendar("spring", 0.95, plough_doy=108, sow_doy=124, sow_sd=6, greenup_doy=48, greenup_days=8,
                          senescence_doy=268, senescence_days=10, harvest_doy=271, harvest_sd=9, stubble=0.12),
        nir_scale=1.05, canopy_vv_db=-8.5, canopy_vh_db=-13.5, extinction=0.5,
        windows={"VEG_START": "05-15", "H_START": "09-01", "H_END": "10-31"},
    ),
    CropType(
        "sugar_beet", 256, "Bieten, suiker-",
        LutClass(ctnum=5, lc=1, ctnuml4a=5, ctl4a="Sugar beet", ctnumdiv=5),
        share=0.07,
        calendar=Calendar("spring", 0.95, plough_doy=78, sow_doy=96, sow_sd=6, greenup_doy=62, greenup_days=9,
                          senescence_doy=330, senescence_days=10, harvest_doy=291, harvest_sd=12, stubble=0.06),
        nir_scale=1.12, canopy_vv_db=-7.5, canopy_vh_db=-12.5, extinction=0.6,
        windows={"VEG_START": "05-01", "H_START": "09-15", "H_END": "11-15"},
    ),
    CropType(
        "potato", 2014, "Aardappelen, consumptie",
        LutClass(ctnum=6, lc=1, ctnuml4a=6, ctl4a="Potato", ctnumdiv=6),
        share=0.09,
        calendar=Calendar("spring", 0.93, plough_doy=96, sow_doy=112, sow_sd=5, greenup_doy=40, greenup_days=7,
                          senescence_doy=218, senescence_days=5, harvest_doy=252, harvest_sd=12, stubble=0.04),
        nir_scale=1.10, canopy_vv_db=-8.0, canopy_vh_db=-13.0, extinction=0.6,
        windows={"VEG_START": "05-01", "H_START": "08-15", "H_END": "10-31"},
    ),
    CropType(
        "peas", 308, "Erwten (droog te oogsten)",
        LutClass(ctnum=7, lc=1, ctnuml4a=7, ctl4a="Peas", ctnumdiv=7),
        share=0.03,
        calendar=Calendar("spring", 0.88, plough_doy=66, sow_doy=80, sow_sd=5, greenup_doy=42, greenup_days=7,
                          senescence_doy=176, senescence_days=5, harvest_doy=191, harvest_sd=5, stubble=0.3),
        nfc=True, early_harvest=True, canopy_vv_db=-9.5, canopy_vh_db=-15.0, extinction=0.6,
        windows={"VEG_START": "04-01", "H_START": "06-20", "H_END": "08-10"},
    ),
    CropType(
        "alfalfa", 258, "Luzerne",
        LutClass(ctnum=8, lc=1, ctnuml4a=8, ctl4a="Alfalfa", ctnumdiv=8),
        share=0.03,
        calendar=Calendar("grass", 0.90, cut_counts=(0.0, 0.0, 0.0, 0.6, 0.4), first_cut_doy=(138, 155), cut_interval=(35, 45)),
        nfc=True, nir_scale=1.05, canopy_vv_db=-9.0, canopy_vh_db=-14.5, extinction=0.6,
        windows={"VEG_START": "04-01", "H_START": "05-15", "H_END": "09-30"},
    ),
    CropType(
        "permanent_grassland", 265, "Grasland, blijvend",
        LutClass(ctnum=9, lc=3, ctnuml4a=9, ctl4a="Grassland", ctnumdiv=9, al=0, pgrass=1),
        share=0.27,
        calendar=Calendar("grass", 0.90, cut_counts=GRASS_CUTS_PERMANENT, first_cut_doy=(128, 160), cut_interval=(32, 55)),
        nir_scale=0.98, canopy_vv_db=-10.5, canopy_vh_db=-16.5, extinction=0.7,
    ),
    CropType(
        "temporary_grassland", 266, "Grasland, tijdelijk",
        LutClass(ctnum=10, lc=3, ctnuml4a=9, ctl4a="Grassland", ctnumdiv=10, tgrass=1),
        share=0.08,
        calendar=Calendar("grass", 0.92, cut_counts=GRASS_CUTS_TEMPORARY, first_cut_doy=(120, 145), cut_interval=(30, 42)),
        nir_scale=1.0, canopy_vv_db=-10.0, canopy_vh_db=-16.0, extinction=0.7,
    ),
    CropType(
        "fallow", 2029, "Braak, natuur-",
        LutClass(ctnum=11, lc=4, ctnuml4a=10, ctl4a="Fallow", ctnumdiv=11, fallow=1),
        share=0.04,
        calendar=Calendar("grass", 0.62, cut_counts=(0.5, 0.5), first_cut_doy=(170, 240), cut_interval=(0, 0)),
        nir_scale=0.9, canopy_vv_db=-10.5, canopy_vh_db=-16.5, extinction=0.6,
        windows={"VEG_START": "03-01", "H_START": "06-01", "H_END": "09-30"},
    ),
)  # fmt: skip

# Not a main crop: sown after an early harvest, declared through the practice file. In the LUT so codes resolve.
CATCH_CROP = CropType(
    "catch_crop", 428, "Gele mosterd",
    LutClass(ctnum=12, lc=5, ctnuml4a=11, ctl4a="Catch crop", ctnumdiv=12, cwater=1),
    nir_scale=1.05, canopy_vv_db=-9.0, canopy_vh_db=-14.5, extinction=0.6,
)  # fmt: skip
# Codes of the LUT that no parcel of the scene declares (a real LUT lists every national code).
LUT_ONLY = (
    CropType("forest", 1936, "Bos, blijvend, met herplantplicht",
             LutClass(ctnum=13, lc=0, ctnuml4a=0, ctl4a="Non agricultural", ctnumdiv=0, eaa=0, al=0)),
    CropType("spring_barley", 236, "Gerst, zomer-", LutClass(ctnum=14, lc=1, ctnuml4a=12, ctl4a="Spring barley", ctnumdiv=2)),
)  # fmt: skip

ARABLE = tuple(i for i, crop in enumerate(CROPS) if crop.calendar is not None and crop.calendar.cycle != "grass")


def lut_rows() -> list[dict[str, object]]:
    """The crop LUT of parcels.md section 2, one row per code, sorted by ``ctnum``."""
    rows = [{"ori_crop": crop.code, **asdict(crop.lut)} for crop in (*CROPS, CATCH_CROP, *LUT_ONLY)]
    return sorted(rows, key=lambda row: int(row["ctnum"]))
