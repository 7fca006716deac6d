"""Collaboration networks of funded R&D for places: the Python API behind ``placelens network``
and the network, leadership and journey sections of place profiles.

>>> from placelens.api import Observatory
>>> obs = Observatory()
>>> collab = obs.collaboration
>>> collab.place_metrics(obs.place("Newcastle upon Tyne"))
>>> collab.leadership(obs.place("Newcastle upon Tyne"))
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from placelens.analysis import leadership as ls
from placelens.analysis import network_structure
from placelens.analysis import networks as nw
from placelens.analysis.actors import ACTOR_TYPES, classify_organisations
from placelens.geography.places import Place, PlaceIndex
from placelens.services.base import ResultCache
from placelens.warehouse.store import Warehouse

#: Three-year windows covering the GtR snapshot (projects starting 2006–2018; 2018 is partial).
DEFAULT_PERIODS = (nw.Period(2006, 2008), nw.Period(2009, 2011), nw.Period(2012, 2014),
                   nw.Period(2015, 2017))
#: Multi-district places are compared with areas of this type (their own type when it covers
#: the country; ITL2 otherwise, e.g. combined authorities and area sets).
PEER_TYPES = {"LAD": "LAD", "ITL3": "ITL3", "ITL2": "ITL2", "ITL1": "ITL1", "CTRY": "ITL1"}
FALLBACK_PEER_TYPE = "ITL2"
#: Area types whose areas partition the UK's districts (metrics for all their areas).
NETWORK_AREA_TYPES = ("LAD", "ITL3", "ITL2", "ITL1")
#: National results kept by ``placelens data derive``.
STORED_RESULTS = ("organisations", "network", "area_metrics", "panel", "leadership_inputs",
                  "brokers", "district_memberships")


class Collaboration:
    """Organisations, networks and place metrics from the warehouse's funded R&D tables."""

    def __init__(self, warehouse: Warehouse, places: PlaceIndex,
                 periods: tuple[nw.Period, ...] = DEFAULT_PERIODS):
        self.warehouse, self.places, self.periods = warehouse, places, periods
        # Networks and national metrics are reused by every place; with the default periods
        # they are also kept in the derived store (other periods are computed here).
        stored = STORED_RESULTS if periods == DEFAULT_PERIODS else ()
        self._cache = ResultCache("Collaboration", warehouse.derived, stored)

    def _memo(self, key: tuple, compute: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    @property
    def organisations(self) -> pd.DataFrame:
        """Every organisation (index org_id) with its district, how it was placed, whether it
        ever leads a grant, and its type with the rule that set it (classifying 20,000 names
        takes about 0.1 s, so the table is kept in the derived store)."""
        return self._memo(("organisations",), self._read_organisations)

    def _read_organisations(self) -> pd.DataFrame:
        orgs = self.warehouse.query(
            "SELECT o.*, coalesce(l.leads, false) AS leads FROM rd_organisations o LEFT JOIN "
            "(SELECT org_id, bool_or(is_lead) AS leads FROM rd_participants GROUP BY org_id) l "
            "USING (org_id) ORDER BY org_id").set_index("org_id")
        return orgs.join(classify_organisations(orgs["name"], orgs["leads"]))

    @cached_property
    def _projects(self) -> pd.DataFrame:
        return self.warehouse.query("SELECT project_id, start_date, end_date, value_gbp, "
                                    "lead_org_id FROM rd_projects")

    @cached_property
    def _participants(self) -> pd.DataFrame:
        """Project memberships; ``funder_only`` marks organisations whose only role in the
        project is co-funder (they pay for it; they are not among its innovators)."""
        return self.warehouse.query(
            "SELECT project_id, org_id, is_lead, roles = 'CO_FUNDER' AS funder_only "
            "FROM rd_participants")

    def match_rate(self) -> pd.DataFrame:
        """How organisations were placed in districts: count and share per method, with the
        share among organisations that have a UK postcode."""
        counts = self.organisations["match_method"].value_counts()
        table = pd.DataFrame({"organisations": counts, "share": counts / counts.sum()})
        with_postcode = counts.drop(["no postcode", "not a UK postcode"], errors="ignore")
        table["share_of_uk_postcodes"] = with_postcode / with_postcode.sum()
        return table

    def period(self, label: str | None = None) -> nw.Period:
        """A period by label (``"2015-2017"``), default the latest."""
        return nw.Period.parse(label) if label else self.periods[-1]

    def network(self, period: nw.Period) -> nw.CollaborationNetwork:
        return self._memo(("network", period), lambda: nw.build_network(
            self._projects, self._participants, self.organisations, period))

    @cached_property
    def travel_to_work_area(self) -> pd.Series:
        """District → 2011 Travel To Work Area (the official functional regions)."""
        return self.warehouse.query(
            "SELECT child_code, parent_code FROM hierarchy WHERE child_type = 'LAD' AND "
            "parent_type = 'TTWA' AND primary_parent").set_index("child_code")["parent_code"]

    def _grouping(self, area_type: str) -> pd.Series:
        """District → code of its area of ``area_type``."""
        if area_type not in NETWORK_AREA_TYPES:
            raise ValueError(f"area type must be one of {', '.join(NETWORK_AREA_TYPES)}")
        if area_type == "LAD":
            lads = self.places.lad_codes
            return pd.Series(lads, index=lads)
        return pd.Series({lad: place.code for place in self.places.of_type(area_type)
                          for lad in place.members})

    def _grouping_for(self, place: Place) -> pd.Series:
        """District → itself, except the place's districts → the place's code."""
        grouping = self._grouping("LAD")
        grouping[list(place.members)] = place.code
        return grouping

    def _regrouped(self, network: nw.CollaborationNetwork, grouping: pd.Series
                   ) -> nw.CollaborationNetwork:
        orgs = network.organisations.assign(
            area_code=network.organisations["area_code"].map(grouping))
        return nw.CollaborationNetwork(network.period, orgs, network.edges, network.memberships)

    def area_metrics(self, area_type: str, period: nw.Period) -> pd.DataFrame:
        """Place metrics (:func:`placelens.analysis.networks.place_metrics`) for every area of
        ``area_type``; links within a 2011 TTWA count as staying in the functional region
        (districts only)."""
        return self._memo(("area_metrics", area_type, period),
                          lambda: self._area_metrics(area_type, period))

    def _area_metrics(self, area_type: str, period: nw.Period) -> pd.DataFrame:
        grouping = self._grouping(area_type)
        network = self._regrouped(self.network(period), grouping)
        region = self.travel_to_work_area if area_type == "LAD" else None
        return nw.place_metrics(network, sorted(set(grouping)), region)

    def place_metrics(self, place: Place, period: nw.Period | None = None) -> pd.Series:
        """Metrics of one place (any type, including area sets) in a period."""
        period = period or self.periods[-1]
        if place.area_type in NETWORK_AREA_TYPES and place.code in set(
                self._grouping(place.area_type)):
            return self.area_metrics(place.area_type, period).loc[place.code]
        network = self._regrouped(self.network(period), self._grouping_for(place))
        return nw.place_metrics(network, [place.code]).loc[place.code]

    def panel(self, area_type: str = "LAD") -> pd.DataFrame:
        """Metrics of every area of a type in every period, with the share of each area's
        active organisations that are new since the previous period."""
        return self._memo(("panel", area_type), lambda: self._panel(area_type))

    def _panel(self, area_type: str) -> pd.DataFrame:
        frames = []
        grouping = self._grouping(area_type)
        for number, period in enumerate(self.periods):
            frame = self.area_metrics(area_type, period).reset_index()
            if number:
                frame["new_actor_share"] = self._new_actor_share(
                    grouping, number, frame["area_code"].tolist()).to_numpy()
            frames.append(frame.assign(period=period.label))
        return pd.concat(frames, ignore_index=True)

    def _new_actor_share(self, grouping: pd.Series, number: int, areas: list[str]
                         ) -> pd.Series:
        """New-actor share of each area in period ``number`` against the period before."""
        earlier = self._regrouped(self.network(self.periods[number - 1]), grouping)
        later = self._regrouped(self.network(self.periods[number]), grouping)
        return nw.new_actor_share(earlier, later, areas)

    def peer_type(self, place: Place) -> str:
        return PEER_TYPES.get(place.area_type, FALLBACK_PEER_TYPE)

    def _memberships(self, grouping: pd.Series, areas: set[str] | None = None
                     ) -> pd.DataFrame:
        """Memberships of every period with the organisation's area under ``grouping`` (only
        of organisations in ``areas``, when given)."""
        every = self._district_memberships()
        if areas is not None:
            rows = self._memo(("membership_rows",),
                              lambda: every.groupby("district", sort=False).indices)
            found = [rows[d] for d in grouping.index[grouping.isin(areas)] if d in rows]
            # in the order of all memberships, which the bootstrap's draws depend on
            every = every.take(np.sort(np.concatenate(found))) if found else every.iloc[:0]
        return every.assign(area_code=every["district"].map(grouping).to_numpy())

    def _district_memberships(self) -> pd.DataFrame:
        """Memberships of every period with the organisation's district (every place's
        leadership needs them; kept in the derived store, where reading them takes a tenth
        of joining them from the four networks)."""
        return self._memo(("district_memberships",), self._read_memberships)

    def _read_memberships(self) -> pd.DataFrame:
        frames = []
        for period in self.periods:
            members = self.network(period).memberships
            district = self.organisations["area_code"].reindex(members["org_id"])
            frames.append(members.assign(district=district.to_numpy(), period=period.label))
        return pd.concat(frames, ignore_index=True)

    def leadership_inputs(self, area_type: str = "LAD") -> pd.DataFrame:
        """Projects, actors and deciders (see :mod:`placelens.analysis.leadership`) of every
        area of a type in every period (zeros where nothing happened)."""
        return self._memo(("leadership_inputs", area_type),
                          lambda: self._leadership_inputs(area_type))

    def _leadership_inputs(self, area_type: str) -> pd.DataFrame:
        grouping = self._grouping(area_type)
        found = ls.activity(self._memberships(grouping)).set_index(["area_code", "period"])
        index = pd.MultiIndex.from_product([sorted(set(grouping)),
                                            [p.label for p in self.periods]],
                                           names=["area_code", "period"])
        return found.reindex(index).fillna(0.0).reset_index()

    def leadership(self, place: Place | None = None, area_type: str = "LAD",
                   draws: int = 200, seed: int = 0) -> pd.DataFrame:
        """Leadership style per period: of every area of ``area_type`` (``place`` None), or
        the trajectory of one place, judged against the size model of its peers
        (:attr:`peer_type`). ``style_stability`` is the share of ``draws`` bootstrap
        resamples of the place's projects giving the same style; ``finding`` is the style,
        or "borderline" when it is not stable."""
        peer_type = self.peer_type(place) if place is not None else area_type
        peers = self.leadership_inputs(peer_type)
        model = ls.fit_size_model(peers)
        table: pd.DataFrame | None = None
        if place is None:
            table, grouping = peers, self._grouping(area_type)
        elif place.code in set(peers["area_code"]):
            table, grouping = peers[peers["area_code"] == place.code], self._grouping(peer_type)
        else:
            grouping = self._grouping_for(place)
        if table is None and place is not None:  # not one of its peers: its own activity
            table = ls.activity(self._memberships(grouping, {place.code}))
            if table.empty:
                table = pd.DataFrame([{"area_code": place.code, "period": p.label,
                                       "projects": 0, "actors": 0, "deciders": 0.0}
                                      for p in self.periods])
        styled = ls.leadership_styles(table, model)
        memberships = self._memberships(grouping, set(styled["area_code"]))
        local = memberships[~memberships["funder_only"]]
        groups = dict(list(local.groupby(["area_code", "period"])))
        styled["style_stability"] = [
            ls.bootstrap_stability(groups[(row.area_code, row.period)], row.period, model,
                                   row.leadership_style, draws, seed)
            if (row.area_code, row.period) in groups else float("nan")
            for row in styled.itertuples(index=False)]
        styled["finding"] = [ls.finding(style, stability) for style, stability in zip(
            styled["leadership_style"], styled["style_stability"], strict=True)]
        return styled.assign(peer_type=peer_type)

    def brokers(self, period: nw.Period | None = None) -> pd.DataFrame:
        """Betweenness of every placed (UK) organisation in the network of placed
        organisations, highest first, with its district, type and activity.

        Organisations that cannot be placed (abroad, or no postcode) are left out: brokerage
        here means bridging UK places, and leaving them in multiplies the cost fivefold."""
        period = period or self.periods[-1]
        return self._memo(("brokers", period), lambda: self._brokers(period))

    def _brokers(self, period: nw.Period) -> pd.DataFrame:
        network = self.network(period)
        placed = network.organisations["area_code"].notna()
        sub = nw.subnetwork(network, placed)
        table = sub.organisations.join(nw.betweenness(sub))
        return table.sort_values(["betweenness", "value_gbp"], ascending=False)

    def communities(self, period: nw.Period | None = None, runs: int = 10, seed: int = 0
                    ) -> pd.DataFrame:
        """Communities of all organisations (seeded Leiden ensemble) with their attributes."""
        network = self.network(period or self.periods[-1])
        found = network_structure.communities(network, runs=runs, seed=seed)
        return network.organisations.join(found)

    def place_links(self, period: nw.Period | None = None, area_type: str = "LAD"
                    ) -> pd.DataFrame:
        """Place–place network of areas of ``area_type``."""
        network = self._regrouped(self.network(period or self.periods[-1]),
                                  self._grouping(area_type))
        return network_structure.place_links(network)

    def partner_places(self, place: Place, period: nw.Period | None = None, top: int = 10
                       ) -> pd.DataFrame:
        """The districts a place's organisations collaborate with most: link weight and
        number of organisation links from the place to each (links inside the place and to
        organisations without a district left out)."""
        network = self.network(period or self.periods[-1])
        area = network.organisations["area_code"]
        mine = set(area.index[area.isin(place.members).to_numpy()])
        edges = network.edges
        from_mine, to_mine = edges["source"].isin(mine), edges["target"].isin(mine)
        crossing = edges[from_mine ^ to_mine]
        other = crossing["target"].where(from_mine[crossing.index], crossing["source"])
        partners = pd.DataFrame({"area_code": area.reindex(other).to_numpy(),
                                 "weight": crossing["weight"].to_numpy()}).dropna()
        table = partners.groupby("area_code").agg(weight=("weight", "sum"),
                                                  links=("weight", "size"))
        return table.sort_values("weight", ascending=False).head(top).reset_index()

    def signals(self, place: Place) -> dict[str, float]:
        """Network signals the journey questionnaire's risk rules can use (latest period)."""
        metrics = self.place_metrics(place)
        types = sum(int(metrics[f"active_{t}"] > 0) for t in ACTOR_TYPES)
        out = {"actor_types_active": float(types),
               "active_organisations": float(metrics["active_organisations"])}
        if len(self.periods) > 1:
            share = self._new_actor_share(self._grouping_for(place), len(self.periods) - 1,
                                          [place.code])
            if pd.notna(share.iloc[0]):
                out["new_actor_share"] = float(share.iloc[0])
        return out

