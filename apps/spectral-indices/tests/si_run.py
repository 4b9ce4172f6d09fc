"""Running the CLI in-process and reading its products back, for the tests."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import rasterio
from click.testing import CliRunner, Result
from s4c_spectral_indices.cli import main


def invoke(*args: object) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def run_ok(*args: object) -> Result:
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    return result


@dataclass
class Product:
    folder: Path
    item: dict
    index: np.ndarray
    flags: np.ndarray
    index_path: Path
    flags_path: Path


def read_product(out: Path, code: str = "NDVI") -> Product:
    """The product of index ``code`` in ``out`` (one input): arrays, item, paths."""
    catalog = json.loads((out / "catalog.json").read_text())
    hrefs = [link["href"] for link in catalog["links"] if link["rel"] == "item"]
    (href,) = [h for h in hrefs if f"L3B{code}_" in h]
    item_path = (out / href).resolve()
    item = json.loads(item_path.read_text())
    index_path = (item_path.parent / item["assets"][f"S{code}"]["href"]).resolve()
    flags_path = (item_path.parent / item["assets"]["MMONODFLG"]["href"]).resolve()
    with rasterio.open(index_path) as src:
        index = src.read(1)
    with rasterio.open(flags_path) as src:
        flags = src.read(1)
    return Product(item_path.parent, item, index, flags, index_path, flags_path)


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
