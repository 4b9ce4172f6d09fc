"""``--input`` values → raster products: staged STAC catalogs, item files, SAFE products and single rasters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from s4c_common.errors import InputError
from s4c_common.s2 import open_l2a
from s4c_common.s2.bands import NATIVE_RESOLUTION
from s4c_common.stac import CATALOG_FILE, StagedItem, read_items

from .products import GeoTiffProduct, L2ABandProduct, RasterProduct
from .registry import is_l2a_item, recognise_file, recognise_item


@dataclass(frozen=True)
class Selection:
    """Which products and bands to keep."""

    types: tuple[str, ...] = ()  # type tokens; empty: every type
    l2a_bands: tuple[str, ...] = ()  # B02, B8A, ... (the L2A reader's names)
    start: dt.date | None = None
    end: dt.date | None = None
    zero_is_nodata: bool = False

    def keeps(self, product: RasterProduct) -> bool:
        date = dt.datetime.strptime(product.key.date, "%Y%m%d").date()
        if (self.start is not None and date < self.start) or (self.end is not None and date > self.end):
            return False
        return not self.types or product.key.type in self.types


def _l2a_products(source: str | Path | StagedItem, href: str, selection: Selection) -> list[RasterProduct]:
    if not selection.l2a_bands:
        raise InputError(f"{href} is a Sentinel-2 L2A product: give the bands to reduce with --l2a-bands (e.g. B2,B3,B4,B8,B11,B12).", "E_PARAM")
    product = open_l2a(source)
    return [L2ABandProduct(product, band, NATIVE_RESOLUTION[band], href, selection.zero_is_nodata) for band in selection.l2a_bands]


def _item_products(staged: StagedItem, selection: Selection) -> list[RasterProduct]:
    href = staged.item.get_self_href() or staged.item.id
    if is_l2a_item(staged):
        return _l2a_products(staged, href, selection)
    found = recognise_item(staged)
    if not found:
        raise InputError(
            f"STAC item {staged.item.id} ({href}) is no product type the markers know (L3B, Sentinel-1 BCK/COH/AMP/COHE, Sentinel-2 L2A).",
            "E_UNSUPPORTED_PRODUCT",
        )
    return [GeoTiffProduct(f, selection.zero_is_nodata) for f in found]


def _path_products(path: Path, selection: Selection) -> list[RasterProduct]:
    if not path.exists():
        raise InputError(f"input {path} does not exist.", "E_INPUT_NOT_FOUND")
    if (path.is_dir() and (path / CATALOG_FILE).exists()) or path.suffix.lower() == ".json":
        return [p for staged in read_items(path) for p in _item_products(staged, selection)]
    if path.name.upper().endswith((".SAFE", ".SAFE.ZIP")) or path.suffix.lower() == ".zip":
        return _l2a_products(path, str(path), selection)
    found = recognise_file(path)
    if found is None:
        raise InputError(
            f"input {path} is no product type the markers know: its name matches no L3B or Sentinel-1 pattern and it is no STAC catalog or SAFE product.",
            "E_UNSUPPORTED_PRODUCT",
        )
    return [GeoTiffProduct(found, selection.zero_is_nodata)]


def open_inputs(paths: Sequence[Path], selection: Selection) -> list[RasterProduct]:
    """Every product of the inputs that the selection keeps, in a deterministic order."""
    products: Iterable[RasterProduct] = (p for path in paths for p in _path_products(Path(path), selection))
    kept = [p for p in products if selection.keeps(p)]
    return sorted(kept, key=lambda p: (p.key.token, p.tile or "", p.product_id))
