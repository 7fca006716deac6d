"""Comparator places: statistical neighbours on a variable set the user can choose, the
published geographic neighbours (ONS), or the user's own list; and side-by-side comparison of
chosen places on the same indicators.

Statistical neighbours are computed between places of the same type (districts with
districts, combined authorities with combined authorities...). Every context variable is
built from district parts that can be combined onto larger places: totals (people, land,
jobs, GVA by industry group) are summed, rates weighted by population
(:mod:`placelens.analysis.aggregation`), and ratios are taken after combining.
The default variables match rurality, density, prosperity, skills and industry mix rather
than size (size is a variable the user can add). See docs/methods/geography.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from placelens.analysis import similar_places as sp
from placelens.analysis.aggregation import combine_members
from placelens.errors import check_choice
from placelens.geography.places import Place
from placelens.results import records
from placelens.services.base import Service
from placelens.services.economy import EconomyService
from placelens.services.indicators import IndicatorService
from placelens.sources.ons_business_counts import CLASSIFICATION as BUSINESS_CLASSIFICATION
from placelens.sources.ons_business_counts import MEASURE as BUSINESS_MEASURE
from placelens.sources.ons_business_counts import PERIOD as BUSINESS_PERIOD

#: ONS broad industry groups of the business register (local units, March 2024): every
#: district has every group, where GVA by industry is suppressed for many districts.
INDUSTRY_GROUPS = {
    "01-03": "agriculture", "05-39": "production", "41-43": "construction",
    "45": "motor trades", "46": "wholesale", "47": "retail", "49-53": "transport",
    "55-56": "accommodation and food", "58-63": "information and communication",
    "64-66": "finance", "68": "property", "69-75": "professional and scientific",
    "77-82": "business support", "84": "public administration", "85": "education",
    "86-88": "health", "90-99": "arts and other services"}
#: Context variables: name → description (what a user picks with --variables).
CONTEXT_VARIABLES = {
    "rural share": "% of residents in rural or highly rural small areas (2011 RUC)",
    "density": "residents per hectare of land (log)",
    "population": "residents (log)", "jobs": "filled jobs (log)",
    "GVA per hour": "GVA per hour worked, £", "GDHI per head": "household income per head, £",
    "employment rate": "employment rate 16-64, %", "NVQ3+": "NVQ3+ qualifications 16-64, %",
    **{f"business mix: {group}": f"% of business local units in {group} (IDBR 2024)"
       for group in INDUSTRY_GROUPS.values()}}
#: The default: rurality and density count double, the 17 industry shares together as much as
#: three variables, so neither size nor any single sector dominates.
DEFAULT_WEIGHTS = {"rural share": 2.0, "density": 2.0, "GVA per hour": 1.0,
                   "GDHI per head": 1.0, "employment rate": 1.0, "NVQ3+": 1.0,
                   **{f"business mix: {group}": 3 / len(INDUSTRY_GROUPS)
                      for group in INDUSTRY_GROUPS.values()}}
COMPARATOR_METHODS = ("statistical", "geographic", "list")
_RATES = {"rural share": ["ruc_share_rural", "ruc_share_highly_rural"],
          "GVA per hour": ["gva_per_hour_gbp"], "GDHI per head": ["gdhi_per_head_gbp"],
          "employment rate": ["sni_aged_16_to_64_years_employment_rate_great_britain",
                              "sni_aged_16_to_64_years_employment_rate_northern_ireland"],
          "NVQ3+": ["sni_aged_16_to_64_years_nvq_level_3_or_above_qualifications_great_britain",
                    "sni_aged_16_to_64_years_nvq_level_3_or_above_qualifications_northern_"
                    "ireland"]}
_TOTALS = {"population": "population_gdhi_implied", "land": "land_area_hectares",
           "jobs": "filled_jobs"}


@dataclass(frozen=True)
class Comparison:
    """Chosen places side by side (``table``: place × variable, the place of interest
    first) with each variable's description and how the comparators were chosen."""

    table: pd.DataFrame
    focus: str
    method: str

    def tidy(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self) -> str:
        return (f"{self.table.loc[self.focus, 'name']} beside {len(self.table) - 1} places "
                f"({self.method}).")

    def to_dict(self) -> dict:
        return {"focus": self.focus, "method": self.method,
                "places": records(self.table, "area_code")}


class ComparatorService(Service):
    """Statistical and geographic neighbours, comparator sets and comparisons."""

    stored_results = ("parts", "context")

    def __init__(self, indicators: IndicatorService, economy: EconomyService):
        super().__init__(indicators.warehouse, indicators.places)
        self.indicators, self.economy = indicators, economy

    def district_parts(self) -> pd.DataFrame:
        """Per district, the latest totals (people, land, jobs, business local units by
        industry group) and rates that every context variable is made of."""
        key = ("parts",)
        if key not in self._cache:
            codes = self.places.lad_codes
            parts = {name: self._latest(indicator, codes) for name, indicator in
                     _TOTALS.items()}
            for name, ids in _RATES.items():
                values = [self._latest(i, codes) for i in ids]
                parts[name] = sum(values[1:], values[0]) if name == "rural share" else \
                    pd.concat(values, axis=1).bfill(axis=1).iloc[:, 0]
            units = self.warehouse.activity_matrix(BUSINESS_CLASSIFICATION, BUSINESS_MEASURE,
                                                   "LAD", BUSINESS_PERIOD)
            for code, group in INDUSTRY_GROUPS.items():
                parts[f"business mix: {group}"] = units[code].reindex(codes).astype("float64")
            self._cache[key] = pd.DataFrame(parts, index=pd.Index(codes, name="area_code"))
        return self._cache[key]

    def _latest(self, indicator: str, codes: list[str]) -> pd.Series:
        table = self.indicators.table(indicator)
        table = table[table["area_type"] == "LAD"].sort_values("period")
        return table.drop_duplicates("area_code", keep="last").set_index("area_code")[
            "value"].reindex(codes).astype("float64")

    def context(self, area_type: str = "LAD") -> pd.DataFrame:
        """Every context variable (:data:`CONTEXT_VARIABLES`) for every place of the type;
        area sets are given beside every district."""
        key = ("context", area_type)
        if key not in self._cache:
            parts = self.district_parts()
            if area_type != "LAD":
                places = self.places.of_type(area_type)
                totals = set(_TOTALS) | {c for c in parts if c.startswith("business mix: ")}
                combined = combine_members(parts, {p.code: p.members for p in places},
                                           parts["population"], totals)
                parts = pd.concat([parts, combined]) if area_type == "SET" else combined
            units = parts.filter(like="business mix: ")
            table = pd.DataFrame({
                "rural share": 100 * parts["rural share"],
                "density": np.log(parts["population"] / parts["land"]),
                "population": np.log(parts["population"]), "jobs": np.log(parts["jobs"]),
                **{name: parts[name] for name in _RATES if name != "rural share"},
                **{c: 100 * units[c] / units.sum(axis=1) for c in units.columns}})
            self._cache[key] = table.replace([np.inf, -np.inf], np.nan)
        return self._cache[key]

    def neighbours(self, place: Place, k: int = 10, variables: list[str] | None = None
                   ) -> pd.DataFrame:
        """The ``k`` places of the same type most like ``place`` on ``variables`` (default:
        :data:`DEFAULT_WEIGHTS`), z-scored, Euclidean; an area set is compared with
        districts. Columns: rank, neighbour, name, distance, closest_on, furthest_on."""
        weights = DEFAULT_WEIGHTS if not variables else {
            check_choice("variable", v, tuple(CONTEXT_VARIABLES)): 1.0 for v in variables}
        context = self.context(place.area_type)[list(weights)]
        if place.area_type == "SET":
            context = context[(~context.index.str.startswith("PL_"))
                              | (context.index == place.code)]
        if context.loc[place.code].isna().all():
            raise ValueError(f"{place.name} has none of the variables {sorted(weights)}")
        found = sp.nearest_neighbours(context, k=k, weights=weights, areas=[place.code])
        found.insert(2, "name", [self.places.get(c).name for c in found["neighbour"]])
        return found.drop(columns="area")

    def geographic_neighbours(self, place: Place) -> pd.DataFrame:
        """ONS's published neighbours of a district: those sharing its boundary (longest
        border first), then nearby ones."""
        if not place.is_lad:
            raise ValueError(f"published neighbours are given for districts; {place.name} is a "
                             f"{place.type_label}")
        rows = self.warehouse.query("SELECT neighbour_code, kind, rank FROM neighbours WHERE "
                                    "area_code = ? ORDER BY kind DESC, rank", [place.code])
        if rows.empty:
            raise ValueError(f"ONS publishes no neighbours for {place.name} (England and Wales "
                             "only)")
        rows.insert(1, "name", [self.places.get(c).name for c in rows["neighbour_code"]])
        return rows

    def comparators(self, place: Place, method: str = "statistical", k: int = 10,
                    chosen: list[Place] | None = None, variables: list[str] | None = None
                    ) -> list[Place]:
        """A comparator set: ``statistical`` neighbours, ``geographic`` (ONS published: the
        bordering districts, then nearby ones up to ``k``), or the user's ``list``."""
        check_choice("comparator method", method, COMPARATOR_METHODS)
        if method == "list":
            if not chosen:
                raise ValueError("a comparator list needs at least one place")
            return [p for p in chosen if p.code != place.code]
        if method == "geographic":
            codes = self.geographic_neighbours(place)["neighbour_code"].head(k)
        else:
            codes = self.neighbours(place, k, variables)["neighbour"]
        return [self.places.get(c) for c in codes]

    def compare(self, place: Place, others: list[Place], method: str = "list",
                indicators: list[str] | None = None) -> Comparison:
        """``place`` and ``others`` side by side on the context variables (or the named
        ones), with the median of the others; places of different types may be mixed."""
        columns = list(CONTEXT_VARIABLES) if not indicators else [
            check_choice("variable", v, tuple(CONTEXT_VARIABLES)) for v in indicators]
        rows = {}
        for member in [place, *others]:
            table = self.context(member.area_type)
            rows[member.code] = table.loc[member.code, columns] if member.code in table.index \
                else pd.Series(np.nan, index=columns)
        table = pd.DataFrame(rows).T[columns]
        for name in ("density", "population", "jobs"):
            if name in table:
                table[name] = np.exp(table[name])
        table.insert(0, "type", [self.places.get(c).area_type for c in table.index])
        table.insert(0, "name", [self.places.get(c).name for c in table.index])
        median = table.iloc[1:][columns].median()
        table.loc["median of comparators"] = ["median of comparators", "", *median]
        table.index.name = "area_code"
        return Comparison(table, place.code, method)

