"""A SNAP graph XML file read into plain records (nodes, their sources and parameter elements).

Parsing goes through :func:`s4c_common.xmlsafe.parse_xml`: a graph is user input, and a crafted DOCTYPE must not make
the linter read local files or URLs. Only the ``<node>`` children of ``<graph>`` are nodes; the ``<node>`` elements
under ``<applicationData>`` are the Graph Builder's layout and are ignored. Comments are skipped.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from lxml import etree
from s4c_common.errors import InputError
from s4c_common.xmlsafe import parse_xml


def is_placeholder(text: str) -> bool:
    """A template variable (``${sourceProduct}``, ``$LOCATION/x.dim``): gpt ``-P`` or the caller substitutes it before the run."""
    return "$" in text


@dataclass(frozen=True)
class SourceRef:
    name: str  # the element name, e.g. sourceProduct, sourceProduct.2
    refid: str  # the id of the node it reads from (refid attribute, or the element text in older graphs)
    line: int


@dataclass(frozen=True)
class ParameterElement:
    name: str
    text: str  # stripped text content; "" for an empty element
    items: tuple[str, ...] | None  # texts of the child elements when the element has any (arrays written item-wise)
    line: int


@dataclass(frozen=True)
class GraphNode:
    id: str
    operator: str
    sources: tuple[SourceRef, ...]
    parameters: tuple[ParameterElement, ...]
    line: int

    def parameter(self, name: str) -> str | None:
        """The text of a parameter element, None when the node does not set it."""
        return next((p.text for p in self.parameters if p.name == name), None)


@dataclass(frozen=True)
class Graph:
    path: str
    nodes: tuple[GraphNode, ...]

    def by_operator(self, operator: str) -> list[GraphNode]:
        return [n for n in self.nodes if n.operator == operator]


def _elements(parent: etree._Element | None) -> list[etree._Element]:
    return [] if parent is None else [child for child in parent if isinstance(child.tag, str)]


def _text(element: etree._Element) -> str:
    return (element.text or "").strip()


def _source(element: etree._Element) -> SourceRef:
    return SourceRef(name=element.tag, refid=element.get("refid", _text(element)).strip(), line=element.sourceline or 0)


def _parameter(element: etree._Element) -> ParameterElement:
    children = _elements(element)
    return ParameterElement(
        name=element.tag,
        text=_text(element),
        items=tuple(_text(c) for c in children) if children else None,
        line=element.sourceline or 0,
    )


def _node(element: etree._Element) -> GraphNode:
    operator = element.find("operator")
    return GraphNode(
        id=element.get("id", ""),
        operator=_text(operator) if operator is not None else "",
        sources=tuple(_source(s) for s in _elements(element.find("sources"))),
        parameters=tuple(_parameter(p) for p in _elements(element.find("parameters"))),
        line=element.sourceline or 0,
    )


def graph_from_element(root: etree._Element, path: str) -> Graph:
    if root.tag != "graph":
        raise InputError(f"{path} is not a SNAP graph: its root element is <{root.tag}>, not <graph>.", "E_SCHEMA")
    return Graph(path=path, nodes=tuple(_node(n) for n in root.findall("node")))


def read_graph(source: str | os.PathLike[str] | bytes, name: str | None = None) -> Graph:
    """The graph in a file (path) or document (bytes); InputError when it is unreadable, not XML or not a graph."""
    label = name or ("graph document" if isinstance(source, bytes) else str(source))
    return graph_from_element(parse_xml(source, label), label)
