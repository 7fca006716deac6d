"""The Python API: everything the CLI and the reports show, as pandas DataFrames.

>>> from placelens.api import Observatory
>>> obs = Observatory()                       # opens the warehouse
>>> bham = obs.place("Birmingham")
>>> obs.indicator_series(bham, "gva_per_hour_gbp").tail()
>>> obs.location_quotients(bham).head()
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

import pandas as pd

from placelens.analysis import specialisation as spec
from placelens.geography.places import Place, PlaceIndex, aggregate
from placelens.sources.ons_regional_accounts import CLASSIFICATION as GVA_CLASSIFICATION
from placelens.sources.ons_regional_accounts import LAD_INDUSTRY_PARTITION
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


class Observatory:
    """Entry point to the warehouse, the place index and the analysis functions."""

    def __init__(self, warehouse: Warehouse | Path | str | None = None):
        self.warehouse = warehouse if isinstance(warehouse, Warehouse) else Warehouse(warehouse)
        self._series_cache: dict[tuple[str, str], pd.DataFrame] = {}
        self._matrix_cache: dict[tuple, pd.DataFrame] = {}

    @cached_property
    def places(self) -> PlaceIndex:
        return PlaceIndex.from_warehouse(self.warehouse)

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

    def place_matrix(self, places: list[Place], period: str) -> pd.DataFrame:
        """GVA by industry summed over each place's member LADs (one row per place). A cell
        is NaN when any member's cell is suppressed, so no partial sum passes as a total."""
        lad = self.lad_gva_matrix(period)
        rows = {place.code: lad.reindex(list(place.members)).sum(skipna=False)
                for place in places}
        return pd.DataFrame(rows).T

    def place_totals(self, places: list[Place], period: str) -> pd.Series:
        totals = self.lad_gva_totals(period)
        return pd.Series({p.code: totals.reindex(list(p.members)).sum(skipna=False)
                          for p in places})

    def uk_reference(self, period: str) -> pd.Series:
        """UK GVA by industry (sum of LADs) with the UK total as ``__total__``."""
        reference = self.lad_gva_matrix(period).sum(min_count=1)
        reference["__total__"] = self.lad_gva_totals(period).sum()
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

    def metric_table(self, metric: str, area_type: str = "LAD",
                     period: str | None = None) -> pd.DataFrame:
        """A whole metric table for every place of a type: 'lq', 'structure', or any
        indicator id (latest published or derived value)."""
        places = self.places.of_type(area_type)
        if metric == "lq":
            period = period or self.gva_periods()[-1]
            lq = spec.location_quotients(self.place_matrix(places, period),
                                         reference=self.uk_reference(period),
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


def membership(places: list[Place]) -> dict[str, str]:
    """LAD → place code for places whose members do not overlap."""
    return {lad: place.code for place in places for lad in place.members}


__all__ = ["Observatory", "aggregate", "membership"]
