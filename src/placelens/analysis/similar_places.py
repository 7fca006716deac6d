"""Statistical nearest neighbours (docs/methods/benchmarking.md), in the CIPFA / ONS style:
choose context variables, z-score them, weight them (e.g. by theme), and rank places by
Euclidean distance. Each neighbour comes with the variables that make the pair close and
those that set it apart."""

from __future__ import annotations

import numpy as np
import pandas as pd


def standardise(context: pd.DataFrame) -> pd.DataFrame:
    """z-scores per variable (population standard deviation); a constant variable carries no
    information and raises an error naming it.

    Parameters
    ----------
    context
        Areas × context variables (NaN = not published).

    Returns
    -------
    pandas.DataFrame
        The z-scored variables.
    """
    std = context.std(ddof=0)
    constant = list(std[std == 0].index)
    if constant:
        raise ValueError(f"variables {constant} are constant across places")
    return (context - context.mean()) / std


def distances(context: pd.DataFrame, weights: dict[str, float] | None = None,
              min_variables: float = 0.5) -> pd.DataFrame:
    """Weighted Euclidean distances between every pair of places on z-scored variables.

    Missing values are left out pair by pair and the sum rescaled to the full weight, so a
    place with a gap is not made to look closer.

    Parameters
    ----------
    context
        Areas × context variables (NaN = not published).
    weights
        Variable → weight (1 by default).
    min_variables
        Share of the total weight a pair must share to get a distance.

    Returns
    -------
    pandas.DataFrame
        Areas × areas (NaN on the diagonal and for pairs sharing too little).
    """
    z = standardise(context)
    w = pd.Series(weights or {}, dtype="float64").reindex(z.columns).fillna(1.0).to_numpy()
    values = z.to_numpy()
    present = ~np.isnan(values)
    filled = np.nan_to_num(values)
    # Σ_v w_v (a_v - b_v)² over variables both have, by expanding the square.
    both = (present * w) @ present.T.astype(float)
    squares = filled ** 2 * w
    sum_sq = squares @ present.T + present @ squares.T - 2 * (filled * w) @ filled.T
    total = w.sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        d = np.sqrt(np.clip(sum_sq, 0, None) * total / both)
    d[both < min_variables * total] = np.nan
    np.fill_diagonal(d, 0.0)
    return pd.DataFrame(d, index=context.index, columns=context.index)


def nearest_neighbours(context: pd.DataFrame, k: int = 10,
                       weights: dict[str, float] | None = None, areas: list[str] | None = None,
                       drivers: int = 3) -> pd.DataFrame:
    """The ``k`` nearest places to each of ``areas``, with the variables that make each pair
    close and far.

    Parameters
    ----------
    context
        Areas × context variables (NaN = not published).
    k
        Neighbours per area.
    weights
        Variable → weight (1 by default).
    areas
        Areas to find neighbours for (default all).
    drivers
        Variables listed as closest and furthest per pair.

    Returns
    -------
    pandas.DataFrame
        area, rank, neighbour, distance, closest_on, furthest_on.

    References
    ----------
    CIPFA Nearest Neighbours model; ONS area classifications.
    """
    d = distances(context, weights)
    z = standardise(context)
    rows = []
    for area in areas if areas is not None else list(context.index):
        if area not in d.index:
            raise KeyError(f"{area!r} is not among the places of the context table")
        ranked = d.loc[area].drop(area).dropna().nsmallest(k)
        for rank, (neighbour, distance) in enumerate(ranked.items(), start=1):
            gaps = (z.loc[area] - z.loc[neighbour]).abs().dropna().sort_values()
            rows.append({"area": area, "neighbour": neighbour, "rank": rank,
                         "distance": float(distance),
                         "closest_on": ", ".join(gaps.index[:drivers]),
                         "furthest_on": ", ".join(gaps.index[::-1][:drivers])})
    return pd.DataFrame(rows, columns=["area", "neighbour", "rank", "distance", "closest_on",
                                       "furthest_on"])
