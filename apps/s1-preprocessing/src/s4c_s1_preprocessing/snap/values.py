"""Does the text of one ``<parameters>`` element convert and validate the way SNAP's Ceres binding will?

Ceres reads the (trimmed) element text with the converter of the Java field type, then validates it against the
``valueSet``, ``interval``, ``pattern``, ``notNull`` and ``notEmpty`` of the ``@Parameter`` annotation. Arrays are
comma-separated text, or child elements named by ``itemAlias`` when the annotation declares one. An empty element
means null: fine for objects (``Integer``, ``String``, ``File``, arrays), impossible for Java primitives. Values
holding a template variable (``$NAME``) are substituted before gpt parses them and are not checked here.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from .descriptors import ParameterSpec
from .graphfile import ParameterElement, is_placeholder

_INTEGER_BITS = {"int": 32, "Integer": 32, "long": 64, "Long": 64, "short": 16, "Short": 16, "byte": 8, "Byte": 8}
_FLOATS = {"double", "Double", "float", "Float"}
_BOOLEANS = {"boolean", "Boolean"}
_TEXTS = {"String", "File"}
_PRIMITIVES = {"int", "long", "short", "byte", "double", "float", "boolean"}
_GEOMETRIES = {"Geometry", "Polygon"}
# Java's Double.parseDouble without the hexadecimal form.
_JAVA_DOUBLE = re.compile(r"[+-]?(NaN|Infinity|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[fFdD]?)")
_JAVA_INTEGER = re.compile(r"[+-]?\d+")
_INTERVAL = re.compile(r"([\[(])\s*([^,]*?)\s*,\s*([^,]*?)\s*([\])])")
_PROJECTION_CODE = re.compile(r"(EPSG|AUTO):\d+", re.IGNORECASE)


@dataclass(frozen=True)
class ValueProblem:
    code: str  # wrong-type, not-in-value-set, out-of-range, pattern-mismatch, missing-value
    message: str


def _scalar_type(java_type: str) -> str:
    return java_type.removesuffix("[]")


def _type_ok(java_type: str, text: str) -> bool:
    if java_type in _INTEGER_BITS:
        bits = _INTEGER_BITS[java_type]
        return bool(_JAVA_INTEGER.fullmatch(text)) and -(2 ** (bits - 1)) <= int(text) < 2 ** (bits - 1)
    if java_type in _FLOATS:
        return bool(_JAVA_DOUBLE.fullmatch(text))
    if java_type in _BOOLEANS:
        # Ceres' converter is Boolean.valueOf: any other text silently becomes false, which is never what a graph meant.
        return text.lower() in ("true", "false")
    if java_type == "Rectangle":
        parts = text.split(",")
        return len(parts) == 4 and all(_JAVA_INTEGER.fullmatch(p.strip()) for p in parts)
    if java_type in _GEOMETRIES:
        import shapely  # here, not at the top: the linter starts in a fraction of the time without it

        try:
            shapely.from_wkt(text)
        except shapely.errors.ShapelyError:
            return False
        return True
    return True


def _number(text: str) -> float:
    return float(text.rstrip("fFdD").replace("Infinity", "inf"))


def _in_interval(interval: str, value: float) -> bool | None:
    """None when the interval text is not in Ceres syntax (then nothing is checked)."""
    match = _INTERVAL.fullmatch(interval.strip())
    if not match:
        return None
    low_bracket, low, high, high_bracket = match.groups()
    if low not in ("*", "") and (value < float(low) or (low_bracket == "(" and value == float(low))):
        return False
    if high not in ("*", "") and (value > float(high) or (high_bracket == ")" and value == float(high))):
        return False
    return True


def _in_value_set(spec: ParameterSpec, text: str) -> bool:
    scalar = _scalar_type(spec.type)
    if scalar in _INTEGER_BITS or scalar in _FLOATS:
        return any(_JAVA_DOUBLE.fullmatch(v) and _number(v) == _number(text) for v in spec.value_set)
    return text in spec.value_set


def _projection_ok(text: str) -> bool:
    """Terrain-Correction's mapProjection: WGS84(DD), EPSG:<code>, AUTO:<code> or a WKT that a CRS library reads."""
    if text == "WGS84(DD)" or _PROJECTION_CODE.fullmatch(text):
        return True
    from pyproj import CRS  # here, not at the top: the linter starts in a fraction of the time without it
    from pyproj.exceptions import CRSError

    try:
        CRS.from_wkt(text)
    except CRSError:
        return False
    return True


def _item_problems(spec: ParameterSpec, text: str, runtime_values: tuple[str, ...]) -> list[ValueProblem]:
    scalar = _scalar_type(spec.type)
    if not _type_ok(scalar, text):
        return [ValueProblem("wrong-type", f"value {text!r} is not a {scalar}")]
    problems = []
    if spec.value_set and not _in_value_set(spec, text):
        problems.append(ValueProblem("not-in-value-set", f"value {text!r} is not one of {', '.join(spec.value_set)}"))
    elif not spec.value_set and runtime_values and text not in runtime_values:
        problems.append(ValueProblem("not-in-value-set", f"value {text!r} is not one of the values SNAP registers: {', '.join(runtime_values)}"))
    if spec.interval and (scalar in _INTEGER_BITS or scalar in _FLOATS):
        number = _number(text)
        if not math.isnan(number) and _in_interval(spec.interval, number) is False:
            problems.append(ValueProblem("out-of-range", f"value {text} is outside {spec.interval}"))
    if spec.pattern and not re.fullmatch(spec.pattern, text):
        problems.append(ValueProblem("pattern-mismatch", f"value {text!r} does not match the pattern {spec.pattern}"))
    if spec.name == "mapProjection" and scalar == "String" and not _projection_ok(text):
        problems.append(ValueProblem("wrong-type", f"value {text[:60]!r} is not WGS84(DD), EPSG:<code>, AUTO:<code> nor a readable WKT"))
    return problems


def is_checkable(spec: ParameterSpec) -> bool:
    """Types whose text form the linter understands; structures (BandMaths bands, Binning configs, ...) are not."""
    if spec.structured:
        return False
    scalar = _scalar_type(spec.type)
    return scalar in _INTEGER_BITS or scalar in _FLOATS or scalar in _BOOLEANS or scalar in _TEXTS or scalar in _GEOMETRIES or scalar == "Rectangle"


def value_problems(spec: ParameterSpec, element: ParameterElement, runtime_values: tuple[str, ...] = ()) -> list[ValueProblem]:
    """What SNAP would refuse (or silently misread) in this element's value; [] when it is fine or not checkable."""
    if not is_checkable(spec):
        return []
    is_array = spec.type.endswith("[]")
    if element.items is not None:
        if not (is_array and spec.item_alias):
            return [ValueProblem("wrong-type", f"{spec.type} is written as text, not as child elements")]
        values = list(element.items)
    elif is_array and spec.item_alias and element.text:
        return [ValueProblem("wrong-type", f"{spec.type} is read from <{spec.item_alias}> child elements only; the text is ignored")]
    elif not element.text:
        if spec.type in _PRIMITIVES:
            return [ValueProblem("wrong-type", f"empty value: the primitive {spec.type} parameter cannot be null")]
        if spec.not_null or spec.not_empty:
            return [ValueProblem("missing-value", "empty value, but the parameter must be set")]
        return []
    else:
        values = [v.strip() for v in element.text.split(",")] if is_array else [element.text]
    problems: list[ValueProblem] = []
    for text in values:
        if not is_placeholder(text):
            problems.extend(_item_problems(spec, text, runtime_values))
    return problems
