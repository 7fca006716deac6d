"""Benchmarking places: the composite innovation index, similar places, place types and
emerging places and industries, each with the checks that decide whether its label is shown."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from placelens.analysis import composite_index as ci
from placelens.analysis import emerging as em
from placelens.analysis import place_types as pt
from placelens.analysis import similar_places as sp
from placelens.analysis import specialisation as spec
from placelens.analysis.aggregation import combine_members
from placelens.collaboration import Collaboration
from placelens.defaults import EMERGING_INDICATOR, EMERGING_MEASURE, EMERGING_WINDOW
from placelens.errors import check_order
from placelens.geography.places import Place, check_place_type
from placelens.indicator_sets import (
    IndicatorSet,
    area_panel,
    area_table,
    load_sets,
    sampling_se,
)
from placelens.results import plain, records
from placelens.services.base import Service
from placelens.services.economy import EconomyService
from placelens.services.indicators import IndicatorService


def _input_kind(combined: bool, spec) -> str:
    """Where an index input comes from: the area's own figure, a regional figure copied to
    every district of the region, or member districts' figures combined (and regional
    ones among them said so)."""
    regional = f"regional ({spec.level})" if spec.regional else ""
    if combined:
        return "member districts" + (f", {regional}" if regional else "")
    return regional or "own area"


@dataclass(frozen=True)
class IndexScores:
    """The composite index of every area of a set's type (``table``: name, index, indicators,
    coverage, sufficient, relative, group, rank and its interval, and for sets with years the
    like-for-like change with its contributions), the set, the period scored, what was done
    to each indicator, the normalised scores of the period, every year's scores
    (``history``), and for district sets the share of the variance between NUTS3 areas."""

    table: pd.DataFrame
    indicator_set: IndicatorSet
    period: str
    treatments: list[ci.Treatment]
    normalised: pd.DataFrame
    history: pd.DataFrame
    between_nuts3_share: float | None

    @property
    def ranked(self) -> pd.DataFrame:
        return self.table[self.table["sufficient"]]

    def tidy(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self) -> str:
        ranked = self.ranked.sort_values("rank")
        text = (f"{self.indicator_set.name}: {len(ranked)} of {len(self.table)} areas ranked "
                f"({self.period}); top: {', '.join(ranked['name'].head(3))}.")
        if self.between_nuts3_share is not None:
            text += (f" {self.between_nuts3_share:.0%} of the variance lies between NUTS3 "
                     "areas.")
        return text

    def to_dict(self) -> dict:
        return {"set": self.indicator_set.name, "period": self.period,
                "between_nuts3_share": plain(self.between_nuts3_share),
                "areas": records(self.table, "area")}


@dataclass(frozen=True)
class PlaceTypes:
    """Type, reason, stability, group and signals of every district, the thresholds the rules
    resolved to, and the mean signals of each data-driven group."""

    table: pd.DataFrame
    thresholds: dict[str, float]
    centres: pd.DataFrame

    def tidy(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self) -> str:
        counts = self.table["type"].value_counts()
        return ("; ".join(f"{kind} {n}" for kind, n in counts.items())
                + f". Mean stability under ±10% thresholds "
                f"{self.table['type_stability'].mean():.2f}.")

    def to_dict(self) -> dict:
        return {"thresholds": {k: plain(v) for k, v in self.thresholds.items()},
                "districts": records(self.table, "area_code")}


class BenchmarkService(Service):
    """Index, neighbours, place types and emerging activity."""

    stored_results = ("set", "index", "place_type_signals", "place_types", "emerging_places",
                      "industry_backtest")

    def __init__(self, indicators: IndicatorService, economy: EconomyService,
                 collaboration: Collaboration):
        super().__init__(indicators.warehouse, indicators.places)
        self.indicators, self.economy, self.collaboration = indicators, economy, collaboration

    def indicator_set(self, name: str):
        sets = load_sets()
        if name not in sets:
            raise ValueError(f"unknown indicator set {name!r}; choose one of {sorted(sets)}")
        return sets[name]

    def default_set(self, place: Place) -> str:
        """The index set for a place's type: ITL3 areas have their own; every other type uses
        the district set, combined onto the place's peers."""
        return "itl3_innovation" if place.area_type == "ITL3" else "lad_innovation"

    def peer_type(self, set_name: str, area_type: str | None) -> str:
        """The type of place a set is computed for: its own, or (for district sets) any
        larger type, whose values are combined from member districts."""
        own = self.indicator_set(set_name).area_type
        wanted = own if area_type is None else check_place_type(area_type)
        if wanted != own and own != "LAD":
            raise ValueError(f"the {set_name} set is published for {own} areas only; "
                             f"choose a district set (lad_…) for {wanted} areas")
        return wanted

    def indicator_set_table(self, name: str, area_type: str | None = None
                            ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Area × indicator table of a named set (each indicator's declared period, or the
        set's last year) for its own type or, for district sets, combined onto ``area_type``,
        and where each value came from. Area sets are scored among districts: their table
        holds every district and every area set."""
        spec_ = self.indicator_set(name)
        wanted = self.peer_type(name, area_type)
        key = ("set", name, wanted)
        if key not in self._cache:
            year = spec_.years[-1] if spec_.years else None
            found = area_table(self.indicators, spec_, wanted, year)
            if wanted == "SET":
                districts = area_table(self.indicators, spec_, "LAD", year)
                found = (pd.concat([districts[0], found[0]]),
                         pd.concat([districts[1], found[1]], ignore_index=True))
            self._cache[key] = found
        return self._cache[key]

    def innovation_index(self, set_name: str = "lad_innovation", draws: int = 1000,
                         seed: int = 0, area_type: str | None = None) -> IndexScores:
        """The composite innovation index for every area of the set's type: index (0–1),
        relative to the mean (= 100), group, rank and its 5–95% interval under alternative
        choices, and how many indicators each area has. Areas below the set's minimum
        coverage are listed with ``sufficient`` False and no rank. The rank interval covers
        treatment choices, weights, leaving out any one indicator and (where the set states
        it) sampling error. Sets with ``years`` are normalised over all those years (RIS) and
        scored on the latest; ``change`` is the index change since the first year on the
        indicators the area has in both (``indicators_compared``, at least the set's minimum
        coverage; and one ``contribution: …`` column per indicator). With ``area_type`` a
        district set is combined onto that type (see :meth:`indicator_set_table`) and its
        places are ranked among their peers of the same type; area sets among districts. See
        :class:`IndexScores` for what comes with the table."""
        wanted = self.peer_type(set_name, area_type)
        key = ("index", set_name, draws, seed, wanted)
        if key in self._cache:
            return self._cache[key]
        spec_ = self.indicator_set(set_name)
        if spec_.years:
            panel = area_panel(self.indicators, spec_, spec_.area_type, list(spec_.years))
            period = spec_.years[-1]
        else:
            table, _ = self.indicator_set_table(set_name, wanted)
            panel = table.stack().rename("value").reset_index()
            panel.columns = ["area", "indicator", "value"]
            panel.insert(1, "period", "latest")
            period = "latest"
        polarity = {s.label: s.polarity for s in spec_.indicators}
        options = ci.IndexOptions(min_coverage=spec_.min_coverage)
        result = ci.composite_index(panel, polarity, options)
        all_years = result.scores
        scores = all_years[all_years["period"] == period].set_index("area").drop(
            columns="period")
        ranked = scores[scores["sufficient"]]
        scores = scores.join(ci.performance_groups(ranked["index"]))
        scores = scores.join(ci.rank_intervals(panel, period, polarity, draws, seed, options,
                                               sampling_se(spec_, panel)))
        if spec_.years:
            needed = math.ceil(spec_.min_coverage * len(spec_.indicators))
            change = ci.like_for_like_change(result.normalised, spec_.years[0], period,
                                             min_indicators=needed)
            scores = scores.join(change)
        scores.insert(0, "name", [self.places.get(c).name for c in scores.index])
        between = None
        if wanted == "LAD":
            nuts3 = pd.Series({p.code: p.parents.get("NUTS3") for p in
                               self.places.of_type("LAD")})
            between = ci.between_group_share(ranked["index"], nuts3.reindex(ranked.index))
        found = IndexScores(scores, spec_, period, result.treatments,
                            result.normalised.xs(period, level="period"), all_years, between)
        self._cache[key] = found
        return found

    def explain_index(self, place: Place, set_name: str | None = None) -> pd.DataFrame:
        """Why a place sits where it does among its peers of the same type: per indicator its
        value and unit, where and when that value was published (a regional input copied to
        every district of the region, or a combination of member districts), how it was
        treated, its normalised score (0–1) and the median score."""
        set_name = set_name or self.default_set(place)
        spec_ = self.indicator_set(set_name)
        self.peer_type(set_name, place.area_type)
        index = self.innovation_index(set_name, area_type=place.area_type)
        normalised = index.normalised
        table, provenance = self.indicator_set_table(set_name, place.area_type)
        treatments = {t.indicator: t for t in index.treatments}
        specs = {s.label: s for s in spec_.indicators}
        mine = provenance[provenance["area"] == place.code].set_index("indicator")
        rows = []
        for indicator in table.columns:
            t = treatments[indicator]
            notes = []
            if t.outliers_low or t.outliers_high:
                notes.append(f"{t.outliers_low + t.outliers_high} outlier(s) capped")
            if t.square_root:
                notes.append(f"square-rooted (skewness {t.skewness:.2f})")
            if t.polarity < 0:
                notes.append("lower is better")
            source = mine.loc[indicator]
            combined = str(source["source_area"]).startswith(("sum of", "population-weighted"))
            rows.append({"indicator": indicator, "value": table.loc[place.code, indicator],
                         "unit": specs[indicator].unit,
                         "input": _input_kind(combined, specs[indicator]),
                         "published_for": source["source_area"], "period": source["period"],
                         "score": normalised.loc[place.code, indicator],
                         "uk_median_score": normalised[indicator].median(),
                         "treatment": "; ".join(notes) or "none"})
        return pd.DataFrame(rows).set_index("indicator")

    def place_type_signals(self) -> pd.DataFrame:
        """Per district: population, density (people per hectare of land), filled jobs, the
        share of residents in rural or highly rural small areas, the largest location
        quotient among tradable knowledge-intensive industries (and which), and local R&D
        collaboration: the share of funded R&D link weight staying in the district's
        travel-to-work area (latest network period), the share its size predicts and their
        ratio (see :mod:`placelens.analysis.place_types`)."""
        key = ("place_type_signals",)
        if key not in self._cache:
            lads = self.places.of_type("LAD")
            codes = [p.code for p in lads]
            latest = {}
            for indicator in ("population_gdhi_implied", "land_area_hectares", "filled_jobs",
                              "ruc_share_rural", "ruc_share_highly_rural"):
                table = self.indicators.table(indicator)
                table = table[table["area_type"] == "LAD"].sort_values("period")
                latest[indicator] = table.drop_duplicates("area_code", keep="last").set_index(
                    "area_code")["value"].reindex(codes)
            period = self.economy.gva_periods()[-1]
            matrix = self.economy.place_matrix(lads, period)
            totals = self.economy.place_totals(lads, period)
            lq = spec.location_quotients(matrix, reference=self.economy.uk_reference(period),
                                         totals=totals)
            specialisation = pt.knowledge_intensive_specialisation(
                lq, spec.shares(matrix, totals=totals))
            network = self.collaboration.area_metrics("LAD", self.collaboration.periods[-1])
            network = network.reindex(codes)
            population = latest["population_gdhi_implied"]
            signals = pd.DataFrame({
                "population": population,
                "density": population / latest["land_area_hectares"],
                "jobs": latest["filled_jobs"],
                "rural_share": latest["ruc_share_rural"] + latest["ruc_share_highly_rural"],
                "rd_organisations": network["active_organisations"],
                "rd_region_link_share": network["region_link_share"]},
                index=pd.Index(codes, name="area_code")).join(specialisation)
            excess = pt.collaboration_excess(network["link_weight"],
                                             network["region_link_share"],
                                             self.collaboration.travel_to_work_area)
            self._cache[key] = signals.join(excess)
        return self._cache[key]

    def place_types(self) -> PlaceTypes:
        """Rule-based type with its reason, the share of ±10% threshold variants that keep it
        (``type_stability``), and the data-driven group, for every district."""
        key = ("place_types",)
        if key not in self._cache:
            signals = self.place_type_signals()
            types, groups = pt.classify(signals), pt.typology(signals)
            table = signals.join(types.table).join(pt.threshold_stability(signals)).join(
                groups.groups)
            table.insert(0, "name", [self.places.get(c).name for c in table.index])
            self._cache[key] = PlaceTypes(table, types.thresholds, groups.centres)
        return self._cache[key]

    def emerging_places(self, indicator: str = EMERGING_INDICATOR,
                        start: str = EMERGING_WINDOW[0], end: str = EMERGING_WINDOW[1],
                        area_type: str = "LAD") -> em.EmergingResult:
        """Magnitude and growth of the 3-year average for every place of the type, with the
        back-test of growth against naive baselines over every earlier pair of 5-year
        windows; the emerging / leading / established classes only where growth beats the
        baselines (otherwise "no reliable signal"). Default series: real GVA (chained volume,
        2022 prices, unsmoothed). Larger places sum their districts' values (totals) or
        weight them by population (rates)."""
        area_type = check_place_type(area_type)
        check_order(start, end)
        key = ("emerging_places", indicator, start, end, area_type)
        if key in self._cache:
            return self._cache[key]
        table = self.indicators.table(indicator)
        table = table[table["area_type"] == "LAD"]
        if table.empty:
            raise ValueError(f"indicator {indicator!r} has no district values")
        panel = table.pivot_table(index="area_code", columns="period", values="value")
        if area_type != "LAD":
            panel = self._combined_panel(panel, indicator, area_type)
        panel = panel[sorted(panel.columns)]
        out = em.magnitude_and_growth(panel, start, end)
        windows = em.rolling_windows([p for p in panel.columns if p <= end])
        backtest = em.growth_backtest(panel, windows)
        reliable, words = em.verdict(backtest)
        out["class"] = em.label(out, reliable)
        out.insert(0, "name", [self.places.places[c].name if c in self.places.places else c
                               for c in out.index])
        result = em.EmergingResult(out, backtest, reliable, words)
        self._cache[key] = result
        return result

    def _combined_panel(self, panel: pd.DataFrame, indicator: str, area_type: str
                        ) -> pd.DataFrame:
        """A district × period panel combined onto every place of the type."""
        places = self.places.of_type(area_type)
        members = {p.code: p.members for p in places}
        population = self.indicators.table("population_gdhi_implied")
        population = population[population["area_type"] == "LAD"].sort_values("period") \
            .drop_duplicates("area_code", keep="last").set_index("area_code")["value"]
        totals = set(panel.columns) if self.indicators.is_additive(indicator) else set()
        combined = combine_members(panel, members, population, totals)
        if area_type == "SET":
            combined = pd.concat([panel, combined])
        return combined.dropna(how="all")

    def emerging_activities(self, place: Place, start: str = EMERGING_WINDOW[0],
                            end: str = EMERGING_WINDOW[1], min_share: float = 0.01
                            ) -> em.EmergingResult:
        """Industries of the place by magnitude (mean GVA, 2022 prices) and growth of the
        3-year average. Industries under ``min_share`` of the place's GVA (current prices,
        ``end``) are "too small". Classes are shown only if industry growth beat naive
        baselines in the back-test pooled over every district's industries."""
        check_order(start, end)
        years = [str(y) for y in range(int(start) - 2, int(end) + 1)]
        panel = pd.DataFrame({y: self.economy.place_matrix([place], y, EMERGING_MEASURE).iloc[0]
                              for y in years})
        out = em.magnitude_and_growth(panel, start, end)
        share = (self.economy.place_matrix([place], end).iloc[0]
                 / self.economy.place_totals([place], end).iloc[0])
        out["share_of_gva"] = share.reindex(out.index)
        backtest = self.industry_growth_backtest(end)
        reliable, words = em.verdict(backtest)
        out["class"] = em.label(out, reliable, out["share_of_gva"] >= min_share)
        names = self.economy.industry_names()
        out.insert(0, "industry", [names.get(c, c) for c in out.index])
        return em.EmergingResult(out.sort_values("growth", ascending=False), backtest,
                                 reliable, words)

    def industry_growth_backtest(self, end: str, min_share: float = 0.01) -> pd.DataFrame:
        """Back-test of industry growth over every district × industry pair at least
        ``min_share`` of its district's GVA, for every pair of 5-year windows up to ``end``."""
        key = ("industry_backtest", end, min_share)
        if key in self._cache:
            return self._cache[key]
        periods = [p for p in self.economy.gva_periods() if p <= str(end)]
        windows = em.rolling_windows(periods)
        panel = pd.DataFrame({p: self.economy.lad_gva_matrix(p, EMERGING_MEASURE).stack()
                              for p in periods})
        middles = sorted({t1 for _, t1, _ in windows})
        eligible = pd.DataFrame({
            t1: self.economy.lad_gva_matrix(t1).div(self.economy.lad_gva_totals(t1), axis=0).stack()
            >= min_share for t1 in middles})
        result = em.growth_backtest(panel, windows, eligible=eligible)
        self._cache[key] = result
        return result

    def similar_places(self, place: Place, k: int = 10, set_name: str | None = None
                       ) -> pd.DataFrame:
        """The k places of the same type most like this one on a named neighbours set
        (``lad_economic``, CIPFA-style, or ``itl3_economic``); district sets are combined
        onto larger places. The default comparators, which match rurality and business mix
        rather than size, are :meth:`ComparatorService.neighbours`."""
        set_name = set_name or ("itl3_economic" if place.area_type == "ITL3"
                                else "lad_economic")
        table, _ = self.indicator_set_table(set_name, place.area_type)
        found = sp.nearest_neighbours(table, k=k, areas=[place.code])
        found.insert(2, "name", [self.places.get(c).name for c in found["neighbour"]])
        return found
