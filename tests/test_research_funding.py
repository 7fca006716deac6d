"""Research council funding by place and year, by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from placelens.analysis.opportunities import best_ranking
from placelens.analysis.research_funding import UNPLACED, funding_by_area


def test_grant_value_is_spread_over_years_by_days_and_led_from_its_district():
    projects = pd.DataFrame({
        "project_id": ["P1", "P2", "P3"],
        # P1: 1 Jul 2015 – 30 Jun 2016 = 366 days (2016 is a leap year): 184 in 2015, 182 in 2016
        "start_date": ["2015-07-01", "2016-01-01", "2016-03-01"],
        "end_date": ["2016-06-30", "2016-12-31", "2016-03-31"],
        "value_gbp": [366_000.0, 100.0, 50.0],
        "lead_org_id": ["uni", "firm", "abroad"]})
    lead_area = pd.Series({"uni": "A", "firm": "B", "abroad": None})
    table = funding_by_area(projects, lead_area, [2015, 2016], ["A", "B", "C"]).set_index(
        ["area_code", "period"])["value_gbp"]
    assert table[("A", "2015")] == pytest.approx(184_000.0)
    assert table[("A", "2016")] == pytest.approx(182_000.0)
    assert table[("B", "2016")] == pytest.approx(100.0) and table[("B", "2015")] == 0
    assert table[("C", "2016")] == 0                       # a register: nothing led is zero
    assert table[(UNPLACED, "2016")] == pytest.approx(50.0)  # kept aside, not lost
    assert table.groupby(level="period").sum()["2016"] == pytest.approx(182_150.0)


def test_best_ranking_follows_the_highest_backtested_auc():
    assert best_ranking({"density": 0.62, "rca": 0.77, "density+rca": 0.74}) == "rca"
    assert best_ranking({"density": 0.8, "rca": 0.7, "density+rca": 0.74}) == "density"
    assert best_ranking({"density": 0.6, "rca": 0.7, "density+rca": 0.75}) == "feasibility"
    with pytest.raises(ValueError, match="no back-test AUC"):
        best_ranking({"size": 0.6})
