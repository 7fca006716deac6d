"""The composite index and statistical neighbours, step by step on hand-made panels."""

import math

import numpy as np
import pandas as pd
import pytest

from placelens.analysis import composite_index as ci
from placelens.analysis import similar_places as sp


def test_outliers_replaced_by_the_most_extreme_inlier():
    values = pd.Series([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 100.0])
    treated, low, high = ci.treat_outliers(values, 2.0)
    # mean 14.5, SD 30.06 → upper bound 74.6: only 100 is an outlier, replaced by 9
    assert (low, high) == (0, 1) and treated.iloc[-1] == 9.0
    assert ci.treat_outliers(values, None)[0].equals(values)


def test_square_root_only_when_skewed():
    skewed = pd.Series([1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 3.0, 25.0])
    transformed, skewness, rooted = ci.transform_skewed(skewed, 1.0)
    assert skewness > 1 and rooted and transformed.iloc[-1] == pytest.approx(5.0)
    symmetric = pd.Series([1.0, 2.0, 3.0, 4.0, 5.0])
    assert ci.transform_skewed(symmetric, 1.0)[2] is False


def test_minmax_over_all_places_and_years_and_polarity():
    panel = pd.DataFrame({
        "area": ["a", "b", "a", "b"], "period": ["2019", "2019", "2020", "2020"],
        "indicator": ["x"] * 4, "value": [10.0, 20.0, 30.0, 50.0]})
    options = ci.IndexOptions(outlier_sd=None, skew_threshold=None)
    normalised, _ = ci.normalised_indicators(panel, options=options)
    # min 10 and max 50 over both years: a 2019 → 0, b 2019 → 0.25, a 2020 → 0.5, b 2020 → 1
    assert normalised["x"].tolist() == pytest.approx([0.0, 0.5, 0.25, 1.0])
    reversed_, _ = ci.normalised_indicators(panel, {"x": -1}, options)
    assert reversed_["x"].tolist() == pytest.approx([1.0, 0.5, 0.75, 0.0])


def _panel():
    rows = []
    values = {"a": (1.0, 10.0), "b": (2.0, 30.0), "c": (3.0, None), "d": (4.0, 20.0)}
    for area, (x, y) in values.items():
        rows.append({"area": area, "period": "2020", "indicator": "x", "value": x})
        if y is not None:
            rows.append({"area": area, "period": "2020", "indicator": "y", "value": y})
    return pd.DataFrame(rows)


def test_index_is_mean_of_available_indicators_and_reports_coverage():
    options = ci.IndexOptions(outlier_sd=None, skew_threshold=None, min_coverage=0.75)
    result = ci.composite_index(_panel(), options=options).scores.set_index("area")
    # x → (0, 1/3, 2/3, 1); y → (0, 1, -, 0.5)
    assert result.loc["b", "index"] == pytest.approx((1 / 3 + 1) / 2)
    assert result.loc["c", "index"] == pytest.approx(2 / 3)
    assert result.loc["c", "indicators"] == 1 and not result.loc["c", "sufficient"]
    assert result.loc["d", "sufficient"]


def test_groups_relative_to_national_average():
    index = pd.Series({"p": 0.65, "q": 0.55, "r": 0.40, "s": 0.30})
    groups = ci.performance_groups(index, national=0.5)
    assert groups["relative"].tolist() == pytest.approx([130, 110, 80, 60])
    assert groups["group"].tolist() == ["leader", "strong", "moderate", "emerging"]
    # exactly 125 is strong, exactly 70 is emerging (the thresholds are "above")
    edge = ci.performance_groups(pd.Series({"e": 1.25, "f": 0.70}), national=1.0)
    assert edge["group"].tolist() == ["strong", "emerging"]


def test_change_since_base_year():
    scores = pd.DataFrame({"area": ["a", "a"], "period": ["2018", "2020"],
                           "index": [0.4, 0.5]})
    assert ci.change_since(scores, "2018")["a"] == pytest.approx(0.1)
    with pytest.raises(ValueError, match="base period"):
        ci.change_since(scores, "2010")


def test_rank_intervals_contain_the_default_rank():
    rng = np.random.default_rng(0)
    rows = [{"area": f"a{i}", "period": "2020", "indicator": f"v{j}",
             "value": float(i + rng.normal(0, 3))} for i in range(20) for j in range(5)]
    ranks = ci.rank_intervals(pd.DataFrame(rows), "2020", draws=200)
    assert (ranks["rank_p05"] <= ranks["rank_p95"]).all()
    assert ranks.loc["a19", "rank_median"] < ranks.loc["a0", "rank_median"]


def test_duplicate_observations_are_an_error():
    panel = pd.concat([_panel(), _panel().iloc[:1]])
    with pytest.raises(ValueError, match="more than one value for a, 2020, x"):
        ci.composite_index(panel)


def test_neighbour_distances_by_hand():
    context = pd.DataFrame({"u": [0.0, 1.0, 2.0, 10.0], "v": [0.0, 0.0, 1.0, 1.0]},
                           index=["a", "b", "c", "d"])
    z = (context - context.mean()) / context.std(ddof=0)
    d = sp.distances(context)
    expected = math.sqrt(((z.loc["a"] - z.loc["b"]) ** 2).sum())
    assert d.loc["a", "b"] == pytest.approx(expected)
    table = sp.nearest_neighbours(context, k=2, areas=["a"])
    assert table["neighbour"].tolist() == ["b", "c"]
    assert table.iloc[0]["closest_on"].startswith("v")  # a and b differ only on u


def test_missing_values_are_rescaled_not_treated_as_close():
    context = pd.DataFrame({"u": [0.0, 1.0, 5.0, 6.0], "v": [0.0, np.nan, 5.0, 6.0]},
                           index=["a", "b", "c", "d"])
    d = sp.distances(context)
    z = (context - context.mean()) / context.std(ddof=0)
    # a–b share only u: distance = |Δu| scaled by sqrt(total weight 2 / shared 1)
    assert d.loc["a", "b"] == pytest.approx(abs(z.loc["a", "u"] - z.loc["b", "u"]) *
                                            math.sqrt(2))
    weighted = sp.distances(context, weights={"u": 0.0, "v": 1.0})
    assert np.isnan(weighted.loc["a", "b"])  # nothing shared with weight


def test_constant_variable_is_named():
    with pytest.raises(ValueError, match=r"\['k'\]"):
        sp.standardise(pd.DataFrame({"k": [1.0, 1.0], "v": [1.0, 2.0]}))


def test_no_neighbours_gives_an_empty_table_with_columns():
    context = pd.DataFrame({"u": [0.0, 1.0, np.nan], "v": [0.0, 1.0, np.nan]},
                           index=["a", "b", "c"])
    table = sp.nearest_neighbours(context, areas=["c"])
    assert table.empty and "neighbour" in table.columns


def test_real_index_ranks_and_lists_districts_without_enough_indicators(observatory):
    scores = observatory.innovation_index(draws=100)
    assert len(scores) == 361  # every district is listed
    unranked = scores[~scores["sufficient"]]
    assert set(unranked.index) >= {"E06000063", "E06000066"}  # 2023 districts lack data
    ranked = scores[scores["sufficient"]]
    assert ranked["rank"].min() == 1 and ranked["rank"].max() == len(ranked)
    assert (ranked["rank_p05"] <= ranked["rank_p95"]).all()
    assert ranked["relative"].mean() == pytest.approx(100)
    assert set(ranked["group"]) <= {"leader", "strong", "moderate", "emerging"}


def test_real_explanation_reproduces_the_index(observatory):
    place = observatory.place("Cardiff")
    explanation = observatory.explain_index(place)
    index = observatory.innovation_index(draws=100).loc[place.code, "index"]
    assert explanation["score"].mean() == pytest.approx(index)  # unweighted mean of scores
    assert explanation.loc["Business R&D spend per head", "published_for"] == "UKL2"


def test_real_neighbours_are_districts_with_reasons(observatory):
    table = observatory.similar_places(observatory.place("Birmingham"), k=5)
    assert len(table) == 5 and table["distance"].is_monotonic_increasing
    assert "E08000025" not in set(table["neighbour"])
    with pytest.raises(ValueError, match="between local authority districts"):
        observatory.similar_places(observatory.place("Greater Manchester"))


def test_real_itl3_index_uses_all_years_and_reports_change(observatory):
    scores = observatory.innovation_index("itl3_innovation", draws=100)
    assert len(scores) == 179 and scores["change"].notna().sum() > 100
    history = scores.attrs["history"]
    assert set(history["period"]) == {"2014", "2015", "2016", "2017", "2018", "2019"}
    # min–max over all areas and years: each indicator spans exactly 0 to 1 over the panel
    from placelens.indicator_sets import area_panel

    spec = observatory.indicator_set("itl3_innovation")
    panel = area_panel(observatory, spec, "ITL3", list(spec.years))
    normalised, _ = ci.normalised_indicators(panel)
    assert normalised.min().tolist() == pytest.approx([0.0] * normalised.shape[1])
    assert normalised.max().tolist() == pytest.approx([1.0] * normalised.shape[1])
    assert scores.loc[scores["sufficient"], "rank"].max() == scores["sufficient"].sum()
    unranked = scores[~scores["sufficient"]]
    assert unranked.index.str.startswith("TLN").sum() >= 5  # NI NUTS3 codes changed in 2016
    neighbours = observatory.similar_places(observatory.place("TLD33"), k=3)
    assert len(neighbours) == 3 and neighbours["neighbour"].str.startswith("TL").all()


def test_magnitude_and_growth_by_hand():
    from placelens.analysis import emerging as em

    panel = pd.DataFrame([[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]], index=["a"],
                         columns=["2010", "2011", "2012", "2013", "2014", "2015"])
    table = em.magnitude_and_growth(panel, "2012", "2015")
    # moving averages: 2012 → (1+2+3)/3 = 2; 2015 → (4+5+6)/3 = 5 → growth 150%
    assert table.loc["a", "growth"] == pytest.approx(150.0)
    assert table.loc["a", "magnitude"] == pytest.approx((3 + 4 + 5 + 6) / 4)
    with pytest.raises(ValueError, match="moving average needs 2 periods"):
        em.magnitude_and_growth(panel, "2010", "2015")


def test_emerging_classes():
    from placelens.analysis import emerging as em

    table = pd.DataFrame({"magnitude": [1.0, 10.0, 10.0, 1.0],
                          "growth": [50.0, 50.0, 1.0, 1.0]}, index=list("abcd"))
    labels = em.classify(table, growth_quantile=0.5)
    assert labels.tolist() == ["emerging", "leading", "established", "other"]


def test_momentum_backtest_on_persistent_growth():
    from placelens.analysis import emerging as em

    years = [str(y) for y in range(2000, 2012)]
    rates = np.linspace(0.0, 0.1, 20)
    panel = pd.DataFrame([[100 * (1 + r) ** i for i in range(len(years))] for r in rates],
                         index=[f"p{i}" for i in range(20)], columns=years)
    result = em.momentum_backtest(panel, "2003", "2007", "2011")
    assert result["areas"] == 20 and result["auc"] == pytest.approx(1.0)


def test_place_type_rules_by_hand():
    from placelens.analysis import place_types as pt

    signals = pd.DataFrame({
        "population": [1_000_000, 900_000, 100_000, 120_000, 80_000],
        "density": [40.0, 30.0, 20.0, 5.0, 0.5],
        "diversity": [3.3, 3.0, 2.0, 2.5, 2.0],
        "specialisation": [0.2, 0.9, 0.8, 0.3, 0.5],
        "rural_share": [0.0, 0.0, 0.1, 0.2, 0.9]}, index=list("abcde"))
    # population 60th percentile = 180,000 (interpolated); density 75th = 30; Krugman 60th
    # = 0.6: a and b are large and dense, b and c specialised, e mostly rural.
    rules = pt.TypeRules(hub_population_quantile=0.6, links_specialisation_quantile=0.6)
    kinds = pt.classify(signals, rules)["type"]
    assert kinds["a"] == "urban hub"
    assert kinds["b"] == "urban hub and local links"
    assert kinds["c"] == "local links"
    assert kinds["d"] == "urban, neither hub nor local links"
    assert kinds["e"] == "rural"


def test_typology_is_deterministic_and_complete():
    from placelens.analysis import place_types as pt

    rng = np.random.default_rng(3)
    signals = pd.DataFrame({"population": rng.lognormal(11, 1, 60),
                            "density": rng.lognormal(1, 1, 60),
                            "diversity": rng.normal(3, 0.3, 60),
                            "specialisation": rng.normal(0.5, 0.1, 60),
                            "rural_share": rng.random(60)})
    first, second = pt.typology(signals, seed=1), pt.typology(signals, seed=1)
    assert first["group"].equals(second["group"])
    assert set(first["group"]) == {1, 2, 3, 4}


def test_real_place_types_and_emerging(observatory):
    types = observatory.place_types()
    assert len(types) == 361
    assert types.loc["E08000003", "type"].startswith("urban hub")  # Manchester
    assert types.loc["E07000008", "type"] in ("local links", "urban hub and local links")
    assert (types["type"] == "rural").sum() > 30
    unclassified = types[types["type"] == "not classified"]
    assert unclassified[["diversity", "specialisation"]].isna().any(axis=1).all()
    places = observatory.emerging_places()
    assert set(places["class"].dropna()) <= {"emerging", "leading", "established", "other"}
    industries = observatory.emerging_activities(observatory.place("Cardiff"))
    assert len(industries) == 36 and industries["growth"].is_monotonic_decreasing


def test_per_head_values_are_regional_totals_over_the_same_year_population(observatory):
    table, provenance = observatory.indicator_set_table("lad_innovation")
    source = provenance[(provenance["area"] == "W06000015")
                        & (provenance["indicator"] == "Business R&D spend per head")].iloc[0]
    assert source["source_area"] == "UKL2"
    berd = observatory.warehouse.query(
        "SELECT value FROM observations WHERE indicator = 'nesta_eurostat_berd_data' AND "
        "area_code = 'UKL2' AND period = ?", [source["period"]])["value"].iloc[0]
    population = observatory.warehouse.query(
        "SELECT value FROM observations WHERE indicator = 'population' AND "
        "area_code = 'TLL2' AND period = ?", [source["period"]])["value"].iloc[0]
    assert table.loc["W06000015", "Business R&D spend per head"] == pytest.approx(
        berd / population)
