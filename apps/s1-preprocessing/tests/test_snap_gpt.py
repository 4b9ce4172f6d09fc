"""The gpt runner, the SNAP version check and the esa_snappy guard, with stand-in gpt executables."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest
from s4c_common.errors import EXIT_EXTERNAL, ExternalError, InputError
from s4c_s1_preprocessing.snap import installed
from s4c_s1_preprocessing.snap.gpt import LOG_TAIL_LINES, GptRunner
from s4c_s1_preprocessing.snap.graphs import GraphBuilder, read, write
from s4c_s1_preprocessing.snap.version import require_release, snap_release
from snap_helpers import standin_calls, write_gpt_standin


@pytest.fixture
def graph(tmp_path) -> tuple[Path, Path]:
    """A Read -> Write (BEAM-DIMAP) graph file and the product it writes."""
    source = tmp_path / "input.dim"
    source.write_text("<Dimap_Document/>")
    target = tmp_path / "copy.dim"
    builder = GraphBuilder("copy")
    builder.add("Write", write(target, "BEAM-DIMAP"), builder.add("Read", read(source)))
    return builder.write(tmp_path / "copy.xml"), target


def test_runs_gpt_with_cache_parallelism_and_logs(tmp_path, graph, monkeypatch, shared):
    monkeypatch.setenv("S4C_SNAP_OPERATORS", str(shared.path("reference/snap-operators.json")))
    gpt = write_gpt_standin(tmp_path / "bin")
    graph_file, target = graph
    log_file = tmp_path / "copy.log"
    GptRunner(gpt, cache="1G", parallelism=2).run(graph_file, log_file, (target,))
    assert standin_calls(gpt) == [[str(graph_file), "-c", "1G", "-q", "2", "-e"]]
    assert target.exists() and target.with_suffix(".data").is_dir()
    assert "100% done" in log_file.read_text()


def test_gpt_found_on_path(tmp_path, graph, monkeypatch):
    bin_folder = tmp_path / "bin"
    write_gpt_standin(bin_folder)
    monkeypatch.setenv("PATH", f"{bin_folder}{os.pathsep}{os.environ['PATH']}")
    graph_file, target = graph
    GptRunner(detailed_errors=False).run(graph_file, tmp_path / "copy.log", (target,))
    assert standin_calls(bin_folder / "gpt") == [[str(graph_file), "-c", "256M", "-q", "8"]]


def test_failure_is_external_error_with_log_tail(tmp_path, graph):
    gpt = write_gpt_standin(tmp_path / "bin", mode="fail")
    graph_file, target = graph
    with pytest.raises(ExternalError) as caught:
        GptRunner(gpt).run(graph_file, tmp_path / "copy.log", (target,))
    error = caught.value
    assert (error.code, error.exit_code) == ("E_BACKEND", EXIT_EXTERNAL)
    assert "exit code 1" in error.message and "copy.xml" in error.message
    tail = error.detail.splitlines()
    assert len(tail) == LOG_TAIL_LINES
    assert tail[-1] == "Error: [NodeId: Terrain-Correction] The DEM 'External DEM' does not cover the scene"
    assert tail[0].endswith("step 21")


def _is_gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0]
    except (FileNotFoundError, IndexError):
        return True
    return state in "ZX"  # a zombie waits for its new parent only


def test_timeout_kills_the_process_group(tmp_path, graph):
    gpt = write_gpt_standin(tmp_path / "bin", mode="hang")
    graph_file, target = graph
    started = time.monotonic()
    with pytest.raises(ExternalError) as caught:
        GptRunner(gpt, timeout_minutes=0.03).run(graph_file, tmp_path / "copy.log", (target,))
    assert time.monotonic() - started < 15
    assert caught.value.code == "E_BACKEND"
    assert "within 0.03 min (step_timeout)" in caught.value.message
    child = int((tmp_path / "bin" / "child.pid").read_text())
    deadline = time.monotonic() + 5
    while not _is_gone(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _is_gone(child), "gpt's child process survived the timeout"


def test_missing_output_is_external_error(tmp_path, graph):
    gpt = write_gpt_standin(tmp_path / "bin", mode="silent")
    graph_file, target = graph
    with pytest.raises(ExternalError, match="did not write") as caught:
        GptRunner(gpt).run(graph_file, tmp_path / "copy.log", (target,))
    assert "writes nothing" in caught.value.detail


def test_missing_gpt_and_bad_options(tmp_path, graph):
    graph_file, target = graph
    with pytest.raises(ExternalError, match="cannot start SNAP gpt"):
        GptRunner(tmp_path / "no-gpt").run(graph_file, tmp_path / "copy.log", (target,))
    with pytest.raises(InputError, match="cache size"):
        GptRunner(cache="256 MB")
    with pytest.raises(InputError, match="parallelism"):
        GptRunner(parallelism=0)


def test_standin_refuses_a_bad_command_line(tmp_path, graph):
    """The stand-in itself refuses a graph that does not exist."""
    gpt = write_gpt_standin(tmp_path / "bin")
    _, target = graph
    with pytest.raises(ExternalError):
        GptRunner(gpt, parallelism=2).run(tmp_path / "absent.xml", tmp_path / "a.log", (target,))
    assert "does not exist" in (tmp_path / "a.log").read_text()


# --- SNAP version ----------------------------------------------------------------------------------------------------


def test_release_from_gpt_diag(tmp_path):
    assert snap_release(write_gpt_standin(tmp_path / "snap12" / "bin", release="12.0.1")) == (12, 0)
    gpt = write_gpt_standin(tmp_path / "snap10" / "bin", release="10.0.0")
    assert require_release(snap_release(gpt), 9, gpt) == 10


def test_snap_8_is_refused(tmp_path):
    with pytest.raises(ExternalError) as caught:
        gpt = write_gpt_standin(tmp_path / "bin", release="8.0.9")
        require_release(snap_release(gpt), 9, gpt)
    assert caught.value.code == "E_BACKEND"
    assert "SNAP 8.0" in caught.value.message and "minimum SNAP 9" in caught.value.message


def test_release_from_version_file_when_diag_has_none(tmp_path):
    gpt = write_gpt_standin(tmp_path / "bin", release=None)  # --diag names SNAP home = the bin folder
    assert snap_release(gpt) is None
    assert require_release(None, 9, gpt) is None
    (tmp_path / "bin" / "VERSION.txt").write_text("SNAP 11.0.1\n")
    assert snap_release(gpt) == (11, 0)


# --- esa_snappy ------------------------------------------------------------------------------------------------------


def test_without_esa_snappy_the_installed_catalog_is_none(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "esa_snappy", None)  # import esa_snappy raises ImportError
    assert installed.installed_catalog() is None
    assert installed.main([str(tmp_path / "ops.json")]) == 5
    assert "esa_snappy is not importable" in capsys.readouterr().err
    assert not (tmp_path / "ops.json").exists()
    assert installed.main([]) == 2
