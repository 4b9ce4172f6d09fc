#!/usr/bin/env cwltool
# s4c-s1-preprocessing as a CWL CommandLineTool. This file is the source of truth:
# the application package cwl/packages/sen4cap_s1_pre_processing.cwl is generated
# from it by cwl/make_package.py (a test checks they agree). Defaults equal the
# CLI's; an input with a default may be left out of a job.
# --params-file is not exposed: the job order is CWL's parameter file.
# Switches whose CLI default is on are exposed by their "off" flag (no_thermal_noise,
# keep_geometric_phase, no_subset_to_pair_overlap, no_crop_nodata), so that no
# JavaScript is needed to bind them.
cwlVersion: v1.2
class: CommandLineTool
id: s4c_s1_preprocessing
label: Sen4CAP Sentinel-1 pre-processing (backscatter and coherence)
doc: >-
  Sentinel-1 pre-processing (Sen4CAP L2 S1, APEx sen4cap_s1_pre_processing):
  calibrated, thermal-noise corrected, terrain-corrected backscatter (sigma0 by
  default; beta0, gamma0 or terrain-flattened gamma0; linear or dB; or the Sen4CAP
  amplitude) of every IW GRD or SLC product, and the interferometric coherence of
  every pair of SLC products on one track 6 days apart (12 days where allowed),
  geocoded with a DEM onto EPSG:3035 at 20 m by default or onto Sentinel-2 tiles.
  Writes float32 Cloud-Optimized GeoTIFFs named as the newer Sen4CAP products
  (or as Sen4CAP's) and a STAC catalog into its output directory. This image runs
  the pure-Python back end; the SNAP image runs Sen4CAP's SNAP graphs.

$namespaces:
  s: https://schema.org/
s:softwareVersion: 0.1.0

requirements:
  ResourceRequirement:
    coresMin: 1
    coresMax: 4
    ramMin: 4096
    ramMax: 8192
hints:
  DockerRequirement:
    # Development tag, built by docker/build-images.sh; released packages pin
    # the image by digest (localhost/s4c-s1-preprocessing@sha256:...).
    dockerPull: localhost/s4c-s1-preprocessing:0.1.0

baseCommand: s4c-s1-preprocessing
arguments:
  - prefix: --output
    valueFrom: $(runtime.outdir)

inputs:
  input:
    type:
      type: array
      items: Directory
      inputBinding: {prefix: --input}
    label: Sentinel-1 products
    doc: >-
      Staged inputs: folders each holding a STAC catalog.json whose items are
      Sentinel-1 IW GRD or SLC products (asset safe-manifest, or a SAFE zip), or
      .SAFE folders.
    inputBinding: {}
  dem:
    type: File?
    label: DEM
    doc: >-
      Digital elevation model (any GDAL raster with a CRS; Copernicus GLO-30
      recommended, see s4c-dem-fetch), covering the products. Required for
      range-doppler geocoding.
    inputBinding: {prefix: --dem}
  dem_vertical_datum:
    type:
      type: enum
      symbols: [declared, ellipsoidal, egm96, egm2008, ellipsoid]
    default: declared
    label: DEM vertical datum
    doc: >-
      Vertical datum of the DEM heights. declared: from the DEM's compound CRS or
      its VERTICAL_DATUM metadata; egm96/egm2008 need PROJ's geoid grid or a
      geoid undulation.
    inputBinding: {prefix: --dem-vertical-datum}
  geoid_undulation:
    type: float?
    label: Geoid undulation (m)
    doc: Constant geoid height N (m) added to EGM heights when PROJ's geoid grid is unavailable.
    inputBinding: {prefix: --geoid-undulation}
  product:
    type:
      type: enum
      symbols: [backscatter, coherence, both]
    default: both
    label: Products
    doc: What to compute (Sen4CAP compute_amplitude / compute_coherence).
    inputBinding: {prefix: --product}
  backend:
    type:
      - "null"
      - type: enum
        symbols: [python, snap]
    label: Back end
    doc: Processing back end. Default - snap when SNAP's gpt is on the PATH, else python.
    inputBinding: {prefix: --backend}
  gpt:
    type: string
    default: gpt
    label: gpt executable
    doc: snap back end only - the SNAP gpt executable.
    inputBinding: {prefix: --gpt}
  naming:
    type:
      type: enum
      symbols: [project, sen4cap]
    default: project
    label: Product naming
    doc: >-
      project: S1X_L2_BCK_<time>_<POL>_<ORB>[_<TILE>].tif and
      S1X_L2_COH_<t1>_<t2>_<POL>_<ORB>[_<TILE>].tif; sen4cap:
      SEN4CAP_L2A_S<site>_V<t1>_<t2>_<POL>_<ORB>/..._AMP.tif and ..._COHE.tif
      (implies the amplitude mode sen4cap, no-data 0).
    inputBinding: {prefix: --naming}
  site_id:
    type: string
    default: "1"
    label: Site id
    doc: Site id in Sen4CAP names.
    inputBinding: {prefix: --site-id}
  sen4cap_compat:
    type: boolean
    default: false
    label: Sen4CAP compatibility
    doc: >-
      All Sen4CAP quirks for options left at their defaults: no thermal-noise
      removal, geometric phase kept, amplitude sqrt(sigma0), Sen4CAP names.
    inputBinding: {prefix: --sen4cap-compat}
  polarisations:
    type:
      type: array
      items: string
      inputBinding: {prefix: --polarisations}
    default: [VV, VH]
    label: Polarisations
    doc: VV and/or VH.
    inputBinding: {}
  pixel_spacing:
    type:
      type: enum
      symbols: ["10", "15", "20", "30"]
    default: "20"
    label: Pixel spacing (m)
    doc: Output pixel spacing in metres (Sen4CAP processor.l2s1.pixel.spacing).
    inputBinding: {prefix: --pixel-spacing}
  projection:
    type: string
    default: EPSG:3035
    label: Projection
    doc: Output CRS (EPSG code, WKT or PROJ string); with tiles, each tile's UTM zone.
    inputBinding: {prefix: --projection}
  extent:
    type: float[]
    default: []
    label: Output extent
    doc: >-
      LEFT BOTTOM RIGHT TOP of the output in projection units (four numbers).
      Default (empty): the product footprint.
    inputBinding: {prefix: --extent}
  tiles:
    type:
      type: array
      items: string
      inputBinding: {prefix: --tiles}
    default: []
    label: Sentinel-2 tiles
    doc: S2 tile ids, one product per tile on the tile grid. Default (empty) - no tiling.
    inputBinding: {}
  tile_grid:
    type: File?
    label: Tile grid
    doc: Tile grid (GeoPackage with tile_id, epsg_code and polygons); required with tiles.
    inputBinding: {prefix: --tile-grid}
  temporal_offset:
    type: int
    default: 6
    label: Temporal offset (days)
    doc: Days between the two acquisitions of a coherence pair.
    inputBinding: {prefix: --temporal-offset}
  max_pair_interval:
    type: int
    default: 6
    label: Maximum pair interval (days)
    doc: 12 allows 12-day pairs where no 6-day partner exists (flagged in the STAC item).
    inputBinding: {prefix: --max-pair-interval}
  min_intersection:
    type: float
    default: 0.05
    label: Minimum footprint intersection
    doc: Minimum area(A and B) / min(area(A), area(B)) of the footprints of a pair.
    inputBinding: {prefix: --min-intersection}
  master:
    type:
      type: enum
      symbols: [NEWEST, OLDEST, S1A, S1B, S1C, S1D]
    default: NEWEST
    label: Master
    doc: Master (coregistration reference) of each pair; a satellite name picks its acquisition when the pair has one.
    inputBinding: {prefix: --master}
  radiometry:
    type:
      type: enum
      symbols: [sigma0, beta0, gamma0, gamma0_rtc]
    default: sigma0
    label: Radiometry
    doc: sigma0, beta0, gamma0 (ellipsoid-based) or gamma0_rtc (terrain-flattened).
    inputBinding: {prefix: --radiometry}
  no_thermal_noise:
    type: boolean
    default: false
    label: Keep thermal noise
    doc: Do not remove thermal noise (Sen4CAP graphs do not).
    inputBinding: {prefix: --no-thermal-noise}
  amp_mode:
    type:
      type: enum
      symbols: [sigma0, sen4cap]
    default: sigma0
    label: Amplitude mode
    doc: sen4cap writes the amplitude sqrt(sigma0) instead of sigma0.
    inputBinding: {prefix: --amp-mode}
  scale:
    type:
      type: enum
      symbols: [linear, db]
    default: linear
    label: Scale
    doc: Backscatter as linear power or in dB (10 log10).
    inputBinding: {prefix: --scale}
  ml_looks:
    type: string
    default: auto
    label: Multilook
    doc: RANGExAZIMUTH looks, e.g. 8x2; auto - SLC 8x2, GRD round(spacing/10) per axis.
    inputBinding: {prefix: --ml-looks}
  speckle_filter:
    # A string: SNAP's filter names contain spaces; the CLI checks the value.
    type: string
    default: none
    label: Speckle filter
    doc: >-
      snap back end only - SNAP Speckle-Filter (none, Boxcar, Median, Frost,
      Gamma Map, Lee, Refined Lee, Lee Sigma, IDAN).
    inputBinding: {prefix: --speckle-filter}
  speckle_filter_size:
    type: int
    default: 5
    label: Speckle filter size
    doc: snap back end only - speckle filter window in pixels.
    inputBinding: {prefix: --speckle-filter-size}
  coh_win_rg:
    type: int
    default: 20
    label: Coherence window, range
    doc: Coherence estimation window in range (samples).
    inputBinding: {prefix: --coh-win-rg}
  coh_win_az:
    type: int
    default: 5
    label: Coherence window, azimuth
    doc: Coherence estimation window in azimuth (lines).
    inputBinding: {prefix: --coh-win-az}
  keep_geometric_phase:
    type: boolean
    default: false
    label: Keep geometric phase
    doc: Do not subtract the flat-earth and topographic phase before coherence (Sen4CAP).
    inputBinding: {prefix: --keep-geometric-phase}
  coherence_bias:
    type:
      type: enum
      symbols: [none, table]
    default: none
    label: Coherence bias correction
    doc: >-
      python back end - table removes the estimator bias (inverse of the expected
      sample coherence for the window's number of looks); none keeps the raw
      estimate as Sen4CAP.
    inputBinding: {prefix: --coherence-bias}
  no_subset_to_pair_overlap:
    type: boolean
    default: false
    label: Do not subset to the pair overlap
    doc: Write coherence over the whole master footprint, not only the envelope of the pair's footprint intersection.
    inputBinding: {prefix: --no-subset-to-pair-overlap}
  geocoding:
    type:
      type: enum
      symbols: [range-doppler, gcp]
    default: range-doppler
    label: Geocoding
    doc: range-doppler with the DEM, or gcp with the annotation geolocation grid (flat terrain only).
    inputBinding: {prefix: --geocoding}
  gcp_max_relief:
    type: float
    default: 50.0
    label: Maximum relief for gcp (m)
    doc: Largest DEM height range over a footprint for which gcp geocoding is accepted.
    inputBinding: {prefix: --gcp-max-relief}
  dem_resampling:
    type:
      type: enum
      symbols: [nearest, bilinear, bicubic]
    default: bilinear
    label: DEM resampling
    doc: Resampling of the DEM onto the output grid.
    inputBinding: {prefix: --dem-resampling}
  img_resampling:
    type:
      type: enum
      symbols: [nearest, bilinear, bicubic]
    default: bilinear
    label: Image resampling
    doc: Resampling of the radar image.
    inputBinding: {prefix: --img-resampling}
  no_crop_nodata:
    type: boolean
    default: false
    label: Keep no-data borders
    doc: Do not crop all-no-data borders of the products.
    inputBinding: {prefix: --no-crop-nodata}
  orbit_dir:
    type: Directory?
    label: Precise orbit files
    doc: snap back end only - folder of *_AUX_POEORB_*.EOF files; the python back end uses the annotation orbit.
    inputBinding: {prefix: --orbit-dir}
  gpt_cache:
    type: string
    default: 256M
    label: gpt cache
    doc: snap back end only - gpt -c.
    inputBinding: {prefix: --gpt-cache}
  gpt_parallelism:
    type: int
    default: 8
    label: gpt parallelism
    doc: snap back end only - gpt -q.
    inputBinding: {prefix: --gpt-parallelism}
  step_timeout:
    type: float
    default: 60.0
    label: Step timeout (min)
    doc: snap back end only - minutes per gpt call.
    inputBinding: {prefix: --step-timeout}
  snap_version_min:
    type: int
    default: 9
    label: Minimum SNAP version
    doc: snap back end only - oldest SNAP major version accepted.
    inputBinding: {prefix: --snap-version-min}
  chunk_size:
    type: int
    default: 1024
    label: Block size (pixels)
    doc: python back end - output block size; memory grows with its square.
    inputBinding: {prefix: --chunk-size}
  workers:
    type: int?
    label: Workers
    doc: >-
      Parallel workers inside the run. Default: the cores the process may use.
    inputBinding: {prefix: --workers}
  verbose:
    type: boolean
    default: false
    label: Verbose
    doc: Debug logging, and tracebacks on errors.
    inputBinding: {prefix: --verbose}
  quiet:
    type: boolean
    default: false
    label: Quiet
    doc: Only warnings and errors in the log.
    inputBinding: {prefix: --quiet}

outputs:
  results:
    type: Directory
    label: Backscatter and coherence products
    doc: >-
      The output directory: STAC catalog.json, one item per product, and the
      float32 COGs (S1X_L2_BCK_..., S1X_L2_COH_... or the Sen4CAP AMP/COHE folders).
    outputBinding:
      glob: .
