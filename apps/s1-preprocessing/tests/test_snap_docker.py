"""Static checks of the SNAP image's Dockerfile (SNAP cannot be downloaded here, so the image is never built)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCKERFILE = Path(__file__).resolve().parents[3] / "docker" / "s1-preprocessing-snap" / "Dockerfile"


@pytest.fixture(scope="module")
def text() -> str:
    return DOCKERFILE.read_text()


def _args(text: str) -> dict[str, str]:
    return {m.group(1): m.group(2) for m in re.finditer(r"^ARG (\w+)=?(.*)$", text, re.MULTILINE)}


def test_from_the_project_base_image_arg(text):
    args = _args(text)
    assert args["BASE"] == "localhost/s4c-base:latest"
    froms = re.findall(r"^FROM (.+)$", text, re.MULTILINE)
    assert froms == ["${BASE}"]
    assert text.index("ARG BASE=") < text.index("FROM ${BASE}")


def test_snap_version_and_installer_are_pinned_build_args(text):
    args = _args(text)
    assert re.fullmatch(r"\d+\.\d+\.\d+", args["SNAP_VERSION"])
    assert args["SNAP_MAJOR"] == args["SNAP_VERSION"].split(".")[0]
    assert int(args["SNAP_MAJOR"]) >= 9  # snap_version_min
    assert "${SNAP_VERSION}" in args["SNAP_INSTALLER"]
    assert args["SNAP_INSTALLER_URL"].startswith("https://download.esa.int/step/snap/${SNAP_MAJOR}.0/installers/")
    assert args["SNAP_INSTALLER_SHA256"] == ""  # no default: the builder must give the digest they verified
    assert 'test -n "${SNAP_INSTALLER_SHA256}"' in text
    assert 'echo "${SNAP_INSTALLER_SHA256}  /tmp/snap-installer.sh" | sha256sum -c -' in text


def test_unattended_install_esa_snappy_processor_and_descriptors(text):
    assert "-q -varfile /tmp/snap-response.varfile" in text
    assert "'sys.installationDir=/opt/snap'" in text
    assert "/opt/snap/bin/snappy-conf /opt/s4c/bin/python3" in text and "import esa_snappy" in text
    assert "pip install --no-cache-dir --disable-pip-version-check /tmp/s4c/s1-preprocessing" in text
    generated = re.search(r"python3 -m s4c_s1_preprocessing\.snap\.installed (\S+)", text)
    assert generated
    assert f"S4C_SNAP_OPERATORS={generated.group(1)}" in text
    assert "snap-operators.json" not in text.replace("s4c-snap-operators.json", "")  # the shared reference file is never copied
    assert "NOT BUILT" in text


def test_runs_as_the_project_user_without_entrypoint(text):
    assert re.findall(r"^USER (\w+)$", text, re.MULTILINE)[-1] == "s4c"
    assert "ENTRYPOINT []" in text
