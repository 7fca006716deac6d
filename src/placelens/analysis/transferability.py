"""How different a study's context is from yours, on variables both places have
(docs/evidence.md): the first, automatic layer of the transferability note."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class ContextDistance:
    """``distance``: the root mean square of the standardised differences (0 = the same
    context; 1 = a typical spread apart on every variable); ``differences``: each variable's
    value for the study's place and for yours and the standardised difference, largest first;
    ``compared``: how many variables both places have."""

    distance: float
    differences: pd.DataFrame
    compared: int

    def differing_most(self, count: int = 3) -> list[str]:
        """The variables on which the two places differ most."""
        return list(self.differences.index[:count])


def context_distance(study: pd.Series, yours: pd.Series, spread: pd.Series
                     ) -> ContextDistance:
    """Compare two places on the variables both have, each difference in units of the
    variable's spread across the reference population (its standard deviation).

    Parameters
    ----------
    study, yours
        Context variables of the study's place and of yours.
    spread
        Standard deviation of each variable across the places it is judged among.

    Returns
    -------
    ContextDistance
        The distance and the differences behind it.
    """
    table = pd.DataFrame({"study": study, "yours": yours, "spread": spread}).dropna()
    table = table[table["spread"] > 0]
    if table.empty:
        raise ValueError("the two places share no context variable with a spread")
    table["difference_sd"] = (table["study"] - table["yours"]) / table["spread"]
    table = table.reindex(table["difference_sd"].abs().sort_values(ascending=False).index)
    distance = float(np.sqrt((table["difference_sd"] ** 2).mean()))
    return ContextDistance(distance, table.drop(columns="spread"), len(table))
