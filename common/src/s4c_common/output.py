"""Atomic output directories: nothing partial is ever left behind.

Results are written into a hidden staging folder inside the output directory
and moved into place only when the whole run succeeded; ``catalog.json`` is
moved last, so its presence means the output is complete.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path
from types import TracebackType

from .errors import InputError

log = logging.getLogger("s4c")

_CATALOG = "catalog.json"


class AtomicOutput:
    """Context manager yielding a staging directory that is published on success.

    >>> with AtomicOutput(out) as stage:
    ...     (stage / "result.tif").write_bytes(...)
    """

    def __init__(self, output_dir: str | os.PathLike[str]):
        self.output_dir = Path(output_dir).absolute()  # writers may build hrefs from the staging path
        self.stage: Path | None = None
        self._created_output = False

    def __enter__(self) -> Path:
        if self.output_dir.exists() and not self.output_dir.is_dir():
            raise InputError(f"output path {self.output_dir} exists and is not a directory; choose a directory.", "E_PARAM")
        if not self.output_dir.exists():
            try:
                self.output_dir.mkdir(parents=True)
            except OSError as exc:
                raise InputError(f"cannot create output directory {self.output_dir}: {exc.strerror}.", "E_PARAM") from exc
            self._created_output = True
        if not os.access(self.output_dir, os.W_OK):
            raise InputError(f"output directory {self.output_dir} is not writable.", "E_PARAM")
        self.stage = Path(tempfile.mkdtemp(prefix=".s4c-staging-", dir=self.output_dir))
        return self.stage

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self.stage is not None
        try:
            if exc_type is None:
                self._publish()
        finally:
            shutil.rmtree(self.stage, ignore_errors=True)
            if exc_type is not None and self._created_output:
                try:
                    self.output_dir.rmdir()
                except OSError:
                    pass

    def _publish(self) -> None:
        assert self.stage is not None
        entries = sorted(self.stage.iterdir(), key=lambda p: (p.name == _CATALOG, p.name))
        for entry in entries:
            target = self.output_dir / entry.name
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target)
            elif target.exists() or target.is_symlink():
                target.unlink()
            os.replace(entry, target)
        log.debug("published %d entries into %s", len(entries), self.output_dir)
