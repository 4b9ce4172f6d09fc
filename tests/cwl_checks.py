"""Helpers shared by the CWL tests: reading packages and the options their tool inputs set."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import yaml

REPO = Path(__file__).resolve().parents[1]
CWL = REPO / "cwl"


def load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text())


def graph(path: Path) -> dict[str, dict[str, Any]]:
    """The processes of a ``$graph`` package by class (Workflow, CommandLineTool)."""
    return {process["class"]: process for process in load(path)["$graph"]}


def binding_prefix(param: dict[str, Any]) -> str | None:
    """The option a tool input sets: its own prefix, or its array items' prefix."""
    nested = param["type"].get("inputBinding", {}) if isinstance(param["type"], dict) else {}
    return param.get("inputBinding", {}).get("prefix") or nested.get("prefix")


def assert_tool_mirrors_cli(tool: dict[str, Any], command: click.Command, given: dict[str, str], special: set[str] = frozenset()) -> None:
    """Every CLI option but the plumbing is a tool input, with the CLI's default and choices.

    ``given``: values for the required options; ``special``: prefixes the caller checks itself.
    """
    options = {opt: p for p in command.params if isinstance(p, click.Option) for opt in p.opts + p.secondary_opts if opt.startswith("--")}
    by_prefix = {binding_prefix(param): (name, param) for name, param in tool["inputs"].items()}
    assert set(by_prefix) <= set(options), f"inputs for unknown options: {set(by_prefix) - set(options)}"
    plumbing = {"help", "version", "params_file", "output"}
    exposed = {options[prefix].name for prefix in by_prefix}  # a flag pair is exposed by either of its options
    missing = {p.name for p in command.params if isinstance(p, click.Option) and p.name not in plumbing} - exposed
    assert not missing, f"options without a tool input: {missing}"
    cli_defaults = command.make_context(command.name or "cli", [arg for item in given.items() for arg in item]).params
    for prefix, (name, param) in by_prefix.items():
        option = options[prefix]
        if prefix in special:
            continue
        if prefix in given or callable(option.default):  # required, or computed at run time (workers)
            assert "default" not in param, name
            continue
        value = cli_defaults[option.name]
        expected = list(value) if option.multiple else value
        if expected is None:
            assert "default" not in param and param["type"].endswith("?"), name
        else:
            assert param.get("default") == expected, f"{name}: CWL default {param.get('default')!r}, CLI {expected!r}"
        if isinstance(option.type, click.Choice) and not option.multiple:
            assert param["type"]["symbols"] == list(option.type.choices), name


def assert_job_names_package_inputs(job_path: Path, package: Path) -> None:
    """An example job sets only inputs of the package's Workflow, and every required one."""
    job = load(job_path)
    workflow = graph(package)["Workflow"]
    assert set(job) <= set(workflow["inputs"])
    required = {name for name, p in workflow["inputs"].items() if "default" not in p and not str(p["type"]).endswith("?")}
    assert required <= set(job)
