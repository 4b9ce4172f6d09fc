"""Input products: STAC catalogs (staged directories) or SAFE folders/zips, opened with s4c_common.s1."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from s4c_common.errors import InputError
from s4c_common.s1.safe import S1Product, open_s1
from s4c_common.stac import StagedItem, read_items

from .products import Acquisition

SAFE_ASSET = "safe-manifest"  # stactools-sentinel1 / s4c-sample items


@dataclass(frozen=True)
class InputProduct:
    path: Path  # SAFE folder or zip
    product: S1Product

    @property
    def name(self) -> str:
        return self.product.name

    @property
    def acquisition(self) -> Acquisition:
        return Acquisition(self.product.mission, self.product.start_time, self.product.relative_orbit)


def _item_product(staged: StagedItem) -> Path | None:
    """The SAFE folder or zip of a STAC item, None for an item that is not a Sentinel-1 SAFE."""
    if SAFE_ASSET in staged.item.assets:
        return Path(staged.asset_path(SAFE_ASSET)).parent
    for key, asset in sorted(staged.item.assets.items()):
        if asset.href.lower().endswith((".zip", ".safe")) and Path(asset.href).name.upper().startswith("S1"):
            return Path(staged.asset_path(key))
    return None


def product_paths(inputs: list[Path]) -> list[Path]:
    """SAFE paths named by the inputs (a STAC catalog directory/file, a SAFE folder, its manifest, or a zip)."""
    paths: list[Path] = []
    for entry in inputs:
        if not entry.exists():
            raise InputError(f"input {entry} does not exist.", "E_INPUT_NOT_FOUND")
        is_catalog = (entry.is_dir() and (entry / "catalog.json").exists()) or entry.suffix.lower() == ".json"
        if not is_catalog:
            paths.append(entry.parent if entry.name == "manifest.safe" else entry)
            continue
        found = [p for p in (_item_product(staged) for staged in read_items(entry)) if p is not None]
        if not found:
            raise InputError(f"STAC catalog {entry} holds no Sentinel-1 SAFE product.", "E_INPUT_NOT_FOUND")
        paths.extend(found)
    return paths


def open_inputs(inputs: list[Path]) -> list[InputProduct]:
    """Every distinct product, sorted by start time then name (deterministic processing order)."""
    products: dict[str, InputProduct] = {}
    for path in product_paths(inputs):
        product = open_s1(path)
        if product.mode != "IW":
            raise InputError(f"{product.name} is a {product.mode} product; the processor handles IW GRD and SLC.", "E_UNSUPPORTED_PRODUCT")
        if product.product_type not in ("GRD", "SLC"):
            raise InputError(f"{product.name} is a {product.product_type} product; expected IW GRD or SLC.", "E_UNSUPPORTED_PRODUCT")
        products.setdefault(product.name, InputProduct(path, product))
    return sorted(products.values(), key=lambda p: (p.product.start_time, p.name))
