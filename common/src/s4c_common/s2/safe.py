"""Locate the parts of an L2A product delivered as a ``.SAFE`` folder or a zip of it.

Zips are read in place through GDAL's ``/vsizip/`` (never extracted); a zip whose member names are
absolute or contain ``..`` is refused as a whole, whatever member the reader would use.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from lxml import etree

from ..errors import InputError
from ..xmlsafe import parse_xml
from .bands import IMAGE_NAME_PATTERN, NATIVE_RESOLUTION
from .metadata import ProductMetadata, parse_product_metadata

PRODUCT_METADATA = "MTD_MSIL2A.xml"
L1C_METADATA = "MTD_MSIL1C.xml"
GRANULE_METADATA = "MTD_TL.xml"


@dataclass(frozen=True)
class ProductFiles:
    """Metadata and band files of one product, whatever it was delivered as."""

    label: str  # path or item id, for messages
    metadata: ProductMetadata
    band_paths: dict[str, str]  # band or SCL → GDAL path of the file at (preferably) native resolution
    granule_root: etree._Element | None  # parsed MTD_TL.xml, if the product has one
    granule_label: str


def is_unsafe_member(name: str) -> bool:
    """True for archive member names that could leave the extraction folder (absolute, drive letter, ``..``)."""
    posix = name.replace("\\", "/")
    return posix.startswith("/") or (len(posix) > 1 and posix[1] == ":") or ".." in PurePosixPath(posix).parts


def vsizip_path(archive: Path) -> str:
    """GDAL path of a zip; the braces keep it intact through ``pathlib`` normalisation (no ``//``)."""
    return f"/vsizip/{{{archive.resolve()}}}"


def select_band_files(relative_paths: Iterable[str]) -> dict[str, str]:
    """Band → image path, preferring the band's native resolution, then the finest one present."""
    candidates: dict[str, list[tuple[bool, int, str]]] = {}
    for path in relative_paths:
        if "/IMG_DATA/" not in f"/{path}":
            continue
        match = IMAGE_NAME_PATTERN.search(path)
        if match:
            band, resolution = match.group(1), int(match.group(2))
            candidates.setdefault(band, []).append((resolution != NATIVE_RESOLUTION.get(band), resolution, path))
    return {band: min(options)[2] for band, options in sorted(candidates.items())}


def _granule_metadata_path(relative_paths: Iterable[str]) -> str | None:
    matches = sorted(p for p in relative_paths if p.startswith("GRANULE/") and p.endswith(f"/{GRANULE_METADATA}") and p.count("/") == 2)
    return matches[0] if matches else None


def _not_l2a(label: str, has_l1c: bool) -> InputError:
    what = "a Level-1C product" if has_l1c else f"not a Sentinel-2 L2A SAFE product (no {PRODUCT_METADATA})"
    return InputError(f"{label} is {what}; give an L2A .SAFE folder, its zip or a STAC item.", "E_UNSUPPORTED_PRODUCT")


def folder_files(folder: Path) -> ProductFiles:
    """Parts of an unpacked ``.SAFE`` folder."""
    label = str(folder)
    if not (folder / PRODUCT_METADATA).is_file():
        raise _not_l2a(label, (folder / L1C_METADATA).is_file())
    metadata = parse_product_metadata(parse_xml(folder / PRODUCT_METADATA), str(folder / PRODUCT_METADATA))
    granule = folder / "GRANULE"
    relative = sorted(p.relative_to(folder).as_posix() for p in granule.rglob("*") if p.is_file()) if granule.is_dir() else []
    tile_metadata = _granule_metadata_path(relative)
    return ProductFiles(
        label=label,
        metadata=metadata,
        band_paths={band: str(folder / path) for band, path in select_band_files(relative).items()},
        granule_root=None if tile_metadata is None else parse_xml(folder / tile_metadata),
        granule_label=str(folder / tile_metadata) if tile_metadata else label,
    )


def zip_files(archive: Path) -> ProductFiles:
    """Parts of a zipped ``.SAFE`` (the folder inside the zip, or the SAFE content at the zip root)."""
    label = str(archive)
    try:
        with zipfile.ZipFile(archive) as zf:
            names = zf.namelist()
            unsafe = [name for name in names if is_unsafe_member(name)]
            if unsafe:
                raise InputError(
                    f"zip {label} holds member {unsafe[0]!r} whose path leaves the product folder; refusing to read it.",
                    "E_INPUT_NOT_FOUND",
                )
            roots = sorted(n for n in names if n.rsplit("/", 1)[-1] == PRODUCT_METADATA and n.count("/") <= 1)
            if not roots:
                raise _not_l2a(label, any(n.endswith(L1C_METADATA) for n in names))
            prefix = roots[0][: -len(PRODUCT_METADATA)]
            metadata = parse_product_metadata(parse_xml(zf.read(roots[0]), f"{label}:{roots[0]}"), f"{label}:{roots[0]}")
            relative = sorted(n[len(prefix) :] for n in names if n.startswith(prefix) and not n.endswith("/"))
            tile_metadata = _granule_metadata_path(relative)
            granule_root = None if tile_metadata is None else parse_xml(zf.read(prefix + tile_metadata), f"{label}:{prefix}{tile_metadata}")
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(f"cannot read zip {label}: {exc}.", "E_INPUT_NOT_FOUND") from exc
    vsi = f"{vsizip_path(archive)}/{prefix}"
    return ProductFiles(
        label=label,
        metadata=metadata,
        band_paths={band: vsi + path for band, path in select_band_files(relative).items()},
        granule_root=granule_root,
        granule_label=f"{label}:{prefix}{tile_metadata}" if tile_metadata else label,
    )


def safe_files(path: Path) -> ProductFiles:
    """Parts of a ``.SAFE`` folder or zip."""
    if path.is_dir():
        return folder_files(path)
    if zipfile.is_zipfile(path):
        return zip_files(path)
    raise InputError(f"{path} is neither a .SAFE folder nor a zip of one.", "E_UNSUPPORTED_PRODUCT")
