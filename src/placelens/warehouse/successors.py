"""Values for districts created by boundary changes, combined from their predecessors.

Some releases (the ONS subnational indicators, for example) still publish Allerdale, Copeland
and Carlisle rather than Cumberland. Without combining them, the four unitaries of April 2023
(Cumberland, Westmorland and Furness, North Yorkshire, Somerset) have too few indicators to be
ranked or compared. For each indicator and period a successor has no published value for, its
value is derived when every one of its last predecessors has one:

* additive measures (counts, money) are summed;
* other measures (rates, ratios, medians) are averaged with the predecessors' mid-2020
  populations as weights. A ratio of sums would be exact, but the releases do not publish the
  numerators and denominators, so the weight is stated on every derived row instead.

Derived rows say how in ``derived_from``; published rows leave it empty. See
docs/methods/geography.md.
"""

from __future__ import annotations

import pandas as pd


def last_predecessors(changes: pd.DataFrame) -> dict[str, list[str]]:
    """Successor → the codes it replaced at its latest change (e.g. Somerset's four 2023
    districts, not the two that merged into one of them in 2019)."""
    out = {}
    for new_code, rows in changes.groupby("new_code"):
        dates = rows["date"].dropna()
        if len(dates):
            rows = rows[rows["date"] == dates.max()]
        out[str(new_code)] = sorted(rows["old_code"])
    return out


def combine_predecessors(observations: pd.DataFrame, changes: pd.DataFrame,
                         additive: dict[str, bool]) -> pd.DataFrame:
    """Derived district rows for successors from their predecessors' observations.

    Parameters
    ----------
    observations : DataFrame
        The warehouse observations (LAD rows on retired codes carry vintage ``pre-2023``).
    changes : DataFrame
        Code changes: old_code, new_code, date, population_2020.
    additive : dict
        Indicator → whether it may be summed over areas.

    Returns
    -------
    DataFrame
        New observation rows (vintage 2023) with ``derived_from`` saying how each was made;
        none where the successor already has a published value, a predecessor lacks one, or
        a non-additive measure lacks a predecessor's population.
    """
    columns = list(observations.columns)
    predecessors = last_predecessors(changes)
    weights = changes.drop_duplicates("old_code").set_index("old_code")["population_2020"]
    lads = observations[observations["area_type"] == "LAD"]
    published = set(zip(lads["area_code"], lads["indicator"], lads["period"], strict=True))
    old_rows = lads[lads["area_code"].isin(weights.index)].set_index("area_code")
    derived = []
    for successor, olds in predecessors.items():
        present = old_rows[old_rows.index.isin(olds)]
        for (indicator, period), rows in present.groupby(["indicator", "period"]):
            if (successor, indicator, period) in published or set(rows.index) != set(olds):
                continue
            row = _combine(rows, olds, bool(additive.get(indicator, False)), weights)
            if row is not None:
                derived.append({**row, "area_code": successor, "area_type": "LAD",
                                "vintage": "2023", "indicator": indicator, "period": period,
                                "source_id": rows["source_id"].iloc[0]})
    return pd.DataFrame(derived, columns=columns)


def _combine(rows: pd.DataFrame, olds: list[str], additive: bool, weights: pd.Series
             ) -> dict | None:
    """Value and description for one successor, indicator and period (None if it cannot be
    derived honestly)."""
    values = rows["value"].astype("float64")
    if values.isna().any():
        return None
    codes = ", ".join(olds)
    if len(olds) == 1:
        return {"value": float(values.iloc[0]), "derived_from": f"published for {codes}"}
    if additive:
        return {"value": float(values.sum()), "derived_from": f"sum of predecessors {codes}"}
    weight = weights.reindex(rows.index).astype("float64")
    if weight.isna().any() or weight.sum() <= 0:
        return None
    value = float((values * weight).sum() / weight.sum())
    return {"value": value, "derived_from": f"mean of predecessors {codes} weighted by "
            "mid-2020 population (mySociety, from ONS estimates)"}
