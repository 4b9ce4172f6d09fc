"""Where the SNAP network files are, and how to fetch them from upstream with their checksums.

The files are GPL-3.0 data of the SNAP S2 Toolbox and are not shipped with the project. The processor
reads them from ``--auxdata DIR`` or ``$S4C_BIOPHYSICAL_AUXDATA``, in the upstream layout
(``DIR/2_1/LAI/LAI_Normalisation``, ``DIR/3_0/S2B/LAI/...``); a checkout of s2tbx (or a copy holding
``s2tbx-biophysical/src/main/resources/auxdata``) is accepted as well.

:func:`fetch_auxdata` downloads every file of :mod:`.auxdata_manifest` at the pinned s2tbx commit and
checks its sha256 before moving it into place, so a folder never holds an unverified file.
"""

from __future__ import annotations

import hashlib
import logging
import os
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path

from s4c_common.errors import ExternalError, InputError

from . import auxdata_manifest

log = logging.getLogger("s4c.biophysical")

ENV_VAR = "S4C_BIOPHYSICAL_AUXDATA"
VERSION_FOLDERS = ("2_1", "3_0")
FETCH_TIMEOUT_S = 60

Fetch = Callable[[str], bytes]


def _is_auxdata_root(path: Path) -> bool:
    return any((path / version).is_dir() for version in VERSION_FOLDERS)


def resolve_auxdata(path: str | os.PathLike[str] | None) -> Path:
    """The auxdata root holding ``2_1/`` and ``3_0/``: ``path``, else ``$S4C_BIOPHYSICAL_AUXDATA``."""
    if path is None or str(path) == "":
        env = os.environ.get(ENV_VAR, "")
        if not env:
            raise InputError(
                f"no auxdata folder: give --auxdata DIR or set {ENV_VAR} (fetch the files with s4c-biophysical-auxdata --dest DIR).",
                "E_INPUT_NOT_FOUND",
            )
        path = env
    root = Path(path)
    if not root.is_dir():
        raise InputError(
            f"auxdata folder {root} does not exist; give --auxdata DIR with the SNAP network files (s4c-biophysical-auxdata --dest DIR fetches them).",
            "E_INPUT_NOT_FOUND",
        )
    for candidate in (root, root / auxdata_manifest.UPSTREAM_FOLDER, root / Path(auxdata_manifest.UPSTREAM_FOLDER).relative_to("s2tbx-biophysical")):
        if _is_auxdata_root(candidate):
            return candidate
    raise InputError(f"auxdata folder {root} holds neither 2_1/ nor 3_0/ network folders; fetch them with s4c-biophysical-auxdata.",
                     "E_INPUT_NOT_FOUND")  # fmt: skip


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify_auxdata(root: Path, manifest: Mapping[str, str] = auxdata_manifest.SHA256) -> None:
    """Check every manifest file under ``root``: E_INPUT_NOT_FOUND when one is missing, E_SCHEMA when its sha256 differs."""
    missing = [relative for relative in sorted(manifest) if not (root / relative).is_file()]
    if missing:
        raise InputError(f"{len(missing)} auxdata file(s) are missing in {root}, e.g. {missing[0]}; fetch them with s4c-biophysical-auxdata.",
                         "E_INPUT_NOT_FOUND")  # fmt: skip
    differing = [relative for relative, expected in sorted(manifest.items()) if sha256_of(root / relative) != expected]
    if differing:
        raise InputError(f"{len(differing)} auxdata file(s) in {root} differ from the pinned upstream ones, e.g. {differing[0]}.", "E_SCHEMA")


def url_fetch(url: str) -> bytes:
    """GET ``url`` (https, or file:// for a local mirror)."""
    with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT_S) as response:
        return response.read()


def fetch_auxdata(
    dest: Path,
    *,
    base_url: str = auxdata_manifest.RAW_URL,
    manifest: Mapping[str, str] = auxdata_manifest.SHA256,
    fetch: Fetch = url_fetch,
) -> int:
    """Download every manifest file below ``base_url`` into ``dest``, checking each sha256; the count fetched.

    Files already present with the right checksum are kept. A file is written under a temporary name and
    renamed only once its checksum matches; a mismatch or a failed download raises ExternalError (exit 5).
    """
    dest = Path(dest)
    fetched = 0
    for relative, expected in sorted(manifest.items()):
        target = dest / relative
        if target.is_file() and sha256_of(target) == expected:
            continue
        url = f"{base_url.rstrip('/')}/{relative}"
        try:
            content = fetch(url)
        except OSError as exc:
            raise ExternalError(f"cannot download {url}: {exc}; check the network or mount a copy with --auxdata.", "E_DOWNLOAD") from exc
        actual = hashlib.sha256(content).hexdigest()
        if actual != expected:
            raise ExternalError(f"{url} has sha256 {actual}, expected {expected}; the download is corrupt or not the pinned upstream file.",
                                "E_CHECKSUM")  # fmt: skip
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.partial")
        partial.write_bytes(content)
        os.replace(partial, target)
        fetched += 1
    log.info("auxdata in %s: %d file(s) fetched, %d already present (s2tbx %s)", dest, fetched, len(manifest) - fetched, auxdata_manifest.UPSTREAM_COMMIT[:12])
    return fetched
