"""Processing options shared by every back end (spec s1-preprocessing.md, section 4).

The two frozen dataclasses are the contract between the processor and its back ends
(``python_backend`` and ``snap``): a back end reads them and never invents defaults of its own.
Fields only one back end uses are documented as such; the other back end ignores them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

RADIOMETRIES = ("sigma0", "beta0", "gamma0", "gamma0_rtc")
SCALES = ("linear", "db")
AMP_MODES = ("sigma0", "sen4cap")
GEOCODINGS = ("range-doppler", "gcp")
RESAMPLINGS = ("nearest", "bilinear", "bicubic")
DEM_HEIGHTS = ("declared", "ellipsoidal", "egm96", "egm2008")
SPECKLE_FILTERS = ("none", "Boxcar", "Median", "Frost", "Gamma Map", "Lee", "Refined Lee", "Lee Sigma", "IDAN")
MASTERS = ("NEWEST", "OLDEST", "S1A", "S1B", "S1C", "S1D")
PIXEL_SPACINGS = (10.0, 15.0, 20.0, 30.0)
POLARISATIONS = ("VV", "VH")


@dataclass(frozen=True)
class GeocodingOptions:
    """Output grid, DEM and terrain-correction settings common to backscatter and coherence."""

    polarisations: tuple[str, ...] = POLARISATIONS
    pixel_spacing: float = 20.0  # metres (degrees are derived for geographic CRSs: 20 m = 1.796630568239043e-4 deg)
    projection: str = "EPSG:3035"  # any pyproj-readable CRS (EPSG code, WKT, PROJ string)
    # Output extent (left, bottom, right, top) in ``projection``, edges on multiples of pixel_spacing.
    # None: the product's footprint snapped outwards to multiples of pixel_spacing.
    extent: tuple[float, float, float, float] | None = None
    dem: Path | None = None  # any GDAL raster; required for range-doppler geocoding
    dem_heights: str = "declared"  # one of DEM_HEIGHTS: how to read the DEM's vertical datum
    geoid_undulation: float | None = None  # metres, constant N added to orthometric heights when no geoid grid is available
    geocoding: str = "range-doppler"  # one of GEOCODINGS
    gcp_max_relief: float = 50.0  # metres: DEM height range above which ``gcp`` geocoding is refused
    dem_resampling: str = "bilinear"  # one of RESAMPLINGS
    img_resampling: str = "bilinear"  # one of RESAMPLINGS
    crop_nodata: bool = True  # crop all-no-data borders of the output
    orbit_dir: Path | None = None  # folder of *_AUX_POEORB_*.EOF; None = annotation orbit
    chunk_size: int = 1024  # python back end: output block size in pixels
    workers: int = 1  # python back end: threads inside one call
    gpt_cache: str = "256M"  # snap back end: gpt -c
    gpt_parallelism: int = 8  # snap back end: gpt -q
    step_timeout: float = 60.0  # snap back end: minutes per gpt call
    snap_version_min: int = 9  # snap back end: older SNAP versions are refused


@dataclass(frozen=True)
class BackscatterOptions(GeocodingOptions):
    """Backscatter (project BCK / Sen4CAP AMP) from a GRD or an SLC product.

    A back end writes float32 GeoTIFFs whose values are, in this order: the calibrated intensity of
    ``radiometry`` (thermal noise removed when ``thermal_noise``), then ``sqrt`` when
    ``amp_mode == "sen4cap"``, else ``10*log10`` when ``scale == "db"``.
    """

    radiometry: str = "sigma0"  # one of RADIOMETRIES; gamma0_rtc = terrain-flattened gamma0
    thermal_noise: bool = True  # remove thermal noise from the noise LUTs
    amp_mode: str = "sigma0"  # one of AMP_MODES; sen4cap writes sqrt(sigma0) (amplitude)
    scale: str = "linear"  # one of SCALES
    # (range, azimuth) looks; None = automatic: SLC 8 x 2 (Sen4CAP), GRD round(pixel_spacing / 10) per axis
    ml_looks: tuple[int, int] | None = None
    speckle_filter: str = "none"  # one of SPECKLE_FILTERS (SNAP Speckle-Filter names); python back end: none only
    speckle_filter_size: int = 5  # pixels, square window of the speckle filter

    @property
    def terrain_flattening(self) -> bool:
        """Radiometric terrain flattening (SNAP Terrain-Flattening; python: area projection, Small 2011)."""
        return self.radiometry == "gamma0_rtc"

    def looks(self, product_type: str) -> tuple[int, int]:
        """(range, azimuth) looks for a GRD or SLC product."""
        if self.ml_looks is not None:
            return self.ml_looks
        if product_type.upper() == "SLC":
            return (8, 2)
        n = max(1, round(self.pixel_spacing / 10.0))
        return (n, n)


@dataclass(frozen=True)
class CoherenceOptions(GeocodingOptions):
    """Interferometric coherence of an SLC pair (master, slave) on the same relative orbit."""

    coh_win_rg: int = 20  # samples, range size of the boxcar estimation window
    coh_win_az: int = 5  # samples (lines), azimuth size of the boxcar estimation window
    remove_geometric_phase: bool = True  # subtract flat-earth + topographic phase (off in Sen4CAP compat)
    subset_to_pair_overlap: bool = True  # limit the output to the envelope of the master/slave footprint intersection
    # python back end: "none" keeps the biased sample coherence (Sen4CAP); "table" maps it through the
    # inverse of E[|gamma_hat|](gamma, looks) for the window's number of looks.
    bias_correction: str = "none"
