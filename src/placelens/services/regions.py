"""Functional economic regions from Census 2021 commuting, for every district and place."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from placelens.analysis import functional_regions as fr
from placelens.analysis import partitions
from placelens.errors import check_choice
from placelens.geography.places import Place
from placelens.results import plain, records
from placelens.services.base import Service
from placelens.services.indicators import IndicatorService


@dataclass(frozen=True)
class FunctionalRegions:
    """Functional regions of every district: ``districts`` (name, region, region_name, its
    2011 TTWA, combined authority and city region, and the shares of its commuting kept in
    its authority and in its region), ``stats`` per region (members, residents in work, jobs,
    supply- and demand-side self-containment, the containment required and whether it is
    met), the adjusted Rand index against the 2011 TTWAs and the method used."""

    districts: pd.DataFrame
    stats: pd.DataFrame
    ari_vs_ttwa_2011: float
    method: str

    def tidy(self) -> pd.DataFrame:
        return self.districts.copy()

    def summary(self) -> str:
        valid = int(self.stats["valid"].sum())
        return (f"{len(self.stats)} functional regions ({self.method}) from "
                f"{len(self.districts)} districts; {valid} meet the criteria; adjusted Rand "
                f"index against the 2011 TTWAs {self.ari_vs_ttwa_2011:.3f}.")

    def to_dict(self) -> dict:
        return {"method": self.method, "ari_vs_ttwa_2011": plain(self.ari_vs_ttwa_2011),
                "regions": records(self.stats, "region"),
                "districts": records(self.districts, "area_code")}


class RegionsService(Service):
    """Commuting flows, functional regions and a place's region."""

    def __init__(self, indicators: IndicatorService):
        super().__init__(indicators.warehouse, indicators.places)
        self.indicators = indicators

    def commuting_table(self, home_workers: bool = False) -> fr.FlowTable:
        """Census 2021 commuting between districts (LAD 2023 codes, England and Wales).
        Residents in work count everyone employed (including those working in Scotland,
        Northern Ireland, offshore or abroad); ``home_workers`` counts people working mainly
        at home as living and working in their district, as the 2011 TTWAs did; without them
        (the lockdown-robust choice) only people who travel to work are counted."""
        key = ("flows", home_workers)
        if key not in self._cache:
            rows = self.warehouse.query(
                "SELECT origin_code, destination_code, measure, value FROM flows "
                "WHERE source_id = 'census2021_odwp01ew_ltla'")
            if not home_workers:
                rows = rows[rows["measure"] != "works_at_home"]
            changes = self.warehouse.table("code_changes")
            to_2023 = dict(zip(changes["old_code"], changes["new_code"], strict=True))
            for column in ("origin_code", "destination_code"):
                rows[column] = rows[column].map(lambda c: to_2023.get(c, c))
            residents = rows.groupby("origin_code")["value"].sum()
            units = set(residents.index)
            inside = rows[rows["destination_code"].isin(units)]
            summed = inside.groupby(["origin_code", "destination_code"], as_index=False)[
                "value"].sum()
            self._cache[key] = fr.flow_table(
                summed, "origin_code", "destination_code", "value",
                "Census 2021 ODWP01EW", residents=residents)
        return self._cache[key]

    def functional_regions(self, method: str = "ttwa",
                           options: fr.TTWAOptions | None = None,
                           resolution: float = 8.0, runs: int = 20,
                           home_workers: bool = False) -> FunctionalRegions:
        """Region of every district (by the TTWA method or Leiden), the region's name (its
        largest member), the official 2011 TTWA it falls in, and the share of its commuting
        that stays inside its combined authority / city region and inside its region.

        By default people working mainly at home are left out: in the lockdown census they
        make almost every district self-contained on its own (see
        docs/methods/functional_regions.md).
        """
        key = ("regions", method, options, resolution, runs, home_workers)
        if key in self._cache:
            return self._cache[key]
        table = self.commuting_table(home_workers)
        options = options or fr.TTWAOptions()
        check_choice("method", method, fr.METHODS)
        if method == "ttwa":
            out = fr.ttwa(table, options).to_frame()
        else:
            out = fr.leiden_regions(table, resolution, runs)
        out["region_name"] = out["region"].map(self.indicators.area_name)
        hierarchy = self.warehouse.table("hierarchy")
        primary = hierarchy[hierarchy["primary_parent"] & (hierarchy["child_type"] == "LAD")]
        for parent_type, column in (("TTWA", "ttwa_2011"), ("CA", "combined_authority"),
                                    ("CR", "city_region")):
            parents = primary[primary["parent_type"] == parent_type].set_index("child_code")
            out[column] = parents["parent_code"].reindex(out.index)
        authority = out["combined_authority"].fillna(out["city_region"])
        out["share_within_authority"] = partitions.containment_within(table, authority)
        out["share_within_region"] = partitions.containment_within(table, out["region"])
        out.insert(0, "name", out.index.map(self.indicators.area_name))
        agreement = partitions.adjusted_rand_index(out["region"], out["ttwa_2011"])
        stats = fr.region_stats(table, out["region"], options)
        stats["name"] = [f"{self.indicators.area_name(c)} functional region"
                         for c in stats.index]
        found = FunctionalRegions(out, stats, agreement, method)
        self._cache[key] = found
        return found

    def region_of(self, place: Place, method: str = "ttwa") -> pd.DataFrame:
        """The functional regions that the place's districts belong to, with how much of
        each member's commuting stays inside its region and inside its authority."""
        regions = self.functional_regions(method).districts
        members = regions.reindex([c for c in place.members if c in regions.index])
        if members.empty:
            raise ValueError(f"{place.name} is outside England and Wales, where the Census "
                             "2021 flows are published")
        return members


