"""The Python API: everything the CLI and the reports show, as pandas DataFrames.

>>> from placelens.api import Observatory
>>> obs = Observatory()                       # opens the warehouse
>>> bham = obs.place("Birmingham")
>>> obs.indicator_series(bham, "gva_per_hour_gbp").tail()
>>> obs.location_quotients(bham).head()
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from placelens.analysis import clusters as cl
from placelens.analysis import composite_index as ci
from placelens.analysis import emerging as em
from placelens.analysis import functional_regions as fr
from placelens.analysis import place_types as pt
from placelens.analysis import similar_places as sp
from placelens.analysis import specialisation as spec
from placelens.analysis.backtest import BacktestResult, backtest
from placelens.analysis.complexity import ComplexityResult, complexity, project
from placelens.analysis.opportunities import BACKTESTED, best_ranking, opportunities
from placelens.collaboration import Collaboration
from placelens.defaults import EMERGING_INDICATOR, EMERGING_MEASURE, EMERGING_WINDOW
from placelens.errors import check_choice
from placelens.geography.places import Place, PlaceIndex, aggregate
from placelens.indicator_sets import area_panel, area_table, load_sets, sampling_se
from placelens.sources.ons_business_counts import CLASSIFICATION as BUSINESS_CLASSIFICATION
from placelens.sources.ons_business_counts import MEASURE as BUSINESS_MEASURE
from placelens.sources.ons_business_counts import PERIOD as BUSINESS_PERIOD
from placelens.sources.ons_regional_accounts import CLASSIFICATION as GVA_CLASSIFICATION
from placelens.sources.ons_regional_accounts import LAD_INDUSTRY_PARTITION, UK_COMPONENTS
from placelens.warehouse.matrices import MATRICES, load_matrix
from placelens.warehouse.store import Warehouse

#: Ratios placelens can derive for places ONS does not publish them for: indicator →
#: (numerator, denominator, multiplier). Both parts are additive over member LADs.
DERIVED_RATIOS = {
    "gdhi_per_head_gbp": ("gdhi_total_gbp_m", "population", 1e6),
    "gva_per_job_gbp": ("gva_current_gbp_m", "filled_jobs", 1e6),
}
#: Population is published for ITL areas; for LAD-based places it is implied by GDHI.
POPULATION_FALLBACK = "population_gdhi_implied"
GVA_MEASURE = "gva_current_gbp_m"
#: Matrices whose values are GVA (can be negative: clipped to 0 for presence measures).
GVA_MATRICES = ("lad-gva", "itl3-gva", "itl3-gva-detailed")
CLUSTER_MATRIX, CLUSTER_PERIOD = "nuts2-sic4-jobs", "2018"

ORIENTATIONS = ("productivity", "diversity")


@dataclass
class Opportunities:
    """Opportunities of a place's region: the table, the ranking used (and whether it was
    chosen because it back-tests best), the back-test and whether non-tradable activities
    were left out."""

    table: pd.DataFrame
    ranking: str
    ranking_from_backtest: bool
    backtest: BacktestResult
    tradable_only: bool

    def note(self) -> str:
        """One sentence on how the list was ranked and how far the ranking predicts."""
        aucs = {n: v for n, (v, _) in self.backtest.scores.items()}
        predictor = BACKTESTED[self.ranking] if self.ranking in BACKTESTED else None
        how = ("the ranking that back-tests best" if self.ranking_from_backtest else
               "the ranking asked for")
        auc_text = (f"AUC {aucs[predictor]:.3f} for gaining RCA ≥ 1 within three years"
                    if predictor in aucs else "no back-test (it measures what an activity "
                    "would add, not how likely it is)")
        return (f"Ranked by {self.ranking} ({how}: {auc_text}; density alone "
                f"{aucs.get('density', float('nan')):.3f}, current RCA "
                f"{aucs.get('rca', float('nan')):.3f}, 0.5 = chance)"
                + ("; tradable activities only." if self.tradable_only else "."))


class Observatory:
    """Entry point to the warehouse, the place index and the analysis functions."""

    def __init__(self, warehouse: Warehouse | Path | str | None = None):
        self.warehouse = warehouse if isinstance(warehouse, Warehouse) else Warehouse(warehouse)
        self._series_cache: dict[tuple[str, str], pd.DataFrame] = {}
        self._matrix_cache: dict[tuple, pd.DataFrame] = {}

    @cached_property
    def places(self) -> PlaceIndex:
        return PlaceIndex.from_warehouse(self.warehouse)

    @cached_property
    def collaboration(self) -> Collaboration:
        """Funded R&D collaboration networks, leadership styles and journey signals."""
        return Collaboration(self.warehouse, self.places)

    def place(self, query: str, area_type: str | None = None) -> Place:
        return self.places.resolve(query, area_type)

    # ---- indicators -------------------------------------------------------------------
    def indicator_table(self, indicator: str) -> pd.DataFrame:
        """All published values of one indicator (area_code, area_type, period, value)."""
        key = ("all", indicator)
        if key not in self._series_cache:
            frame = self.warehouse.observations(indicator)
            self._series_cache[key] = frame[frame["vintage"] != "pre-2023"]
        return self._series_cache[key]

    def indicator_series(self, place: Place, indicator: str) -> pd.DataFrame:
        """A place's series: published for its code where ONS publishes it, otherwise derived
        from its member LADs (sums of additive measures, ratios of sums). Columns: period,
        value, method ('published' or 'derived from N LADs')."""
        published = self.indicator_table(indicator)
        own = published[published["area_code"] == place.code]
        if len(own):
            return pd.DataFrame({"period": own["period"].to_numpy(),
                                 "value": own["value"].to_numpy(), "method": "published"})
        if indicator == "population":
            series = self.indicator_series(place, POPULATION_FALLBACK) if place.is_lad else \
                self._member_sum(place, POPULATION_FALLBACK)
            return series.assign(method=series["method"] + ", implied by GDHI")
        if indicator in DERIVED_RATIOS:
            numerator, denominator, multiplier = DERIVED_RATIOS[indicator]
            top = self.indicator_series(place, numerator).set_index("period")["value"]
            bottom = self.indicator_series(place, denominator).set_index("period")["value"]
            ratio = (top * multiplier / bottom).dropna()
            return pd.DataFrame({"period": ratio.index, "value": ratio.to_numpy(),
                                 "method": "derived (ratio of sums)"})
        if self._is_additive(indicator) and not place.is_lad:
            return self._member_sum(place, indicator)
        return pd.DataFrame(columns=["period", "value", "method"])

    def _is_additive(self, indicator: str) -> bool:
        meta = self.warehouse.table("indicators").set_index("indicator")
        return bool(indicator in meta.index and meta.loc[indicator, "additive"])

    def _member_sum(self, place: Place, indicator: str) -> pd.DataFrame:
        """Sum over member LADs, for periods where every member has a value."""
        published = self.indicator_table(indicator)
        rows = published[published["area_code"].isin(place.members)]
        grouped = rows.groupby("period")["value"].agg(["sum", "count"])
        complete = grouped[grouped["count"] == len(place.members)]
        return pd.DataFrame({"period": complete.index, "value": complete["sum"].to_numpy(),
                             "method": f"derived (sum of {len(place.members)} LADs)"})

    def latest(self, place: Place, indicator: str) -> tuple[str | None, float | None, str]:
        series = self.indicator_series(place, indicator).dropna(subset=["value"])
        if series.empty:
            return None, None, "not available"
        last = series.sort_values("period").iloc[-1]
        return str(last["period"]), float(last["value"]), str(last["method"])

    # ---- activity matrices ------------------------------------------------------------
    def lad_gva_matrix(self, period: str, measure: str = GVA_MEASURE) -> pd.DataFrame:
        """LAD × industry GVA (the non-overlapping industries, imputed rent excluded)."""
        key = ("lad_gva", period, measure)
        if key not in self._matrix_cache:
            codes = [code for code, _ in LAD_INDUSTRY_PARTITION]
            self._matrix_cache[key] = self.warehouse.activity_matrix(
                GVA_CLASSIFICATION, measure, "LAD", str(period), codes)
        return self._matrix_cache[key]

    def gva_periods(self) -> list[str]:
        return self.warehouse.periods(GVA_CLASSIFICATION, GVA_MEASURE, "LAD")

    def lad_gva_totals(self, period: str) -> pd.Series:
        """Each LAD's published GVA total less owner-occupiers' imputed rent (68IMP), the
        denominator of industry shares. Where 68IMP is suppressed it is estimated from the
        LAD's real-estate GVA and the UK ratio of imputed rent to real estate."""
        key = ("lad_totals", period)
        if key not in self._matrix_cache:
            totals = self.indicator_table(GVA_MEASURE)
            totals = totals[(totals["area_type"] == "LAD") & (totals["period"] == str(period))]
            total = totals.set_index("area_code")["value"]
            extra = self.warehouse.activity_matrix(GVA_CLASSIFICATION, GVA_MEASURE, "LAD",
                                                   str(period), ["68IMP", "L (68)"])
            extra = extra.reindex(total.index)
            ratio = extra["68IMP"].sum() / extra.loc[extra["68IMP"].notna(), "L (68)"].sum()
            imputed = extra["68IMP"].fillna(extra["L (68)"] * ratio)
            self._matrix_cache[key] = (total - imputed).rename("total_excl_imputed_rent")
        return self._matrix_cache[key]

    def place_matrix(self, places: list[Place], period: str, measure: str = GVA_MEASURE
                     ) -> pd.DataFrame:
        """GVA by industry summed over each place's member LADs (one row per place). A cell
        is NaN when any member's cell is suppressed, so no partial sum passes as a total.
        Constant-price GVA is summed over districts of one industry only (never across
        industries), which is how ONS builds its regional constant-price series."""
        lad = self.lad_gva_matrix(period, measure)
        rows = {place.code: lad.reindex(list(place.members)).sum(skipna=False)
                for place in places}
        return pd.DataFrame(rows).T

    def place_totals(self, places: list[Place], period: str) -> pd.Series:
        totals = self.lad_gva_totals(period)
        return pd.Series({p.code: totals.reindex(list(p.members)).sum(skipna=False)
                          for p in places})

    def uk_reference(self, period: str, method: str = "published") -> pd.Series:
        """UK GVA by industry with the UK total less imputed rent as ``__total__``, the
        reference of every LQ and shift-share.

        ``published`` (default): the sum of ONS's twelve ITL1 regions (the UK less Extra-Regio
        offshore activity, which no district holds), each LAD industry row as the sum of its
        published components; regional cells are never suppressed. ``lad_sum``: the sum of
        published LAD cells and LAD totals, as placelens did before 2026-12; where LAD cells
        are suppressed it understates an industry against a total that includes the
        suppressed districts' whole GVA, so LQs of suppression-heavy industries come out too
        high. Kept for reproducing old results."""
        if method == "lad_sum":
            reference = self.lad_gva_matrix(period).sum(min_count=1)
            reference["__total__"] = self.lad_gva_totals(period).sum()
            return reference
        if method != "published":
            raise ValueError(f"method must be 'published' or 'lad_sum', not {method!r}")
        codes = [code for code, _ in LAD_INDUSTRY_PARTITION]
        parts = sorted({part for code in codes for part in UK_COMPONENTS.get(code, [code])})
        regions = self.warehouse.activity_matrix(GVA_CLASSIFICATION, GVA_MEASURE, "ITL1",
                                                 str(period), [*parts, "68IMP"])
        uk = regions.sum(min_count=len(regions))
        reference = pd.Series({code: uk[UK_COMPONENTS.get(code, [code])].sum(min_count=1)
                               for code in codes})
        total = self.indicator_table(GVA_MEASURE)
        total = total[(total["area_type"] == "ITL1") & (total["period"] == str(period))]
        if len(total) != len(regions) or len(regions) == 0 or reference.isna().any():
            raise ValueError(f"ONS publishes no complete regional GVA by industry for {period}")
        reference["__total__"] = float(total["value"].sum()) - uk["68IMP"]
        return reference

    def industry_names(self) -> dict[str, str]:
        codes = self.warehouse.table("activity_codes")
        codes = codes[codes["classification"] == GVA_CLASSIFICATION]
        return dict(zip(codes["activity_code"], codes["name"], strict=True))

    def industry_sections(self) -> dict[str, str]:
        return dict(LAD_INDUSTRY_PARTITION)

    # ---- specialisation ---------------------------------------------------------------
    def location_quotients(self, place: Place, period: str | None = None) -> pd.DataFrame:
        """The place's GVA by industry with share, UK share and LQ, sorted by LQ."""
        period = period or self.gva_periods()[-1]
        uk = self.uk_reference(period)
        row = self.place_matrix([place], period)
        totals = self.place_totals([place], period)
        lq = spec.location_quotients(row, reference=uk, totals=totals).iloc[0]
        share = spec.shares(row, totals=totals).iloc[0]
        names = self.industry_names()
        out = pd.DataFrame({"industry": [names.get(c, c) for c in row.columns],
                            "gva_gbp_m": row.iloc[0].to_numpy(), "share": share.to_numpy(),
                            "uk_share": spec.national_shares(row, uk).to_numpy(),
                            "lq": lq.to_numpy()},
                           index=pd.Index(row.columns, name="industry_code"))
        return out.sort_values("lq", ascending=False)

    def business_structure(self, place: Place) -> pd.DataFrame:
        """Local units (workplaces of VAT/PAYE-registered businesses, ONS IDBR March 2024) by
        broad industry group, summed over the place's districts, with share, UK share and
        LQ. Counts are published for every district, so this shows a structure where GVA
        industries are suppressed; they count businesses, not jobs or output."""
        counts = self.warehouse.activity_matrix(
            BUSINESS_CLASSIFICATION, BUSINESS_MEASURE, "LAD", BUSINESS_PERIOD)
        uk = self.warehouse.activity_matrix(BUSINESS_CLASSIFICATION, BUSINESS_MEASURE, "UK",
                                            BUSINESS_PERIOD).iloc[0]
        own = counts.reindex(list(place.members)).sum(min_count=1)
        share, uk_share = own / own.sum(), uk / uk.sum()
        codes = self.warehouse.table("activity_codes")
        names = codes[codes["classification"] == BUSINESS_CLASSIFICATION].set_index(
            "activity_code")["name"]
        table = pd.DataFrame({"industry": names.reindex(own.index), "local_units": own,
                              "share": share, "uk_share": uk_share.reindex(own.index),
                              "lq": share / uk_share.reindex(own.index)})
        table.index.name = "industry_code"
        return table.sort_values("lq", ascending=False)

    def structure(self, places: list[Place], period: str | None = None) -> pd.DataFrame:
        """Krugman, Hachman, Shannon and related/unrelated variety per place (vs the UK)."""
        period = period or self.gva_periods()[-1]
        uk = self.uk_reference(period)
        matrix = self.place_matrix(places, period)
        summary = spec.specialisation_summary(matrix, reference=uk)
        return summary.join(spec.variety(matrix, self.industry_sections()))

    def shift_share(self, place: Place, start: str, end: str) -> pd.DataFrame:
        """Shift-share of GVA (current prices) by industry, with the UK (all LADs) as nation."""
        lads = [self.lad_gva_matrix(p) for p in (start, end)]
        parts = spec.shift_share(*lads)
        members = parts[parts["area"].isin(place.members)]
        by_industry = members.groupby("activity")[["start", "end", "change", "national",
                                                  "industry_mix", "local"]].sum(min_count=1)
        names = self.industry_names()
        by_industry.insert(0, "industry", [names.get(c, c) for c in by_industry.index])
        by_industry.index.name = "industry_code"
        return by_industry.sort_values("local", ascending=False)

    def matrix_measures(self, matrix: str, period: str, metric: str = "lq") -> pd.DataFrame:
        """LQs (long form) or structure indices for every area of a named warehouse matrix
        (see :data:`placelens.warehouse.matrices.MATRICES`), e.g. NUTS2 × SIC4 jobs."""
        x = load_matrix(self.warehouse, matrix, str(period))
        if metric == "lq":
            long = spec.location_quotients(x).stack().rename("lq").reset_index()
            long.columns = ["area_code", "activity_code", "lq"]
        elif metric == "structure":
            long = spec.specialisation_summary(x)
            groups = MATRICES[matrix].groups(self.warehouse, list(x.columns))
            if groups:
                long = long.join(spec.variety(x, groups))
            long = long.reset_index(names="area_code")
        else:
            raise ValueError(f"metric for a matrix must be 'lq' or 'structure', not {metric!r}")
        long.insert(1, "period", str(period))
        return long

    def metric_table(self, metric: str, area_type: str = "LAD", period: str | None = None,
                     uk_reference: str = "published") -> pd.DataFrame:
        """A whole metric table for every place of a type: 'lq', 'structure', or any
        indicator id (latest published or derived value). ``uk_reference`` is the LQs' UK
        reference (see :meth:`uk_reference`)."""
        places = self.places.of_type(area_type)
        if metric == "lq":
            period = period or self.gva_periods()[-1]
            lq = spec.location_quotients(self.place_matrix(places, period),
                                         reference=self.uk_reference(period, uk_reference),
                                         totals=self.place_totals(places, period))
            long = lq.stack().rename("lq").reset_index()
            long.columns = ["area_code", "industry_code", "lq"]
            long.insert(1, "period", period)
            return long
        if metric == "structure":
            out = self.structure(places, period).reset_index(names="area_code")
            out.insert(1, "period", period or self.gva_periods()[-1])
            return out
        rows = []
        for place in places:
            series = self.indicator_series(place, metric)
            if period is not None:
                series = series[series["period"] == str(period)]
            for rec in series.itertuples(index=False):
                rows.append({"area_code": place.code, "name": place.name,
                             "period": rec.period, "value": rec.value, "method": rec.method})
        if not rows:
            known = sorted(self.warehouse.table("indicators")["indicator"])
            raise ValueError(f"metric {metric!r} has no values for {area_type}; choose 'lq', "
                             f"'structure' or an indicator: {', '.join(known)}")
        return pd.DataFrame(rows)


    # ---- complexity, clusters and opportunities ------------------------------------------
    def matrix(self, name: str, period: str) -> pd.DataFrame:
        return load_matrix(self.warehouse, name, str(period), clip_negative=name in GVA_MATRICES)

    def productivity_for(self, area_codes: pd.Index, period: str) -> pd.Series:
        """GVA per hour worked for the areas of a matrix (LAD, ITL3, or NUTS2 through the
        matching ITL2 code), from the latest year up to ``period``."""
        table = self.indicator_table("gva_per_hour_gbp")
        keys = pd.Series(area_codes, index=area_codes).str.replace(r"^UK", "TL", regex=True)
        table = table[table["area_code"].isin(set(keys))]
        years = sorted(table["period"].unique())
        usable = [y for y in years if y <= str(period)] or years[:1]
        if not usable:
            return pd.Series(dtype="float64", name="GVA per hour worked")
        values = table[table["period"] == usable[-1]].set_index("area_code")["value"]
        return pd.Series(keys.map(values).to_numpy(), index=area_codes,
                         name=f"GVA per hour worked ({usable[-1]})")

    def complexity(self, matrix: str = "lad-gva", period: str | None = None,
                   orient: str = "productivity") -> ComplexityResult:
        """Complexity of a named warehouse matrix for one period. ``orient``: 'productivity'
        (default for UK places: ECI correlates positively with GVA per hour) or 'diversity'
        (the country convention); the result's ``orientation`` says which was used."""
        if orient not in ORIENTATIONS:
            raise ValueError(f"orient must be one of {ORIENTATIONS}, not {orient!r}")
        period = str(period or self.latest_period(matrix))
        key = ("complexity", matrix, period, orient)
        if key not in self._matrix_cache:
            x = self.matrix(matrix, period)
            orient_by = "diversity"
            if orient == "productivity":
                productivity = self.productivity_for(x.index, period)
                if productivity.notna().sum() >= 3:
                    orient_by = productivity
            self._matrix_cache[key] = complexity(x, orient_by=orient_by)
        return self._matrix_cache[key]

    def latest_period(self, matrix: str) -> str:
        spec_ = MATRICES[matrix]
        return self.warehouse.periods(spec_.classification, spec_.measure, spec_.area_type)[-1]

    def place_complexity(self, place: Place, period: str | None = None,
                         max_suppressed_share: float = 0.5) -> dict:
        """The place's ECI on the LAD × industry GVA matrix and its rank among districts
        (places made of several districts are projected onto the district ranking), with how
        many of its industries are suppressed. Suppressed cells count as absent activities,
        so where more than ``max_suppressed_share`` of industries are suppressed the ECI
        describes the publication gaps rather than the economy: it is withheld (``eci`` and
        ``rank`` None, ``withheld`` True)."""
        period = period or self.gva_periods()[-1]
        result = self.complexity("lad-gva", period)
        row = self.place_matrix([place], period)
        suppressed = int(row.iloc[0].isna().sum())
        out = {"of": len(result.eci), "orientation": result.orientation,
               "suppressed": suppressed, "industries": row.shape[1],
               "withheld": suppressed > max_suppressed_share * row.shape[1]}
        if out["withheld"]:
            return out | {"eci": None, "rank": None}
        if place.is_lad and place.code in result.eci.index:
            eci = float(result.eci[place.code])
        else:
            eci = float(project(result, row.fillna(0.0).clip(lower=0))["eci"].iloc[0])
        return out | {"eci": eci, "rank": int((result.eci > eci).sum()) + 1}

    def area_name(self, code: str) -> str:
        areas = self.warehouse.table("areas")
        names = areas.loc[areas["area_code"] == code, "name"]
        return str(names.iloc[0]) if len(names) else code

    def segment_names(self) -> dict[str, str]:
        codes = self.warehouse.table("activity_codes")
        segments = codes[codes["classification"] == "nesta_segment"]
        return dict(zip(segments["activity_code"], segments["parent_code"], strict=True))

    def sic_names(self) -> dict[str, str]:
        codes = self.warehouse.table("activity_codes")
        sic = codes[codes["classification"] == "sic2007"]
        return dict(zip(sic["activity_code"], sic["name"], strict=True))

    def clusters(self, period: str = CLUSTER_PERIOD) -> pd.DataFrame:
        """Strong-cluster table for every NUTS2 region (BRES jobs, IDBR establishments)."""
        key = ("clusters", period)
        if key not in self._matrix_cache:
            segments = self.segment_names()
            jobs = self.matrix(CLUSTER_MATRIX, period)
            units = load_matrix(self.warehouse, "nuts2-sic4-units", period)
            self._matrix_cache[key] = cl.strong_clusters(cl.to_clusters(jobs, segments),
                                                         cl.to_clusters(units, segments))
        return self._matrix_cache[key]

    def nuts2_region(self, place: Place) -> str | None:
        """The NUTS2 region of the SIC 4-digit tables that holds the place, if one does."""
        code = place.parents.get("NUTS2") or (place.code if place.area_type == "NUTS2"
                                              else None)
        areas = self.matrix(CLUSTER_MATRIX, CLUSTER_PERIOD).index
        return code if code in areas else None

    def opportunity_backtest(self, period: str = CLUSTER_PERIOD) -> BacktestResult:
        """The NUTS2 × SIC4 back-test behind the opportunity ranking: did each predictor pick
        out the activities that gained RCA ≥ 1 over the three years to ``period``?"""
        key = ("opportunity_backtest", period)
        if key not in self._matrix_cache:
            start = str(int(period) - 3)
            self._matrix_cache[key] = self.backtest(CLUSTER_MATRIX, [(start, str(period))])
        return self._matrix_cache[key]

    def opportunities(self, place: Place, by: str | None = None, top: int = 10,
                      period: str = CLUSTER_PERIOD, tradable_only: bool = True
                      ) -> Opportunities:
        """Growth opportunities for the place's NUTS2 region on SIC 4-digit activities.

        ``by`` defaults to the ranking whose predictor back-tests best (see
        :meth:`opportunity_backtest`); ``tradable_only`` (default) leaves out activities of
        segments that serve local demand (schools, care, retail, construction …)."""
        region = self.nuts2_region(place)
        if region is None:
            raise ValueError(f"{place.name} is not inside one NUTS2 region of the SIC 4-digit "
                             "tables, so activity-level opportunities cannot be computed")
        backtest_result = self.opportunity_backtest(period)
        aucs = {name: value for name, (value, _) in backtest_result.scores.items()}
        chosen = by or best_ranking(aucs)
        segments = self.segment_names()
        local = {a for a, segment in segments.items() if not cl.is_tradable(segment)}
        result = self.complexity(CLUSTER_MATRIX, period)
        table = opportunities(result, region, self.sic_names(), by=chosen, top=top,
                              label=self.area_name(region),
                              exclude=local if tradable_only else frozenset())
        table.insert(1, "cluster", table.index.map(
            lambda a: cl.segment_label(segments[a]) if a in segments else ""))
        return Opportunities(table, chosen, by is None, backtest_result, tradable_only)

    def backtest(self, matrix: str, windows: list[tuple[str, str]], draws: int = 1000,
                 seed: int = 0) -> BacktestResult:
        periods = sorted({p for window in windows for p in window})
        panel = {p: self.matrix(matrix, p) for p in periods}
        return backtest(panel, windows, draws=draws, seed=seed)


    # ---- benchmarking: composite index and similar places -------------------------------
    def indicator_set(self, name: str):
        sets = load_sets()
        if name not in sets:
            raise ValueError(f"unknown indicator set {name!r}; choose one of {sorted(sets)}")
        return sets[name]

    def indicator_set_table(self, name: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Area × indicator table of a named set (each indicator's declared period, or the
        set's last year) and where each value came from."""
        spec_ = self.indicator_set(name)
        key = ("set", name)
        if key not in self._matrix_cache:
            year = spec_.years[-1] if spec_.years else None
            self._matrix_cache[key] = area_table(self, spec_, spec_.area_type, year)
        return self._matrix_cache[key]

    def innovation_index(self, set_name: str = "lad_innovation", draws: int = 1000,
                         seed: int = 0) -> pd.DataFrame:
        """The composite innovation index for every area of the set's type: index (0–1),
        relative to the mean (= 100), group, rank and its 5–95% interval under alternative
        choices, and how many indicators each area has. Areas below the set's minimum
        coverage are listed with ``sufficient`` False and no rank. The rank interval covers
        treatment choices, weights, leaving out any one indicator and (where the set states
        it) sampling error. Sets with ``years`` are normalised over all those years (RIS) and
        scored on the latest; ``change`` is the index change since the first year on the
        indicators the area has in both (``indicators_compared``, at least the set's minimum
        coverage; and one ``contribution: …`` column per indicator).
        ``attrs['between_nuts3_share']`` (district sets) is the share of the index's variance
        lying between NUTS3 areas."""
        key = ("index", set_name, draws, seed)
        if key in self._matrix_cache:
            return self._matrix_cache[key]
        spec_ = self.indicator_set(set_name)
        if spec_.years:
            panel = area_panel(self, spec_, spec_.area_type, list(spec_.years))
            period = spec_.years[-1]
        else:
            table, _ = self.indicator_set_table(set_name)
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
        if spec_.area_type == "LAD":
            nuts3 = pd.Series({p.code: p.parents.get("NUTS3") for p in
                               self.places.of_type("LAD")})
            between = ci.between_group_share(ranked["index"], nuts3.reindex(ranked.index))
        scores.attrs.update(treatments=result.treatments, set=spec_, period=period,
                            normalised=result.normalised.xs(period, level="period"),
                            history=all_years, between_nuts3_share=between)
        self._matrix_cache[key] = scores
        return scores

    def explain_index(self, place: Place, set_name: str = "lad_innovation") -> pd.DataFrame:
        """Why a place sits where it does: per indicator its value and unit, where and when
        that value was published (and whether it is a regional input copied to every
        district of the region), how it was treated, its normalised score (0–1) and the
        median score."""
        spec_ = self.indicator_set(set_name)
        if place.area_type != spec_.area_type:
            raise ValueError(f"the {set_name} index is computed for {spec_.area_type} areas; "
                             f"{place.name} is a {place.type_label}")
        scores = self.innovation_index(set_name)
        normalised = scores.attrs["normalised"]
        table, provenance = self.indicator_set_table(set_name)
        treatments = {t.indicator: t for t in scores.attrs["treatments"]}
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
            rows.append({"indicator": indicator, "value": table.loc[place.code, indicator],
                         "unit": specs[indicator].unit,
                         "input": (f"regional ({specs[indicator].level})"
                                   if specs[indicator].regional else "own area"),
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
        if key not in self._matrix_cache:
            lads = self.places.of_type("LAD")
            codes = [p.code for p in lads]
            latest = {}
            for indicator in ("population_gdhi_implied", "land_area_hectares", "filled_jobs",
                              "ruc_share_rural", "ruc_share_highly_rural"):
                table = self.indicator_table(indicator)
                table = table[table["area_type"] == "LAD"].sort_values("period")
                latest[indicator] = table.drop_duplicates("area_code", keep="last").set_index(
                    "area_code")["value"].reindex(codes)
            period = self.gva_periods()[-1]
            matrix, totals = self.place_matrix(lads, period), self.place_totals(lads, period)
            lq = spec.location_quotients(matrix, reference=self.uk_reference(period),
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
            self._matrix_cache[key] = signals.join(excess)
        return self._matrix_cache[key]

    def place_types(self) -> pd.DataFrame:
        """Rule-based type with its reason, the share of ±10% threshold variants that keep it
        (``type_stability``), and the data-driven group, for every district."""
        signals = self.place_type_signals()
        types = pt.classify(signals)
        groups = pt.typology(signals)
        out = signals.join(types).join(pt.threshold_stability(signals)).join(groups)
        out.insert(0, "name", [self.places.get(c).name for c in out.index])
        out.attrs["thresholds"] = types.attrs["thresholds"]
        out.attrs["centres"] = groups.attrs["centres"]
        return out

    def emerging_places(self, indicator: str = EMERGING_INDICATOR,
                        start: str = EMERGING_WINDOW[0], end: str = EMERGING_WINDOW[1]
                        ) -> em.EmergingResult:
        """Magnitude and growth of the 3-year average for every district, with the back-test
        of growth against naive baselines over every earlier pair of 5-year windows; the
        emerging / leading / established classes only where growth beats the baselines
        (otherwise "no reliable signal"). Default series: real GVA (chained volume, 2022
        prices, unsmoothed)."""
        key = ("emerging_places", indicator, start, end)
        if key in self._matrix_cache:
            return self._matrix_cache[key]
        table = self.indicator_table(indicator)
        table = table[table["area_type"] == "LAD"]
        if table.empty:
            raise ValueError(f"indicator {indicator!r} has no district values")
        panel = table.pivot_table(index="area_code", columns="period", values="value")
        panel = panel[sorted(panel.columns)]
        out = em.magnitude_and_growth(panel, start, end)
        windows = em.rolling_windows([p for p in panel.columns if p <= end])
        backtest = em.growth_backtest(panel, windows)
        reliable, words = em.verdict(backtest)
        out["class"] = em.label(out, reliable)
        out.insert(0, "name", [self.places.places[c].name if c in self.places.places else c
                               for c in out.index])
        result = em.EmergingResult(out, backtest, reliable, words)
        self._matrix_cache[key] = result
        return result

    def emerging_activities(self, place: Place, start: str = EMERGING_WINDOW[0],
                            end: str = EMERGING_WINDOW[1], min_share: float = 0.01
                            ) -> em.EmergingResult:
        """Industries of the place by magnitude (mean GVA, 2022 prices) and growth of the
        3-year average. Industries under ``min_share`` of the place's GVA (current prices,
        ``end``) are "too small". Classes are shown only if industry growth beat naive
        baselines in the back-test pooled over every district's industries."""
        years = [str(y) for y in range(int(start) - 2, int(end) + 1)]
        panel = pd.DataFrame({y: self.place_matrix([place], y, EMERGING_MEASURE).iloc[0]
                              for y in years})
        out = em.magnitude_and_growth(panel, start, end)
        share = (self.place_matrix([place], end).iloc[0]
                 / self.place_totals([place], end).iloc[0])
        out["share_of_gva"] = share.reindex(out.index)
        backtest = self.industry_growth_backtest(end)
        reliable, words = em.verdict(backtest)
        out["class"] = em.label(out, reliable, out["share_of_gva"] >= min_share)
        names = self.industry_names()
        out.insert(0, "industry", [names.get(c, c) for c in out.index])
        return em.EmergingResult(out.sort_values("growth", ascending=False), backtest,
                                 reliable, words)

    def industry_growth_backtest(self, end: str, min_share: float = 0.01) -> pd.DataFrame:
        """Back-test of industry growth over every district × industry pair at least
        ``min_share`` of its district's GVA, for every pair of 5-year windows up to ``end``."""
        key = ("industry_backtest", end, min_share)
        if key in self._matrix_cache:
            return self._matrix_cache[key]
        periods = [p for p in self.gva_periods() if p <= str(end)]
        windows = em.rolling_windows(periods)
        panel = pd.DataFrame({p: self.lad_gva_matrix(p, EMERGING_MEASURE).stack()
                              for p in periods})
        middles = sorted({t1 for _, t1, _ in windows})
        eligible = pd.DataFrame({
            t1: self.lad_gva_matrix(t1).div(self.lad_gva_totals(t1), axis=0).stack()
            >= min_share for t1 in middles})
        result = em.growth_backtest(panel, windows, eligible=eligible)
        self._matrix_cache[key] = result
        return result

    def similar_places(self, place: Place, k: int = 10, set_name: str | None = None
                       ) -> pd.DataFrame:
        """The k areas most like this one (districts, or ITL3 areas) on the set's context
        variables; the default set follows the place's type."""
        set_name = set_name or {"LAD": "lad_economic", "ITL3": "itl3_economic"}.get(
            place.area_type, "")
        if not set_name:
            raise ValueError("similar places are computed between local authority districts "
                             f"or between ITL3 areas; {place.name} is a {place.type_label}")
        table, _ = self.indicator_set_table(set_name)
        found = sp.nearest_neighbours(table, k=k, areas=[place.code])
        found.insert(2, "name", [self.places.get(c).name for c in found["neighbour"]])
        return found

    def all_neighbours(self, k: int = 10, set_name: str = "lad_economic") -> pd.DataFrame:
        table, _ = self.indicator_set_table(set_name)
        return sp.nearest_neighbours(table, k=k)


    # ---- functional economic regions --------------------------------------------------
    def commuting_table(self, home_workers: bool = False) -> fr.FlowTable:
        """Census 2021 commuting between districts (LAD 2023 codes, England and Wales).
        Residents in work count everyone employed (including those working in Scotland,
        Northern Ireland, offshore or abroad); ``home_workers`` counts people working mainly
        at home as living and working in their district, as the 2011 TTWAs did; without them
        (the lockdown-robust choice) only people who travel to work are counted."""
        key = ("flows", home_workers)
        if key not in self._matrix_cache:
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
            self._matrix_cache[key] = fr.flow_table(
                summed, "origin_code", "destination_code", "value",
                "Census 2021 ODWP01EW", residents=residents)
        return self._matrix_cache[key]

    def functional_regions(self, method: str = "ttwa",
                           options: fr.TTWAOptions | None = None,
                           resolution: float = 8.0, runs: int = 20,
                           home_workers: bool = False) -> pd.DataFrame:
        """Region of every district (by the TTWA method or Leiden), the region's name (its
        largest member), the official 2011 TTWA it falls in, and the share of its commuting
        that stays inside its combined authority / city region and inside its region.

        By default people working mainly at home are left out: in the lockdown census they
        make almost every district self-contained on its own (see docs/functional_regions.md).
        """
        key = ("regions", method, options, resolution, runs, home_workers)
        if key in self._matrix_cache:
            return self._matrix_cache[key]
        table = self.commuting_table(home_workers)
        options = options or fr.TTWAOptions()
        check_choice("method", method, fr.METHODS)
        if method == "ttwa":
            out = fr.ttwa(table, options).to_frame()
        else:
            out = fr.leiden_regions(table, resolution, runs)
        out["region_name"] = out["region"].map(self.area_name)
        hierarchy = self.warehouse.table("hierarchy")
        primary = hierarchy[hierarchy["primary_parent"] & (hierarchy["child_type"] == "LAD")]
        for parent_type, column in (("TTWA", "ttwa_2011"), ("CA", "combined_authority"),
                                    ("CR", "city_region")):
            parents = primary[primary["parent_type"] == parent_type].set_index("child_code")
            out[column] = parents["parent_code"].reindex(out.index)
        authority = out["combined_authority"].fillna(out["city_region"])
        out["share_within_authority"] = fr.containment_within(table, authority)
        out["share_within_region"] = fr.containment_within(table, out["region"])
        out.insert(0, "name", out.index.map(self.area_name))
        agreement = fr.adjusted_rand_index(out["region"], out["ttwa_2011"])
        stats = fr.region_stats(table, out["region"], options)
        stats["name"] = [f"{self.area_name(c)} functional region" for c in stats.index]
        out.attrs.update(stats=stats, ari_vs_ttwa_2011=agreement)
        self._matrix_cache[key] = out
        return out

    def region_of(self, place: Place, method: str = "ttwa") -> pd.DataFrame:
        """The functional regions that the place's districts belong to, with how much of
        each member's commuting stays inside its region and inside its authority."""
        regions = self.functional_regions(method)
        members = regions.reindex([c for c in place.members if c in regions.index])
        if members.empty:
            raise ValueError(f"{place.name} is outside England and Wales, where the Census "
                             "2021 flows are published")
        return members


__all__ = ["Observatory", "aggregate"]
