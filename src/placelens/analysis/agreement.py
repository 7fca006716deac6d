"""Agreement between coders of qualitative material (docs/qualitative.md): Cohen's kappa for
two coders and Krippendorff's alpha for any number with missing codings, both on nominal
values, and the coded units they are computed on.

Codes are applied to stretches of text, not to fixed units, so agreement needs a unit: here a
paragraph (text between blank lines). A coder has applied a code to a unit when one of their
selections with that code overlaps it; a unit a coder did not read is missing, not "absent"."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np

#: What a unit of agreement is, as reports state it.
UNIT_DEFINITION = ("a paragraph (text between blank lines); a coder applied a code to it when "
                   "one of their selections with that code overlaps it")


def cohen_kappa(first: Sequence, second: Sequence) -> float:
    """Cohen's kappa of two coders' nominal values on the same units.

    κ = (p_o − p_e) / (1 − p_e), with p_o the share of units on which they agree and p_e the
    agreement expected from each coder's own category shares.

    Parameters
    ----------
    first, second
        One value per unit, in the same unit order (equal lengths, no missing values).

    Returns
    -------
    float
        Kappa; 1.0 when both coders used a single, identical category throughout (they agree
        and nothing else was possible), NaN for no units.

    References
    ----------
    Cohen (1960), "A coefficient of agreement for nominal scales", *Educational and
    Psychological Measurement* 20(1).
    """
    if len(first) != len(second):
        raise ValueError(f"the coders rated {len(first)} and {len(second)} units; kappa needs "
                         "the same units")
    if not first:
        return math.nan
    a, b = np.asarray(first, dtype=object), np.asarray(second, dtype=object)
    observed = float(np.mean(a == b))
    categories = set(a) | set(b)
    expected = sum(float(np.mean(a == c)) * float(np.mean(b == c)) for c in categories)
    if expected == 1.0:
        return 1.0
    return (observed - expected) / (1 - expected)


def krippendorff_alpha(data: np.ndarray) -> float:
    """Krippendorff's alpha for nominal values, from coders × units with NaN for missing.

    α = 1 − (n − 1) · Σ_c o_cc' [c ≠ c'] / Σ_c n_c n_c' [c ≠ c'] over the coincidence matrix
    o of pairable values (units with at least two values), n_c its margins and n their total.

    Parameters
    ----------
    data
        Coders × units array of numeric category codes, NaN where a coder gave no value.

    Returns
    -------
    float
        Alpha; NaN when fewer than two pairable values or only one category occurs.

    References
    ----------
    Krippendorff (2011), "Computing Krippendorff's alpha-reliability", Annenberg School for
    Communication departmental paper 43.
    """
    values = np.asarray(data, dtype=float)
    categories = np.unique(values[~np.isnan(values)])
    counts = np.stack([(values == c).sum(axis=0) for c in categories])   # categories × units
    paired = counts.sum(axis=0)
    counts = counts[:, paired >= 2]
    paired = paired[paired >= 2]
    if paired.sum() < 2 or len(categories) < 2:
        return math.nan
    coincidence = (counts / (paired - 1)) @ counts.T
    coincidence[np.diag_indices_from(coincidence)] -= (counts / (paired - 1)).sum(axis=1)
    margins = coincidence.sum(axis=1)
    total = margins.sum()
    disagreement = coincidence.sum() - np.trace(coincidence)
    expected = total ** 2 - (margins ** 2).sum()
    if expected == 0:
        return math.nan
    return float(1 - (total - 1) * disagreement / expected)


def paragraphs(text: str) -> list[tuple[int, int]]:
    """The paragraphs of ``text`` (runs of text between blank lines), the unit of agreement.

    Parameters
    ----------
    text
        A source's text.

    Returns
    -------
    list of tuple
        (start, end) character positions of each paragraph, leading and trailing spaces left
        out.
    """
    return [(m.start(), m.end()) for m in re.finditer(r"\S(?:.*?\S)?(?=\s*\n\s*\n|\s*$)",
                                                      text, flags=re.S)]


def coded_units(text: str, selections: dict[str, list[tuple[int, int]]]) -> np.ndarray:
    """Coders × paragraphs: 1 where a coder's selections (with one code) overlap the
    paragraph, else 0 — the input of :func:`cohen_kappa` and :func:`krippendorff_alpha`.

    Parameters
    ----------
    text
        The source's text.
    selections
        For each coder, the (start, end) positions of their selections with the code.

    Returns
    -------
    numpy.ndarray
        One row per coder (in ``selections`` order), one column per paragraph.
    """
    units = paragraphs(text)
    return np.array([[int(any(start < end_u and end > start_u for start, end in spans))
                      for start_u, end_u in units] for spans in selections.values()])
