"""Evaluation panels built once for both estimators, and the DiD evidence grade."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from placelens.analysis import staggered_did as sd
from placelens.analysis.did import Estimate
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


def _graded(table: pd.DataFrame, overall: float = 1.0, se: float = 0.1):
    return sd.evidence_grade(sd.StaggeredEstimate(Estimate(overall, se, "CS"), table))


def test_did_grade_follows_the_pre_trends():
    flat = pd.DataFrame({"estimate": [0.1, -0.05, 1.0], "std_error": [0.1] * 3},
                        index=pd.Index([-3, -2, 0], name="years_since_treatment"))
    assert _graded(flat)[0] == 3
    trending = flat.assign(estimate=[0.5, 0.3, 1.0])     # −3 is 5 SE from zero, −2 is 3
    grade, reason = _graded(trending)
    assert grade == 2 and "-3" in reason and "-2" in reason
    assert _graded(flat.loc[[0]])[0] == 2                  # nothing before to test
    assert _graded(flat.assign(std_error=[0.1, np.nan, 0.1]))[0] is None
    assert _graded(flat, overall=np.inf)[0] is None


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
    assert record["grade"] == _graded(event, record["effect"])[0]
    result = CliRunner().invoke(app, [
        "evaluate", "did", "--outcome", "gva_per_hour_gbp", "--treated", "Leeds:2014",
        "--control", "nevre", "--warehouse", str(warehouse_path)], env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert "'nevre' is not one of 'never', 'notyet'" in " ".join(result.output.split())
    assert np.isfinite(record["effect"])


def _small_panel(path, units=("A/B", "C", "D"), years=range(2000, 2010), treated_jump=5.0):
    """A treated unit (named with a slash) and donors, the treated unit jumping from 2006."""
    rng = np.random.default_rng(1)
    rows = []
    for number, name in enumerate(units):
        for year in years:
            value = 10 + number + 0.5 * (year - 2000) + rng.normal(0, 0.1)
            if number == 0 and year >= 2006:
                value += treated_jump
            rows.append(f"{name},{year},{value:.4f}\n")
    path.write_text("unit,year,y\n" + "".join(rows))
    return path


def test_two_donors_work_with_leave_one_out_skipped_and_a_slash_stays_in_the_folder(tmp_path):
    from placelens.cli import app

    panel = _small_panel(tmp_path / "panel.csv")
    out = tmp_path / "reports"
    result = CliRunner().invoke(app, ["evaluate", "scm", "--panel", str(panel), "--treated",
                                      "A/B", "--outcome", "y", "--start", "2006", "--out",
                                      str(out), "--html-only"])
    assert result.exit_code == 0, result.output
    written = list(out.iterdir())
    assert {p.parent for p in written} == {out}                 # nothing outside --out
    page = next(p for p in written if p.suffix == ".html").read_text(encoding="utf-8")
    assert "not run: needs at least 3 donors (2 given)" in page
    assert "weight in V" in page                                # V shown beside the balance


def test_a_concentrated_v_is_pointed_out():
    from types import SimpleNamespace

    from placelens.report.evaluation import _v_note

    corner = SimpleNamespace(predictor_weights=pd.Series(
        {"gdpcap (1960–1969)": 0.996, "invest (1964–1969)": 0.002, "school (1964–1969)": 0.002}))
    assert _v_note(corner).startswith("V is concentrated: gdpcap (1960–1969) 100% of the "
                                      "predictor weight")
    pair = SimpleNamespace(predictor_weights=pd.Series({"a": 0.5, "b": 0.4, "c": 0.1}))
    assert _v_note(pair).startswith("V is concentrated: a 50% and b 40%")
    spread = SimpleNamespace(predictor_weights=pd.Series({"a": 0.4, "b": 0.3, "c": 0.3}))
    assert _v_note(spread) == ""


@pytest.mark.parametrize("args, message", [
    (["--start", "2000"], "--start 2000 leaves 0 pre-treatment year(s); the panel runs "
                          "2000–2009"),
    (["--start", "2006", "--predictor", "y:2004-2007"],
     "predictor y (2004–2007) uses years from 2006 on"),
])
def test_scm_choices_that_cannot_be_right_are_refused(tmp_path, args, message):
    from placelens.cli import app

    panel = _small_panel(tmp_path / "panel.csv", units=("A", "C", "D", "E"))
    result = CliRunner().invoke(app, ["evaluate", "scm", "--panel", str(panel), "--treated",
                                      "A", "--outcome", "y", *args, "--out",
                                      str(tmp_path / "reports"), "--html-only"])
    assert result.exit_code == 2 and message in " ".join(result.output.split())


def test_an_infinite_outcome_is_refused_naming_unit_and_year():
    from placelens.analysis import synthetic_control as sc

    frame = pd.DataFrame({"unit": np.repeat(["A", "B", "C"], 4), "year": [1, 2, 3, 4] * 3,
                          "y": [1.0, 2.0, 3.0, 4.0, 1.0, np.inf, 3.0, 4.0, 1.0, 2.0, 3.0, 4.0]})
    with pytest.raises(ValueError, match="outcome 'y' is inf for B in 2"):
        sc.synthetic_control(frame, "unit", "year", "y", "A", 3,
                             [sc.Predictor("y", (1, 2))])
