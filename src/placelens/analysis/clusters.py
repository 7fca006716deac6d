"""Industry clusters and the strength / opportunity view (docs/methods/complexity.md).

Pure functions on areas × activities (SIC 4-digit) or areas × clusters matrices."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from placelens.analysis.specialisation import location_quotients

#: Nesta industry segments that serve local demand (US Cluster Mapping's "local" industries:
#: construction, local retail and services, schools, health care, public administration,
#: utilities, real estate). Every other segment is traded. Override with ``local=`` where a
#: study draws the line elsewhere.
LOCAL_SEGMENTS = frozenset({
    "construction_construction", "construction_infrastructure", "services_consumer_retail",
    "services_education_primary", "services_health", "services_public_administration",
    "services_real_state", "services_residential", "services_utilities",
    "services_house_installation", "services_facilities", "services_motor",
})


#: Corrections to Nesta segment identifiers for display (the identifiers themselves, typos
#: included, stay as published so they still join to the source).
SEGMENT_WORDS = {"real_state": "real estate", "r_&_d": "R&D", "kibs":
                 "knowledge-intensive business services", "oil_gas": "oil and gas",
                 "steel_metal": "steel and metal", "machinery_tools": "machinery and tools",
                 "footwear_leather": "footwear and leather",
                 "insurance_finance": "insurance and finance",
                 "financial_legal": "financial and legal",
                 "electronics_machinery": "electronics and machinery",
                 "quarrying_concrete": "quarrying and concrete"}
SEGMENT_SECTORS = {"manufacture": "Manufacturing", "services": "Services",
                   "primary": "Primary", "construction": "Construction"}


def segment_label(code: str) -> str:
    """A readable name for a Nesta segment identifier: ``services_real_state`` → "Services:
    real estate", ``manufacture_pharmaceuticals`` → "Manufacturing: pharmaceuticals".

    Parameters
    ----------
    code
        A Nesta segment identifier.

    Returns
    -------
    str
        The readable name.
    """
    sector, _, rest = code.partition("_")
    words = SEGMENT_WORDS.get(rest, rest.replace("_", " "))
    return f"{SEGMENT_SECTORS.get(sector, sector.capitalize())}: {words}" if rest else code


def is_tradable(segment: str, local: frozenset[str] = LOCAL_SEGMENTS) -> bool:
    """Traded (serves markets beyond the region) unless the segment serves local demand.

    Parameters
    ----------
    segment
        A Nesta segment identifier.
    local
        Segments that serve local demand.

    Returns
    -------
    bool
        Whether the segment is traded.

    References
    ----------
    Delgado, Porter & Stern (2016), "Defining clusters of related industries", *Journal of
    Economic Geography* 16(1).
    """
    return segment not in local


def to_clusters(x: pd.DataFrame, mapping: Mapping[str, str]) -> pd.DataFrame:
    """Sum activity columns into clusters; activities without a cluster raise an error.

    Parameters
    ----------
    x
        Areas × activities of a non-negative quantity.
    mapping
        Activity → cluster.

    Returns
    -------
    pandas.DataFrame
        Areas × clusters.
    """
    missing = [c for c in x.columns if c not in mapping]
    if missing:
        raise ValueError(f"no cluster for activities {missing[:5]} ({len(missing)} in all)")
    groups = pd.Series({c: mapping[c] for c in x.columns})
    return x.T.groupby(groups).sum(min_count=1).T


def strong_clusters(employment: pd.DataFrame, establishments: pd.DataFrame,
                    lq_quantile: float = 0.75, size_quantile: float = 0.25,
                    min_employment: float = 1000.0) -> pd.DataFrame:
    """US Cluster Mapping rules, applied per cluster among places with employment > 0:
    LQ >= its ``lq_quantile`` and >= 1, employment and establishments above their
    ``size_quantile``, and employment of at least ``min_employment`` (a cluster of a few dozen
    jobs can pass the relative tests in a cluster that is small everywhere, but is not a
    cluster a region can build on). One row per area × cluster with the measures and each
    test.

    Parameters
    ----------
    employment, establishments
        Areas × clusters of jobs and of establishments.
    lq_quantile, size_quantile
        Quantiles the LQ must reach and the sizes exceed.
    min_employment
        Smallest number of jobs of a strong cluster.

    Returns
    -------
    pandas.DataFrame
        area, cluster, employment, establishments, lq, each test and strong.

    References
    ----------
    Delgado, Porter & Stern (2016); US Cluster Mapping Project.
    """
    lq = location_quotients(employment, missing="zero")
    establishments = establishments.reindex(index=employment.index, columns=employment.columns)
    rows = []
    for cluster in employment.columns:
        jobs = employment[cluster].fillna(0.0)
        active = jobs > 0
        if not active.any():
            continue
        lq_c, units = lq.loc[active, cluster], establishments.loc[active, cluster].fillna(0.0)
        frame = pd.DataFrame({
            "area": lq_c.index, "cluster": cluster, "employment": jobs[active].to_numpy(),
            "establishments": units.to_numpy(), "lq": lq_c.to_numpy()})
        frame["lq_high"] = frame["lq"] >= max(np.quantile(frame["lq"], lq_quantile), 1.0)
        frame["employment_large"] = (frame["employment"] > np.quantile(
            frame["employment"], size_quantile)) & (frame["employment"] >= min_employment)
        frame["establishments_many"] = frame["establishments"] > np.quantile(
            frame["establishments"], size_quantile)
        frame["strong"] = frame[["lq_high", "employment_large", "establishments_many"]].all(
            axis=1)
        rows.append(frame)
    return pd.concat(rows, ignore_index=True)


def traded_share_in_strong_clusters(table: pd.DataFrame,
                                    local: frozenset[str] = LOCAL_SEGMENTS) -> pd.Series:
    """Per area: employment in strong traded clusters ÷ employment in all traded clusters.

    Parameters
    ----------
    table
        The table of :func:`strong_clusters`.
    local
        Segments that serve local demand (not traded).

    Returns
    -------
    pandas.Series
        Share per area.
    """
    traded = table[~table["cluster"].isin(local)]
    strong = traded[traded["strong"]].groupby("area")["employment"].sum()
    total = traded.groupby("area")["employment"].sum()
    return (strong.reindex(total.index, fill_value=0.0) / total).rename(
        "traded_share_in_strong_clusters")


def quadrants(rca: pd.DataFrame, density: pd.DataFrame, near: float = 0.75) -> pd.DataFrame:
    """The strength / opportunity / weakness / threat view (Metroverse style).

    x = RCA; y = density relative to peers (the place's density ÷ the mean density of that
    activity over all places). Strength: RCA >= 1 and relative density >= 1; threat: RCA >= 1
    but relative density < 1 (specialised yet weakly embedded); opportunity: RCA < 1 and
    relative density >= 1; weakness: both low. ``possible_entrant`` marks opportunities with
    RCA already at ``near`` or more.

    Parameters
    ----------
    rca, density
        Areas × activities of RCA and density.
    near
        RCA from which an opportunity is a possible entrant.

    Returns
    -------
    pandas.DataFrame
        area, activity, rca, relative_density, quadrant and possible_entrant.
    """
    relative = density / density.mean(axis=0)
    long = pd.DataFrame({"rca": rca.stack(), "relative_density": relative.stack()})
    long.index.names = ["area", "activity"]
    specialised = long["rca"] >= 1
    related = long["relative_density"] >= 1
    long["quadrant"] = np.select(
        [specialised & related, specialised & ~related, ~specialised & related],
        ["strength", "threat", "opportunity"], default="weakness")
    long["possible_entrant"] = (long["quadrant"] == "opportunity") & (long["rca"] >= near)
    return long.reset_index()
