"""Comparing and describing partitions of units: agreement of two partitions corrected for
chance, and how much of each unit's commuting stays inside its group
(docs/methods/functional_regions.md)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from placelens.analysis.functional_regions import FlowTable


def adjusted_rand_index(first: pd.Series, second: pd.Series) -> float:
    """Agreement of two partitions of the same units, corrected for chance (1 = identical,
    about 0 = no better than random).

    Parameters
    ----------
    first, second
        Two partitions (unit → group) of the same units.

    Returns
    -------
    float
        The adjusted Rand index.

    References
    ----------
    Hubert & Arabie (1985), "Comparing partitions", *Journal of Classification* 2.
    """
    both = pd.DataFrame({"a": first, "b": second.reindex(first.index)}).dropna()
    table = pd.crosstab(both["a"], both["b"]).to_numpy()
    pairs = lambda x: (x * (x - 1) / 2).sum()  # noqa: E731
    index = pairs(table)
    rows, columns = pairs(table.sum(axis=1)), pairs(table.sum(axis=0))
    expected = rows * columns / pairs(np.array([table.sum()]))
    maximum = (rows + columns) / 2
    return float((index - expected) / (maximum - expected)) if maximum != expected else 1.0


def containment_within(table: FlowTable, groups: pd.Series) -> pd.Series:
    """Per unit: the share of its residents' commuting (its flows out plus in, self-flows
    included) that stays inside the group it belongs to (e.g. its combined authority).

    Parameters
    ----------
    table
        A checked :class:`FlowTable`.
    groups
        Unit → group (NaN: no group).

    Returns
    -------
    pandas.Series
        Share per unit (NaN where it has no group).
    """
    codes = groups.reindex(table.units)
    flows = table.flows.tocoo()
    same = codes.to_numpy()[flows.row] == codes.to_numpy()[flows.col]
    inside = np.bincount(flows.row, weights=flows.data * same, minlength=len(codes)) + \
        np.bincount(flows.col, weights=flows.data * same, minlength=len(codes))
    total = np.bincount(flows.row, weights=flows.data, minlength=len(codes)) + \
        np.bincount(flows.col, weights=flows.data, minlength=len(codes))
    share = pd.Series(inside / np.where(total > 0, total, np.nan), index=table.units)
    return share.where(codes.notna())
