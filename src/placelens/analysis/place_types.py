"""Place types from measurable signals ("Making innovative places"; docs/methods/benchmarking.md).

Each type is defined from the concept it names, and needs only the signals of that concept,
so a suppressed industry never stops a district being classed rural or a hub:

* **rural** — at least half of residents live in rural or highly rural small areas (ONS,
  Scottish Government and NISRA classifications harmonised by mySociety);
* **urban hub** — scale and choice of a large built-up labour market: filled jobs in the top
  fifth of districts and at least 80% of residents in urban small areas. District *density*
  is not used: district boundaries that take in rural hinterland (Leeds, Sheffield) would
  hide a city, and small dense boroughs would pass without the scale;
* **local links** — specialised connections: a district specialised in a tradable,
  knowledge-intensive activity (its largest location quotient among those industries, each at
  least 1% of its GVA, in the top third of districts and at least 1.25) *and* funded R&D
  collaboration that stays in its travel-to-work area more than the area's size predicts
  (observed share of link weight in the area ÷ the share a partner picked in proportion to
  every area's link weight would give, at least 1). With fewer than 10 organisations in
  funded R&D the collaboration half cannot be measured and the district is not called
  "local links" (the reason says so);
* **urban hub and local links** — both; otherwise **urban, neither hub nor local links**.

``typology`` gives a data-driven grouping (k-means on the same signals) beside the rules.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Tradable, knowledge-intensive industries of the ONS LAD GVA table: high and medium-high
#: technology manufacturing and knowledge-intensive market services (Eurostat's lists mapped
#: to the published industry groups).
KNOWLEDGE_INTENSIVE_TRADABLE = {
    "CD-CG (19-23)": "Chemicals, pharmaceuticals, rubber, plastics and minerals",
    "CI-CL (26-30)": "Computers, electronics, machinery and transport equipment",
    "58-60": "Publishing and broadcasting", "61-63": "Telecommunications and IT",
    "K (64-66)": "Finance and insurance", "69": "Legal and accounting",
    "70": "Head offices and management consultancy", "71": "Architecture and engineering",
    "72-75": "R&D and other professional, scientific and technical"}
SIGNALS = ["population", "density", "jobs", "rural_share", "ki_lq"]


@dataclass(frozen=True)
class TypeAssignment:
    """Type and reason of each area (``table``) and the thresholds the rules resolved to."""

    table: pd.DataFrame
    thresholds: dict[str, float]


@dataclass(frozen=True)
class Typology:
    """Data-driven group of each area (1 = largest mean population), each group's mean
    signals, and the k-means inertia of the best run."""

    groups: pd.Series
    centres: pd.DataFrame
    inertia: float


@dataclass(frozen=True)
class TypeRules:
    rural_share: float = 0.5           # rural: at least half the residents in rural areas
    hub_jobs_quantile: float = 0.8     # hub: filled jobs in the top fifth of districts
    hub_max_rural_share: float = 0.2   # ... and at least 80% of residents in urban areas
    links_ki_quantile: float = 2 / 3   # local links: KI-tradable LQ in the top third ...
    links_min_lq: float = 1.25         # ... and at least this
    links_min_excess: float = 1.0      # and R&D links more local than size predicts ...
    links_min_organisations: int = 10  # ... measured over at least this many organisations


def knowledge_intensive_specialisation(lq: pd.DataFrame, share: pd.DataFrame,
                                       min_share: float = 0.01) -> pd.DataFrame:
    """The largest location quotient among :data:`KNOWLEDGE_INTENSIVE_TRADABLE` industries
    that hold at least ``min_share`` of the area's GVA, and which industry it is.

    Parameters
    ----------
    lq, share
        Areas × industries: location quotients and shares of the area's GVA.
    min_share
        Smallest share an industry needs to count (tiny shares give noisy LQs).

    Returns
    -------
    pandas.DataFrame
        Per area: ki_lq and ki_industry (NaN where every such industry is suppressed or too
        small).
    """
    columns = [c for c in KNOWLEDGE_INTENSIVE_TRADABLE if c in lq.columns]
    eligible = lq[columns].where(share[columns] >= min_share)
    values = eligible.to_numpy(dtype=float)
    some = ~np.isnan(values).all(axis=1)
    position = np.argmax(np.where(np.isnan(values), -np.inf, values), axis=1)
    return pd.DataFrame({"ki_lq": eligible.max(axis=1),
                         "ki_industry": np.where(some, np.array(columns)[position], None)},
                        index=lq.index)


def collaboration_excess(link_weight: pd.Series, region_share: pd.Series,
                         region_of: pd.Series) -> pd.DataFrame:
    """Local collaboration against a null model that removes the size effect: partners
    drawn in proportion to every district's link weight keep W_region / W_total of a
    district's links in its region.

    Parameters
    ----------
    link_weight
        Each district's total funded R&D link weight.
    region_share
        Share of that weight staying in its region (observed).
    region_of
        District → region (e.g. travel-to-work area).

    Returns
    -------
    pandas.DataFrame
        Per district: expected_region_share and collaboration_excess (observed ÷ expected;
        1 = as local as size alone predicts; NaN without links or region).
    """
    weight = link_weight.fillna(0.0)
    region_weight = weight.groupby(region_of).transform("sum").reindex(weight.index)
    expected = region_weight / weight.sum()
    observed = region_share.where(weight > 0)
    return pd.DataFrame({"expected_region_share": expected,
                         "collaboration_excess": observed / expected.where(expected > 0)})


def classify(signals: pd.DataFrame, rules: TypeRules = TypeRules()) -> TypeAssignment:
    """Type and reason of each area under the rules.

    Parameters
    ----------
    signals
        Per area: population, density (people per hectare), jobs, rural_share (0–1), ki_lq,
        and optionally ki_industry, collaboration_excess, rd_organisations and
        rd_region_link_share (reported in the reason).
    rules
        Thresholds; quantiles are over the areas given.

    Returns
    -------
    TypeAssignment
        Type and reason per area, and the thresholds the rules resolved to.

    References
    ----------
    NESTA (2008), *Making innovative places*.
    """
    missing = [c for c in SIGNALS if c not in signals.columns]
    if missing:
        raise ValueError(f"signals lack columns {missing}")
    excess = signals.get("collaboration_excess", pd.Series(np.nan, index=signals.index))
    organisations = signals.get("rd_organisations", pd.Series(np.nan, index=signals.index))
    excess = excess.where(organisations >= rules.links_min_organisations)
    signals = signals.assign(collaboration_excess=excess)
    thresholds = {
        "jobs": signals["jobs"].quantile(rules.hub_jobs_quantile),
        "ki_lq": max(rules.links_min_lq, signals["ki_lq"].quantile(rules.links_ki_quantile)),
        "collaboration_excess": rules.links_min_excess}
    rural = signals["rural_share"] >= rules.rural_share
    hub = ~rural & (signals["jobs"] >= thresholds["jobs"]) & (
        signals["rural_share"] <= rules.hub_max_rural_share)
    specialised = signals["ki_lq"] >= thresholds["ki_lq"]
    collaborative = excess >= thresholds["collaboration_excess"]
    links = ~rural & specialised & collaborative
    kind = pd.Series(np.select([rural, hub & links, hub, links],
                               ["rural", "urban hub and local links", "urban hub",
                                "local links"], default="urban, neither hub nor local links"),
                     index=signals.index)
    kind = kind.where(signals["rural_share"].notna(), "not classified")
    kind = kind.where(rural | signals["jobs"].notna(), "not classified")
    reasons = [_reason(row, thresholds, rules, kind[area]) for area, row in signals.iterrows()]
    return TypeAssignment(pd.DataFrame({"type": kind, "reason": reasons}, index=signals.index),
                          {name: float(value) for name, value in thresholds.items()})


def _reason(row: pd.Series, thresholds: dict, rules: TypeRules, kind: str) -> str:
    if kind == "not classified":
        return "The rural share or filled jobs are not published for this district."
    parts = [f"{row['rural_share']:.0%} of residents in rural areas "
             f"({'at least' if row['rural_share'] >= rules.rural_share else 'under'} "
             f"{rules.rural_share:.0%})"]
    if kind == "rural":
        return parts[0] + "."
    parts.append(f"{row['jobs']:,.0f} filled jobs (hub needs ≥ {thresholds['jobs']:,.0f} and "
                 f"at most {rules.hub_max_rural_share:.0%} of residents in rural areas)")
    if pd.isna(row["ki_lq"]):
        parts.append("no knowledge-intensive tradable industry with at least 1% of GVA is "
                     "published (local links not assessed)")
    else:
        industry = KNOWLEDGE_INTENSIVE_TRADABLE.get(row.get("ki_industry"), "")
        parts.append(f"largest knowledge-intensive tradable LQ {row['ki_lq']:.2f}"
                     + (f" ({industry})" if industry else "")
                     + f" (local links needs ≥ {thresholds['ki_lq']:.2f})")
    excess = row.get("collaboration_excess", np.nan)
    if pd.isna(excess):
        parts.append("local R&D collaboration not measured (fewer than "
                     f"{rules.links_min_organisations} organisations in funded R&D in 2015–17, "
                     "or no travel-to-work area)")
    else:
        parts.append(f"{row.get('rd_region_link_share', np.nan):.0%} of funded R&D link "
                     f"weight stays in its travel-to-work area, {excess:.1f}× what its size "
                     f"predicts (local links needs ≥ {thresholds['collaboration_excess']:.1f}×)")
    return "; ".join(parts) + "."


def threshold_stability(signals: pd.DataFrame, rules: TypeRules = TypeRules(),
                        change: float = 0.1) -> pd.Series:
    """Share of rule variants giving each area the type the rules give it: every
    threshold moved down and up by ``change`` (relative), one at a time.

    Parameters
    ----------
    signals
        As for :func:`classify`.
    rules
        The rules varied.
    change
        Relative change of each threshold.

    Returns
    -------
    pandas.Series
        ``type_stability`` per area (1 = the same type under every variant).
    """
    base = classify(signals, rules).table["type"]
    agree, variants = pd.Series(0.0, index=signals.index), 0
    for name, value in vars(rules).items():
        for factor in (1 - change, 1 + change):
            moved = value * factor
            if name.endswith("quantile") or name.endswith("share"):
                moved = min(moved, 1.0)
            if name == "links_min_organisations":
                moved = round(moved)
            variant = classify(signals, TypeRules(**{**vars(rules), name: moved})).table["type"]
            agree += (variant == base).astype(float)
            variants += 1
    return (agree / variants).rename("type_stability")


def typology(signals: pd.DataFrame, groups: int = 4, seed: int = 0, restarts: int = 20,
             columns: tuple[str, ...] = ("population", "density", "jobs", "rural_share")
             ) -> Typology:
    """Data-driven groups: k-means on z-scored signals (population, density and jobs in
    logs), best of ``restarts`` seeded runs, numbered by mean population (1 = largest).

    Parameters
    ----------
    signals
        Per area, the ``columns`` (rows with a missing signal get no group).
    groups
        Number of groups.
    seed, restarts
        Seed of the random generator and number of k-means runs.
    columns
        Signals to cluster on.

    Returns
    -------
    Typology
        Group per area, each group's mean signals and the inertia of the best run.
    """
    data = signals[list(columns)].dropna()
    features = data.copy()
    for column in ("population", "density", "jobs"):
        if column in features:
            features[column] = np.log(features[column])
    from scipy.cluster.vq import kmeans2  # here: scipy.cluster costs 0.1 s to import

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
    means = data.groupby(order).mean().sort_values(columns[0], ascending=False)
    relabel = {old: new + 1 for new, old in enumerate(means.index)}
    assigned = order.map(relabel).reindex(signals.index).rename("group")
    return Typology(assigned, data.groupby(assigned.dropna().astype(int)).mean(),
                    float(best_inertia))
