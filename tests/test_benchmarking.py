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


def test_change_compares_the_same_indicators_and_decomposes():
    index = pd.MultiIndex.from_tuples([("a", "2014"), ("a", "2019"), ("b", "2014"),
                                       ("b", "2019")], names=["area", "period"])
    normalised = pd.DataFrame({"x": [0.2, 0.5, 0.1, 0.2], "y": [np.nan, 0.9, 0.4, 0.2],
                               "z": [0.6, 0.6, 0.5, np.nan]}, index=index)
    change = ci.like_for_like_change(normalised, "2014", "2019")
    # a: y is absent in 2014, so only x (+0.3) and z (0) count: change 0.15, not the
    # basket change (0.5+0.9+0.6)/3 - (0.2+0.6)/2 = 0.267 that mixing baskets would give.
    assert change.loc["a", "change"] == pytest.approx(0.15)
    assert change.loc["a", "indicators_compared"] == 2
    assert change.loc["a", "contribution: x"] == pytest.approx(0.15)
    assert np.isnan(change.loc["a", "contribution: y"])
    # b: x +0.1 and y −0.2 over two indicators
    assert change.loc["b", "change"] == pytest.approx(-0.05)
    contributions = change.filter(like="contribution").sum(axis=1)
    assert contributions.tolist() == pytest.approx(change["change"].tolist())
    assert np.isnan(ci.like_for_like_change(normalised, "2014", "2019", 3).loc["a", "change"])
    with pytest.raises(ValueError, match="period '2010'"):
        ci.like_for_like_change(normalised, "2010", "2019")


def test_itl_and_nuts_codes_including_northern_ireland():
    from placelens.indicator_sets import itl_code, nuts_code

    assert nuts_code("TLK30") == "UKK30" and nuts_code("TLN06") == "UKN06"
    assert nuts_code("TLN0A") == "UKN10" and nuts_code("TLN0G") == "UKN16"
    assert nuts_code("TLN0") == "UKN0"
    for code in ("TLK30", "TLN0A", "TLN0G", "TLN06", "TLM75"):
        assert itl_code(nuts_code(code)) == code


def test_between_group_share_by_hand():
    values = pd.Series([1.0, 3.0, 5.0, 7.0], index=list("abcd"))
    groups = pd.Series(["g", "g", "h", "h"], index=list("abcd"))
    # total SS 20; within: (1-2)² + (3-2)² + (5-6)² + (7-6)² = 4 → between share 0.8
    assert ci.between_group_share(values, groups) == pytest.approx(0.8)


def test_rank_intervals_contain_the_default_rank():
    rng = np.random.default_rng(0)
    rows = [{"area": f"a{i}", "period": "2020", "indicator": f"v{j}",
             "value": float(i + rng.normal(0, 3))} for i in range(20) for j in range(5)]
    ranks = ci.rank_intervals(pd.DataFrame(rows), "2020", draws=200)
    assert (ranks["rank_p05"] <= ranks["rank_p95"]).all()
    assert ranks.loc["a19", "rank_median"] < ranks.loc["a0", "rank_median"]


def test_rank_intervals_include_leaving_an_indicator_out():
    # a leads by far on x and is last on y; q the reverse. Min–max: a = (1 + 0.005)/2,
    # q = (0 + 1)/2, p_i = ((0.1 + 0.01 i) + (0.011 + 0.0011 i))/2, so a ranks first. Leaving
    # x out (one draw in three) drops a to last of 7, which its 95th percentile must show.
    rows = [("a", "x", 100.0), ("a", "y", 9.5), ("q", "x", 0.0), ("q", "y", 100.0)]
    rows += [(f"p{i}", "x", 10.0 + i) for i in range(5)]
    rows += [(f"p{i}", "y", 10.0 + 0.1 * i) for i in range(5)]
    panel = pd.DataFrame(rows, columns=["area", "indicator", "value"]).assign(period="2020")
    options = ci.IndexOptions(outlier_sd=None, skew_threshold=None)
    ranks = ci.rank_intervals(panel, "2020", draws=400, options=options)
    assert ranks.loc["a", "rank"] == 1
    assert ranks.loc["a", "rank_p95"] == 7


def test_sampling_noise_widens_rank_intervals():
    rows = [(f"p{i}", ind, 50.0 + i * 0.2) for i in range(10) for ind in ("x", "y")]
    panel = pd.DataFrame(rows, columns=["area", "indicator", "value"]).assign(period="2020")
    options = ci.IndexOptions(outlier_sd=None, skew_threshold=None)
    exact = ci.rank_intervals(panel, "2020", draws=300, options=options)
    noisy = ci.rank_intervals(panel, "2020", draws=300, options=options,
                              standard_errors=pd.Series(2.0, index=panel.index))
    width = lambda r: (r["rank_p95"] - r["rank_p05"]).mean()  # noqa: E731
    assert width(exact) == 0  # identical orderings on both indicators
    assert width(noisy) > 3   # a standard error of 10 gaps between neighbours


def test_sampling_standard_errors_by_hand():
    from placelens.indicator_sets import load_sets, sampling_se

    spec = load_sets()["lad_innovation"]
    panel = pd.DataFrame({"indicator": ["Employment rate 16-64", "Median weekly pay",
                                        "GVA per hour worked"],
                          "value": [75.0, 600.0, 40.0]})
    se = sampling_se(spec, panel)
    # 100·sqrt(0.75·0.25/500) = 1.9365 points; 3% of £600 = £18; GVA states no error
    assert se.iloc[0] == pytest.approx(1.93649, abs=1e-5)
    assert se.iloc[1] == pytest.approx(18.0)
    assert np.isnan(se.iloc[2])


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
    scores = observatory.benchmark.innovation_index(draws=100).table
    assert len(scores) == 361  # every district is listed
    unranked = scores[~scores["sufficient"]]
    # the 2023 unitaries lacked data until their predecessors' values were combined
    assert not set(unranked.index) & {"E06000063", "E06000064", "E06000065", "E06000066"}
    ranked = scores[scores["sufficient"]]
    assert ranked["rank"].min() == 1 and ranked["rank"].max() == len(ranked)
    assert (ranked["rank_p05"] <= ranked["rank_p95"]).all()
    assert ranked["relative"].mean() == pytest.approx(100)
    assert set(ranked["group"]) <= {"leader", "strong", "moderate", "emerging"}


def test_real_explanation_reproduces_the_index(observatory):
    place = observatory.place("Cardiff")
    explanation = observatory.benchmark.explain_index(place)
    index = observatory.benchmark.innovation_index(draws=100).table.loc[place.code, "index"]
    assert explanation["score"].mean() == pytest.approx(index)  # unweighted mean of scores
    assert explanation.loc["Business R&D spend per head", "published_for"] == "UKL2"
    assert explanation.loc["Business R&D spend per head", "unit"] == "€ per head"
    assert explanation.loc["Business R&D spend per head", "input"] == "regional (NUTS2)"
    assert explanation.loc["Median weekly pay", "input"] == "own area"


def test_packaged_sets_read_by_libyaml_equal_the_pure_python_reading():
    from importlib import resources

    import yaml

    from placelens.indicator_sets import SAFE_LOADER, SETS_FILE

    text = resources.files("placelens.data").joinpath(SETS_FILE).read_text("utf-8")
    assert SAFE_LOADER is yaml.CSafeLoader  # PyPI's wheels are built with libyaml
    assert yaml.load(text, Loader=SAFE_LOADER) == yaml.safe_load(text)  # noqa: S506


def test_every_index_indicator_has_a_unit_and_one_declared_period(observatory):
    from placelens.indicator_sets import load_sets

    for name, spec in load_sets().items():
        if spec.kind != "index":
            continue
        assert all(s.unit for s in spec.indicators), name
        if spec.years:
            continue
        assert all(s.periods for s in spec.indicators), name
        _, provenance = observatory.benchmark.indicator_set_table(name)
        declared = {s.label: set(s.periods) for s in spec.indicators}
        for label, periods in provenance.dropna(subset=["period"]).groupby("indicator")[
                "period"]:
            # every district's value comes from the declared period, never an older one
            assert set(periods) <= declared[label], label


def test_research_funding_is_the_register_total(observatory):
    from placelens.analysis.networks import Period, value_in_period

    projects = observatory.warehouse.table("rd_projects")
    funding = observatory.indicators.table("ukri_research_grants_gbp")
    for year in (2015, 2016, 2017):
        register = value_in_period(projects, Period(year, year)).sum()
        placed = funding.loc[funding["period"] == str(year), "value"].sum()
        # about £1.7-1.8bn a year; only grants led from Northern Ireland or from unplaced
        # organisations are missing
        assert 0.95 * register <= placed <= register
        assert register > 1.6e9
    latest = funding[funding["period"] == "2017"]
    # zeros, not gaps, for the 350 districts of Great Britain; Northern Ireland's 11 are
    # unknown (no NI postcodes in Code-Point Open), not zero
    assert len(latest) == 350 and (latest["value"] == 0).sum() > 100
    assert not latest["area_code"].str.startswith("N09").any()
    table, _ = observatory.benchmark.indicator_set_table("lad_innovation")
    per_head = table["UKRI research grants led per head"]
    assert per_head["E07000008"] > 10 * per_head["E08000003"] / 10  # Cambridge vs Manchester
    assert per_head["E07000008"] > 100  # hundreds of pounds per head, not 64 pence


def test_district_scores_say_how_much_is_regional(observatory):
    full = observatory.benchmark.innovation_index(draws=50)
    local = observatory.benchmark.innovation_index("lad_innovation_local", draws=50)
    assert 0.5 < full.between_nuts3_share <= 1
    assert local.between_nuts3_share < full.between_nuts3_share
    specs = observatory.benchmark.indicator_set("lad_innovation_local").indicators
    assert not any(s.regional for s in specs)


def test_rank_intervals_cover_dropping_any_one_indicator(observatory):
    from placelens import validity

    checks = validity.index_checks(observatory)
    # was about 0.5 when intervals ignored dropping an indicator (325 of 357 districts fell
    # outside their interval for some indicator)
    assert checks["left_out_ranks_inside_interval"] > 0.85
    assert checks["ranked"] == 361   # 357 before the 2023 unitaries got predecessor values

def test_real_neighbours_are_districts_with_reasons(observatory):
    table = observatory.benchmark.similar_places(observatory.place("Birmingham"), k=5)
    assert len(table) == 5 and table["distance"].is_monotonic_increasing
    assert "E08000025" not in set(table["neighbour"])
    with pytest.raises(ValueError, match="published for ITL3 areas only"):
        observatory.benchmark.similar_places(observatory.place("Greater Manchester"),
                                             set_name="itl3_economic")


def test_real_itl3_index_uses_all_years_and_reports_change(observatory):
    index = observatory.benchmark.innovation_index("itl3_innovation", draws=100)
    scores = index.table
    assert len(scores) == 179 and scores["change"].notna().sum() > 100
    history = index.history
    assert set(history["period"]) == {"2014", "2015", "2016", "2017"}
    # change is on an identical basket: every compared area has the same indicators both years
    changed = scores.dropna(subset=["change"])
    assert (changed["indicators_compared"] >= 5).all()  # 60% of 7, as for a rank
    # Scottish areas carry NUTS 2013 codes in the 2014 Nesta tables: too few comparable
    assert np.isnan(scores.loc["TLM75", "change"])
    top = changed.sort_values("change").tail(5)
    assert not {"TLJ41", "TLH32"} & set(top.index)  # Medway, Thurrock: basket artefacts
    # every change is decomposed: contributions add up to it
    parts = changed.filter(like="contribution: ").sum(axis=1)
    assert parts.to_numpy() == pytest.approx(changed["change"].to_numpy())
    # min–max over all areas and years: each indicator spans exactly 0 to 1 over the panel
    from placelens.indicator_sets import area_panel

    spec = observatory.benchmark.indicator_set("itl3_innovation")
    panel = area_panel(observatory.indicators, spec, "ITL3", list(spec.years))
    normalised, _ = ci.normalised_indicators(panel)
    assert normalised.min().tolist() == pytest.approx([0.0] * normalised.shape[1])
    assert normalised.max().tolist() == pytest.approx([1.0] * normalised.shape[1])
    assert scores.loc[scores["sufficient"], "rank"].max() == scores["sufficient"].sum()
    # Northern Ireland's ITL3 codes (TLN0A…) differ from its NUTS 2016 codes (UKN10…): mapped
    # they now get Innovate UK funding and broadband speed (4 of 7 indicators; APS skills are
    # not published for NI and NI grants cannot be placed), still short of the 60% minimum
    northern_ireland = scores[scores.index.str.startswith("TLN")]
    assert len(northern_ireland) == 11 and (northern_ireland["indicators"] == 4).all()
    assert not northern_ireland["sufficient"].any()
    neighbours = observatory.benchmark.similar_places(observatory.place("TLD33"), k=3)
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


def test_growth_backtest_on_persistent_growth_beats_the_baselines():
    from placelens.analysis import emerging as em

    years = [str(y) for y in range(2000, 2012)]
    rates = np.linspace(0.0, 0.1, 20)
    start = np.random.default_rng(1).permutation(np.linspace(50, 150, 20))  # level ≠ growth
    panel = pd.DataFrame([[s0 * (1 + r) ** i for i in range(len(years))]
                          for s0, r in zip(start, rates, strict=True)],
                         index=[f"p{i}" for i in range(20)], columns=years)
    windows = em.rolling_windows(years, span=4)
    assert windows == [("2002", "2006", "2010"), ("2003", "2007", "2011")]
    backtest = em.growth_backtest(panel, windows)
    signal = backtest[backtest["predictor"] == em.SIGNAL]
    assert signal["auc"].tolist() == pytest.approx([1.0, 1.0]) and (signal["areas"] == 20).all()
    reliable, words = em.verdict(backtest)
    assert reliable and words.startswith("Reliable signal")


def test_growth_that_reverts_gets_no_label():
    from placelens.analysis import emerging as em

    # growth alternates between two regimes: fast growers in one window are slow in the
    # next, and low levels catch up, so earlier growth loses to the 'low level' baseline.
    rng = np.random.default_rng(2)
    rows = []
    for _ in range(40):
        rate = rng.uniform(0, 0.1)
        level, values = 100.0, []
        for year in range(12):
            values.append(level)
            level *= 1 + (rate if (year // 4) % 2 == 0 else 0.1 - rate)
        rows.append(values)
    panel = pd.DataFrame(rows, columns=[str(y) for y in range(2000, 2012)])
    backtest = em.growth_backtest(panel, [("2000", "2004", "2008")], window=1)
    reliable, words = em.verdict(backtest)
    assert not reliable and words.startswith("No reliable signal")
    table = em.magnitude_and_growth(panel, "2000", "2004", window=1)
    labels = em.label(table, reliable, large_enough=pd.Series(True, index=table.index))
    assert set(labels) == {em.NO_SIGNAL}
    small = pd.Series([False] + [True] * 39, index=table.index)
    assert em.label(table, True, small).iloc[0] == em.TOO_SMALL


def _type_signals():
    return pd.DataFrame({
        "population": [900_000, 500_000, 120_000, 110_000, 80_000, 60_000],
        "density": [40.0, 14.0, 20.0, 5.0, 0.5, 10.0],
        "jobs": [600_000.0, 300_000.0, 60_000.0, 50_000.0, 30_000.0, 20_000.0],
        "rural_share": [0.0, 0.05, 0.1, 0.15, 0.9, 0.1],
        "ki_lq": [1.1, 4.0, 5.0, 1.0, np.nan, 6.0],
        "ki_industry": ["K (64-66)", "72-75", "CI-CL (26-30)", "69", None, "61-63"],
        "rd_organisations": [300, 120, 40, 12, 3, 5],
        "rd_region_link_share": [0.2, 0.3, 0.1, 0.05, np.nan, 0.9],
        "collaboration_excess": [0.9, 2.0, 1.5, 0.5, np.nan, 9.0]}, index=list("abcdef"))


def test_place_type_rules_by_hand():
    from placelens.analysis import place_types as pt

    signals = _type_signals()
    # jobs 70th percentile = 180,000 (between 60,000 and 300,000) → a and b are large
    # enough; KI LQ 50th percentile of
    # (1.1, 4, 5, 1, 6) = 4; b and c are specialised and collaborate locally more than size
    # predicts; f is specialised and very local but has only 5 R&D organisations (not
    # measured); e is rural although its industries are suppressed (no KI LQ).
    rules = pt.TypeRules(hub_jobs_quantile=0.7, links_ki_quantile=0.5)
    types = pt.classify(signals, rules).table
    kinds = types["type"]
    assert kinds["a"] == "urban hub"
    assert kinds["b"] == "urban hub and local links"
    assert kinds["c"] == "local links"
    assert kinds["d"] == "urban, neither hub nor local links"
    assert kinds["e"] == "rural"
    assert kinds["f"] == "urban, neither hub nor local links"
    assert "not measured" in types.loc["f", "reason"]
    assert "R&D" in types.loc["b", "reason"] and "2.0×" in types.loc["b", "reason"]


def test_local_collaboration_null_model_by_hand():
    from placelens.analysis import place_types as pt

    weight = pd.Series({"a": 10.0, "b": 30.0, "c": 60.0, "d": 0.0})
    share = pd.Series({"a": 0.8, "b": 0.4, "c": 0.9, "d": np.nan})
    region = pd.Series({"a": "r", "b": "r", "c": "s", "d": "s"})
    out = pt.collaboration_excess(weight, share, region)
    # region r holds 40 of 100 units of link weight: expected share 0.4 for a and b
    assert out.loc["a", "expected_region_share"] == pytest.approx(0.4)
    assert out.loc["a", "collaboration_excess"] == pytest.approx(2.0)
    assert out.loc["b", "collaboration_excess"] == pytest.approx(1.0)
    assert out.loc["c", "collaboration_excess"] == pytest.approx(1.5)
    assert np.isnan(out.loc["d", "collaboration_excess"])  # no links: not measured


def test_knowledge_intensive_specialisation_ignores_small_and_suppressed():
    from placelens.analysis import place_types as pt

    lq = pd.DataFrame({"72-75": [3.0, np.nan, 0.5], "K (64-66)": [1.5, np.nan, 8.0],
                       "47": [9.0, 9.0, 9.0]}, index=["a", "b", "c"])
    share = pd.DataFrame({"72-75": [0.05, np.nan, 0.02], "K (64-66)": [0.02, np.nan, 0.005],
                          "47": [0.1, 0.1, 0.1]}, index=["a", "b", "c"])
    out = pt.knowledge_intensive_specialisation(lq, share)
    assert out.loc["a", "ki_lq"] == 3.0 and out.loc["a", "ki_industry"] == "72-75"
    assert np.isnan(out.loc["b", "ki_lq"])          # all suppressed; retail is not KI
    assert out.loc["c", "ki_lq"] == 0.5              # finance under 1% of GVA is left out


def test_type_stability_counts_agreeing_variants():
    from placelens.analysis import place_types as pt

    stability = pt.threshold_stability(_type_signals(), pt.TypeRules(
        hub_jobs_quantile=0.6, links_ki_quantile=0.5))
    assert ((stability > 0) & (stability <= 1)).all()
    assert stability["e"] == 1.0  # 90% rural under every variant


def test_typology_is_deterministic_and_complete():
    from placelens.analysis import place_types as pt

    rng = np.random.default_rng(3)
    signals = pd.DataFrame({"population": rng.lognormal(11, 1, 60),
                            "density": rng.lognormal(1, 1, 60),
                            "jobs": rng.lognormal(10, 1, 60),
                            "rural_share": rng.random(60)})
    first, second = pt.typology(signals, seed=1), pt.typology(signals, seed=1)
    assert first.groups.equals(second.groups)
    assert set(first.groups) == {1, 2, 3, 4}
    assert list(first.centres.index) == [1, 2, 3, 4]


def test_real_place_types_and_emerging(observatory):
    found = observatory.benchmark.place_types()
    types = found.table
    assert len(types) == 361 and set(found.thresholds) >= {"jobs", "ki_lq"}
    assert (types["type"] == "not classified").sum() == 0
    name = types.set_index("name")["type"]
    # rural does not depend on industry suppression
    for rural in ("Cornwall", "Orkney Islands", "Shetland Islands", "Na h-Eileanan Siar",
                  "Argyll and Bute"):
        assert name[rural] == "rural", rural
    # hubs judged on built-up scale, not district density
    for hub in ("Leeds", "Sheffield", "City of Edinburgh", "Bradford", "Manchester",
                "Birmingham"):
        assert name[hub].startswith("urban hub"), hub
    assert name["Walsall"] == "urban, neither hub nor local links"
    # local links are knowledge-intensive tradable specialisations, never health, defence
    # bases or wholesale
    links = types[types["type"].str.endswith("local links") & ~types["type"].str.startswith(
        "urban, neither")]
    assert len(links) >= 10
    assert links["ki_industry"].notna().all() and (links["collaboration_excess"] >= 1).all()
    for not_links in ("Blackpool", "Gosport", "Thurrock"):
        assert "local links" not in name[not_links].replace("neither hub nor local links", "")
    assert (types["type_stability"] > 0.5).all()
    industries = observatory.benchmark.emerging_activities(observatory.place("Cardiff"))
    assert len(industries.table) == 36 and industries.table["growth"].is_monotonic_decreasing


def test_real_emerging_labels_only_where_the_backtest_beats_the_baseline(observatory):
    from placelens.analysis import emerging as em
    from placelens.defaults import EMERGING_WINDOW

    # smoothed current-price productivity: growth loses to "low current level" (catch-up)
    productivity = observatory.benchmark.emerging_places("gva_per_hour_gbp", "2017", "2022")
    means = productivity.backtest.groupby("predictor")["auc"].mean()
    assert means[em.SIGNAL] < means["low current level"]
    assert not productivity.reliable
    assert set(productivity.table["class"].dropna()) == {em.NO_SIGNAL}
    # real GVA: the verdict follows the figures, whichever way they fall
    real = observatory.benchmark.emerging_places()
    means = real.backtest.groupby("predictor")["auc"].mean()
    beats = means[em.SIGNAL] >= means[list(em.BASELINES)].max() + 0.02
    assert real.reliable == bool(beats and (real.backtest.loc[
        real.backtest["predictor"] == em.SIGNAL, "auc"] > 0.5).all())
    assert (set(real.table["class"].dropna()) <= {"emerging", "leading", "established",
                                                  "other"}) == real.reliable
    # industries: tiny sectors are never labelled (agriculture in Westminster)
    westminster = observatory.benchmark.emerging_activities(observatory.place("Westminster"))
    assert westminster.table.loc["AB (1-9)", "class"] == em.TOO_SMALL
    assert westminster.table.loc["AB (1-9)", "share_of_gva"] < 0.01
    if not westminster.reliable:
        assert (westminster.table["class"] != "emerging").all()
    assert EMERGING_WINDOW == ("2018", "2023")
    import json

    payload = json.loads(json.dumps(real.to_dict()))
    assert payload["reliable"] == real.reliable and len(payload["rows"]) == len(real.table)
    assert real.summary() == real.verdict and real.tidy() is not real.table


def test_cli_and_api_name_the_same_emerging_industries(observatory, warehouse_path):
    from typer.testing import CliRunner

    from placelens.cli import app

    result = CliRunner().invoke(app, ["benchmark", "emerging", "--place", "Cardiff",
                                      "--warehouse", str(warehouse_path)],
                                env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Back-test" in result.output and "2018–2023" in result.output
    api = observatory.benchmark.emerging_activities(observatory.place("Cardiff"))
    assert api.verdict.split(":")[0] in result.output


def test_per_head_values_are_regional_totals_over_the_same_year_population(observatory):
    table, provenance = observatory.benchmark.indicator_set_table("lad_innovation")
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


def test_validity_command_prints_every_check(warehouse_path):
    from typer.testing import CliRunner

    from placelens.cli import app

    result = CliRunner().invoke(app, ["benchmark", "validity", "--warehouse",
                                      str(warehouse_path)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for text in ("left out lie inside the rank interval", "agree with the size rule",
                 "Emerging: mean AUC", "Place types", "Opportunities: AUC"):
        assert text in result.output


def test_register_sources_give_zero_not_missing(observatory):
    table, provenance = observatory.benchmark.indicator_set_table("lad_innovation")
    innovate = table["Innovate UK funding per head"]
    zero = innovate[innovate == 0].index
    assert len(zero) > 0
    funding = observatory.indicators.table("nesta_gbp_innovate_uk_funding")
    listed = provenance[(provenance["indicator"] == "Innovate UK funding per head")
                        ].set_index("area")["source_area"]
    filled = 0
    for area in zero:
        rows = funding[funding["area_code"] == listed[area]]
        assert len(rows) > 0                         # a region the register lists ...
        this_year = rows.loc[rows["period"] == "2019", "value"]
        assert this_year.empty or (this_year == 0).all()  # ... with no grant in 2019
        filled += this_year.empty
    assert filled > 0  # some zeros come from absent rows, which were gaps before
    # an area the register never lists stays missing
    assert innovate.isna().sum() < 15


def test_index_result_protocol_round_trip(observatory):
    import json

    index = observatory.benchmark.innovation_index(draws=50)
    tidy = index.tidy()
    tidy.loc[tidy.index[0], "index"] = -1.0          # a copy: the cached result is unchanged
    assert observatory.benchmark.innovation_index(draws=50).table["index"].min() >= 0
    payload = json.loads(json.dumps(index.to_dict()))
    assert payload["set"] == "lad_innovation" and len(payload["areas"]) == 361
    cambridge = next(a for a in payload["areas"] if a["area"] == "E07000008")
    assert cambridge["index"] == pytest.approx(index.table.loc["E07000008", "index"])
    itl3 = json.loads(json.dumps(observatory.benchmark.innovation_index(
        "itl3_innovation", draws=50).to_dict()))["areas"]
    unranked = next(a for a in itl3 if not a["sufficient"])   # Northern Ireland
    assert unranked["rank"] is None                  # NaN becomes null
    assert "areas ranked" in index.summary()
