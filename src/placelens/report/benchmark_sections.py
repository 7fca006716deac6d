"""Profile sections on benchmarking: the composite index with its explanation and similar
places, the place type, and growth with the back-tests that decide whether "emerging" is
shown."""

from __future__ import annotations

import numpy as np
import pandas as pd

from placelens.analysis import emerging as em
from placelens.api import Observatory
from placelens.defaults import EMERGING_WINDOW
from placelens.geography.area_types import PEERS, upper_first
from placelens.geography.places import Place
from placelens.report import charts
from placelens.report.tables import as_table

#: Fewest places of a type for an index among them to mean anything.
MIN_PEERS = 3


def benchmarking(obs: Observatory, place: Place) -> dict:
    """Composite index with its explanation, the most similar places of the same type,
    growth among the same type, and (for districts) the place type; places made of several
    districts also list their members' scores and types."""
    peers = len(obs.places.of_type(place.area_type))
    if place.area_type == "UK" or peers < MIN_PEERS:
        return {"own": False, "reason": f"The index ranks places among others of their type; "
                f"there are only {peers} of type {place.type_label}."}
    section = _index_section(obs, place, obs.benchmark.default_set(place))
    if place.is_lad:
        kind = obs.benchmark.place_types().table.loc[place.code]
        section.update(type=kind["type"], type_reason=kind["reason"],
                       type_stability=f"{kind['type_stability']:.0%}")
    else:
        section.update(_members(obs, place))
    section.update(_emerging(obs, place))
    return section


def _members(obs: Observatory, place: Place) -> dict:
    """Member districts' index scores and place types (types are defined for districts)."""
    scores = obs.benchmark.innovation_index().table
    members = scores.reindex(list(place.members)).dropna(subset=["index"])
    types = obs.benchmark.place_types().table.reindex(list(place.members))["type"]
    table = pd.DataFrame({
        "District": members["name"], "Index": members["index"].map(lambda v: f"{v:.3f}"),
        "Relative (mean = 100)": members["relative"].map(lambda v: f"{v:.0f}"),
        "Group": members["group"], "Rank": members["rank"].map(lambda v: f"{v:.0f}"),
        "Place type": types.reindex(members.index)}).sort_values("Index", ascending=False)
    counts = types.value_counts()
    return {"members": table.pipe(as_table), "districts_ranked": int(scores["sufficient"].sum()),
            "member_types": ", ".join(f"{n} {kind}" for kind, n in counts.items())}


def _emerging(obs: Observatory, place: Place) -> dict:
    """The district's growth and its industries' growth with the back-tests that decide
    whether the emerging labels are shown."""
    places = obs.benchmark.emerging_places(area_type=place.area_type)
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
        "growth_backtest": _backtest_table(places.backtest, industries.backtest,
                                           PEERS[place.area_type])}


def _index_section(obs: Observatory, place: Place, set_name: str) -> dict:
    index = obs.benchmark.innovation_index(set_name, area_type=place.area_type)
    scores = index.table
    row = scores.loc[place.code]
    unit = PEERS[place.area_type]
    section = {"own": True, "lad": place.is_lad, "unit": unit,
               "combined": not place.is_lad and set_name.startswith("lad_"),
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
    regional = explanation[explanation["input"].str.contains("regional")]
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
    neighbours = obs.comparators.neighbours(place)
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
    section["side_by_side"] = _side_by_side(obs, place, list(neighbours["neighbour"]))
    section["neighbours"] = pd.DataFrame({
        "Rank": neighbours["rank"], "Area": neighbours["name"],
        "Distance": neighbours["distance"].map(lambda v: f"{v:.2f}"),
        "Closest on": neighbours["closest_on"], "Furthest on": neighbours["furthest_on"]
    }).pipe(as_table)
    return section


#: Context variables shown side by side in profiles (all are in ``benchmark variables``).
SIDE_BY_SIDE = {"rural share": ("Rural", "{:.0f}%"),
                "density": ("People per ha", "{:.1f}"),
                "population": ("Residents", "{:,.0f}"),
                "GVA per hour": ("GVA/hour", "£{:.1f}"),
                "GDHI per head": ("GDHI/head", "£{:,.0f}"),
                "NVQ3+": ("NVQ3+", "{:.0f}%")}


def _side_by_side(obs: Observatory, place: Place, neighbours: list[str]) -> dict:
    """The place (first, marked ▶) and its most similar places on the same context
    variables, with the others' median."""
    others = [obs.places.get(code) for code in neighbours]
    table = obs.comparators.compare(place, others, "statistical", list(SIDE_BY_SIDE)).table
    shown = pd.DataFrame({"Place": table["name"]})
    shown.iloc[0, 0] = f"▶ {shown.iloc[0, 0]}"
    for column, (label, pattern) in SIDE_BY_SIDE.items():
        shown[label] = table[column].map(lambda v, p=pattern: "–" if pd.isna(v) else
                                         p.format(v))
    return shown.pipe(as_table)


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


def _backtest_table(places: pd.DataFrame, industries: pd.DataFrame, unit: str) -> dict:
    """Mean AUC (range over windows) of each predictor in the growth back-tests of places
    of the type and of district industries."""
    rows = []
    for subject, backtest in ((f"{upper_first(unit)} (real GVA)", places),
                              ("Industries of districts (≥ 1% of GVA)", industries)):
        for predictor, aucs in backtest.groupby("predictor", sort=False)["auc"]:
            rows.append({"Back-test of": subject, "Predictor": predictor,
                         "Mean AUC": f"{aucs.mean():.2f}",
                         "Range over windows": f"{aucs.min():.2f}–{aucs.max():.2f}",
                         "Windows": len(aucs)})
    return pd.DataFrame(rows).pipe(as_table)
