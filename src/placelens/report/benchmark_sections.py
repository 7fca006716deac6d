"""Profile sections on benchmarking: the composite index with its explanation and similar
places, the place type, and growth with the back-tests that decide whether "emerging" is
shown."""

from __future__ import annotations

import numpy as np
import pandas as pd

from placelens.analysis import emerging as em
from placelens.api import Observatory
from placelens.defaults import EMERGING_WINDOW
from placelens.geography.places import Place
from placelens.report import charts
from placelens.report.tables import as_table


def benchmarking(obs: Observatory, place: Place) -> dict:
    """Composite index, its explanation and the most similar areas (districts and ITL3
    areas); for other places, their member districts' scores."""
    set_name = {"LAD": "lad_innovation", "ITL3": "itl3_innovation"}.get(place.area_type)
    if set_name is None:
        scores = obs.benchmark.innovation_index().table
        members = scores.reindex(list(place.members)).dropna(subset=["index"])
        table = pd.DataFrame({"District": members["name"], "Index": members["index"].map(
            lambda v: f"{v:.3f}"), "Relative (mean = 100)": members["relative"].map(
            lambda v: f"{v:.0f}"), "Group": members["group"], "Rank": members["rank"].map(
            lambda v: f"{v:.0f}")}).sort_values("Index", ascending=False)
        return {"own": False, "members": table.pipe(as_table),
                "ranked": int(scores["sufficient"].sum())}
    section = _index_section(obs, place, set_name)
    if place.is_lad:
        kind = obs.benchmark.place_types().table.loc[place.code]
        section.update(type=kind["type"], type_reason=kind["reason"],
                       type_stability=f"{kind['type_stability']:.0%}")
        section.update(_emerging(obs, place))
    return section


def _emerging(obs: Observatory, place: Place) -> dict:
    """The district's growth and its industries' growth with the back-tests that decide
    whether the emerging labels are shown."""
    places = obs.benchmark.emerging_places()
    growth = places.table.loc[place.code]
    industries = obs.benchmark.emerging_activities(place)
    fastest = industries.table[industries.table["class"] != em.TOO_SMALL].head(5)
    return {
        "window": f"{EMERGING_WINDOW[0]}–{EMERGING_WINDOW[1]}",
        "growth": "–" if pd.isna(growth["growth"]) else f"{growth['growth']:+.1f}%",
        "growth_class": {"other": "neither emerging, leading nor established"}.get(
            growth["class"], growth["class"]) if isinstance(growth["class"], str) else "–",
        "places_verdict": places.verdict, "places_reliable": places.reliable,
        "industries_verdict": industries.verdict,
        "industries_reliable": industries.reliable,
        "emerging_industries": ", ".join(industries.table.loc[
            industries.table["class"] == "emerging", "industry"].head(5)) or "none",
        "fastest_industries": pd.DataFrame({
            "Industry": fastest["industry"],
            "Growth of 3-year average": fastest["growth"].map(lambda v: f"{v:+.1f}%"),
            "Share of GVA": fastest["share_of_gva"].map(lambda v: f"{v:.1%}"),
            "Class": fastest["class"]}).pipe(as_table),
        "growth_backtest": _backtest_table(places.backtest, industries.backtest)}


def _index_section(obs: Observatory, place: Place, set_name: str) -> dict:
    index = obs.benchmark.innovation_index(set_name)
    scores = index.table
    row = scores.loc[place.code]
    unit = "districts" if place.is_lad else "ITL3 areas"
    section = {"own": True, "lad": place.is_lad, "unit": unit,
               "ranked": int(scores["sufficient"].sum()),
               "sufficient": bool(row["sufficient"]), "indicators": int(row["indicators"]),
               "set": index.indicator_set.description, "period": index.period,
               "change": None if pd.isna(row.get("change", np.nan)) else
               f"{row['change']:+.3f}",
               "compared": None if pd.isna(row.get("change", np.nan)) else
               int(row["indicators_compared"]),
               "between_share": None if index.between_nuts3_share is None else
               f"{index.between_nuts3_share:.0%}"}
    explanation = obs.benchmark.explain_index(place, set_name)
    regional = explanation[explanation["input"] != "own area"]
    section["regional"] = len(regional)
    section["regional_names"] = ", ".join(regional.index)
    section["explain"] = pd.DataFrame({
        "Indicator": explanation.index, "Value": explanation["value"].map(
            lambda v: "–" if pd.isna(v) else f"{v:,.2f}"),
        "Unit": explanation["unit"], "Input": explanation["input"],
        "Published for": [f"{a} ({p})" for a, p in zip(
            explanation["published_for"], explanation["period"], strict=True)],
        "Score (0–1)": explanation["score"].map(lambda v: "–" if pd.isna(v) else
                                                f"{v:.2f}"),
        "Median score": explanation["uk_median_score"].map(lambda v: f"{v:.2f}")
    }).pipe(as_table)
    if row["sufficient"]:
        section.update(index=f"{row['index']:.3f}", relative=f"{row['relative']:.0f}",
                       group=row["group"], rank=f"{row['rank']:.0f}",
                       low=f"{row['rank_p05']:.0f}", high=f"{row['rank_p95']:.0f}")
    neighbours = obs.benchmark.similar_places(place)
    compare = scores.reindex([place.code, *neighbours["neighbour"]])
    chart_data = pd.DataFrame({"label": compare["name"].str.slice(0, 40),
                               "index": compare["index"]}).dropna()
    section["svg"] = charts.bar_chart(
        chart_data.sort_values("index", ascending=False), "label", "index",
        f"Composite innovation index: {place.name} and its 10 most similar {unit}",
        "Index (0–1; mean of normalised indicators)",
        "placelens from ONS, Nesta/BEIS indicators", reference=float(
            scores.loc[scores["sufficient"], "index"].mean()))
    section["versus_neighbours"] = _versus_neighbours(
        place, list(neighbours["neighbour"]), index.normalised).pipe(as_table)
    section["neighbours"] = pd.DataFrame({
        "Rank": neighbours["rank"], "Area": neighbours["name"],
        "Distance": neighbours["distance"].map(lambda v: f"{v:.2f}"),
        "Closest on": neighbours["closest_on"], "Furthest on": neighbours["furthest_on"]
    }).pipe(as_table)
    return section


def _versus_neighbours(place: Place, neighbours: list[str], normalised: pd.DataFrame
                       ) -> pd.DataFrame:
    """Per index indicator: the place's score, its similar places' median score, and the
    place's rank among itself and them (1 = best)."""
    group = normalised.reindex([place.code, *neighbours])
    rows = []
    for indicator in normalised.columns:
        values = group[indicator]
        own = values.get(place.code)
        rank = "–" if pd.isna(own) else \
            f"{int((values.dropna() > own).sum()) + 1} of {values.notna().sum()}"
        rows.append({"Indicator": indicator,
                     "Score": "–" if pd.isna(own) else f"{own:.2f}",
                     "Similar places' median": f"{values.drop(place.code).median():.2f}",
                     "Rank among them": rank})
    return pd.DataFrame(rows)


def _backtest_table(places: pd.DataFrame, industries: pd.DataFrame) -> dict:
    """Mean AUC (range over windows) of each predictor in the growth back-tests of
    districts and of district industries."""
    rows = []
    for subject, backtest in (("Districts (real GVA)", places),
                              ("Industries of districts (≥ 1% of GVA)", industries)):
        for predictor, aucs in backtest.groupby("predictor", sort=False)["auc"]:
            rows.append({"Back-test of": subject, "Predictor": predictor,
                         "Mean AUC": f"{aucs.mean():.2f}",
                         "Range over windows": f"{aucs.min():.2f}–{aucs.max():.2f}",
                         "Windows": len(aucs)})
    return pd.DataFrame(rows).pipe(as_table)
