"""Travel To Work Areas on hand-made flow tables where the right answer is known."""

import pandas as pd
import pytest

from placelens.errors import DataFormatError
from placelens.geography import functional as fr


def _table(rows):
    return fr.flow_table(pd.DataFrame(rows, columns=["origin", "destination", "count"]))


def test_required_containment_is_linear_between_the_sizes():
    assert fr.required_containment(3_500) == pytest.approx(0.75)
    assert fr.required_containment(25_000) == pytest.approx(0.667)
    assert fr.required_containment(100_000) == pytest.approx(0.667)
    # halfway: 0.75 - 0.083 * 10,750 / 21,500
    assert fr.required_containment(14_250) == pytest.approx(0.75 - 0.083 / 2)


def test_thresholds_exactly_at_the_boundary():
    assert fr.validity(0.75, 3_500) == pytest.approx(1.0)
    assert fr.validity(0.667, 25_000) == pytest.approx(1.0)
    assert fr.validity(0.6669, 25_000) < 1
    assert fr.validity(0.9, 3_499) < 1
    # one unit of exactly 3,500 residents with 75% working at home-unit is its own region
    table = _table([("a", "a", 2_625), ("a", "b", 875), ("b", "b", 30_000), ("b", "a", 875)])
    regions = fr.ttwa(table)
    assert regions["a"] == "a" and regions["b"] == "b"
    stats = fr.region_stats(table, regions)
    assert stats.loc["a", "supply_containment"] == pytest.approx(0.75) and stats["valid"].all()


def test_two_obvious_labour_markets():
    rows = [("a", "a", 2_000), ("a", "b", 1_500), ("b", "b", 2_000), ("b", "a", 1_500),
            ("c", "c", 2_000), ("c", "d", 1_500), ("d", "d", 2_000), ("d", "c", 1_500),
            ("a", "c", 20), ("c", "a", 20)]
    table = _table(rows)
    regions = fr.ttwa(table)
    assert regions["a"] == regions["b"] and regions["c"] == regions["d"]
    assert regions["a"] != regions["c"]
    assert fr.region_stats(table, regions)["valid"].all()


def test_a_small_unit_must_merge_with_the_market_it_commutes_to():
    rows = [("big", "big", 40_000), ("big", "small", 500), ("small", "small", 300),
            ("small", "big", 700), ("far", "far", 30_000), ("far", "small", 10),
            ("small", "far", 5)]
    regions = fr.ttwa(_table(rows))
    assert regions["small"] == "big" and regions["far"] == "far"


def test_an_isolated_small_unit_stays_alone_and_is_reported_invalid():
    table = _table([("a", "a", 100), ("b", "b", 50_000)])
    regions = fr.ttwa(table)
    assert regions["a"] == "a"
    assert not fr.region_stats(table, regions).loc["a", "valid"]


@pytest.mark.parametrize("rows,message", [
    ([("a", "b", 1)], "is not an origin unit"),
    ([("a", "a", -1)], "negative"),
    ([("a", "a", 1), ("a", "a", 2)], "appears twice"),
    ([("a", "a", "many")], "not a number"),
])
def test_bad_flow_tables_name_the_row(rows, message):
    with pytest.raises(DataFormatError, match=message) as info:
        _table(rows)
    assert info.value.row is not None


def test_missing_columns_are_named():
    with pytest.raises(DataFormatError, match="missing column"):
        fr.flow_table(pd.DataFrame({"from": ["a"], "to": ["a"], "n": [1]}))


def test_adjusted_rand_index_by_hand():
    a = pd.Series([1, 1, 2, 2], index=list("wxyz"))
    assert fr.adjusted_rand_index(a, a.map({1: "p", 2: "q"})) == pytest.approx(1.0)
    # contingency [[1,1],[1,1]]: index 0, expected (2*2)/6 = 2/3, max 2 → ARI = -0.5
    b = pd.Series([1, 2, 1, 2], index=list("wxyz"))
    assert fr.adjusted_rand_index(a, b) == pytest.approx(-0.5)


def test_leiden_finds_the_two_markets_stably():
    rows = [("a", "a", 2_000), ("a", "b", 1_500), ("b", "b", 2_000), ("b", "a", 1_500),
            ("c", "c", 2_000), ("c", "d", 1_500), ("d", "d", 2_000), ("d", "c", 1_500),
            ("a", "c", 20), ("c", "a", 20)]
    result = fr.leiden_regions(_table(rows), runs=5)
    assert result.loc["a", "region"] == result.loc["b", "region"] != result.loc["c", "region"]
    assert (result["stability"] == 1.0).all()


def test_containment_within_a_parent_by_hand():
    table = _table([("a", "a", 60), ("a", "b", 20), ("a", "c", 20), ("b", "b", 100),
                    ("c", "c", 100)])
    share = fr.containment_within(table, pd.Series({"a": "P", "b": "P", "c": "Q"}))
    # a: out 60 (self, counted twice as out and in) ... a's flows: out 100 (60 self), in 60
    # (self); inside P: out 80 + in 60 = 140 of 160
    assert share["a"] == pytest.approx(140 / 160)
