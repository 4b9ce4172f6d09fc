#!/usr/bin/env cwltool
# s4c-biophysical as a CWL CommandLineTool. This file is the source of truth: the
# application package cwl/packages/sen4cap_l3b_biophysical_indicators.cwl is generated
# from it by cwl/make_package.py (a test checks they agree). Defaults equal the CLI's;
# an input with a default may be left out of a job.
# --params-file is not exposed: the job order is CWL's parameter file, and the
# defaults below, always passed on the command line, would override it.
cwlVersion: v1.2
class: CommandLineTool
id: s4c_biophysical
label: Sen4CAP L3B biophysical indicators (LAI, FAPAR, FCOVER)
doc: >-
  Retrieves LAI, FAPAR and FCOVER (and on request CCC and CWC) from Sentinel-2 L2A
  products with the ESA SNAP S2 Toolbox neural networks (version 3.0 by default,
  spacecraft-specific), with SNAP's input-domain and output-range flags. Writes one
  Sen4CAP L3B product per input and indicator (indicator raster int16 x 1000, validity
  flags, network quality bits, quick-look, metadata) as Cloud-Optimized GeoTIFFs, and a
  STAC catalog, into its output directory.

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
    # the image by digest (localhost/s4c-biophysical@sha256:...).
    dockerPull: localhost/s4c-biophysical:0.1.0

baseCommand: s4c-biophysical
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
      Staged inputs: folders holding a STAC catalog.json whose items are L2A products
      (band, SCL and metadata assets, with the granule metadata MTD_TL.xml for the
      angles), or .SAFE folders. Every product gives its own L3B products.
    inputBinding: {}
  auxdata:
    type: Directory?
    label: SNAP network files
    doc: >-
      The SNAP S2 Toolbox biophysical networks in the upstream layout (a folder holding
      2_1/ and 3_0/), as written by s4c-biophysical-auxdata (make auxdata). The files are
      GPL-3.0 data of SNAP, not part of the application. Default: the copy the image
      fetched at build time ($S4C_BIOPHYSICAL_AUXDATA); required without a container.
    inputBinding: {prefix: --auxdata}
  indicator:
    # Strings, not an array of enums, which cwltool cannot bind
    # (common-workflow-language/cwltool#821); the CLI checks the values.
    type:
      type: array
      items: string
      inputBinding: {prefix: --indicator}
    default: [LAI]
    label: Indicators
    doc: >-
      Indicators, each one of LAI (m2/m2), FAPAR, FCOVER (fractions), CCC = LAI x Cab
      (ug/cm2, stored x 10) and CWC = LAI x Cw (g/cm2, stored x 10000).
    inputBinding: {}
  model:
    type:
      type: enum
      symbols: [snap-3.0-20m, snap-3.0-10m, snap-2.1, sen4cap-allbands]
    default: snap-3.0-20m
    label: Networks
    doc: >-
      snap-3.0-20m (B3 B4 B5 B6 B7 B8A B11 B12 and the angles), snap-3.0-10m (B3 B4 B8
      and the angles; LAI, FAPAR, FCOVER), snap-2.1 (the SNAP 2.1 networks), or
      sen4cap-allbands (Sen4CAP's INRA networks, 12 inputs; needs sen4cap_nn_dir).
    inputBinding: {prefix: --model}
  sensor_model:
    type:
      type: enum
      symbols: [auto, S2A, S2B]
    default: auto
    label: Spacecraft networks
    doc: >-
      auto takes the product's spacecraft; Sentinel-2C and -2D have no published networks
      and use the S2A ones (warning W_MODEL_SUBSTITUTED).
    inputBinding: {prefix: --sensor-model}
  sen4cap_nn_dir:
    type: Directory?
    label: Sen4CAP network files
    doc: >-
      Sen4CAP's VegetationStatus/ConfigFiles folder with Algo_S2_V2.0_SL2T_allbands_*.txt,
      for the model sen4cap-allbands.
    inputBinding: {prefix: --sen4cap-nn-dir}
  resolution:
    type:
      type: enum
      symbols: ["10", "20"]
    default: "10"
    label: Resolution (m)
    doc: >-
      Output pixel size in metres; at 10 m the 20 m bands are replicated (nearest
      neighbour, as Sen4CAP).
    inputBinding: {prefix: --resolution}
  output_range_mode:
    type:
      type: enum
      symbols: [snap, sen4cap]
    default: snap
    label: Output range rule
    doc: >-
      snap: outputs within the tolerance of the valid range are clamped, beyond it kept
      and flagged (no-data in int16); sen4cap: within the tolerance kept, beyond it clamped.
    inputBinding: {prefix: --output-range-mode}
  domain_check:
    type:
      type: enum
      symbols: [box+grid, box]
    default: box+grid
    label: Definition domain test
    doc: >-
      box (per-band min/max, Sen4CAP) or box+grid (also SNAP's convex-hull grid). Advisory:
      it sets a quality bit, the value is kept.
    inputBinding: {prefix: --domain-check}
  no_mask_invalid:
    type: boolean
    default: false
    label: Keep invalid pixels
    doc: >-
      Also give values where the SCL validity flag is not land (clouds, shadows, snow,
      water, saturated), which are no-data by default.
    inputBinding: {prefix: --no-mask-invalid}
  no_apply_boa_offset:
    type: boolean
    default: false
    label: Ignore the BOA offset
    doc: >-
      Ignore BOA_ADD_OFFSET (-1000 from processing baseline 04.00); by default reflectance
      = (DN + BOA_ADD_OFFSET) / QUANTIFICATION_VALUE.
    inputBinding: {prefix: --no-apply-boa-offset}
  quantification:
    type: float
    default: 1000.0
    label: Quantification
    doc: int16 value per unit of LAI, FAPAR and FCOVER (no-data -10000).
    inputBinding: {prefix: --quantification}
  quantize_rounding:
    type:
      type: enum
      symbols: [round, truncate]
    default: round
    label: Rounding
    doc: round (half away from zero) or truncate toward zero (Sen4CAP).
    inputBinding: {prefix: --quantize-rounding}
  no_write_domain_flags:
    type: boolean
    default: false
    label: No quality bits raster
    doc: >-
      Leave out the network quality raster M{IND}DOMFLG (bits 1 input out of domain,
      2 raised to min, 4 lowered to max, 8 below min - tolerance, 16 above max + tolerance).
    inputBinding: {prefix: --no-write-domain-flags}
  output_dtype:
    type:
      type: enum
      symbols: [int16, float32]
    default: int16
    label: Output data type
    doc: >-
      int16 (scaled, no-data -10000) or float32 (physical values, no-data NaN,
      out-of-range values kept).
    inputBinding: {prefix: --output-dtype}
  scl_shadow_flag:
    type:
      type: enum
      symbols: ["2", "4"]
    default: "2"
    label: Cloud-shadow flag
    doc: Validity flag of SCL class 3 (cloud shadow) - 2, or 4 = cloud (Sen4CAP).
    inputBinding: {prefix: --scl-shadow-flag}
  angle_interpolation:
    type:
      type: enum
      symbols: [bilinear]
    default: bilinear
    label: Angle interpolation
    doc: >-
      Sun and view angles - the 5 km MTD_TL.xml grids interpolated bilinearly to each
      pixel centre (azimuths on the circle).
    inputBinding: {prefix: --angle-interpolation}
  sen4cap_compat:
    type: boolean
    default: false
    label: Sen4CAP compatibility
    doc: >-
      Every Sen4CAP quirk unless set explicitly - output range rule sen4cap, domain test
      box, truncation, no quality bits raster, cloud shadow as cloud.
    inputBinding: {prefix: --sen4cap-compat}
  site_id:
    type: int
    default: 0
    label: Site id
    doc: Site id in the Sen4CAP product names (S{site}).
    inputBinding: {prefix: --site-id}
  naming:
    type:
      type: enum
      symbols: [sen4cap, project]
    default: sen4cap
    label: Product naming
    doc: >-
      sen4cap (S2AGRI_L3B{IND}_PRD_...) or project (flat L3B{IND}_T{tile}_{date}/ folders).
    inputBinding: {prefix: --naming}
  creation_time:
    type: string?
    label: Creation time
    doc: >-
      Creation time in the product names (YYYYMMDDThhmmss or ISO 8601, UTC). Default: the
      input's generation time, so that the same input gives the same names.
    inputBinding: {prefix: --creation-time}
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
    label: L3B biophysical products
    doc: >-
      The output directory: STAC catalog.json with one item per input product and
      indicator, each a Sen4CAP L3B product folder (S2AGRI_L3B{IND}_PRD_...).
    outputBinding:
      glob: .
