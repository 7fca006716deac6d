"""The board brief: key messages first (what is distinctive, how the place compares, what to
watch), each sentence generated from the same figures as the tables beside it, then the
headline figures, the trend, the strengths and the benchmark, in at most four A4 pages. The
full profile is its annex."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from placelens.api import Observatory
from placelens.defaults import EMERGING_WINDOW
from placelens.geography.area_types import PEERS
from placelens.geography.places import Place
from placelens.report import charts
from placelens.report.tables import as_table, fmt

MIN_SHARE = 0.01        # industries below 1% of the place's GVA give noisy LQs
#: The index's groups as the Regional Innovation Scoreboard names them (so "emerging" here is
#: never read as the growth label, which has its own back-test).
INDEX_GROUPS = {"leader": "innovation leader", "strong": "strong innovator",
                "moderate": "moderate innovator", "emerging": "emerging innovator"}
GAP_YEARS = 5           # "what to watch": the gap to the UK now and five years before


@dataclass(frozen=True)
class KeyMessage:
    """One sentence of the brief and the figures it states (tests recompute them)."""

    topic: str
    text: str
    figures: dict = field(default_factory=dict)


def _latest_pair(obs: Observatory, place: Place, other: Place, indicator: str
                 ) -> tuple[str, float, float] | None:
    """The latest period both places have ``indicator`` for, with both values."""
    mine = obs.indicators.series(place, indicator).dropna(subset=["value"])
    theirs = obs.indicators.series(other, indicator).dropna(subset=["value"])
    both = mine.merge(theirs, on="period", suffixes=("", "_other"))
    if both.empty:
        return None
    last = both.sort_values("period").iloc[-1]
    return str(last["period"]), float(last["value"]), float(last["value_other"])


def productivity(obs: Observatory, place: Place, comparators: list[Place]) -> KeyMessage | None:
    uk = obs.places.places.get("K02000001")
    if uk is None or place.code == uk.code:
        return None
    pair = _latest_pair(obs, place, uk, "gva_per_hour_gbp")
    if pair is None:
        return None
    period, value, uk_value = pair
    share = value / uk_value
    regional = [c for c in comparators if c.code != uk.code]
    region_text = ""
    figures: dict = {"period": period, "value": value, "uk_value": uk_value,
                     "share_of_uk": share}
    if regional:
        other = obs.indicators.series(regional[0], "gva_per_hour_gbp")
        match = other[other["period"] == period]
        if len(match):
            region_value = float(match["value"].iloc[0])
            figures["region_value"] = region_value
            region_text = f" ({regional[0].name} {fmt(region_value, 1, '£')})"
    text = (f"Output per hour worked was {fmt(value, 1, '£')} in {period}: {share:.0%} of the "
            f"UK's {fmt(uk_value, 1, '£')}{region_text}.")
    return KeyMessage("productivity", text, figures)


def top_location_quotients(obs: Observatory, place: Place, period: str, rows: int
                           ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``rows`` industries with the highest LQ among those with at least 1% of the
    place's GVA, and the whole LQ table (the brief's message, chart and table all use this)."""
    lq = obs.economy.location_quotients(place, period)
    return lq[lq["share"] >= MIN_SHARE].dropna(subset=["lq"]).head(rows), lq


def strengths(obs: Observatory, place: Place, period: str) -> KeyMessage | None:
    shown, lq = top_location_quotients(obs, place, period, 3)
    if shown.empty:
        return None
    parts = [f"{row.industry.lower()} (LQ {row.lq:.2f})" for row in shown.itertuples()]
    listed = ", ".join(parts[:-1]) + f" and {parts[-1]}" if len(parts) > 1 else parts[0]
    suppressed = int(lq["gva_gbp_m"].isna().sum())
    caveat = f" {suppressed} of its {len(lq)} industries are not published, so the list may " \
        "miss some." if suppressed else ""
    text = f"Most specialised, relative to the UK, in {listed} (GVA {period}).{caveat}"
    return KeyMessage("strengths", text, {"period": period, "industries": list(shown.index),
                                          "lq": [float(v) for v in shown["lq"]]})


def index_rank(benchmarking: dict, place: Place) -> KeyMessage | None:
    if not benchmarking.get("own"):
        return None
    if not benchmarking.get("sufficient"):
        return KeyMessage("index", f"No reliable innovation-index rank: {place.name} has only "
                          f"{benchmarking['indicators']} of the index's indicators.",
                          {"indicators": benchmarking["indicators"]})
    b = benchmarking
    text = (f"Composite innovation index {b['index']}: rank {b['rank']} of {b['ranked']} "
            f"{b['unit']}, {index_group(b['group'])} in the Regional Innovation "
            f"Scoreboard's groups; under other reasonable choices of method the rank lies "
            f"between {b['low']} and {b['high']}.")
    return KeyMessage("index", text, {key: b[key] for key in ("index", "rank", "ranked",
                                                                "low", "high", "group")})


def index_group(group: str) -> str:
    """The index group with its article: "an emerging innovator", "a strong innovator"."""
    name = INDEX_GROUPS.get(group, group)
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


def growth(benchmarking: dict, place: Place) -> KeyMessage | None:
    if not benchmarking.get("own") or benchmarking.get("growth") in (None, "–"):
        return None
    b = benchmarking
    label = (f"; among {b['unit']} it is {b['growth_class']}" if b["places_reliable"] else
             "; no emerging or leading label is given because growth in one window does not "
             "reliably predict the next")
    text = (f"Real GVA changed {b['growth']} over {EMERGING_WINDOW[0]}–{EMERGING_WINDOW[1]}"
            f"{label}.")
    return KeyMessage("growth", text, {"growth": b["growth"], "reliable": b["places_reliable"],
                                       "class": b["growth_class"]})


def productivity_gap(obs: Observatory, place: Place) -> KeyMessage | None:
    """What to watch: the place's productivity as a share of the UK's, now and
    :data:`GAP_YEARS` earlier."""
    uk = obs.places.places.get("K02000001")
    if uk is None or place.code == uk.code:
        return None
    mine = obs.indicators.series(place, "gva_per_hour_gbp").set_index("period")["value"]
    theirs = obs.indicators.series(uk, "gva_per_hour_gbp").set_index("period")["value"]
    share = (mine / theirs).dropna().sort_index()
    if len(share) <= GAP_YEARS:
        return None
    end, start = share.index[-1], share.index[-1 - GAP_YEARS]
    change = share[end] - share[start]
    direction = "narrowed" if change > 0.005 else "widened" if change < -0.005 else \
        "stayed about the same"
    if share[end] >= 1 and share[start] >= 1:
        direction = {"narrowed": "grew", "widened": "shrank"}.get(direction, direction)
        subject = "The lead over the UK"
    else:
        subject = "The productivity gap to the UK"
    text = (f"{subject} {direction}: output per hour was {share[start]:.0%} of the UK level in "
            f"{start} and {share[end]:.0%} in {end}.")
    return KeyMessage("watch", text, {"start": start, "end": end,
                                      "share_start": float(share[start]),
                                      "share_end": float(share[end])})


def key_messages(obs: Observatory, place: Place, context: dict, period: str
                 ) -> list[KeyMessage]:
    """The brief's key messages, from the profile's context and the services."""
    found = [productivity(obs, place, context["comparators"]),
             strengths(obs, place, period), index_rank(context["benchmarking"], place),
             growth(context["benchmarking"], place), productivity_gap(obs, place)]
    return [message for message in found if message is not None]


def similar_places(benchmarking: dict) -> dict | None:
    """The five most similar places and what they are closest on (the brief's shorter form
    of the annex's table)."""
    table = benchmarking.get("neighbours")
    if not table or not table.get("data"):
        return None
    keep = [i for i, c in enumerate(table["columns"]) if c != "Furthest on"]
    return {"columns": [table["columns"][i] for i in keep],
            "numeric": [table["numeric"][i] for i in keep],
            "data": [[row[i] for i in keep] for row in table["data"][:5]]}


def brief_context(obs: Observatory, place: Place, context: dict, period: str) -> dict:
    group = context["benchmarking"].get("group")
    return {**context, "messages": key_messages(obs, place, context, period),
            "index_group": index_group(group) if group else None,
            "similar": similar_places(context["benchmarking"]),
            "peers": PEERS.get(place.area_type, "places"),
            "strengths": top_strengths(obs, place, period)}


def top_strengths(obs: Observatory, place: Place, period: str, rows: int = 6) -> dict | None:
    """The brief's strengths: the ``rows`` industries with the highest LQ among those with
    at least 1% of the place's GVA, as a chart and its table (the profile's first rows)."""
    shown, _ = top_location_quotients(obs, place, period, rows)
    if shown.empty:
        return None
    svg = charts.bar_chart(shown.assign(label=shown["industry"].str.slice(0, 45)), "label",
                           "lq", f"Top industries by location quotient, {place.name}, {period}",
                           "Location quotient (UK = 1)",
                           obs.indicators.source_label("ons_rgva_lad_2025"), reference=1.0)
    table = pd.DataFrame({
        "Industry": shown["industry"], "GVA £m": shown["gva_gbp_m"].map(fmt),
        "Share of place": (shown["share"] * 100).map(lambda v: f"{v:.1f}%"),
        "Share of UK": (shown["uk_share"] * 100).map(lambda v: f"{v:.1f}%"),
        "LQ": shown["lq"].map(lambda v: f"{v:.2f}")})
    return {"svg": svg, "table": as_table(table)}


__all__ = ["KeyMessage", "brief_context", "key_messages"]
