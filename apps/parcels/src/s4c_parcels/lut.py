"""The crop look-up table (LUT): validation and the join on ``ori_crop``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from s4c_common.errors import InputError

REQUIRED = ("ori_crop", "ctnum", "lc", "ctnuml4a", "ctl4a", "ctnumdiv", "eaa", "al", "pgrass", "tgrass", "fallow", "cwater")
INTEGER_COLUMNS = ("ctnum", "lc", "ctnuml4a", "ctnumdiv")
FLAG_COLUMNS = ("eaa", "al", "pgrass", "tgrass", "fallow", "cwater")


def read_lut(path: Path) -> pd.DataFrame:
    """Read and validate a LUT CSV; ``ori_crop`` is kept as text until joined."""
    if not Path(path).exists():
        raise InputError(f"LUT file {path} does not exist.", "E_INPUT_NOT_FOUND")
    try:
        lut = pd.read_csv(path, dtype={"ori_crop": "string", "ctl4a": "string"}, keep_default_na=False, na_values=[""])
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise InputError(f"cannot read LUT file {path} as CSV: {exc}.", "E_INPUT_NOT_FOUND") from exc
    lut.columns = [str(c).strip().lower() for c in lut.columns]
    missing = [c for c in REQUIRED if c not in lut.columns]
    if missing:
        raise InputError(f"LUT {path} lacks the column(s) {', '.join(missing)}; see the LUT columns in the documentation.", "E_SCHEMA")
    if lut.empty:
        raise InputError(f"LUT {path} has no rows.", "E_SCHEMA")
    for col in (*INTEGER_COLUMNS, *FLAG_COLUMNS):
        values = pd.to_numeric(lut[col], errors="coerce")
        if values.isna().any() or (values != values.round()).any():
            raise InputError(f"LUT {path} column {col} must hold integers (row {int(values.isna().idxmax()) + 2}).", "E_SCHEMA")
        lut[col] = values.astype("int32")
    for col in FLAG_COLUMNS:
        if not lut[col].isin([0, 1]).all():
            raise InputError(f"LUT {path} column {col} must hold 0 or 1.", "E_SCHEMA")
    if not lut["lc"].between(0, 5).all():
        raise InputError(f"LUT {path} column lc must hold land-cover groups 0 to 5.", "E_SCHEMA")
    if lut["ori_crop"].isna().any():
        raise InputError(f"LUT {path} has an empty ori_crop.", "E_SCHEMA")
    for key in ("ori_crop", "ctnum"):
        dup = lut[key][lut[key].duplicated()]
        if not dup.empty:
            raise InputError(f"LUT {path} has duplicate {key} values ({', '.join(map(str, dup.unique()[:5]))}); each must be unique.", "E_SCHEMA")
    return lut


def coerce_keys(lut: pd.DataFrame, crop: pd.Series) -> pd.DataFrame:
    """Give the LUT's ``ori_crop`` the type of the declaration's crop codes (integer or text)."""
    lut = lut.copy()
    if pd.api.types.is_integer_dtype(crop):
        numeric = pd.to_numeric(lut["ori_crop"], errors="coerce")
        lut = lut[numeric.notna() & (numeric == numeric.round())]
        lut["ori_crop"] = numeric[lut.index].astype("Int64")
    else:
        lut["ori_crop"] = lut["ori_crop"].astype("string")
    return lut
