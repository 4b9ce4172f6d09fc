"""The SNAP back end: the project's graphs run by gpt, results put on the output grid.

Before the first run the SNAP release is read (:mod:`.version`) and a release older than ``snap_version_min`` is
refused. Every graph is written to the work folder and linted before gpt sees it, against the installed SNAP's
operators when esa_snappy is importable (:mod:`.installed`), else against the descriptor file of
``operators=`` / ``$S4C_SNAP_OPERATORS`` for the detected release (every default release when the version is
unknown); without descriptors the graphs are not linted and a warning says so. A lint finding means the options ask
for something SNAP refuses (e.g. a coherence window outside SNAP's range): InputError ``E_PARAM``.
"""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from s4c_common.errors import InputError
from s4c_common.s1.safe import MANIFEST, S1Product, SafeContainer

from ..options import BackscatterOptions, CoherenceOptions, GeocodingOptions
from ..output_grid import envelope, output_grid
from .chains import GptStep, coherence_steps, grd_backscatter_steps, slc_backscatter_steps
from .dem import external_dem
from .descriptors import DEFAULT_VERSIONS, OPERATORS_ENV, OperatorCatalog, load_catalog
from .finish import to_output_grid
from .gpt import GptRunner
from .installed import installed_catalog
from .lint import lint_file
from .version import require_release, snap_release

log = logging.getLogger("s4c")


def _open(product: Path) -> S1Product:
    return S1Product(SafeContainer(product))


def _read_path(product: S1Product) -> Path:
    """What SNAP's Read opens: the manifest of a SAFE folder, the zip itself."""
    return product.path / MANIFEST if product.path.is_dir() else product.path


def _stem(product: S1Product) -> str:
    return product.name.removesuffix(".SAFE")


def _polarisations(product: S1Product, options: GeocodingOptions) -> tuple[str, ...]:
    missing = [p for p in options.polarisations if p not in product.manifest.polarisations]
    if missing:
        have = ", ".join(product.manifest.polarisations)
        raise InputError(f"{product.name} has no {', '.join(missing)} polarisation (it has {have}); choose --polarisations among them.", "E_MISSING_BAND")
    return tuple(options.polarisations)


def _check_pair(master: S1Product, slave: S1Product) -> None:
    for product in (master, slave):
        if product.manifest.product_type != "SLC":
            raise InputError(f"{product.name} is a {product.manifest.product_type} product: coherence needs SLC products.", "E_UNSUPPORTED_PRODUCT")
    if master.relative_orbit != slave.relative_orbit:
        message = f"{master.name} (relative orbit {master.relative_orbit}) and {slave.name} (relative orbit {slave.relative_orbit}) are not on the same track."
        raise InputError(message, "E_PARAM")


@dataclass(frozen=True)
class _Linting:
    catalog: OperatorCatalog
    versions: tuple[int, ...]

    def check(self, graph_file: Path) -> None:
        findings = lint_file(graph_file, self.catalog, self.versions)
        if findings:
            message = f"the SNAP graph {graph_file.name} is not valid for {self.catalog.source}: {findings[0].message}."
            raise InputError(message, "E_PARAM", detail="\n".join(str(f) for f in findings))


class SnapBackend:
    """Backend protocol implementation on SNAP gpt (see products.Backend)."""

    name = "snap"

    def __init__(self, gpt: str | Path = "gpt", *, operators: Path | None = None, spectral_diversity: bool = False, detailed_errors: bool = True):
        """``operators``: descriptor file to lint against when esa_snappy is absent (default ``$S4C_SNAP_OPERATORS``);
        ``spectral_diversity``: add Enhanced-Spectral-Diversity after Back-Geocoding (not in Sen4CAP's chain);
        ``detailed_errors``: gpt ``-e``."""
        self.gpt = gpt
        self.operators = operators
        self.spectral_diversity = spectral_diversity
        self.detailed_errors = detailed_errors

    # Both are read on the first run only: gpt --diag and esa_snappy each start a JVM.
    @cached_property
    def _release(self) -> tuple[int, int] | None:
        return snap_release(self.gpt)

    @cached_property
    def _linting(self) -> _Linting | None:
        installed = installed_catalog()
        if installed is not None:
            return _Linting(installed, tuple(installed.releases))
        if self.operators is None and not os.environ.get(OPERATORS_ENV):
            log.warning("no SNAP operator descriptors (esa_snappy absent, %s unset): the graphs run unlinted", OPERATORS_ENV)
            return None
        catalog = load_catalog(self.operators)
        major = self._release[0] if self._release else None
        if major is not None and major in catalog.releases:
            return _Linting(catalog, (major,))
        return _Linting(catalog, tuple(v for v in DEFAULT_VERSIONS if v in catalog.releases) or (max(catalog.releases),))

    def _run(self, steps: list[GptStep], folder: Path, options: GeocodingOptions) -> None:
        require_release(self._release, options.snap_version_min, self.gpt)
        runner = GptRunner(self.gpt, options.gpt_cache, options.gpt_parallelism, options.step_timeout, self.detailed_errors)
        for step in steps:
            graph_file = step.graph.write(folder / f"{step.name}.xml")
            if self._linting is not None:
                self._linting.check(graph_file)
            runner.run(graph_file, folder / f"{step.name}.log", step.outputs)

    def backscatter(self, product: Path, options: BackscatterOptions, workdir: Path) -> dict[str, Path]:
        s1 = _open(product)
        polarisations = _polarisations(s1, options)
        needs_dem = options.geocoding == "range-doppler" or options.terrain_flattening
        dem = external_dem(options) if needs_dem else None
        grid = output_grid(s1.footprint, options.projection, options.pixel_spacing, options.extent)
        results = {}
        for polarisation in polarisations:
            folder = workdir / f"snap_{_stem(s1)}_{polarisation}"
            folder.mkdir(parents=True, exist_ok=True)
            if s1.manifest.product_type == "SLC":
                steps = slc_backscatter_steps(_read_path(s1), s1.manifest.swaths, polarisation, options, dem, folder)
            else:
                steps = grd_backscatter_steps(_read_path(s1), polarisation, options, dem, folder)
            self._run(steps, folder, options)
            results[polarisation] = to_output_grid(steps[-1].outputs[0], workdir / f"{_stem(s1)}_BCK_{polarisation}.tif", grid, options.img_resampling)
            _remove_intermediates(folder)
        return results

    def coherence(self, master: Path, slave: Path, options: CoherenceOptions, workdir: Path) -> dict[str, Path]:
        first, second = _open(master), _open(slave)
        _check_pair(first, second)
        polarisations = _polarisations(first, options)
        _polarisations(second, options)
        overlap = envelope([first.footprint, second.footprint])
        if overlap.is_empty:
            raise InputError(f"the footprints of {first.name} and {second.name} do not intersect: they cannot form a coherence pair.", "E_NO_OVERLAP")
        area = overlap if options.subset_to_pair_overlap else first.footprint
        grid = output_grid(area, options.projection, options.pixel_spacing, options.extent)
        swaths = tuple(s for s in first.manifest.swaths if s in second.manifest.swaths)
        dem = external_dem(options)
        results = {}
        for polarisation in polarisations:
            folder = workdir / f"snap_{_stem(first)}_{_stem(second)}_{polarisation}"
            folder.mkdir(parents=True, exist_ok=True)
            region = overlap.wkt if options.subset_to_pair_overlap else None
            steps = coherence_steps(
                _read_path(first), _read_path(second), swaths, polarisation, options, dem, region, folder, spectral_diversity=self.spectral_diversity
            )
            self._run(steps, folder, options)
            target = workdir / f"{_stem(first)}_{_stem(second)}_COH_{polarisation}.tif"
            results[polarisation] = to_output_grid(steps[-1].outputs[0], target, grid, options.img_resampling)
            _remove_intermediates(folder)
        return results


def _remove_intermediates(folder: Path) -> None:
    """Drop SNAP's products (BEAM-DIMAP .dim/.data, the raw GeoTIFF); the graphs and gpt logs stay for the record."""
    for path in folder.iterdir():
        if path.suffix in (".dim", ".tif"):
            path.unlink()
        elif path.suffix == ".data" and path.is_dir():
            shutil.rmtree(path)
