"""The evidence library's seed (grades keep their source) and the evidence-security rating of
an intervention × outcome cell, on hand-worked sets of findings."""

from __future__ import annotations

import math

import pytest

from placelens.analysis.evidence_security import Finding, evidence_security
from placelens.errors import DataFormatError
from placelens.sources.evidence_seed import SEED_FILE, read_seed


def test_seed_has_58_records_and_each_grade_shows_where_it_came_from(datapack):
    records = read_seed(datapack / SEED_FILE)
    assert len(records) == 58 and len({r.id for r in records}) == 58
    sources = [r.grade_source for r in records]
    assert sources.count("What Works Growth") == 1
    assert sources.count("design-implied") == 35 and sources.count("not graded") == 22
    wwg = next(r for r in records if r.grade_source == "What Works Growth")
    assert wwg.id == "LPIP-001" and wwg.sms == 3 and "What Works Growth" in wwg.grade_detail
    assert wwg.grade_label == "SMS 3 (What Works Growth)"
    for record in records:
        if record.grade_source == "design-implied":
            # a design-implied grade is never displayed as What Works Growth's
            assert "(What Works Growth)" not in record.grade_label
            assert "not a What Works Growth grade" in record.grade_label
            assert record.grade_detail == ""
        if record.sms is None:
            assert record.grade_label.startswith("not graded")


@pytest.mark.parametrize("change,column,message", [
    (("4,design-implied", "7,design-implied"), "sms_score", "not a whole number from 1 to 5"),
    (("4,design-implied", "4,my guess"), "sms_source", "a score needs its source"),
    ((",positive,", ",upwards,"), "effect_direction", "is not one of positive"),
])
def test_bad_seed_rows_are_refused_naming_row_and_column(datapack, tmp_path, change, column,
                                                         message):
    text = (datapack / SEED_FILE).read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    row = next(n for n, line in enumerate(lines) if n and change[0] in line)
    lines[row] = lines[row].replace(change[0], change[1], 1)
    bad = tmp_path / "interventions.csv"
    bad.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(DataFormatError, match=message) as caught:
        read_seed(bad)
    assert f"row {row + 1}" in str(caught.value) and column in str(caught.value)


def test_a_repeated_or_unknown_record_id_is_refused(datapack, tmp_path):
    from typer.testing import CliRunner

    from placelens.cli import app

    lines = (datapack / SEED_FILE).read_text(encoding="utf-8").splitlines(keepends=True)
    doubled = tmp_path / "interventions.csv"
    doubled.write_text("".join(lines + lines[1:2]), encoding="utf-8")   # LPIP-001 again
    with pytest.raises(DataFormatError, match="record id 'LPIP-001' appears twice") as caught:
        read_seed(doubled)
    assert f"row {len(lines) + 1}" in str(caught.value) and "'id'" in str(caught.value)
    truncated = tmp_path / "truncated.csv"
    truncated.write_text("".join(lines[:-1]) + lines[-1][:100], encoding="utf-8")  # cut short
    with pytest.raises(DataFormatError, match=f"row {len(lines)}"):
        read_seed(truncated)
    result = CliRunner().invoke(app, ["evidence", "context", "LPIP-999", "--seed",
                                      str(datapack / SEED_FILE)], env={"COLUMNS": "200"})
    assert result.exit_code == 2 and "no record 'LPIP-999'" in result.output


def _findings(n, sms=4, directions=None, year=2020, uk=True):
    directions = directions or ["positive"] * n
    return [Finding(sms, d, year, uk) for d in directions]


def test_consistent_high_quality_evidence_rates_highest():
    security = evidence_security(_findings(5, sms=5), 2026)
    assert security.rating == 5 and security.consistency == 1.0
    assert security.reasons == ["median SMS of 5 graded studies: 5"]
    assert evidence_security(_findings(5, sms=4), 2026).rating == 4


def test_mixed_directions_lower_the_rating():
    # 4 studies at SMS 4: 2 of 4 agree (positive) → 50%, not below half → −1 → 3
    half = evidence_security(_findings(4, directions=["positive", "positive", "none",
                                                      "mixed"]), 2026)
    assert half.consistency == 0.5 and half.rating == 3
    # 1 of 4 agrees → 25% → −2 → 2; a "mixed" finding never counts as agreeing
    quarter = evidence_security(_findings(4, directions=["positive", "none", "mixed",
                                                         "mixed"]), 2026)
    assert quarter.consistency == 0.25 and quarter.rating == 2
    assert "−2: only 25% of graded findings agree" in quarter.reasons[-1]


def test_one_study_is_capped_however_good():
    single = evidence_security(_findings(1, sms=5), 2026)
    assert single.rating == 2 and "capped at 2: only 1 study" in single.reasons
    assert evidence_security(_findings(2, sms=5), 2026).rating == 3


def test_old_or_foreign_evidence_and_ungraded_cells():
    # median of 3, 3, 4, 4, 4 is 4; all end in 2010 (more than 10 years before 2026) and none
    # is UK: 4 − 1 − 1 = 2
    old_abroad = [Finding(s, "positive", 2010, False) for s in (3, 4, 4, 3, 4)]
    security = evidence_security(old_abroad, 2026)
    assert security.median_sms == 4 and security.recent_share == 0 and security.uk_share == 0
    assert security.rating == 2
    # an even count takes the mean of the middle two (3.5), rounded down
    assert evidence_security(_findings(2, sms=3) + _findings(2, sms=4), 2026).rating == 3
    ungraded = evidence_security([Finding(None, "positive", 2020, True)] * 3, 2026)
    assert ungraded.rating == 0 and ungraded.graded == 0 and math.isnan(ungraded.median_sms)


def test_unknown_years_are_not_judged_old():
    undated = evidence_security([Finding(4, "positive", None, True)] * 5, 2026)
    assert undated.rating == 4 and math.isnan(undated.recent_share)
    assert "recency not judged: no study gives its years" in undated.reasons


def test_gap_map_of_the_seed_and_the_commands(datapack, tmp_path):
    import pandas as pd
    from typer.testing import CliRunner

    from placelens.cli import app
    from placelens.services import evidence

    records = evidence.seed_records(datapack / SEED_FILE)
    cells = evidence.gap_map(records, 2026)
    pairs = {(r.intervention_type, r.outcome_domain) for r in records}
    assert set(cells.index) == pairs and cells["studies"].sum() == 58
    assert cells["security"].between(0, 5).all() and cells["reasons"].str.len().gt(0).all()
    # the one What Works Growth-graded finding: R&D grants → survival, SMS 3, a single UK
    # study from 2008–2012: 3, capped at 2 for one study, −1 for nothing since 2016 → 1
    survival = cells.loc[("rd_grant", "survival")]
    assert survival["security"] == 1 and survival["median_sms"] == 3
    assert "capped at 2" in survival["reasons"] and "since 2016" in survival["reasons"]
    result = CliRunner().invoke(app, ["evidence", "map", "--year", "2026", "--out",
                                      str(tmp_path / "map.csv")])
    assert result.exit_code == 0, result.output
    written = pd.read_csv(tmp_path / "map.csv")
    assert len(written) == len(cells) and "reasons" in written.columns
    listed = CliRunner().invoke(app, ["evidence", "list", "--type", "rd_grant", "--out",
                                      str(tmp_path / "list.csv")])
    assert listed.exit_code == 0, listed.output
    grants = pd.read_csv(tmp_path / "list.csv")
    assert len(grants) == 10 and grants["grade"].str.contains("design-implied").any()
    assert grants.loc[grants["id"] == "LPIP-001", "grade"].item() == "SMS 3 (What Works Growth)"


def test_context_distance_by_hand():
    import pandas as pd

    from placelens.analysis.transferability import context_distance

    study = pd.Series({"a": 1.0, "b": 2.0, "c": 5.0, "d": 1.0})
    yours = pd.Series({"a": 0.0, "b": 0.0, "c": None, "d": 1.0})
    spread = pd.Series({"a": 1.0, "b": 1.0, "c": 1.0, "d": 0.0})
    # c has no value for yours and d no spread: compared on a (1 SD) and b (2 SD);
    # RMS = sqrt((1 + 4) / 2)
    found = context_distance(study, yours, spread)
    assert found.compared == 2 and found.distance == pytest.approx((5 / 2) ** 0.5)
    assert found.differing_most() == ["b", "a"]
    assert found.differences.loc["b", "difference_sd"] == 2.0


def test_a_study_abroad_is_compared_on_the_country_scoreboard(datapack):
    from placelens.errors import PlacelensError
    from placelens.services import evidence
    from placelens.sources.eis_scoreboard import SCOREBOARD_FILE, read_scoreboard

    board = read_scoreboard(datapack / SCOREBOARD_FILE)
    year, ireland = evidence.country_context("IE", 2014, board)
    _, romania = evidence.country_context("RO", 2014, board)
    assert year == 2016                                   # the scoreboard starts in 2016
    assert ireland.distance < romania.distance            # a similar context scores closer
    assert len(romania.differing_most()) == 3
    assert all(name[0].isdigit() for name in romania.differing_most())   # dimensions named
    assert evidence.country_context("GB", 2020, board)[1].distance == 0.0
    with pytest.raises(PlacelensError, match="no figures for 'US': it covers European"):
        evidence.country_context("US", 2010, board)


def test_minimum_detectable_effect_by_hand():
    import pandas as pd

    from placelens.analysis.evaluation_plan import minimum_detectable_effect

    ratios = pd.Series({"a": 3.0, "b": 5.0, "c": 1.0, "d": 4.0, "e": 2.0})   # J = 5
    # alpha 0.34: rank ≤ ⌊0.34 × 6⌋ = 2, so the treated ratio must beat the 2nd largest (4);
    # with a pre-treatment RMSPE of 2.5 that takes an effect of 4 × 2.5 = 10
    found = minimum_detectable_effect(ratios, 2.5, 0.34)
    assert found.rank_needed == 2 and found.ratio_to_beat == 4.0 and found.value == 10.0
    # alpha 0.10: ⌊0.6⌋ = 0 — five placebos cannot give p ≤ 0.10
    assert minimum_detectable_effect(ratios, 2.5, 0.10).value == math.inf
    # alpha 1/3 exactly: ⌊2⌋ = 2 (no rounding loss)
    assert minimum_detectable_effect(ratios, 2.5, 1 / 3).rank_needed == 2


def test_prop99_plan_minimum_detectable_effect_matches_a_hand_reading(datapack):
    import pandas as pd

    from placelens.analysis import synthetic_control as sc
    from placelens.analysis.evaluation_plan import held_out_fit, minimum_detectable_effect

    panel = pd.read_csv(datapack / "synth_control_benchmarks" /
                        "california_prop99_smoking_adh2010.csv")
    predictors = [sc.Predictor("cigsale", (1975,)), sc.Predictor("cigsale", (1980,)),
                  sc.Predictor("retprice", tuple(range(1975, 1981)))]
    # planned in 1988: synthetic controls fitted on 1970–1980, judged on 1981–1988
    fits = held_out_fit(panel, "state", "year", "cigsale", 1981, 1988, predictors, starts=2)
    placebos = fits["ratio"].drop("California")
    california = fits.loc["California", "pre_rmspe"]
    found = minimum_detectable_effect(placebos, california, 0.10)
    # by hand: 38 placebos, ⌊0.1 × 39⌋ = 3, so the 3rd largest held-out/fitted ratio, times
    # California's own pre-period RMSPE
    third = sorted(placebos.tolist(), reverse=True)[2]
    assert found.rank_needed == 3 and found.units == 38
    assert found.value == pytest.approx(third * california)
    # Proposition 99's published average gap (about 19 packs) is above it: the test could
    # have detected the effect the literature reports
    assert 0 < found.value < 19


def test_a_uk_study_in_a_similar_place_scores_closer(observatory, datapack):
    from placelens.services import evidence

    hartlepool = observatory.place("Hartlepool")
    hull = evidence.place_context(observatory.comparators, "E06000010", hartlepool)
    westminster = evidence.place_context(observatory.comparators, "E09000033", hartlepool)
    assert hull.distance < westminster.distance and hull.compared == 6
    assert westminster.differing_most()[0] in ("GVA per hour", "GDHI per head", "density")
    records = {r.id: r for r in evidence.seed_records(datapack / SEED_FILE)}
    codes = {i: evidence.study_place_code(r) for i, r in records.items()
             if r.country in evidence.UK_CODES}
    assert codes["LPIP-001"] == "K02000001"
    assert "E06000010" in codes.values()          # the Hull broadband study names its district
    assert any(code is None for code in codes.values())   # Manchester City Region gives none
