"""Economic complexity, clusters, growth opportunities and their back-test for places."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from placelens.analysis import clusters as cl
from placelens.analysis.backtest import BacktestResult, backtest
from placelens.analysis.complexity import ComplexityResult, complexity
from placelens.analysis.opportunities import BACKTESTED, best_ranking, opportunities
from placelens.analysis.projection import project
from placelens.errors import check_order
from placelens.geography.places import Place
from placelens.results import plain, records
from placelens.services.base import Service
from placelens.services.economy import EconomyService
from placelens.services.indicators import IndicatorService
from placelens.warehouse.matrices import MATRICES, load_matrix

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

    def tidy(self) -> pd.DataFrame:
        return self.table.copy()

    def to_dict(self) -> dict:
        return {"ranking": self.ranking, "ranking_from_backtest": self.ranking_from_backtest,
                "tradable_only": self.tradable_only, "summary": self.summary(),
                "backtest": {name: {"auc": plain(value), "ci_low": plain(low),
                                    "ci_high": plain(high)}
                             for name, (value, (low, high)) in self.backtest.scores.items()},
                "activities": records(self.table, "activity")}

    def summary(self) -> str:
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


@dataclass(frozen=True)
class PlaceComplexity:
    """A place's ECI and rank among districts (None when withheld because most of its
    industries are suppressed), how many industries are suppressed, and how ECI was
    oriented."""

    code: str
    eci: float | None
    rank: int | None
    of: int
    orientation: str
    suppressed: int
    industries: int
    withheld: bool

    def tidy(self) -> pd.DataFrame:
        return pd.DataFrame([self.to_dict()]).set_index("code")

    def summary(self) -> str:
        if self.withheld:
            return (f"ECI withheld: {self.suppressed} of {self.industries} industries are "
                    "suppressed.")
        return f"ECI {self.eci:+.2f}, rank {self.rank} of {self.of} districts."

    def to_dict(self) -> dict:
        return {key: plain(value) for key, value in vars(self).items()}


class ComplexityService(Service):
    """Complexity of warehouse matrices, a place's ECI, clusters and opportunities."""

    stored_results = ("complexity", "clusters", "opportunity_backtest")

    def __init__(self, indicators: IndicatorService, economy: EconomyService):
        super().__init__(indicators.warehouse, indicators.places)
        self.indicators, self.economy = indicators, economy

    def matrix(self, name: str, period: str) -> pd.DataFrame:
        """An area × activity matrix of the warehouse (:mod:`placelens.warehouse.matrices`),
        read once per process."""
        key = ("matrix", name, str(period))
        if key not in self._cache:
            self._cache[key] = load_matrix(self.warehouse, name, str(period),
                                           clip_negative=name in GVA_MATRICES)
        return self._cache[key]

    def productivity_for(self, area_codes: pd.Index, period: str) -> pd.Series:
        """GVA per hour worked for the areas of a matrix (LAD, ITL3, or NUTS2 through the
        matching ITL2 code), from the latest year up to ``period``."""
        table = self.indicators.table("gva_per_hour_gbp")
        keys = pd.Series(area_codes, index=area_codes).str.replace(r"^UK", "TL", regex=True)
        table = table[table["area_code"].isin(set(keys))]
        years = sorted(table["period"].unique())
        usable = [y for y in years if y <= str(period)] or years[:1]
        if not usable:
            return pd.Series(dtype="float64", name="GVA per hour worked")
        values = table[table["period"] == usable[-1]].set_index("area_code")["value"]
        return pd.Series(keys.map(values).to_numpy(), index=area_codes,
                         name=f"GVA per hour worked ({usable[-1]})")

    def compute(self, matrix: str = "lad-gva", period: str | None = None,
                   orient: str = "productivity") -> ComplexityResult:
        """Complexity of a named warehouse matrix for one period. ``orient``: 'productivity'
        (default for UK places: ECI correlates positively with GVA per hour) or 'diversity'
        (the country convention); the result's ``orientation`` says which was used."""
        if orient not in ORIENTATIONS:
            raise ValueError(f"orient must be one of {ORIENTATIONS}, not {orient!r}")
        period = str(period or self.latest_period(matrix))
        key = ("complexity", matrix, period, orient)
        if key not in self._cache:
            x = self.matrix(matrix, period)
            orient_by = "diversity"
            if orient == "productivity":
                productivity = self.productivity_for(x.index, period)
                if productivity.notna().sum() >= 3:
                    orient_by = productivity
            self._cache[key] = complexity(x, orient_by=orient_by)
        return self._cache[key]

    def latest_period(self, matrix: str) -> str:
        spec_ = MATRICES[matrix]
        return self.warehouse.periods(spec_.classification, spec_.measure, spec_.area_type)[-1]

    def place_complexity(self, place: Place, period: str | None = None,
                         max_suppressed_share: float = 0.5) -> PlaceComplexity:
        """The place's ECI on the LAD × industry GVA matrix and its rank among districts
        (places made of several districts are projected onto the district ranking), with how
        many of its industries are suppressed. Suppressed cells count as absent activities,
        so where more than ``max_suppressed_share`` of industries are suppressed the ECI
        describes the publication gaps rather than the economy: it is withheld (``eci`` and
        ``rank`` None, ``withheld`` True; see :class:`PlaceComplexity`)."""
        period = period or self.economy.gva_periods()[-1]
        result = self.compute("lad-gva", period)
        row = self.economy.place_matrix([place], period)
        suppressed = int(row.iloc[0].isna().sum())
        withheld = suppressed > max_suppressed_share * row.shape[1]
        eci = rank = None
        if not withheld:
            if place.is_lad and place.code in result.eci.index:
                eci = float(result.eci[place.code])
            else:
                projected = project(result, row.fillna(0.0).clip(lower=0))
                eci = float(projected.scores["eci"].iloc[0])
            rank = int((result.eci > eci).sum()) + 1
        return PlaceComplexity(place.code, eci, rank, len(result.eci), result.orientation,
                               suppressed, row.shape[1], withheld)

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
        if key not in self._cache:
            segments = self.segment_names()
            jobs = self.matrix(CLUSTER_MATRIX, period)
            units = load_matrix(self.warehouse, "nuts2-sic4-units", period)
            self._cache[key] = cl.strong_clusters(cl.to_clusters(jobs, segments),
                                                         cl.to_clusters(units, segments))
        return self._cache[key]

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
        if key not in self._cache:
            start = str(int(period) - 3)
            self._cache[key] = self.backtest(CLUSTER_MATRIX, [(start, str(period))])
        return self._cache[key]

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
        result = self.compute(CLUSTER_MATRIX, period)
        table = opportunities(result, region, self.sic_names(), by=chosen, top=top,
                              label=self.indicators.area_name(region),
                              exclude=local if tradable_only else frozenset())
        table.insert(1, "cluster", table.index.map(
            lambda a: cl.segment_label(segments[a]) if a in segments else ""))
        return Opportunities(table, chosen, by is None, backtest_result, tradable_only)

    def backtest(self, matrix: str, windows: list[tuple[str, str]], draws: int = 1000,
                 seed: int = 0) -> BacktestResult:
        """AUC of each predictor for gaining RCA ≥ 1 over each (start, end) window."""
        for start, end in windows:
            check_order(start, end)
        periods = sorted({p for window in windows for p in window})
        panel = {p: self.matrix(matrix, p) for p in periods}
        return backtest(panel, windows, draws=draws, seed=seed)
