"""Real Sentinel-2 L2A pixels (Qvidja grassland, June 2023): plausible values, Sen4CAP nets and satellitetools agree."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from bio_helpers import AUXDATA_IN_SHARED, QVIDJA_IN_SHARED, SEN4CAP_NN_IN_SHARED
from s4c_biophysical.evaluate import evaluate_networks
from s4c_biophysical.models import MODELS, load_networks

INDICATORS = ["LAI", "FAPAR", "FCOVER"]


def network_inputs(dataset: xr.Dataset, time: int, bands: tuple[str, ...]) -> np.ndarray:
    """(n_inputs, y, x): the reflectances of ``bands`` then the cosines of the date's scalar angles."""
    date = dataset.isel(time=time)
    reflectance = [date.band_data.sel(band=band.replace("B0", "B")).values for band in bands]
    angles = (float(date.view_zenith), float(date.sun_zenith), float(date.sun_azimuth - date.view_azimuth))
    return np.stack(reflectance + [np.full(reflectance[0].shape, np.cos(np.deg2rad(a))) for a in angles])


def run(dataset: xr.Dataset, model: str, folders: dict[str, Path], indicators: list[str] = INDICATORS) -> list[list[np.ndarray]]:
    """Per date, per indicator: the values, with the date's spacecraft networks."""
    results = []
    for time in range(dataset.sizes["time"]):
        sensor = str(dataset.productid.values[time])[:3]
        nets = load_networks(MODELS[model], indicators, sensor=sensor, auxdata=folders["auxdata"], sen4cap_nn_dir=folders["nn"])
        results.append([e.values for e in evaluate_networks(nets, network_inputs(dataset, time, MODELS[model].bands))])
    return results


@pytest.fixture(scope="module")
def folders(shared) -> dict[str, Path]:
    return {"auxdata": shared.path(AUXDATA_IN_SHARED), "nn": shared.path(SEN4CAP_NN_IN_SHARED), "qvidja": shared.path(QVIDJA_IN_SHARED)}


def dataset(folders: dict[str, Path], name: str) -> xr.Dataset:
    return xr.open_dataset(folders["qvidja"] / name, engine="scipy")


@pytest.mark.parametrize("source", ["aws", "gee"])
def test_plausible_lai_and_sen4cap_nets_agree(folders: dict[str, Path], source: str) -> None:
    data = dataset(folders, f"test_{source}_20m.nc")
    assert [str(p)[:3] for p in data.productid.values] == ["S2A", "S2B", "S2B"]
    snap = run(data, "snap-3.0-20m", folders)
    sen4cap = run(data, "sen4cap-allbands", folders)
    medians = [float(np.nanmedian(date[0])) for date in snap]
    assert all(2.35 <= m <= 2.65 for m in medians), medians  # spec §6: median LAI 2.41–2.61 on a June grassland
    for date in snap:
        assert 0.6 < np.nanmedian(date[1]) < 0.9 and 0.6 < np.nanmedian(date[2]) < 0.9
    limits = {"LAI": 0.3, "FAPAR": 0.03, "FCOVER": 0.05}  # acceptance criterion 3
    for ours, theirs in zip(snap, sen4cap, strict=True):
        for name, a, b in zip(INDICATORS, ours, theirs, strict=True):
            assert np.nanmax(np.abs(a - b)) <= limits[name], name


def test_aws_and_gee_agree(folders: dict[str, Path]) -> None:
    aws, gee = (run(dataset(folders, f"test_{s}_20m.nc"), "snap-3.0-20m", folders, ["LAI"]) for s in ("aws", "gee"))
    for a, g in zip(aws, gee, strict=True):
        assert abs(np.nanmedian(a[0]) - np.nanmedian(g[0])) <= 0.01


def test_10m_network_on_10m_pixels(folders: dict[str, Path]) -> None:
    snap = run(dataset(folders, "test_aws_10m.nc"), "snap-3.0-10m", folders)
    medians = [float(np.nanmedian(date[0])) for date in snap]
    assert all(2.5 <= m <= 4.0 for m in medians), medians


def test_satellitetools_is_a_second_implementation(folders: dict[str, Path]) -> None:
    """satellitetools.biophys (PyPI) runs the SNAP 2.1 networks; it omits Ymin in the denormalisation and sets
    out-of-box inputs and out-of-range outputs to NaN, so it is compared where it gives a value, to Ymin."""
    biophys = pytest.importorskip("satellitetools.biophys.biophys", reason="satellitetools (PyPI) is not installed")
    data = dataset(folders, "test_aws_20m.nc")
    variables = {"LAI": "LAI", "FAPAR": "FAPAR", "FCOVER": "FCOVER", "CCC": "LAI_Cab", "CWC": "LAI_Cw"}
    ours = run(data, "snap-2.1", folders, list(variables))
    nets = load_networks(MODELS["snap-2.1"], list(variables), sensor="S2A", auxdata=folders["auxdata"], sen4cap_nn_dir=None)
    for k, (name, variable) in enumerate(variables.items()):
        theirs = biophys.run_snap_biophys(data, variable)[variable.lower()].transpose("time", "y", "x").values
        mine = np.stack([date[k] for date in ours])
        both = np.isfinite(theirs)
        assert both.sum() > 100
        assert np.abs(mine[both] - theirs[both]).max() <= nets[k].output_min + 1e-6, name
