"""Run one SNAP graph with gpt: ``gpt GRAPH -c <cache> -q <parallelism> [-e]``.

gpt's stdout and stderr go to a log file next to the graph. gpt runs in its own process group, so a timeout ends
gpt's JVM and anything it started (SIGTERM, then SIGKILL after a grace period). A non-zero exit, a timeout, a
missing gpt or a Write output that does not exist afterwards raise ``ExternalError`` (``E_BACKEND``, exit 5) whose
``detail`` is the tail of the log.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from s4c_common.errors import ExternalError, InputError

log = logging.getLogger("s4c")

BACKEND_ERROR = "E_BACKEND"
LOG_TAIL_LINES = 20
KILL_GRACE_SECONDS = 5.0
_CACHE_SIZE = re.compile(r"\d+[KMG]?")


def log_tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    """The last ``lines`` lines of a log file ("" when it does not exist)."""
    try:
        with path.open(encoding="utf-8", errors="replace") as file:
            return "".join(deque(file, maxlen=lines))
    except FileNotFoundError:
        return ""


@dataclass(frozen=True)
class GptRunner:
    gpt: str | Path = "gpt"
    cache: str = "256M"  # -c: tile cache, bytes with an optional K/M/G suffix
    parallelism: int = 8  # -q
    timeout_minutes: float = 60.0
    detailed_errors: bool = True  # -e: gpt logs the Java stack trace of a failure

    def __post_init__(self) -> None:
        if not _CACHE_SIZE.fullmatch(self.cache):
            raise InputError(f"gpt cache size {self.cache!r} is not a number of bytes with an optional K, M or G suffix (e.g. 256M).", "E_PARAM")
        if self.parallelism < 1:
            raise InputError(f"gpt parallelism must be at least 1, not {self.parallelism}.", "E_PARAM")

    def command(self, graph: Path) -> list[str]:
        command = [str(self.gpt), str(graph), "-c", self.cache, "-q", str(self.parallelism)]
        return [*command, "-e"] if self.detailed_errors else command

    def run(self, graph: Path, log_file: Path, outputs: tuple[Path, ...] = ()) -> None:
        """Run ``graph``; ExternalError unless gpt succeeds in time and every path of ``outputs`` exists."""
        command = self.command(graph)
        log.info("gpt: %s (log %s)", graph.name, log_file)
        with log_file.open("wb") as log_stream:
            try:
                process = subprocess.Popen(command, stdout=log_stream, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
            except OSError as exc:
                raise ExternalError(f"cannot start SNAP gpt ({self.gpt}): {exc.strerror or exc}.", BACKEND_ERROR) from exc
            try:
                code = process.wait(timeout=self.timeout_minutes * 60.0)
            except subprocess.TimeoutExpired:
                _kill_group(process)
                message = f"SNAP gpt did not finish {graph.name} within {self.timeout_minutes:g} min (step_timeout) and was stopped; log {log_file}."
                raise ExternalError(message, BACKEND_ERROR, detail=log_tail(log_file)) from None
        if code != 0:
            raise ExternalError(f"SNAP gpt failed on {graph.name} with exit code {code}; log {log_file}.", BACKEND_ERROR, detail=log_tail(log_file))
        missing = [str(p) for p in outputs if not p.exists()]
        if missing:
            message = f"SNAP gpt finished {graph.name} but did not write {', '.join(missing)}; log {log_file}."
            raise ExternalError(message, BACKEND_ERROR, detail=log_tail(log_file))


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to gpt's process group, then SIGKILL to whatever of the group is left after the grace period."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=KILL_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()
