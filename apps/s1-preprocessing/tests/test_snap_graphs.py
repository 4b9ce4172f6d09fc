"""The project's SNAP graphs: valid for SNAP 9-13 for every option combination that changes them, and the
options land in the right SNAP parameters."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from lxml import etree
from s4c_s1_preprocessing.options import BackscatterOptions, CoherenceOptions
from s4c_s1_preprocessing.snap import chains
from s4c_s1_preprocessing.snap.descriptors import load_catalog
from s4c_s1_preprocessing.snap.graphfile import Graph, read_graph
from s4c_s1_preprocessing.snap.graphs import ExternalDem, GraphBuilder, Node
from s4c_s1_preprocessing.snap.lint import lint_graph

DEM = ExternalDem(Path("/data/dem/cop30.tif"), float("nan"), True, "BILINEAR_INTERPOLATION")
SWATHS = ("IW1", "IW2", "IW3")
WORK = Path("/work/run")


@pytest.fixture(scope="module")
def catalog(shared):
    return load_catalog(shared.path("reference/snap-operators.json"))


def _graphs(steps) -> list[Graph]:
    return [read_graph(step.graph.to_bytes(), step.name) for step in steps]


def _backscatter_variants():
    for radiometry, thermal_noise, (amp_mode, scale), speckle, geocoding in itertools.product(
        ("sigma0", "beta0", "gamma0", "gamma0_rtc"),
        (True, False),
        (("sigma0", "linear"), ("sigma0", "db"), ("sen4cap", "linear")),
        ("none", "Lee Sigma", "Refined Lee", "Boxcar", "IDAN"),
        ("range-doppler", "gcp"),
    ):
        yield BackscatterOptions(
            radiometry=radiometry, thermal_noise=thermal_noise, amp_mode=amp_mode, scale=scale, speckle_filter=speckle, geocoding=geocoding
        )
    for projection, spacing, resampling in itertools.product(
        ("EPSG:3035", "EPSG:32632", "EPSG:4326", "+proj=utm +zone=32 +ellps=GRS80"), (10, 30), ("nearest", "bicubic")
    ):
        yield BackscatterOptions(projection=projection, pixel_spacing=spacing, img_resampling=resampling, dem_resampling=resampling, ml_looks=(1, 1))


def test_every_backscatter_graph_is_valid_for_snap_9_to_13(catalog):
    checked = 0
    for options in _backscatter_variants():
        steps = chains.grd_backscatter_steps(Path("/in/S1.SAFE/manifest.safe"), "VV", options, DEM, WORK)
        steps += chains.slc_backscatter_steps(Path("/in/S1_SLC.zip"), SWATHS, "VH", options, DEM, WORK)
        for graph in _graphs(steps):
            assert [str(f) for f in lint_graph(graph, catalog)] == [], (graph.path, options)
            checked += 1
    assert checked == 240 * 6 + 16 * 6


def test_every_coherence_graph_is_valid_for_snap_9_to_13(catalog):
    for remove_phase, overlap, spectral_diversity, geocoding, swaths in itertools.product(
        (True, False), (None, "POLYGON ((10 46, 11 46, 11 47, 10 47, 10 46))"), (False, True), ("range-doppler", "gcp"), (SWATHS, ("IW2",))
    ):
        options = CoherenceOptions(remove_geometric_phase=remove_phase, geocoding=geocoding)
        steps = chains.coherence_steps(Path("/in/m.zip"), Path("/in/s.zip"), swaths, "VV", options, DEM, overlap, WORK, spectral_diversity=spectral_diversity)
        assert len(steps) == 2 + 2 * len(swaths)
        for graph in _graphs(steps):
            assert [str(f) for f in lint_graph(graph, catalog)] == [], (graph.path, options)


def test_options_outside_snap_ranges_are_found_by_the_linter(catalog):
    options = CoherenceOptions(coh_win_az=1, coh_win_rg=120)
    graph = _graphs(chains.coherence_steps(Path("/m.zip"), Path("/s.zip"), SWATHS, "VV", options, DEM, None, WORK))[2]
    assert sorted(f.message for f in lint_graph(graph, catalog)) == ["<cohWinAz>: value 1 is outside (1, 90]", "<cohWinRg>: value 120 is outside (1, 90]"]
    lee_sigma = BackscatterOptions(speckle_filter="Lee Sigma", speckle_filter_size=4)
    graph = _graphs(chains.grd_backscatter_steps(Path("/g.zip"), "VV", lee_sigma, DEM, WORK))[0]
    assert [f.message for f in lint_graph(graph, catalog)] == ["<windowSize>: value '4x4' is not one of 5x5, 7x7, 9x9, 11x11, 13x13, 15x15, 17x17"]


def _parameters(graph: Graph, operator: str) -> dict[str, str]:
    (node,) = graph.by_operator(operator)
    return {p.name: p.text for p in node.parameters}


def _operators(graph: Graph) -> list[str]:
    return [n.operator for n in graph.nodes]


def test_grd_chain_maps_the_options():
    options = BackscatterOptions(radiometry="gamma0_rtc", scale="db", speckle_filter="Lee", speckle_filter_size=7, projection="EPSG:32632", pixel_spacing=10)
    (graph,) = _graphs(chains.grd_backscatter_steps(Path("/in/a.zip"), "VH", options, DEM, WORK))
    assert _operators(graph) == [
        "Read",
        "Apply-Orbit-File",
        "ThermalNoiseRemoval",
        "Calibration",
        "Speckle-Filter",
        "Terrain-Flattening",
        "Terrain-Correction",
        "LinearToFromdB",
        "Write",
    ]  # 10 m: 1 x 1 looks, no Multilook
    calibration = _parameters(graph, "Calibration")
    assert (calibration["outputBetaBand"], calibration["outputSigmaBand"], calibration["selectedPolarisations"]) == ("true", "false", "VH")
    assert _parameters(graph, "Speckle-Filter") == {"filter": "Lee", "filterSizeX": "7", "filterSizeY": "7"}
    tc = _parameters(graph, "Terrain-Correction")
    assert tc["mapProjection"] == "EPSG:32632"
    assert (float(tc["pixelSpacingInMeter"]), float(tc["pixelSpacingInDegree"])) == (10.0, pytest.approx(8.983152841195214e-05))
    assert (tc["demName"], tc["externalDEMFile"], tc["externalDEMNoDataValue"], tc["externalDEMApplyEGM"]) == (
        "External DEM",
        "/data/dem/cop30.tif",
        "NaN",
        "true",
    )
    assert (tc["imgResamplingMethod"], tc["alignToStandardGrid"], tc["applyRadiometricNormalization"]) == ("BILINEAR_INTERPOLATION", "true", "false")
    assert _parameters(graph, "Write") == {"file": "/work/run/backscatter_VH.tif", "formatName": "GeoTIFF-BigTIFF"}


def test_sen4cap_amplitude_and_slc_chain():
    options = BackscatterOptions(amp_mode="sen4cap", thermal_noise=False)
    steps = chains.slc_backscatter_steps(Path("/in/slc.zip"), SWATHS, "VV", options, DEM, WORK)
    assert [s.name for s in steps] == ["VV-split", "VV-deburst-IW1", "VV-deburst-IW2", "VV-deburst-IW3", "VV-geocode"]
    split, *_, geocode = _graphs(steps)
    assert _operators(split) == ["Read", "Apply-Orbit-File", "Calibration"] + ["TOPSAR-Split", "Write"] * 3
    assert steps[0].outputs == tuple(WORK / f"split_{s}.dim" for s in SWATHS)
    assert _operators(geocode) == ["Read", "Read", "Read", "TOPSAR-Merge", "Multilook", "Terrain-Correction", "BandMaths", "Write"]
    assert _parameters(geocode, "Multilook") == {"nRgLooks": "8", "nAzLooks": "2", "outputIntensity": "true", "grSquarePixel": "false"}
    target_band = etree.fromstring(steps[-1].graph.to_bytes()).find("node[@id='BandMaths']/parameters/targetBands/targetBand")
    assert {child.tag: child.text for child in target_band} == {
        "name": "Amplitude_VV",
        "type": "float32",
        "expression": "sqrt(Sigma0_VV)",
        "noDataValue": "0.0",
    }


def test_coherence_chain_maps_the_options():
    options = CoherenceOptions(coh_win_rg=20, coh_win_az=5, remove_geometric_phase=False)
    overlap = "POLYGON ((10 46, 11 46, 11 47, 10 47, 10 46))"
    steps = chains.coherence_steps(Path("/in/m.zip"), Path("/in/s.zip"), SWATHS, "VH", options, DEM, overlap, WORK)
    graphs = _graphs(steps)
    split = graphs[0]
    assert [n.parameter("file") for n in split.by_operator("Read")] == ["/in/m.zip", "/in/s.zip"]
    assert {n.parameter("outputImageInComplex") for n in split.by_operator("Calibration")} == {"true"}
    coregister, coherence = graphs[1], graphs[2]
    (back_geocoding,) = coregister.by_operator("Back-Geocoding")
    assert [s.refid for s in back_geocoding.sources] == ["Read-master", "Read-slave"]  # the master first: the reference geometry
    assert _operators(coherence) == ["Read", "Coherence", "TOPSAR-Deburst", "Write"]
    parameters = _parameters(coherence, "Coherence")
    assert {k: parameters[k] for k in ("cohWinAz", "cohWinRg", "squarePixel", "subtractFlatEarthPhase", "subtractTopographicPhase", "demName")} == {
        "cohWinAz": "5",
        "cohWinRg": "20",
        "squarePixel": "false",
        "subtractFlatEarthPhase": "false",
        "subtractTopographicPhase": "false",
        "demName": "External DEM",
    }
    geocode = graphs[-1]
    assert _operators(geocode) == ["Read", "Read", "Read", "TOPSAR-Merge", "Terrain-Correction", "Subset", "Write"]
    assert _parameters(geocode, "Subset") == {"geoRegion": overlap, "copyMetadata": "true"}


def test_projection_is_passed_as_epsg_or_wkt():
    assert chains.snap_projection("EPSG:3035") == "EPSG:3035"
    assert chains.snap_projection(chains.snap_projection("EPSG:32631")) == "EPSG:32631"
    wkt = chains.snap_projection("+proj=utm +zone=31 +ellps=intl +units=m")  # no exact EPSG code (ED50 would add a datum shift)
    assert wkt.startswith("PROJCS[") and "International 1924" in wkt


def test_user_text_is_escaped_never_spliced():
    tricky = "/data/a&b <c> \"d\" 'e'/]]>/dem.tif"
    builder = GraphBuilder("escape")
    builder.add("Read", Node("Read", {"file": Path(tricky)}))
    builder.add("Write", Node("Write", {"file": "</file><file>injected", "formatName": "BEAM-DIMAP"}), "Read")
    graph = read_graph(builder.to_bytes(), "escape.xml")
    assert graph.nodes[0].parameter("file") == tricky
    assert [p.name for p in graph.nodes[1].parameters] == ["file", "formatName"]
    assert graph.nodes[1].parameter("file") == "</file><file>injected"


def test_builder_refuses_unknown_sources_and_duplicate_ids():
    builder = GraphBuilder("g")
    builder.add("Read", Node("Read", {"file": "x"}))
    with pytest.raises(ValueError, match="not in the graph"):
        builder.add("Write", Node("Write", {}), "Reed")
    with pytest.raises(ValueError, match="already"):
        builder.add("Read", Node("Read", {}))
