"""The error model of CONVENTIONS.md: one exception type per exit code.

A processor raises these; :func:`s4c_common.cli.run` turns them into one line
``ERROR <CODE>: <message>`` on stderr and the matching exit code.
"""

from __future__ import annotations

import logging

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_INPUT = 3
EXIT_PROCESSING = 4
EXIT_EXTERNAL = 5

log = logging.getLogger("s4c")


class S4CError(Exception):
    """Base class: a failure with a machine-readable code and an exit code."""

    exit_code = EXIT_PROCESSING
    default_code = "E_INTERNAL"

    def __init__(self, message: str, code: str | None = None, *, detail: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.detail = detail

    def __str__(self) -> str:
        return self.message


class InputError(S4CError):
    """Invalid input data: unreadable file, missing band, wrong CRS, no overlap, ..."""

    exit_code = EXIT_INPUT
    default_code = "E_PARAM"


class ProcessingError(S4CError):
    """A bug or an unexpected state inside the processor."""

    exit_code = EXIT_PROCESSING
    default_code = "E_INTERNAL"


class ExternalError(S4CError):
    """An external program (e.g. SNAP gpt) failed; ``detail`` holds its log tail."""

    exit_code = EXIT_EXTERNAL
    default_code = "E_BACKEND"


class Warnings:
    """Collects ``WARNING <CODE>: ...`` lines so they can also go into the STAC item."""

    def __init__(self) -> None:
        self.items: list[dict[str, str]] = []

    def warn(self, code: str, message: str) -> None:
        log.warning("%s: %s", code, message)
        self.items.append({"code": code, "message": message})

    def codes(self) -> list[str]:
        return [w["code"] for w in self.items]
