"""The external DEM of the SNAP graphs, from the processing options.

SNAP adds the EGM96 geoid to an external DEM when ``externalDEMApplyEGM`` is true (heights above the geoid) and
uses the heights as they are otherwise (ellipsoidal heights). SNAP knows no other geoid: EGM2008 heights are read
as EGM96 heights, which differ by well under a metre over most land (a few metres in rugged areas); a warning
says so. The DEM's no-data value is the one declared in the file (0 when it declares none, SNAP's default).
"""

from __future__ import annotations

import logging

import rasterio
from pyproj import CRS
from rasterio.errors import RasterioIOError
from s4c_common.errors import InputError

from ..options import GeocodingOptions
from .graphs import RESAMPLING_NAMES, ExternalDem

log = logging.getLogger("s4c")

EGM96_HEIGHT = 5773
EGM2008_HEIGHT = 3855


def _declared_heights(crs: CRS | None) -> str | None:
    """egm96, egm2008 or ellipsoidal from the DEM's CRS; None when it states no vertical reference."""
    if crs is None:
        return None
    if crs.is_compound:
        vertical = crs.sub_crs_list[-1]
        code = vertical.to_epsg()
        if code == EGM96_HEIGHT or "EGM96" in vertical.name:
            return "egm96"
        if code == EGM2008_HEIGHT or "EGM2008" in vertical.name:
            return "egm2008"
        return None
    if crs.is_geographic and len(crs.axis_info) == 3:
        return "ellipsoidal"
    return None


def external_dem(options: GeocodingOptions) -> ExternalDem:
    """The DEM settings of every DEM-using node; InputError when there is no DEM or its vertical datum is unknown."""
    if options.dem is None:
        raise InputError("the snap back end needs a DEM (--dem FILE): SNAP cannot download one inside the container.", "E_PARAM")
    try:
        with rasterio.open(options.dem) as dataset:
            crs = CRS.from_wkt(dataset.crs.to_wkt()) if dataset.crs else None
            no_data = dataset.nodata
    except RasterioIOError as exc:
        raise InputError(f"cannot read the DEM {options.dem}: {exc}.", "E_INPUT_NOT_FOUND") from exc
    heights = options.dem_heights if options.dem_heights != "declared" else _declared_heights(crs)
    if heights is None:
        message = f"the DEM {options.dem} declares no vertical datum; give --dem-heights ellipsoidal, egm96 or egm2008."
        raise InputError(message, "E_BAD_CRS")
    if heights == "egm2008":
        log.warning("SNAP knows only the EGM96 geoid: the EGM2008 heights of %s are used as EGM96 heights", options.dem)
    return ExternalDem(
        file=options.dem.resolve(),
        no_data=float(no_data) if no_data is not None else 0.0,
        apply_egm=heights != "ellipsoidal",
        resampling=RESAMPLING_NAMES[options.dem_resampling],
    )
