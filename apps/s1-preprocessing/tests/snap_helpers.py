"""Helpers of the SNAP back-end tests: a stand-in ``gpt`` (SNAP cannot be installed here), products and a DEM.

The stand-in is a Python script written into a folder that the tests put first on PATH (or pass as ``gpt=``). In
``ok`` mode it behaves like gpt as far as the back end can tell: it checks its command line (the graph exists and
lints clean against ``$S4C_SNAP_OPERATORS`` for its release, ``-c`` and ``-q`` are well-formed), refuses to read
files that do not exist (so the chained runs must come in order), and writes what the Write nodes name: a
BEAM-DIMAP header + ``.data`` folder, or a float32 GeoTIFF in the graph's mapProjection at its pixel spacing with
SNAP's 0 no-data border and no declared no-data (as SNAP's writer). Other modes fail with a log, hang, or exit 0
without writing anything. Every call is appended to ``calls.jsonl`` beside the script.
"""

from __future__ import annotations

import json
import math
import shutil
import sys
from pathlib import Path

import numpy as np
import rasterio
from pyproj import Transformer
from rasterio.transform import from_origin

SHARED_PRODUCTS = "data/s1-safe-metadata-bopen/xarray-sentinel/tests/data"
GRD_NAME = "S1B_IW_GRDH_1SDV_20210401T052623_20210401T052648_026269_032297_ECC8.SAFE"
SLC_NAME = "S1B_IW_SLC__1SDV_20210401T052622_20210401T052650_026269_032297_EFA4.SAFE"
# A slave 6 days earlier on the same track (S1A); only its name and manifest times differ from the master.
SLAVE_NAME = "S1A_IW_SLC__1SDV_20210326T052705_20210326T052733_037143_045FD5_0A1B.SAFE"
SCENE_CENTRE = (10.6, 46.5)  # lon, lat inside the footprint of the products above
STANDIN_VALUE = 0.25
STANDIN_SIZE = (30, 40)  # rows, columns
STANDIN_BORDER = 2  # pixels of 0 (SNAP's no-data) around the valid area

_STANDIN = r'''#!{python}
"""Stand-in for SNAP gpt, written by the tests (mode {mode!r}, release {release!r})."""
import json, os, re, subprocess, sys, time
from pathlib import Path

HERE = Path(__file__).resolve().parent
MODE, RELEASE = {mode!r}, {release!r}
with open(HERE / "calls.jsonl", "a") as record:
    record.write(json.dumps(sys.argv[1:]) + "\n")
args = sys.argv[1:]
if args == ["--diag"]:
    if RELEASE:
        print(f"SNAP Release version {{RELEASE}}")
    print(f"SNAP home: {{HERE}}")
    print("Java version: 11.0.19")
    sys.exit(0)
if MODE == "fail":
    for i in range(40):
        print(f"INFO: org.esa.snap.core.gpf.operators.tooladapter: step {{i}}")
    print("Error: [NodeId: Terrain-Correction] The DEM 'External DEM' does not cover the scene", file=sys.stderr)
    sys.exit(1)
if MODE == "hang":
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    (HERE / "child.pid").write_text(str(child.pid))
    time.sleep(120)
if MODE == "silent":
    print("done (writes nothing)")
    sys.exit(0)

def fail(message):
    print("stand-in gpt: " + message, file=sys.stderr)
    sys.exit(2)

if len(args) < 5 or args[1] != "-c" or args[3] != "-q":
    fail("usage: gpt GRAPH -c CACHE -q PARALLELISM [-e]: " + " ".join(args))
graph_path, cache, parallelism, rest = Path(args[0]), args[2], args[4], args[5:]
if not graph_path.is_file():
    fail(f"graph {{graph_path}} does not exist")
if not re.fullmatch(r"\d+[KMG]?", cache) or not parallelism.isdigit() or int(parallelism) < 1 or rest not in ([], ["-e"]):
    fail("bad options " + " ".join(args[1:]))

from s4c_s1_preprocessing.snap.descriptors import load_catalog
from s4c_s1_preprocessing.snap.graphfile import read_graph
from s4c_s1_preprocessing.snap.lint import lint_graph

graph = read_graph(graph_path)
if os.environ.get("S4C_SNAP_OPERATORS"):
    findings = lint_graph(graph, load_catalog(), (int(RELEASE.split(".")[0]),) if RELEASE else (9, 10, 11, 12, 13))
    if findings:
        print("\n".join(str(f) for f in findings), file=sys.stderr)
        sys.exit(1)
for node in graph.by_operator("Read"):
    if not Path(node.parameter("file")).exists():
        fail(f"Read: {{node.parameter('file')}} does not exist")
print("Processing the graph ... 100% done.")
for node in graph.by_operator("Write"):
    target, format_name = Path(node.parameter("file")), node.parameter("formatName")
    if format_name == "BEAM-DIMAP":
        target.write_text("<Dimap_Document/>")
        target.with_suffix(".data").mkdir(exist_ok=True)
        continue
    import numpy as np
    import rasterio
    from pyproj import CRS, Transformer
    geocoding = (graph.by_operator("Terrain-Correction") or graph.by_operator("Ellipsoid-Correction-GG"))[0]
    crs = CRS.from_user_input(geocoding.parameter("mapProjection"))
    spacing = float(geocoding.parameter("pixelSpacingInMeter") or 15.0)  # GG has no spacing: a grid that must be resampled
    x, y = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(*{centre!r})
    rows, columns = {size!r}
    data = np.zeros((rows, columns), dtype="float32")
    data[{border}:-{border}, {border}:-{border}] = {value!r}
    transform = rasterio.transform.from_origin((x // spacing) * spacing, (y // spacing) * spacing, spacing, spacing)
    with rasterio.open(target, "w", driver="GTiff", width=columns, height=rows, count=1, dtype="float32", crs=crs, transform=transform) as out:
        out.write(data, 1)
'''


def write_gpt_standin(folder: Path, mode: str = "ok", release: str | None = "12.0.1") -> Path:
    """An executable ``gpt`` in ``folder`` behaving as ``mode``: ok, fail, hang or silent."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "gpt"
    text = _STANDIN.format(
        python=sys.executable, mode=mode, release=release, centre=SCENE_CENTRE, size=STANDIN_SIZE, border=STANDIN_BORDER, value=STANDIN_VALUE
    )
    script.write_text(text)
    script.chmod(0o755)
    return script


def standin_calls(gpt: Path) -> list[list[str]]:
    """The argument lists of every call of the stand-in, in order."""
    record = gpt.parent / "calls.jsonl"
    return [json.loads(line) for line in record.read_text().splitlines()] if record.exists() else []


def copy_product(shared_products: Path, name: str, folder: Path, as_name: str | None = None) -> Path:
    """A SAFE folder holding only the manifest of a real product (all the SNAP back end reads itself)."""
    target = folder / (as_name or name)
    target.mkdir(parents=True)
    shutil.copy(shared_products / name / "manifest.safe", target / "manifest.safe")
    return target


def standin_extent(projection: str, spacing: float, half_width: float = 1000.0) -> tuple[float, float, float, float]:
    """An extent on the grid of ``spacing`` around the stand-in's raster (its upper-left corner is the scene centre)."""
    x, y = Transformer.from_crs("EPSG:4326", projection, always_xy=True).transform(*SCENE_CENTRE)
    left, top = math.floor((x - half_width) / spacing) * spacing, math.ceil((y + half_width) / spacing) * spacing
    size = 2 * math.ceil(half_width / spacing) * spacing + STANDIN_SIZE[1] * spacing
    return (left, top - size, left + size, top)


def write_dem(path: Path, crs: str = "EPSG:4326+5773", nodata: float | None = -32768.0) -> Path:
    """A flat 200 m DEM over the test products, heights above EGM96 by default."""
    lon, lat = SCENE_CENTRE
    with rasterio.open(
        path, "w", driver="GTiff", width=60, height=40, count=1, dtype="float32", crs=crs, transform=from_origin(lon - 3, lat + 2, 0.1, 0.1), nodata=nodata
    ) as dem:
        dem.write(np.full((40, 60), 200.0, dtype="float32"), 1)
    return path
