"""The L3B products of one input: one Sen4CAP product folder per indicator (s4c_common.l3b layout).

Each product holds the indicator raster (``S{IND}MONO``), the validity flags (``MMONODFLG``), the
network quality bits (``M{IND}DOMFLG``, unless disabled), a quick-look, the MTD XML and a STAC item.
The flags raster is the same for every indicator: it is encoded once and copied.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pystac
from rasterio.windows import Window
from s4c_common.l3b import L3BProduct, build_l3b_item, raster_asset, write_metadata, write_quicklook
from s4c_common.quantize import NODATA
from s4c_common.raster import CogWriter, Grid
from s4c_common.s2.scl import FLAG_NODATA

from .indicators import Indicator
from .window import DOMAIN_FLAGS_NODATA, Encoding, WindowResult

FLAGS_SUFFIX = "MMONODFLG"
# Compressing the seven rasters of LAI+FAPAR+FCOVER (each written, then copied into a COG) costs about as much CPU
# as decoding the inputs on a full tile; per data type the faster codec at GDAL's default level, for files as small
# (measured on the bench tile: DEFLATE 20 % faster than ZSTD on int16 values, ZSTD 33 % faster on uint8 flags).
COMPRESSION = {"int16": "deflate", "float32": "deflate", "uint8": "zstd"}


@dataclass(frozen=True)
class ProductInfo:
    """What the MTD and the STAC item say about where the values come from."""

    source_product: str
    source_href: str
    processor: str
    version: str
    parameters: Mapping[str, object]
    properties: Sequence[Mapping[str, object]]  # per indicator: model, network, unit


class IndicatorProducts:
    """Writers of the products of several indicators over one grid; use as a context manager.

    Each raster file is written by its own task, the files of a window in parallel (GDAL compresses in
    the calling thread, and a single writing thread would hold the window workers back); a window's
    writes finish before the next window's start, so at most one window waits in memory here. The
    closing copies into COGs run in parallel too.
    """

    def __init__(self, products: Sequence[L3BProduct], indicators: Sequence[Indicator], grid: Grid, encoding: Encoding, write_domain_flags: bool):
        self.products = list(products)
        self.indicators = list(indicators)
        self.grid = grid
        self.encoding = encoding
        self.write_domain_flags = write_domain_flags
        self.valid_pixels = 0
        self._images: list[CogWriter] = []
        self._domain: list[CogWriter] = []
        self._flags: CogWriter | None = None
        self._opened: list[CogWriter] = []
        self._pending: list[Future[None]] = []
        self._pool: ThreadPoolExecutor | None = None

    def _writer(self, path: Path, dtype: str, nodata: float, description: str) -> CogWriter:
        writer = CogWriter(path, self.grid, dtype, nodata=nodata, compress=COMPRESSION[dtype], band_descriptions=[description])
        writer.__enter__()
        self._opened.append(writer)
        return writer

    def __enter__(self) -> IndicatorProducts:
        nodata = NODATA if self.encoding.output_dtype == "int16" else float("nan")
        try:
            for product, indicator in zip(self.products, self.indicators, strict=True):
                self._images.append(self._writer(product.image_path(indicator.image_suffix), self.encoding.output_dtype, nodata, indicator.name))
                if self.write_domain_flags:
                    self._domain.append(self._writer(product.quality_path(indicator.domain_flags_suffix), "uint8", DOMAIN_FLAGS_NODATA, "quality bits"))
            self._flags = self._writer(self.products[0].quality_path(FLAGS_SUFFIX), "uint8", FLAG_NODATA, "validity flags")
        except BaseException:
            self._close(failed=True)
            raise
        self._pool = ThreadPoolExecutor(max_workers=len(self._opened), thread_name_prefix="s4c-write")
        return self

    def _wait(self) -> None:
        """Wait for every pending write, then raise the first failure."""
        pending, self._pending = self._pending, []
        errors = [error for error in (future.exception() for future in pending) if error is not None]
        if errors:
            raise errors[0]

    def write(self, window: Window, result: WindowResult) -> None:
        assert self._flags is not None and self._pool is not None
        self._wait()
        domain_flags = result.domain_flags[: len(self._domain)]
        jobs = [(self._flags, result.flags), *zip(self._images, result.images, strict=True), *zip(self._domain, domain_flags, strict=True)]
        self._pending = [self._pool.submit(writer.write, data, window) for writer, data in jobs]
        self.valid_pixels += result.valid_pixels

    def _shutdown(self, *, failed: bool) -> None:
        for future in self._pending:
            future.cancel()
        for future in self._pending:
            if not future.cancelled():
                future.exception()  # wait: a writer must not be closed while a write runs
        self._pending = []
        self._close(failed=failed)
        if self._pool is not None:
            self._pool.shutdown(wait=True)

    def _close(self, *, failed: bool) -> None:
        """Close every writer (COG copies in parallel on success; temporary files removed either way)."""
        error = (RuntimeError, RuntimeError("aborted"), None) if failed else (None, None, None)
        opened, self._opened = self._opened, []
        if self._pool is None or failed:
            for writer in opened:
                writer.__exit__(*error)
            return
        list(self._pool.map(lambda writer: writer.__exit__(*error), opened))

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        try:
            if exc_type is None:
                self._wait()
        except BaseException:
            self._shutdown(failed=True)
            raise
        self._shutdown(failed=exc_type is not None)
        if exc_type is not None:
            return
        first = self.products[0].quality_path(FLAGS_SUFFIX)
        for product in self.products[1:]:
            shutil.copyfile(first, product.quality_path(FLAGS_SUFFIX))

    def finish(self, info: ProductInfo, *, datetime: dt.datetime, warnings: Sequence[Mapping[str, str]]) -> list[pystac.Item]:
        """Quick-looks, MTD files and STAC items, once the rasters are complete."""
        items = []
        int16 = self.encoding.output_dtype == "int16"
        for product, indicator, properties, stored_scale in zip(self.products, self.indicators, info.properties, self.encoding.scales, strict=True):
            scale = stored_scale if int16 else 1.0
            image = product.image_path(indicator.image_suffix)
            write_quicklook(image, product.quicklook_path, scale=scale, nodata=NODATA if int16 else None, stretch=indicator.quicklook_range)
            write_metadata(
                product,
                source_product=info.source_product,
                processor=info.processor,
                version=info.version,
                parameters={**info.parameters, "indicator": indicator.name, "scale": scale},
                warnings=warnings,
            )
            quality = {FLAGS_SUFFIX: raster_asset(product.quality_path(FLAGS_SUFFIX), title="Validity flags", dtype="uint8", nodata=FLAG_NODATA)}
            if self.write_domain_flags:
                quality[indicator.domain_flags_suffix] = raster_asset(
                    product.quality_path(indicator.domain_flags_suffix), title="Network quality bits", dtype="uint8", nodata=DOMAIN_FLAGS_NODATA
                )
            images = {
                indicator.image_suffix: raster_asset(
                    image,
                    title=f"{indicator.title} ({indicator.unit})",
                    dtype=self.encoding.output_dtype,
                    nodata=NODATA if int16 else float("nan"),
                    scale=1.0 / scale if int16 else None,
                )
            }
            items.append(
                build_l3b_item(
                    product,
                    self.grid,
                    datetime=datetime,
                    images=images,
                    quality=quality,
                    processor=info.processor,
                    version=info.version,
                    source_product=info.source_product,
                    derived_from=[info.source_href],
                    properties=properties,
                    warnings=warnings,
                )
            )
        return items
