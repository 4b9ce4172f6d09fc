"""Structural checks of a SNAP graph, independent of any operator's parameters.

gpt refuses a graph whose sources name no node ("Node [...] not found") or that loops; a graph without a Write node
computes nothing to disk; a graph without an input has nothing to compute; reading the same file with two Read
nodes doubles the I/O and, for BEAM-DIMAP intermediates, can race with the Write of an earlier step.
Source references holding a template variable (``${sourceProduct1}``) are inputs that gpt binds to Read nodes it
adds from ``-S<name>=<file>``; they count as inputs and are not resolved here.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from .graphfile import Graph, GraphNode, is_placeholder

INPUT_FILE_PARAMETERS = {"Read": "file", "ProductSet-Reader": "fileList"}


@dataclass(frozen=True)
class StructureProblem:
    code: str  # duplicate-node-id, dangling-source, cycle, missing-source, no-input, no-write, duplicate-read
    line: int
    node: str | None
    message: str


def _duplicate_ids(graph: Graph) -> list[StructureProblem]:
    counts = Counter(n.id for n in graph.nodes)
    return [StructureProblem("duplicate-node-id", n.line, n.id, f"node id {n.id!r} is used by {counts[n.id]} nodes") for n in graph.nodes if counts[n.id] > 1]


def _dangling_sources(graph: Graph) -> list[StructureProblem]:
    ids = {n.id for n in graph.nodes}
    return [
        StructureProblem("dangling-source", s.line, n.id, f"source <{s.name}> refers to {s.refid!r}, which is not a node of the graph")
        for n in graph.nodes
        for s in n.sources
        if s.refid not in ids and not is_placeholder(s.refid)
    ]


def _cycles(graph: Graph) -> list[StructureProblem]:
    """One problem per cycle, found by depth-first search over the resolved source edges."""
    nodes = {n.id: n for n in graph.nodes}
    edges = {n.id: [s.refid for s in n.sources if s.refid in nodes] for n in graph.nodes}
    state: dict[str, int] = defaultdict(int)  # 0 unvisited, 1 on the current path, 2 done
    problems: list[StructureProblem] = []

    def visit(node_id: str, path: list[str]) -> None:
        state[node_id] = 1
        path.append(node_id)
        for target in edges[node_id]:
            if state[target] == 1:
                loop = [*path[path.index(target) :], target]
                problems.append(StructureProblem("cycle", nodes[target].line, target, "nodes form a cycle: " + " -> ".join(loop)))
            elif state[target] == 0:
                visit(target, path)
        path.pop()
        state[node_id] = 2

    for node_id in nodes:
        if state[node_id] == 0:
            visit(node_id, [])
    return problems


def _missing_sources(graph: Graph, takes_sources: Callable[[GraphNode], bool]) -> list[StructureProblem]:
    return [
        StructureProblem("missing-source", n.line, n.id, f"operator {n.operator} needs a source product, but the node has no <sources>")
        for n in graph.nodes
        if not n.sources and takes_sources(n)
    ]


def _inputs_and_outputs(graph: Graph, takes_sources: Callable[[GraphNode], bool]) -> list[StructureProblem]:
    problems = []
    readers = [n for n in graph.nodes if not n.sources and not takes_sources(n)]
    external = any(is_placeholder(s.refid) for n in graph.nodes for s in n.sources)
    if not readers and not external:
        problems.append(StructureProblem("no-input", 1, None, "the graph reads no product: it has no Read node and no ${...} source"))
    if not graph.by_operator("Write"):
        problems.append(StructureProblem("no-write", 1, None, "the graph has no Write node, so gpt writes nothing"))
    return problems


def _duplicate_reads(graph: Graph) -> list[StructureProblem]:
    readers_of: dict[str, list[GraphNode]] = defaultdict(list)
    for node in graph.nodes:
        parameter = INPUT_FILE_PARAMETERS.get(node.operator)
        text = node.parameter(parameter) if parameter else None
        files = {f.strip() for f in text.split(",")} if text and node.operator == "ProductSet-Reader" else {text} if text else set()
        for file in files:
            readers_of[file].append(node)
    problems = []
    for file, nodes in readers_of.items():
        for node in nodes[1:]:
            others = ", ".join(repr(n.id) for n in nodes if n is not node)
            problems.append(
                StructureProblem("duplicate-read", node.line, node.id, f"input {file!r} is also read by {others}: read each input once and share the node")
            )
    return problems


def structure_problems(graph: Graph, takes_sources: Callable[[GraphNode], bool]) -> list[StructureProblem]:
    """Every structural problem; ``takes_sources(node)`` tells whether the node's operator needs a source product."""
    return [
        *_duplicate_ids(graph),
        *_dangling_sources(graph),
        *_cycles(graph),
        *_missing_sources(graph, takes_sources),
        *_inputs_and_outputs(graph, takes_sources),
        *_duplicate_reads(graph),
    ]
