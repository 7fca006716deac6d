"""Leadership styles: inputs, the size model, quadrants, stability, and the real data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from placelens.analysis import leadership as ls


def _members(rows):
    return pd.DataFrame(rows, columns=["period", "project_id", "org_id", "area_code", "is_lead",
                                       "funder_only"])


def test_activity_leaves_out_funders_and_counts_local_leads():
    table = ls.activity(_members([
        ("p", "P1", "uni", "A", True, False), ("p", "P1", "firm", "A", False, False),
        ("p", "P1", "council", "A", False, True),   # co-funder: not an actor
        ("p", "P2", "uni", "A", True, False), ("p", "P2", "lab", "A", False, False),
        ("p", "P3", "firm", "A", True, False),
        ("p", "P4", "far", None, True, False), ("p", "P4", "lab", "A", False, False),
        ("p", "P5", "abroad", None, True, False)])).set_index("area_code")
    # A: projects P1-P4 (P5 has no local organisation); actors uni, firm, lab; local lead
    # roles uni 2, firm 1 → deciders 1 / ((2/3)² + (1/3)²) = 1.8 (the outside lead of P4
    # does not count)
    assert table.loc["A", "projects"] == 4 and table.loc["A", "actors"] == 3
    assert table.loc["A", "deciders"] == pytest.approx(1.8)
    only_outside = ls.activity(_members([("p", "P1", "x", "B", False, False),
                                         ("p", "P1", "y", None, True, False)]))
    assert only_outside["deciders"].iloc[0] == 0  # decided elsewhere: no local decider


def _inputs(rows):
    return pd.DataFrame(rows, columns=["area_code", "period", "projects", "actors", "deciders"])


def test_size_model_and_quadrants_by_hand():
    # log(actors) = log(projects) exactly for the reference, so the residual is
    # log(actors / projects); deciders: log1p = 0.5 log(projects) + 0 for the reference.
    reference = _inputs([(f"R{i}", "p", n, n, np.expm1(0.5 * np.log(n)))
                         for i, n in enumerate([10, 20, 40, 80, 160])])
    model = ls.fit_size_model(reference)
    assert model.actors.loc["p", "slope"] == pytest.approx(1.0)
    assert model.deciders.loc["p", "slope"] == pytest.approx(0.5)
    expected_deciders = np.expm1(0.5 * np.log(40))  # 5.32 at 40 projects (above the floor 2)
    table = ls.leadership_styles(_inputs([
        ("O", "p", 40, 60, 2.0),                        # many actors, few deciders
        ("B", "p", 40, 20, 2.0),                        # few, few
        ("E", "p", 40, 20, expected_deciders + 2),      # few actors, many deciders
        ("J", "p", 40, 60, expected_deciders + 2),      # many, many
        ("S", "p", 5, 5, 1.0),                          # too little activity
    ]), model).set_index("area_code")
    assert table.loc["O", "actors_residual"] == pytest.approx(np.log(60 / 40))
    assert table["leadership_style"].to_dict() == {
        "O": "orchestral", "B": "barber shop quartet", "E": "enthusiastic improvisation",
        "J": "jamming super-group", "S": ls.NO_ACTIVITY}


def test_one_decider_is_never_many():
    # Reference places mostly lead nothing locally, so one local lead is above what size
    # predicts; it is still one organisation deciding everything.
    reference = _inputs([(f"R{i}", "p", n, n, 0.0) for i, n in enumerate([10, 20, 40, 80])])
    table = ls.leadership_styles(_inputs([("X", "p", 40, 60, 1.0), ("Y", "p", 40, 60, 2.5)]),
                                 ls.fit_size_model(reference)).set_index("area_code")
    # size predicts 0 deciders, so the comparison is with 2: log(1 + 1) - log(1 + 2) < 0
    assert table.loc["X", "deciders_residual"] == pytest.approx(np.log(2 / 3))
    assert table.loc["X", "leadership_style"] == "orchestral"
    assert table.loc["Y", "deciders_residual"] == pytest.approx(np.log(3.5 / 3))
    assert table.loc["Y", "leadership_style"] == "jamming super-group"


def test_bootstrap_stability_and_borderline():
    reference = _inputs([(f"R{i}", "p", n, n, 1.0) for i, n in enumerate([10, 20, 40, 80])])
    model = ls.fit_size_model(reference)   # actors = projects; deciders flat
    # 30 projects, each led by one university with two partners of its own: 61 actors, far
    # more than size predicts, and one decider
    rows = [(f"P{j}", "uni" if k == 0 else f"o{j}-{k}", k == 0) for j in range(30)
            for k in range(3)]
    members = pd.DataFrame(rows, columns=["project_id", "org_id", "is_lead"])
    assert ls.bootstrap_stability(members, "p", model, "orchestral", draws=100) == 1.0
    # one organisation in every project: actors stay 1 — resamples never reach 10 actors
    single = pd.DataFrame([(f"P{j}", "only", True) for j in range(30)],
                          columns=["project_id", "org_id", "is_lead"])
    assert ls.bootstrap_stability(single, "p", model, "orchestral", draws=50) == 0.0
    assert ls.finding("orchestral", 0.79) == ls.BORDERLINE
    assert ls.finding("orchestral", 0.8) == "orchestral"
    assert ls.finding(ls.NO_ACTIVITY, np.nan) == ls.NO_ACTIVITY


def test_draw_counts_per_organisation_by_hand_and_as_the_sparse_product():
    import scipy.sparse

    # organisation 0 is in projects 0 and 2 (twice in 2: two roles), 1 in project 1, 2 in none
    rows, cols = np.array([0, 1, 0, 0]), np.array([0, 1, 2, 2])
    counts = np.array([[1.0, 0.0], [2.0, 1.0], [0.0, 3.0]])  # projects × draws
    np.testing.assert_array_equal(ls._per_organisation(rows, cols, counts, 3),
                                  [[1.0, 6.0], [2.0, 1.0], [0.0, 0.0]])  # 1+0+0, 0+3+3
    assert ls._per_organisation(rows[:0], cols[:0], counts, 3).tolist() == [[0, 0]] * 3
    rng = np.random.default_rng(4)
    rows, cols = rng.integers(0, 40, 500), rng.integers(0, 90, 500)
    counts = rng.multinomial(90, np.full(90, 1 / 90), size=200).T.astype(float)
    incidence = scipy.sparse.csr_matrix((np.ones(500), (rows, cols)), shape=(40, 90))
    np.testing.assert_array_equal(ls._per_organisation(rows, cols, counts, 40),
                                  incidence @ counts)


def test_real_styles_are_not_a_size_proxy(observatory):
    styles = observatory.collaboration.leadership()
    assert styles["area_code"].nunique() == 361
    assert set(styles["leadership_style"]) <= {*ls.DESCRIPTIONS, ls.NO_ACTIVITY}
    latest = styles[(styles["period"] == "2015-2017")
                    & styles["leadership_style"].isin(list(ls.DESCRIPTIONS))]
    assert len(latest) > 100
    # the old rule "more projects than the median → jamming super-group, else barber shop
    # quartet" reproduced 75% of labels; size-adjusted styles are far from it
    size_rule = np.where(latest["projects"] > latest["projects"].median(),
                         "jamming super-group", "barber shop quartet")
    assert (size_rule == latest["leadership_style"]).mean() < 0.4
    # residuals are uncorrelated with size within the fitted places
    assert abs(np.corrcoef(np.log(latest["projects"]), latest["actors_residual"])[0, 1]) < 0.1
    # many deciders always means more than two effective deciders
    many = latest["leadership_style"].isin(["jamming super-group",
                                            "enthusiastic improvisation"])
    assert (latest.loc[many, "deciders"] > ls.MIN_MANY_DECIDERS).all()
    assert ((latest["deciders_residual"] > 0) == many).all()  # the chart's line is the rule
    shown = styles["finding"].isin(list(ls.DESCRIPTIONS))
    assert (styles.loc[shown, "style_stability"] >= ls.STABLE_SHARE).all()


def test_real_place_with_projects_led_elsewhere_has_no_deciders(observatory):
    swindon = observatory.collaboration.leadership(observatory.place("Swindon"))
    latest = swindon.iloc[-1]
    # the research councils sit in Swindon as co-funders; no Swindon organisation leads
    assert latest["deciders"] == 0
    assert latest["leadership_style"] in ("barber shop quartet", "orchestral")


def test_a_places_memberships_are_its_districts_rows_in_their_original_order(observatory):
    collab = observatory.collaboration
    every = collab._district_memberships()
    grouping = collab._grouping("ITL1")
    region = grouping.loc["E08000035"]  # Leeds's region: Yorkshire and The Humber
    chosen = collab._memberships(grouping, {region})
    by_mask = every[every["district"].map(grouping).eq(region).to_numpy()]
    assert len(chosen) > 1000 and chosen.index.is_monotonic_increasing
    pd.testing.assert_frame_equal(chosen.drop(columns="area_code"), by_mask)
    assert set(chosen["area_code"]) == {region}
    assert collab._memberships(grouping, {"nowhere"}).empty
