"""The SNAP graph linter on the reference graphs (Sen4CAP's, SNAP's own) and on broken copies of them."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree
from s4c_s1_preprocessing.snap.descriptors import DEFAULT_VERSIONS, load_catalog, parse_versions
from s4c_s1_preprocessing.snap.graphfile import read_graph
from s4c_s1_preprocessing.snap.lint import format_versions, lint_file, lint_graph, main

SEN4CAP_GRAPHS = "reference/sen4cap-s1-graphs"
SNAP_TEST_GRAPHS = "reference/snap-gpt-test-graphs"
OPERATORS = "reference/snap-operators.json"


@pytest.fixture(scope="module")
def catalog(shared):
    return load_catalog(shared.path(OPERATORS))


def _summary(findings):
    return sorted((Path(f.path).name, f.line, f.code, f.message, f.versions) for f in findings)


# --- the reference graphs ------------------------------------------------------------------------------------------


def test_sen4cap_graphs_are_clean_for_snap_9_to_14(shared, catalog):
    graphs = sorted(shared.path(SEN4CAP_GRAPHS).glob("*.xml"))
    assert len(graphs) == 17
    for graph in graphs:
        assert lint_file(graph, catalog, (9, 10, 11, 12, 13, 14)) == [], graph.name


def test_sen4cap_graphs_fail_on_snap_8_only_for_output_complex(shared, catalog):
    """s1tbx 8.0.6's Terrain-Correction has no outputComplex (added in SNAP 9): gpt 8 fails with "Unknown element"."""
    findings = [f for graph in sorted(shared.path(SEN4CAP_GRAPHS).glob("*.xml")) for f in lint_file(graph, catalog, (8,))]
    assert _summary(findings) == [
        ("3-4-5-amplitude.xml", 78, "unknown-parameter", "unknown parameter <outputComplex>", (8,)),
        ("3-4-coherence.xml", 63, "unknown-parameter", "unknown parameter <outputComplex>", (8,)),
        ("4-coherence.xml", 54, "unknown-parameter", "unknown parameter <outputComplex>", (8,)),
        ("5-amplitude.xml", 54, "unknown-parameter", "unknown parameter <outputComplex>", (8,)),
    ]


_COLLOCATE_RENAMED = (
    "referenceProductName",
    "renameReferenceComponents",
    "renameSecondaryComponents",
    "referenceComponentPattern",
    "secondaryComponentPattern",
)
# Findings of SNAP's own test graphs that are real for the releases named (checked in the descriptors' sources), as
# (operator, code, message, releases):
# - Collocate's master/slave parameters were renamed reference/secondary in SNAP 10 (SNAP 9 has masterProductName, ...);
# - Subset and Read gained vectorFile and polygonRegion in SNAP 12;
# - InSAR-Overview exists from microwave-toolbox 11 on;
# - Unmix and NdviOp left snap-engine for the optical toolbox in SNAP 10 (the descriptor file covers snap-engine and the
#   SAR toolbox only).
EXPLAINED = {
    *{("Collocate", "unknown-parameter", f"unknown parameter <{p}>", (9,)) for p in _COLLOCATE_RENAMED},
    *{(op, "unknown-parameter", f"unknown parameter <{p}>", (9, 10, 11)) for op in ("Subset", "Read") for p in ("vectorFile", "polygonRegion")},
    ("InSAR-Overview", "unknown-operator", "unknown operator 'InSAR-Overview'", (9, 10)),
    ("Unmix", "unknown-operator", "unknown operator 'Unmix'", (10, 11, 12, 13)),
    ("NdviOp", "unknown-operator", "unknown operator 'NdviOp'", (10, 11, 12, 13)),
}
_OPTICAL_PREFIXES = ("opttbx__", "s2tbx__", "s3tbx__")


def _operators_in_no_release(shared) -> set[str]:
    """Operators that no release 9-13 of the descriptor file has (read from the raw JSON, not through the linter)."""
    data = json.loads(shared.path(OPERATORS).read_text())
    known = {alias for label, release in data["versions"].items() if label.split()[1] in {"9", "10", "11", "12", "13"} for alias in release["operators"]}
    used = set()
    for graph in shared.path(SNAP_TEST_GRAPHS).glob("*.xml"):
        used |= {n.operator for n in read_graph(graph).nodes}
    return used - known


def test_snap_test_graphs_pass_except_for_explained_findings(shared, catalog):
    """SNAP's own graphs: every finding is a real difference between releases, or an operator of the optical toolboxes,
    which the descriptor file does not cover (it holds snap-engine and the SAR toolbox only)."""
    outside_descriptors = _operators_in_no_release(shared)
    unexplained, seen = [], set()
    for graph in sorted(shared.path(SNAP_TEST_GRAPHS).glob("*.xml")):
        for finding in lint_file(graph, catalog):
            key = (finding.operator, finding.code, finding.message, finding.versions)
            seen.add(key)
            optical_operator = finding.code == "unknown-operator" and finding.operator in outside_descriptors and finding.versions == DEFAULT_VERSIONS
            if key not in EXPLAINED and not optical_operator:
                unexplained.append(str(finding))
            if optical_operator and not graph.name.startswith(_OPTICAL_PREFIXES):
                assert finding.operator in {"S2Resampling", "BiophysicalOp"}, str(finding)  # optical operators in a snap-engine graph
    assert unexplained == []
    assert seen >= EXPLAINED
    assert outside_descriptors >= {"S2Resampling", "BiophysicalOp", "c2rcc.olci"}


def test_every_sar_toolbox_test_graph_passes_for_snap_12_and_13(shared, catalog):
    graphs = sorted(p for p in shared.path(SNAP_TEST_GRAPHS).glob("*.xml") if p.name.startswith("s1tbx__"))
    assert len(graphs) == 35
    assert [str(f) for g in graphs for f in lint_file(g, catalog, (12, 13))] == []


# --- broken copies -------------------------------------------------------------------------------------------------


def _broken(shared, tmp_path, name: str, change) -> Path:
    tree = etree.parse(str(shared.path(f"{SEN4CAP_GRAPHS}/{name}")))
    change(tree.getroot())
    path = tmp_path / f"broken-{name}"
    tree.write(str(path))
    return path


def _node(root, node_id: str):
    return root.find(f"node[@id='{node_id}']")


def _only(findings):
    assert len(findings) == 1, [str(f) for f in findings]
    return findings[0]


def test_unknown_operator(shared, catalog, tmp_path):
    graph = _broken(shared, tmp_path, "2-1-coherence.xml", lambda r: _node(r, "Coherence").find("operator").__setattr__("text", "Coherance"))
    finding = _only(lint_file(graph, catalog))
    assert (finding.code, finding.node, finding.message, finding.versions) == (
        "unknown-operator",
        "Coherence",
        "unknown operator 'Coherance'",
        DEFAULT_VERSIONS,
    )


def test_misspelt_parameter(shared, catalog, tmp_path):
    graph = _broken(shared, tmp_path, "2-1-coherence.xml", lambda r: _node(r, "Coherence").find("parameters/cohWinAz").__setattr__("tag", "cohWinAzimuth"))
    finding = _only(lint_file(graph, catalog))
    assert (finding.code, finding.operator, finding.message) == ("unknown-parameter", "Coherence", "unknown parameter <cohWinAzimuth>")


@pytest.mark.parametrize(
    ("node_id", "parameter", "value", "code", "message"),
    [
        (
            "Terrain-Correction",
            "demResamplingMethod",
            "BILINEAR",
            "not-in-value-set",
            "value 'BILINEAR' is not one of NEAREST_NEIGHBOUR, BILINEAR_INTERPOLATION",
        ),
        ("Terrain-Correction", "demName", "SRTM 30Sec", "not-in-value-set", "value 'SRTM 30Sec' is not one of the values SNAP registers: SRTM 3Sec"),
        ("Terrain-Correction", "saveDEM", "yes", "wrong-type", "value 'yes' is not a boolean"),
        ("Terrain-Correction", "externalDEMNoDataValue", "none", "wrong-type", "value 'none' is not a double"),
        ("Terrain-Correction", "externalDEMNoDataValue", "", "wrong-type", "empty value: the primitive double parameter cannot be null"),
        ("Terrain-Correction", "mapProjection", "EPSG3035", "wrong-type", "value 'EPSG3035' is not WGS84(DD), EPSG:<code>, AUTO:<code> nor a readable WKT"),
        ("Multilook", "nRgLooks", "8.5", "wrong-type", "value '8.5' is not a int"),
        ("Multilook", "nAzLooks", "0", "out-of-range", "value 0 is outside [1, *)"),
        ("Write", "formatName", "GeoTiff", "not-in-value-set", "value 'GeoTiff' is not one of the values SNAP registers: BEAM-DIMAP, GeoTIFF"),
    ],
)
def test_bad_values(shared, catalog, tmp_path, node_id, parameter, value, code, message):
    graph = _broken(shared, tmp_path, "3-4-5-amplitude.xml", lambda r: _node(r, node_id).find(f"parameters/{parameter}").__setattr__("text", value))
    finding = _only(lint_file(graph, catalog))
    assert (finding.code, finding.node) == (code, node_id)
    assert finding.message.startswith(f"<{parameter}>: {message}")


def test_coherence_window_outside_interval(shared, catalog, tmp_path):
    graph = _broken(shared, tmp_path, "2-1-coherence.xml", lambda r: _node(r, "Coherence").find("parameters/cohWinRg").__setattr__("text", "1"))
    assert _only(lint_file(graph, catalog)).message == "<cohWinRg>: value 1 is outside (1, 90]"


def test_dangling_source(shared, catalog, tmp_path):
    graph = _broken(shared, tmp_path, "2-1-coherence.xml", lambda r: _node(r, "TOPSAR-Deburst").find("sources/sourceProduct").set("refid", "Coherence(2)"))
    finding = _only(lint_file(graph, catalog))
    assert (finding.code, finding.node) == ("dangling-source", "TOPSAR-Deburst")
    assert finding.message == "source <sourceProduct> refers to 'Coherence(2)', which is not a node of the graph"


def test_cycle(shared, catalog, tmp_path):
    def loop(root):
        sources = _node(root, "Coherence").find("sources")
        etree.SubElement(sources, "sourceProduct.1", refid="TOPSAR-Deburst")

    finding = _only(lint_file(_broken(shared, tmp_path, "2-1-coherence.xml", loop), catalog))
    assert finding.code == "cycle"
    assert finding.message == "nodes form a cycle: Coherence -> TOPSAR-Deburst -> Coherence"


def test_graph_without_write_and_without_input(shared, catalog, tmp_path):
    def strip(root):
        root.remove(_node(root, "Write"))
        root.remove(_node(root, "Read"))
        _node(root, "Coherence").find("sources").clear()

    findings = lint_file(_broken(shared, tmp_path, "2-1-coherence.xml", strip), catalog)
    assert sorted(f.code for f in findings) == ["missing-source", "no-input", "no-write"]


def test_same_input_read_twice(shared, catalog, tmp_path):
    def second_read(root):
        read = copy.deepcopy(_node(root, "Read"))
        read.set("id", "Read(2)")
        root.insert(2, read)
        _node(root, "Coherence").find("sources").append(etree.Element("sourceProduct.1", refid="Read(2)"))

    finding = _only(lint_file(_broken(shared, tmp_path, "2-1-coherence.xml", second_read), catalog))
    assert (finding.code, finding.node) == ("duplicate-read", "Read(2)")
    assert finding.message.startswith("input '$LOCATION/geocoded_1.dim' is also read by 'Read'")


def test_required_parameter_and_duplicate(shared, catalog, tmp_path):
    def change(root):
        params = _node(root, "Read").find("parameters")
        params.remove(params.find("file"))
        coherence = _node(root, "Coherence").find("parameters")
        coherence.append(copy.deepcopy(coherence.find("cohWinAz")))

    findings = lint_file(_broken(shared, tmp_path, "2-1-coherence.xml", change), catalog)
    assert sorted((f.code, f.message) for f in findings) == [
        ("duplicate-parameter", "parameter cohWinAz is set more than once"),
        ("missing-parameter", "required parameter <file> is not set"),
    ]


def test_version_specific_parameter_names_its_releases(shared, catalog, tmp_path):
    """ThermalNoiseRemoval's clipNegativeValues exists in SNAP 14 only; Terrain-Flattening's nodataValueAtSea from 9 on."""
    graph = tmp_path / "tnr.xml"
    graph.write_text(
        "<graph id='g'><node id='Read'><operator>Read</operator><sources/><parameters><file>in.zip</file></parameters></node>"
        "<node id='TNR'><operator>ThermalNoiseRemoval</operator><sources><sourceProduct refid='Read'/></sources>"
        "<parameters><clipNegativeValues>true</clipNegativeValues></parameters></node>"
        "<node id='Write'><operator>Write</operator><sources><sourceProduct refid='TNR'/></sources><parameters><file>out.dim</file></parameters></node></graph>"
    )
    finding = _only(lint_file(graph, catalog, parse_versions("9..14")))
    assert str(finding).endswith("unknown parameter <clipNegativeValues> [SNAP 9-13]")


def test_external_entities_are_not_resolved(catalog, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    graph = tmp_path / "xxe.xml"
    graph.write_text(
        f'<?xml version="1.0"?><!DOCTYPE graph [<!ENTITY xxe SYSTEM "file://{secret}">]>'
        "<graph id='g'><node id='Read'><operator>Read</operator><sources/><parameters><file>&xxe;</file></parameters></node>"
        "<node id='Write'><operator>Write</operator><sources><sourceProduct refid='Read'/></sources>"
        "<parameters><file>out.dim</file></parameters></node></graph>"
    )
    assert read_graph(graph).nodes[0].parameter("file") == ""
    findings = lint_file(graph, catalog)
    assert [f.code for f in findings] == ["missing-value"]
    assert "TOP-SECRET" not in "".join(str(f) for f in findings)


def test_not_a_graph_is_a_finding(catalog, tmp_path):
    broken = tmp_path / "broken.xml"
    broken.write_text("<graph><node>")
    other = tmp_path / "other.xml"
    other.write_text("<project/>")
    assert [f.code for f in lint_file(broken, catalog)] == ["not-a-graph"]
    assert "root element is <project>" in lint_file(other, catalog)[0].message


def test_placeholders_are_not_checked_but_names_are(catalog):
    graph = read_graph(
        b"<graph id='g'><node id='Read'><operator>Read</operator><sources/><parameters><file>$input</file></parameters></node>"
        b"<node id='ML'><operator>Multilook</operator><sources><sourceProduct refid='${sourceProduct}'/></sources>"
        b"<parameters><nRgLooks>$LOOKS</nRgLooks><nRgLook>4</nRgLook></parameters></node>"
        b"<node id='Write'><operator>Write</operator><sources><sourceProduct refid='$PARENT'/></sources>"
        b"<parameters><file>$out</file></parameters></node></graph>",
        "placeholders.xml",
    )
    assert [f.message for f in lint_graph(graph, catalog)] == ["unknown parameter <nRgLook>"]


# --- command line -------------------------------------------------------------------------------------------------


def test_cli_exit_codes_and_output(shared, tmp_path, monkeypatch):
    operators = str(shared.path(OPERATORS))
    clean = str(shared.path(f"{SEN4CAP_GRAPHS}/3-4-5-amplitude.xml"))
    runner = CliRunner()
    result = runner.invoke(main, ["--operators", operators, clean])
    assert (result.exit_code, result.output) == (0, "")
    assert runner.invoke(main, ["--version"]).output.startswith("s4c-snap-lint, version ")
    result = runner.invoke(main, ["--operators", operators, "--snap-version", "8", clean])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{clean}:78: unknown-parameter: node 'Terrain-Correction' (Terrain-Correction): unknown parameter <outputComplex> [SNAP 8]"
    ]
    monkeypatch.setenv("S4C_SNAP_OPERATORS", operators)
    assert runner.invoke(main, ["--snap-version", "9..14", clean]).exit_code == 0
    monkeypatch.delenv("S4C_SNAP_OPERATORS")
    result = runner.invoke(main, [clean])
    assert result.exit_code == 3
    assert "ERROR E_INPUT_NOT_FOUND: no SNAP operator descriptor file" in result.output
    assert runner.invoke(main, ["--operators", operators, "--snap-version", "nine", clean]).exit_code == 2
    result = runner.invoke(main, ["--operators", operators, "--snap-version", "7", clean])
    assert result.exit_code == 3
    assert "has no descriptors for SNAP 7" in result.output


def test_parse_and_format_versions():
    assert parse_versions("12") == (12,)
    assert parse_versions("9..13") == (9, 10, 11, 12, 13)
    assert parse_versions("9, 12..13") == (9, 12, 13)
    with pytest.raises(ValueError, match="empty"):
        parse_versions("13..9")
    assert format_versions((8,)) == "SNAP 8"
    assert format_versions((9, 10, 11, 13)) == "SNAP 9-11, 13"
