"""``s4c-dem-fetch``: Copernicus DEM (GLO-30 / GLO-90) tiles for a bounding box, from the AWS open-data buckets.

Layout (https://registry.opendata.aws/copernicus-dem/): one Cloud-Optimized GeoTIFF per 1° × 1° cell,
named after its south-west corner, e.g. ``Copernicus_DSM_COG_10_N50_00_E004_00_DEM`` (GLO-30; ``_30_`` for
GLO-90) in the folder of the same name. Cells over the open sea do not exist (HTTP 404) and are skipped.
The buckets publish no checksums: the tool records the SHA-256 of every file it downloads in
``SHA256SUMS`` and, given ``--checksums`` (such a file from an earlier download), refuses files that
differ. Heights are EGM2008 (orthometric): the mosaic carries ``VERTICAL_DATUM=EGM2008``, so the processor
needs PROJ's EGM2008 grid or ``--geoid-undulation``.
"""

from __future__ import annotations

import hashlib
import logging
import math
import shutil
import urllib.error
import urllib.request
from pathlib import Path

import click
import rasterio
from rasterio.merge import merge
from s4c_common.cli import processor_command
from s4c_common.errors import ExternalError, InputError

from . import __version__

log = logging.getLogger("s4c.s1_preprocessing")

BUCKETS = {
    "GLO-30": ("https://copernicus-dem-30m.s3.eu-central-1.amazonaws.com", "10"),
    "GLO-90": ("https://copernicus-dem-90m.s3.eu-central-1.amazonaws.com", "30"),
}
TIMEOUT = 120  # s per request


def tile_name(lat: int, lon: int, resolution: str = "GLO-30") -> str:
    """Name of the cell whose south-west corner is (lat, lon) in whole degrees."""
    code = BUCKETS[resolution][1]
    ns, ew = ("N" if lat >= 0 else "S"), ("E" if lon >= 0 else "W")
    return f"Copernicus_DSM_COG_{code}_{ns}{abs(lat):02d}_00_{ew}{abs(lon):03d}_00_DEM"


def tile_url(lat: int, lon: int, resolution: str = "GLO-30") -> str:
    name = tile_name(lat, lon, resolution)
    return f"{BUCKETS[resolution][0]}/{name}/{name}.tif"


def tiles_for_bbox(west: float, south: float, east: float, north: float) -> list[tuple[int, int]]:
    """(lat, lon) south-west corners of the 1° cells meeting the box, south to north then west to east."""
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise InputError(f"bounding box {west, south, east, north} is not WEST SOUTH EAST NORTH in degrees.", "E_PARAM")
    lats = range(math.floor(south), math.ceil(north))
    lons = range(math.floor(west), math.ceil(east))
    return [(lat, lon) for lat in lats for lon in lons]


def read_checksums(path: Path) -> dict[str, str]:
    """``<sha256>  <file name>`` lines (sha256sum format)."""
    pairs = (line.split(maxsplit=1) for line in path.read_text().splitlines() if line.strip())
    return {name.strip().lstrip("*"): digest for digest, name in pairs}


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def download(url: str, target: Path) -> bool:
    """Download ``url`` to ``target``; False when the cell does not exist (404: sea)."""
    partial = target.with_suffix(".part")
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response, partial.open("wb") as out:
            shutil.copyfileobj(response, out, 1 << 20)
    except urllib.error.HTTPError as exc:
        partial.unlink(missing_ok=True)
        if exc.code in (403, 404):
            return False
        raise ExternalError(f"download of {url} failed: HTTP {exc.code}.", "E_BACKEND") from exc
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise ExternalError(f"download of {url} failed: {exc}.", "E_BACKEND") from exc
    partial.replace(target)
    return True


@click.command(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.option("--bbox", type=float, nargs=4, required=True, help="WEST SOUTH EAST NORTH in degrees.")
@click.option("--resolution", type=click.Choice(sorted(BUCKETS)), default="GLO-30", show_default=True, help="Copernicus DEM product.")
@click.option("--output", "-o", type=click.Path(file_okay=False, path_type=Path), default=Path("dem"), show_default=True, help="Folder for the tiles.")
@click.option("--checksums", type=click.Path(dir_okay=False, exists=True, path_type=Path), help="SHA256SUMS of an earlier download to verify against.")
@click.option("--quiet", "-q", is_flag=True, help="Only warnings and errors on stderr.")
@click.option("--verbose", "-v", is_flag=True, help="Debug logging, and tracebacks on errors.")
@click.version_option(__version__, prog_name="s4c-dem-fetch")
@processor_command
def main(bbox: tuple[float, float, float, float], resolution: str, output: Path, checksums: Path | None) -> None:
    """Download the Copernicus DEM tiles covering --bbox and mosaic them into OUTPUT/dem.tif (EGM2008 heights),
    for s4c-s1-preprocessing --dem OUTPUT/dem.tif."""
    expected = read_checksums(checksums) if checksums else {}
    output.mkdir(parents=True, exist_ok=True)
    files = []
    for lat, lon in tiles_for_bbox(*bbox):
        target = output / f"{tile_name(lat, lon, resolution)}.tif"
        if not target.exists() and not download(tile_url(lat, lon, resolution), target):
            log.info("no DEM tile at %s (sea)", target.name)
            continue
        if target.name in expected and sha256(target) != expected[target.name]:
            raise InputError(f"{target} does not match its checksum in {checksums}; delete it and download again.", "E_PARAM")
        files.append(target)
    if not files:
        raise InputError(f"no Copernicus DEM tile covers {bbox} (open sea?).", "E_NO_OVERLAP")
    (output / "SHA256SUMS").write_text("".join(f"{sha256(f)}  {f.name}\n" for f in files))
    mosaic, transform = merge([str(f) for f in files])
    with rasterio.open(files[0]) as first:
        profile = first.profile | {"driver": "GTiff", "width": mosaic.shape[2], "height": mosaic.shape[1], "transform": transform, "compress": "deflate"}
    with rasterio.open(output / "dem.tif", "w", **profile) as dst:
        dst.write(mosaic)
        dst.update_tags(VERTICAL_DATUM="EGM2008", SOURCE="Copernicus DEM " + resolution)
    log.info("%d tile(s) mosaicked into %s", len(files), output / "dem.tif")
