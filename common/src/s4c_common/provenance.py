"""Provenance fields written into every output STAC item."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version


def package_version(distribution: str) -> str:
    """Installed version of a distribution, ``0+unknown`` when not installed."""
    try:
        return version(distribution)
    except PackageNotFoundError:
        return "0+unknown"


def processing_properties(processor: str, processor_version: str, level: str | None = None) -> dict[str, object]:
    """Properties of the STAC processing extension (no timestamp: outputs stay byte-identical)."""
    props: dict[str, object] = {
        "processing:software": {processor: processor_version, "s4c-common": package_version("s4c-common")},
        "processing:facility": "sen4cap-python",
    }
    if level:
        props["processing:level"] = level
    return props
