"""Difference-in-differences on simulated panels with known effects."""

import numpy as np
import pandas as pd
import pytest

from placelens.analysis import did


def _panel(cohorts, effect, seed=0, units_per=30, years=range(2000, 2012), noise=0.5):
    """Units in cohorts (first treated year, or None); effect(years since treatment)."""
    rng = np.random.default_rng(seed)
    rows = []
    for number, first in enumerate(cohorts):
        for k in range(units_per):
            alpha = rng.normal(0, 2)
            for year in years:
                treated = first is not None and year >= first
                value = alpha + 0.3 * (year - 2000) + rng.normal(0, noise)
                if treated:
                    value += effect(year - first)
                rows.append({"unit": f"c{number}u{k}", "year": year, "y": value,
                             "d": int(treated), "first": np.nan if first is None else first})
    return pd.DataFrame(rows)


def test_twfe_recovers_a_constant_effect_with_a_valid_interval():
    panel = _panel([2006, None], lambda e: 2.0)
    estimate = did.twfe(panel, "unit", "year", "y", "d")
    assert estimate.estimate == pytest.approx(2.0, abs=0.15)
    low, high = estimate.interval
    assert low < 2.0 < high and estimate.std_error > 0


def test_event_study_is_flat_before_and_follows_the_effect_after():
    panel = _panel([2006, None], lambda e: 1.0 + e)
    table = did.event_study(panel, "unit", "year", "y", "first", leads=3, lags=3)
    assert table.loc[-3:-2, "estimate"].abs().max() < 0.3  # no pre-trends
    assert table.loc[0, "estimate"] == pytest.approx(1.0, abs=0.3)
    assert table.loc[2, "estimate"] == pytest.approx(3.0, abs=0.3)


def test_staggered_heterogeneous_effects_bias_twfe_but_not_callaway_santanna():
    # Effects grow with exposure (1 per year since treatment), adoption staggered.
    panel = _panel([2003, 2006, 2009, None], lambda e: 1.0 + e, units_per=25)
    cells = did.group_time_att(panel, "unit", "year", "y", "first")
    post = cells[cells["year"] >= cells["cohort"]]
    truth = np.average(1.0 + post["year"] - post["cohort"], weights=post["size"])
    found = did.callaway_santanna(panel, "unit", "year", "y", "first", draws=50)
    estimate, dynamic = found.overall, found.event_study
    assert estimate.estimate == pytest.approx(truth, abs=0.25)
    assert dynamic.loc[0, "estimate"] == pytest.approx(1.0, abs=0.3)
    assert dynamic.loc[4, "estimate"] == pytest.approx(5.0, abs=0.4)
    biased = did.twfe(panel, "unit", "year", "y", "d")
    assert abs(biased.estimate - truth) > 1.0  # already-treated units contaminate TWFE


def test_missing_columns_and_duplicates_are_errors():
    panel = _panel([2006, None], lambda e: 1.0)
    with pytest.raises(ValueError, match="no column"):
        did.twfe(panel, "unit", "year", "y", "treated")
    with pytest.raises(ValueError, match="more than one row"):
        did.twfe(pd.concat([panel, panel.iloc[:1]]), "unit", "year", "y", "d")


def test_cli_did_on_a_csv_panel(tmp_path):
    import json

    from typer.testing import CliRunner

    from placelens.cli import app

    panel = _panel([2004, 2007, None], lambda e: 2.0, units_per=15)
    panel.rename(columns={"first": "first_treated"}).to_csv(tmp_path / "p.csv", index=False)
    result = CliRunner().invoke(app, ["evaluate", "did", "--outcome", "y", "--panel",
                                      str(tmp_path / "p.csv"), "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    assert "Callaway" in result.output
    record = json.loads((tmp_path / "o" / "did.evidence.json").read_text())
    assert record["effect"] == pytest.approx(2.0, abs=0.3) and record["grade"] == 3
    assert record["specification"]["controls"] == "never-treated units"
    assert "200 draws, seed 0" in record["specification"]["standard_errors"]


def _tiny():
    """Three units, years 1–4: a treated in 3, b treated in 4, c never; y by hand."""
    values = {"a": [0.0, 1.0, 5.0, 6.0], "b": [0.0, 2.0, 2.0, 9.0], "c": [0.0, 0.0, 1.0, 1.0]}
    first = {"a": 3, "b": 4, "c": np.nan}
    return pd.DataFrame([{"unit": u, "year": t + 1, "y": v, "first": first[u]}
                         for u, series in values.items() for t, v in enumerate(series)])


def test_not_yet_treated_controls_never_include_the_cohort_itself():
    cells = did.group_time_att(_tiny(), "unit", "year", "y", "first", control="notyet")
    cells = cells.set_index(["cohort", "year"])["att"]
    # cohort b (first treated 4, base 3), year 1: controls not yet treated by max(1, 3) = 3
    # are c only (b itself is excluded; a is treated by 3). Change 1→3: b 0 - 2 = -2;
    # c 0 - 1 = -1 → ATT = -1. Counting b among its own controls would give
    # -2 - mean(-2, -1) = -0.5.
    assert cells[(4, 1)] == pytest.approx(-1.0)
    # cohort a (base 2), year 4: controls not yet treated by 4 are c only (b is treated in
    # 4): a 6 - 1 = 5; c 1 - 0 = 1 → 4
    assert cells[(3, 4)] == pytest.approx(4.0)


def test_misspelt_control_is_refused():
    with pytest.raises(ValueError, match="control must be one of 'never', 'notyet', not 'nevre'"):
        did.group_time_att(_tiny(), "unit", "year", "y", "first", control="nevre")
    with pytest.raises(ValueError, match="not 'nevre'"):
        did.callaway_santanna(_tiny(), "unit", "year", "y", "first", control="nevre", draws=2)


def _staggered_for_peer():
    rng = np.random.default_rng(0)
    rows = []
    for u in range(120):
        g = [2004, 2006, 0][u % 3]
        alpha = rng.normal(0, 1)
        for t in range(2000, 2010):
            effect = 1.0 + 0.3 * (t - g) if g and t >= g else 0.0
            rows.append({"id": u, "year": t, "g": g,
                         "y": alpha + 0.2 * (t - 2000) + rng.normal(0, 0.5) + effect})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("control,peer_control", [("never", "nevertreated"),
                                                  ("notyet", "notyettreated")])
def test_group_time_atts_equal_csdid(control, peer_control):
    import warnings

    from csdid.att_gt import ATTgt

    panel = _staggered_for_peer()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        peer = ATTgt(yname="y", tname="year", idname="id", gname="g", data=panel,
                     control_group=[peer_control]).fit(est_method="reg",
                                                       base_period="universal", bstrap=False)
    theirs = pd.DataFrame({k: peer.results[k] for k in ("group", "year", "att")})
    theirs = theirs[theirs["year"] != theirs["group"] - 1]      # the base cell, 0 by definition
    ours = did.group_time_att(panel.assign(first=panel["g"].replace(0, np.nan)), "id", "year",
                              "y", "first", control=control)
    both = theirs.merge(ours, left_on=["group", "year"], right_on=["cohort", "year"])
    assert len(both) == len(theirs) == len(ours) == 18          # pre-trends included
    assert both["att_x"].to_numpy() == pytest.approx(both["att_y"].to_numpy(), abs=1e-10)
    if control == "never":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            overall = peer.aggte(typec="simple").atte["overall_att"]
            dynamic = peer.aggte(typec="dynamic").atte
        found = did.callaway_santanna(panel.assign(first=panel["g"].replace(0, np.nan)), "id",
                                      "year", "y", "first", control=control, draws=2)
        assert found.overall.estimate == pytest.approx(overall, abs=1e-10)
        # the event study (universal base, −1 omitted) equals csdid's dynamic aggregation
        theirs = pd.Series(dynamic["att_egt"], index=dynamic["egt"]).drop(-1)
        assert list(found.event_study.index) == list(theirs.index)
        assert found.event_study["estimate"].to_numpy() == pytest.approx(theirs.to_numpy(),
                                                                         abs=1e-10)


@pytest.mark.parametrize("small_sample,fixef_k", [("full", "full"),
                                                  ("nonnested", "nonnested")])
def test_twfe_estimate_and_clustered_se_equal_pyfixest(small_sample, fixef_k):
    import warnings

    import pyfixest as pf

    panel = _panel([2006, None, 2008], lambda e: 2.0, units_per=15, noise=0.7)
    ours = did.twfe(panel, "unit", "year", "y", "d", small_sample=small_sample)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = pf.feols("y ~ d | unit + year", data=panel, vcov={"CRV1": "unit"},
                       ssc=pf.ssc(fixef_k=fixef_k))
    assert ours.estimate == pytest.approx(fit.coef()["d"], abs=1e-10)
    assert ours.std_error == pytest.approx(fit.se()["d"], rel=1e-9)
    with pytest.raises(ValueError, match="small_sample must be one of"):
        did.twfe(panel, "unit", "year", "y", "d", small_sample="fixest")
