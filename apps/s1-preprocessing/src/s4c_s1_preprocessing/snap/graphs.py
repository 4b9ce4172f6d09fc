"""SNAP graph XML written by the project: one builder function per operator, serialised with lxml.

Node builders take typed Python values and return a :class:`Node` (operator + parameters); :class:`GraphBuilder`
gives it an id and its sources and serialises the whole graph with lxml, so every value (paths, WKT, band names)
is escaped by the XML library and never spliced into markup. These graphs are the project's own; Sen4CAP's graphs
(GPL) were only a reference for the operators and the values Sen4CAP uses.

Parameters are always written explicitly when SNAP releases changed their defaults (demName in SNAP 13, the
Coherence phase subtractions in SNAP 14), so a graph means the same on every release from 9 on.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from lxml import etree


@dataclass(frozen=True)
class TargetBand:
    """One BandMaths output band (written as a <targetBand> element)."""

    name: str
    expression: str
    type: str = "float32"
    no_data: float = 0.0


ParameterValue = str | int | float | bool | Path | Sequence[str] | tuple[TargetBand, ...]

# 1 degree of the WGS84 equator in metres: SNAP's pixelSpacingInDegree for a metric spacing (20 m -> 1.7966e-4 deg).
METRES_PER_DEGREE = 6378137.0 * math.pi / 180.0
EXTERNAL_DEM = "External DEM"
# Sen4CAP's orbit choice; offline, SNAP continues with the annotation orbit (continueOnFail).
PRECISE_ORBIT = "Sentinel Precise (Auto Download)"
RESAMPLING_NAMES = {"nearest": "NEAREST_NEIGHBOUR", "bilinear": "BILINEAR_INTERPOLATION", "bicubic": "BICUBIC_INTERPOLATION"}
# Ellipsoid-Correction-GG offers nearest, bilinear and cubic convolution only.
GG_RESAMPLING_NAMES = {"nearest": "NEAREST_NEIGHBOUR", "bilinear": "BILINEAR_INTERPOLATION", "bicubic": "CUBIC_CONVOLUTION"}
CALIBRATION_BANDS = {"sigma0": "outputSigmaBand", "beta0": "outputBetaBand", "gamma0": "outputGammaBand"}
BAND_PREFIXES = {"sigma0": "Sigma0", "beta0": "Beta0", "gamma0": "Gamma0"}


@dataclass(frozen=True)
class Node:
    operator: str
    parameters: Mapping[str, ParameterValue]


@dataclass(frozen=True)
class ExternalDem:
    """The DEM every DEM-using node reads; SNAP cannot download one inside the container."""

    file: Path
    no_data: float
    apply_egm: bool  # heights are EGM96 geoid heights that SNAP converts to ellipsoidal ones
    resampling: str  # SNAP resampling name

    def parameters(self, *, with_egm: bool = True) -> dict[str, ParameterValue]:
        parameters: dict[str, ParameterValue] = {"demName": EXTERNAL_DEM, "externalDEMFile": self.file, "externalDEMNoDataValue": self.no_data}
        if with_egm:
            parameters["externalDEMApplyEGM"] = self.apply_egm
        return parameters


@dataclass(frozen=True)
class OutputGrid:
    map_projection: str  # EPSG:<code> or WKT, as Terrain-Correction's mapProjection
    pixel_spacing: float  # metres
    resampling: str  # option name: nearest, bilinear, bicubic


def _text(value: str | int | float | bool | Path | Sequence[str]) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")  # Java's spelling
        return repr(value)  # shortest text that reads back to the same double (Java's parseDouble accepts it)
    if isinstance(value, str | int | Path):
        return str(value)
    return ",".join(value)  # String[]: comma-separated


def _append_parameter(parent: etree._Element, name: str, value: ParameterValue) -> None:
    element = etree.SubElement(parent, name)
    if isinstance(value, tuple) and value and isinstance(value[0], TargetBand):
        for band in value:
            item = etree.SubElement(element, "targetBand")
            for key, text in (("name", band.name), ("type", band.type), ("expression", band.expression), ("noDataValue", _text(band.no_data))):
                etree.SubElement(item, key).text = text
    else:
        element.text = _text(value)  # type: ignore[arg-type]


class GraphBuilder:
    """A graph under construction; nodes are added in processing order."""

    def __init__(self, graph_id: str):
        self.root = etree.Element("graph", id=graph_id)
        etree.SubElement(self.root, "version").text = "1.0"
        self._ids: set[str] = set()

    def add(self, node_id: str, node: Node, *sources: str) -> str:
        """Add ``node`` reading from the node ids ``sources`` (in order); returns ``node_id`` for chaining."""
        if node_id in self._ids:
            raise ValueError(f"node id {node_id!r} is already in the graph")
        unknown = [s for s in sources if s not in self._ids]
        if unknown:
            raise ValueError(f"node {node_id!r} reads from {unknown}, which are not in the graph yet")
        self._ids.add(node_id)
        element = etree.SubElement(self.root, "node", id=node_id)
        etree.SubElement(element, "operator").text = node.operator
        sources_element = etree.SubElement(element, "sources")
        for index, source in enumerate(sources):
            name = "sourceProduct" if index == 0 else f"sourceProduct.{index}"
            etree.SubElement(sources_element, name, refid=source)
        parameters = etree.SubElement(element, "parameters")
        for name, value in node.parameters.items():
            _append_parameter(parameters, name, value)
        return node_id

    def to_bytes(self) -> bytes:
        return etree.tostring(self.root, xml_declaration=True, encoding="UTF-8", pretty_print=True)

    def write(self, path: Path) -> Path:
        path.write_bytes(self.to_bytes())
        return path


# --- node builders, one per operator ------------------------------------------------------------------------------


def read(file: Path) -> Node:
    return Node("Read", {"file": file})


def write(file: Path, format_name: str) -> Node:
    return Node("Write", {"file": file, "formatName": format_name})


def apply_orbit_file() -> Node:
    return Node("Apply-Orbit-File", {"orbitType": PRECISE_ORBIT, "polyDegree": 3, "continueOnFail": True})


def thermal_noise_removal(polarisations: Sequence[str]) -> Node:
    return Node("ThermalNoiseRemoval", {"selectedPolarisations": list(polarisations), "removeThermalNoise": True, "reIntroduceThermalNoise": False})


def calibration(polarisations: Sequence[str], radiometry: str, *, complex_output: bool = False) -> Node:
    """``radiometry``: sigma0, beta0 or gamma0 (ellipsoid-based); the band is named Sigma0_<POL>, Beta0_<POL>, Gamma0_<POL>."""
    parameters: dict[str, ParameterValue] = {
        "selectedPolarisations": list(polarisations),
        "auxFile": "Latest Auxiliary File",  # Sen4CAP's value; Sentinel-1 calibration reads the product LUTs anyway
        "outputImageInComplex": complex_output,
        "outputImageScaleInDb": False,
        "createGammaBand": False,
        "createBetaBand": False,
    }
    parameters.update({flag: name == radiometry for name, flag in CALIBRATION_BANDS.items()})
    return Node("Calibration", parameters)


def topsar_split(subswath: str, polarisations: Sequence[str]) -> Node:
    # lastBurstIndex 9999 is SNAP's own "every burst" default; Sen4CAP substituted the burst count.
    return Node("TOPSAR-Split", {"subswath": subswath, "selectedPolarisations": list(polarisations), "firstBurstIndex": 1, "lastBurstIndex": 9999})


def topsar_deburst(polarisations: Sequence[str]) -> Node:
    return Node("TOPSAR-Deburst", {"selectedPolarisations": list(polarisations)})


def topsar_merge(polarisations: Sequence[str]) -> Node:
    return Node("TOPSAR-Merge", {"selectedPolarisations": list(polarisations)})


def back_geocoding(dem: ExternalDem) -> Node:
    # Sen4CAP's values: bicubic DEM, 5-point sinc image resampling, no output outside the DEM. The operator has no
    # externalDEMApplyEGM parameter.
    parameters = dem.parameters(with_egm=False)
    parameters.update(
        {
            "demResamplingMethod": "BICUBIC_INTERPOLATION",
            "resamplingType": "BISINC_5_POINT_INTERPOLATION",
            "maskOutAreaWithoutElevation": True,
            "outputRangeAzimuthOffset": False,
            "outputDerampDemodPhase": False,
            "disableReramp": False,
        }
    )
    return Node("Back-Geocoding", parameters)


def enhanced_spectral_diversity() -> Node:
    return Node("Enhanced-Spectral-Diversity", {})


def coherence(win_range: int, win_azimuth: int, *, remove_geometric_phase: bool, dem: ExternalDem) -> Node:
    parameters: dict[str, ParameterValue] = {
        "cohWinAz": win_azimuth,
        "cohWinRg": win_range,
        "squarePixel": False,
        "subtractFlatEarthPhase": remove_geometric_phase,
        "subtractTopographicPhase": remove_geometric_phase,
        "srpPolynomialDegree": 5,
        "srpNumberPoints": 501,
        "orbitDegree": 3,
    }
    parameters.update(dem.parameters())
    return Node("Coherence", parameters)


def multilook(range_looks: int, azimuth_looks: int) -> Node:
    # Explicit looks on both axes (grSquarePixel would recompute the azimuth looks from the range looks).
    return Node("Multilook", {"nRgLooks": range_looks, "nAzLooks": azimuth_looks, "outputIntensity": True, "grSquarePixel": False})


def speckle_filter(name: str, size: int) -> Node:
    """``name`` a SNAP filter name; ``size`` the square window of the box filters (Lee Sigma: its window size too)."""
    parameters: dict[str, ParameterValue] = {"filter": name, "filterSizeX": size, "filterSizeY": size}
    if name == "Lee Sigma":
        parameters["windowSize"] = f"{size}x{size}"
    return Node("Speckle-Filter", parameters)


def terrain_flattening(dem: ExternalDem) -> Node:
    parameters = dem.parameters()
    parameters.update({"demResamplingMethod": dem.resampling, "outputSimulatedImage": False, "outputSigma0": False})
    return Node("Terrain-Flattening", parameters)


def terrain_correction(grid: OutputGrid, dem: ExternalDem) -> Node:
    parameters = dem.parameters()
    parameters.update(
        {
            "demResamplingMethod": dem.resampling,
            "imgResamplingMethod": RESAMPLING_NAMES[grid.resampling],
            "pixelSpacingInMeter": float(grid.pixel_spacing),
            "pixelSpacingInDegree": grid.pixel_spacing / METRES_PER_DEGREE,
            "mapProjection": grid.map_projection,
            # Edges on multiples of the spacing, the project's grid rule (Sen4CAP did not align).
            "alignToStandardGrid": True,
            "standardGridOriginX": 0.0,
            "standardGridOriginY": 0.0,
            "nodataValueAtSea": True,
            "saveSelectedSourceBand": True,
            "outputComplex": False,
            "applyRadiometricNormalization": False,
        }
    )
    return Node("Terrain-Correction", parameters)


def ellipsoid_correction_gg(grid: OutputGrid) -> Node:
    """Geocoding with the annotation tie-point grid, no DEM: the ``gcp`` geocoding for flat terrain."""
    return Node("Ellipsoid-Correction-GG", {"imgResamplingMethod": GG_RESAMPLING_NAMES[grid.resampling], "mapProjection": grid.map_projection})


def linear_to_db() -> Node:
    return Node("LinearToFromdB", {})


def amplitude(band: str) -> Node:
    """Sen4CAP's AMP: sqrt of the intensity band, float32, no-data 0 like the terrain-corrected input."""
    target = TargetBand(name=f"Amplitude_{band.rsplit('_', 1)[-1]}", expression=f"sqrt({band})")
    return Node("BandMaths", {"targetBands": (target,)})


def subset_to_region(wkt_lonlat: str) -> Node:
    return Node("Subset", {"geoRegion": wkt_lonlat, "copyMetadata": True})
