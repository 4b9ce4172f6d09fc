"""CLI plumbing shared by every ``s4c-*`` command.

:func:`processor_command` wraps a click callback so that the conventions hold
everywhere: logging on stderr, ``--params-file`` defaults, and the error model
(``ERROR <CODE>: <message>``, exit code 3/4/5, a traceback only with
``--verbose``).
"""

from __future__ import annotations

import functools
import json
import logging
import math
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import yaml

from .errors import EXIT_PROCESSING, S4CError
from .log import setup_logging

log = logging.getLogger("s4c")


def _cgroup_cpu_limit(cpu_max: Path = Path("/sys/fs/cgroup/cpu.max")) -> int | None:
    """CPUs allowed by a cgroup v2 quota (containers under Kubernetes/podman --cpus), if any."""
    try:
        quota, period = cpu_max.read_text().split()[:2]
    except (OSError, ValueError):
        return None
    if quota == "max":
        return None
    return max(1, math.ceil(int(quota) / int(period)))


def default_workers() -> int:
    """The cores this process may use: CPU affinity, capped by a cgroup CPU quota."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - non-Linux
        cores = os.cpu_count() or 1
    limit = _cgroup_cpu_limit()
    return max(1, min(cores, limit) if limit else cores)


def _load_params_file(ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """Eager callback: a YAML/JSON file becomes the command's defaults, so CLI flags win."""
    if not value:
        return value
    path = Path(value)
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise click.BadParameter(f"cannot read parameter file {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise click.BadParameter(f"parameter file {path} must hold a mapping of option names to values")
    defaults = dict(ctx.default_map or {})
    defaults.update({str(k).replace("-", "_"): v for k, v in data.items()})
    ctx.default_map = defaults
    return value


def standard_options(version: str, prog_name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--output``, ``--workers``, ``--params-file``, ``--verbose``, ``--quiet``, ``--version``."""

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        options = [
            click.version_option(version, prog_name=prog_name),
            click.option(
                "--params-file",
                type=click.Path(dir_okay=False),
                callback=_load_params_file,
                is_eager=True,
                expose_value=False,
                help="YAML or JSON file with parameter values (keys are option names); flags on the command line win.",
            ),
            click.option("--quiet", "-q", is_flag=True, help="Only warnings and errors on stderr."),
            click.option("--verbose", "-v", is_flag=True, help="Debug logging, and tracebacks on errors."),
            click.option(
                "--workers",
                type=click.IntRange(min=1),
                default=default_workers,
                show_default="the cores this process may use",
                help="Parallel workers inside this invocation.",
            ),
            click.option(
                "--output",
                "-o",
                type=click.Path(file_okay=False, path_type=Path),
                default=Path("."),
                show_default=True,
                help="Output directory; receives the products and a STAC catalog.json.",
            ),
        ]
        for option in options:
            fn = option(fn)
        return fn

    return decorate


def processor_command(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a click callback that takes ``verbose`` and ``quiet``: logging + the error model."""

    @functools.wraps(fn)
    def wrapper(*args: Any, verbose: bool = False, quiet: bool = False, **kwargs: Any) -> Any:
        setup_logging(verbose=verbose, quiet=quiet)
        try:
            return fn(*args, **kwargs)
        except S4CError as exc:
            click.echo(f"ERROR {exc.code}: {exc.message}", err=True)
            if exc.detail:
                click.echo(exc.detail.rstrip(), err=True)
            if verbose:
                traceback.print_exc(file=sys.stderr)
            sys.exit(exc.exit_code)
        except click.exceptions.Exit:
            raise
        except click.ClickException:
            raise
        except KeyboardInterrupt:
            click.echo("ERROR E_INTERRUPTED: interrupted; no output was written.", err=True)
            sys.exit(130)
        except MemoryError:
            click.echo("ERROR E_MEMORY: out of memory; try fewer --workers or a smaller area.", err=True)
            sys.exit(EXIT_PROCESSING)
        except Exception as exc:  # noqa: BLE001 - the last line of defence maps bugs to exit 4
            click.echo(
                f"ERROR E_INTERNAL: unexpected failure ({type(exc).__name__}: {exc}); "
                "please report it with the --verbose output.",
                err=True,
            )
            if verbose:
                traceback.print_exc(file=sys.stderr)
            sys.exit(EXIT_PROCESSING)

    return wrapper
