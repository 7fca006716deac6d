"""The heavy aggregations written once (#18): disclosure control worked by hand, place links,
area flows and re-aggregation on small cases, a pandas reference on a synthetic register, and
DuckDB and Spark (local[2]) giving identical cells, location quotients and ECI for the same
input. Spark runs where pyspark is installed (CI installs the spark extra and Java)."""

from __future__ import annotations

import os

import ibis
import numpy as np
import pandas as pd
import pytest

from placelens.errors import InputError
from placelens.scale.aggregations import (
    area_activity_cells,
    area_flows,
    place_links,
    reaggregate,
)
from placelens.scale.backends import canonical, connect
from placelens.scale.disclosure import DisclosureRule
from placelens.scale.synthetic_register import register_chunks, write_register
from placelens.services.microdata import CELL_KEYS, build_matrices


def _spark_available() -> bool:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        if os.environ.get("CI"):
            raise RuntimeError("CI needs pyspark (the spark extra) for the Spark tests") from None
        return False
    return True


BACKENDS = ["duckdb", pytest.param("spark", marks=pytest.mark.skipif(
    not _spark_available(), reason="pyspark is not installed (pip install '.[spark]')"))]


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request):
    return request.param, connect(request.param)


def _firms(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["firm_id", "year", "area_code", "activity",
                                       "employment"])


def _hand_register() -> pd.DataFrame:
    """Four cells: A×X passes (10 firms, largest 60 of 125 = 48%); A×Y fails dominance
    (largest 70 of 120 = 58%); B×X fails the threshold (9 firms); B×Y passes (12 firms,
    one of them with two local units of 5 that count as one firm of 10)."""
    rows = [(i, 2020, "A", "X", e) for i, e in enumerate([60, 20, 10] + [5] * 7)]
    rows += [(100 + i, 2020, "A", "Y", e) for i, e in enumerate([70, 10] + [5] * 8)]
    rows += [(200 + i, 2020, "B", "X", 10) for i in range(9)]
    rows += [(300 + i, 2020, "B", "Y", 10) for i in range(11)]
    rows += [(311, 2020, "B", "Y", 5), (311, 2020, "B", "Y", 5)]
    return _firms(rows)


def _run(connection, expression, keys):
    return canonical(connection.execute(expression), keys)


def test_disclosure_rules_by_hand(backend):
    _, connection = backend
    register = ibis.memtable(_hand_register())
    cells = _run(connection, area_activity_cells(register, DisclosureRule()), CELL_KEYS)
    assert cells[["area_code", "activity", "units", "released"]].values.tolist() == [
        ["A", "X", 10, True], ["A", "Y", 10, False], ["B", "X", 9, False],
        ["B", "Y", 12, True]]
    assert cells.total.tolist()[0] == 125 and cells.total.tolist()[3] == 120
    assert cells.total.isna().tolist() == [False, True, True, False]   # never leaves
    assert cells.top.tolist()[0] == 60
    looser = _run(connection, area_activity_cells(register, DisclosureRule(
        min_units=9, dominance_n=2, dominance_k=75)), CELL_KEYS)
    # top two: A×X 80/125 = 64%, A×Y 80/120 = 67%: both pass (2, 75); B×X has 9 firms
    assert looser.released.tolist() == [True, True, True, True]


def test_rule_is_checked_and_described():
    with pytest.raises(InputError, match="percentage"):
        DisclosureRule(dominance_k=0)
    with pytest.raises(InputError, match="at least one contributor"):
        DisclosureRule(min_units=0)
    assert DisclosureRule().describe().startswith("cells with fewer than 10 firms, or whose 1 "
                                                  "largest firm(s) hold more than 50%")


def test_place_links_flows_and_reaggregation_by_hand(backend):
    _, connection = backend
    participants = ibis.memtable(pd.DataFrame({
        "project_id": [1, 1, 1, 2, 2, 3, 3],
        "area_code": ["E1", "E2", "E2", "E1", "E2", "E2", "E3"]}))
    links = _run(connection, place_links(participants), ["area_a", "area_b"])
    assert links.values.tolist() == [["E1", "E2", 2], ["E2", "E3", 1]]
    flows = ibis.memtable(pd.DataFrame({"origin": ["m1", "m2", "m3", "m1"],
                                        "destination": ["m2", "m3", "m1", "m9"],
                                        "count": [5, 7, 11, 100]}))
    lookup = ibis.memtable(pd.DataFrame({"code": ["m1", "m2", "m3"],
                                         "area": ["L1", "L1", "L2"]}))
    summed = _run(connection, area_flows(flows, lookup), ["origin_area", "destination_area"])
    assert summed.values.tolist() == [["L1", "L1", 5], ["L1", "L2", 7], ["L2", "L1", 11]]
    values = ibis.memtable(pd.DataFrame({"area_code": ["old1", "old2", "keep"],
                                         "activity": ["X", "X", "X"],
                                         "value": [100.0, 50.0, 7.0]}))
    successors = ibis.memtable(pd.DataFrame({"old_code": ["old1", "old1", "old2"],
                                             "new_code": ["new1", "new2", "new1"],
                                             "weight": [0.6, 0.4, 1.0]}))
    moved = _run(connection, reaggregate(values, successors), ["area_code", "activity"])
    # new1 = 0.6·100 + 50 = 110; new2 = 0.4·100 = 40; keep stays 7
    assert moved.values.tolist() == [["keep", "X", 7.0], ["new1", "X", 110.0],
                                     ["new2", "X", 40.0]]


def _pandas_reference(register: pd.DataFrame, rule: DisclosureRule) -> pd.DataFrame:
    """The same cells written directly in pandas: the peer the engines are checked against."""
    firms = register.groupby(CELL_KEYS + ["firm_id"], observed=True).employment.sum() \
        .reset_index()
    firms = firms.sort_values("employment", ascending=False)
    grouped = firms.groupby(CELL_KEYS, observed=True).employment
    cells = pd.DataFrame({"units": grouped.size(), "total": grouped.sum(),
                          "top": grouped.apply(lambda v: v.iloc[:rule.dominance_n].sum())})
    released = (cells.units >= rule.min_units) & (
        cells.top * 100 <= cells.total * rule.dominance_k)
    cells = cells.assign(total=cells.total.where(released), released=released)
    return canonical(cells.drop(columns="top").reset_index(), CELL_KEYS)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    folder = tmp_path_factory.mktemp("register")
    areas = [f"E0{n:07d}" for n in range(30)]
    activities = [f"{n:02d}" for n in range(10, 30)]
    rows = write_register(folder, 20_000, range(2018, 2022), areas, activities, seed=7)
    return folder, rows


def test_synthetic_register_is_skewed_and_repeatable(synthetic):
    folder, rows = synthetic
    register = pd.read_parquet(folder)
    assert len(register) == rows and rows > 20_000
    latest = register[register.year == 2021]
    sizes = np.sort(latest.employment.to_numpy())[::-1]
    assert sizes[: len(sizes) // 10].sum() > 0.4 * sizes.sum()   # top tenth: >40% of jobs
    by_area = latest.groupby("area_code").employment.sum()
    assert by_area.max() > 5 * by_area.median()                   # a few big places
    again = next(register_chunks(20_000, range(2018, 2022), [f"E0{n:07d}" for n in range(30)],
                                 [f"{n:02d}" for n in range(10, 30)], seed=7))
    assert again.astype({"area_code": str, "activity": str}).equals(
        pd.read_parquet(folder).sort_values(["firm_id", "year"]).reset_index(drop=True)
        .astype({"area_code": str, "activity": str}))


def test_engines_agree_with_pandas_and_each_other(synthetic, backend):
    folder, _ = synthetic
    name, _ = backend
    built = build_matrices(folder, name)
    reference = _pandas_reference(pd.read_parquet(folder), DisclosureRule())
    pd.testing.assert_frame_equal(built.cells, reference)
    assert 0 < built.provenance["suppressed"] < built.provenance["cells"]
    assert built.provenance["disclosure rule"] == DisclosureRule().describe()
    duck = build_matrices(folder, "duckdb") if name != "duckdb" else built
    pd.testing.assert_frame_equal(built.cells, duck.cells)
    pd.testing.assert_frame_equal(built.location_quotients(2021),
                                  duck.location_quotients(2021))
    pd.testing.assert_series_equal(built.eci(2021), duck.eci(2021))


def test_matrices_commands(tmp_path, warehouse_path):
    from typer.testing import CliRunner

    from placelens.cli import app

    runner = CliRunner()
    made = runner.invoke(app, ["matrices", "synth", "--firms", "3000", "--first-year", "2020",
                               "--last-year", "2021", "--out", str(tmp_path / "register"),
                               "--warehouse", str(warehouse_path)])
    assert made.exit_code == 0 and "3,000 firms, 361 districts" in made.output, made.output
    out = tmp_path / "cells.csv"
    built = runner.invoke(app, ["matrices", "build", "--input", str(tmp_path / "register"),
                                "--out", str(out), "--min-units", "3"])
    assert built.exit_code == 0, built.output
    cells = pd.read_csv(out, dtype={"activity": str})
    assert set(cells.year) == {2020, 2021} and (cells[~cells.released].total.isna()).all()
    provenance = out.with_suffix(".provenance.json").read_text()
    assert '"min_units": 3' in provenance and "duckdb 2.0.0" in provenance
    bad = runner.invoke(app, ["matrices", "build", "--input", str(out), "--out",
                              str(tmp_path / "x.csv")])
    assert bad.exit_code == 2 and "lacks column(s) firm_id" in " ".join(bad.output.split())
    negative = _hand_register()
    negative.loc[3, "employment"] = -5
    negative.loc[7, "activity"] = None
    negative.to_csv(tmp_path / "negative.csv", index=False)
    refused = runner.invoke(app, ["matrices", "build", "--input", str(tmp_path / "negative.csv"),
                                  "--out", str(out)])
    assert refused.exit_code == 2 and "2 row(s) with a missing or negative 'employment'" in \
        " ".join(refused.output.split()), refused.output
    assert pd.read_csv(out, dtype={"activity": str}).equals(cells)   # the old output kept


def test_duckdb_memory_cap_from_the_environment(monkeypatch):
    monkeypatch.setenv("PLACELENS_DUCKDB_MEMORY", "1GB")
    capped = connect("duckdb")
    limit = capped.raw_sql("SELECT current_setting('memory_limit')").fetchone()[0]
    assert limit == "953.6 MiB"                       # 10^9 bytes, as DuckDB 2.0 prints it
    monkeypatch.setenv("PLACELENS_DUCKDB_MEMORY", "lots'; DROP TABLE x")
    with pytest.raises(InputError, match="not a memory size"):
        connect("duckdb")
