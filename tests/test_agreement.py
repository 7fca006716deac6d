"""Coder agreement (#17, first part): Cohen's kappa and Krippendorff's alpha by hand, against
Krippendorff's published worked example, and equal to scikit-learn and the krippendorff
package; paragraphs as the unit of agreement."""

from __future__ import annotations

import math

import krippendorff
import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from placelens.analysis.agreement import (
    coded_units,
    cohen_kappa,
    krippendorff_alpha,
    paragraphs,
)

NAN = math.nan


def test_kappa_by_hand():
    # 50 units: both yes 20, A yes B no 5, A no B yes 10, both no 15.
    # p_o = 35/50 = 0.7; A says yes 25/50, B 30/50: p_e = 0.5·0.6 + 0.5·0.4 = 0.5;
    # kappa = (0.7 − 0.5) / (1 − 0.5) = 0.4
    first = ["yes"] * 25 + ["no"] * 25
    second = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert cohen_kappa(first, second) == pytest.approx(0.4)
    assert cohen_kappa(["a", "b"], ["a", "b"]) == 1.0
    assert cohen_kappa(["a", "a"], ["a", "a"]) == 1.0          # nothing else was possible
    assert cohen_kappa(["a", "b"], ["b", "a"]) == pytest.approx(-1.0)
    assert math.isnan(cohen_kappa([], []))
    with pytest.raises(ValueError, match="same units"):
        cohen_kappa(["a"], ["a", "b"])


def test_alpha_reproduces_krippendorffs_worked_example():
    # Krippendorff (2011), nominal data, 4 observers × 12 units with missing values: 0.743
    data = np.array([[1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
                     [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
                     [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
                     [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN]])
    assert krippendorff_alpha(data) == pytest.approx(0.743, abs=5e-4)


def test_alpha_by_hand_on_two_coders():
    # units (a, a), (a, b), (b, b): coincidences o_aa = 2, o_ab = o_ba = 1, o_bb = 2;
    # n_a = n_b = 3, n = 6: alpha = 1 − (n − 1)·2 / (6² − 3² − 3²) = 1 − 10/18 = 4/9
    data = np.array([[0, 0, 1], [0, 1, 1]], dtype=float)
    assert krippendorff_alpha(data) == pytest.approx(4 / 9)
    assert math.isnan(krippendorff_alpha(np.array([[1.0, 1.0], [1.0, 1.0]])))


def test_equal_to_the_established_implementations():
    rng = np.random.default_rng(3)
    for _ in range(20):
        data = rng.integers(0, 4, size=(3, 40)).astype(float)
        data[rng.random(data.shape) < 0.2] = NAN
        assert krippendorff_alpha(data) == pytest.approx(
            krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"),
            abs=1e-12)
        first, second = rng.integers(0, 3, 60), rng.integers(0, 3, 60)
        assert cohen_kappa(list(first), list(second)) == pytest.approx(
            cohen_kappa_score(first, second), abs=1e-12)


def test_paragraphs_are_the_units_a_selection_codes():
    text = "First paragraph.\n\nSecond one,\nover two lines.\n\n\n  Third.  "
    spans = paragraphs(text)
    assert [text[s:e] for s, e in spans] == ["First paragraph.",
                                              "Second one,\nover two lines.", "Third."]
    second = text.index("Second")
    units = coded_units(text, {"ann": [(0, 5)], "bob": [(second + 3, second + 8), (0, 1)]})
    assert units.tolist() == [[1, 0, 0], [1, 1, 0]]
    assert cohen_kappa(list(units[0]), list(units[1])) == pytest.approx(
        cohen_kappa_score(units[0], units[1]))
