"""Helpers of the biophysical tests: small synthetic L2A SAFE products with a vegetated parcel, a crafted network, data paths."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import numpy as np
from s4c_biophysical.network import DefinitionDomain, Network, OutputRange
from s4c_common.s2.bands import L2A_BANDS
from s4c_sample.s2_safe import S2Acquisition, write_l2a_safe

AUXDATA_IN_SHARED = "data/snap-s2tbx-biophysical/s2tbx-biophysical/src/main/resources/auxdata"
SEN4CAP_NN_IN_SHARED = "data/sen4cap-l3b-nn/sen2agri-processors/VegetationStatus/ConfigFiles"
QVIDJA_IN_SHARED = "data/satellitetools-qvidja/tests/test_data"

SIZE = 60  # 10 m pixels: 600 m × 600 m
PARCEL = (slice(12, 48), slice(12, 36))  # rows, cols at 10 m (even bounds: whole 20 m pixels)
CLOUD = (slice(48, 60), slice(40, 60))

# A green crop canopy (a real Sentinel-2 L2A pixel of a grassland field, Qvidja, June 2023) and bare soil.
VEGETATION = {"B01": 0.03, "B02": 0.046, "B03": 0.076, "B04": 0.052, "B05": 0.123, "B06": 0.3345, "B07": 0.4013,
              "B08": 0.4385, "B8A": 0.4369, "B09": 0.44, "B11": 0.2032, "B12": 0.0971}  # fmt: skip
SOIL = {"B01": 0.08, "B02": 0.09, "B03": 0.11, "B04": 0.14, "B05": 0.16, "B06": 0.18, "B07": 0.19,
        "B08": 0.2, "B8A": 0.21, "B09": 0.2, "B11": 0.3, "B12": 0.26}  # fmt: skip

ACQ = S2Acquisition(
    tile_id="34VEM", epsg=32634, ulx=576000.0, uly=6686040.0, width=SIZE, height=SIZE,
    sensing_time=dt.datetime(2023, 6, 11, 9, 45, 49, tzinfo=dt.UTC), spacecraft="S2B", relative_orbit=79,
    sun_zenith=37.4, sun_azimuth=165.7, view_zenith=8.2, view_azimuth=108.4,
)  # fmt: skip


def scene_reflectance(size: int = SIZE) -> dict[str, np.ndarray]:
    """Soil with a vegetated parcel and a gentle gradient, so that no two 20 m pixels are equal."""
    ramp = np.linspace(0.0, 0.01, size, dtype=np.float32)[None, :] * np.ones((size, 1), np.float32)
    bands = {}
    for band in L2A_BANDS:
        values = np.full((size, size), SOIL[band], np.float32) + ramp
        values[PARCEL] = VEGETATION[band] + ramp[PARCEL]
        bands[band] = values
    return bands


def scene_scl(size: int = SIZE, cloud: bool = True) -> np.ndarray:
    scl = np.full((size, size), 5, np.uint8)  # not vegetated
    scl[PARCEL] = 4  # vegetation
    if cloud:
        scl[CLOUD] = 9  # cloud, high probability
    return scl


def write_scene(folder: Path, *, spacecraft: str = "S2B", drop: tuple[str, ...] = (), cloudy: bool = False, size: int = SIZE) -> Path:
    """A synthetic L2A SAFE; ``drop`` leaves bands out, ``cloudy`` makes every pixel cloud."""
    acquisition = dataclasses.replace(ACQ, spacecraft=spacecraft, width=size, height=size)
    bands = {band: values for band, values in scene_reflectance(size).items() if band not in drop}
    scl = np.full((size, size), 9, np.uint8) if cloudy else scene_scl(size)
    return write_l2a_safe(folder, acquisition, bands, scl)


LAI_RANGE = OutputRange(tolerance=0.2, minimum=0.0, maximum=8.0)


def identity_network(domain: DefinitionDomain | None = None, n_inputs: int = 1) -> Network:
    """y = 10·tanh(x0): the output is whatever atanh(y/10) asks for; other inputs have no weight."""
    weights = np.zeros((1, n_inputs))
    weights[0, 0] = 1.0
    return Network(
        label="crafted/LAI", variable="LAI", input_min=np.full(n_inputs, -1.0), input_max=np.full(n_inputs, 1.0),
        hidden_weights=weights, hidden_bias=np.zeros(1), output_weights=np.ones(1), output_bias=0.0,
        output_min=-10.0, output_max=10.0, output_range=LAI_RANGE, domain=domain,
    )  # fmt: skip
