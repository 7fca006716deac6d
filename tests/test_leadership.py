"""Leadership styles from constructed metrics: medians and quadrants by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from placelens.analysis.leadership import NO_ACTIVITY, leadership_styles


def _metrics(rows):
    return pd.DataFrame(rows, columns=["area_code", "period", "active_organisations",
                                       "effective_deciders"])


def test_quadrants_against_period_medians():
    # Medians over the active places: actors median(2, 4, 10, 20) = 7, deciders
    # median(1, 6, 2, 8) = 4; Z has nothing and is left out of the medians.
    table = leadership_styles(_metrics([
        ("A", "p", 20, 1.0), ("B", "p", 2, 2.0), ("C", "p", 4, 6.0), ("D", "p", 10, 8.0),
        ("Z", "p", 0, np.nan)])).set_index("area_code")
    assert table["actors_median"].iloc[0] == 7 and table["deciders_median"].iloc[0] == 4
    assert table.loc["A", "leadership_style"] == "orchestral"
    assert table.loc["B", "leadership_style"] == "barber shop quartet"
    assert table.loc["C", "leadership_style"] == "enthusiastic improvisation"
    assert table.loc["D", "leadership_style"] == "jamming super-group"
    assert table.loc["Z", "leadership_style"] == NO_ACTIVITY
    assert table.loc["A", "actors_ratio"] == pytest.approx(20 / 7)


def test_at_the_median_counts_as_few_and_periods_are_separate():
    table = leadership_styles(_metrics([
        ("A", "p1", 5, 3.0), ("B", "p1", 5, 3.0), ("A", "p2", 1, 1.0), ("B", "p2", 9, 9.0)]))
    assert table["leadership_style"].tolist() == [
        "barber shop quartet", "barber shop quartet", "barber shop quartet",
        "jamming super-group"]


def test_reference_distribution():
    peers = _metrics([("P1", "p", 2, 2.0), ("P2", "p", 4, 4.0)])
    table = leadership_styles(_metrics([("X", "p", 5, 1.0)]), reference=peers)
    assert table["actors_median"].iloc[0] == 3
    assert table["leadership_style"].iloc[0] == "orchestral"
