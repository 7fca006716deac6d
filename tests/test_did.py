"""Difference-in-differences on simulated panels with known effects."""

import numpy as np
import pandas as pd
import pytest

from placelens.analysis import did
from placelens.analysis import staggered_did as sd


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
    cells = sd.group_time_effects(panel, "unit", "year", "y", "first").cells
    post = cells[cells["year"] >= cells["cohort"]]
    truth = np.average(1.0 + post["year"] - post["cohort"], weights=post["size"])
    found = sd.callaway_santanna(panel, "unit", "year", "y", "first", draws=50)
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
    spec = record["specification"]
    assert "multiplier bootstrap" in spec["standard_errors"] and "1000 draws, seed 0" in \
        spec["standard_errors"]
    assert spec["base_period"] == "universal" and "simultaneous" in spec["event_study_band"]
    assert spec["twfe"]["estimate"] == pytest.approx(2.0, abs=0.3)
    assert "small-sample correction 'full'" in spec["twfe"]["standard_errors"]
    assert spec["grade_rule"].startswith("Maryland Scientific Methods Scale")
    cells = pd.read_csv(tmp_path / "o" / "did_group_time.csv")
    assert list(cells.columns) == ["cohort", "year", "base_year", "size", "att", "std_error",
                                   "band_low", "band_high"]
    assert "over every ATT(g,t)" in spec["group_time_band"]
    study = pd.read_csv(tmp_path / "o" / "did_event_study.csv", index_col=0)
    assert list(study.columns) == ["estimate", "std_error", "band_low", "band_high"]
    assert (study["band_high"] - study["band_low"] > 2 * 1.96 * study["std_error"]).all()


def _tiny():
    """Three units, years 1–4: a treated in 3, b treated in 4, c never; y by hand."""
    values = {"a": [0.0, 1.0, 5.0, 6.0], "b": [0.0, 2.0, 2.0, 9.0], "c": [0.0, 0.0, 1.0, 1.0]}
    first = {"a": 3, "b": 4, "c": np.nan}
    return pd.DataFrame([{"unit": u, "year": t + 1, "y": v, "first": first[u]}
                         for u, series in values.items() for t, v in enumerate(series)])


def test_not_yet_treated_controls_never_include_the_cohort_itself():
    cells = sd.group_time_effects(_tiny(), "unit", "year", "y", "first", control="notyet").cells
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
        sd.group_time_effects(_tiny(), "unit", "year", "y", "first", control="nevre")
    with pytest.raises(ValueError, match="not 'nevre'"):
        sd.callaway_santanna(_tiny(), "unit", "year", "y", "first", control="nevre", draws=2)
    with pytest.raises(ValueError, match="base must be one of 'universal', 'varying'"):
        sd.group_time_effects(_tiny(), "unit", "year", "y", "first", base="short")


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


def _csdid(panel, peer_control, base, **options):
    import warnings

    from csdid.att_gt import ATTgt

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ATTgt(yname="y", tname="year", idname="id", gname="g", data=panel,
                     control_group=[peer_control], **options).fit(
            est_method="reg", base_period=base, bstrap=options.get("cband", False))


@pytest.mark.parametrize("base", ["universal", "varying"])
@pytest.mark.parametrize("control,peer_control", [("never", "nevertreated"),
                                                  ("notyet", "notyettreated")])
def test_group_time_atts_and_aggregates_equal_csdid(control, peer_control, base):
    import warnings

    panel = _staggered_for_peer()
    peer = _csdid(panel, peer_control, base)
    theirs = pd.DataFrame({k: peer.results[k] for k in ("group", "year", "att", "se")})
    theirs = theirs[theirs["se"].notna()]          # the universal base cell: 0 by definition
    ours = sd.group_time_effects(panel.assign(first=panel["g"].replace(0, np.nan)), "id",
                                 "year", "y", "first", control=control, base=base).cells
    both = theirs.merge(ours, left_on=["group", "year"], right_on=["cohort", "year"])
    assert len(both) == len(theirs) == len(ours) == 18          # pre-trends included
    assert both["att_x"].to_numpy() == pytest.approx(both["att_y"].to_numpy(), abs=1e-10)
    assert both["se"].to_numpy() == pytest.approx(both["std_error"].to_numpy(), abs=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        simple = peer.aggte(typec="simple").atte
        dynamic = peer.aggte(typec="dynamic").atte
    found = sd.callaway_santanna(panel.assign(first=panel["g"].replace(0, np.nan)), "id",
                                 "year", "y", "first", control=control, base=base, draws=0)
    # overall ATT and its analytic SE, which counts the estimated cohort shares
    assert found.overall.estimate == pytest.approx(simple["overall_att"], abs=1e-10)
    assert found.overall.std_error == pytest.approx(simple["overall_se"], abs=1e-12)
    theirs = pd.DataFrame({"att": dynamic["att_egt"], "se": dynamic["se_egt"]},
                          index=dynamic["egt"]).dropna()
    assert list(found.event_study.index) == list(theirs.index)
    assert found.event_study["estimate"].to_numpy() == pytest.approx(theirs["att"], abs=1e-10)
    assert found.event_study["std_error"].to_numpy() == pytest.approx(theirs["se"], abs=1e-12)


def test_multiplier_bootstrap_equals_csdid_given_the_same_draws():
    panel = _staggered_for_peer()
    np.random.seed(7)                      # csdid draws its multipliers from numpy's global RNG
    peer = _csdid(panel, "notyettreated", "varying", biters=999, cband=True)
    np.random.seed(7)
    signs = 1.0 - 2.0 * np.random.randint(0, 2, size=(999, 120))
    effects = sd.group_time_effects(panel.assign(first=panel["g"].replace(0, np.nan)), "id",
                                    "year", "y", "first", control="notyet", base="varying")
    errors, critical = sd.multiplier_bootstrap(effects.influence, signs)
    assert errors == pytest.approx(np.asarray(peer.results["se"]), abs=1e-12)
    assert critical == pytest.approx(float(np.ravel(peer.results["c"])[0]), abs=1e-12)


def test_influence_function_standard_error_by_hand():
    # a1, a2 first treated in 3; c1, c2 never. Cell (3, 3) against base 2: changes a 4, 2;
    # c 1, -1 → ATT 3 − 0 = 3; influences n/n_g (ΔY − 3) = 2, −2 and −n/n_c (ΔY − 0) = −2, 2;
    # SE = sqrt(16) / 4 = 1 (the two-sample SE with population variances 1/2 + 1/2).
    # Cell (3, 1): changes −1, −1; 0, −2 → ATT 0; influences 0, 0, −2, 2 → SE sqrt(8) / 4.
    values = {"a1": [0, 1, 5], "a2": [0, 1, 3], "c1": [0, 0, 1], "c2": [0, 2, 1]}
    panel = pd.DataFrame([{"unit": u, "year": t + 1, "y": float(v),
                           "first": 3.0 if u[0] == "a" else np.nan}
                          for u, series in values.items() for t, v in enumerate(series)])
    effects = sd.group_time_effects(panel, "unit", "year", "y", "first")
    cells = effects.cells.set_index("year")
    assert cells.loc[3, "att"] == 3.0 and cells.loc[3, "std_error"] == pytest.approx(1.0)
    assert effects.influence[:, 1] == pytest.approx([2, -2, -2, 2])
    assert cells.loc[1, "att"] == 0.0 and cells.loc[1, "std_error"] == pytest.approx(8 ** 0.5 / 4)
    # one cohort: its share is estimated, but the weight is 1 whatever it is, so the overall
    # SE is the cell's
    with pytest.warns(UserWarning, match="only 2 treated unit"):
        found = sd.callaway_santanna(panel, "unit", "year", "y", "first", draws=0)
    assert found.overall.estimate == 3.0 and found.overall.std_error == pytest.approx(1.0)


def test_bootstrap_errors_agree_with_analytic_and_the_band_is_simultaneous():
    panel = _panel([2004, 2007, None], lambda e: 1.0 + 0.5 * e, units_per=40)
    analytic = sd.callaway_santanna(panel, "unit", "year", "y", "first", draws=0)
    boot = sd.callaway_santanna(panel, "unit", "year", "y", "first", draws=4000, seed=3)
    ratio = boot.event_study["std_error"] / analytic.event_study["std_error"]
    assert ratio.between(0.93, 1.07).all()
    assert boot.overall.std_error == pytest.approx(analytic.overall.std_error, rel=0.07)
    events = len(boot.event_study)
    from statistics import NormalDist
    bonferroni = NormalDist().inv_cdf(1 - 0.05 / (2 * events))
    assert 1.96 < boot.critical_value < bonferroni
    assert analytic.critical_value == pytest.approx(1.959964, abs=1e-6)
    # every ATT(g, t) gets its own standard error and a simultaneous band over all cells
    cells = boot.group_time.merge(analytic.group_time, on=["cohort", "year"])
    assert (cells["std_error_x"] / cells["std_error_y"]).between(0.9, 1.1).all()
    assert boot.group_time_critical_value > boot.critical_value      # more cells to cover
    assert analytic.group_time["std_error"].to_numpy() == pytest.approx(
        sd.group_time_effects(panel, "unit", "year", "y", "first").cells["std_error"])


def test_unbalanced_or_non_finite_panels_are_refused_naming_unit_and_year():
    panel = _panel([2004, None], lambda e: 1.0, units_per=6)
    with pytest.raises(ValueError, match=r"y for unit 'c0u2' in 2005 is missing or infinite"):
        sd.group_time_effects(panel.drop(index=panel.index[(panel["unit"] == "c0u2") &
                                                           (panel["year"] == 2005)]),
                              "unit", "year", "y", "first")
    panel.loc[(panel["unit"] == "c1u0") & (panel["year"] == 2001), "y"] = np.inf
    with pytest.raises(ValueError, match=r"unit 'c1u0' in 2001"):
        sd.callaway_santanna(panel, "unit", "year", "y", "first", draws=0)


def test_a_result_with_a_missing_standard_error_is_not_graded():
    panel = _panel([2004, None], lambda e: 1.0, units_per=1, noise=0.0)
    with pytest.warns(UserWarning, match="only 1 treated unit"):
        found = sd.callaway_santanna(panel, "unit", "year", "y", "first", draws=20)
    grade, reason = sd.evidence_grade(found)
    assert grade is None and reason.startswith("Not graded")


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
