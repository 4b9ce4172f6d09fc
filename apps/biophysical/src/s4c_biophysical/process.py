"""Product API: Sentinel-2 L2A product(s) → Sen4CAP L3B biophysical products and a STAC catalog.

>>> items = process_product("S2B_MSIL2A_...SAFE", "out", Options(indicators=("LAI", "FAPAR")), auxdata="auxdata")
>>> run(["staged/"], "out", Options(), auxdata="auxdata", workers=2)   # + catalog.json, atomically

Every input is validated (bands, angles, networks) before anything is written. The tile is processed
in windows aligned on the JPEG 2000 blocks, ``workers`` windows at a time, so memory stays bounded by
a few windows whatever the tile size.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pystac
from s4c_common.blocks import aligned_block_size, process_windows
from s4c_common.errors import InputError, Warnings
from s4c_common.l3b import L3BProduct, Naming, creation_time, product_names
from s4c_common.log import progress
from s4c_common.output import AtomicOutput
from s4c_common.raster import block_windows, open_raster
from s4c_common.s2.bands import NATIVE_RESOLUTION
from s4c_common.stac import write_catalog
from threadpoolctl import threadpool_limits

from . import __version__
from .auxdata import resolve_auxdata
from .evaluate import DomainCheck, Evaluator, OutputRangeMode, check_modes
from .indicators import INDICATOR_INFO
from .models import Model, check_indicators, load_networks, model_named, sensor_for
from .network import Network
from .outputs import IndicatorProducts, ProductInfo
from .sources import Source, open_sources
from .window import OUTPUT_DTYPES, Encoding, OutputDtype, WindowComputer

log = logging.getLogger("s4c.biophysical")

PROCESSOR = "s4c-biophysical"
RESOLUTIONS = (10, 20)


@dataclass(frozen=True)
class Options:
    """Parameters of spec l3b-biophysical.md §4 (defaults: the physically correct behaviour)."""

    indicators: tuple[str, ...] = ("LAI",)
    model: str = "snap-3.0-20m"
    sensor_model: str = "auto"
    resolution: int = 10
    output_range_mode: OutputRangeMode = "snap"
    domain_check: DomainCheck = "box+grid"
    mask_invalid: bool = True
    apply_boa_offset: bool = True
    quantification: float = 1000.0
    quantize_rounding: str = "round"
    write_domain_flags: bool = True
    output_dtype: OutputDtype = "int16"
    scl_shadow_flag: int = 2
    site: int = 0
    naming: Naming = "sen4cap"
    creation_time: dt.datetime | None = field(default=None, compare=False)

    def check(self) -> None:
        if self.resolution not in RESOLUTIONS:
            raise InputError(f"resolution must be 10 or 20 m, got {self.resolution}.", "E_PARAM")
        if self.output_dtype not in OUTPUT_DTYPES:
            raise InputError(f"output dtype must be int16 or float32, got {self.output_dtype}.", "E_PARAM")
        if self.site < 0:
            raise InputError(f"site id must be 0 or more, got {self.site}.", "E_PARAM")
        if self.quantize_rounding not in ("round", "truncate"):
            raise InputError(f"quantize rounding must be round or truncate, got {self.quantize_rounding}.", "E_PARAM")
        if not 0 < self.quantification <= 10000:
            raise InputError(f"quantification must be in (0, 10000], got {self.quantification}.", "E_PARAM")
        if self.scl_shadow_flag not in (2, 4):
            raise InputError(f"the cloud-shadow flag must be 2 or 4, got {self.scl_shadow_flag}.", "E_PARAM")
        try:
            check_modes(self.output_range_mode, self.domain_check)
        except ValueError as exc:
            raise InputError(f"{exc}.", "E_PARAM") from exc

    def parameters(self) -> dict[str, object]:
        """The parameters written into the MTD files (sorted there; no creation time: it is in the names)."""
        values = asdict(self)
        values.pop("creation_time")
        values["indicators"] = ",".join(self.indicators)
        return values


@dataclass(frozen=True)
class PreparedProduct:
    """A validated input: its networks, ready to be processed."""

    source: Source
    model: Model
    indicators: tuple[str, ...]
    sensor: str
    networks: list[Network]
    warnings: Warnings


def _check_inputs(source: Source, model: Model) -> None:
    """Every band the model reads, SCL and the angle grids exist and open (E_MISSING_BAND, E_SCHEMA, E_READ)."""
    product = source.product
    for band in (*model.bands, "SCL"):
        with open_raster(product.band_path(band)):
            pass
    product.angles()


def prepare_product(source: Source, options: Options, *, auxdata: Path | None, sen4cap_nn_dir: Path | None) -> PreparedProduct:
    """Choose and read the networks for ``source`` and check its inputs; nothing is written."""
    options.check()
    model = model_named(options.model)
    indicators = check_indicators(model, options.indicators)
    warnings = Warnings()
    sensor = sensor_for(source.product.spacecraft, options.sensor_model, warnings)
    networks = load_networks(model, indicators, sensor=sensor, auxdata=auxdata, sen4cap_nn_dir=sen4cap_nn_dir)
    _check_inputs(source, model)
    return PreparedProduct(source, model, indicators, sensor, networks, warnings)


def window_size(prepared: PreparedProduct, resolution: int) -> int:
    """Windows that hold whole JPEG 2000 blocks of every input, so each block is decoded once."""
    product = prepared.source.product
    blocks = []
    for band in (*prepared.model.bands, "SCL"):
        with open_raster(product.band_path(band)) as src:
            block = src.block_shapes[0][0]
        blocks.append(max(1, round(block * NATIVE_RESOLUTION[band] / resolution)))
    return aligned_block_size(blocks)


def write_products(prepared: PreparedProduct, out_dir: Path, options: Options, *, workers: int = 1) -> list[pystac.Item]:
    """Process one prepared input into ``out_dir``: one L3B product folder per indicator; their STAC items."""
    product = prepared.source.product
    grid = product.grid(options.resolution)
    indicators = [INDICATOR_INFO[name] for name in prepared.indicators]
    encoding = Encoding(
        output_dtype=options.output_dtype,
        scales=tuple(ind.scale(options.quantification) for ind in indicators),
        rounding=options.quantize_rounding,  # type: ignore[arg-type]
        mask_invalid=options.mask_invalid,
        output_range_mode=options.output_range_mode,
    )
    evaluator = Evaluator(prepared.networks, output_range_mode=options.output_range_mode, domain_check=options.domain_check, dtype=np.float32)
    computer = WindowComputer(product, prepared.model.bands, evaluator, resolution=options.resolution, encoding=encoding,
                              apply_boa_offset=options.apply_boa_offset, shadow_flag=options.scl_shadow_flag)  # fmt: skip
    created = creation_time(product.product_id, product.sensing_time, options.creation_time)
    products = [
        L3BProduct(out_dir / names.product_dir, names)
        for names in (
            product_names(ind.name, tile=product.tile_id, acquisition=product.sensing_time, creation=created, site=options.site, naming=options.naming)
            for ind in indicators
        )
    ]
    block = window_size(prepared, options.resolution)
    n_windows = -(-grid.width // block) * -(-grid.height // block)
    log.info("%s: %s with %s networks (%s), %d × %d px at %d m in %d-px windows, %d worker(s)", product.product_id, ",".join(prepared.indicators),
             prepared.model.name, prepared.sensor, grid.width, grid.height, options.resolution, block, workers)  # fmt: skip
    writers = IndicatorProducts(products, indicators, grid, encoding, options.write_domain_flags)
    # The parallelism is the windows': a multi-threaded BLAS inside each worker only adds spinning threads
    # (measured: 2.4 × the CPU time of the network products on 2 cores).
    with writers, threadpool_limits(limits=1, user_api="blas"):
        for window, result in progress(process_windows(computer, block_windows(grid.width, grid.height, block), workers), total=n_windows, label="windows"):
            writers.write(window, result)
    if writers.valid_pixels == 0:
        prepared.warnings.warn(
            "W_ALL_INVALID",
            f"product {product.product_id} has no valid land pixel (clouds, shadows, snow, water or no data); the outputs are all no-data.",
        )
    info = ProductInfo(
        source_product=product.product_id,
        source_href=prepared.source.href,
        processor=PROCESSOR,
        version=__version__,
        parameters={**options.parameters(), "sensor": prepared.sensor},
        properties=[
            {"s4c:model": prepared.model.name, "s4c:network": net.label, "s4c:sensor_model": prepared.sensor, "s4c:unit": ind.unit}
            for net, ind in zip(prepared.networks, indicators, strict=True)
        ],
    )
    return writers.finish(info, datetime=product.sensing_time, warnings=prepared.warnings.items)


def _check_distinct(prepared: Sequence[PreparedProduct]) -> None:
    """Two inputs of the same tile and time would write the same products (E_PARAM)."""
    seen: dict[tuple[str, dt.datetime], str] = {}
    for each in prepared:
        product = each.source.product
        key = (product.tile_id, product.sensing_time)
        if key in seen:
            raise InputError(f"inputs {seen[key]} and {each.source.href} are both tile {key[0]} at {key[1]:%Y-%m-%d %H:%M:%S}; give each once.", "E_PARAM")
        seen[key] = each.source.href


def _needs_auxdata(options: Options) -> bool:
    return options.model != "sen4cap-allbands"


def process_product(
    source: str | os.PathLike[str] | Source,
    out_dir: str | os.PathLike[str],
    options: Options = Options(),
    *,
    auxdata: str | os.PathLike[str] | None = None,
    sen4cap_nn_dir: str | os.PathLike[str] | None = None,
    workers: int = 1,
) -> list[pystac.Item]:
    """Process one L2A product (``.SAFE`` folder or zip, STAC item JSON, or an opened :class:`Source`) into ``out_dir``.

    Writes one L3B product folder per indicator and returns their STAC items (no catalog: see :func:`run`).
    """
    sources = [source] if isinstance(source, Source) else open_sources([source])
    if len(sources) != 1:
        raise InputError(f"{source} holds {len(sources)} products; process_product takes one (run() takes catalogs).", "E_PARAM")
    (src,) = sources
    aux = resolve_auxdata(auxdata) if _needs_auxdata(options) else None
    prepared = prepare_product(src, options, auxdata=aux, sen4cap_nn_dir=Path(sen4cap_nn_dir) if sen4cap_nn_dir else None)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    return write_products(prepared, out, options, workers=workers)


def run(
    inputs: Sequence[str | os.PathLike[str]],
    output: str | os.PathLike[str],
    options: Options = Options(),
    *,
    auxdata: str | os.PathLike[str] | None = None,
    sen4cap_nn_dir: str | os.PathLike[str] | None = None,
    workers: int = 1,
) -> list[pystac.Item]:
    """Every input product → L3B products and one STAC ``catalog.json`` in ``output``; all or nothing."""
    aux = resolve_auxdata(auxdata) if _needs_auxdata(options) else None
    nn_dir = Path(sen4cap_nn_dir) if sen4cap_nn_dir else None
    prepared = [prepare_product(source, options, auxdata=aux, sen4cap_nn_dir=nn_dir) for source in open_sources(inputs)]
    _check_distinct(prepared)
    with AtomicOutput(output) as stage:
        items = [item for each in prepared for item in write_products(each, stage, options, workers=workers)]
        write_catalog(stage, items, catalog_id="s4c-biophysical", description="Sen4CAP L3B biophysical indicators (LAI, FAPAR, FCOVER, CCC, CWC)")
    return items
