"""Economic complexity against a hand-solved case, invariances, and py-ecomplexity 0.5.3."""

import math
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse

from placelens.analysis import complexity as cx
from placelens.analysis.complexity_panels import panel_from_long
from placelens.analysis.projection import project

# A nested presence matrix solved by hand (see docs/methods/complexity.md):
# M = [[1,1,1],[1,1,0],[1,0,0]]; diversity (3,2,1); ubiquity (3,2,1).
# M~ has eigenvalues 1, 1/4, 1/9; the 1/4 eigenvector is PCI_raw ∝ (-2, 1, 4), so
# ECI_raw = (1, -1/2, -2) with mean -1/2 and standard deviation sqrt(1.5).
M = pd.DataFrame([[1, 1, 1], [1, 1, 0], [1, 0, 0]], index=["r1", "r2", "r3"],
                 columns=["p1", "p2", "p3"], dtype=float)
SD = math.sqrt(1.5)


def test_hand_solved_eci_pci_and_eigenvalue():
    result = cx.complexity(M, presence_test="manual")
    assert result.eigenvalue == pytest.approx(0.25)
    assert result.eci.tolist() == pytest.approx([1.5 / SD, 0.0, -1.5 / SD])
    assert result.pci.tolist() == pytest.approx([-1.5 / SD, 1.5 / SD, 4.5 / SD])
    assert "diversity" in result.orientation


def test_hand_solved_proximity_density_and_cog():
    result = cx.complexity(M, presence_test="manual")
    phi = result.proximity
    assert phi.loc["p1", "p2"] == pytest.approx(2 / 3)
    assert phi.loc["p1", "p3"] == pytest.approx(1 / 3)
    assert phi.loc["p2", "p3"] == pytest.approx(1 / 2)
    assert result.density.loc["r3", "p2"] == pytest.approx(4 / 13)
    assert result.density.loc["r3", "p3"] == pytest.approx(2 / 11)
    assert result.density.loc["r2", "p3"] == pytest.approx(5 / 11)
    # COG(r3, p2) = [1·1/(13/6) + 4·(1/2)/(11/6)] / sd(ECI_raw) with PCI_raw = (-2, 1, 4)
    assert result.cog.loc["r3", "p2"] == pytest.approx((6 / 13 + 12 / 11) / SD)
    assert result.cog.loc["r1", "p1"] == 0  # present activities gain nothing


def test_eci_is_mean_pci_of_the_places_activities():
    x = _random_matrix(30, 20, seed=3)
    result = cx.complexity(x)
    mean_pci = (result.presence @ result.pci) / result.diversity
    assert mean_pci.to_numpy() == pytest.approx(result.eci.to_numpy())


def test_orientation_by_an_external_variable():
    productivity = pd.Series({"r1": 10.0, "r2": 20.0, "r3": 30.0}, name="GVA per hour")
    result = cx.complexity(M, presence_test="manual", orient_by=productivity)
    assert result.eci["r3"] > result.eci["r1"]
    assert result.orientation.startswith("ECI oriented to correlate positively with GVA")


def test_permutation_and_scale_invariance():
    x = _random_matrix(40, 25, seed=1)
    base = cx.complexity(x)
    shuffled = x.sample(frac=1, random_state=2).sample(frac=1, axis=1, random_state=3)
    again = cx.complexity(shuffled * 1000.0)
    assert again.eci.reindex(base.eci.index).to_numpy() == pytest.approx(base.eci.to_numpy())
    assert again.pci.reindex(base.pci.index).to_numpy() == pytest.approx(base.pci.to_numpy())
    assert cx.rca(x * 7).to_numpy() == pytest.approx(cx.rca(x).to_numpy())


def test_rpop_by_hand_and_threshold():
    x = pd.DataFrame([[10.0, 0.0], [10.0, 20.0]], index=["a", "b"], columns=["i", "j"])
    pop = pd.Series({"a": 10.0, "b": 30.0})
    # RPOP_a,i = (10/10) / (20/40) = 2
    assert cx.rpop(x, pop).loc["a", "i"] == pytest.approx(2.0)
    with pytest.raises(ValueError, match="population is missing"):
        cx.rpop(x, pd.Series({"a": 10.0}))


def test_bad_input_is_rejected():
    with pytest.raises(ValueError, match="negative"):
        cx.complexity(M * -1)
    with pytest.raises(ValueError, match="only 0 and 1"):
        cx.complexity(M * 2, presence_test="manual")
    with pytest.raises(ValueError, match="presence_test"):
        cx.complexity(M, presence_test="both")


def test_empty_rows_and_columns_are_dropped_and_listed():
    x = _random_matrix(12, 8, seed=4)
    x.loc["empty"] = 0.0
    x["never"] = 0.0
    result = cx.complexity(x)
    assert result.dropped_areas == ["empty"] and result.dropped_activities == ["never"]


def test_results_own_their_arrays_when_nothing_is_dropped():
    # With no area or activity dropped, results wrap the function's own arrays (no copies by
    # indexing): a manual presence matrix is one, so changing the input leaves it alone.
    x = M.copy()
    result = cx.complexity(x, presence_test="manual")
    x.iloc[0, 0] = 0.0
    assert result.presence.iloc[0, 0] == 1.0 and result.rca.iloc[0, 0] == 1.0
    rca = cx.complexity(_random_matrix(30, 20, 4))
    assert not rca.dropped_areas and not rca.dropped_activities
    assert rca.presence.to_numpy().tolist() == (rca.rca.to_numpy() >= 1).tolist()


def test_panel_from_long_sums_duplicates_and_fills_zero():
    long = pd.DataFrame({"t": [1, 1, 1, 2], "a": ["x", "x", "y", "x"],
                         "p": ["i", "i", "j", "j"], "v": [1.0, 2.0, 5.0, 4.0]})
    panel = panel_from_long(long, "t", "a", "p", "v")
    assert panel[1].loc["x", "i"] == 3.0 and panel[1].loc["x", "j"] == 0.0
    assert panel[2].loc["y", "j"] == 0.0 and panel[2].loc["x", "j"] == 4.0


@pytest.mark.parametrize("dtype", ["object", "str"])
def test_panel_from_long_reads_sorted_rows_by_runs_and_shuffled_rows_alike(dtype):
    # 5,000 rows in runs of 50 areas (the run-length path: the first 4,096 rows hold 82
    # runs) give the same panel as the same rows shuffled (every row encoded), and as a pivot.
    rng = np.random.default_rng(3)
    areas = np.repeat([f"r{i:03d}" for i in rng.permutation(100)], 50)
    long = pd.DataFrame({"t": np.repeat([2001, 2000], 2500), "a": areas,
                         "p": rng.choice(["x", "y", "z", "w"], 5000),
                         "v": rng.integers(0, 9, 5000).astype(float)})
    long["a"], long["p"] = long["a"].astype(dtype), long["p"].astype(dtype)
    shuffled = long.sample(frac=1, random_state=1)
    in_runs = panel_from_long(long, "t", "a", "p", "v")
    at_random = panel_from_long(shuffled, "t", "a", "p", "v")
    assert list(in_runs) == [2000, 2001]
    for period in in_runs:
        pd.testing.assert_frame_equal(in_runs[period], at_random[period])
        pivot = long[long["t"] == period].pivot_table(index="a", columns="p", values="v",
                                                      aggfunc="sum", fill_value=0.0)
        assert in_runs[period].loc[pivot.index, pivot.columns].to_numpy() == \
            pytest.approx(pivot.to_numpy())


@pytest.mark.parametrize("storage", ["Int64 periods", "Period periods", "python strings",
                                     "pyarrow strings", "categories"])
def test_panel_from_long_takes_every_column_storage(storage):
    # 6,000 rows sorted by area (the run path for periods and areas) in each pandas storage
    # give the panel of plain integers and Python objects; one cell is summed by hand.
    rng = np.random.default_rng(5)
    plain = pd.DataFrame({"t": np.repeat([2001, 2000, 2002], 2000),
                          "a": np.repeat([f"r{i:02d}" for i in range(60)], 100),
                          "p": rng.choice(["w", "x", "y", "z"], 6000), "v": rng.random(6000)})
    stored = {"Int64 periods": plain.astype({"t": "Int64"}),
              "Period periods": plain.assign(t=pd.PeriodIndex(plain["t"].astype(str),
                                                              freq="Y")),
              "python strings": plain.astype({"a": "string[python]", "p": "string[python]"}),
              "pyarrow strings": plain.astype({"a": "string[pyarrow]", "p": "string[pyarrow]"}),
              "categories": plain.astype({"a": "category", "p": "category"})}[storage]
    expected = panel_from_long(plain, "t", "a", "p", "v")
    found = panel_from_long(stored, "t", "a", "p", "v")
    assert len(found) == 3
    for (_, want), (_, got) in zip(sorted(expected.items()), sorted(found.items()), strict=True):
        assert list(got.index) == list(want.index) and list(got.columns) == ["w", "x", "y", "z"]
        assert got.to_numpy() == pytest.approx(want.to_numpy())
    by_hand = plain.loc[(plain["t"] == 2000) & (plain["a"] == "r25") & (plain["p"] == "x"), "v"]
    assert found[min(found)].loc["r25", "x"] == pytest.approx(by_hand.sum())


def test_panel_from_long_joins_arrow_chunks_on_one_dictionary():
    # Three Arrow chunks, each meeting new labels: codes must refer to one shared dictionary.
    chunks = [pd.DataFrame({"t": [1, 1], "a": ["b", "a"], "p": ["i", "j"], "v": [1.0, 2.0]}),
              pd.DataFrame({"t": [1], "a": ["c"], "p": ["i"], "v": [4.0]}),
              pd.DataFrame({"t": [1, 1], "a": ["a", "d"], "p": ["k", "i"], "v": [8.0, 16.0]})]
    long = pd.concat([c.astype({"a": "str", "p": "str"}) for c in chunks], ignore_index=True)
    assert long["a"].array.__arrow_array__().num_chunks == 3
    matrix = panel_from_long(long, "t", "a", "p", "v")[1]
    assert matrix.to_dict("index") == {
        "a": {"i": 0.0, "j": 2.0, "k": 8.0}, "b": {"i": 1.0, "j": 0.0, "k": 0.0},
        "c": {"i": 4.0, "j": 0.0, "k": 0.0}, "d": {"i": 16.0, "j": 0.0, "k": 0.0}}


@pytest.mark.parametrize("dtype", ["object", "str"])
def test_panel_from_long_encodes_one_cycle_of_a_cycling_column(dtype, monkeypatch):
    # Rows sorted by period and area, the activities cycling p00..p09 under each area
    # (6,000 rows): only the first cycle of ten labels is encoded, and the panel equals the
    # one from the same rows shuffled (every row encoded).
    from placelens.analysis import complexity_panels

    rng = np.random.default_rng(11)
    areas = [f"r{i:03d}" for i in rng.permutation(300)]
    long = pd.DataFrame({"t": np.repeat([2000, 2001], 3000), "a": np.tile(np.repeat(areas, 10), 2),
                         "p": np.tile([f"p{i:02d}" for i in rng.permutation(10)], 600),
                         "v": rng.random(6000)}).astype({"a": dtype, "p": dtype})
    shuffled = long.sample(frac=1, random_state=2)
    encoded = []
    factorize = complexity_panels._factorize
    monkeypatch.setattr(complexity_panels, "_factorize",
                        lambda values: encoded.append(len(values)) or factorize(values))
    cycled = panel_from_long(long, "t", "a", "p", "v")
    assert sorted(encoded) == [2, 10, 600]  # run starts of periods and areas, one cycle
    at_random = panel_from_long(shuffled, "t", "a", "p", "v")
    for period in cycled:
        pd.testing.assert_frame_equal(cycled[period], at_random[period])
    row = long.iloc[4321]
    assert cycled[row["t"]].loc[row["a"], row["p"]] == row["v"]


@pytest.mark.parametrize("break_at", [5999, 10])
def test_panel_from_long_checks_a_cycle_on_every_row(break_at):
    # A column that cycles x, y, z, u except at one row (the last one, or one among the first
    # rows) is encoded row by row, so the odd label is counted where it is.
    long = pd.DataFrame({"t": 1, "a": np.repeat([f"r{i:04d}" for i in range(1500)], 4),
                         "p": np.tile(["x", "y", "z", "u"], 1500), "v": 1.0})
    long.loc[break_at, "p"] = "w"
    matrix = panel_from_long(long, "t", "a", "p", "v")[1]
    assert matrix.loc[long.loc[break_at, "a"], "w"] == 1.0 and matrix["w"].sum() == 1.0
    assert matrix.to_numpy().sum() == 6000.0


def test_panel_from_long_takes_no_cycle_from_a_label_that_recurs_within_it():
    # "x" comes again after two rows but the cycle is four rows long: every row is encoded.
    long = pd.DataFrame({"t": 1, "a": np.repeat([f"r{i:04d}" for i in range(1500)], 4),
                         "p": np.tile(["x", "y", "x", "z"], 1500), "v": 1.0})
    counts = panel_from_long(long, "t", "a", "p", "v")[1]
    assert counts.to_dict("list") == {"x": [2.0] * 1500, "y": [1.0] * 1500, "z": [1.0] * 1500}


@pytest.mark.parametrize("dtype", ["object", "str"])
def test_panel_from_long_refuses_rows_without_a_label(dtype):
    long = pd.DataFrame({"t": [1, 1, 1], "a": ["x", None, "y"], "p": ["i", "i", "j"],
                         "v": [1.0, 2.0, 3.0]}).astype({"a": dtype})
    with pytest.raises(ValueError, match=r"column 'a' has no label in 1 row\(s\), the first "
                                         r"at row 1"):
        panel_from_long(long, "t", "a", "p", "v")


def _random_matrix(rows, cols, seed):
    rng = np.random.default_rng(seed)
    values = rng.lognormal(2, 1.5, (rows, cols)) * (rng.random((rows, cols)) > 0.3)
    return pd.DataFrame(values, index=[f"r{i:03d}" for i in range(rows)],
                        columns=[f"p{j:03d}" for j in range(cols)])


def _peer(x, **options):
    from ecomplexity import ecomplexity  # the peer package (a dev dependency)
    long = x.stack().rename("val").reset_index()
    long.columns = ["loc", "prod", "val"]
    long["time"] = 2020
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = ecomplexity(long, {"time": "time", "loc": "loc", "prod": "prod", "val": "val"},
                          verbose=False, check_logsupermodularity=False, **options)
    return out.set_index(["loc", "prod"])


@pytest.mark.parametrize("shape,seed", [((40, 25), 0), ((20, 60), 1), ((150, 90), 2)])
def test_equal_to_py_ecomplexity(shape, seed):
    x = _random_matrix(*shape, seed=seed)
    ours = cx.complexity(x).long().set_index(["area", "activity"])
    theirs = _peer(x).loc[ours.index]
    for column in ("rca", "mcp", "diversity", "ubiquity", "eci", "pci", "density", "coi",
                   "cog"):
        assert np.nanmax(np.abs(ours[column].to_numpy() - theirs[column].to_numpy())) < 1e-6


def test_equal_to_py_ecomplexity_with_another_threshold():
    x = _random_matrix(60, 30, seed=5)
    ours = cx.complexity(x, threshold=1.5).long().set_index(["area", "activity"])
    theirs = _peer(x, rca_mcp_threshold=1.5).loc[ours.index]
    assert np.abs(ours["eci"] - theirs["eci"]).max() < 1e-6
    assert np.abs(ours["density"] - theirs["density"]).max() < 1e-6


def test_lanczos_and_dense_paths_agree(monkeypatch):
    x = _random_matrix(120, 80, seed=6)
    lanczos = cx.complexity(x)
    monkeypatch.setattr(cx, "SMALL_PROBLEM", 10_000)
    dense = cx.complexity(x)
    assert lanczos.eci.to_numpy() == pytest.approx(dense.eci.to_numpy(), abs=1e-8)


def test_sparse_and_dense_presence_give_the_same_eigenvector():
    """Large sparse presence matrices are only multiplied by vectors; dense ones form the
    Gram matrix first. Both must find the same second eigenpair, in either space."""
    x = _random_matrix(90, 70, seed=9)
    m = cx.presence(cx.rca(x)).to_numpy()
    m = m[m.sum(axis=1) > 0][:, m.sum(axis=0) > 0]
    scaled = m / np.sqrt(m.sum(axis=1))[:, None] / np.sqrt(m.sum(axis=0))[None, :]
    for in_activity_space, k in ((True, m.sum(axis=0)), (False, m.sum(axis=1))):
        leading = np.sqrt(k) / np.linalg.norm(np.sqrt(k))
        dense_vector, dense_value = cx._second_eigenvector(scaled, leading, in_activity_space)
        sparse_vector, sparse_value = cx._second_eigenvector(
            scipy.sparse.csr_matrix(scaled), leading, in_activity_space)
        assert sparse_value == pytest.approx(dense_value, abs=1e-10)
        assert abs(sparse_vector @ dense_vector) == pytest.approx(1.0, abs=1e-10)


def test_projection_of_an_existing_area_reproduces_its_values():
    x = _random_matrix(50, 30, seed=7)
    result = cx.complexity(x)
    projected = project(result, x.loc[["r003", "r010"]])
    assert projected.scores["eci"].to_numpy() == pytest.approx(
        result.eci[["r003", "r010"]].to_numpy())
    assert projected.density.to_numpy() == pytest.approx(
        result.density.loc[["r003", "r010"]].to_numpy())
    assert projected.cog.to_numpy() == pytest.approx(
        result.cog.loc[["r003", "r010"]].to_numpy())


@pytest.mark.parametrize("dtype", ["object", "string[pyarrow]", "str"])
def test_panel_from_long_matches_a_pivot_for_every_text_storage(dtype):
    rng = np.random.default_rng(8)
    long = pd.DataFrame({"t": rng.integers(2000, 2003, 400),
                         "a": rng.choice([f"r{i}" for i in range(15)], 400),
                         "p": rng.choice([f"p{i}" for i in range(12)], 400),
                         "v": rng.random(400)})
    long = pd.concat([long.iloc[:200], long.iloc[200:]])  # two blocks of rows
    long["a"], long["p"] = long["a"].astype(dtype), long["p"].astype(dtype)
    panel = panel_from_long(long, "t", "a", "p", "v")
    for period, matrix in panel.items():
        expected = long[long["t"] == period].pivot_table(index="a", columns="p", values="v",
                                                         aggfunc="sum", fill_value=0.0)
        expected = expected.reindex(index=matrix.index, columns=matrix.columns, fill_value=0)
        assert matrix.to_numpy() == pytest.approx(expected.to_numpy())
        assert list(matrix.index) == sorted(matrix.index)
