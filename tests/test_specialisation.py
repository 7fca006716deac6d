"""Specialisation measures against values worked out by hand (METHODS §1)."""

import math

import numpy as np
import pandas as pd
import pytest

from placelens.analysis import specialisation as spec

# Two areas, two industries. National: i = 40, j = 60 of 100 → s_i = 0.4, s_j = 0.6.
X = pd.DataFrame([[10.0, 30.0], [30.0, 30.0]], index=["a", "b"], columns=["i", "j"])


def test_location_quotients_by_hand():
    lq = spec.location_quotients(X)
    # a: s = (0.25, 0.75) → LQ = (0.25/0.4, 0.75/0.6) = (0.625, 1.25)
    assert lq.loc["a", "i"] == pytest.approx(0.625)
    assert lq.loc["a", "j"] == pytest.approx(1.25)
    # b: s = (0.5, 0.5) → (1.25, 0.8333...)
    assert lq.loc["b", "i"] == pytest.approx(1.25)
    assert lq.loc["b", "j"] == pytest.approx(0.5 / 0.6)


def test_scaling_an_area_leaves_lq_of_others_proportional_and_own_shares_unchanged():
    scaled = X.copy()
    scaled.loc["a"] *= 7
    assert spec.shares(scaled).loc["a"].tolist() == pytest.approx([0.25, 0.75])


def test_krugman_hachman_shannon_by_hand():
    assert spec.krugman_index(X)["a"] == pytest.approx(0.15 + 0.15)
    assert spec.krugman_index(X)["b"] == pytest.approx(0.1 + 0.1)
    # Hachman a: 1 / (0.625*0.25 + 1.25*0.75) = 1 / 1.09375
    assert spec.hachman_index(X)["a"] == pytest.approx(1 / 1.09375)
    assert spec.shannon_diversity(X)["b"] == pytest.approx(math.log(2))
    assert spec.shannon_diversity(X)["a"] == pytest.approx(
        -(0.25 * math.log(0.25) + 0.75 * math.log(0.75)))


def test_national_structure_gives_neutral_indices():
    same = pd.DataFrame([[2.0, 3.0], [4.0, 6.0]], index=["a", "b"], columns=["i", "j"])
    assert spec.krugman_index(same).tolist() == pytest.approx([0, 0])
    assert spec.hachman_index(same).tolist() == pytest.approx([1, 1])
    assert (spec.location_quotients(same).to_numpy() == pytest.approx(1.0))


def test_reference_totals_replace_the_matrix_sum():
    reference = pd.Series({"i": 50.0, "j": 50.0})
    lq = spec.location_quotients(X, reference=reference)
    assert lq.loc["a", "i"] == pytest.approx(0.25 / 0.5)
    with_total = pd.Series({"i": 50.0, "j": 50.0, "__total__": 200.0})
    assert spec.national_shares(X, with_total).tolist() == pytest.approx([0.25, 0.25])


def test_suppressed_cell_keeps_true_denominator_with_totals():
    x = pd.DataFrame([[10.0, np.nan], [30.0, 30.0]], index=["a", "b"], columns=["i", "j"])
    totals = pd.Series({"a": 40.0, "b": 60.0})
    share = spec.shares(x, totals=totals)
    assert share.loc["a", "i"] == pytest.approx(0.25)
    assert np.isnan(share.loc["a", "j"])
    # Without totals the observed cells alone would give a share of 1.
    assert spec.shares(x).loc["a", "i"] == pytest.approx(1.0)
    # Whole-structure indices need every cell.
    assert np.isnan(spec.krugman_index(x)["a"])
    assert spec.shares(x, missing="zero").loc["a", "i"] == pytest.approx(1.0)


def test_negative_values_are_rejected_with_the_cell_named():
    bad = X.copy()
    bad.loc["b", "j"] = -1
    with pytest.raises(ValueError, match="area 'b', activity 'j'"):
        spec.location_quotients(bad)


def test_related_and_unrelated_variety_by_hand():
    # One area, four classes in two groups: shares 0.4, 0.1 (group G) and 0.25, 0.25 (H).
    x = pd.DataFrame([[40.0, 10.0, 25.0, 25.0]], index=["r"], columns=["g1", "g2", "h1", "h2"])
    groups = {"g1": "G", "g2": "G", "h1": "H", "h2": "H"}
    out = spec.variety(x, groups).iloc[0]
    assert out["unrelated_variety"] == pytest.approx(1.0)  # P = (0.5, 0.5)
    h_g = -(0.8 * math.log2(0.8) + 0.2 * math.log2(0.2))
    assert out["related_variety"] == pytest.approx(0.5 * h_g + 0.5 * 1.0)
    assert out["entropy_bits"] == pytest.approx(out["unrelated_variety"] +
                                                out["related_variety"])


def test_variety_requires_a_group_for_every_activity():
    with pytest.raises(ValueError, match="no group"):
        spec.variety(X, {"i": "G"})


def test_shift_share_by_hand_and_parts_sum_to_change():
    end = pd.DataFrame([[40.0, 45.0], [45.0, 45.0]], index=["a", "b"], columns=["i", "j"])
    parts = spec.shift_share(X, end).set_index(["area", "activity"])
    # g_N = (175 - 100) / 100 = 0.75; g_i = (85 - 40) / 40 = 1.125; g_j = 0.5
    row = parts.loc[("a", "i")]
    assert row["national"] == pytest.approx(10 * 0.75)
    assert row["industry_mix"] == pytest.approx(10 * (1.125 - 0.75))
    assert row["local"] == pytest.approx(10 * (3.0 - 1.125))  # g_ai = 30/10
    total = parts["national"] + parts["industry_mix"] + parts["local"]
    assert total.to_numpy() == pytest.approx(parts["change"].to_numpy())
    by_area = spec.shift_share_by_area(parts.reset_index())
    assert by_area["local"].sum() == pytest.approx(0.0, abs=1e-9)  # locals cancel nationally


def test_shift_share_activity_starting_from_zero_keeps_identity():
    start = pd.DataFrame([[0.0, 10.0], [10.0, 10.0]], index=["a", "b"], columns=["i", "j"])
    end = pd.DataFrame([[5.0, 10.0], [10.0, 12.0]], index=["a", "b"], columns=["i", "j"])
    parts = spec.shift_share(start, end).set_index(["area", "activity"])
    assert parts.loc[("a", "i"), "local"] == pytest.approx(5.0)
    assert (parts["national"] + parts["industry_mix"] + parts["local"]).to_numpy() == \
        pytest.approx(parts["change"].to_numpy())


def test_summary_counts_specialisations():
    summary = spec.specialisation_summary(X)
    assert summary.loc["a", "specialisations"] == 1
    assert summary.loc["b", "total"] == 60


def test_activity_absent_nationally_does_not_blank_hachman():
    x = pd.DataFrame([[10.0, 30.0, 0.0], [30.0, 30.0, 0.0]], index=["a", "b"],
                     columns=["i", "j", "k"])
    assert spec.hachman_index(x)["a"] == pytest.approx(1 / 1.09375)


def test_variety_with_a_group_absent_from_the_area():
    x = pd.DataFrame([[40.0, 10.0, 0.0, 0.0]], index=["r"], columns=["g1", "g2", "h1", "h2"])
    out = spec.variety(x, {"g1": "G", "g2": "G", "h1": "H", "h2": "H"}).iloc[0]
    assert out["unrelated_variety"] == pytest.approx(0.0)
    assert out["related_variety"] == pytest.approx(-(0.8 * math.log2(0.8) +
                                                     0.2 * math.log2(0.2)))
