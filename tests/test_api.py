"""The Python API on real data: published versus derived values, LQs that agree with the
published totals, shift-share identity for a real place."""

import pytest


def test_published_values(observatory):
    bham = observatory.place("Birmingham")
    assert observatory.latest(bham, "gva_per_hour_gbp") == ("2022", 34.2, "published")


def test_derived_sum_equals_sum_of_members(observatory):
    tees = observatory.place("PL_TEST_TEES")
    period, value, method = observatory.latest(tees, "gva_current_gbp_m")
    members = [observatory.latest(observatory.places.get(c), "gva_current_gbp_m")[1]
               for c in tees.members]
    assert value == pytest.approx(sum(members)) and method.startswith("derived")


def test_derived_ratio_is_ratio_of_sums(observatory):
    gm = observatory.place("Greater Manchester")
    total = observatory.indicator_series(gm, "gdhi_total_gbp_m").set_index("period")["value"]
    pop = observatory.indicator_series(gm, "population").set_index("period")["value"]
    per_head = observatory.indicator_series(gm, "gdhi_per_head_gbp").set_index("period")
    assert per_head.loc["2022", "value"] == pytest.approx(total["2022"] * 1e6 / pop["2022"])


def test_location_quotients_use_published_totals(observatory):
    cornwall = observatory.place("Cornwall")
    lq = observatory.location_quotients(cornwall, "2023")
    assert lq["gva_gbp_m"].isna().sum() > 0  # Cornwall's table has suppressed industries
    accommodation = lq.loc["I (55-56)"]
    assert accommodation["gva_gbp_m"] == 877.0
    assert 0 < accommodation["share"] < 0.1  # 877 of ~£12bn, not of the published cells only
    assert accommodation["lq"] == pytest.approx(accommodation["share"] /
                                                accommodation["uk_share"])


def test_uk_lq_weighted_mean_is_one(observatory):
    uk = observatory.place("K02000001")
    lq = observatory.location_quotients(uk, "2023").dropna()
    assert (lq["share"] * lq["lq"]).sum() / lq["share"].sum() == pytest.approx(1.0, rel=0.02)


def test_shift_share_identity_for_a_real_place(observatory):
    parts = observatory.shift_share(observatory.place("Cardiff"), "2013", "2023").dropna()
    assert (parts["national"] + parts["industry_mix"] + parts["local"]).sum() == \
        pytest.approx(parts["change"].sum())


def test_metric_table_unknown_metric_lists_choices(observatory):
    with pytest.raises(ValueError, match="gva_per_hour_gbp"):
        observatory.metric_table("no_such_metric")
