"""Operator descriptors of the installed SNAP, read through esa_snappy's operator registry.

``installed_catalog()`` returns None when esa_snappy cannot be imported (it is only in the SNAP image); otherwise the
back end lints its graphs against the operators actually installed instead of the reference file. The same code
writes the descriptor file of the SNAP image at build time, in the layout of :mod:`.descriptors`::

    python -m s4c_s1_preprocessing.snap.installed /opt/snap/s4c-snap-operators.json

It reads, for every operator SPI of ``GPF.getDefaultInstance().getOperatorSpiRegistry()``, the
OperatorDescriptor (alias, version, source products, ParameterDescriptors: name, alias, item alias, Java type,
default, value set, interval, pattern, notNull, notEmpty, DOM converter), plus the DEM names of the
ElevationModelRegistry and the writer formats of the ProductIOPlugInManager (the value lists SNAP registers at run
time). Nothing of it runs on machines without SNAP; tests cover the import guard only.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from .descriptors import OperatorCatalog, catalog_from_dict


def _strings(java_array: Any) -> list[str]:
    return [str(item) for item in java_array] if java_array is not None else []


def _items(java_collection: Any) -> list[Any]:
    iterator = java_collection.iterator()
    items = []
    while iterator.hasNext():
        items.append(iterator.next())
    return items


def _parameter(descriptor: Any) -> dict[str, Any]:
    name, alias = str(descriptor.getName()), descriptor.getAlias()
    entry: dict[str, Any] = {
        "name": name,
        "xmlNames": [name, str(alias)] if alias and str(alias) != name else [name],
        "type": str(descriptor.getDataType().getSimpleName()),
        "notNull": "true" if descriptor.isNotNull() else "false",
        "notEmpty": "true" if descriptor.isNotEmpty() else "false",
    }
    for key, value in (
        ("alias", alias),
        ("defaultValue", descriptor.getDefaultValue()),
        ("interval", descriptor.getInterval()),
        ("pattern", descriptor.getPattern()),
        ("itemAlias", descriptor.getItemAlias()),
    ):
        if value:
            entry[key] = str(value)
    value_set = _strings(descriptor.getValueSet())
    if value_set:
        entry["valueSet"] = value_set
    if descriptor.getDomConverterClass() is not None:
        entry["domConverter"] = str(descriptor.getDomConverterClass().getSimpleName())
    return entry


def _sources(descriptor: Any) -> list[dict[str, str]]:
    sources = [
        {"kind": "SourceProduct", "field": str(s.getName()), "alias": str(s.getAlias() or ""), "optional": "true" if s.isOptional() else "false"}
        for s in descriptor.getSourceProductDescriptors()
    ]
    if descriptor.getSourceProductsDescriptor() is not None:
        sources.append({"kind": "SourceProducts", "field": str(descriptor.getSourceProductsDescriptor().getName())})
    return sources


def describe_installed(snappy: Any) -> dict[str, Any]:
    """The descriptor document of the SNAP that the esa_snappy module ``snappy`` is bound to."""
    jpy = snappy.jpy
    release = str(jpy.get_type("org.esa.snap.core.util.SystemUtils").getReleaseVersion())
    operators = {}
    for spi in _items(snappy.GPF.getDefaultInstance().getOperatorSpiRegistry().getOperatorSpis()):
        descriptor = spi.getOperatorDescriptor()
        alias = str(descriptor.getAlias() or descriptor.getName())
        operators[alias] = {
            "alias": alias,
            "class": str(descriptor.getName()),
            "version": str(descriptor.getVersion() or ""),
            "parameters": [_parameter(p) for p in descriptor.getParameterDescriptors()],
            "sources": _sources(descriptor),
        }
    dems = jpy.get_type("org.esa.snap.dem.dataio.ElevationModelRegistry").getInstance().getAllDescriptors()
    writers = jpy.get_type("org.esa.snap.core.dataio.ProductIOPlugInManager").getInstance().getAllProductWriterFormatStrings()
    return {
        "_meta": {"title": f"SNAP {release} operator descriptors, read from the installed SNAP through esa_snappy"},
        "versions": {f"SNAP {release} (installed)": {"operators": operators}},
        "runtime_value_lists": {
            "demName": {"values": sorted({str(d.getName()) for d in dems} | {"External DEM"})},
            "Write_formatName": {"values": sorted(_strings(writers))},
        },
    }


def installed_catalog() -> OperatorCatalog | None:
    """The installed SNAP's descriptors, None when esa_snappy is not importable."""
    try:
        import esa_snappy
    except ImportError:
        return None
    return catalog_from_dict(describe_installed(esa_snappy), "the installed SNAP (esa_snappy)")


def main(argv: list[str] | None = None) -> int:
    """Write the installed SNAP's descriptor file (the SNAP image runs this at build time)."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m s4c_s1_preprocessing.snap.installed OUTPUT.json", file=sys.stderr)
        return 2
    try:
        import esa_snappy
    except ImportError as exc:
        print(f"ERROR E_BACKEND: esa_snappy is not importable ({exc}); configure it for the installed SNAP first.", file=sys.stderr)
        return 5
    Path(args[0]).write_text(json.dumps(describe_installed(esa_snappy), indent=1, sort_keys=True), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
