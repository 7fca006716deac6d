"""Synthetic control: exact cases, bad panels, and the California Proposition 99 study."""

import numpy as np
import pandas as pd
import pytest

from placelens.analysis import synthetic_control as sc
from placelens.analysis import synthetic_control_checks as checks

PROP99 = "synth_control_benchmarks/california_prop99_smoking_adh2010.csv"
ADH_PREDICTORS = [
    sc.Predictor("lnincome", tuple(range(1980, 1989))),
    sc.Predictor("retprice", tuple(range(1980, 1989))),
    sc.Predictor("age15to24", tuple(range(1980, 1989))),
    sc.Predictor("beer", tuple(range(1984, 1989))),
    sc.Predictor("cigsale", (1988,)), sc.Predictor("cigsale", (1980,)),
    sc.Predictor("cigsale", (1975,)),
]


def test_donor_weights_recover_an_exact_convex_combination():
    x0 = np.array([[1.0, 5.0, 9.0], [2.0, 0.0, 4.0]])  # predictors × donors
    x1 = x0 @ np.array([0.3, 0.7, 0.0])
    w = sc.donor_weights(x1, x0, np.array([0.5, 0.5]))
    assert w == pytest.approx([0.3, 0.7, 0.0], abs=1e-6)
    assert w.sum() == pytest.approx(1.0)


def _panel(effect=0.0):
    """Treated = 0.5 a + 0.5 b (or another exact mix) in every pre year; an effect is added
    from 2005."""
    years = list(range(2000, 2010))
    rows = []
    for name, level in (("a", 10.0), ("b", 20.0), ("c", 40.0), ("d", 5.0)):
        for year in years:
            rows.append({"unit": name, "year": year, "y": level + year - 2000,
                         "x": level})
    for year in years:
        rows.append({"unit": "t", "year": year,
                     "y": 15.0 + year - 2000 + (effect if year >= 2005 else 0.0), "x": 15.0})
    return pd.DataFrame(rows)


def test_a_known_effect_is_recovered():
    predictors = [sc.Predictor("x", tuple(range(2000, 2005))), sc.Predictor("y", (2004,))]
    result = sc.synthetic_control(_panel(effect=3.0), "unit", "year", "y", "t", 2005,
                                  predictors, starts=3)
    # several donor mixes reproduce the treated path exactly; any of them gives the effect
    assert result.weights.sum() == pytest.approx(1.0) and (result.weights >= 0).all()
    assert result.pre_rmspe == pytest.approx(0.0, abs=1e-3)
    assert result.average_gap() == pytest.approx(3.0, abs=1e-3)


def test_placebos_and_refits_get_the_treated_fits_optimiser_effort(monkeypatch):
    predictors = [sc.Predictor("x", tuple(range(2000, 2005))), sc.Predictor("y", (2004,))]
    result = sc.synthetic_control(_panel(effect=3.0), "unit", "year", "y", "t", 2005,
                                  predictors, starts=4, seed=7)
    assert (result.starts, result.seed) == (4, 7)
    efforts = []

    def recording(*args, **options):
        efforts.append((options["starts"], options.get("seed", 0)))
        return sc.synthetic_control(*args, **options)

    monkeypatch.setattr(checks, "synthetic_control", recording)
    checks.placebo_in_space(_panel(effect=3.0), "unit", "year", "y", result, predictors)
    assert efforts == [(4, 7)] * len(result.weights)  # one refit per donor, same effort
    efforts.clear()
    checks.robustness_table(_panel(effect=3.0), "unit", "year", "y", result, predictors,
                            fake_lead=2)
    assert efforts and {starts for starts, _ in efforts} == {4}


@pytest.mark.parametrize("change,message", [
    (lambda p: p[~((p.unit == "a") & (p.year == 2003))], "unbalanced"),
    (lambda p: p.assign(x=np.where(p.unit == "c", np.nan, p.x)), "no values for c"),
    (lambda p: p[p.unit != "t"], "treated unit 't' is not in the panel"),
    (lambda p: p[p.unit.isin(["t", "a"])], "at least 2 donors"),
])
def test_bad_panels_are_explained(change, message):
    predictors = [sc.Predictor("x", tuple(range(2000, 2005)))]
    with pytest.raises(ValueError, match=message):
        sc.synthetic_control(change(_panel()), "unit", "year", "y", "t", 2005, predictors)


def test_treatment_year_outside_the_panel():
    with pytest.raises(ValueError, match="treatment year 1990"):
        sc.synthetic_control(_panel(), "unit", "year", "y", "t", 1990,
                             [sc.Predictor("x", (2000,))])


@pytest.fixture(scope="module")
def prop99(datapack):
    panel = pd.read_csv(datapack / PROP99)
    result = sc.synthetic_control(panel, "state", "year", "cigsale", "California", 1989,
                                  ADH_PREDICTORS)
    return panel, result


def test_prop99_donor_weights_match_adh_2010(prop99):
    _, result = prop99
    published = {"Utah": 0.334, "Nevada": 0.234, "Montana": 0.199, "Colorado": 0.164,
                 "Connecticut": 0.069}
    for state, weight in published.items():
        assert result.weights[state] == pytest.approx(weight, abs=0.02)
    assert result.weights.drop(list(published)).max() < 0.02


def test_prop99_gaps_match_adh_2010(prop99):
    _, result = prop99
    assert result.gap[2000] == pytest.approx(-26, abs=2)     # "about 26 packs" by 2000
    assert result.average_gap(1989, 2000) == pytest.approx(-19, abs=1.5)
    assert result.actual[1970] == 123.0 and result.actual[2000] == 41.6


def test_prop99_placebo_p_value_is_one_in_39(prop99):
    panel, result = prop99
    table = checks.placebo_in_space(panel, "state", "year", "cigsale", result, ADH_PREDICTORS)
    assert len(table) == 39
    assert table.p_value == pytest.approx(1 / 39)


@pytest.mark.parametrize("file,unit,outcome,treated,year,extra", [
    ("basque_abadie_gardeazabal2003.csv", "regionname", "gdpcap",
     "Basque Country (Pais Vasco)", 1970, "invest"),
    ("germany_reunification_adh2015.csv", "country", "gdp", "West Germany", 1990, "trade"),
    ("texas_prison_cunningham_mixtape.csv", "statefip", "bmprison", 48, 1993, None),
])
def test_runs_on_the_other_benchmark_panels(datapack, file, unit, outcome, treated, year,
                                            extra):
    panel = pd.read_csv(datapack / "synth_control_benchmarks" / file)
    panel = panel[panel[unit] != "Spain (Espana)"] if "basque" in file else panel
    pre = sorted(y for y in panel["year"].unique() if y < year)
    predictors = [sc.Predictor(outcome, tuple(pre)), sc.Predictor(outcome, (pre[-1],)),
                  sc.Predictor(outcome, (pre[len(pre) // 2],))]
    if extra:
        years = tuple(y for y in pre if panel.loc[panel["year"] == y, extra].notna().all())
        predictors.append(sc.Predictor(extra, years))
    result = sc.synthetic_control(panel, unit, "year", outcome, treated, year, predictors,
                                  starts=3)
    assert result.weights.sum() == pytest.approx(1.0)
    level = result.actual[result.actual.index < year].abs().mean()
    assert result.pre_rmspe < 0.1 * level  # a close pre-treatment fit


def test_evidence_grade_rules(prop99):
    _, result = prop99
    assert checks.evidence_grade(result, 1 / 39)[0] == 3
    assert checks.evidence_grade(result, 0.4)[0] == 2
    assert checks.evidence_grade(result, None)[0] == 2


def test_cli_report_and_evidence_record(tmp_path):
    import json

    from typer.testing import CliRunner

    from placelens.cli import app

    panel = _panel(effect=3.0)
    panel.to_csv(tmp_path / "panel.csv", index=False)
    result = CliRunner().invoke(app, [
        "evaluate", "scm", "--treated", "t", "--outcome", "y", "--start", "2005",
        "--panel", str(tmp_path / "panel.csv"), "--predictor", "x:2000-2004",
        "--predictor", "y:2004", "--out", str(tmp_path / "out"), "--html-only",
        "--intervention", "Test programme"])
    assert result.exit_code == 0, result.output
    record = json.loads((tmp_path / "out" / "scm_t_2005.evidence.json").read_text())
    assert record["effect"] == pytest.approx(3.0, abs=1e-3)
    assert record["design"] == "synthetic control" and record["grade"] in (2, 3)
    spec = record["specification"]
    assert set(spec["predictor_weights_V"]) == {"x (2000–2004)", "y (2004)"}
    assert sum(spec["predictor_weights_V"].values()) == pytest.approx(1.0, abs=1e-3)
    assert spec["V_chosen"].endswith("years 2000–2004")
    assert sum(spec["donor_weights"].values()) == pytest.approx(1.0, abs=5e-3)
    assert spec["optimiser_starts"] == 10 and spec["donors"] == 4
    html = (tmp_path / "out" / "scm_t_2005.html").read_text(encoding="utf-8")
    assert "Test programme" in html and "<svg" in html


def test_robustness_checks_on_prop99(prop99):
    panel, result = prop99
    table = checks.robustness_table(panel, "state", "year", "cigsale", result, ADH_PREDICTORS)
    names = list(table["Check"])
    assert names[0] == "Main estimate" and any(c.startswith("In-time") for c in names)
    assert {"Leave out Utah", "Leave out Nevada"} <= set(names)
    in_time = table[table["Check"].str.startswith("In-time")]["Average gap"].astype(float)
    assert abs(in_time.iloc[0]) < 5  # no 'effect' before the real start


def test_cli_rejects_a_malformed_predictor(tmp_path):
    from typer.testing import CliRunner

    from placelens.cli import app

    _panel().to_csv(tmp_path / "panel.csv", index=False)
    result = CliRunner().invoke(app, [
        "evaluate", "scm", "--treated", "t", "--outcome", "y", "--start", "2005",
        "--panel", str(tmp_path / "panel.csv"), "--predictor", "x-2000",
        "--out", str(tmp_path / "out"), "--html-only"])
    assert result.exit_code == 2 and "VARIABLE:1980-1988" in result.output
    assert not (tmp_path / "out").exists()  # nothing written on bad input
