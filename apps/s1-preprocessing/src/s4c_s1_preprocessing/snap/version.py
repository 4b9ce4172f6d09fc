"""Which SNAP release a gpt belongs to, and refusing releases older than ``snap_version_min``.

Two sources, in this order:

1. ``gpt --diag`` prints ``SNAP Release version <X.Y[.Z]>`` (snap-gpf's CommandLineTool.printDiagnostics, from
   SystemUtils.getReleaseVersion) and ``SNAP home: <dir>``;
2. the install's ``VERSION.txt`` (in the SNAP home named by ``--diag``, else next to gpt's ``bin`` folder), whose
   first ``X.Y`` number is the release.

When neither gives a version, the version is unknown: the back end logs it and runs (the linter then checks the
graphs against every default release). SNAP 8 is refused because it rejects Sen4CAP's graphs (Terrain-Correction
has no ``outputComplex`` there, spec 5.A).
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
from pathlib import Path

from s4c_common.errors import ExternalError

from .gpt import BACKEND_ERROR

log = logging.getLogger("s4c")

DIAG_TIMEOUT_SECONDS = 120.0
_RELEASE = re.compile(r"SNAP Release version\s+(\d+)\.(\d+)")
_HOME = re.compile(r"SNAP home:\s*(.+)")
_NUMBER = re.compile(r"(\d+)\.(\d+)")
VERSION_FILE = "VERSION.txt"


def _diagnostics(gpt: str | Path) -> str:
    try:
        result = subprocess.run([str(gpt), "--diag"], capture_output=True, text=True, timeout=DIAG_TIMEOUT_SECONDS, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.debug("gpt --diag failed: %s", exc)
        return ""
    return result.stdout + result.stderr


def _version_file_release(path: Path) -> tuple[int, int] | None:
    try:
        match = _NUMBER.search(path.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return None
    return (int(match.group(1)), int(match.group(2))) if match else None


def snap_release(gpt: str | Path) -> tuple[int, int] | None:
    """(major, minor) of the SNAP that ``gpt`` runs, None when it cannot be read."""
    diagnostics = _diagnostics(gpt)
    match = _RELEASE.search(diagnostics)
    if match:
        return int(match.group(1)), int(match.group(2))
    homes = [Path(m.group(1).strip()) for m in [_HOME.search(diagnostics)] if m]
    executable = shutil.which(str(gpt))
    if executable:
        homes.append(Path(executable).resolve().parent.parent)
    for home in homes:
        release = _version_file_release(home / VERSION_FILE)
        if release:
            return release
    return None


def require_release(release: tuple[int, int] | None, minimum: int, gpt: str | Path) -> int | None:
    """The SNAP major version of ``release``; ExternalError (E_BACKEND) when older than ``minimum``, None when unknown."""
    if release is None:
        log.warning("cannot read the SNAP version of %s (gpt --diag, VERSION.txt); the graphs are checked for every supported release", gpt)
        return None
    major, minor = release
    if major < minimum:
        message = f"SNAP {major}.{minor} ({gpt}) is older than the minimum SNAP {minimum} (snap_version_min): its operators reject the graphs."
        raise ExternalError(message, BACKEND_ERROR)
    return major
