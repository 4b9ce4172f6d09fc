"""CWL: every file valid, every package OGC-compliant and made from its tool; the parcels tool mirrors its CLI and runs."""

from __future__ import annotations

import importlib.util
import json
import sys
import tomllib
from pathlib import Path

import pytest
from ap_validator.app_package import AppPackage
from cwl_checks import assert_job_names_package_inputs, assert_tool_mirrors_cli, graph, load
from s4c_parcels.cli import main as parcels_cli

REPO = Path(__file__).resolve().parents[1]
CWL = REPO / "cwl"
PARCELS_PACKAGE = CWL / "packages" / "sen4cap_parcels.cwl"
TOOL = CWL / "tools" / "s4c-parcels.cwl"
each_package = pytest.mark.parametrize("package", sorted((CWL / "packages").glob("*.cwl")), ids=lambda p: p.stem)


def _make_package():
    """cwl/make_package.py as a module (cwl/ is not a package)."""
    spec = importlib.util.spec_from_file_location("make_package", CWL / "make_package.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("path", sorted(CWL.rglob("*.cwl")), ids=lambda p: str(p.relative_to(CWL)))
def test_cwl_file_is_valid(path: Path, run_cmd) -> None:
    result = run_cmd([Path(sys.executable).parent / "cwltool", "--validate", path])
    assert "is valid CWL" in result.stdout + result.stderr


@each_package
def test_package_is_ogc_compliant(package: Path) -> None:
    result = AppPackage.from_url(str(package)).check_all(include=["error", "hint"])
    errors = [issue["message"] for issue in result["issues"] if issue["type"] == "error"]
    assert result["valid"], errors
    # The only hints allowed: a processor that stages no EO product (parcels) has no Directory input.
    assert {issue["req"] for issue in result["issues"]} <= {"req-12", "req-13"}, result["issues"]


@each_package
def test_package_metadata(package: Path) -> None:
    document = load(package)
    workflow, tool = graph(package)["Workflow"], graph(package)["CommandLineTool"]
    assert document["cwlVersion"] == "v1.2"
    assert document["$namespaces"]["s"] == "https://schema.org/"
    assert document["s:license"].endswith("Apache-2.0")
    assert document["s:author"] and document["s:license"]

    assert workflow["id"] == package.stem  # the APEx service id names the file
    assert workflow["label"] and workflow["doc"]
    for process in (workflow, tool):
        for name, param in process["inputs"].items():
            assert param.get("label") and param.get("doc"), f"{process['id']} input {name} lacks a label or doc"
    assert set(workflow["inputs"]) == set(tool["inputs"])

    assert "DockerRequirement" in tool["hints"] and "DockerRequirement" not in tool.get("requirements", {})
    resources = tool["requirements"]["ResourceRequirement"]
    assert {"coresMin", "coresMax", "ramMin", "ramMax"} <= set(resources)
    assert resources["coresMin"] <= resources["coresMax"] and resources["ramMin"] <= resources["ramMax"]

    # One version everywhere: the package, the image tag and the Python package.
    command = tool["baseCommand"]
    app = REPO / "apps" / command.removeprefix("s4c-") / "pyproject.toml"
    version = tomllib.loads(app.read_text())["project"]["version"]
    assert document["s:softwareVersion"] == version
    assert tool["hints"]["DockerRequirement"]["dockerPull"] == f"localhost/{command}:{version}"

    assert {"prefix": "--output", "valueFrom": "$(runtime.outdir)"} in tool["arguments"]
    # the STAC catalog directory is the output every platform collects; extra File outputs are for chaining
    output = tool["outputs"]["results"]
    assert output["type"] == "Directory" and output["outputBinding"]["glob"] == "."
    assert workflow["outputs"]["results"]["type"] == "Directory"


@each_package
def test_package_is_generated_from_its_tool(package: Path) -> None:
    tool_id = graph(package)["CommandLineTool"]["id"]
    tool = CWL / "tools" / f"{tool_id.replace('_', '-')}.cwl"
    assert package.read_text(encoding="utf-8") == _make_package().build_package(tool, package.stem), (
        f"{package.relative_to(REPO)} is out of date: run .venv/bin/python cwl/make_package.py {tool.relative_to(REPO)} {package.stem}"
    )


def test_tool_mirrors_the_cli() -> None:
    assert_tool_mirrors_cli(load(TOOL), parcels_cli, {"--declarations": "d.gpkg", "--lut": "lut.csv", "--year": "2021"})


def test_sample_job_names_package_inputs() -> None:
    assert_job_names_package_inputs(CWL / "jobs" / "parcels-sample.yml", PARCELS_PACKAGE)


def test_package_runs_without_container(parcels_host_run: Path) -> None:
    catalog = parcels_host_run / "catalog.json"
    parcels = parcels_host_run / "parcels.csv"
    assert catalog.stat().st_size > 0 and parcels.stat().st_size > 0
    assert any(link["rel"] == "item" and "lpis" in link["href"] for link in json.loads(catalog.read_text())["links"])
    header, *rows = parcels.read_text().splitlines()
    assert header.startswith("NewID,") and rows
