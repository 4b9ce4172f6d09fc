"""Ground truth: what really happened on every parcel, and what the sensors should have seen.

Files (in ``truth/``):

- ``parcels.parquet`` (GeoParquet, scene CRS): one row per declared parcel with its true crop, the
  declared one, heterogeneity, shape, events (sowing, harvest, mowing, tillage, catch-crop sowing),
  practice with its period and compliance, and bare-soil periods. Columns in :data:`PARCEL_SCHEMA`.
- ``timeseries.parquet``: one row per parcel and date (every S2, S1 GRD and S1 SLC date), with the
  noise-free parcel means of NDVI, LAI, FCOVER, σ⁰ VV/VH (dB) and 6-day coherence. Columns in
  :data:`SERIES_SCHEMA`.
- ``ground_truth.json``: the scene, the definitions below, every acquisition (product name, cloud
  cover, haze, ...) and the parcel table without geometry.
- ``parcel_id.tif`` (OBJECTID per 10 m pixel, 0 elsewhere), ``crop_code.tif`` (true BRP code per
  pixel, so the two zones of heterogeneous parcels show), ``land_cover.tif`` (fields.LandCover).

Definitions (also written into the JSON):

- parcel means are over the parcel's pixels (pixel-centre rule, 10 m grid), zones weighted by their
  pixel counts; NDVI is the mean of the pixel NDVI of the noise-free clear-sky reflectance;
- FCOVER is the green cover fraction; LAI = −2·ln(1 − 0.95·FCOVER);
- σ⁰ is the mean of linear σ⁰ converted to dB (no speckle, no thermal noise);
- ``coherence_6d`` on date t is the true coherence of the pair (t − 6 days, t);
- a bare-soil period is a run of at least 10 days with NDVI < 0.25 and less than 15 % dry cover
  (stubble, straw) on the main zone;
- practice compliance: CatchCrop — a catch crop is sown by the period start and grows;
  NFC — a nitrogen-fixing crop really grows; Fallow — the parcel is fallow and not mown or harvested
  inside the period; NA — null.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import shapely
from s4c_common.raster import write_cog

from .backscatter import COHERENCE_INTERVAL_DAYS, db
from .clouds import SCL_CLEAR
from .crops import CROPS
from .declarations import holding_ids
from .model import World
from .noise import label_sums
from .phenology import Event
from .plan import CATCH_PERIOD_DAYS, PRACTICE_TYPES, practice_period
from .scene import S1Date, S2Date
from .spectra import BAND_INDEX, lai_from_cover, ndvi, unit_reflectance

BARE_SOIL_NDVI = 0.25
BARE_SOIL_MAX_DRY = 0.15
BARE_SOIL_MIN_DAYS = 10

DATE_LIST = pa.list_(pa.date32())
PERIOD_LIST = pa.list_(pa.struct([("start", pa.date32()), ("end", pa.date32())]))
PARCEL_SCHEMA = pa.schema(
    [
        ("OBJECTID", pa.int64()),
        ("parcel_index", pa.int32()),
        ("holding_id", pa.string()),
        ("declared_code", pa.int32()),
        ("declared_crop", pa.string()),
        ("crop_code", pa.int32()),
        ("crop", pa.string()),
        ("crop_name", pa.string()),
        ("ctnuml4a", pa.int32()),
        ("correctly_declared", pa.bool_()),
        ("heterogeneity", pa.string()),
        ("second_crop", pa.string()),
        ("second_crop_code", pa.int32()),
        ("second_share", pa.float32()),
        ("shape_kind", pa.string()),
        ("area_m2", pa.float64()),
        ("pixels", pa.int32()),
        ("sowing_date", pa.date32()),
        ("harvest_date", pa.date32()),
        ("second_harvest_date", pa.date32()),
        ("mowing_dates", DATE_LIST),
        ("tillage_dates", DATE_LIST),
        ("catch_crop_sowing_date", pa.date32()),
        ("practice", pa.string()),
        ("practice_type", pa.string()),
        ("practice_start", pa.date32()),
        ("practice_end", pa.date32()),
        ("practice_compliant", pa.bool_()),
        ("bare_soil_periods", PERIOD_LIST),
    ]
)
SERIES_SCHEMA = pa.schema(
    [
        ("OBJECTID", pa.int64()),
        ("parcel_index", pa.int32()),
        ("date", pa.date32()),
        ("ndvi", pa.float32()),
        ("lai", pa.float32()),
        ("fcover", pa.float32()),
        ("sigma0_vv_db", pa.float32()),
        ("sigma0_vh_db", pa.float32()),
        ("coherence_6d", pa.float32()),
        ("s2_acquired", pa.bool_()),
        ("s1_grd_acquired", pa.bool_()),
        ("s1_slc_acquired", pa.bool_()),
        ("s2_clear_fraction", pa.float32()),
    ]
)
DEFINITIONS = {
    "parcel_mean": "mean over the parcel's 10 m pixels (pixel-centre rule); zones of heterogeneous parcels weighted by pixel counts",
    "ndvi": "(B08 - B04) / (B08 + B04) of the noise-free clear-sky surface reflectance, averaged over the parcel's pixels",
    "fcover": "green vegetation cover fraction",
    "lai": "-2 * ln(1 - 0.95 * fcover)",
    "sigma0_db": "10 * log10 of the parcel mean of linear sigma0 (no speckle, no thermal noise)",
    "coherence_6d": "true interferometric coherence of the pair (date - 6 days, date)",
    "bare_soil_period": f"at least {BARE_SOIL_MIN_DAYS} days with NDVI < {BARE_SOIL_NDVI} and dry cover < {BARE_SOIL_MAX_DRY} (main zone)",
    "catch_crop_period": f"P_START + {CATCH_PERIOD_DAYS} - 1 days when P_END is NA",
    "practice_compliant": {
        "CatchCrop": "a catch crop is sown by the period start and grows",
        "NFC": "a nitrogen-fixing crop really grows",
        "Fallow": "the parcel is fallow and not mown or harvested inside the period",
    },
    "s2_clear_fraction": "share of the parcel's pixels with SCL 4, 5 or 6 on that date",
}


def _date(first: dt.date, day: float) -> dt.date | None:
    return first + dt.timedelta(days=int(day)) if np.isfinite(day) else None


def _events_by_unit(world: World, kind: Event) -> dict[int, list[int]]:
    selected = world.states.events.select(kind)
    out: dict[int, list[int]] = {}
    for unit, day in zip(selected.unit.tolist(), selected.day.tolist(), strict=True):
        out.setdefault(unit, []).append(day)
    return out


def daily_unit_ndvi(world: World) -> np.ndarray:
    """(units, days) NDVI of the noise-free surface of every unit."""
    state = world.states.at(np.arange(world.scene.season_days))
    moisture = world.weather.soil_moisture
    red = unit_reflectance(world.spectra, BAND_INDEX["B04"], state, moisture)
    nir = unit_reflectance(world.spectra, BAND_INDEX["B08"], state, moisture)
    return ndvi(red, nir).astype(np.float32)


def bare_soil_runs(bare: np.ndarray, first: dt.date) -> list[dict[str, dt.date]]:
    """Runs of True at least BARE_SOIL_MIN_DAYS long, as {start, end} dates (inclusive)."""
    edges = np.diff(np.r_[0, bare.astype(np.int8), 0])
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1
    return [
        {"start": first + dt.timedelta(days=int(s)), "end": first + dt.timedelta(days=int(e))}
        for s, e in zip(starts, ends, strict=True)
        if e - s + 1 >= BARE_SOIL_MIN_DAYS
    ]


def parcel_table(world: World, daily_ndvi: np.ndarray) -> gpd.GeoDataFrame:
    scene, plan, units = world.scene, world.plan, world.units
    first = scene.season_start
    n = len(world.layout.parcels)
    main = units.main_unit(n)
    second_unit = np.full(n, -1)
    second_unit[units.parcel[units.zone == 1]] = np.flatnonzero(units.zone == 1)
    pixels = label_sums(world.landscape.parcel, n + 1)[1:]
    mowing, harvest = _events_by_unit(world, Event.MOW), _events_by_unit(world, Event.HARVEST)
    sowing, catch = _events_by_unit(world, Event.SOW), _events_by_unit(world, Event.CULTIVATE)
    tillage: dict[int, list[int]] = {}
    for kind in (Event.PLOUGH, Event.CULTIVATE, Event.SOW, Event.WINTER_SOW):
        for unit, days in _events_by_unit(world, kind).items():
            tillage.setdefault(unit, []).extend(days)
    dry = world.states.standing + world.states.residue
    holdings = holding_ids(world.layout.holding)
    records = []
    for p in range(n):
        u = int(main[p])
        crop, declared = CROPS[plan.crop[p]], CROPS[plan.declared[p]]
        second = CROPS[plan.second_crop[p]] if plan.second_crop[p] >= 0 else None
        practice = plan.practice[p] or None
        start = end = compliant = None
        if practice and practice != "NA":
            start, end = practice_period(practice)
            if practice == "CatchCrop":
                compliant = bool(plan.catch_crop_sown[p])
            elif practice == "NFC":
                compliant = crop.nfc
            else:
                cuts = [_date(first, d) for d in mowing.get(u, []) + harvest.get(u, [])]
                compliant = bool(crop.lut.fallow) and not any(start <= c <= end for c in cuts)
        bare = (daily_ndvi[u] < BARE_SOIL_NDVI) & (dry[u] < BARE_SOIL_MAX_DRY)
        zone_pixels = world.landscape.unit_pixels[second_unit[p]] if second else 0
        records.append(
            {
                "OBJECTID": int(world.objectid[p]),
                "parcel_index": p,
                "holding_id": holdings[p],
                "declared_code": declared.code,
                "declared_crop": declared.key,
                "crop_code": crop.code,
                "crop": crop.key,
                "crop_name": crop.name,
                "ctnuml4a": crop.lut.ctnuml4a,
                "correctly_declared": bool(plan.crop[p] == plan.declared[p]),
                "heterogeneity": plan.heterogeneity[p],
                "second_crop": second.key if second else None,
                "second_crop_code": second.code if second else None,
                "second_share": float(zone_pixels / max(pixels[p], 1)),
                "shape_kind": world.layout.shape_kind[p],
                "area_m2": float(world.layout.parcels[p].area),
                "pixels": int(pixels[p]),
                "sowing_date": _date(first, sowing[u][0]) if u in sowing else None,
                "harvest_date": _date(first, harvest[u][0]) if u in harvest else None,
                "second_harvest_date": _date(first, harvest[second_unit[p]][0]) if second and second_unit[p] in harvest else None,
                "mowing_dates": [_date(first, d) for d in mowing.get(u, [])],
                "tillage_dates": sorted(_date(first, d) for d in tillage.get(u, [])),
                "catch_crop_sowing_date": _date(first, catch[u][0]) if u in catch else None,
                "practice": practice,
                "practice_type": PRACTICE_TYPES.get(practice or ""),
                "practice_start": start,
                "practice_end": end,
                "practice_compliant": compliant,
                "bare_soil_periods": bare_soil_runs(bare, first),
            }
        )
    frame = pd.DataFrame.from_records(records, columns=PARCEL_SCHEMA.names)
    return gpd.GeoDataFrame(frame, geometry=list(world.layout.parcels), crs=scene.epsg)


def write_parcel_table(path: Path, table: gpd.GeoDataFrame) -> Path:
    """GeoParquet 1.0: the columns of PARCEL_SCHEMA plus WKB ``geometry``, with the ``geo`` metadata."""
    columns = pa.Table.from_pandas(pd.DataFrame(table.drop(columns="geometry")), schema=PARCEL_SCHEMA, preserve_index=False)
    geometry = np.asarray(table.geometry.values)
    geo = {
        "version": "1.0.0",
        "primary_column": "geometry",
        "columns": {
            "geometry": {
                "encoding": "WKB",
                "geometry_types": sorted({g.geom_type for g in geometry}),
                "crs": table.crs.to_json_dict(),
                "bbox": list(shapely.total_bounds(geometry)),
            }
        },
    }
    arrow = columns.append_column("geometry", pa.array(shapely.to_wkb(geometry), type=pa.binary()))
    arrow = arrow.replace_schema_metadata({b"geo": json.dumps(geo).encode()})
    pq.write_table(arrow, path, compression="zstd")
    return path


def _parcel_means(values: np.ndarray, weights: np.ndarray, parcel_of_unit: np.ndarray, n: int) -> np.ndarray:
    """Pixel-weighted means over each parcel's units of per-unit values (units,) → (parcels,)."""
    total = np.bincount(parcel_of_unit, weights=weights * values, minlength=n)
    return total / np.bincount(parcel_of_unit, weights=weights, minlength=n)


def timeseries_table(
    world: World,
    daily_ndvi: np.ndarray,
    s2: tuple[S2Date, ...],
    grd: tuple[S1Date, ...],
    slc: tuple[S1Date, ...],
    s2_clear: dict[dt.date, np.ndarray],
) -> pa.Table:
    scene, units = world.scene, world.units
    n = len(world.layout.parcels)
    parcel_units = np.flatnonzero(units.parcel >= 0)
    parcel_of_unit = units.parcel[parcel_units]
    # Units without pixels (a parcel too small for the grid) still count, with a tiny weight.
    weights = np.maximum(world.landscape.unit_pixels[parcel_units], 1e-6)
    dates = sorted({a.date for a in (*s2, *grd, *slc)})
    s2_dates, grd_dates, slc_dates = {a.date for a in s2}, {a.date for a in grd}, {a.date for a in slc}
    columns: dict[str, list[np.ndarray]] = {name: [] for name in SERIES_SCHEMA.names}
    for date in dates:
        day = scene.day_index(date)
        state = world.states.at(day)
        vv, vh = world.unit_sigma0(day)
        first_day = day - COHERENCE_INTERVAL_DAYS
        coherence = world.unit_coherence(first_day, day) if first_day >= 0 else np.full(len(units), np.nan)

        def mean(values: np.ndarray) -> np.ndarray:
            return _parcel_means(np.asarray(values, dtype=float)[parcel_units], weights, parcel_of_unit, n)

        columns["OBJECTID"].append(world.objectid)
        columns["parcel_index"].append(np.arange(n, dtype=np.int32))
        columns["date"].append(np.full(n, date))
        columns["ndvi"].append(mean(daily_ndvi[:, day]))
        columns["fcover"].append(mean(state.green))
        columns["lai"].append(mean(lai_from_cover(state.green)))
        columns["sigma0_vv_db"].append(db(mean(vv)))
        columns["sigma0_vh_db"].append(db(mean(vh)))
        columns["coherence_6d"].append(mean(coherence))
        columns["s2_acquired"].append(np.full(n, date in s2_dates))
        columns["s1_grd_acquired"].append(np.full(n, date in grd_dates))
        columns["s1_slc_acquired"].append(np.full(n, date in slc_dates))
        columns["s2_clear_fraction"].append(s2_clear.get(date, np.full(n, np.nan)))
    arrays = [pa.array(np.concatenate(columns[field.name]), type=field.type) for field in SERIES_SCHEMA]
    table = pa.Table.from_arrays(arrays, schema=SERIES_SCHEMA)
    return table.sort_by([("OBJECTID", "ascending"), ("date", "ascending")])


def write_series(path: Path, table: pa.Table) -> Path:
    pq.write_table(table, path, compression="zstd")
    return path


def clear_fraction(scl: np.ndarray, parcel_raster: np.ndarray, n: int) -> np.ndarray:
    """Share of each parcel's pixels classified clear (SCL 4, 5, 6)."""
    counts = label_sums(parcel_raster, n + 1)[1:]
    clear_counts = label_sums(parcel_raster, n + 1, np.isin(scl, SCL_CLEAR))[1:]
    with np.errstate(invalid="ignore"):
        return (clear_counts / counts).astype(np.float32)


def write_truth_rasters(folder: Path, world: World) -> list[Path]:
    """Per-pixel truth, gathered from per-unit tables (one whole-grid array at a time)."""
    grid, landscape, units = world.scene.grid, world.landscape, world.units
    objectid_of_unit = np.where(units.parcel >= 0, world.objectid[np.maximum(units.parcel, 0)], 0).astype(np.int32)
    code_of_unit = np.array([CROPS[c].code if c >= 0 else 0 for c in units.crop], dtype=np.int32)
    return [
        write_cog(folder / "parcel_id.tif", np.take(objectid_of_unit, landscape.unit), grid, nodata=0),
        write_cog(folder / "crop_code.tif", np.take(code_of_unit, landscape.unit), grid, nodata=0),
        write_cog(folder / "land_cover.tif", landscape.land_cover, grid),
    ]


def _json_default(value: object) -> object:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def write_json(path: Path, header: dict[str, object], table: gpd.GeoDataFrame) -> Path:
    parcels = pd.DataFrame(table.drop(columns="geometry")).astype(object).where(pd.notna(table.drop(columns="geometry")), None)
    document = {**header, "definitions": DEFINITIONS, "parcels": parcels.to_dict(orient="records")}
    path.write_text(json.dumps(document, indent=1, default=_json_default, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
