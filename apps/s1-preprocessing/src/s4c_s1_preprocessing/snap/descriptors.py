"""SNAP GPF operator descriptors: which operators exist in a SNAP release and what their parameters accept.

The descriptor file is an input, never part of the package: the reference file of the project
(``../shared/reference/snap-operators.json``, SNAP 8-14 extracted from the Java sources) or the one the SNAP image
writes at build time from the installed SNAP (:mod:`.installed`). Both have the same layout::

    {"versions": {"SNAP 9 (...)": {"operators": {"<alias>": {"parameters": [{"name", "xmlNames", "type",
                  "defaultValue", "valueSet", "interval", "notNull", "notEmpty", "pattern", "itemAlias",
                  "domConverter", ...}], "sources": [{"kind", "field", "alias", "optional"}]}}}},
     "runtime_value_lists": {"demName": {"values": [...]}, "Write_formatName": {"values": [...]}, ...}}

The file is named by ``--operators FILE`` or the environment variable ``S4C_SNAP_OPERATORS``.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from s4c_common.errors import InputError

OPERATORS_ENV = "S4C_SNAP_OPERATORS"
# The versions a graph must be valid for unless one is named: SNAP 8 rejects Sen4CAP's graphs (spec 5.A).
DEFAULT_VERSIONS = (9, 10, 11, 12, 13)
_VERSION_KEY = re.compile(r"SNAP\s+(\d+)")


@dataclass(frozen=True)
class ParameterSpec:
    """One ``@Parameter`` of an operator, with the constraints Ceres validates."""

    name: str
    xml_names: tuple[str, ...]
    type: str  # the Java field type: int, Double, String, String[], File, ...
    default: str | None = None
    value_set: tuple[str, ...] = ()
    interval: str | None = None
    pattern: str | None = None
    not_null: bool = False
    not_empty: bool = False
    item_alias: str | None = None
    structured: bool = False  # value is a DOM structure read by a dedicated converter (e.g. BandMaths targetBands)

    @property
    def required(self) -> bool:
        """``notNull`` without a default: GPF refuses to run the operator when the graph leaves it out."""
        return self.not_null and self.default is None


@dataclass(frozen=True)
class OperatorSpec:
    alias: str
    parameters: tuple[ParameterSpec, ...]
    takes_sources: bool  # declares @SourceProduct(s) that are not optional

    def parameter(self, xml_name: str) -> ParameterSpec | None:
        return next((p for p in self.parameters if xml_name in p.xml_names), None)


@dataclass(frozen=True)
class SnapRelease:
    major: int
    label: str  # the key in the descriptor file, e.g. "SNAP 12 (microwave-toolbox 12.0.1 + snap-engine 12.0.1)"
    operators: dict[str, OperatorSpec]


@dataclass(frozen=True)
class OperatorCatalog:
    """Descriptors for one or more SNAP releases, plus the value lists SNAP registers at run time."""

    releases: dict[int, SnapRelease]
    runtime_values: dict[str, tuple[str, ...]] = field(default_factory=dict)
    source: str = ""

    def release(self, major: int) -> SnapRelease:
        try:
            return self.releases[major]
        except KeyError:
            known = ", ".join(str(v) for v in sorted(self.releases))
            raise InputError(f"{self.source} has no descriptors for SNAP {major} (it has SNAP {known}).", "E_PARAM") from None

    def runtime_value_list(self, operator: str, parameter: str) -> tuple[str, ...]:
        """Values SNAP registers at run time for a parameter without an annotation value set (DEM names, writers)."""
        return self.runtime_values.get(f"{operator}_{parameter}") or self.runtime_values.get(parameter) or ()


def _parameter(raw: dict[str, Any]) -> ParameterSpec:
    def text(key: str) -> str | None:
        value = raw.get(key)
        return value if isinstance(value, str) else None  # {"unresolved": expr} entries carry no usable value

    return ParameterSpec(
        name=raw["name"],
        xml_names=tuple(raw.get("xmlNames") or (raw["name"],)),
        type=raw["type"],
        default=text("defaultValue"),
        value_set=tuple(v for v in raw.get("valueSet") or () if isinstance(v, str)),
        interval=text("interval"),
        pattern=text("pattern"),
        not_null=raw.get("notNull") == "true",
        not_empty=raw.get("notEmpty") == "true",
        item_alias=text("itemAlias"),
        structured="domConverter" in raw,
    )


def _operator(alias: str, raw: dict[str, Any]) -> OperatorSpec:
    takes_sources = any(s.get("kind") in ("SourceProduct", "SourceProducts") and s.get("optional") != "true" for s in raw.get("sources", ()))
    return OperatorSpec(alias=alias, parameters=tuple(_parameter(p) for p in raw.get("parameters", ())), takes_sources=takes_sources)


def catalog_from_dict(data: dict[str, Any], source: str = "operator descriptors") -> OperatorCatalog:
    releases: dict[int, SnapRelease] = {}
    for label, release in data.get("versions", {}).items():
        match = _VERSION_KEY.match(label)
        if not match:
            raise InputError(f"{source}: version key {label!r} does not start with 'SNAP <major>'.", "E_SCHEMA")
        major = int(match.group(1))
        operators = {alias: _operator(alias, raw) for alias, raw in release.get("operators", {}).items()}
        releases[major] = SnapRelease(major=major, label=label, operators=operators)
    if not releases:
        raise InputError(f"{source} holds no SNAP operator descriptors ('versions' is empty).", "E_SCHEMA")
    runtime = {key: tuple(entry["values"]) for key, entry in data.get("runtime_value_lists", {}).items() if isinstance(entry, dict) and "values" in entry}
    return OperatorCatalog(releases=releases, runtime_values=runtime, source=source)


def load_catalog(path: str | os.PathLike[str] | None = None) -> OperatorCatalog:
    """The descriptors from ``path``, else from ``$S4C_SNAP_OPERATORS``; InputError when neither names a readable file."""
    chosen = path or os.environ.get(OPERATORS_ENV)
    if not chosen:
        raise InputError(f"no SNAP operator descriptor file: pass --operators FILE or set {OPERATORS_ENV}.", "E_INPUT_NOT_FOUND")
    file = Path(chosen)
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read the SNAP operator descriptors {file}: {exc.strerror or exc}.", "E_INPUT_NOT_FOUND") from exc
    except ValueError as exc:
        raise InputError(f"the SNAP operator descriptors {file} are not valid JSON: {exc}.", "E_SCHEMA") from exc
    return catalog_from_dict(data, str(file))


def parse_versions(text: str) -> tuple[int, ...]:
    """``"12"`` -> (12,), ``"9..13"`` -> (9, 10, 11, 12, 13), ``"9,12"`` -> (9, 12)."""
    versions: set[int] = set()
    for part in text.split(","):
        low, sep, high = part.strip().partition("..")
        try:
            first, last = int(low), int(high) if sep else int(low)
        except ValueError:
            raise ValueError(f"{text!r} is not a SNAP major version, a range like 9..13 or a comma-separated list") from None
        if first > last:
            raise ValueError(f"empty SNAP version range {part.strip()!r}")
        versions.update(range(first, last + 1))
    return tuple(sorted(versions))
