"""Collaboration networks on hand-built cases whose metrics are worked out by hand."""

from __future__ import annotations

import networkx
import numpy as np
import pandas as pd
import pytest

from placelens.analysis import network_structure
from placelens.analysis import networks as nw
from placelens.analysis.communities import leiden_ensemble

# Four organisations in three districts (D is abroad, no district):
#   P1 (2015, £300): A (lead), B, C  -> k = 3, each pair gets 300 / 2 = 150
#   P2 (2015, £100): A (lead), D     -> k = 2, pair gets 100
#   P3 (2015, £60):  B (lead), C     -> k = 2, pair gets 60
#   P4 (2012, £999): A, B            -> outside the 2015 period
ORGS = pd.DataFrame({"name": ["Uni A", "Firm B", "Council C", "Lab D"],
                     "area_code": ["X1", "X1", "X2", None],
                     "actor_type": ["research", "business", "public", "research"]},
                    index=pd.Index(["A", "B", "C", "D"], name="org_id"))
PROJECTS = pd.DataFrame({
    "project_id": ["P1", "P2", "P3", "P4"],
    "start_date": pd.to_datetime(["2015-01-01", "2015-03-01", "2015-06-01", "2012-01-01"]),
    "end_date": pd.to_datetime(["2015-12-31", "2015-09-30", "2015-07-31", "2012-12-31"]),
    "value_gbp": [300.0, 100.0, 60.0, 999.0], "lead_org_id": ["A", "A", "B", "A"]})
PARTICIPANTS = pd.DataFrame({
    "project_id": ["P1", "P1", "P1", "P2", "P2", "P3", "P3", "P4", "P4"],
    "org_id": ["A", "B", "C", "A", "D", "B", "C", "A", "B"],
    "is_lead": [True, False, False, True, False, True, False, True, False]})
PERIOD = nw.Period(2015, 2015)


@pytest.fixture
def network():
    return nw.build_network(PROJECTS, PARTICIPANTS, ORGS, PERIOD)


def test_value_in_period_is_pro_rata_to_days():
    projects = pd.DataFrame({"project_id": ["Q"], "start_date": [pd.Timestamp("2014-07-02")],
                             "end_date": [pd.Timestamp("2015-07-01")], "value_gbp": [365.0]})
    # 365 days in all, 182 of them (1 Jan - 1 Jul 2015) inside 2015.
    assert nw.value_in_period(projects, PERIOD)["Q"] == pytest.approx(182.0)
    assert np.isnan(nw.value_in_period(projects, nw.Period(2017, 2018))["Q"])


def test_period_parse_and_errors():
    assert nw.Period.parse("2012-2014") == nw.Period(2012, 2014)
    assert nw.Period.parse("2015").label == "2015"
    with pytest.raises(ValueError, match="ends before"):
        nw.Period.parse("2015-2012")
    with pytest.raises(ValueError, match="YEAR"):
        nw.Period.parse("recent")


def test_edges_are_weighted_by_funding_over_k_minus_one(network):
    edges = network.edges.set_index(["source", "target"])
    assert edges.loc[("A", "B"), "weight"] == pytest.approx(150)
    assert edges.loc[("A", "C"), "weight"] == pytest.approx(150)
    assert edges.loc[("B", "C"), "weight"] == pytest.approx(150 + 60)
    assert edges.loc[("B", "C"), "projects"] == 2
    assert edges.loc[("A", "D"), "weight"] == pytest.approx(100)
    assert len(edges) == 4  # P4 is outside the period
    orgs = network.organisations
    assert orgs.loc["A", "projects"] == 2 and orgs.loc["A", "lead_projects"] == 2
    assert orgs.loc["A", "lead_value_gbp"] == pytest.approx(400)
    assert orgs.loc["B", "value_gbp"] == pytest.approx(360)


def test_place_metrics_by_hand(network):
    metrics = nw.place_metrics(network, ["X1", "X2", "X3"], region_of=pd.Series(
        {"X1": "R", "X2": "R", "X3": "S"}))
    x1, x2, x3 = metrics.loc["X1"], metrics.loc["X2"], metrics.loc["X3"]
    assert x1["active_organisations"] == 2 and x1["active_research"] == 1
    assert x1["active_business"] == 1 and x2["active_public"] == 1
    assert x3["active_organisations"] == 0 and x3["projects"] == 0
    # X1 takes part in P1, P2, P3 (each counted once): £460.
    assert x1["projects"] == 3 and x1["value_gbp"] == pytest.approx(460)
    # Local leads in X1: A (£400 led) and B (£60): HHI = (400/460)^2 + (60/460)^2.
    assert x1["lead_organisations"] == 2
    # Lead roles: A leads P1 and P2, B leads P3 -> (2/3)^2 + (1/3)^2.
    assert x1["lead_roles_hhi"] == pytest.approx(5 / 9)
    assert x1["lead_value_hhi"] == pytest.approx((400 / 460) ** 2 + (60 / 460) ** 2)
    # X2's projects P1 (led by A, £300) and P3 (led by B, £60): 1 / HHI.
    assert x2["effective_deciders"] == pytest.approx(1 / ((300 / 360) ** 2 + (60 / 360) ** 2))
    # X1's links: A-B 150 (local), A-C 150, B-C 210, A-D 100 -> local 150 of 610.
    assert x1["link_weight"] == pytest.approx(610)
    assert x1["local_link_share"] == pytest.approx(150 / 610)
    assert x1["region_link_share"] == pytest.approx((150 + 150 + 210) / 610)
    assert x1["unplaced_link_share"] == pytest.approx(100 / 610)
    assert x2["local_link_share"] == 0 and x2["region_link_share"] == pytest.approx(1.0)
    assert np.isnan(x3["local_link_share"])


def test_place_metrics_of_areas_where_nobody_takes_part(network):
    metrics = nw.place_metrics(network, ["X3", "NOWHERE"])
    assert metrics["active_organisations"].tolist() == [0, 0]
    assert metrics["projects"].tolist() == [0, 0] and metrics["link_weight"].tolist() == [0, 0]
    assert metrics["effective_deciders"].isna().all()
    # asked alone or among others, an area's figures are the same
    pd.testing.assert_series_equal(nw.place_metrics(network, ["X1"]).loc["X1"],
                                   nw.place_metrics(network, ["X1", "X2", "X3"]).loc["X1"])


def test_place_links_aggregate_organisation_links(network):
    links = network_structure.place_links(network).set_index(["origin", "destination"])
    assert links.loc[("X1", "X1"), "weight"] == pytest.approx(150)
    assert links.loc[("X1", "X2"), "weight"] == pytest.approx(150 + 210)
    assert links.loc[("X1", "X2"), "links"] == 2
    assert len(links) == 2  # D has no district


def test_betweenness_by_hand_and_against_networkx():
    # Path A - B - C: B lies on the only shortest path between A and C -> normalised 1.
    path = nw.CollaborationNetwork(
        PERIOD, ORGS.loc[["A", "B", "C"]],
        pd.DataFrame({"source": ["A", "B"], "target": ["B", "C"], "projects": [1, 1],
                      "weight": [1.0, 1.0]}), pd.DataFrame())
    assert nw.betweenness(path).tolist() == pytest.approx([0.0, 1.0, 0.0])
    rng = np.random.default_rng(4)
    graph = networkx.gnm_random_graph(60, 150, seed=4)
    names = [f"o{i:02d}" for i in range(60)]
    orgs = pd.DataFrame({"name": names, "area_code": "X", "actor_type": "business"},
                        index=pd.Index(names, name="org_id"))
    edges = pd.DataFrame([(names[a], names[b]) for a, b in graph.edges],
                         columns=["source", "target"]).assign(projects=1,
                                                              weight=rng.random(150))
    ours = nw.betweenness(nw.CollaborationNetwork(PERIOD, orgs, edges, pd.DataFrame()))
    theirs = networkx.betweenness_centrality(graph, normalized=True)
    assert ours.to_numpy() == pytest.approx([theirs[i] for i in range(60)])


def test_new_actor_share(network):
    earlier = nw.build_network(PROJECTS, PARTICIPANTS, ORGS, nw.Period(2012, 2012))
    share = nw.new_actor_share(earlier, network, ["X1", "X2", "X3"])
    # 2012: A, B active. 2015: X1 has A, B (none new); X2 has C (new).
    assert share["X1"] == 0 and share["X2"] == 1 and np.isnan(share["X3"])


def test_subnetwork_keeps_links_between_kept_organisations(network):
    placed = network.organisations["area_code"].notna()
    sub = nw.subnetwork(network, placed)
    assert list(sub.organisations.index) == ["A", "B", "C"]
    assert len(sub.edges) == 3


def test_leiden_ensemble_finds_two_cliques_deterministically():
    # Two 5-cliques joined by one edge.
    pairs = [(a, b) for group in (range(5), range(5, 10)) for a in group for b in group if a < b]
    pairs.append((4, 5))
    sources, targets = np.array(pairs).T
    first = leiden_ensemble(10, sources, targets, np.ones(len(pairs)), runs=5, seed=3)
    again = leiden_ensemble(10, sources, targets, np.ones(len(pairs)), runs=5, seed=3)
    assert first.membership.tolist() == [0] * 5 + [1] * 5
    assert np.array_equal(first.membership, again.membership)
    assert first.stability == pytest.approx(np.ones(10))
    # Modularity of the split, by hand: m = 21 links; each side has 10 inside and degree sum
    # 21, so Q = 2 * (10/21 - (21/42)^2).
    assert first.quality == pytest.approx(2 * (10 / 21 - (21 / 42) ** 2))


def test_herfindahl():
    assert nw.herfindahl(np.array([1.0, 1.0, 2.0])) == pytest.approx(0.375)
    assert np.isnan(nw.herfindahl(np.array([0.0])))


def test_effective_deciders_fall_back_to_project_counts_without_funding():
    projects = PROJECTS.assign(value_gbp=0.0)
    network = nw.build_network(projects, PARTICIPANTS, ORGS, PERIOD)
    x1 = nw.place_metrics(network, ["X1"]).loc["X1"]
    # X1's projects P1, P2 (led by A) and P3 (led by B): shares 2/3 and 1/3 by count.
    assert x1["effective_deciders"] == pytest.approx(1 / (5 / 9))
    assert np.isnan(x1["lead_value_hhi"])  # no funding led: concentration undefined


def test_project_ending_before_it_starts_is_one_day():
    projects = pd.DataFrame({"project_id": ["Q"], "start_date": [pd.Timestamp("2015-05-01")],
                             "end_date": [pd.Timestamp("2015-04-01")], "value_gbp": [50.0]})
    assert nw.value_in_period(projects, PERIOD)["Q"] == pytest.approx(50.0)
