"""``s4c-demo-report``: the summary and pictures that end the README's demo command.

Reads the sample scene (generator output) and the products the chain wrote,
and writes ``summary.md`` plus PNG figures; the summary is also printed.
Each processor's section appears when its output folder is given.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import click
import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
import rasterio
import rasterio.windows
from rasterio.windows import Window, from_bounds

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from s4c_common.cli import processor_command
from s4c_common.errors import InputError
from s4c_common.s2 import open_l2a

from . import __version__

log = logging.getLogger("s4c")
CLEAR_SCL = (4, 5, 6)


def _clearest_s2(scene: Path) -> tuple[Path, float]:
    """The L2A product with the largest clear (vegetation, bare soil, water) fraction."""
    best: tuple[Path, float] | None = None
    for safe in sorted((scene / "S2").glob("*.SAFE")):
        scl = open_l2a(safe).read_scl()
        clear = float(np.isin(scl, CLEAR_SCL).mean())
        if best is None or clear > best[1]:
            best = (safe, clear)
    if best is None:
        raise InputError(f"sample scene {scene} holds no S2 product; generate it with s4c-sample first.", "E_INPUT_NOT_FOUND")
    return best


def _true_colour(safe: Path) -> tuple[np.ndarray, tuple[float, float, float, float]]:
    product = open_l2a(safe)
    rgb = np.dstack([product.read_reflectance(b) for b in ("B04", "B03", "B02")])
    rgb = np.clip(np.nan_to_num(rgb) / 0.25, 0, 1) ** (1 / 1.6)  # fixed stretch: comparable across dates
    left, bottom, right, top = product.grid(10).bounds
    return rgb, (left, right, bottom, top)


def _plot_scene(scene: Path, parcels: gpd.GeoDataFrame, truth: pd.DataFrame, out: Path) -> Path:
    safe, clear = _clearest_s2(scene)
    rgb, extent = _true_colour(safe)
    merged = parcels.merge(truth[["OBJECTID", "crop"]], left_on="ori_id", right_on=truth["OBJECTID"].astype(str), how="left")
    fig, axes = plt.subplots(1, 2, figsize=(14, 6.2), constrained_layout=True)
    axes[0].imshow(rgb, extent=extent)
    axes[0].set_title(f"{safe.name[:26]}  true colour ({clear:.0%} clear)")
    axes[1].imshow(rgb * 0.35 + 0.65, extent=extent)
    merged.plot(ax=axes[1], column="crop", categorical=True, legend=True, edgecolor="black", linewidth=0.3,
                legend_kwds={"fontsize": 7, "loc": "upper left", "bbox_to_anchor": (1.0, 1.0)})
    flagged = merged[merged["Overlap"] | merged["Duplic"] | ~merged["GeomValid"]]
    if len(flagged):
        flagged.boundary.plot(ax=axes[1], color="red", linewidth=1.2)
    axes[1].set_title("declared parcels by true crop (red: flagged invalid/duplicate/overlap)")
    for ax in axes:
        ax.set_xlim(extent[0], extent[1])
        ax.set_ylim(extent[2], extent[3])
        ax.tick_params(labelsize=7)
    path = out / "scene.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _plot_parcel_raster(parcels_dir: Path, parcels: gpd.GeoDataFrame, out: Path) -> Path | None:
    rasters = sorted(parcels_dir.glob("*_S2.tif"))
    if not rasters:
        return None
    with rasterio.open(rasters[0]) as src:
        # the raster covers the whole S2 tile: show only the parcels' extent
        window = from_bounds(*parcels.to_crs(src.crs).total_bounds, transform=src.transform).round_offsets().round_lengths()
        window = window.intersection(Window(0, 0, src.width, src.height))
        labels = src.read(1, window=window)
        left, bottom, right, top = rasterio.windows.bounds(window, src.transform)
    colours = np.random.default_rng(0).uniform(0.2, 1.0, size=(int(labels.max()) + 1, 3)).astype(np.float32)
    colours[0] = 1.0
    fig, ax = plt.subplots(figsize=(7, 6), constrained_layout=True)
    ax.imshow(colours[labels], extent=(left, right, bottom, top), interpolation="nearest")
    ax.set_title(f"{rasters[0].name}: NewID at 10 m, parcels buffered -5 m")
    ax.tick_params(labelsize=7)
    path = out / "parcels_s2_raster.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _plot_truth_ndvi(series: pd.DataFrame, truth: pd.DataFrame, out: Path) -> Path:
    merged = series.merge(truth[["parcel_index", "crop"]], on="parcel_index")
    profile = merged.groupby(["crop", "date"])["ndvi"].mean().unstack(0)
    fig, ax = plt.subplots(figsize=(10, 5), constrained_layout=True)
    profile.plot(ax=ax, linewidth=1.4, colormap="tab20")
    ax.set_ylabel("true NDVI (parcel mean)")
    ax.set_title("Generator truth: crop-specific NDVI phenology (mean over parcels of each crop)")
    ax.legend(fontsize=7, ncol=2)
    ax.grid(alpha=0.3)
    path = out / "truth_ndvi_by_crop.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _markers_vs_truth(
    markers: pd.DataFrame, parcels: gpd.GeoDataFrame, truth: pd.DataFrame, series: pd.DataFrame, suffix: str = "_mean_NDVI", truth_column: str = "ndvi",
    scale: float = 1000.0,
) -> pd.DataFrame:
    """Long table NewID, date, crop, measured (markers mean ÷ ``scale``) and true value, for columns ``*{suffix}``."""
    columns = [c for c in markers.columns if c.endswith(suffix)]
    measured = markers.melt(id_vars="NewID", value_vars=columns, var_name="column", value_name="measured").dropna()
    measured["measured"] /= scale  # L3B markers keep the products' int16 × 1000 units, as Sen4CAP's
    measured["date"] = pd.to_datetime(measured["column"].str[:8], format="%Y%m%d").dt.date
    ids = parcels[["NewID", "ori_id"]].assign(OBJECTID=lambda f: f["ori_id"].astype("int64"))
    truth_series = series.merge(truth[["parcel_index", "crop"]], on="parcel_index")[["OBJECTID", "date", "crop", truth_column]]
    truth_series["date"] = pd.to_datetime(truth_series["date"]).dt.date
    merged = measured.merge(ids, on="NewID").merge(truth_series, on=["OBJECTID", "date"])
    return merged.rename(columns={truth_column: "true"})


def _plot_markers(comparison: pd.DataFrame, series: pd.DataFrame, truth: pd.DataFrame, parcels: gpd.GeoDataFrame, out: Path) -> Path:
    """NDVI markers of one parcel of each of six crops (points) over the true daily NDVI (lines)."""
    crops = comparison.groupby("crop")["NewID"].nunique().sort_values(ascending=False).index[:6]
    fig, ax = plt.subplots(figsize=(10, 5), constrained_layout=True)
    colours = plt.get_cmap("tab10")
    for i, crop in enumerate(sorted(crops)):
        rows = comparison[comparison["crop"] == crop]
        parcel = rows.groupby("NewID").size().idxmax()
        objectid = int(parcels.loc[parcels["NewID"] == parcel, "ori_id"].iloc[0])
        index = int(truth.loc[truth["OBJECTID"] == objectid, "parcel_index"].iloc[0])
        daily = series[series["parcel_index"] == index]
        ax.plot(pd.to_datetime(daily["date"]), daily["ndvi"], color=colours(i), linewidth=1, alpha=0.7)
        mine = rows[rows["NewID"] == parcel]
        ax.plot(pd.to_datetime(mine["date"]), mine["measured"], "o", color=colours(i), label=f"{crop} (NewID {parcel})")
    ax.set_ylabel("NDVI")
    ax.set_title("L3 markers (points: parcel mean of the L3B NDVI) against the generator's true NDVI (lines)")
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    path = out / "markers_vs_truth.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _plot_l3b_map(folder: Path, suffix: str, label: str, vmax: float, cmap: str, out: Path) -> Path | None:
    """Map of the L3B raster ``*{suffix}*`` with the most valid pixels (values ÷ 1000)."""
    rasters = sorted(p for p in folder.rglob(f"*{suffix}*") if p.suffix.lower() in (".tif", ".tiff"))
    if not rasters:
        return None
    cover = []
    for raster in rasters:
        with rasterio.open(raster) as src:
            cover.append((float((src.read(1, out_shape=(1, 64, 64)) != src.nodata).mean()), raster))
    _, best = max(cover)
    with rasterio.open(best) as src:
        values = src.read(1, masked=True) / 1000.0
        left, bottom, right, top = src.bounds
    fig, ax = plt.subplots(figsize=(7, 5.5), constrained_layout=True)
    image = ax.imshow(values, extent=(left, right, bottom, top), cmap=cmap, vmin=-0.2 if vmax <= 1 else 0, vmax=vmax)
    fig.colorbar(image, ax=ax, shrink=0.8, label=label)
    ax.set_title(best.name, fontsize=8)
    ax.tick_params(labelsize=7)
    path = out / f"l3b_{label.split()[0].lower()}.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _count_products(folder: Path) -> int:
    return len(list(folder.rglob("*_MTD_*.xml"))) + len(list(folder.rglob("*_MTD.xml")))


def build_report(
    scene: Path,
    parcels_dir: Path | None,
    output: Path,
    indices_dir: Path | None = None,
    markers_dir: Path | None = None,
    biophysical_dir: Path | None = None,
) -> str:
    """Write the figures into ``output`` and return the Markdown summary."""
    output.mkdir(parents=True, exist_ok=True)
    truth = pd.read_parquet(scene / "truth" / "parcels.parquet")
    series = pd.read_parquet(scene / "truth" / "timeseries.parquet")
    s2 = sorted((scene / "S2").glob("*.SAFE"))
    grd = sorted((scene / "S1" / "GRD").glob("*.SAFE"))
    slc = sorted((scene / "S1" / "SLC").glob("*.SAFE"))
    lines = [
        "# Sen4CAP demo on the sample scene",
        "",
        f"Scene `{scene}`: {len(s2)} Sentinel-2 L2A, {len(grd)} Sentinel-1 GRD and {len(slc)} SLC products, "
        f"{len(truth)} declared parcels.",
        "",
        "| true crop | parcels |",
        "| --- | ---: |",
        *[f"| {crop} | {count} |" for crop, count in truth["crop"].value_counts().sort_index().items()],
        "",
    ]
    figures: list[Path | None] = [_plot_truth_ndvi(series, truth, output)]
    if parcels_dir is not None:
        table_path = next(iter(sorted(parcels_dir.glob("decl_*.parquet"))), None)
        if table_path is None:
            raise InputError(f"{parcels_dir} holds no parcel table (decl_*.parquet); run s4c-parcels first.", "E_INPUT_NOT_FOUND")
        parcels = gpd.read_parquet(table_path)
        usable = pd.read_csv(parcels_dir / "parcels.csv")
        lines += [
            "## Parcel preparation (s4c-parcels)",
            "",
            f"{len(parcels)} parcels: {int((~parcels['GeomValid']).sum())} invalid geometries, {int(parcels['Duplic'].sum())} duplicates, "
            f"{int(parcels['Overlap'].sum())} overlapping; {len(usable)} usable for classification "
            f"(median {int(usable['S2Pix'].median())} pixels at 10 m, {int(usable['S1Pix'].median())} at 20 m).",
            "",
        ]
        figures.append(_plot_scene(scene, parcels, truth, output))
        raster_figure = _plot_parcel_raster(parcels_dir, parcels, output)
        if raster_figure is not None:
            figures.append(raster_figure)
    if indices_dir is not None:
        lines += ["## L3B spectral indices (s4c-spectral-indices)", "", f"{_count_products(indices_dir)} L3B products (int16 × 1000, flags, quick-looks).", ""]
        figures.append(_plot_l3b_map(indices_dir, "SNDVI", "NDVI", 1.0, "RdYlGn", output))
    if biophysical_dir is not None:
        lines += ["## L3B biophysical indicators (s4c-biophysical)", "", f"{_count_products(biophysical_dir)} L3B products (SNAP 3.0 networks).", ""]
        figures.append(_plot_l3b_map(biophysical_dir, "SLAIMONO", "LAI (m²/m²)", 6.0, "YlGn", output))
    if markers_dir is not None and parcels_dir is not None:
        markers = pd.read_parquet(markers_dir / "markers.parquet")
        comparison = _markers_vs_truth(markers, parcels, truth, series)
        error = (comparison["measured"] - comparison["true"]).abs()
        lines += [
            "## L3 basic markers (s4c-markers)",
            "",
            f"{len(markers)} parcels × {markers.shape[1] - 1} columns. Parcel-mean NDVI against the generator's truth over "
            f"{len(comparison)} parcel-dates with a valid marker: median absolute error {error.median():.4f}, "
            f"95th percentile {error.quantile(0.95):.4f} (cloud edges and haze account for the tail).",
            "",
        ]
        figures.append(_plot_markers(comparison, series, truth, parcels, output))
        for suffix, truth_column, scale, what, unit in (
            ("_mean_BCK_VV_088", "sigma0_vv_db", 1.0, "S1 VV backscatter", "dB"),
            ("_mean_BCK_VH_088", "sigma0_vh_db", 1.0, "S1 VH backscatter", "dB"),
            ("_mean_COH_VV_088", "coherence_6d", 1.0, "S1 6-day VV coherence", ""),
        ):
            s1 = _markers_vs_truth(markers, parcels, truth, series, suffix, truth_column, scale)
            if len(s1):
                difference = s1["measured"] - s1["true"]
                lines += [
                    f"{what} (parcel means in {unit or 'coherence units'}) against the truth over {len(s1)} parcel-dates: "
                    f"median difference {difference.median():+.3f}, median absolute difference {difference.abs().median():.3f}.",
                    "",
                ]
    lines += ["## Figures", "", *[f"- `{f}`" for f in figures if f is not None], ""]
    summary = "\n".join(lines)
    (output / "summary.md").write_text(summary)
    return summary


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--scene", required=True, type=click.Path(file_okay=False, path_type=Path), help="Sample scene folder written by s4c-sample.")
@click.option("--parcels", "parcels_dir", type=click.Path(file_okay=False, path_type=Path), help="Output folder of s4c-parcels.")
@click.option("--indices", "indices_dir", type=click.Path(file_okay=False, path_type=Path), help="Output folder of s4c-spectral-indices.")
@click.option("--biophysical", "biophysical_dir", type=click.Path(file_okay=False, path_type=Path), help="Output folder of s4c-biophysical.")
@click.option("--markers", "markers_dir", type=click.Path(file_okay=False, path_type=Path), help="Output folder of s4c-markers.")
@click.option("--cwl-outputs", type=click.Path(dir_okay=False, path_type=Path),
              help="cwltool's JSON output of cwl/workflows/sen4cap_chain.cwl: takes the folders above from it.")
@click.option("--output", required=True, type=click.Path(file_okay=False, path_type=Path), help="Folder for summary.md and the PNG figures.")
@click.option("--verbose", "-v", is_flag=True, help="Tracebacks on errors.")
@click.option("--quiet", "-q", is_flag=True, help="Only warnings and errors.")
@click.version_option(__version__, prog_name="s4c-demo-report")
@processor_command
def main(
    scene: Path,
    parcels_dir: Path | None,
    indices_dir: Path | None,
    biophysical_dir: Path | None,
    markers_dir: Path | None,
    cwl_outputs: Path | None,
    output: Path,
) -> None:
    """Summary and pictures of the demo chain on the sample scene."""
    if cwl_outputs is not None:
        located = {key: Path(value["path"]) for key, value in json.loads(cwl_outputs.read_text()).items() if isinstance(value, dict) and "path" in value}
        parcels_dir = parcels_dir or located.get("parcels")
        indices_dir = indices_dir or located.get("l3b_indices")
        markers_dir = markers_dir or located.get("markers")
        biophysical_dir = biophysical_dir or located.get("l3b_biophysical")
    click.echo(build_report(scene, parcels_dir, output, indices_dir, markers_dir, biophysical_dir))
