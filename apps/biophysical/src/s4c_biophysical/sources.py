"""Input products: ``--input`` values opened as L2A products, and reader errors in the spec's codes.

An input is a folder holding a STAC ``catalog.json`` (every item is a product), a STAC catalog or item
JSON file, a ``.SAFE`` folder or a zip of one.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from s4c_common.errors import InputError
from s4c_common.s2 import L2AProduct, open_l2a
from s4c_common.stac import CATALOG_FILE, read_items


@dataclass(frozen=True)
class Source:
    """One input product and the href its outputs are ``derived_from``."""

    product: L2AProduct
    href: str


def open_sources(inputs: Sequence[str | os.PathLike[str]]) -> list[Source]:
    """Every product named by ``inputs``, in the given order (items of a catalog by datetime, then id)."""
    if not inputs:
        raise InputError("no input product; give --input with a STAC catalog folder, a .SAFE folder or zip, or an item JSON.", "E_INPUT_NOT_FOUND")
    sources: list[Source] = []
    for value in inputs:
        path = Path(value)
        if (path.is_dir() and (path / CATALOG_FILE).is_file()) or path.suffix.lower() == ".json":
            for staged in read_items(path):
                sources.append(Source(open_l2a(staged), staged.item.get_self_href() or staged.item.id))
        else:
            sources.append(Source(open_l2a(path), str(path.resolve())))
    return sources
