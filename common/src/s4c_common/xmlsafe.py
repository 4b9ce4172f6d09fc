"""XML parsing that never resolves external entities nor touches the network.

Product metadata (SAFE manifests, MTD files, annotations) come from outside;
a crafted DOCTYPE must not make the processor read local files or URLs.
"""

from __future__ import annotations

import os

from lxml import etree

from .errors import InputError


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def parse_xml(source: str | os.PathLike[str] | bytes, name: str | None = None) -> etree._Element:
    """The root element of an XML file (path) or document (bytes).

    ``name`` labels the document in error messages when ``source`` is bytes.
    Raises InputError ``E_READ`` if the file cannot be read and ``E_BAD_XML`` if it is not well-formed XML.
    """
    label = name or ("XML document" if isinstance(source, bytes) else str(source))
    if isinstance(source, bytes):
        data = source
    else:
        try:
            with open(source, "rb") as f:
                data = f.read()
        except OSError as exc:
            raise InputError(f"cannot read XML file {label}: {exc.strerror or exc}.", "E_INPUT_NOT_FOUND") from exc
    try:
        return etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise InputError(f"{label} is not well-formed XML: {exc}.", "E_INPUT_NOT_FOUND") from exc
