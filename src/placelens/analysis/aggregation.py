"""District indicator values combined onto larger places (combined authorities, city regions,
ITL regions, countries, user area sets).

Two rules, stated wherever the results are shown:

* a total (a count or an amount of money) is the sum over member districts;
* anything else (a rate, a per-head figure, a median) is the mean over member districts
  weighted by population. For a per-head figure this equals the ratio of summed totals to
  summed population exactly; for a rate whose denominator is not population (employment rate
  of 16–64 year olds, GVA per hour worked) it approximates the ratio of sums, which the
  releases do not publish the parts of.

A total needs every member district, so a partial sum never passes for a whole. A weighted
mean needs members holding at least ``min_population_share`` (95%) of the place's population:
the City of London (0.1% of London) has no published median pay, and London should not lose
its pay figure for it. See docs/methods/geography.md.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def combine_members(values: pd.DataFrame, members: dict[str, tuple[str, ...]],
                    population: pd.Series, totals: set[str],
                    min_population_share: float = 0.95) -> pd.DataFrame:
    """District × indicator values combined onto places.

    Parameters
    ----------
    values : DataFrame
        District × indicator values (index: district code).
    members : dict
        Place code → its member district codes.
    population : Series
        Population of each district (the weight for non-totals).
    totals : set of str
        Columns that are totals, summed over members.
    min_population_share : float
        Share of the place's population the members with a value must hold for a weighted
        mean.

    Returns
    -------
    DataFrame
        Place × indicator values; NaN where a member lacks a total, or members with a value
        hold less than ``min_population_share`` of the population.

    Examples
    --------
    >>> v = pd.DataFrame({"jobs": [10.0, 30.0], "rate": [50.0, 70.0]}, index=["a", "b"])
    >>> combine_members(v, {"ab": ("a", "b")}, pd.Series({"a": 1.0, "b": 3.0}), {"jobs"})
        jobs  rate
    ab  40.0  65.0
    """
    rows = {}
    for place, lads in members.items():
        block = values.reindex(list(lads))
        weight = population.reindex(list(lads)).astype("float64")
        row = {}
        for column in values.columns:
            column_values = block[column].astype("float64")
            if column in totals:
                complete = len(column_values) and column_values.notna().all()
                row[column] = float(column_values.sum()) if complete else np.nan
                continue
            known = column_values.notna() & weight.notna()
            if weight.isna().any() or weight.sum() <= 0 or \
                    weight[known].sum() < min_population_share * weight.sum():
                row[column] = np.nan
            else:
                row[column] = float((column_values[known] * weight[known]).sum()
                                    / weight[known].sum())
        rows[place] = row
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(values.columns))


def combination_rule(is_total: bool, members: int) -> str:
    """How a combined value was made, for provenance tables.

    Parameters
    ----------
    is_total : bool
        Whether the indicator is a total (summed) rather than a rate (population-weighted).
    members : int
        Number of member districts.

    Returns
    -------
    str
        For example ``"sum of 10 districts"``; a place of one district has that district's
        own figure, whichever the rule.
    """
    if members == 1:
        return "its one district's figure"
    if is_total:
        return f"sum of {members} districts"
    return f"population-weighted mean of {members} districts"
