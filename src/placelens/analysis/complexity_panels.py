"""Complexity over several periods: long rows to one matrix per period on shared axes, and
the complexity of each period started from the previous period's eigenvector
(docs/methods/complexity.md)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from placelens.analysis.complexity import ComplexityResult, complexity


def _sorted_factorize(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Codes and sorted labels. Arrow-backed text columns are dictionary-encoded by Arrow
    (about twice as fast as hashing in pandas); only the few labels are then sorted."""
    arrow = getattr(values.array, "__arrow_array__", None)
    if arrow is not None and not values.isna().any():
        encoded = pc.dictionary_encode(arrow()).combine_chunks()
        codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.intp)
        labels = pd.Index(encoded.dictionary.to_pylist())
    else:
        codes, labels = pd.factorize(values)
    order = np.argsort(np.asarray(labels), kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return rank[codes], labels.take(order)


def panel_from_long(long: pd.DataFrame, period: str, area: str, activity: str, value: str
                    ) -> dict:
    """``{period: areas × activities matrix}`` from long rows (duplicates summed, absent cells
    0), every period on the same sorted areas and activities; one factorisation for the whole
    panel, so it is much faster than a pivot per period.

    Parameters
    ----------
    long
        Long rows of one quantity.
    period, area, activity, value
        Column names in ``long``.

    Returns
    -------
    dict
        Period → areas × activities matrix, all on the same axes.
    """
    periods, period_labels = _sorted_factorize(long[period])
    areas, area_labels = _sorted_factorize(long[area])
    activities, activity_labels = _sorted_factorize(long[activity])
    shape = (len(period_labels), len(area_labels), len(activity_labels))
    flat = (periods * shape[1] + areas) * shape[2] + activities
    cube = np.bincount(flat, weights=long[value].to_numpy(dtype="float64", na_value=0.0),
                       minlength=int(np.prod(shape))).reshape(shape)
    index = pd.Index(area_labels, name=area)
    columns = pd.Index(activity_labels, name=activity)
    return {label: pd.DataFrame(cube[number], index=index, columns=columns, copy=False)
            for number, label in enumerate(period_labels)}


def complexity_panel(panel: dict[str, pd.DataFrame], **options) -> dict[str, ComplexityResult]:
    """:func:`complexity` for several periods (``{period: matrix}``) with the same options; each
    period's eigensolve starts from the previous period's eigenvector.

    Parameters
    ----------
    panel
        Period → areas × activities matrix.
    **options
        Passed to :func:`complexity`.

    Returns
    -------
    dict
        Period → :class:`ComplexityResult`.
    """
    results: dict[str, ComplexityResult] = {}
    previous = None
    for period, x in sorted(panel.items()):
        results[period] = complexity(x, start=previous, **options)
        previous = results[period].eigenvector
    return results
