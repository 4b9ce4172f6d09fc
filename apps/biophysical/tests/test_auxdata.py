"""Auxdata: the pinned manifest equals the reference copy; fetching verifies every checksum; folder lookup."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from bio_helpers import AUXDATA_IN_SHARED
from click.testing import CliRunner
from s4c_biophysical import auxdata_manifest
from s4c_biophysical.auxdata import ENV_VAR, fetch_auxdata, resolve_auxdata, sha256_of, verify_auxdata
from s4c_biophysical.cli import auxdata_main
from s4c_common.errors import ExternalError, InputError


@pytest.fixture(scope="module")
def reference(shared) -> Path:
    return shared.path(AUXDATA_IN_SHARED)


def test_manifest_lists_every_reference_file_with_its_sha256(reference: Path) -> None:
    files = {p.relative_to(reference).as_posix() for p in reference.rglob("*") if p.is_file()}
    assert files == set(auxdata_manifest.SHA256)
    verify_auxdata(reference)  # raises on any difference
    assert len(auxdata_manifest.UPSTREAM_COMMIT) == 40
    assert auxdata_manifest.RAW_URL.endswith(f"{auxdata_manifest.UPSTREAM_COMMIT}/s2tbx-biophysical/src/main/resources/auxdata")


def test_fetch_from_a_file_url_mirror(reference: Path, tmp_path: Path) -> None:
    subset = {k: v for k, v in auxdata_manifest.SHA256.items() if k.startswith("3_0/S2B/LAI/")}
    dest = tmp_path / "aux"
    assert fetch_auxdata(dest, base_url=reference.as_uri(), manifest=subset) == len(subset)
    verify_auxdata(dest, subset)
    assert fetch_auxdata(dest, base_url=reference.as_uri(), manifest=subset) == 0  # already there: nothing fetched


def test_checksum_mismatch_leaves_nothing(tmp_path: Path) -> None:
    manifest = {"3_0/S2B/LAI/LAI_Weights_Layer2_Bias": hashlib.sha256(b"1.0\n").hexdigest()}
    with pytest.raises(ExternalError) as caught:
        fetch_auxdata(tmp_path, manifest=manifest, fetch=lambda url: b"2.0\n")
    assert caught.value.code == "E_CHECKSUM" and caught.value.exit_code == 5
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


def test_fetch_builds_upstream_urls(tmp_path: Path) -> None:
    asked: list[str] = []
    manifest = {"2_1/LAI/LAI_Weights_Layer2_Bias": hashlib.sha256(b"1.0\n").hexdigest()}

    def fetch(url: str) -> bytes:
        asked.append(url)
        return b"1.0\n"

    fetch_auxdata(tmp_path, manifest=manifest, fetch=fetch)
    assert asked == [f"https://raw.githubusercontent.com/senbox-org/s2tbx/{auxdata_manifest.UPSTREAM_COMMIT}/"
                     "s2tbx-biophysical/src/main/resources/auxdata/2_1/LAI/LAI_Weights_Layer2_Bias"]  # fmt: skip
    assert sha256_of(tmp_path / "2_1/LAI/LAI_Weights_Layer2_Bias") == manifest["2_1/LAI/LAI_Weights_Layer2_Bias"]


def test_download_failure_is_an_external_error(tmp_path: Path) -> None:
    def offline(url: str) -> bytes:
        raise OSError("network unreachable")

    with pytest.raises(ExternalError, match="cannot download") as caught:
        fetch_auxdata(tmp_path, manifest={"2_1/LAI/LAI_ExtremeCases": "0" * 64}, fetch=offline)
    assert caught.value.code == "E_DOWNLOAD"


def test_auxdata_cli_verify_only(reference: Path, tmp_path: Path) -> None:
    assert CliRunner().invoke(auxdata_main, ["--dest", str(reference), "--verify-only"]).exit_code == 0
    result = CliRunner().invoke(auxdata_main, ["--dest", str(tmp_path / "none"), "--verify-only"])
    assert result.exit_code == 3 and "ERROR E_INPUT_NOT_FOUND" in result.output


def test_resolve_auxdata(reference: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve_auxdata(reference) == reference
    checkout = reference.parents[4]  # .../snap-s2tbx-biophysical, holding s2tbx-biophysical/src/main/resources/auxdata
    assert resolve_auxdata(checkout) == reference
    monkeypatch.setenv(ENV_VAR, str(reference))
    assert resolve_auxdata(None) == reference
    monkeypatch.delenv(ENV_VAR)
    for missing in (None, tmp_path / "absent", tmp_path):
        with pytest.raises(InputError) as caught:
            resolve_auxdata(missing)
        assert caught.value.code == "E_INPUT_NOT_FOUND"
