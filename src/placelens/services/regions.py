"""Functional economic regions from Census 2021 commuting, for every district and place."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from placelens.analysis import functional_regions as fr
from placelens.analysis import partitions
from placelens.errors import check_choice
from placelens.geography.places import Place
from placelens.results import plain, records
from placelens.services.base import Service
from placelens.services.indicators import IndicatorService

#: Units regions can be built from, and the Census 2021 table of each.
LEVELS = {"LAD": "census2021_odwp01ew_ltla", "MSOA": "census2021_odwp01ew_msoa"}


@dataclass(frozen=True)
class FunctionalRegions:
    """Functional regions built from districts or from MSOAs (``level``). ``units``: every
    unit's name, region, region_name, its 2011 TTWA, district, combined authority and city
    region, and the shares of its commuting kept in its authority and in its region.
    ``stats`` per region: name (its main employment centre), members, residents in work,
    jobs, supply- and demand-side self-containment, the containment required and whether it
    is met. ``districts_split``: for MSOA regions, each district's main region and the share
    of its residents in work living in it (districts the regions cut through are
    ``split``). The adjusted Rand index against the 2011 TTWAs is measured on the units
    whose 2011 TTWA is known."""

    units: pd.DataFrame
    stats: pd.DataFrame
    ari_vs_ttwa_2011: float
    method: str
    level: str = "LAD"
    districts_split: pd.DataFrame | None = None

    def tidy(self) -> pd.DataFrame:
        return self.units.copy()

    def district_regions(self) -> pd.Series:
        """The region of every district: its own, or for MSOA regions the one holding most
        of its residents in work (so profiles and metrics can use districts)."""
        if self.districts_split is None:
            return self.units["region"]
        return self.districts_split["main_region"].rename("region")

    def summary(self) -> str:
        valid = int(self.stats["valid"].sum())
        unit = "districts" if self.level == "LAD" else "MSOAs"
        return (f"{len(self.stats)} functional regions ({self.method}) from "
                f"{len(self.units)} {unit}; {valid} meet the criteria; adjusted Rand "
                f"index against the 2011 TTWAs {self.ari_vs_ttwa_2011:.3f}.")

    def to_dict(self) -> dict:
        return {"method": self.method, "level": self.level,
                "ari_vs_ttwa_2011": plain(self.ari_vs_ttwa_2011),
                "regions": records(self.stats, "region"),
                "units": records(self.units, "area_code")}


class RegionsService(Service):
    """Commuting flows, functional regions and a place's region."""

    stored_results = ("regions",)

    def __init__(self, indicators: IndicatorService):
        super().__init__(indicators.warehouse, indicators.places)
        self.indicators = indicators

    def commuting_table(self, home_workers: bool = False, level: str = "LAD"
                        ) -> fr.FlowTable:
        """Census 2021 commuting between districts (LAD 2023 codes) or MSOAs (2021), England
        and Wales. Residents in work count everyone employed (including those working in
        Scotland, Northern Ireland, offshore or abroad); ``home_workers`` counts people
        working mainly at home as living and working in their unit, as the 2011 TTWAs did;
        without them (the lockdown-robust choice) only people who travel to work count."""
        check_choice("level", level, tuple(LEVELS))
        key = ("flows", home_workers, level)
        if key not in self._cache:
            rows = self.warehouse.query(
                "SELECT origin_code, destination_code, measure, value FROM flows "
                "WHERE source_id = ?", [LEVELS[level]])
            if not home_workers:
                rows = rows[rows["measure"] != "works_at_home"]
            if level == "LAD":
                for column in ("origin_code", "destination_code"):
                    rows[column] = rows[column].map(self.places.retired.current_code)
            residents = rows.groupby("origin_code")["value"].sum()
            inside = rows[rows["destination_code"].isin(set(residents.index))]
            summed = inside.groupby(["origin_code", "destination_code"], as_index=False)[
                "value"].sum()
            self._cache[key] = fr.flow_table(
                summed, "origin_code", "destination_code", "value",
                f"Census 2021 ODWP01EW ({level})", residents=residents)
        return self._cache[key]

    def functional_regions(self, method: str = "ttwa",
                           options: fr.TTWAOptions | None = None,
                           resolution: float = 8.0, runs: int = 20,
                           home_workers: bool = False, level: str = "LAD",
                           progress: Callable[[int], None] | None = None
                           ) -> FunctionalRegions:
        """Region of every district or MSOA (by the TTWA method or Leiden), named after its
        main employment centre, with the official 2011 TTWA each unit falls in and the share
        of its commuting that stays inside its combined authority / city region and inside
        its region.

        By default people working mainly at home are left out: in the lockdown census they
        make almost every unit self-contained on its own (see
        docs/methods/functional_regions.md).
        """
        check_choice("method", method, fr.METHODS)
        key = ("regions", method, options, resolution, runs, home_workers, level)
        if key in self._cache:
            return self._cache[key]
        table = self.commuting_table(home_workers, level)
        options = options or fr.TTWAOptions()
        if method == "ttwa":
            out = fr.ttwa(table, options, progress).to_frame()
        else:
            out = fr.leiden_regions(table, resolution, runs)
        out = self._describe_units(out, table, level)
        stats = fr.region_stats(table, out["region"], options)
        stats.insert(0, "name", out.drop_duplicates("region").set_index("region")[
            "region_name"].reindex(stats.index))
        known = out["ttwa_2011"].notna()
        agreement = partitions.adjusted_rand_index(out.loc[known, "region"],
                                                   out.loc[known, "ttwa_2011"])
        split = None if level == "LAD" else district_shares(table, out)
        found = FunctionalRegions(out, stats, agreement, method, level, split)
        self._cache[key] = found
        return found

    def _describe_units(self, out: pd.DataFrame, table: fr.FlowTable, level: str
                        ) -> pd.DataFrame:
        """Names, region names, 2011 TTWA, district, authority and containment shares."""
        hierarchy = self.warehouse.table("hierarchy")
        primary = hierarchy[hierarchy["primary_parent"] & (hierarchy["child_type"] == level)]
        parent = {kind: rows.set_index("child_code")["parent_code"]
                  for kind, rows in primary.groupby("parent_type")}
        out["district"] = out.index.to_series() if level == "LAD" else \
            parent["LAD"].reindex(out.index)
        out["ttwa_2011"] = parent["TTWA"].reindex(out.index)
        lads = hierarchy[hierarchy["primary_parent"] & (hierarchy["child_type"] == "LAD")]
        for parent_type, column in (("CA", "combined_authority"), ("CR", "city_region")):
            parents = lads[lads["parent_type"] == parent_type].set_index("child_code")
            out[column] = parents["parent_code"].reindex(out["district"]).to_numpy()
        authority = out["combined_authority"].fillna(out["city_region"])
        out["share_within_authority"] = partitions.containment_within(table, authority)
        out["share_within_region"] = partitions.containment_within(table, out["region"])
        out.insert(0, "name", [self.indicators.area_name(c) for c in out.index])
        out.insert(2, "region_name", self._region_names(out, level))
        return out

    def _region_names(self, out: pd.DataFrame, level: str) -> pd.Series:
        """Each region's name: its main employment centre's district; for MSOA regions
        sharing a district name, the centre's MSOA name is added ("Cornwall: Truro")."""
        centres = out.loc[out["region"].unique()]
        names = pd.Series([self.indicators.area_name(d) for d in centres["district"]],
                          index=centres.index)
        if level != "LAD":
            repeated = names.duplicated(keep=False)
            names[repeated] = names[repeated] + ": " + centres.loc[repeated, "name"]
        return out["region"].map(names)

    def region_of(self, place: Place, method: str = "ttwa", level: str = "LAD"
                  ) -> pd.DataFrame:
        """The functional regions that the place's districts (or their MSOAs) belong to,
        with how much of each unit's commuting stays inside its region and inside its
        authority."""
        units = self.functional_regions(method, level=level).units
        members = units[units["district"].isin(place.members)]
        if members.empty:
            raise ValueError(f"{place.name} is outside England and Wales, where the Census "
                             "2021 flows are published")
        return members

def district_shares(table: fr.FlowTable, units: pd.DataFrame) -> pd.DataFrame:
    """For regions built from small areas: each district's main region (holding most of its
    residents in work), that share, how many regions it is cut into, and ``split`` when the
    main region holds less than 90% of them.

    Parameters
    ----------
    table
        The flow table the regions were built from (for residents in work).
    units
        Per unit: district and region.

    Returns
    -------
    pandas.DataFrame
        Per district: main_region, main_share, regions, split.
    """
    residents = pd.Series(table.residents, index=table.units)
    frame = pd.DataFrame({"district": units["district"], "region": units["region"],
                          "residents": residents.reindex(units.index)})
    by_region = frame.groupby(["district", "region"])["residents"].sum().reset_index()
    by_region["share"] = by_region["residents"] / by_region.groupby("district")[
        "residents"].transform("sum")
    main = by_region.sort_values(["district", "share"], ascending=[True, False]) \
        .drop_duplicates("district").set_index("district")
    out = pd.DataFrame({"main_region": main["region"], "main_share": main["share"],
                        "regions": by_region.groupby("district")["region"].nunique()})
    out["split"] = out["main_share"] < 0.9
    out.index.name = "district"
    return out
