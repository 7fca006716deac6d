"""The Python API on real data: published versus derived values, LQs that agree with the
published totals, shift-share identity for a real place."""

import numpy as np
import pandas as pd
import pytest


def test_published_values(observatory):
    bham = observatory.place("Birmingham")
    assert observatory.indicators.latest(bham, "gva_per_hour_gbp") == ("2022", 34.2, "published")


def test_derived_sum_equals_sum_of_members(observatory):
    tees = observatory.place("PL_TEST_TEES")
    period, value, method = observatory.indicators.latest(tees, "gva_current_gbp_m")
    members = [observatory.indicators.latest(observatory.places.get(c), "gva_current_gbp_m")[1]
               for c in tees.members]
    assert value == pytest.approx(sum(members)) and method.startswith("derived")



def test_a_place_of_one_district_says_the_figure_is_that_districts(observatory):
    darlington = observatory.places.get("TLC13")  # the ITL3 area of one district
    assert darlington.members == ("E06000005",)
    _, value, method = observatory.indicators.latest(darlington, "gva_current_gbp_m")
    _, own, _ = observatory.indicators.latest(observatory.places.get("E06000005"),
                                             "gva_current_gbp_m")
    assert method == "derived (its one district's figure)" and value == own

def test_derived_ratio_is_ratio_of_sums(observatory):
    gm = observatory.place("Greater Manchester")
    total = observatory.indicators.series(gm, "gdhi_total_gbp_m").set_index("period")["value"]
    pop = observatory.indicators.series(gm, "population").set_index("period")["value"]
    per_head = observatory.indicators.series(gm, "gdhi_per_head_gbp").set_index("period")
    assert per_head.loc["2022", "value"] == pytest.approx(total["2022"] * 1e6 / pop["2022"])


def test_location_quotients_use_published_totals(observatory):
    cornwall = observatory.place("Cornwall")
    lq = observatory.economy.location_quotients(cornwall, "2023")
    assert lq["gva_gbp_m"].isna().sum() > 0  # Cornwall's table has suppressed industries
    accommodation = lq.loc["I (55-56)"]
    assert accommodation["gva_gbp_m"] == 877.0
    assert 0 < accommodation["share"] < 0.1  # 877 of ~£12bn, not of the published cells only
    assert accommodation["lq"] == pytest.approx(accommodation["share"] /
                                                accommodation["uk_share"])


def test_uk_reference_comes_from_published_regional_figures(observatory):
    published = observatory.economy.uk_reference("2023")
    summed = observatory.economy.uk_reference("2023", method="lad_sum")
    uk = observatory.warehouse.query(
        "SELECT activity_code, value FROM activity WHERE area_type = 'UK' AND period = '2023' "
        "AND measure = 'gva_current_gbp_m' AND classification = 'ons_gva_industry'"
    ).set_index("activity_code")["value"]
    # onshore industries: the twelve ITL1 regions add up to the published UK row
    assert published["41"] == pytest.approx(uk["41"], rel=1e-3)
    assert published["72-75"] == pytest.approx(uk[["72", "73", "74", "75"]].sum(), rel=1e-3)
    # agriculture and mining: LAD cells are suppressed in many districts, so their sum
    # understates the industry by 3.6%; offshore (Extra-Regio) mining is in neither
    assert published["AB (1-9)"] / summed["AB (1-9)"] == pytest.approx(1.036, abs=0.002)
    assert published["AB (1-9)"] < uk[["A (1-3)", "B (5-9)"]].sum()
    assert published["__total__"] == pytest.approx(summed["__total__"], rel=0.005)
    # the LQ of a suppression-heavy industry is no longer overstated
    place = observatory.place("Cornwall")
    lq = observatory.economy.location_quotients(place, "2023")
    share = lq.loc["I (55-56)", "share"]
    assert lq.loc["I (55-56)", "lq"] == pytest.approx(
        share / (published["I (55-56)"] / published["__total__"]))
    with pytest.raises(ValueError, match="method must be"):
        observatory.economy.uk_reference("2023", method="sum")


def test_uk_lq_weighted_mean_is_one(observatory):
    uk = observatory.place("K02000001")
    lq = observatory.economy.location_quotients(uk, "2023").dropna()
    assert (lq["share"] * lq["lq"]).sum() / lq["share"].sum() == pytest.approx(1.0, rel=0.02)


def test_shift_share_identity_for_a_real_place(observatory):
    parts = observatory.economy.shift_share(observatory.place("Cardiff"), "2013", "2023").dropna()
    assert (parts["national"] + parts["industry_mix"] + parts["local"]).sum() == \
        pytest.approx(parts["change"].sum())


def test_metric_table_unknown_metric_lists_choices(observatory):
    with pytest.raises(ValueError, match="gva_per_hour_gbp"):
        observatory.economy.metric_table("no_such_metric")


def test_place_sums_hand_computed_with_suppressed_and_missing_members():
    from placelens.geography.places import Place
    from placelens.services.economy import _sum_members

    def place(code, *members):
        return Place(code, code, "SET", "test", members)

    values = np.array([[1.0, 2.0], [10.0, np.nan], [100.0, 200.0]])
    sums = _sum_members(values, pd.Index(["a", "b", "c"]),
                        [place("ac", "a", "c"), place("ab", "a", "b"), place("ax", "a", "x"),
                         place("none"), place("c", "c")])
    expected = [[101.0, 202.0],        # 1 + 100, 2 + 200
                [11.0, np.nan],        # b's second cell is suppressed: no partial total
                [np.nan, np.nan],      # x is not a district of the table
                [0.0, 0.0],            # nothing to add
                [100.0, 200.0]]
    np.testing.assert_array_equal(sums, expected)
    assert _sum_members(values, pd.Index(["a", "b", "c"]), []).shape == (0, 2)


@pytest.mark.parametrize("area_type", ["LAD", "CA", "ITL2", "ITL1"])
def test_place_matrix_equals_the_sum_of_each_places_districts_to_the_bit(observatory,
                                                                         area_type):
    economy = observatory.economy
    places = observatory.places.of_type(area_type)
    lad = economy.lad_gva_matrix("2023")
    matrix = economy.place_matrix(places, "2023")
    for place in places:
        by_hand = lad.reindex(list(place.members)).sum(skipna=False)
        np.testing.assert_array_equal(matrix.loc[place.code].to_numpy(), by_hand.to_numpy())
    totals = economy.place_totals(places, "2023")
    lad_totals = economy.lad_gva_totals("2023")
    assert totals.tolist() == [lad_totals.reindex(list(p.members)).sum(skipna=False)
                               for p in places]
    if area_type == "LAD":
        assert matrix.isna().any().any()  # suppressed cells stay missing
