"""Profile sections on who innovates with whom: the collaboration network, the leadership
style and the partnership's innovation journey."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from placelens.analysis.actors import ACTOR_LABELS, ACTOR_TYPES
from placelens.analysis.layout import force_directed_layout
from placelens.analysis.leadership import (
    BORDERLINE,
    DESCRIPTIONS,
    MIN_ACTORS,
    MIN_MANY_DECIDERS,
    MIN_PROJECTS,
    NO_ACTIVITY,
    STABLE_SHARE,
)
from placelens.api import Observatory
from placelens.assessments import history_table, load_assessments
from placelens.geography.places import Place
from placelens.report import charts
from placelens.report.tables import as_table

SOURCE_IDS = ("ukri_gtr_2018_04", "os_codepoint_open_2025_10")
DIAGRAM_PARTNERS = 25  # external partners drawn beside the place's own organisations
DIAGRAM_LOCAL = 20
LAYOUT_SEED = 7


def _money(value: float) -> str:
    return "–" if pd.isna(value) else f"£{value / 1e6:,.1f}m"


def _share(value: float) -> str:
    return "–" if pd.isna(value) else f"{value:.1%}"


def collaboration(obs: Observatory, place: Place) -> dict:
    """Actors by type, leaders, local versus external links, partner places, brokers and a
    diagram of the place's organisations with their strongest partners (latest period)."""
    collab = obs.collaboration
    period = collab.periods[-1]
    metrics = collab.place_metrics(place, period)
    if metrics["active_organisations"] == 0:
        return {"available": False, "period": period.label,
                "reason": f"No organisation placed in {place.name} took part in a research "
                          f"council grant active in {period.label}."}
    actors = pd.DataFrame({
        "Type": [ACTOR_LABELS[t] for t in ACTOR_TYPES],
        "Active organisations": [f"{int(metrics[f'active_{t}']):,}" for t in ACTOR_TYPES]})
    summary = pd.DataFrame({"Measure": [
        "Projects with a local partner", "Their funding in the period",
        "Local organisations leading grants", "Concentration of lead roles (HHI of projects led)",
        "Concentration of funding led locally (HHI)",
        "Effective number of organisations leading the place's projects",
        "Link weight staying in the place", "… staying in its travel-to-work area",
        "… to partners abroad or not placed"], "Value": [
        f"{int(metrics['projects']):,}", _money(metrics["value_gbp"]),
        f"{int(metrics['lead_organisations']):,}",
        "–" if pd.isna(metrics["lead_roles_hhi"]) else f"{metrics['lead_roles_hhi']:.2f}",
        "–" if pd.isna(metrics["lead_value_hhi"]) else f"{metrics['lead_value_hhi']:.2f}",
        "–" if pd.isna(metrics["effective_deciders"]) else
        f"{metrics['effective_deciders']:.1f}",
        _share(metrics["local_link_share"]),
        _share(metrics.get("region_link_share", np.nan)),
        _share(metrics["unplaced_link_share"])]})
    partners = collab.partner_places(place, period)
    partner_table = pd.DataFrame({
        "District": [obs.indicators.area_name(c) for c in partners["area_code"]],
        "Code": partners["area_code"], "Links": partners["links"].map("{:,}".format),
        "Link weight": partners["weight"].map(_money)})
    brokers = collab.brokers(period)
    local = brokers[brokers["area_code"].isin(place.members)].head(8)
    broker_table = pd.DataFrame({
        "Organisation": local["name"], "Type": local["actor_type"].map(ACTOR_LABELS),
        "Projects": local["projects"].map("{:,}".format),
        "Betweenness": local["betweenness"].map(lambda v: f"{v:.4f}")})
    nodes, edges = _ego_layout(collab.network(period), place)
    svg = charts.network_diagram(
        nodes, edges, f"{place.name}: organisations and their strongest partners, "
        f"{period.label}", obs.indicators.source_label(*SOURCE_IDS))
    return {"available": True, "period": period.label, "actors": as_table(actors),
            "summary": as_table(summary), "partners": as_table(partner_table),
            "brokers": as_table(broker_table), "svg": svg,
            "diagram": as_table(nodes[["name", "type", "place"]].rename(columns={
                "name": "Organisation", "type": "Type", "place": "District"})),
            "match": _match_sentence(collab.match_rate())}


def _match_sentence(rate: pd.DataFrame) -> str:
    placed = rate["share_of_uk_postcodes"].reindex(["postcode", "sector", "outcode"]).fillna(0)
    return (f"{placed.sum():.1%} of organisations with a UK postcode are placed in a district "
            f"({placed['postcode']:.1%} by exact postcode, the rest by postcode sector or "
            "district); Northern Ireland postcodes are not covered by Code-Point Open.")


def ego_graph(network, place: Place) -> tuple[pd.Index, int, pd.DataFrame, np.ndarray]:
    """The diagram's organisations (the place's most funded, then their strongest outside
    partners), how many of them are the place's own, the links among them, and those links
    as pairs of positions in the first."""
    orgs = network.organisations
    local = orgs[orgs["area_code"].isin(place.members)].nlargest(DIAGRAM_LOCAL, "value_gbp")
    edges = network.edges
    touching = edges[edges["source"].isin(local.index) | edges["target"].isin(local.index)]
    other = touching["target"].where(touching["source"].isin(local.index), touching["source"])
    strength = touching.groupby(other.to_numpy())["weight"].sum().drop(local.index,
                                                                        errors="ignore")
    chosen = pd.Index(list(local.index) + list(strength.nlargest(DIAGRAM_PARTNERS).index))
    keep = edges[edges["source"].isin(chosen) & edges["target"].isin(chosen)]
    pairs = np.column_stack([chosen.get_indexer(keep["source"]),
                             chosen.get_indexer(keep["target"])])
    return chosen, len(local), keep, pairs


def _ego_layout(network, place: Place) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The diagram's organisations and links, laid out with a seeded Fruchterman–Reingold
    layout (the same picture every time)."""
    orgs = network.organisations
    chosen, local_count, keep, pairs = ego_graph(network, place)
    coords = force_directed_layout(
        pairs, start=np.random.default_rng(LAYOUT_SEED).random((len(chosen), 2)))
    table = orgs.loc[chosen]
    nodes = pd.DataFrame({
        "id": list(chosen), "x": coords[:, 0], "y": coords[:, 1],
        "name": table["name"].to_numpy(), "label": table["name"].str.slice(0, 28).to_numpy(),
        "type": table["actor_type"].map(ACTOR_LABELS).to_numpy(),
        "size": table["value_gbp"].to_numpy(),
        "local": np.arange(len(chosen)) < local_count,
        "place": table["area_code"].fillna("abroad / not placed").to_numpy()})
    # Label the place's own largest organisations; partners are named in the data table.
    nodes["labelled"] = nodes["local"] & (nodes["size"].rank(ascending=False, method="first")
                                          .where(nodes["local"]).rank() <= 6)
    position = nodes.set_index("id")[["x", "y"]]
    lines = pd.DataFrame({
        "x": position.loc[keep["source"], "x"].to_numpy(),
        "y": position.loc[keep["source"], "y"].to_numpy(),
        "x2": position.loc[keep["target"], "x"].to_numpy(),
        "y2": position.loc[keep["target"], "y"].to_numpy(), "weight": keep["weight"]})
    return nodes, lines


def leadership(obs: Observatory, place: Place) -> dict:
    """The place's leadership style in each period: actors and deciders against what places
    with as much funded R&D have, with the stability of the label."""
    table = obs.collaboration.leadership(place)
    latest = table.iloc[-1]
    peer = {"LAD": "districts", "ITL3": "ITL3 regions", "ITL2": "ITL2 regions",
            "ITL1": "ITL1 regions"}[latest["peer_type"]]
    residual = lambda v: "–" if pd.isna(v) else f"{math.exp(v):.2f}×"  # noqa: E731
    rows = pd.DataFrame({
        "Period": table["period"],
        "Projects": table["projects"].map(lambda v: f"{v:,.0f}"),
        "Actors": table["actors"].map(lambda v: f"{v:,.0f}"),
        "Actors vs size": table["actors_residual"].map(residual),
        "Deciders (effective)": table["deciders"].map(lambda v: f"{v:.1f}"),
        "Deciders vs size": table["deciders_residual"].map(residual),
        "Style": table["leadership_style"].map(_sentence_case),
        "Stability": table["style_stability"].map(
            lambda v: "–" if pd.isna(v) else f"{v:.0%}"),
        "Finding": table["finding"].map(_sentence_case)})
    active = table.dropna(subset=["actors_residual", "deciders_residual"])
    svg = charts.leadership_chart(active, f"Leadership style of {place.name} over time",
                                  obs.indicators.source_label(*SOURCE_IDS)
                                  ) if len(active) else None
    style, found = latest["leadership_style"], latest["finding"]
    return {"style": style, "finding": found, "description": DESCRIPTIONS.get(style, ""),
            "stability": "–" if pd.isna(latest["style_stability"]) else
            f"{latest['style_stability']:.0%}", "borderline": found == BORDERLINE,
            "active": style != NO_ACTIVITY, "period": latest["period"], "peer": peer,
            "projects": f"{latest['projects']:,.0f}", "actors": f"{latest['actors']:,.0f}",
            "deciders": f"{latest['deciders']:.1f}", "min_actors": MIN_ACTORS,
            "min_projects": MIN_PROJECTS, "min_deciders": f"{MIN_MANY_DECIDERS:.0f}",
            "stable_share": f"{STABLE_SHARE:.0%}", "table": as_table(rows), "svg": svg}


def _sentence_case(text: str) -> str:
    """First letter upper case, the rest as written (keeps "R&D")."""
    return text[:1].upper() + text[1:]


def journey(place: Place) -> dict:
    """The latest stored self-assessment of the partnership and its history, if any."""
    records = load_assessments(place.code)
    if not records:
        return {"available": False}
    latest = records[-1]["result"]
    flagged = [r for r in latest["risks"] if r["status"] == "flagged"]
    history = history_table(records)
    history["fit"] = history["fit"].map(lambda v: f"{v:.2f}")
    return {"available": True, "date": records[-1]["date"], "result": latest,
            "version": records[-1]["questionnaire_version"], "risks": flagged,
            "history": as_table(history.rename(columns=lambda c: c.replace("_", " ")
                                               .capitalize()))}
