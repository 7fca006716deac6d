"""Evaluation panels built once for both estimators, and the DiD evidence grade."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from placelens.analysis import did
from placelens.errors import DataFormatError
from placelens.services import evaluation as ev


def test_warehouse_panel_is_balanced_and_sourced(observatory):
    panel = ev.warehouse_panel(observatory.indicators, "gva_per_hour_gbp")
    years = panel.frame.groupby("unit")["year"].nunique()
    assert years.nunique() == 1 and len(years) > 300   # every district, every year
    assert panel.source.startswith("placelens warehouse: ons_subregional_productivity")
    assert "GVA per hour" in panel.label
    with pytest.raises(ValueError, match="no district values"):
        ev.warehouse_panel(observatory.indicators, "population")  # ITL-only indicator


def test_csv_panel_names_the_bad_cell(tmp_path):
    path = tmp_path / "panel.csv"
    path.write_text("unit,year,y\na,2000,1.5\na,2001,two\n")
    with pytest.raises(DataFormatError, match=r"panel.csv, row 3, column 'y'"):
        ev.csv_panel(path, "unit", "year", "y")


def test_did_grade_follows_the_pre_trends():
    flat = pd.DataFrame({"estimate": [0.1, -0.05, 0.0, 1.0], "std_error": [0.1] * 4},
                        index=pd.Index([-3, -2, -1, 0], name="years_since_treatment"))
    assert did.evidence_grade(flat)[0] == 3
    trending = flat.assign(estimate=[0.5, 0.3, 0.0, 1.0])     # −3 is 5 SE from zero
    grade, reason = did.evidence_grade(trending)
    assert grade == 2 and "-3" in reason and "-2" in reason
    no_pre = flat.loc[[-1, 0]]
    assert did.evidence_grade(no_pre)[0] == 2


def test_did_command_records_codes_and_a_derived_grade(tmp_path, warehouse_path):
    from placelens.cli import app

    result = CliRunner().invoke(app, [
        "evaluate", "did", "--outcome", "gva_per_hour_gbp", "--treated", "Cornwall:2010",
        "--treated", "Leeds:2014", "--out", str(tmp_path), "--warehouse", str(warehouse_path)])
    assert result.exit_code == 0, result.output
    record = json.loads((tmp_path / "did.evidence.json").read_text())
    assert record["place"] == "E06000052, E08000035"          # codes are keys ...
    assert record["place_name"] == "Cornwall, Leeds"          # ... names are labels
    event = pd.read_csv(tmp_path / "did_event_study.csv", index_col=0)
    assert record["grade"] == did.evidence_grade(event)[0]
    result = CliRunner().invoke(app, [
        "evaluate", "did", "--outcome", "gva_per_hour_gbp", "--treated", "Leeds:2014",
        "--control", "nevre", "--warehouse", str(warehouse_path)], env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert "'nevre' is not one of 'never', 'notyet'" in " ".join(result.output.split())
    assert np.isfinite(record["effect"])
