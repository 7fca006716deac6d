"""Clusters, opportunities and the back-test: hand-computed cases and real-data checks."""

import numpy as np
import pandas as pd
import pytest

from placelens.analysis import clusters as cl
from placelens.analysis.backtest import auc, average_ranks, backtest, cluster_bootstrap_auc
from placelens.analysis.complexity import complexity
from placelens.analysis.opportunities import opportunities


def test_to_clusters_sums_and_requires_a_mapping():
    x = pd.DataFrame([[1.0, 2.0, 3.0]], index=["r"], columns=["a", "b", "c"])
    assert cl.to_clusters(x, {"a": "k", "b": "k", "c": "m"}).loc["r"].tolist() == [3.0, 3.0]
    with pytest.raises(ValueError, match="no cluster"):
        cl.to_clusters(x, {"a": "k"})


def test_strong_cluster_rules_by_hand():
    # Four places, one cluster "k" and a filler; place d has no k jobs and is excluded.
    jobs = pd.DataFrame({"k": [100.0, 10.0, 50.0, 0.0], "other": [100.0, 990.0, 150.0, 500.0]},
                        index=["a", "b", "c", "d"])
    units = pd.DataFrame({"k": [10.0, 1.0, 2.0, 0.0], "other": [5.0, 5.0, 5.0, 5.0]},
                         index=jobs.index)
    table = cl.strong_clusters(jobs, units).set_index(["area", "cluster"])
    k = table.xs("k", level="cluster")
    assert list(k.index) == ["a", "b", "c"]
    # National k share = 160/1900; LQ a = 0.5 / (160/1900) = 5.9375
    assert k.loc["a", "lq"] == pytest.approx(0.5 / (160 / 1900))
    # 75th percentile of LQ over a, b, c is between c and a: only a passes; a is also above
    # the 25th percentiles of jobs (10 < 30) and establishments ...
    assert k["lq_high"].tolist() == [True, False, False]
    # ... but with the default minimum of 1,000 jobs even a's 100 jobs are no cluster
    assert not table["strong"].any()
    table = cl.strong_clusters(jobs, units, min_employment=0).set_index(["area", "cluster"])
    k = table.xs("k", level="cluster")
    assert k["strong"].tolist() == [True, False, False]
    share = cl.traded_share_in_strong_clusters(table.reset_index(), local=frozenset())
    # a: strong k jobs 100 (other is not strong for a) of 200 traded jobs
    assert share["a"] == pytest.approx(100 / 200)


def test_segment_labels_are_readable_and_keep_the_code():
    assert cl.segment_label("services_real_state") == "Services: real estate"
    assert cl.segment_label("services_r_&_d") == "Services: R&D"
    assert cl.segment_label("manufacture_machinery_tools") == \
        "Manufacturing: machinery and tools"
    assert cl.segment_label("services_computing") == "Services: computing"
    assert "services_real_state" in cl.LOCAL_SEGMENTS  # the published identifier still joins
    assert not cl.is_tradable("services_education_primary")
    assert cl.is_tradable("manufacture_pharmaceuticals")


def test_quadrants_by_hand():
    rca = pd.DataFrame({"i": [2.0, 0.5], "j": [1.5, 0.8]}, index=["a", "b"])
    density = pd.DataFrame({"i": [0.6, 0.2], "j": [0.1, 0.3]}, index=["a", "b"])
    q = cl.quadrants(rca, density).set_index(["area", "activity"])
    # mean density: i 0.4, j 0.2 → relative a,i 1.5; a,j 0.5; b,i 0.5; b,j 1.5
    assert q.loc[("a", "i"), "quadrant"] == "strength"
    assert q.loc[("a", "j"), "quadrant"] == "threat"
    assert q.loc[("b", "i"), "quadrant"] == "weakness"
    assert q.loc[("b", "j"), "quadrant"] == "opportunity"
    assert q.loc[("b", "j"), "possible_entrant"]  # RCA 0.8 >= 0.75


def test_auc_by_hand_with_ties():
    scores = np.array([0.9, 0.5, 0.5, 0.1])
    outcomes = np.array([1, 1, 0, 0])
    # pairs (pos, neg): (0.9,0.5)=1, (0.9,0.1)=1, (0.5,0.5)=0.5, (0.5,0.1)=1 → 3.5 / 4
    assert auc(scores, outcomes) == pytest.approx(0.875)


def test_average_ranks_by_hand_and_as_scipy():
    assert average_ranks(np.array([0.9, 0.5, 0.5, 0.1])).tolist() == [4.0, 2.5, 2.5, 1.0]
    from scipy.stats import rankdata

    values = np.random.default_rng(3).integers(0, 20, 500).astype(float)  # many ties
    np.testing.assert_array_equal(average_ranks(values), rankdata(values))


def test_cluster_bootstrap_equals_resampling_by_hand():
    rng = np.random.default_rng(1)
    scores = rng.random(300).round(2)
    outcomes = rng.random(300) < 0.3
    groups = rng.integers(0, 12, 300)
    weights = rng.multinomial(12, np.full(12, 1 / 12), size=5).astype(float)
    fast = cluster_bootstrap_auc(scores, outcomes, groups, weights)
    for draw, w in enumerate(weights):
        rows = np.concatenate([np.flatnonzero(groups == g) for g in range(12)
                               for _ in range(int(w[g]))])
        assert fast[draw] == pytest.approx(auc(scores[rows], outcomes[rows]))


def _matrix(seed, rows=30, cols=20):
    rng = np.random.default_rng(seed)
    values = rng.lognormal(2, 1.2, (rows, cols)) * (rng.random((rows, cols)) > 0.3)
    return pd.DataFrame(values, index=[f"r{i:02d}" for i in range(rows)],
                        columns=[f"p{j:02d}" for j in range(cols)])


def test_backtest_counts_cases_and_reports_each_predictor():
    start = _matrix(0)
    end = start * np.random.default_rng(1).lognormal(0, 0.4, start.shape)
    result = backtest({"t0": start, "t1": end}, [("t0", "t1")], draws=50)
    absent = (complexity(start).presence == 0).to_numpy().sum()
    assert result.cases == absent
    assert set(result.scores) == {"density", "size", "rca", "density+size", "density+rca"}
    value, (low, high) = result.scores["rca"]
    assert low <= value <= high
    with pytest.raises(ValueError, match="not in the panel"):
        backtest({"t0": start}, [("t0", "t9")])


def test_opportunities_are_absent_activities_with_reasons():
    result = complexity(_matrix(2))
    table = opportunities(result, "r03", top=5, label="Place R3")
    assert (result.presence.loc["r03", table.index] == 0).all()
    assert len(table) <= 5 and table["why"].str.contains("Place R3").all()
    by_density = opportunities(result, "r03", by="density", top=3)
    assert by_density["density"].is_monotonic_decreasing
    excluded = set(by_density.index[:2])
    without = opportunities(result, "r03", by="density", top=3, exclude=excluded)
    assert not excluded & set(without.index)
    with pytest.raises(ValueError, match="by must be one of"):
        opportunities(result, "r03", by="magic")


def test_real_data_complexity_clusters_and_opportunities(observatory):
    result = observatory.complexity.compute("lad-gva", "2023")
    assert len(result.eci) == 361
    assert "GVA per hour" in result.orientation
    assert result.eci["E09000001"] > 0  # the City of London is complex under this orientation
    gm = observatory.complexity.place_complexity(observatory.place("Greater Manchester"), "2023")
    assert 1 <= gm.rank <= 361 and not gm.withheld
    cornwall = observatory.complexity.place_complexity(observatory.place("Cornwall"), "2023")
    assert cornwall.withheld and cornwall.eci is None  # 27 of 36 industries suppressed
    assert cornwall.suppressed > 18 and cornwall.to_dict()["rank"] is None
    assert "withheld" in cornwall.summary()
    clusters = observatory.complexity.clusters()
    assert clusters["area"].nunique() == 39 and clusters["strong"].any()
    assert clusters.loc[clusters["strong"], "employment"].min() >= 1000
    found = observatory.complexity.opportunities(observatory.place("Cardiff"), top=5)
    assert len(found.table) == 5 and (found.table["rca"] < 1).all()


def test_real_opportunities_are_tradable_and_ranked_by_the_best_backtest(observatory):
    found = observatory.complexity.opportunities(observatory.place("Cornwall"), top=40)
    aucs = {name: value for name, (value, _) in found.backtest.scores.items()}
    best = max(("density+rca", "density", "rca"), key=aucs.get)
    assert found.ranking_from_backtest and {"density+rca": "feasibility"}.get(
        best, best) == found.ranking
    names = " ".join(found.table["name"]).lower()
    for local in ("primary education", "residential", "retail sale of carpets"):
        assert local not in names
    every = observatory.complexity.opportunities(observatory.place("Cornwall"), top=400,
                                      tradable_only=False)
    assert len(every.table) > len(observatory.complexity.opportunities(
        observatory.place("Cornwall"), top=400).table)
    assert not found.table["cluster"].str.contains("_").any()  # readable names
    assert "back-tests best" in found.summary()
    import json

    payload = json.loads(json.dumps(found.to_dict()))
    assert payload["ranking"] == found.ranking and len(payload["activities"]) == 40
    assert payload["backtest"]["rca"]["auc"] == pytest.approx(found.backtest.scores["rca"][0])


def test_real_backtest_agrees_with_independent_calculations(observatory):
    from sklearn.metrics import roc_auc_score  # scikit-learn comes with the peer package

    from placelens.analysis.specialisation import location_quotients

    result = observatory.complexity.backtest("nuts2-sic4-jobs", [("2015", "2018")], draws=200)
    start = observatory.complexity.matrix("nuts2-sic4-jobs", "2015")
    end = observatory.complexity.matrix("nuts2-sic4-jobs", "2018")
    lq0 = location_quotients(start, missing="zero")
    lq1 = location_quotients(end.reindex_like(start), missing="zero")
    kept = lq0.columns[(lq0 >= 1).any()]  # activities present somewhere in 2015
    absent = lq0[kept] < 1
    assert result.cases == int(absent.to_numpy().sum())
    assert result.gains == int(((lq1[kept] >= 1) & absent).to_numpy().sum())
    table = result.table
    for name in ("density", "size", "rca"):
        assert result.scores[name][0] == pytest.approx(
            roc_auc_score(table["gained"], table[name]))
