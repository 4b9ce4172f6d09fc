cwlVersion: v1.2
class: Workflow
id: sen4cap_chain
label: Sen4CAP chain for one season
doc: >-
  Declarations → parcels; Sentinel-2 L2A → L3B spectral indices and L3B
  biophysical indicators; Sentinel-1 GRD and SLC → backscatter and 6-day
  coherence; parcels and all these products → L3 basic markers. Each step is one processor's
  CommandLineTool (cwl/tools/), so the chain runs with cwltool on one machine
  (add --parallel) or under Toil/Calrissian. The README's demo runs it on the
  sample scene: cwltool cwl/workflows/sen4cap_chain.cwl cwl/jobs/chain-sample.yml

requirements:
  MultipleInputFeatureRequirement: {}

inputs:
  declarations:
    type: File
    label: Declarations
    doc: Farmers' declared parcels, any OGR vector with a CRS.
  lut:
    type: File
    label: Crop look-up table
    doc: CSV with ori_crop, ctnum, lc, ctnuml4a, ctl4a, ctnumdiv and the flag columns.
  tile_grid:
    type: File
    label: Tile grid
    doc: Sentinel-2 tiling grid (tile_id, epsg_code, polygons) covering the parcels.
  year:
    type: int
    label: Declaration year
    doc: Year of the declarations (file names, season).
  s2_products:
    type: Directory
    label: Sentinel-2 L2A products
    doc: Staged folder with a STAC catalog.json of the L2A products of the season.
  s1_products:
    type: Directory
    label: Sentinel-1 products
    doc: Staged folder with a STAC catalog.json of the S1 IW GRD and SLC products of the season.
  dem:
    type: File
    label: DEM
    doc: Digital elevation model covering the S1 scenes, heights above the ellipsoid or with their vertical datum declared.
  indices:
    type: string[]
    label: Spectral indices
    doc: Indices to compute and reduce to markers (names of s4c-spectral-indices --index).
    default: [NDVI]
  auxdata:
    type: Directory
    label: SNAP biophysical networks
    doc: Folder of the SNAP S2 Toolbox networks in the upstream layout (2_1/, 3_0/), as make auxdata fetches it.
  indicators:
    type: string[]
    label: Biophysical indicators
    doc: Indicators to retrieve and reduce to markers (names of s4c-biophysical --indicator).
    default: [LAI, FAPAR, FCOVER]

outputs:
  parcels:
    type: Directory
    label: Prepared declarations
    doc: Output of s4c-parcels (STAC catalog, parcel table, rasters).
    outputSource: prepare_parcels/results
  l3b_indices:
    type: Directory
    label: L3B spectral indices
    doc: Output of s4c-spectral-indices (STAC catalog of L3B products).
    outputSource: spectral_indices/results
  l3b_biophysical:
    type: Directory
    label: L3B biophysical indicators
    doc: Output of s4c-biophysical (STAC catalog of L3B products).
    outputSource: biophysical/results
  s1_backscatter_coherence:
    type: Directory
    label: S1 backscatter and coherence
    doc: Output of s4c-s1-preprocessing (STAC catalog of geocoded backscatter and coherence).
    outputSource: s1_preprocessing/results
  markers:
    type: Directory
    label: L3 basic markers
    doc: Output of s4c-markers (STAC catalog, markers.parquet).
    outputSource: basic_markers/results

steps:
  prepare_parcels:
    run: ../tools/s4c-parcels.cwl
    in:
      declarations: declarations
      lut: lut
      tile_grid: tile_grid
      year: year
    out: [results, parcels_table]
  spectral_indices:
    run: ../tools/s4c-spectral-indices.cwl
    in:
      input:
        source: [s2_products]
        linkMerge: merge_flattened
      index: indices
    out: [results]
  biophysical:
    run: ../tools/s4c-biophysical.cwl
    in:
      input:
        source: [s2_products]
        linkMerge: merge_flattened
      auxdata: auxdata
      indicator: indicators
    out: [results]
  s1_preprocessing:
    run: ../tools/s4c-s1-preprocessing.cwl
    in:
      input:
        source: [s1_products]
        linkMerge: merge_flattened
      dem: dem
    out: [results]
  basic_markers:
    run: ../tools/s4c-markers.cwl
    in:
      input:
        source: [spectral_indices/results, biophysical/results, s1_preprocessing/results]
        linkMerge: merge_flattened
      parcels: prepare_parcels/parcels_table
    out: [results]
