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

    Long tables usually come sorted: an outer key (period, area) in runs of one label, and the
    innermost key (activity) cycling through the same labels once for each outer label. When
    the first rows show runs, only the first row of each run is encoded and its code
    repeated; when the whole column repeats a cycle, only the first cycle is encoded and its
    codes tiled; otherwise every row is. Only the few labels are then sorted."""
    missing = values.isna().to_numpy()
    if missing.any():
        raise ValueError(f"column {values.name!r} has no label in {int(missing.sum())} "
                         f"row(s), the first at row {int(np.argmax(missing))}")
    if len(values) <= RUN_SAMPLE:
        return _sorted_codes(values)
    head = values.iloc[:RUN_SAMPLE]
    if 8 * len(_run_starts(head)) < len(head):
        starts = _run_starts(values)
        codes, labels = _sorted_codes(values.iloc[starts])
        return np.repeat(codes, np.diff(starts, append=len(values))), labels
    cycle = _cycle_length(values)
    if cycle is not None:
        codes, labels = _sorted_codes(values.iloc[:cycle])
        return np.resize(codes, len(values)), labels
    return _sorted_codes(values)


def _sorted_codes(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Codes of every row of ``values`` and its labels, both in sorted label order."""
    codes, labels = _factorize(values)
    order = np.argsort(np.asarray(labels), kind="stable")
    rank = np.empty(len(order), np.int32)  # half the memory of intp codes for long columns
    rank[order] = np.arange(len(order))
    return rank[codes], labels.take(order)


def _differs(values: pd.Series, shift: int) -> np.ndarray:
    """Whether each row from ``shift`` on differs from the row ``shift`` before it."""
    arrow = _as_arrow(values)
    if arrow is not None:
        return pc.not_equal(arrow.slice(shift), arrow.slice(0, len(arrow) - shift)).to_numpy(
            zero_copy_only=False)
    array = values.to_numpy()
    return array[shift:] != array[:-shift]


def _run_starts(values: pd.Series) -> np.ndarray:
    """Positions where a run of equal labels begins (always including 0)."""
    return np.flatnonzero(np.concatenate(([True], _differs(values, 1))))


def _cycle_length(values: pd.Series) -> int | None:
    """The length of the cycle the column repeats (every row equal to the row that many
    before it), or None. The candidate is where the first label comes again in the first rows;
    it is checked on those rows before the whole column."""
    head = values.iloc[:RUN_SAMPLE]
    again = np.flatnonzero(head.to_numpy()[1:] == head.iloc[0])
    if not len(again):
        return None
    cycle = int(again[0]) + 1
    if _differs(head, cycle).any() or _differs(values, cycle).any():
        return None
    return cycle


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
    flat = periods.astype(np.int64)  # the cell's position in the cube, built in place
    flat *= shape[1]
    flat += areas
    flat *= shape[2]
    flat += activities
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
