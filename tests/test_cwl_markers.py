"""The markers CommandLineTool and application package: validity, OGC compliance, metadata, a run without container."""

from __future__ import annotations

import json
import sys
import tomllib
from pathlib import Path
from typing import Any

import click
import pyarrow.parquet as pq
import pytest
import yaml
from ap_validator.app_package import AppPackage
from s4c_markers.cli import main as markers_cli

REPO = Path(__file__).resolve().parents[1]
CWL = REPO / "cwl"
PACKAGE = CWL / "packages" / "sen4cap_l3_basic_markers.cwl"
TOOL = CWL / "tools" / "s4c-markers.cwl"
VENV_BIN = Path(sys.executable).parent


def _load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _graph(path: Path) -> dict[str, dict[str, Any]]:
    return {process["class"]: process for process in _load(path)["$graph"]}


@pytest.mark.parametrize("path", [TOOL, PACKAGE], ids=lambda p: p.name)
def test_cwl_file_is_valid(path: Path, run_cmd) -> None:
    result = run_cmd([VENV_BIN / "cwltool", "--validate", path])
    assert "is valid CWL" in result.stdout + result.stderr


def test_package_is_ogc_compliant() -> None:
    result = AppPackage.from_url(str(PACKAGE)).check_all(include=["error", "hint"])
    errors = [issue["message"] for issue in result["issues"] if issue["type"] == "error"]
    assert result["valid"], errors
    assert not [issue for issue in result["issues"] if issue["type"] == "hint"], result["issues"]


def test_package_metadata() -> None:
    package = _load(PACKAGE)
    graph = _graph(PACKAGE)
    workflow, tool = graph["Workflow"], graph["CommandLineTool"]
    assert package["cwlVersion"] == "v1.2" and package["s:license"].endswith("Apache-2.0")
    assert workflow["id"] == "sen4cap_l3_basic_markers" and workflow["label"] and workflow["doc"]
    for process in (workflow, tool):
        for name, param in process["inputs"].items():
            assert param.get("label") and param.get("doc"), f"{process['id']} input {name} lacks a label or doc"
    assert set(workflow["inputs"]) == set(tool["inputs"])
    assert workflow["inputs"]["input"]["type"] == {"type": "array", "items": "Directory"}
    assert workflow["inputs"]["parcels"]["type"] == "File"
    assert "DockerRequirement" in tool["hints"] and "DockerRequirement" not in tool.get("requirements", {})
    resources = tool["requirements"]["ResourceRequirement"]
    assert {"coresMin", "coresMax", "ramMin", "ramMax"} <= set(resources)
    version = tomllib.loads((REPO / "apps" / "markers" / "pyproject.toml").read_text())["project"]["version"]
    assert package["s:softwareVersion"] == version
    assert tool["hints"]["DockerRequirement"]["dockerPull"] == f"localhost/s4c-markers:{version}"
    assert tool["baseCommand"] == "s4c-markers"
    assert {"prefix": "--output", "valueFrom": "$(runtime.outdir)"} in tool["arguments"]
    (output,) = tool["outputs"].values()
    assert output["type"] == "Directory" and output["outputBinding"]["glob"] == "."


def _binding_prefix(param: dict[str, Any]) -> str | None:
    nested = param["type"].get("inputBinding", {}) if isinstance(param["type"], dict) else {}
    return param.get("inputBinding", {}).get("prefix") or nested.get("prefix")


def test_tool_mirrors_the_cli() -> None:
    """Every CLI option but the plumbing is an input with the CLI's default; --vvvh (default on) is exposed as --no-vvvh."""
    tool = _load(TOOL)
    options = {opt: p for p in markers_cli.params if isinstance(p, click.Option) for opt in (*p.opts, *p.secondary_opts) if opt.startswith("--")}
    not_exposed = {"--help", "--version", "--params-file", "--output", "--vvvh"}
    by_prefix = {_binding_prefix(param): (name, param) for name, param in tool["inputs"].items()}
    assert set(by_prefix) == set(options) - not_exposed
    given = {"--input": "x", "--parcels": "p.parquet"}
    defaults = markers_cli.make_context("s4c-markers", [arg for item in given.items() for arg in item]).params
    for prefix, (name, param) in by_prefix.items():
        option = options[prefix]
        if prefix in given or callable(option.default):
            assert "default" not in param, name
            continue
        if prefix == "--no-vvvh":
            assert param["default"] is (not defaults["vvvh"])
            continue
        value = defaults[option.name]
        expected = list(value) if option.multiple else value
        if expected is None:
            assert "default" not in param and param["type"].endswith("?"), name
        else:
            assert param.get("default") == expected, f"{name}: CWL default {param.get('default')!r}, CLI {expected!r}"
        if isinstance(option.type, click.Choice) and not option.multiple:
            assert param["type"]["symbols"] == list(option.type.choices), name


def test_sample_job_names_package_inputs() -> None:
    job = _load(CWL / "jobs" / "markers-sample.yml")
    workflow = _graph(PACKAGE)["Workflow"]
    assert set(job) <= set(workflow["inputs"])
    required = {name for name, p in workflow["inputs"].items() if "default" not in p and not str(p["type"]).endswith("?")}
    assert required <= set(job)


@pytest.fixture(scope="session")
def ndvi_products(sample_scene: Path, run_cmd, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("l3b-ndvi")
    run_cmd([VENV_BIN / "s4c-spectral-indices", "--input", sample_scene / "S2", "--index", "NDVI", "--output", out, "--quiet"])
    return out


def test_package_runs_without_container(parcels_host_run: Path, ndvi_products: Path, cwltool, tmp_path: Path) -> None:
    job = tmp_path / "job.yml"
    job.write_text(yaml.safe_dump({
        "input": [{"class": "Directory", "path": str(ndvi_products)}],
        "parcels": {"class": "File", "path": str(parcels_host_run / "decl_site_2021.parquet")},
        "stats": ["valid_pixels_cnt"],
        "long": True,
    }), encoding="utf-8")
    out = cwltool(["--no-container"], f"{PACKAGE}#sen4cap_l3_basic_markers", job, tmp_path / "out")
    catalog = json.loads((out / "catalog.json").read_text())
    assert any(link["rel"] == "item" and "markers" in link["href"] for link in catalog["links"])
    table = pq.read_table(out / "markers.parquet")
    assert table.column_names[0] == "NewID" and any(name.endswith("_mean_NDVI") for name in table.column_names)
    assert (out / "markers_long.parquet").exists()
