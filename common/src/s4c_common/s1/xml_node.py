"""Typed access to the elements of SAFE XML files, with errors that name the file.

Annotation, calibration and noise files carry no namespace; the manifest uses
the SAFE namespaces below, which every query may use through their prefixes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from lxml import etree

from ..errors import InputError
from ..xmlsafe import parse_xml

SAFE_NAMESPACES = {
    "xfdu": "urn:ccsds:schema:xfdu:1",
    "safe": "http://www.esa.int/safe/sentinel-1.0",
    "s1": "http://www.esa.int/safe/sentinel-1.0/sentinel-1",
    "s1sar": "http://www.esa.int/safe/sentinel-1.0/sentinel-1/sar",
    "s1sarl1": "http://www.esa.int/safe/sentinel-1.0/sentinel-1/sar/level-1",
    "gml": "http://www.opengis.net/gml",
}


def utc_time(text: str) -> np.datetime64:
    """An S1 UTC time string (``2021-04-01T05:26:24.209990``, no zone) as datetime64[ns]."""
    return np.datetime64(text.strip().removesuffix("Z"), "ns")


@dataclass(frozen=True)
class XmlNode:
    """One element of a parsed XML file; ``source`` names the file in error messages."""

    element: etree._Element
    source: str

    @classmethod
    def parse(cls, data: bytes, source: str) -> XmlNode:
        return cls(parse_xml(data, name=source), source)

    def _missing(self, path: str) -> InputError:
        return InputError(f"{self.source} has no <{path}> element: the SAFE product is incomplete or corrupt.", "E_BAD_SAFE")

    def find(self, path: str) -> XmlNode:
        element = self.element.find(path, SAFE_NAMESPACES)
        if element is None:
            raise self._missing(path)
        return XmlNode(element, self.source)

    def find_optional(self, path: str) -> XmlNode | None:
        element = self.element.find(path, SAFE_NAMESPACES)
        return None if element is None else XmlNode(element, self.source)

    def findall(self, path: str) -> list[XmlNode]:
        return [XmlNode(e, self.source) for e in self.element.findall(path, SAFE_NAMESPACES)]

    def text(self, path: str = ".") -> str:
        node = self.find(path)
        if node.element.text is None:
            raise self._missing(path)
        return node.element.text.strip()

    def texts(self, path: str) -> list[str]:
        return [(e.text or "").strip() for e in self.element.findall(path, SAFE_NAMESPACES)]

    def attribute(self, name: str) -> str:
        value = self.element.get(name)
        if value is None:
            raise InputError(f"{self.source}: <{self.element.tag}> has no '{name}' attribute.", "E_BAD_SAFE")
        return value

    def _convert(self, path: str, kind: type) -> float | int:
        text = self.text(path)
        try:
            return kind(text)
        except ValueError as exc:
            raise InputError(f"{self.source}: <{path}> is not a number: {text!r}.", "E_BAD_SAFE") from exc

    def number(self, path: str) -> float:
        return float(self._convert(path, float))

    def integer(self, path: str) -> int:
        return int(self._convert(path, int))

    def numbers(self, path: str, dtype: type = np.float64) -> np.ndarray:
        """A space-separated list of numbers, e.g. ``<pixel count="657">0 40 80 ...</pixel>``."""
        text = self.text(path)
        try:
            return np.array(text.split(), dtype=dtype)
        except ValueError as exc:
            raise InputError(f"{self.source}: <{path}> is not a list of numbers.", "E_BAD_SAFE") from exc

    def time(self, path: str) -> np.datetime64:
        text = self.text(path)
        try:
            return utc_time(text)
        except ValueError as exc:
            raise InputError(f"{self.source}: <{path}> is not a UTC time: {text!r}.", "E_BAD_SAFE") from exc
