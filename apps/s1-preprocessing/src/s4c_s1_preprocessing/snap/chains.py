"""The gpt runs of the SNAP back end: which graphs, in which order, with which parameters.

Backscatter from GRD is one graph per polarisation::

    Read -> Apply-Orbit-File -> [ThermalNoiseRemoval] -> Calibration -> [Multilook] -> [Speckle-Filter]
         -> [Terrain-Flattening] -> Terrain-Correction | Ellipsoid-Correction-GG -> [LinearToFromdB | BandMaths sqrt] -> Write

Backscatter from SLC (Sen4CAP's amplitude: intensity of the calibrated SLC) is three chained runs per polarisation,
as Sen4CAP splits its chain to bound memory: ``split`` (Read -> Apply-Orbit-File -> [ThermalNoiseRemoval] ->
Calibration -> TOPSAR-Split per sub-swath -> Write), ``deburst-IWn`` (TOPSAR-Deburst), ``geocode`` (TOPSAR-Merge ->
the same radiometric and geometric tail as GRD -> Write).

Coherence of an SLC pair is Sen4CAP's chain per polarisation: ``split`` (both products: Apply-Orbit-File ->
complex sigma0 Calibration -> TOPSAR-Split), ``coregister-IWn`` (Back-Geocoding -> [Enhanced-Spectral-Diversity]),
``coherence-IWn`` (Coherence -> TOPSAR-Deburst), ``geocode`` (TOPSAR-Merge -> Terrain-Correction -> [Subset to the
pair overlap] -> Write). Intermediates are BEAM-DIMAP in the work folder; results are GeoTIFF-BigTIFF.

Options and the SNAP parameters they set (every option of the python back end that SNAP has a parameter for):

======================== ================================================================================
option                   SNAP operator: parameter(s)
======================== ================================================================================
polarisations            ThermalNoiseRemoval, Calibration, TOPSAR-Split/-Deburst/-Merge: selectedPolarisations
                         (one chain per polarisation)
radiometry               Calibration: outputSigmaBand / outputBetaBand / outputGammaBand; gamma0_rtc:
                         outputBetaBand + Terrain-Flattening (output Gamma0)
thermal_noise            ThermalNoiseRemoval node (removeThermalNoise true) before Calibration, or no node
ml_looks (looks())       Multilook: nRgLooks, nAzLooks (grSquarePixel false); no node for 1 x 1
speckle_filter           Speckle-Filter: filter; no node for none
speckle_filter_size      Speckle-Filter: filterSizeX, filterSizeY (Lee Sigma also windowSize NxN)
amp_mode = sen4cap       BandMaths: sqrt(<band>) (Sen4CAP's AMP)
scale = db               LinearToFromdB
pixel_spacing            Terrain-Correction: pixelSpacingInMeter, pixelSpacingInDegree (= metres / 111319.49)
projection               Terrain-Correction / Ellipsoid-Correction-GG: mapProjection (EPSG:<code>, else WKT1)
extent                   no parameter: SNAP's result is placed on the output grid afterwards (finish.py)
dem                      demName "External DEM" + externalDEMFile in Back-Geocoding, Coherence,
                         Terrain-Flattening, Terrain-Correction; externalDEMNoDataValue from the file
dem_heights              externalDEMApplyEGM (egm96/egm2008: true, ellipsoidal: false; declared: from the CRS)
dem_resampling           Terrain-Correction, Terrain-Flattening: demResamplingMethod
img_resampling           Terrain-Correction / Ellipsoid-Correction-GG: imgResamplingMethod
geocoding                range-doppler: Terrain-Correction; gcp: Ellipsoid-Correction-GG (tie-point grid, no DEM)
coh_win_rg, coh_win_az   Coherence: cohWinRg, cohWinAz (squarePixel false)
remove_geometric_phase   Coherence: subtractFlatEarthPhase and subtractTopographicPhase
subset_to_pair_overlap   Subset: geoRegion = envelope of the master/slave footprint intersection, copyMetadata
crop_nodata              no parameter: the processor's finishing crops no-data borders
gpt_cache                gpt -c
gpt_parallelism          gpt -q
step_timeout             per gpt run, enforced by the runner (gpt.py)
snap_version_min         checked against gpt --diag before the first run (version.py)
orbit_dir                no parameter: Apply-Orbit-File reads SNAP's auxdata folder (precise orbit, continueOnFail
                         true: the annotation orbit offline, as Sen4CAP)
geoid_undulation         none: SNAP adds its own EGM96 geoid (externalDEMApplyEGM); python back end only
gcp_max_relief           none: the processor checks the relief before either back end runs
chunk_size, workers      none: python back end only (SNAP's threads: gpt_parallelism)
bias_correction          none: python back end only (SNAP 14's correctCoherenceBias does not exist in SNAP 9-13)
======================== ================================================================================

Fixed values (Sen4CAP's): Apply-Orbit-File polyDegree 3; Back-Geocoding BICUBIC DEM / BISINC_5_POINT image
resampling, maskOutAreaWithoutElevation; Coherence srpPolynomialDegree 5, srpNumberPoints 501, orbitDegree 3;
Terrain-Correction nodataValueAtSea, no radiometric normalisation. Terrain-Correction aligns the grid on multiples
of the spacing (alignToStandardGrid, origin 0,0), where Sen4CAP did not.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pyproj import CRS

from ..options import BackscatterOptions, CoherenceOptions, GeocodingOptions
from . import graphs as g
from .graphs import BAND_PREFIXES, ExternalDem, GraphBuilder, OutputGrid

DIMAP = "BEAM-DIMAP"
GEOTIFF = "GeoTIFF-BigTIFF"


@dataclass(frozen=True)
class GptStep:
    """One gpt run: its graph and the files its Write nodes must produce."""

    name: str
    graph: GraphBuilder
    outputs: tuple[Path, ...]


def snap_projection(projection: str) -> str:
    """``EPSG:<code>`` when the CRS is exactly an EPSG one (SNAP decodes it), else its WKT1 (what Sen4CAP passed)."""
    crs = CRS.from_user_input(projection)
    code = crs.to_epsg(min_confidence=100)
    return f"EPSG:{code}" if code else crs.to_wkt("WKT1_GDAL")


def output_grid(options: GeocodingOptions) -> OutputGrid:
    return OutputGrid(map_projection=snap_projection(options.projection), pixel_spacing=options.pixel_spacing, resampling=options.img_resampling)


def _needs_dem(dem: ExternalDem | None, what: str) -> ExternalDem:
    if dem is None:
        raise ValueError(f"{what} needs the external DEM")
    return dem


def _geocode(graph: GraphBuilder, source: str, options: GeocodingOptions, dem: ExternalDem | None) -> str:
    grid = output_grid(options)
    if options.geocoding == "gcp":
        return graph.add("Ellipsoid-Correction-GG", g.ellipsoid_correction_gg(grid), source)
    return graph.add("Terrain-Correction", g.terrain_correction(grid, _needs_dem(dem, "Terrain-Correction")), source)


def _calibrated_radiometry(options: BackscatterOptions) -> str:
    """Terrain flattening starts from beta0."""
    return "beta0" if options.terrain_flattening else options.radiometry


def backscatter_band(options: BackscatterOptions, polarisation: str) -> str:
    """The band name after calibration (and terrain flattening): Sigma0_VV, Beta0_VH, Gamma0_VV."""
    radiometry = "gamma0" if options.terrain_flattening else options.radiometry
    return f"{BAND_PREFIXES[radiometry]}_{polarisation}"


def _radiometric_head(graph: GraphBuilder, source: str, polarisation: str, options: BackscatterOptions) -> str:
    last = graph.add("Apply-Orbit-File", g.apply_orbit_file(), source)
    if options.thermal_noise:
        last = graph.add("ThermalNoiseRemoval", g.thermal_noise_removal([polarisation]), last)
    return graph.add("Calibration", g.calibration([polarisation], _calibrated_radiometry(options)), last)


def _backscatter_tail(graph: GraphBuilder, source: str, polarisation: str, options: BackscatterOptions, looks: tuple[int, int], dem: ExternalDem | None) -> str:
    last = source
    if looks != (1, 1):
        last = graph.add("Multilook", g.multilook(*looks), last)
    if options.speckle_filter != "none":
        last = graph.add("Speckle-Filter", g.speckle_filter(options.speckle_filter, options.speckle_filter_size), last)
    if options.terrain_flattening:
        last = graph.add("Terrain-Flattening", g.terrain_flattening(_needs_dem(dem, "Terrain-Flattening")), last)
    last = _geocode(graph, last, options, dem)
    if options.amp_mode == "sen4cap":
        return graph.add("BandMaths", g.amplitude(backscatter_band(options, polarisation)), last)
    if options.scale == "db":
        return graph.add("LinearToFromdB", g.linear_to_db(), last)
    return last


def grd_backscatter_steps(product: Path, polarisation: str, options: BackscatterOptions, dem: ExternalDem | None, workdir: Path) -> list[GptStep]:
    output = workdir / f"backscatter_{polarisation}.tif"
    graph = GraphBuilder(f"grd-backscatter-{polarisation}")
    last = _radiometric_head(graph, graph.add("Read", g.read(product)), polarisation, options)
    last = _backscatter_tail(graph, last, polarisation, options, options.looks("GRD"), dem)
    graph.add("Write", g.write(output, GEOTIFF), last)
    return [GptStep(f"{polarisation}-backscatter", graph, (output,))]


def _merge(graph: GraphBuilder, files: list[Path], polarisation: str) -> str:
    reads = [graph.add(f"Read-{i + 1}", g.read(file)) for i, file in enumerate(files)]
    return graph.add("TOPSAR-Merge", g.topsar_merge([polarisation]), *reads) if len(reads) > 1 else reads[0]


def slc_backscatter_steps(
    product: Path, swaths: tuple[str, ...], polarisation: str, options: BackscatterOptions, dem: ExternalDem | None, workdir: Path
) -> list[GptStep]:
    split = GraphBuilder(f"slc-split-{polarisation}")
    calibrated = _radiometric_head(split, split.add("Read", g.read(product)), polarisation, options)
    split_files = [workdir / f"split_{swath}.dim" for swath in swaths]
    for swath, file in zip(swaths, split_files, strict=True):
        split.add(f"Write-{swath}", g.write(file, DIMAP), split.add(f"TOPSAR-Split-{swath}", g.topsar_split(swath, [polarisation]), calibrated))
    steps = [GptStep(f"{polarisation}-split", split, tuple(split_files))]
    deburst_files = [workdir / f"deburst_{swath}.dim" for swath in swaths]
    for swath, source, target in zip(swaths, split_files, deburst_files, strict=True):
        graph = GraphBuilder(f"slc-deburst-{polarisation}-{swath}")
        graph.add("Write", g.write(target, DIMAP), graph.add("TOPSAR-Deburst", g.topsar_deburst([polarisation]), graph.add("Read", g.read(source))))
        steps.append(GptStep(f"{polarisation}-deburst-{swath}", graph, (target,)))
    output = workdir / f"backscatter_{polarisation}.tif"
    geocode = GraphBuilder(f"slc-geocode-{polarisation}")
    last = _backscatter_tail(geocode, _merge(geocode, deburst_files, polarisation), polarisation, options, options.looks("SLC"), dem)
    geocode.add("Write", g.write(output, GEOTIFF), last)
    steps.append(GptStep(f"{polarisation}-geocode", geocode, (output,)))
    return steps


def _split_pair(master: Path, slave: Path, swaths: tuple[str, ...], polarisation: str, workdir: Path) -> GptStep:
    graph = GraphBuilder(f"pair-split-{polarisation}")
    outputs = []
    for role, product in (("master", master), ("slave", slave)):
        last = graph.add(f"Apply-Orbit-File-{role}", g.apply_orbit_file(), graph.add(f"Read-{role}", g.read(product)))
        calibrated = graph.add(f"Calibration-{role}", g.calibration([polarisation], "sigma0", complex_output=True), last)
        for swath in swaths:
            file = workdir / f"{role}_split_{swath}.dim"
            split = graph.add(f"TOPSAR-Split-{role}-{swath}", g.topsar_split(swath, [polarisation]), calibrated)
            graph.add(f"Write-{role}-{swath}", g.write(file, DIMAP), split)
            outputs.append(file)
    return GptStep(f"{polarisation}-split", graph, tuple(outputs))


def coherence_steps(
    master: Path,
    slave: Path,
    swaths: tuple[str, ...],
    polarisation: str,
    options: CoherenceOptions,
    dem: ExternalDem,
    overlap_wkt: str | None,
    workdir: Path,
    *,
    spectral_diversity: bool = False,
) -> list[GptStep]:
    """``overlap_wkt``: lon/lat envelope of the footprint intersection (Subset), None for no subset."""
    steps = [_split_pair(master, slave, swaths, polarisation, workdir)]
    coherence_files = []
    for swath in swaths:
        coregistered = workdir / f"coregistered_{swath}.dim"
        graph = GraphBuilder(f"pair-coregister-{polarisation}-{swath}")
        reads = [graph.add(f"Read-{role}", g.read(workdir / f"{role}_split_{swath}.dim")) for role in ("master", "slave")]
        last = graph.add("Back-Geocoding", g.back_geocoding(dem), *reads)
        if spectral_diversity:
            last = graph.add("Enhanced-Spectral-Diversity", g.enhanced_spectral_diversity(), last)
        graph.add("Write", g.write(coregistered, DIMAP), last)
        steps.append(GptStep(f"{polarisation}-coregister-{swath}", graph, (coregistered,)))

        coherence = workdir / f"coherence_{swath}.dim"
        graph = GraphBuilder(f"pair-coherence-{polarisation}-{swath}")
        node = g.coherence(options.coh_win_rg, options.coh_win_az, remove_geometric_phase=options.remove_geometric_phase, dem=dem)
        last = graph.add("Coherence", node, graph.add("Read", g.read(coregistered)))
        graph.add("Write", g.write(coherence, DIMAP), graph.add("TOPSAR-Deburst", g.topsar_deburst([polarisation]), last))
        steps.append(GptStep(f"{polarisation}-coherence-{swath}", graph, (coherence,)))
        coherence_files.append(coherence)

    output = workdir / f"coherence_{polarisation}.tif"
    geocode = GraphBuilder(f"pair-geocode-{polarisation}")
    last = _geocode(geocode, _merge(geocode, coherence_files, polarisation), options, dem)
    if overlap_wkt is not None:
        last = geocode.add("Subset", g.subset_to_region(overlap_wkt), last)
    geocode.add("Write", g.write(output, GEOTIFF), last)
    steps.append(GptStep(f"{polarisation}-geocode", geocode, (output,)))
    return steps
