"""s4c-parcels on the generator's declarations flags exactly the errors the generator put in them."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
from click.testing import CliRunner
from s4c_parcels.cli import main as parcels_cli
from s4c_sample.cli import main as sample_cli


def test_parcel_checks_find_the_declaration_errors(tmp_path: Path) -> None:
    scene = tmp_path / "scene"
    result = CliRunner().invoke(sample_cli, ["--preset", "tiny", "--no-s1", "--s2-dates", "1", "--output", str(scene), "--quiet"])
    assert result.exit_code == 0, result.output
    declarations = scene / "declarations"
    out = tmp_path / "parcels"
    args = ["--declarations", declarations / "parcels.gpkg", "--lut", declarations / "lut.csv", "--tile-grid", declarations / "tile_grid.gpkg",
            "--year", "2021", "--output", out, "--quiet"]
    result = CliRunner().invoke(parcels_cli, [str(a) for a in args])
    assert result.exit_code == 0, result.output

    errors = {e["kind"]: e for e in json.loads((declarations / "declarations.json").read_text())["properties"]["s4c:declaration_errors"]}
    table = gpd.read_parquet(out / "decl_site_2021.parquet").set_index("ori_id")
    ids = {kind: (str(e["OBJECTID"]), str(e["of"])) for kind, e in errors.items()}
    assert set(table.index[table["Duplic"]]) == set(ids["duplicate"])
    assert set(table.index[table["Overlap"]]) == set(ids["overlap"]) | set(ids["duplicate"])  # copies overlap each other fully
    assert set(table.index[~table["GeomValid"]]) == {ids["bowtie"][0]}
    usable = set(pd.read_csv(out / "parcels.csv")["NewID"])
    flagged = table.loc[[*ids["duplicate"], *ids["overlap"], ids["bowtie"][0]], "NewID"]
    assert usable.isdisjoint(flagged) and len(usable) == len(table) - len(flagged)
