"""Who innovates with whom: collaboration networks of funded R&D projects.

Organisations are linked when they take part in the same project. A project active in the
period contributes to each pair of its k participants a weight

    w = value in period / (k - 1)

where "value in period" is the project's funding pro rata to the share of its duration that
falls in the period (weighted by funding and time). Dividing by k - 1 (Newman's
collaboration weighting) stops one large consortium from swamping the network: each
participant's links from a project add up to the project's value. Links are aggregated to
places (an organisation's district) for the place–place network, and every place gets
metrics on its actors, its leaders and how local its links are.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from placelens.analysis.actors import ACTOR_TYPES


@dataclass(frozen=True)
class Period:
    """Whole calendar years ``first`` … ``last``."""

    first: int
    last: int

    @property
    def label(self) -> str:
        return f"{self.first}-{self.last}" if self.last != self.first else str(self.first)

    @classmethod
    def parse(cls, text: str) -> Period:
        """``"2012-2014"`` or ``"2015"``."""
        first, _, last = str(text).partition("-")
        try:
            period = cls(int(first), int(last or first))
        except ValueError as exc:
            raise ValueError(f"period {text!r} is not YEAR or YEAR-YEAR") from exc
        if period.last < period.first:
            raise ValueError(f"period {text!r} ends before it starts")
        return period


@dataclass
class CollaborationNetwork:
    """Organisation network of one period.

    ``organisations`` (index org_id): name, area_code, actor_type, projects, value_gbp (value in
    period of the projects it takes part in), lead_projects, lead_value_gbp.
    ``edges``: source, target (org_id, source < target), projects (shared), weight.
    ``memberships``: project_id, org_id, is_lead, value_gbp (value in period), lead_org_id.
    """

    period: Period
    organisations: pd.DataFrame
    edges: pd.DataFrame
    memberships: pd.DataFrame

    def graph(self):
        """The network as a weighted undirected igraph graph (vertex ``name`` = org_id)."""
        import igraph

        index = pd.Index(self.organisations.index)
        graph = igraph.Graph(n=len(index), edges=np.column_stack([
            index.get_indexer(self.edges["source"]), index.get_indexer(self.edges["target"])
        ]).tolist(), edge_attrs={"weight": self.edges["weight"].tolist()})
        graph.vs["name"] = list(index)
        return graph


def value_in_period(projects: pd.DataFrame, period: Period) -> pd.Series:
    """Each project's value pro rata to the days of its duration inside the period (index
    project_id; NaN for projects outside it). Start and end days both count; an end before
    the start is read as a one-day project.

    Parameters
    ----------
    projects
        project_id, start_date, end_date, value_gbp.
    period
        The period.

    Returns
    -------
    pandas.Series
        Value in the period per project (NaN outside it).
    """
    start = pd.to_datetime(projects["start_date"])
    end = pd.to_datetime(projects["end_date"]).where(lambda e: e >= start, start)
    first, last = pd.Timestamp(period.first, 1, 1), pd.Timestamp(period.last, 12, 31)
    overlap = (end.clip(upper=last) - start.clip(lower=first)).dt.days + 1
    duration = (end - start).dt.days + 1
    share = (overlap.clip(lower=0) / duration).to_numpy()
    return pd.Series(projects["value_gbp"].fillna(0).to_numpy() * share,
                     index=projects["project_id"].to_numpy()).where(share > 0)


def build_network(projects: pd.DataFrame, participants: pd.DataFrame,
                  organisations: pd.DataFrame, period: Period) -> CollaborationNetwork:
    """The collaboration network of projects active in ``period``.

    ``projects``: project_id, start_date, end_date, value_gbp, lead_org_id.
    ``participants``: project_id, org_id, is_lead. ``organisations`` (index org_id): name,
    area_code, actor_type.

    Parameters
    ----------
    projects
        project_id, start_date, end_date, value_gbp, lead_org_id.
    participants
        project_id, org_id, is_lead.
    organisations
        Index org_id: name, area_code, actor_type.
    period
        The period.

    Returns
    -------
    CollaborationNetwork
        Organisations, weighted links and memberships of the period.

    References
    ----------
    Newman (2001), "Scientific collaboration networks. II", *Physical Review E* 64.
    """
    import scipy.sparse  # here: profiles read stored networks and need not import it

    values = value_in_period(projects, period).dropna()
    lead_of = projects.set_index("project_id")["lead_org_id"]
    members = participants[participants["project_id"].isin(values.index)]
    members = members.drop_duplicates(["project_id", "org_id"]).assign(
        value_gbp=lambda m: values.reindex(m["project_id"]).to_numpy(),
        lead_org_id=lambda m: lead_of.reindex(m["project_id"]).to_numpy())
    org_index = pd.Index(sorted(members["org_id"].unique()))
    project_index = pd.Index(sorted(members["project_id"].unique()))
    rows = org_index.get_indexer(members["org_id"])
    cols = project_index.get_indexer(members["project_id"])
    incidence = scipy.sparse.csr_matrix((np.ones(len(rows)), (rows, cols)),
                                        shape=(len(org_index), len(project_index)))
    size = np.asarray(incidence.sum(axis=0)).ravel()
    pair_weight = values.reindex(project_index).to_numpy() / np.maximum(size - 1, 1)
    weights = scipy.sparse.triu(incidence @ scipy.sparse.diags(pair_weight) @ incidence.T, k=1)
    shared = scipy.sparse.triu(incidence @ incidence.T, k=1).tocoo()
    weights = weights.tocsr()
    edges = pd.DataFrame({
        "source": org_index[shared.row], "target": org_index[shared.col],
        "projects": shared.data.astype(int),
        "weight": np.asarray(weights[shared.row, shared.col]).ravel()})
    edges = edges.sort_values(["source", "target"]).reset_index(drop=True)
    return CollaborationNetwork(period, _organisation_table(members, organisations, org_index),
                                edges, members.reset_index(drop=True))


def _organisation_table(members: pd.DataFrame, organisations: pd.DataFrame,
                        org_index: pd.Index) -> pd.DataFrame:
    grouped = members.groupby("org_id")
    led = members[members["is_lead"]].groupby("org_id")
    table = organisations.reindex(org_index)[["name", "area_code", "actor_type"]].copy()
    table["projects"] = grouped.size()
    table["value_gbp"] = grouped["value_gbp"].sum()
    table["lead_projects"] = led.size().reindex(org_index).fillna(0).astype(int)
    table["lead_value_gbp"] = led["value_gbp"].sum().reindex(org_index).fillna(0.0)
    table.index.name = "org_id"
    return table


def subnetwork(network: CollaborationNetwork, keep: pd.Series) -> CollaborationNetwork:
    """The network restricted to the organisations where ``keep`` (aligned with
    ``network.organisations``) is true.

    Parameters
    ----------
    network
        A :class:`CollaborationNetwork`.
    keep
        Boolean per organisation, aligned with ``network.organisations``.

    Returns
    -------
    CollaborationNetwork
        The network of the kept organisations.
    """
    kept = network.organisations.index[keep.to_numpy()]
    edges = network.edges[network.edges["source"].isin(kept)
                          & network.edges["target"].isin(kept)]
    members = network.memberships[network.memberships["org_id"].isin(kept)]
    return CollaborationNetwork(network.period, network.organisations.loc[kept],
                                edges.reset_index(drop=True), members.reset_index(drop=True))


def betweenness(network: CollaborationNetwork) -> pd.Series:
    """Brokerage: each organisation's betweenness centrality (shortest paths counted on
    unweighted links), normalised by (n-1)(n-2)/2 so places and periods compare.

    Parameters
    ----------
    network
        A :class:`CollaborationNetwork`.

    Returns
    -------
    pandas.Series
        Normalised betweenness per organisation.

    References
    ----------
    Freeman (1977), "A set of measures of centrality based on betweenness", *Sociometry* 40.
    """
    graph = network.graph()
    n = graph.vcount()
    raw = np.asarray(graph.betweenness(directed=False), dtype=float)
    scale = (n - 1) * (n - 2) / 2 if n > 2 else 1.0
    return pd.Series(raw / scale, index=network.organisations.index, name="betweenness")


def herfindahl(shares: np.ndarray) -> float:
    """Σ s² of the shares of a total (NaN when the total is 0): 1 = one holder of everything,
    1/n = n equal holders.

    Parameters
    ----------
    shares
        Amounts held (any scale).

    Returns
    -------
    float
        The Herfindahl index of their shares.
    """
    shares = np.asarray(shares, dtype=float)
    total = shares.sum()
    return float(((shares / total) ** 2).sum()) if total > 0 else np.nan


def place_metrics(network: CollaborationNetwork, areas: list[str],
                  region_of: pd.Series | None = None) -> pd.DataFrame:
    """Per area (every code in ``areas``, zeros where nothing happened): actors by type,
    projects and their value, local lead organisations and how concentrated lead roles
    (projects led) and led funding are (Herfindahl indices), the
    effective number of organisations leading the area's projects, and the share of the
    area's link weight that stays in the area / in its functional region (``region_of``:
    area → region code) / goes outside it.

    Projects of an area are those with at least one of its organisations; their value is
    counted once per area however many local partners they have.

    Parameters
    ----------
    network
        A :class:`CollaborationNetwork`.
    areas
        Area codes to report.
    region_of
        Optional area → functional region, for the regional link share.

    Returns
    -------
    pandas.DataFrame
        Per area: actors by type, projects, value, lead organisations, lead HHIs, effective
        deciders and link shares.
    """
    orgs = network.organisations
    area_of = orgs["area_code"]
    table = pd.DataFrame(index=pd.Index(areas, name="area_code"))
    placed = orgs[area_of.isin(areas)]  # every figure is per area: only these areas' rows
    table["active_organisations"] = placed.groupby("area_code").size()
    for type_ in ACTOR_TYPES:
        table[f"active_{type_}"] = placed[placed["actor_type"] == type_].groupby(
            "area_code").size()
    table = table.fillna(0).astype(int)
    members = network.memberships
    members = members[members["org_id"].isin(placed.index)]
    local = members.assign(area_code=area_of.reindex(members["org_id"]).to_numpy()) \
        .drop_duplicates(["area_code", "project_id"])
    table["projects"] = local.groupby("area_code").size().reindex(areas).fillna(0).astype(int)
    table["value_gbp"] = local.groupby("area_code")["value_gbp"].sum().reindex(areas).fillna(0)
    leads = placed[placed["lead_projects"] > 0]
    table["lead_organisations"] = leads.groupby("area_code").size().reindex(areas) \
        .fillna(0).astype(int)
    table["lead_roles_hhi"] = leads.groupby("area_code")["lead_projects"].agg(
        lambda v: herfindahl(v.to_numpy())).reindex(areas)
    table["lead_value_hhi"] = leads.groupby("area_code")["lead_value_gbp"].agg(
        lambda v: herfindahl(v.to_numpy())).reindex(areas)
    deciders = local.groupby("area_code").apply(_effective_leads, include_groups=False) \
        if len(local) else pd.Series(dtype="float64")  # (apply on no rows gives a frame)
    table["effective_deciders"] = deciders.reindex(areas)
    table = table.join(_link_shares(network, areas, region_of))
    return table


def _effective_leads(projects: pd.DataFrame) -> float:
    """1 / HHI of funding led, over the organisations leading these projects (wherever they
    are); by project counts when no project has a value."""
    by_value = projects.groupby("lead_org_id")["value_gbp"].sum().to_numpy()
    if by_value.sum() <= 0:
        by_value = projects.groupby("lead_org_id").size().to_numpy()
    return 1.0 / herfindahl(by_value)


def _link_shares(network: CollaborationNetwork, areas: list[str],
                 region_of: pd.Series | None) -> pd.DataFrame:
    area_of = network.organisations["area_code"]
    inside = area_of.index[area_of.isin(areas)]
    edges = network.edges
    edges = edges[edges["source"].isin(inside) | edges["target"].isin(inside)]  # the rest
    edges = edges.assign(a=area_of.reindex(edges["source"]).to_numpy(),  # count for no area
                         b=area_of.reindex(edges["target"]).to_numpy())
    ends = pd.concat([edges[["a", "b", "weight"]],
                      edges.rename(columns={"a": "b", "b": "a"})[["a", "b", "weight"]]])
    ends = ends[ends["a"].isin(areas)]  # links from the areas reported (none unplaced)
    # Links inside one area appear twice in ``ends`` (once from each end); halve them so
    # every link counts once for the area.
    same_area = ends["a"] == ends["b"]
    ends["weight"] = ends["weight"].where(~same_area, ends["weight"] / 2)
    total = ends.groupby("a")["weight"].sum()
    out = pd.DataFrame(index=pd.Index(areas, name="area_code"))
    out["link_weight"] = total.reindex(areas).fillna(0.0)
    out["local_link_share"] = (ends[same_area].groupby("a")["weight"].sum()
                               .reindex(areas).fillna(0.0) / total.reindex(areas))
    if region_of is not None:
        same_region = same_area | (ends["a"].map(region_of) == ends["b"].map(region_of))
        out["region_link_share"] = (ends[same_region].groupby("a")["weight"].sum()
                                    .reindex(areas).fillna(0.0) / total.reindex(areas))
    unplaced = ends["b"].isna()
    out["unplaced_link_share"] = (ends[unplaced].groupby("a")["weight"].sum()
                                  .reindex(areas).fillna(0.0) / total.reindex(areas))
    return out


def new_actor_share(earlier: CollaborationNetwork, later: CollaborationNetwork,
                    areas: list[str]) -> pd.Series:
    """Per area, the share of its active organisations in ``later`` that were not active in
    ``earlier`` (NaN where none is active): are newcomers joining?

    Parameters
    ----------
    earlier, later
        Networks of two periods.
    areas
        Area codes to report.

    Returns
    -------
    pandas.Series
        ``new_actor_share`` per area.
    """
    orgs = later.organisations.dropna(subset=["area_code"])
    new = ~orgs.index.isin(earlier.organisations.index)
    counts = orgs.groupby("area_code").size().reindex(areas)
    return (pd.Series(new, index=orgs.index).groupby(orgs["area_code"]).sum()
            .reindex(areas) / counts).rename("new_actor_share")
