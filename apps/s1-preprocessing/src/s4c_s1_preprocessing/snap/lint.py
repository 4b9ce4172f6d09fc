"""The SNAP graph linter: ``s4c-snap-lint GRAPH.xml... [--snap-version 9..13] [--operators FILE]``.

Each node's operator and every ``<parameters>`` element are checked against the operator descriptors of each chosen
SNAP release (see :mod:`.descriptors`): unknown operator, unknown parameter (SNAP fails with "Unknown element"),
parameter set twice, required parameter missing, and the value (type, value set, interval, pattern; see
:mod:`.values`). The graph's structure is checked once per release (:mod:`.structure`). A graph must be valid for
every chosen release; a finding that holds for some releases only names them.

Findings go to stdout, one per line: ``FILE:LINE: CODE: node 'ID' (OPERATOR): MESSAGE [SNAP 9-13]``.
Exit status 0 when every graph is clean, 1 when there are findings, 3 when the descriptors cannot be read.
"""

from __future__ import annotations

import os
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import click
from s4c_common.errors import InputError

from .. import __version__
from .descriptors import DEFAULT_VERSIONS, OPERATORS_ENV, OperatorCatalog, SnapRelease, load_catalog, parse_versions
from .graphfile import Graph, GraphNode, read_graph
from .structure import structure_problems
from .values import value_problems


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    code: str
    node: str | None
    operator: str | None
    message: str
    versions: tuple[int, ...]

    def __str__(self) -> str:
        where = f"node {self.node!r} ({self.operator}): " if self.node is not None else ""
        return f"{self.path}:{self.line}: {self.code}: {where}{self.message} [{format_versions(self.versions)}]"


def format_versions(versions: tuple[int, ...]) -> str:
    """(8,) -> "SNAP 8"; (9, 10, 11, 13) -> "SNAP 9-11, 13"."""
    runs: list[list[int]] = []
    for version in sorted(versions):
        if runs and version == runs[-1][-1] + 1:
            runs[-1].append(version)
        else:
            runs.append([version])
    return "SNAP " + ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)


# A finding before it is tagged with the releases it holds for: (line, code, node, operator, message).
_Key = tuple[int, str, str | None, str | None, str]


def _node_findings(node: GraphNode, release: SnapRelease, catalog: OperatorCatalog) -> list[_Key]:
    if not node.operator:
        return [(node.line, "unknown-operator", node.id, None, "the node has no <operator>")]
    spec = release.operators.get(node.operator)
    if spec is None:
        return [(node.line, "unknown-operator", node.id, node.operator, f"unknown operator {node.operator!r}")]
    findings: list[_Key] = []
    set_names: Counter[str] = Counter()
    for element in node.parameters:
        parameter = spec.parameter(element.name)
        if parameter is None:
            findings.append((element.line, "unknown-parameter", node.id, node.operator, f"unknown parameter <{element.name}>"))
            continue
        set_names[parameter.name] += 1
        if set_names[parameter.name] == 2:
            findings.append((element.line, "duplicate-parameter", node.id, node.operator, f"parameter {parameter.name} is set more than once"))
        runtime_values = catalog.runtime_value_list(node.operator, parameter.name)
        for problem in value_problems(parameter, element, runtime_values):
            findings.append((element.line, problem.code, node.id, node.operator, f"<{element.name}>: {problem.message}"))
    for parameter in spec.parameters:
        if parameter.required and parameter.name not in set_names:
            findings.append((node.line, "missing-parameter", node.id, node.operator, f"required parameter <{parameter.name}> is not set"))
    return findings


def _release_findings(graph: Graph, release: SnapRelease, catalog: OperatorCatalog) -> list[_Key]:
    def takes_sources(node: GraphNode) -> bool:
        spec = release.operators.get(node.operator)
        return spec is not None and spec.takes_sources

    operators = {n.id: n.operator for n in graph.nodes}
    findings = [(p.line, p.code, p.node, operators.get(p.node) if p.node is not None else None, p.message) for p in structure_problems(graph, takes_sources)]
    for node in graph.nodes:
        findings.extend(_node_findings(node, release, catalog))
    return findings


def lint_graph(graph: Graph, catalog: OperatorCatalog, versions: tuple[int, ...] = DEFAULT_VERSIONS) -> list[Finding]:
    """Every finding for the chosen SNAP major versions, sorted by line; a finding lists the versions it holds for."""
    holds_for: dict[_Key, list[int]] = defaultdict(list)
    for version in versions:
        for key in dict.fromkeys(_release_findings(graph, catalog.release(version), catalog)):
            holds_for[key].append(version)
    findings = [Finding(graph.path, line, code, node, operator, message, tuple(v)) for (line, code, node, operator, message), v in holds_for.items()]
    return sorted(findings, key=lambda f: (f.line, f.code, f.message))


def lint_file(path: str | os.PathLike[str], catalog: OperatorCatalog, versions: tuple[int, ...] = DEFAULT_VERSIONS) -> list[Finding]:
    """Findings for one graph file; a file that is not a readable XML graph is one finding, not an exception."""
    try:
        graph = read_graph(path)
    except InputError as exc:
        return [Finding(str(path), 1, "not-a-graph", None, None, exc.message, tuple(versions))]
    return lint_graph(graph, catalog, versions)


def _versions_option(_ctx: click.Context, _param: click.Parameter, value: str | None) -> tuple[int, ...]:
    if value is None:
        return DEFAULT_VERSIONS
    try:
        return parse_versions(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


@click.command(name="s4c-snap-lint")
@click.version_option(__version__, prog_name="s4c-snap-lint")
@click.argument("graphs", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--snap-version",
    "versions",
    callback=_versions_option,
    help="SNAP major version(s) the graphs must be valid for: 12, 9..13 or 9,12.  [default: 9..13]",
)
@click.option(
    "--operators",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar=OPERATORS_ENV,
    show_envvar=True,
    help="SNAP operator descriptor JSON (the project's reference file, or the one the SNAP image generates).",
)
def main(graphs: tuple[Path, ...], versions: tuple[int, ...], operators: Path | None) -> None:
    """Check SNAP graph XML files against the operator descriptors of SNAP releases; findings on stdout, one per line."""
    try:
        catalog = load_catalog(operators)
        findings = [f for path in graphs for f in lint_file(path, catalog, versions)]
    except InputError as exc:
        click.echo(f"ERROR {exc.code}: {exc.message}", err=True)
        sys.exit(exc.exit_code)
    for finding in findings:
        click.echo(str(finding))
    sys.exit(1 if findings else 0)


if __name__ == "__main__":
    main()
