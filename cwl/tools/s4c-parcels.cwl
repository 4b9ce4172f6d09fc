#!/usr/bin/env cwltool
# s4c-parcels as a CWL CommandLineTool. This file is the source of truth: the
# application package cwl/packages/sen4cap_parcels.cwl is generated from it by
# cwl/make_package.py (a test checks they agree). Defaults equal the CLI's;
# an input with a default may be left out of a job.
# --params-file is not exposed: the job order is CWL's parameter file, and the
# defaults below, always passed on the command line, would override it.
cwlVersion: v1.2
class: CommandLineTool
id: s4c_parcels
label: Sen4CAP declaration preparation (parcels)
doc: >-
  Prepares a farmers' declaration (LPIS/GSAA) for every other Sen4CAP processor:
  stable NewIDs, validity, duplicate and overlap flags, area and shape index,
  inward-buffered layers, per-tile NewID rasters at 10 m and 20 m with pixel
  counts, and the crop look-up table join. Writes a STAC catalog with one item
  "lpis" into its output directory.

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
    # the image by digest (localhost/s4c-parcels@sha256:...).
    dockerPull: localhost/s4c-parcels:0.1.0

baseCommand: s4c-parcels
arguments:
  - prefix: --output
    valueFrom: $(runtime.outdir)

inputs:
  declarations:
    type: File
    label: Declarations
    doc: >-
      Declared parcels: any OGR vector (GeoPackage, Shapefile, zipped Shapefile,
      GeoJSON, FlatGeobuf) with a CRS, one feature per parcel.
    # A Shapefile brings its sidecar files along.
    secondaryFiles: &shapefile_sidecars
      - {pattern: ^.dbf, required: false}
      - {pattern: ^.shx, required: false}
      - {pattern: ^.prj, required: false}
      - {pattern: ^.cpg, required: false}
    inputBinding: {prefix: --declarations}
  lut:
    type: File
    label: Crop look-up table
    doc: >-
      CSV with the columns ori_crop, ctnum, lc, ctnuml4a, ctl4a, ctnumdiv, eaa,
      al, pgrass, tgrass, fallow, cwater.
    inputBinding: {prefix: --lut}
  year:
    type: int
    label: Declaration year
    doc: Year of the declaration (file names, season).
    inputBinding: {prefix: --year}
  tile_grid:
    type: File?
    label: Tile grid
    doc: >-
      S2 tiling grid (tile_id, epsg_code, polygons). Default: one tile in the
      parcels' UTM zone covering their extent, named EPSG<code>.
    secondaryFiles: *shapefile_sidecars
    inputBinding: {prefix: --tile-grid}
  tiles:
    # An empty list rather than an optional array: ogc-ap-validator 0.5 fails on
    # ["null", array] unions, and an empty array adds nothing to the command line.
    type:
      type: array
      items: string
      inputBinding: {prefix: --tiles}
    default: []
    label: Tiles
    doc: >-
      Ids of the grid tiles to use. Default (empty): every tile intersecting the parcels.
    inputBinding: {}
  previous:
    type: File?
    label: Previous parcel table
    doc: >-
      Parcel table of an earlier run (GeoParquet or GeoPackage): known parcels
      keep their NewID and HoldID.
    inputBinding: {prefix: --previous}
  parcel_id_cols:
    type:
      type: array
      items: string
      inputBinding: {prefix: --parcel-id-cols}
    default: [OBJECTID]
    label: Parcel id columns
    doc: Declaration column(s) joined with '-' into the original parcel id (ori_id).
    inputBinding: {}
  holding_id_cols:
    type:
      type: array
      items: string
      inputBinding: {prefix: --holding-id-cols}
    default: [holding_id]
    label: Holding id columns
    doc: Declaration column(s) joined with '-' into the original holding id (ori_hold).
    inputBinding: {}
  crop_code_col:
    type: string
    default: CULT_CODE
    label: Crop code column
    doc: Declaration column with the declared crop code, joined with the LUT's ori_crop.
    inputBinding: {prefix: --crop-code-col}
  site:
    type: string
    default: site
    label: Site name
    doc: Site short name used in file names (decl_<site>_<year>).
    inputBinding: {prefix: --site}
  mode:
    type:
      type: enum
      symbols: [update, replace, incremental]
    default: update
    label: Update mode
    doc: >-
      With a previous table: update keeps ids and marks vanished parcels deleted;
      replace renumbers from scratch; incremental never marks parcels deleted.
    inputBinding: {prefix: --mode}
  parcel_id_offset:
    type: int
    default: 0
    label: Parcel id offset
    doc: Added to newly assigned NewIDs.
    inputBinding: {prefix: --parcel-id-offset}
  holding_id_offset:
    type: int
    default: 0
    label: Holding id offset
    doc: Added to newly assigned HoldIDs.
    inputBinding: {prefix: --holding-id-offset}
  overlap_threshold:
    type: float
    default: 0.1
    label: Overlap threshold
    doc: >-
      A parcel is flagged Overlap when its summed intersection with other parcels
      exceeds this fraction of its area (0 to 1).
    inputBinding: {prefix: --overlap-threshold}
  buffer_optical:
    type: float
    default: -5.0
    label: Optical buffer (m)
    doc: Inward buffer in metres for 10 m products (S2 rasters, _buf_5m layers).
    inputBinding: {prefix: --buffer-optical}
  buffer_sar:
    type: float
    default: -10.0
    label: SAR buffer (m)
    doc: Inward buffer in metres for 20 m products (S1 rasters, _buf_10m layers).
    inputBinding: {prefix: --buffer-sar}
  extra_epsg:
    type: int
    default: 3035
    label: Extra EPSG code
    doc: Additional CRS of the _buf_10m layer (Sen4CAP legacy S1 grid); 0 for none.
    inputBinding: {prefix: --extra-epsg}
  duplicate_rule:
    type:
      type: enum
      symbols: [normalized, binary]
    default: normalized
    label: Duplicate rule
    doc: >-
      normalized: geometries are equal after normalising ring order and start;
      binary: geometries are byte-identical (Sen4CAP).
    inputBinding: {prefix: --duplicate-rule}
  pixel_count_merge:
    type:
      type: enum
      symbols: [max, sum]
    default: max
    label: Pixel count merge
    doc: How the pixel counts of a parcel in overlapping tiles combine.
    inputBinding: {prefix: --pixel-count-merge}
  rasterize_all_touched:
    type: boolean
    default: false
    label: Rasterize all touched pixels
    doc: Burn every pixel a parcel touches instead of the pixel-centre rule (not Sen4CAP).
    inputBinding: {prefix: --rasterize-all-touched}
  format:
    # Strings, not an array of enums, which cwltool cannot bind
    # (common-workflow-language/cwltool#821); the CLI checks the values.
    type:
      type: array
      items: string
      inputBinding: {prefix: --format}
    default: [geoparquet]
    label: Table formats
    doc: Format(s) of the full parcel table, each one of geoparquet, gpkg, shp, csv.
    inputBinding: {}
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
    label: Prepared declarations
    doc: >-
      The output directory: STAC catalog.json with the item "lpis", the parcel
      table decl_<site>_<year>, parcels.csv, lut.csv, buffered shapefiles and
      per-tile NewID rasters.
    outputBinding:
      glob: .
  parcels_table:
    type: File?
    label: Parcel table
    doc: >-
      The GeoParquet parcel table decl_<site>_<year>.parquet inside the output
      directory, for the processors that read the parcels (s4c-markers); absent
      when format does not include geoparquet.
    outputBinding:
      glob: decl_*_*.parquet
