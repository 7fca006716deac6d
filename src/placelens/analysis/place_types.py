"""Place types from measurable signals ("Making innovative places", METHODS §8).

Urban hubs innovate through scale and choice (a large, dense labour and supplier market);
local links through specialised connections; a place can be both; rural places are often
overlooked. Industrial diversity is reported but is not a hub test: across 36 industries the
big cities are *less* diverse than the median district (their economies lean to finance and
professional services), so a diversity test would exclude Manchester and Birmingham, which
the source names as hubs.
``classify`` applies documented rules with thresholds relative to the national distribution
of districts; ``typology`` gives a data-driven grouping (k-means on the same signals) beside
it. The strength of local collaboration links (``rd_region_link_share``: the share of a
district's funded R&D link weight that stays in its travel-to-work area) is reported in the
reason when given, but is not a test: research council grants reach few organisations in most
districts (median 8 active in 2015–17), so "local links" rests on economic specialisation."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.cluster.vq import kmeans2

SIGNALS = ["population", "density", "diversity", "specialisation", "rural_share"]


@dataclass(frozen=True)
class TypeRules:
    rural_share: float = 0.5          # rural: at least half the population in rural areas
    hub_population_quantile: float = 0.8   # hub: population in the top fifth of districts
    hub_density_quantile: float = 0.75     # ... and density in the top quarter
    links_specialisation_quantile: float = 2 / 3  # local links: specialisation, top third


def classify(signals: pd.DataFrame, rules: TypeRules = TypeRules()) -> pd.DataFrame:
    """Type and reasons per area. ``signals`` needs the columns in :data:`SIGNALS`:
    population (people), density (people per hectare), diversity (Shannon of GVA by
    industry), specialisation (Krugman dissimilarity from the UK) and rural_share (0–1)."""
    missing = [c for c in SIGNALS if c not in signals.columns]
    if missing:
        raise ValueError(f"signals lack columns {missing}")
    thresholds = {
        "population": signals["population"].quantile(rules.hub_population_quantile),
        "density": signals["density"].quantile(rules.hub_density_quantile),
        "specialisation": signals["specialisation"].quantile(
            rules.links_specialisation_quantile)}
    rural = signals["rural_share"] >= rules.rural_share
    hub = (~rural & (signals["population"] >= thresholds["population"])
           & (signals["density"] >= thresholds["density"]))
    links = ~rural & (signals["specialisation"] >= thresholds["specialisation"])
    kind = np.select([rural, hub & links, hub, links],
                     ["rural", "urban hub and local links", "urban hub", "local links"],
                     default="urban, neither hub nor local links")
    incomplete = signals[SIGNALS].isna().any(axis=1)
    kind = pd.Series(kind, index=signals.index).where(~incomplete, "not classified")
    reasons = []
    for area, row in signals.iterrows():
        reasons.append(_reason(row, thresholds, rules, kind[area]))
    out = pd.DataFrame({"type": kind, "reason": reasons}, index=signals.index)
    out.attrs["thresholds"] = thresholds
    return out


def _reason(row: pd.Series, thresholds: dict, rules: TypeRules, kind: str) -> str:
    if kind == "not classified":
        return "Some signals are not published for this district."
    parts = [f"{row['rural_share']:.0%} of residents in rural areas "
             f"({'at least' if row['rural_share'] >= rules.rural_share else 'under'} "
             f"{rules.rural_share:.0%})"]
    if kind != "rural":
        parts.append(f"population {row['population']:,.0f} (hub needs ≥ "
                     f"{thresholds['population']:,.0f})")
        parts.append(f"density {row['density']:.1f}/ha (≥ {thresholds['density']:.1f})")
        parts.append(f"industrial diversity {row['diversity']:.2f} (reported, not a test)")
        parts.append(f"specialisation {row['specialisation']:.2f} (local links ≥ "
                     f"{thresholds['specialisation']:.2f})")
        if pd.notna(row.get("rd_region_link_share", np.nan)):
            parts.append(f"{row['rd_region_link_share']:.0%} of funded R&D links stay in its "
                         "travel-to-work area (reported, not a test)")
    return "; ".join(parts) + "."


def typology(signals: pd.DataFrame, groups: int = 4, seed: int = 0, restarts: int = 20
             ) -> pd.DataFrame:
    """k-means on z-scored signals (log population and log density), best of ``restarts``
    seeded runs; returns each area's group and, as ``attrs['centres']``, every group's mean
    signals so the groups can be named."""
    data = signals[SIGNALS].dropna()
    features = data.assign(population=np.log(data["population"]),
                           density=np.log(data["density"]))
    z = ((features - features.mean()) / features.std(ddof=0)).to_numpy()
    rng = np.random.default_rng(seed)
    best, best_inertia = None, np.inf
    for _ in range(restarts):
        centres, labels = kmeans2(z, groups, minit="++", seed=rng)
        inertia = ((z - centres[labels]) ** 2).sum()
        if inertia < best_inertia:
            best, best_inertia = labels, inertia
    order = pd.Series(best, index=data.index)
    # Number groups by mean population, largest first, so labels are stable across runs.
    means = data.groupby(order).mean().sort_values("population", ascending=False)
    relabel = {old: new + 1 for new, old in enumerate(means.index)}
    out = pd.DataFrame({"group": order.map(relabel)}).reindex(signals.index)
    out.attrs["centres"] = data.groupby(out["group"].dropna().astype(int)).mean()
    out.attrs["inertia"] = float(best_inertia)
    return out
