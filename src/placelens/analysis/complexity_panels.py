"""Complexity over several periods: long rows to one matrix per period on shared axes, and
the complexity of each period started from the previous period's eigenvector
(docs/methods/complexity.md)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from placelens.analysis.complexity import ComplexityResult, complexity

#: Rows looked at to decide whether a column comes in runs of one label.
RUN_SAMPLE = 4096


def _sorted_factorize(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Codes and sorted labels of one column of long rows.

    Long tables usually come sorted (all of an area's rows together, or a period's), so when
    the first rows show runs of one label, only the first row of each run is encoded and its
    code repeated; otherwise every row is. Only the few labels are then sorted."""
    missing = values.isna().to_numpy()
    if missing.any():
        raise ValueError(f"column {values.name!r} has no label in {int(missing.sum())} "
                         f"row(s), the first at row {int(np.argmax(missing))}")
    head = values.iloc[:RUN_SAMPLE]
    runs = len(values) > RUN_SAMPLE and 8 * len(_run_starts(head)) < len(head)
    starts = _run_starts(values) if runs else None
    codes, labels = _factorize(values if starts is None else values.iloc[starts])
    order = np.argsort(np.asarray(labels), kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    codes = rank[codes]
    if starts is not None:
        codes = np.repeat(codes, np.diff(starts, append=len(values)))
    return codes, labels.take(order)


def _run_starts(values: pd.Series) -> np.ndarray:
    """Positions where a run of equal labels begins (always including 0)."""
    arrow = _as_arrow(values)
    if arrow is not None:
        changed = pc.not_equal(arrow.slice(1), arrow.slice(0, len(arrow) - 1)).to_numpy(
            zero_copy_only=False)
    else:
        array = values.to_numpy()
        changed = array[1:] != array[:-1]
    return np.flatnonzero(np.concatenate(([True], changed)))


def _factorize(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Codes (``intp``) and labels in order of first appearance. Pandas text columns are
    dictionary-encoded by Arrow, about twice as fast as hashing in pandas; all chunks of
    Arrow's result share one dictionary, so their indices are only joined."""
    arrow = _as_arrow(values)
    if arrow is None:
        codes, labels = pd.factorize(values)
        return codes.astype(np.intp, copy=False), pd.Index(labels)
    encoded = pc.dictionary_encode(arrow)
    chunks = encoded.chunks if isinstance(encoded, pa.ChunkedArray) else [encoded]
    if any(not chunk.dictionary.equals(chunks[-1].dictionary) for chunk in chunks):
        chunks = [encoded.combine_chunks()]
    codes = np.concatenate([chunk.indices.to_numpy(zero_copy_only=False) for chunk in chunks]
                           + [np.empty(0, np.intp)]).astype(np.intp)
    return codes, pd.Index(chunks[-1].dictionary.to_pylist() if chunks else [])


def _as_arrow(values: pd.Series) -> pa.Array | pa.ChunkedArray | None:
    """The Arrow array of a pandas text column (Arrow- or Python-backed strings), or None for
    every other column (numbers, dates, periods, categories and Python objects), which numpy
    and pandas encode."""
    if values.dtype == object or not pd.api.types.is_string_dtype(values.dtype):
        return None
    return values.array.__arrow_array__()


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
