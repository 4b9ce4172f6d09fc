"""Logging and progress on stderr (stdout stays machine-readable)."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


class _Formatter(logging.Formatter):
    """``WARNING W_CODE: text`` for warnings and errors, plain text for info."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.levelno >= logging.WARNING:
            message = f"{record.levelname} {message}"
        elif record.levelno <= logging.DEBUG:
            message = f"DEBUG {record.name}: {message}"
        if record.exc_info:
            message += "\n" + self.formatException(record.exc_info)
        return message


def setup_logging(verbose: bool = False, quiet: bool = False) -> None:
    """Configure the ``s4c`` logger tree to write to stderr."""
    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    logger = logging.getLogger("s4c")
    logger.handlers.clear()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter())
    logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False


def progress(items: Iterable[T], total: int | None = None, label: str = "", every_s: float = 10.0) -> Iterator[T]:
    """Yield ``items``, reporting progress on stderr.

    A bar that redraws in place when stderr is a terminal, a log line at most
    every ``every_s`` seconds otherwise (so CI logs stay readable).
    """
    logger = logging.getLogger("s4c.progress")
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    tty = sys.stderr.isatty() and logger.isEnabledFor(logging.INFO)
    start = last = time.monotonic()
    done = 0
    for item in items:
        yield item
        done += 1
        now = time.monotonic()
        if tty:
            frac = done / total if total else 0.0
            bar = "#" * int(30 * frac)
            sys.stderr.write(f"\r{label} [{bar:<30}] {done}/{total or '?'}")
            sys.stderr.flush()
        elif now - last >= every_s:
            logger.info("%s: %d/%s done (%.0f s)", label, done, total or "?", now - start)
            last = now
    if tty:
        sys.stderr.write("\n")
