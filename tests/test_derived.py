"""Derived national tables: stored values come back equal, are used instead of recomputing,
are ignored when the warehouse or the code changed, and a failed derive replaces nothing."""

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from placelens import collaboration
from placelens.analysis.backtest import BacktestResult
from placelens.analysis.networks import CollaborationNetwork, Period
from placelens.api import Observatory
from placelens.derive import derive
from placelens.services.benchmark import BenchmarkService
from placelens.warehouse.derived import DerivedStore, DerivedWriter, store_key


def awkward_frame() -> pd.DataFrame:
    index = pd.MultiIndex.from_tuples([("E1", "2015"), ("E2", "2016"), ("E3", "2017")],
                                      names=["area_code", "period"])
    frame = pd.DataFrame({2015: [1.5, np.nan, -np.inf], "name": ["a", None, "c"],
                          "flag": [True, False, True],
                          "kind": pd.Categorical(["x", "y", "x"])}, index=index)
    frame.columns.name = "column"
    return frame


def test_every_kind_of_value_comes_back_equal(tmp_path):
    series = pd.Series([1, 2], index=pd.Index(["a", "b"], name="k"), name=("gva", 2023))
    network = CollaborationNetwork(Period(2015, 2017), awkward_frame(), pd.DataFrame(),
                                   awkward_frame().reset_index())
    scores = BacktestResult([("2015", "2018")], 10, 2, {"auc": (0.61, (0.55, float("nan")))},
                            pd.DataFrame({"gained": [1, 0]}))
    value = ((network, scores),
             [series, np.arange(4.0).reshape(2, 2), np.int64(7), float("inf"), {3: None}])
    writer = DerivedWriter(tmp_path / "x.derived", "f1", {"built_at": "today"})
    writer.add("Svc('a',)", value, step="one")
    writer.commit({"one": 0.1})

    back = DerivedStore(tmp_path / "x.derived", "f1").get("Svc('a',)")
    (network_back, scores_back), (series_back, array, seven, infinite, keyed) = back
    assert network_back.period == Period(2015, 2017)
    pd.testing.assert_frame_equal(network_back.organisations, awkward_frame())
    pd.testing.assert_frame_equal(network_back.edges, pd.DataFrame())
    pd.testing.assert_frame_equal(network_back.memberships, awkward_frame().reset_index())
    assert scores_back.windows == [("2015", "2018")] and scores_back.gains == 2
    assert scores_back.scores["auc"][0] == 0.61 and np.isnan(scores_back.scores["auc"][1][1])
    assert keyed == {3: None}
    pd.testing.assert_series_equal(series_back, series)
    np.testing.assert_array_equal(array, np.arange(4.0).reshape(2, 2))
    assert (seven, infinite) == (7, float("inf"))


@pytest.mark.parametrize("values", [np.arange(120.0).reshape(3, 40),
                                    np.arange(120).reshape(3, 40) % 7 == 0,
                                    np.empty((0, 40))])
def test_wide_matrices_come_back_equal(tmp_path, values):
    """Wide numeric frames are stored row-wise (one list per row), not column by column."""
    index = pd.MultiIndex.from_tuples([("E1", 2015), ("E2", 2016), ("E3", 2017)][:len(values)],
                                      names=["area_code", "year"])
    matrix = pd.DataFrame(values, index=index, columns=pd.Index(
        [f"s{j}" for j in range(40)], name="sic"))
    matrix.iloc[:1, :1] = np.nan if values.dtype == float else matrix.iloc[:1, :1]
    ranged = pd.DataFrame(np.ones((2, 33)))
    writer = DerivedWriter(tmp_path / "x.derived", "f1", {"built_at": "today"})
    writer.add("m", [matrix, ranged], step="one")
    writer.commit({"one": 0.1})
    entry = json.loads((tmp_path / "x.derived" / "manifest.json").read_text())["entries"]["m"]
    assert [item["matrix"] for item in entry["value"]["list"]] == [True, True]

    back, ranged_back = DerivedStore(tmp_path / "x.derived", "f1").get("m")
    pd.testing.assert_frame_equal(back, matrix)
    pd.testing.assert_frame_equal(ranged_back, ranged)


def test_a_store_is_used_only_for_its_own_fingerprint(tmp_path):
    writer = DerivedWriter(tmp_path / "x.derived", "f1", {})
    writer.add("n", 1, step="s")
    writer.commit({})
    assert DerivedStore(tmp_path / "x.derived", "f1").state == "current"
    stale = DerivedStore(tmp_path / "x.derived", "f2")
    assert stale.state == "stale" and stale.entries == {}
    assert DerivedStore(tmp_path / "none.derived", "f1").state == "missing"


def test_foreign_classes_are_neither_stored_nor_rebuilt(tmp_path):
    @dataclass
    class Local:  # a dataclass outside placelens's modules
        x: int

    Local.__module__ = "elsewhere"
    writer = DerivedWriter(tmp_path / "x.derived", "f", {})
    with pytest.raises(TypeError, match="cannot store a elsewhere"):
        writer.add("n", Local(1), step="s")
    writer.abandon()
    (tmp_path / "y.derived").mkdir()
    (tmp_path / "y.derived" / "manifest.json").write_text(json.dumps({
        "format": 1, "fingerprint": "f", "entries": {
            "n": {"value": {"dataclass": "os:system", "fields": {}}}}}))
    with pytest.raises(ValueError, match="foreign class os:system"):
        DerivedStore(tmp_path / "y.derived", "f").get("n")


@pytest.fixture
def own_warehouse(tmp_path, warehouse_path):
    """The session warehouse under a path of this test's own, so its derived folder is too."""
    link = tmp_path / "placelens.duckdb"
    link.symlink_to(warehouse_path)
    return link


def test_derived_results_equal_computed_ones_and_are_read_not_recomputed(own_warehouse,
                                                                        monkeypatch):
    obs = Observatory(own_warehouse)
    period = obs.collaboration.periods[0]  # place types compute the latest period's network
    report = derive(obs, only=[("place types", obs.benchmark.place_types),
                               ("complexity", obs.complexity.compute),
                               ("network", lambda: obs.collaboration.network(period))])
    # place-type signals and types (with the years, GVA matrix and totals of districts, the
    # organisations, the latest network and its metrics), complexity, and the earliest network
    assert report.tables == 10
    manifest = json.loads((own_warehouse.parent / "placelens.derived" /
                           "manifest.json").read_text())
    assert manifest["warehouse_build"]["built_at"] == str(
        obs.warehouse.table("build_info")["built_at"].iloc[0])
    assert {e["step"] for e in manifest["entries"].values()} == {"place types", "complexity",
                                                                "network"}

    fresh = Observatory(own_warehouse)
    assert fresh.warehouse.derived.state == "current"
    monkeypatch.setattr(BenchmarkService, "place_type_signals",
                        lambda self: pytest.fail("place types were recomputed"))
    stored_types = fresh.benchmark.place_types()
    pd.testing.assert_frame_equal(stored_types.table, obs.benchmark.place_types().table)
    assert stored_types.thresholds == obs.benchmark.place_types().thresholds
    stored = fresh.complexity.compute()
    pd.testing.assert_series_equal(stored.eci, obs.complexity.compute().eci)
    monkeypatch.setattr(collaboration, "classify_organisations",
                        lambda *args: pytest.fail("organisations were classified again"))
    pd.testing.assert_frame_equal(fresh.collaboration.organisations,
                                  obs.collaboration.organisations)
    network = fresh.collaboration.network(period)
    pd.testing.assert_frame_equal(network.edges, obs.collaboration.network(period).edges)
    assert store_key("Collaboration", ("network", period)) in manifest["entries"]


def test_a_failed_derive_leaves_the_previous_store(own_warehouse):
    obs = Observatory(own_warehouse)
    derive(obs, only=[("place types", obs.benchmark.place_types)])
    folder = own_warehouse.parent / "placelens.derived"
    before = (folder / "manifest.json").read_text()

    def broken():
        raise RuntimeError("step failed")

    with pytest.raises(RuntimeError, match="step failed"):
        derive(Observatory(own_warehouse), only=[("complexity", obs.complexity.compute),
                                                 ("broken", broken)])
    assert (folder / "manifest.json").read_text() == before
    assert [p.name for p in own_warehouse.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_only_named_national_results_outside_area_sets_are_looked_up(tmp_path):
    from placelens.services.base import ResultCache

    writer = DerivedWriter(tmp_path / "x.derived", "f", {})
    for key in [("index", "lad_innovation", "LAD"), ("index", "lad_innovation", "SET"),
                ("all", "gva")]:
        writer.add(store_key("Svc", key), 1.5, step="s")
    writer.commit({})
    cache = ResultCache("Svc", DerivedStore(tmp_path / "x.derived", "f"), ("index",))
    assert ("index", "lad_innovation", "LAD") in cache  # stored kind: read from the store
    assert cache[("index", "lad_innovation", "LAD")] == 1.5
    assert ("index", "lad_innovation", "SET") not in cache  # user area sets: never read
    assert ("all", "gva") not in cache  # not a kind this service stores
    assert ("index", "lad_innovation", "CA") not in cache  # not stored at all


def test_a_damaged_store_is_ignored_and_results_are_computed(tmp_path):
    from placelens.services.base import ResultCache

    writer = DerivedWriter(tmp_path / "x.derived", "f", {})
    writer.add(store_key("Svc", ("index", "a")), pd.DataFrame({"v": [1.0]}), step="s")
    writer.commit({})
    for table in (tmp_path / "x.derived" / "tables").iterdir():
        table.write_bytes(table.read_bytes()[:20])  # a cut Parquet file
    cache = ResultCache("Svc", DerivedStore(tmp_path / "x.derived", "f"), ("index",))
    assert ("index", "a") not in cache  # so the service computes it
    manifest = tmp_path / "x.derived" / "manifest.json"
    manifest.write_text(manifest.read_text()[:50])  # a cut manifest
    damaged = DerivedStore(tmp_path / "x.derived", "f")
    assert damaged.state == "damaged" and damaged.entries == {}


@pytest.mark.parametrize("damage", ["cut", "plain table", "wrong width"])
def test_a_damaged_matrix_is_ignored_and_computed(tmp_path, damage):
    from placelens.services.base import ResultCache

    writer = DerivedWriter(tmp_path / "x.derived", "f", {})
    writer.add(store_key("Svc", ("index", "a")), pd.DataFrame(np.ones((2, 40))), step="s")
    writer.commit({})
    (table,) = (tmp_path / "x.derived" / "tables").iterdir()
    if damage == "cut":
        table.write_bytes(table.read_bytes()[:20])
    elif damage == "plain table":
        pd.DataFrame({"0": [1.0, 2.0]}).to_parquet(table)
    else:
        writer = DerivedWriter(tmp_path / "y.derived", "f", {})
        writer.add("m", pd.DataFrame(np.ones((2, 41))), step="s")
        writer.commit({})
        (other,) = (tmp_path / "y.derived" / "tables").iterdir()
        table.write_bytes(other.read_bytes())  # 41 values a row where 40 columns are named
    cache = ResultCache("Svc", DerivedStore(tmp_path / "x.derived", "f"), ("index",))
    assert ("index", "a") not in cache  # so the service computes it


def test_memberships_by_district_are_stored_and_a_places_leadership_reads_them(
        own_warehouse, monkeypatch):
    obs = Observatory(own_warehouse)
    derive(obs, only=[("leadership inputs (LAD)",
                       lambda: obs.collaboration.leadership_inputs("LAD"))])
    manifest = json.loads((own_warehouse.parent / "placelens.derived" /
                           "manifest.json").read_text())
    assert store_key("Collaboration", ("district_memberships",)) in manifest["entries"]

    fresh = Observatory(own_warehouse)
    monkeypatch.setattr(collaboration.Collaboration, "_read_memberships",
                        lambda self: pytest.fail("memberships were joined again"))
    pd.testing.assert_frame_equal(fresh.collaboration._district_memberships(),
                                  obs.collaboration._district_memberships())
    leeds = obs.place("Leeds")
    pd.testing.assert_frame_equal(fresh.collaboration.leadership(leeds),
                                  obs.collaboration.leadership(leeds))
