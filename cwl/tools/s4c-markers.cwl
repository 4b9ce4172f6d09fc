#!/usr/bin/env cwltool
# s4c-markers as a CWL CommandLineTool. This file is the source of truth: the
# application package cwl/packages/sen4cap_l3_basic_markers.cwl is generated from
# it by cwl/make_package.py (a test checks they agree). Defaults equal the CLI's;
# an input with a default may be left out of a job.
# --params-file is not exposed: the job order is CWL's parameter file, and the
# defaults below, always passed on the command line, would override it.
cwlVersion: v1.2
class: CommandLineTool
id: s4c_markers
label: Sen4CAP L3 basic markers (MDB1/MDB2)
doc: >-
  Per-parcel, per-date statistics of L3B products (NDVI, LAI, FAPAR, FCOVER, ...),
  Sentinel-1 backscatter and coherence and Sentinel-2 L2A bands: mean and standard
  deviation, on request min, max, median, quartiles and pixel counts, over the
  pixels whose centre lies inside each inward-buffered parcel. Writes the markers
  table in Sen4CAP's wide layout (MDB1, Parquet; Arrow IPC and CSV on request), the
  VV - VH backscatter table (MDB2), optionally the long layout, and a STAC catalog
  with one item describing them.

$namespaces:
  s: https://schema.org/
s:softwareVersion: 0.1.0

requirements:
  ResourceRequirement:
    coresMin: 1
    coresMax: 4
    ramMin: 2048
    ramMax: 8192
hints:
  DockerRequirement:
    # Development tag, built by docker/build-images.sh; released packages pin
    # the image by digest (localhost/s4c-markers@sha256:...).
    dockerPull: localhost/s4c-markers:0.1.0

baseCommand: s4c-markers
arguments:
  - prefix: --output
    valueFrom: $(runtime.outdir)

inputs:
  input:
    type:
      type: array
      items: Directory
      inputBinding: {prefix: --input}
    label: Products
    doc: >-
      Staged products, each a folder holding a STAC catalog.json: L3B products of
      s4c-spectral-indices and s4c-biophysical, Sentinel-1 backscatter (BCK, AMP) and
      coherence (COH, COHE), Sentinel-2 L2A products.
    inputBinding: {}
  parcels:
    type: File
    label: Parcels
    doc: >-
      Parcel table with a NewID column: the GeoParquet decl_<site>_<year>.parquet of
      s4c-parcels, or any OGR vector (GeoPackage, Shapefile) with a CRS.
    # A Shapefile brings its sidecar files along.
    secondaryFiles:
      - {pattern: ^.dbf, required: false}
      - {pattern: ^.shx, required: false}
      - {pattern: ^.prj, required: false}
      - {pattern: ^.cpg, required: false}
    inputBinding: {prefix: --parcels}
  parcels_layer:
    type: string?
    label: Parcel layer
    doc: Layer of a multi-layer parcel file (e.g. a GeoPackage).
    inputBinding: {prefix: --parcels-layer}
  append_to:
    type: File?
    label: Existing markers table
    doc: >-
      Markers table of an earlier run (Parquet or Arrow IPC): its columns are kept and
      only products it does not hold yet are computed.
    inputBinding: {prefix: --append-to}
  start_date:
    type: string?
    label: Start date
    doc: Ignore products acquired before this date (YYYY-MM-DD).
    inputBinding: {prefix: --start-date}
  end_date:
    type: string?
    label: End date
    doc: Ignore products acquired after this date (YYYY-MM-DD).
    inputBinding: {prefix: --end-date}
  products:
    type:
      type: array
      items: string
      inputBinding: {prefix: --products}
    default: []
    label: Product types
    doc: >-
      Product types to reduce (NDVI, LAI, FAPAR, FCOVER, NDWI, BRIGHT, L2A, BCK, AMP,
      COH, COHE). Default (empty): every type found.
    inputBinding: {}
  l2a_bands:
    type:
      type: array
      items: string
      inputBinding: {prefix: --l2a-bands}
    default: []
    label: L2A bands
    doc: >-
      Sentinel-2 L2A bands to reduce at their native resolution, e.g. B2, B3, B4, B8,
      B11, B12 (needed when L2A products are given).
    inputBinding: {}
  stats:
    type:
      type: array
      items: string
      inputBinding: {prefix: --stats}
    default: []
    label: Extra statistics
    doc: >-
      Statistics besides mean and stdev: min, max, median, p25, p75, valid_pixels_cnt,
      invalid_pixels_cnt, or all.
    inputBinding: {}
  min_valid_pixels:
    type: int
    default: 2
    label: Minimum valid pixels
    doc: A parcel's statistics are written only with at least this many valid pixels.
    inputBinding: {prefix: --min-valid-pixels}
  min_valid_fraction:
    type: float
    default: 0.1
    label: Minimum valid fraction
    doc: ... and with more than this fraction (0 to 1) of its pixels valid.
    inputBinding: {prefix: --min-valid-fraction}
  percentile_method:
    type:
      type: enum
      symbols: [linear, sen4cap]
    default: linear
    label: Percentile method
    doc: >-
      linear: NumPy's default, Hyndman-Fan type 7; sen4cap: Sen4CAP's rule on distinct
      values (compatibility).
    inputBinding: {prefix: --percentile-method}
  amp_db:
    type:
      type: enum
      symbols: [linear, sigma0, sen4cap]
    default: linear
    label: Backscatter dB definition
    doc: >-
      linear: statistics of linear sigma0 (AMP squared) converted to dB, stdev of the
      pixels' dB; sigma0: statistics of per-pixel sigma0 dB; sen4cap: 10*log10 of the
      stored value per pixel (half the dB value for AMP, compatibility).
    inputBinding: {prefix: --amp-db}
  zero_is_nodata:
    type: boolean
    default: false
    label: Zero is no-data
    doc: A value of exactly 0 is invalid for every product type (Sen4CAP compatibility).
    inputBinding: {prefix: --zero-is-nodata}
  no_vvvh:
    type: boolean
    default: false
    label: No VV - VH table
    doc: Do not write the VV - VH backscatter table (MDB2).
    inputBinding: {prefix: --no-vvvh}
  vvvh_stdev:
    type: boolean
    default: false
    label: VV - VH of stdev
    doc: Also write VV - VH of the stdev columns (Sen4CAP compatibility).
    inputBinding: {prefix: --vvvh-stdev}
  sen4cap_compat:
    type: boolean
    default: false
    label: Sen4CAP compatibility
    doc: >-
      Every Sen4CAP quirk: amp_db sen4cap, zero_is_nodata, percentile_method sen4cap,
      vvvh_stdev.
    inputBinding: {prefix: --sen4cap-compat}
  buffer_10m:
    type: float
    default: -5.0
    label: Buffer on 10 m rasters (m)
    doc: Inward buffer in metres of the parcels on 10 m rasters.
    inputBinding: {prefix: --buffer-10m}
  buffer_20m:
    type: float
    default: -10.0
    label: Buffer on 20 m rasters (m)
    doc: Inward buffer in metres on 20 m rasters; other pixel sizes use half a pixel.
    inputBinding: {prefix: --buffer-20m}
  format:
    # Strings, not an array of enums, which cwltool cannot bind
    # (common-workflow-language/cwltool#821); the CLI checks the values.
    type:
      type: array
      items: string
      inputBinding: {prefix: --format}
    default: [parquet]
    label: Table formats
    doc: Format(s) of the tables, each one of parquet, ipc, csv.
    inputBinding: {}
  long:
    type: boolean
    default: false
    label: Long layout
    doc: Also write the long layout (one row per parcel and date).
    inputBinding: {prefix: --long}
  name:
    type: string
    default: markers
    label: Table name
    doc: Base name of the output tables and of the STAC item.
    inputBinding: {prefix: --name}
  window_size:
    type: int
    default: 512
    label: Window size (pixels)
    doc: Pixels per side of the processing windows; memory is bounded by a window.
    inputBinding: {prefix: --window-size}
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
    label: Markers
    doc: >-
      The output directory: STAC catalog.json with one item describing the tables,
      markers.parquet (wide layout, MDB1), markers_vvvh.parquet (MDB2) when S1 VV and
      VH backscatter were given, and the other formats and layouts asked for.
    outputBinding:
      glob: .
