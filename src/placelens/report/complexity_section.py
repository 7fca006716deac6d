"""Profile section on complexity: the place's ECI, its region's strong clusters and the
opportunities with the back-test that says how far to trust them."""

from __future__ import annotations

import math

import pandas as pd

from placelens.analysis import clusters as cl
from placelens.api import Observatory
from placelens.geography.places import Place
from placelens.report.tables import as_table, fmt

RANKING_WORDS = {"rca": "current RCA (how close the region already is to specialising)",
                 "feasibility": "feasibility (density and current RCA together)",
                 "density": "density (relatedness to what the region does)",
                 "cog": "complexity outlook gain"}


def complexity(obs: Observatory, place: Place, period: str) -> dict:
    """ECI rank among districts, the NUTS2 region's strongest clusters and its top
    opportunities, with the back-test that says how far to trust them."""
    own = obs.complexity.place_complexity(place, period)
    section: dict[str, object] = {
        "eci": None if own.eci is None else f"{own.eci:+.2f}", "rank": own.rank,
        "of": own.of, "suppressed": own.suppressed, "industries": own.industries,
        "orientation": own.orientation, "period": period,
        "projected": not place.is_lad}
    region = obs.complexity.nuts2_region(place)
    name = region and obs.indicators.area_name(region)
    section["region"] = region and f"{name} ({region}, NUTS 2013)"
    if region is None:
        return section
    clusters = obs.complexity.clusters()
    mine = clusters[clusters["area"] == region].sort_values("lq", ascending=False)
    strong = mine[mine["strong"]].head(8)
    share = cl.traded_share_in_strong_clusters(clusters).get(region)
    section["clusters"] = pd.DataFrame({
        "Cluster (Nesta segment)": strong["cluster"].map(cl.segment_label),
        "Jobs": strong["employment"].map(fmt), "Establishments":
        strong["establishments"].map(fmt), "LQ": strong["lq"].map(lambda v: f"{v:.2f}")
    }).pipe(as_table)
    section["traded_share"] = None if share is None else f"{share * 100:.0f}%"
    found = obs.complexity.opportunities(place, top=6)
    top = found.table
    floored = top["rca"].map(lambda v: f"{math.floor(v * 100) / 100:.2f}")  # all < 1
    section["opportunities"] = pd.DataFrame({
        "SIC": top.index, "Activity": top["name"], "Cluster": top["cluster"],
        "RCA now": floored, "Density": top["density"].map(lambda v: f"{v:.3f}"),
        "COG": top["cog"].map(lambda v: f"{v:+.2f}"), "Why": top["why"]}).pipe(as_table)
    section["ranking"] = RANKING_WORDS.get(found.ranking, found.ranking)
    section["backtest"] = backtest_summary(found.backtest)
    return section


def backtest_summary(result) -> dict:
    """AUCs (95% intervals) of the opportunity back-test, for the sentence beside the
    list."""
    summary = {name: f"{value:.2f} ({low:.2f}–{high:.2f})"
               for name, (value, (low, high)) in result.scores.items()}
    summary["cases"] = f"{result.gains:,} of {result.cases:,}"
    summary["relatedness_adds"] = result.scores["density+rca"][0] > result.scores["rca"][0]
    return summary
