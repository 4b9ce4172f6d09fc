"""The processor: indices of one L2A product, window by window, into Sen4CAP L3B products.

Array API::

    values = compute_indices({"red": red, "nir": nir}, ["NDVI"])          # float32, unmasked

Product API (``stage`` is a folder inside the output, e.g. from s4c_common.output.AtomicOutput)::

    items = process_product("S2B_MSIL2A_....SAFE", ["NDVI", "NDWI"], Options(workers=4), stage)

Each window of the output grid is read once (each band the indices need, once), its flags derived
from the SCL, every index computed, masked and quantised, and written in window order; at most
``2 × workers`` windows are in memory. One L3B product (index raster, flags, quick-look, MTD, STAC
item) is written per index.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import logging
import shutil
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pystac
from rasterio.windows import Window
from s4c_common.blocks import aligned_block_size, process_windows
from s4c_common.errors import InputError, Warnings
from s4c_common.l3b import NAMINGS, L3BProduct, L3BRasterWriter, build_l3b_item, creation_time, product_names, raster_asset, write_metadata, write_quicklook
from s4c_common.log import progress
from s4c_common.quantize import NODATA, Rounding, quantize
from s4c_common.raster import block_windows
from s4c_common.s2.scl import FLAG_NODATA
from s4c_common.stac import StagedItem

from . import __version__
from .aoi import parse_aoi
from .flags import SHADOW_FLAGS, allowed, index_flags
from .formulas import BRIGHTNESS_DEFINITIONS, NDWI_DEFINITIONS, Definitions, Formula, Index, compute_indices, index_by_name, required_roles
from .sources import L2ASource, RasterSource, ReadOptions, Source, Units, open_source

__all__ = ["Options", "compute_indices", "process_product"]

log = logging.getLogger("s4c.spectral_indices")

PROCESSOR = "s4c-spectral-indices"
FLAGS_ASSET = "MMONODFLG"
FLAGS_TITLE = "Validity flags: 0 land, 1 water, 2 cloud shadow, 3 snow, 4 cloud, 5 saturated, 255 no data"
OutputDtype = Literal["int16", "float32"]
# The Sen4CAP quirks --sen4cap-compat switches on (spec §4, §5.1-5.4).
SEN4CAP_COMPAT: dict[str, object] = {
    "reflectance_units": "dn",
    "negative_to_nodata": True,
    "quantize_rounding": "truncate",
    "scl_shadow_flag": 4,
}


@dataclass(frozen=True)
class Options:
    """Processing parameters (spec §4); the defaults are the project's physically correct behaviour."""

    resolution: int = 10
    quantification: int = 1000
    site_id: int = 0
    apply_boa_offset: bool = True
    reflectance_scale: float | None = None
    band_map: dict[str, str] = dataclasses.field(default_factory=dict)
    output_dtype: OutputDtype = "int16"
    reflectance_units: Units = "reflectance"
    mask_index: bool = True
    negative_to_nodata: bool = False
    quantize_rounding: Rounding = "round"
    scl_shadow_flag: int = 2
    ndwi_definition: str = "gao"
    brightness_definition: str = "BI"
    cog: bool = True
    naming: Literal["sen4cap", "project"] = "sen4cap"
    creation_time: dt.datetime | None = None
    acquisition_time: dt.datetime | None = None
    aoi: str | None = None
    scl: tuple[Path, ...] = ()
    workers: int = 1

    def __post_init__(self) -> None:
        checks = {
            "resolution": (self.resolution in (10, 20), "10 or 20 (m)"),
            "quantification": (1 <= self.quantification <= 10000, "between 1 and 10000"),
            "reflectance_scale": (self.reflectance_scale is None or self.reflectance_scale > 0, "positive"),
            "site_id": (self.site_id >= 0, "0 or more"),
            "output_dtype": (self.output_dtype in ("int16", "float32"), "int16 or float32"),
            "reflectance_units": (self.reflectance_units in ("reflectance", "dn"), "reflectance or dn"),
            "quantize_rounding": (self.quantize_rounding in ("round", "truncate"), "round or truncate"),
            "scl_shadow_flag": (self.scl_shadow_flag in SHADOW_FLAGS, "2 or 4"),
            "ndwi_definition": (self.ndwi_definition in NDWI_DEFINITIONS, " or ".join(NDWI_DEFINITIONS)),
            "brightness_definition": (self.brightness_definition in BRIGHTNESS_DEFINITIONS, ", ".join(BRIGHTNESS_DEFINITIONS)),
            "naming": (self.naming in NAMINGS, " or ".join(NAMINGS)),
            "workers": (self.workers >= 1, "1 or more"),
        }
        for name, (ok, expected) in checks.items():
            if not ok:
                raise InputError(f"{name.replace('_', '-')} must be {expected}, got {getattr(self, name)!r}.", "E_PARAM")

    @classmethod
    def sen4cap_compat(cls, **overrides: object) -> Options:
        """Options with every Sen4CAP quirk on; ``overrides`` (e.g. one quirk switched back off) win."""
        return cls(**{**SEN4CAP_COMPAT, **overrides})  # type: ignore[arg-type]

    def read_options(self) -> ReadOptions:
        return ReadOptions(
            resolution=self.resolution,
            band_map=dict(self.band_map),
            reflectance_scale=self.reflectance_scale,
            reflectance_units=self.reflectance_units,
            apply_boa_offset=self.apply_boa_offset,
            acquisition_time=self.acquisition_time,
            aoi=parse_aoi(self.aoi) if self.aoi else None,
            scl=tuple(self.scl),
        )

    @property
    def definitions(self) -> Definitions:
        return Definitions(ndwi_definition=self.ndwi_definition, brightness_definition=self.brightness_definition)

    def parameters(self) -> dict[str, str]:
        """The parameters recorded in the MTD file and the STAC item (run-time plumbing left out)."""
        skipped = {"workers", "creation_time", "acquisition_time", "scl"}
        return {f.name: _text(getattr(self, f.name)) for f in dataclasses.fields(self) if f.name not in skipped}


def _text(value: object) -> str:
    if isinstance(value, dict):
        return ",".join(f"{k}={v}" for k, v in sorted(value.items()))
    return "" if value is None else str(value)


@dataclass(frozen=True)
class PlannedIndex:
    """An index to compute and the formula the options select."""

    index: Index
    formula: Formula

    @property
    def flag_key(self) -> tuple[str, ...]:
        """Indices reading the same bands share their flags raster."""
        return tuple(sorted(self.formula.roles))


@dataclass
class WindowResult:
    data: dict[str, np.ndarray]  # index name → encoded window
    flags: dict[tuple[str, ...], np.ndarray]  # flag key → flags window
    valid: dict[str, int]  # index name → pixels the flags allow


def _encode(values: np.ndarray, valid: np.ndarray, options: Options) -> np.ndarray:
    mask = valid if options.mask_index else None
    if options.output_dtype == "int16":
        return quantize(
            values, mask, scale=options.quantification, rounding=options.quantize_rounding, negative_to_nodata=options.negative_to_nodata, nodata=NODATA
        )
    if mask is not None:
        values[~mask] = np.nan
    if options.negative_to_nodata:
        values[values < 0] = np.nan
    return values


def _compute_window(source: Source, plan: Sequence[PlannedIndex], roles: Sequence[str], options: Options, window: Window) -> WindowResult:
    bands = source.read(roles, window)
    base = source.base_flags(window, options.scl_shadow_flag)
    result = WindowResult({}, {}, {})
    for planned in plan:
        key = planned.flag_key
        if key not in result.flags:
            result.flags[key] = index_flags(base, [bands[role] for role in key])
        valid = allowed(result.flags[key], planned.index.index_class)
        values = planned.formula.compute(bands).astype(np.float32, copy=False)
        result.data[planned.index.name] = _encode(values, valid, options)
        result.valid[planned.index.name] = int(np.count_nonzero(valid))
    return result


def _plan(indices: Sequence[str], options: Options) -> list[PlannedIndex]:
    plan: dict[str, PlannedIndex] = {}
    for name in indices:
        index = index_by_name(name)
        plan.setdefault(index.name, PlannedIndex(index, index.formula(options.definitions)))
    if not plan:
        raise InputError("no index requested; give at least one --index.", "E_PARAM")
    return list(plan.values())


def _products(source: Source, plan: Sequence[PlannedIndex], options: Options, stage: Path) -> dict[str, L3BProduct]:
    created = creation_time(source.product_id, source.sensing_time, options.creation_time)
    products = {}
    for planned in plan:
        names = product_names(
            planned.index.code, tile=source.tile, acquisition=source.sensing_time, creation=created, site=options.site_id, naming=options.naming
        )
        root = stage / names.product_dir
        if root.exists():
            raise InputError(f"two inputs give the same product {names.product_dir}; give each tile and date once.", "E_PARAM")
        products[planned.index.name] = L3BProduct(root, names)
    return products


@dataclass
class Written:
    """What the raster pass leaves for the rest of each product."""

    valid: dict[str, int]  # index name → pixels the flags allow
    previews: dict[str, np.ndarray]  # index name → decimated index, for the quick-look


def _write_rasters(source: Source, plan: Sequence[PlannedIndex], products: dict[str, L3BProduct], options: Options) -> Written:
    """Compute and write every index and flags raster."""
    roles = required_roles([p.index.name for p in plan], options.definitions)
    grid = source.grid
    block = aligned_block_size(source.block_sizes(roles))
    windows = list(block_windows(grid.width, grid.height, block))
    dtype, nodata = ("int16", NODATA) if options.output_dtype == "int16" else ("float32", float("nan"))
    flag_paths = {}
    for planned in plan:  # the first product of each flag key gets the file, the others a copy
        flag_paths.setdefault(planned.flag_key, products[planned.index.name].quality_path(FLAGS_ASSET))
    valid = dict.fromkeys((p.index.name for p in plan), 0)
    compute = functools.partial(_compute_window, source, plan, roles, options)
    log.info(
        "%s: %s on %d × %d pixels in %d windows of %d, %d worker(s)",
        *(source.label, ", ".join(valid), grid.width, grid.height, len(windows), block, options.workers),
    )
    with ExitStack() as stack:
        writers = {
            p.index.name: stack.enter_context(
                L3BRasterWriter(products[p.index.name].image_path(f"S{p.index.code}"), grid, dtype, nodata=nodata, cog=options.cog)
            )
            for p in plan
        }
        flag_writers = {key: stack.enter_context(L3BRasterWriter(path, grid, "uint8", nodata=FLAG_NODATA, cog=options.cog)) for key, path in flag_paths.items()}
        for window, result in progress(process_windows(compute, windows, options.workers), total=len(windows), label="windows"):
            for name, data in result.data.items():
                writers[name].write(data, window)
            for key, flags in result.flags.items():
                flag_writers[key].write(flags, window)
            for name, count in result.valid.items():
                valid[name] += count
    for planned in plan:
        target = products[planned.index.name].quality_path(FLAGS_ASSET)
        if target != flag_paths[planned.flag_key]:
            shutil.copyfile(flag_paths[planned.flag_key], target)
    return Written(valid, {name: writer.preview for name, writer in writers.items()})


def _finish_product(source: Source, planned: PlannedIndex, product: L3BProduct, written: Written, options: Options) -> pystac.Item:
    valid = written.valid[planned.index.name]
    warnings = Warnings()
    if valid == 0:
        warnings.warn("W_ALL_INVALID", f"{source.label} has no pixel where {planned.index.name} is defined (all cloud, shadow, snow or no data).")
    code = planned.index.code
    index_path = product.image_path(f"S{code}")
    flags_path = product.quality_path(FLAGS_ASSET)
    quantised = options.output_dtype == "int16"
    preview = written.previews[planned.index.name]
    write_quicklook(preview, product.quicklook_path, scale=options.quantification if quantised else 1.0, nodata=NODATA if quantised else None)
    parameters = {**options.parameters(), "index": planned.index.name, "formula": planned.formula.text}
    write_metadata(product, source_product=source.product_id, processor=PROCESSOR, version=__version__, parameters=parameters, warnings=warnings.items)
    index_asset = raster_asset(
        index_path,
        title=f"{planned.index.name}" + (f" × {options.quantification}" if quantised else ""),
        dtype=options.output_dtype,
        nodata=NODATA if quantised else float("nan"),
        scale=1 / options.quantification if quantised else None,
        cog=options.cog,
    )
    flags_asset = raster_asset(flags_path, title=FLAGS_TITLE, dtype="uint8", nodata=FLAG_NODATA, cog=options.cog)
    return build_l3b_item(
        product,
        source.grid,
        datetime=source.sensing_time,
        images={f"S{code}": index_asset},
        quality={FLAGS_ASSET: flags_asset},
        processor=PROCESSOR,
        version=__version__,
        source_product=source.product_id,
        derived_from=[source.derived_from],
        properties={"s4c:index_class": planned.index.index_class, "s4c:formula": planned.formula.text, "s4c:valid_pixels": valid},
        warnings=warnings.items,
    )


def prepare(product: str | Path | pystac.Item | StagedItem | Source, indices: Sequence[str], options: Options) -> tuple[Source, list[PlannedIndex]]:
    """Open the product and check that it has every band the indices need (nothing is written)."""
    source = product if isinstance(product, L2ASource | RasterSource) else open_source(product, options.read_options())
    plan = _plan(indices, options)
    source.check_roles(required_roles([p.index.name for p in plan], options.definitions))
    return source, plan


def process_product(product: str | Path | pystac.Item | StagedItem | Source, indices: Sequence[str], options: Options, stage: str | Path) -> list[pystac.Item]:
    """Write one L3B product per index of ``product`` into ``stage``; their STAC items (one per product)."""
    source, plan = prepare(product, indices, options)
    products = _products(source, plan, options, Path(stage))
    written = _write_rasters(source, plan, products, options)
    return [_finish_product(source, planned, products[planned.index.name], written, options) for planned in plan]
