#!/usr/bin/env cwltool
# s4c-spectral-indices as a CWL CommandLineTool. This file is the source of truth:
# the application package cwl/packages/sen4cap_l3b_spectral_indices.cwl is generated
# from it by cwl/make_package.py (a test checks they agree). Defaults equal the
# CLI's; an input with a default may be left out of a job.
# --params-file is not exposed: the job order is CWL's parameter file.
# Switches whose CLI default is on are exposed by their "off" flag (no_apply_boa_offset,
# no_mask_index, no_cog), so that no JavaScript is needed to bind them.
cwlVersion: v1.2
class: CommandLineTool
id: s4c_spectral_indices
label: Sen4CAP L3B spectral indices
doc: >-
  Computes Sen4CAP L3B spectral indices (NDVI by default; TNDVI, RVI, SAVI, TSAVI,
  MSAVI, MSAVI2, GEMI, IPVI, LAI regressions, NDWI, NDWI2, MNDWI, NDTI, RI, CI, BI,
  BI2, BRIGHTNESS on request) of Sentinel-2 L2A products with the validity flags
  raster MMONODFLG from the scene classification. One L3B product per index and
  input product: index raster (int16 x 1000, no-data -10000, or float32), flags,
  quick-look and metadata, as Cloud-Optimized GeoTIFFs with a STAC catalog.

$namespaces:
  s: https://schema.org/
s:softwareVersion: 0.1.0

requirements:
  ResourceRequirement:
    coresMin: 1
    coresMax: 4
    ramMin: 2048
    ramMax: 4096
hints:
  DockerRequirement:
    # Development tag, built by docker/build-images.sh; released packages pin
    # the image by digest (localhost/s4c-spectral-indices@sha256:...).
    dockerPull: localhost/s4c-spectral-indices:0.1.0

baseCommand: s4c-spectral-indices
arguments:
  - prefix: --output
    valueFrom: $(runtime.outdir)

inputs:
  input:
    type:
      type: array
      items: Directory
      inputBinding: {prefix: --input}
    label: Sentinel-2 L2A products
    doc: >-
      Staged inputs: folders each holding a STAC catalog.json whose items are
      Sentinel-2 L2A products (band assets B02 ... B12 and SCL, and the product
      metadata MTD_MSIL2A.xml), or .SAFE folders.
    inputBinding: {}
  index:
    # Strings, not an array of enums, which cwltool cannot bind
    # (common-workflow-language/cwltool#821); the CLI checks the names.
    type:
      type: array
      items: string
      inputBinding: {prefix: --index}
    default: [NDVI]
    label: Indices
    doc: >-
      Indices to compute, one L3B product each: NDVI, TNDVI, RVI, SAVI, TSAVI,
      MSAVI, MSAVI2, GEMI, IPVI, LAIFromNDVILog, LAIFromReflLinear, NDWI, NDWI2,
      MNDWI, NDTI, RI, CI, BI, BI2, BRIGHTNESS (formulas in s4c-spectral-indices --help).
    inputBinding: {}
  resolution:
    type: int
    default: 10
    label: Resolution (m)
    doc: Output pixel size in metres, 10 or 20.
    inputBinding: {prefix: --resolution}
  quantification:
    type: int
    default: 1000
    label: Quantification
    doc: int16 scale, stored value = index x quantification (1 to 10000).
    inputBinding: {prefix: --quantification}
  site_id:
    type: int
    default: 0
    label: Site id
    doc: Site number written as S{site} in Sen4CAP product names.
    inputBinding: {prefix: --site-id}
  no_apply_boa_offset:
    type: boolean
    default: false
    label: Ignore the BOA offset
    doc: >-
      apply_boa_offset = false: do not add BOA_ADD_OFFSET (-1000 from processing
      baseline 04.00 on) to the digital numbers before scaling.
    inputBinding: {prefix: --no-apply-boa-offset}
  reflectance_scale:
    type: float?
    label: Reflectance scale
    doc: >-
      DN to reflectance factor. Default: 1/QUANTIFICATION_VALUE of the L2A product.
    inputBinding: {prefix: --reflectance-scale}
  band_map:
    # An empty list rather than an optional array: ogc-ap-validator 0.5 fails on
    # ["null", array] unions, and an empty array adds nothing to the command line.
    type:
      type: array
      items: string
      inputBinding: {prefix: --band-map}
    default: []
    label: Band map
    doc: >-
      role=band pairs overriding the Sentinel-2 band of a role (roles blue, green,
      red, rededge1-3, nir, nir08, swir1, swir2), e.g. nir=B8A.
    inputBinding: {}
  output_dtype:
    type:
      type: enum
      symbols: [int16, float32]
    default: int16
    label: Output data type
    doc: int16, index x quantification with no-data -10000; float32, the index with no-data NaN.
    inputBinding: {prefix: --output-dtype}
  reflectance_units:
    type: string?
    label: Reflectance units
    doc: >-
      reflectance: (DN + offset) x scale (default); dn: DN + offset unscaled, as
      Sen4CAP computes (default with sen4cap_compat).
    inputBinding: {prefix: --reflectance-units}
  no_mask_index:
    type: boolean
    default: false
    label: Do not mask the index
    doc: >-
      mask_index = false: write index values where the flags forbid the index (as
      the TAO service does) instead of no-data.
    inputBinding: {prefix: --no-mask-index}
  negative_to_nodata:
    type: boolean
    default: false
    label: Negative values to no-data
    doc: Negative index values become no-data (Sen4CAP quirk; on with sen4cap_compat).
    inputBinding: {prefix: --negative-to-nodata}
  keep_negative:
    type: boolean
    default: false
    label: Keep negative values
    doc: Keep negative index values even with sen4cap_compat.
    inputBinding: {prefix: --keep-negative}
  quantize_rounding:
    type: string?
    label: Quantisation rounding
    doc: >-
      round (half away from zero, default) or truncate (toward zero, as Sen4CAP;
      default with sen4cap_compat).
    inputBinding: {prefix: --quantize-rounding}
  scl_shadow_flag:
    type: int?
    label: Cloud shadow flag
    doc: Flag of SCL class 3 (cloud shadow), 2 (default) or 4 (cloud, default with sen4cap_compat).
    inputBinding: {prefix: --scl-shadow-flag}
  ndwi_definition:
    type:
      type: enum
      symbols: [gao, l4a]
    default: gao
    label: NDWI definition
    doc: gao = (B08 - B11)/(B08 + B11) as Sen4CAP L3B; l4a = the opposite sign, as Sen4CAP L4A.
    inputBinding: {prefix: --ndwi-definition}
  brightness_definition:
    type:
      type: enum
      symbols: [BI, BI2, L4A]
    default: BI
    label: Brightness definition
    doc: >-
      Formula of BRIGHTNESS (SBRIGHT): BI = sqrt((R2 + G2)/2), BI2 = sqrt((R2 + G2
      + NIR2)/3), L4A = sqrt(G2 + R2 + NIR2 + SWIR1^2).
    inputBinding: {prefix: --brightness-definition}
  no_cog:
    type: boolean
    default: false
    label: Plain GeoTIFFs
    doc: cog = false, write plain tiled GeoTIFFs instead of Cloud-Optimized GeoTIFFs (faster).
    inputBinding: {prefix: --no-cog}
  sen4cap_compat:
    type: boolean
    default: false
    label: Sen4CAP compatibility
    doc: >-
      Switch on every Sen4CAP quirk: reflectance units dn, negative values to
      no-data, truncation, cloud shadow flagged as cloud. Explicit inputs win.
    inputBinding: {prefix: --sen4cap-compat}
  naming:
    type:
      type: enum
      symbols: [sen4cap, project]
    default: sen4cap
    label: Product naming
    doc: sen4cap, S2AGRI_L3B{IND}_PRD_S{site}_... with TILES/IMG_DATA/QI_DATA; project, one flat folder per product.
    inputBinding: {prefix: --naming}
  creation_time:
    type: string?
    label: Creation time
    doc: >-
      Creation time in product names (YYYYMMDDThhmmss, UTC). Default: the input
      product's generation time, else its sensing time.
    inputBinding: {prefix: --creation-time}
  acquisition_time:
    type: string?
    label: Acquisition time
    doc: Acquisition time of a generic raster input (YYYYMMDDThhmmss, UTC).
    inputBinding: {prefix: --acquisition-time}
  scl:
    type:
      type: array
      items: File
      inputBinding: {prefix: --scl}
    default: []
    label: Scene classification rasters
    doc: Scene classification rasters of generic raster inputs, one per such input, in order.
    inputBinding: {}
  aoi:
    type: string?
    label: Area of interest
    doc: >-
      WKT or GeoJSON in EPSG:4326; the output is cropped to its bounding box,
      snapped to the 10 m grid.
    inputBinding: {prefix: --aoi}
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
    label: L3B products
    doc: >-
      The output directory: STAC catalog.json with one item per L3B product
      (assets S{IND}, MMONODFLG, metadata, thumbnail) and the product folders.
    outputBinding:
      glob: .
