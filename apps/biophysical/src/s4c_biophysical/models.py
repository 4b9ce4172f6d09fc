"""Which networks a run uses: model, spacecraft-specific coefficients, indicators.

| model | networks | reflectance inputs (then cos VZA, cos SZA, cos RAA) |
|---|---|---|
| ``snap-3.0-20m`` (default) | ``3_0/<S2A|S2B>/<VAR>`` | B03 B04 B05 B06 B07 B8A B11 B12 |
| ``snap-3.0-10m`` | ``3_0/<S2A|S2B>_10m/<VAR>`` (LAI, FAPAR, FCOVER) | B03 B04 B08 |
| ``snap-2.1`` | ``2_1/<VAR>`` | B03 B04 B05 B06 B07 B8A B11 B12 |
| ``sen4cap-allbands`` | Sen4CAP ``Algo_S2_V2.0_SL2T_allbands_<VAR>.txt`` (LAI, FAPAR, FCOVER) | B03 B04 B08 B05 B06 B07 B8A B11 B12 |

Indicators map to SNAP variables: LAI, FAPAR, FCOVER, CCC = LAI_Cab, CWC = LAI_Cw. Sentinel-2C and -2D
have no published network: ``sensor_model = auto`` uses the S2A one for them with ``W_MODEL_SUBSTITUTED``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from s4c_common.errors import InputError, Warnings

from .network import Network, part_path, read_snap_network
from .sen4cap_net import read_sen4cap_network

ANGLE_INPUTS = ("cos_view_zenith", "cos_sun_zenith", "cos_relative_azimuth")
BANDS_20M = ("B03", "B04", "B05", "B06", "B07", "B8A", "B11", "B12")
BANDS_10M = ("B03", "B04", "B08")
BANDS_SEN4CAP_ALLBANDS = ("B03", "B04", "B08", "B05", "B06", "B07", "B8A", "B11", "B12")

INDICATOR_VARIABLES: dict[str, str] = {"LAI": "LAI", "FAPAR": "FAPAR", "FCOVER": "FCOVER", "CCC": "LAI_Cab", "CWC": "LAI_Cw"}
INDICATORS: tuple[str, ...] = tuple(INDICATOR_VARIABLES)
SENSOR_MODELS: tuple[str, ...] = ("auto", "S2A", "S2B")


@dataclass(frozen=True)
class Model:
    name: str
    bands: tuple[str, ...]  # reflectance inputs in network order; the three angle cosines follow
    indicators: tuple[str, ...]
    folder: str  # below the auxdata root; {sensor} is S2A or S2B

    @property
    def n_inputs(self) -> int:
        return len(self.bands) + len(ANGLE_INPUTS)


MODELS: dict[str, Model] = {
    "snap-3.0-20m": Model("snap-3.0-20m", BANDS_20M, INDICATORS, "3_0/{sensor}"),
    "snap-3.0-10m": Model("snap-3.0-10m", BANDS_10M, ("LAI", "FAPAR", "FCOVER"), "3_0/{sensor}_10m"),
    "snap-2.1": Model("snap-2.1", BANDS_20M, INDICATORS, "2_1"),
    "sen4cap-allbands": Model("sen4cap-allbands", BANDS_SEN4CAP_ALLBANDS, ("LAI", "FAPAR", "FCOVER"), ""),
}
SEN4CAP_NET_FILE = "Algo_S2_V2.0_SL2T_allbands_{variable}.txt"


def model_named(name: str) -> Model:
    try:
        return MODELS[name]
    except KeyError:
        raise InputError(f"unknown model {name!r}; choose one of {', '.join(MODELS)}.", "E_PARAM") from None


def check_indicators(model: Model, indicators: Sequence[str]) -> tuple[str, ...]:
    """The indicators, upper-cased and deduplicated in order; E_PARAM for one the model lacks."""
    chosen = tuple(dict.fromkeys(i.upper() for i in indicators))
    if not chosen:
        raise InputError("no indicator requested; give --indicator LAI (or FAPAR, FCOVER, CCC, CWC).", "E_PARAM")
    unknown = [i for i in chosen if i not in INDICATOR_VARIABLES]
    if unknown:
        raise InputError(f"unknown indicator {unknown[0]}; choose among {', '.join(INDICATORS)}.", "E_PARAM")
    missing = [i for i in chosen if i not in model.indicators]
    if missing:
        raise InputError(f"model {model.name} has no network for {', '.join(missing)}; it offers {', '.join(model.indicators)}.", "E_PARAM")
    return chosen


def sensor_for(spacecraft: str, sensor_model: str, warnings: Warnings) -> str:
    """``S2A`` or ``S2B``: the requested one, or the product's spacecraft (S2C/S2D → S2A with a warning)."""
    if sensor_model not in SENSOR_MODELS:
        raise InputError(f"sensor model {sensor_model!r} is not one of {', '.join(SENSOR_MODELS)}.", "E_PARAM")
    if sensor_model != "auto":
        return sensor_model
    unit = spacecraft.strip()[-1:].upper()
    if unit in ("A", "B"):
        return f"S2{unit}"
    warnings.warn(
        "W_MODEL_SUBSTITUTED",
        f"no biophysical network is published for {spacecraft}; the Sentinel-2A network is used (choose another with --sensor-model).",
    )
    return "S2A"


def load_networks(
    model: Model,
    indicators: Sequence[str],
    *,
    sensor: str,
    auxdata: Path | None,
    sen4cap_nn_dir: Path | None,
) -> list[Network]:
    """The networks of ``indicators`` (in that order) for ``model`` and ``sensor``, input counts checked."""
    networks = []
    for indicator in indicators:
        variable = INDICATOR_VARIABLES[indicator]
        if model.name == "sen4cap-allbands":
            if sen4cap_nn_dir is None:
                raise InputError("model sen4cap-allbands needs --sen4cap-nn-dir (Sen4CAP's VegetationStatus/ConfigFiles folder).", "E_PARAM")
            net = read_sen4cap_network(Path(sen4cap_nn_dir) / SEN4CAP_NET_FILE.format(variable=variable), variable, model.n_inputs)
        else:
            if auxdata is None:
                raise InputError(f"model {model.name} needs the SNAP auxdata folder (--auxdata).", "E_INPUT_NOT_FOUND")
            folder = model.folder.format(sensor=sensor)
            directory = auxdata / folder / variable
            net = read_snap_network(directory, variable, f"{folder}/{variable}")
            if net.n_inputs != model.n_inputs:
                raise InputError(
                    f"network file {part_path(directory, variable, 'Normalisation')} describes {net.n_inputs} inputs, "
                    f"but model {model.name} feeds {model.n_inputs}; the auxdata folder is not the upstream layout.",
                    "E_SCHEMA",
                )
        networks.append(net)
    return networks
