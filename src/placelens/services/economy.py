"""The economy of places from the ONS regional accounts: GVA by industry for any place,
location quotients against the UK, structure indices, shift-share, business counts and whole
metric tables."""

from __future__ import annotations

import numpy as np
import pandas as pd

from placelens.analysis import specialisation as spec
from placelens.errors import check_choice, check_order, check_period
from placelens.geography.places import Place
from placelens.services.base import Service
from placelens.services.indicators import IndicatorService
from placelens.sources.ons_business_counts import CLASSIFICATION as BUSINESS_CLASSIFICATION
from placelens.sources.ons_business_counts import MEASURE as BUSINESS_MEASURE
from placelens.sources.ons_business_counts import PERIOD as BUSINESS_PERIOD
from placelens.sources.ons_regional_accounts import CLASSIFICATION as GVA_CLASSIFICATION
from placelens.sources.ons_regional_accounts import LAD_INDUSTRY_PARTITION, UK_COMPONENTS
from placelens.warehouse.matrices import MATRICES, load_matrix

GVA_MEASURE = "gva_current_gbp_m"
#: How the UK reference of LQs is taken (see :meth:`EconomyService.uk_reference`).
UK_REFERENCES = ("published", "lad_sum")


class EconomyService(Service):
    """GVA by industry and the measures built on it, for any place."""

    # District × industry matrices, each district's total and the years: every profile reads
    # several years of them, and building one from the warehouse costs about 20 ms.
    stored_results = ("lad_gva", "lad_totals", "gva_periods")

    def __init__(self, indicators: IndicatorService):
        super().__init__(indicators.warehouse, indicators.places)
        self.indicators = indicators

    def lad_gva_matrix(self, period: str, measure: str = GVA_MEASURE) -> pd.DataFrame:
        """LAD × industry GVA (the non-overlapping industries, imputed rent excluded)."""
        key = ("lad_gva", period, measure)
        if key not in self._cache:
            check_period("GVA period", period, self.gva_periods())
            codes = [code for code, _ in LAD_INDUSTRY_PARTITION]
            self._cache[key] = self.warehouse.activity_matrix(
                GVA_CLASSIFICATION, measure, "LAD", str(period), codes)
        return self._cache[key]

    def gva_periods(self) -> list[str]:
        """Years of the district GVA tables."""
        key = ("gva_periods",)
        if key not in self._cache:
            self._cache[key] = self.warehouse.periods(GVA_CLASSIFICATION, GVA_MEASURE, "LAD")
        return self._cache[key]

    def lad_gva_totals(self, period: str) -> pd.Series:
        """Each LAD's published GVA total less owner-occupiers' imputed rent (68IMP), the
        denominator of industry shares. Where 68IMP is suppressed it is estimated from the
        LAD's real-estate GVA and the UK ratio of imputed rent to real estate."""
        key = ("lad_totals", period)
        if key not in self._cache:
            totals = self.indicators.table(GVA_MEASURE)
            totals = totals[(totals["area_type"] == "LAD") & (totals["period"] == str(period))]
            total = totals.set_index("area_code")["value"]
            extra = self.warehouse.activity_matrix(GVA_CLASSIFICATION, GVA_MEASURE, "LAD",
                                                   str(period), ["68IMP", "L (68)"])
            extra = extra.reindex(total.index)
            ratio = extra["68IMP"].sum() / extra.loc[extra["68IMP"].notna(), "L (68)"].sum()
            imputed = extra["68IMP"].fillna(extra["L (68)"] * ratio)
            self._cache[key] = (total - imputed).rename("total_excl_imputed_rent")
        return self._cache[key]

    def place_matrix(self, places: list[Place], period: str, measure: str = GVA_MEASURE
                     ) -> pd.DataFrame:
        """GVA by industry summed over each place's member LADs (one row per place). A cell
        is NaN when any member's cell is suppressed, so no partial sum passes as a total.
        Constant-price GVA is summed over districts of one industry only (never across
        industries), which is how ONS builds its regional constant-price series."""
        lad = self.lad_gva_matrix(period, measure)
        return pd.DataFrame(_sum_members(lad.to_numpy(), lad.index, places),
                            index=[p.code for p in places], columns=lad.columns)

    def place_totals(self, places: list[Place], period: str) -> pd.Series:
        totals = self.lad_gva_totals(period)
        sums = _sum_members(totals.to_numpy()[:, None], totals.index, places)
        return pd.Series(sums[:, 0], index=[p.code for p in places])

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
        check_choice("method", method, UK_REFERENCES)
        key = ("uk_reference", str(period), method)
        if key not in self._cache:
            self._cache[key] = self._uk_reference(str(period), method)
        return self._cache[key]

    def _uk_reference(self, period: str, method: str) -> pd.Series:
        if method == "lad_sum":
            reference = self.lad_gva_matrix(period).sum(min_count=1)
            reference["__total__"] = self.lad_gva_totals(period).sum()
            return reference
        codes = [code for code, _ in LAD_INDUSTRY_PARTITION]
        parts = sorted({part for code in codes for part in UK_COMPONENTS.get(code, [code])})
        regions = self.warehouse.activity_matrix(GVA_CLASSIFICATION, GVA_MEASURE, "ITL1",
                                                 str(period), [*parts, "68IMP"])
        uk = regions.sum(min_count=len(regions))
        reference = pd.Series({code: uk[UK_COMPONENTS.get(code, [code])].sum(min_count=1)
                               for code in codes})
        total = self.indicators.table(GVA_MEASURE)
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
        """Shift-share of GVA (current prices) by industry, with the UK (all LADs) as nation;
        ``start`` must come before ``end``."""
        check_order(start, end)
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
            series = self.indicators.series(place, metric)
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


def _sum_members(values: np.ndarray, lads: pd.Index, places: list[Place]) -> np.ndarray:
    """Rows of ``values`` (one per LAD in ``lads``) summed over each place's members; a
    place's row is NaN where a member's cell is NaN, or throughout when a member is missing.

    Each sum runs along a contiguous axis, as pandas sums a column, so the figures equal
    ``reindex(members).sum(skipna=False)`` to the last bit; looking every member up at once
    makes the 361 districts' rows about 40 times faster than one reindex per place."""
    by_column = np.ascontiguousarray(values.T)
    members = [list(place.members) for place in places]
    sizes = [len(group) for group in members]
    where = lads.get_indexer([lad for group in members for lad in group])
    starts = np.cumsum(sizes, dtype=int) - sizes
    sums = np.empty((len(places), values.shape[1]))
    for row, (start, size) in enumerate(zip(starts, sizes, strict=True)):
        picked = where[start:start + size]
        sums[row] = np.nan if (picked < 0).any() else by_column[:, picked].sum(axis=1)
    return sums
