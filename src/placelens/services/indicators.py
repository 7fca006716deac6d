"""Indicators of places: published values, values derived for places ONS does not publish
(sums of member districts, ratios of sums), and names of areas."""

from __future__ import annotations

import pandas as pd

from placelens.geography.places import Place
from placelens.services.base import Service

#: Ratios placelens can derive for places ONS does not publish them for: indicator →
#: (numerator, denominator, multiplier). Both parts are additive over member LADs.
DERIVED_RATIOS = {
    "gdhi_per_head_gbp": ("gdhi_total_gbp_m", "population", 1e6),
    "gva_per_job_gbp": ("gva_current_gbp_m", "filled_jobs", 1e6),
}
#: Population is published for ITL areas; for LAD-based places it is implied by GDHI.
POPULATION_FALLBACK = "population_gdhi_implied"


class IndicatorService(Service):
    """Published and derived indicator series for any place."""

    def table(self, indicator: str) -> pd.DataFrame:
        """All published values of one indicator (area_code, area_type, period, value)."""
        key = ("all", indicator)
        if key not in self._cache:
            frame = self.warehouse.observations(indicator)
            self._cache[key] = frame[frame["vintage"] != "pre-2023"]
        return self._cache[key]

    def series(self, place: Place, indicator: str) -> pd.DataFrame:
        """A place's series: published for its code where ONS publishes it, otherwise derived
        from its member LADs (sums of additive measures, ratios of sums). Columns: period,
        value, method ('published' or 'derived from N LADs')."""
        published = self.table(indicator)
        own = published[published["area_code"] == place.code]
        if len(own):
            derived = own["derived_from"]
            method = ("derived from predecessors: " + derived).where(derived.notna(),
                                                                       "published")
            return pd.DataFrame({"period": own["period"].to_numpy(),
                                 "value": own["value"].to_numpy(),
                                 "method": method.to_numpy()})
        if indicator == "population":
            series = self.series(place, POPULATION_FALLBACK) if place.is_lad else \
                self._member_sum(place, POPULATION_FALLBACK)
            return series.assign(method=series["method"] + ", implied by GDHI")
        if indicator in DERIVED_RATIOS:
            numerator, denominator, multiplier = DERIVED_RATIOS[indicator]
            top = self.series(place, numerator).set_index("period")["value"]
            bottom = self.series(place, denominator).set_index("period")["value"]
            ratio = (top * multiplier / bottom).dropna()
            return pd.DataFrame({"period": ratio.index, "value": ratio.to_numpy(),
                                 "method": "derived (ratio of sums)"})
        if self.is_additive(indicator) and not place.is_lad:
            return self._member_sum(place, indicator)
        return pd.DataFrame(columns=["period", "value", "method"])

    def is_additive(self, indicator: str) -> bool:
        meta = self.warehouse.table("indicators").set_index("indicator")
        return bool(indicator in meta.index and meta.loc[indicator, "additive"])

    def _member_sum(self, place: Place, indicator: str) -> pd.DataFrame:
        """Sum over member LADs, for periods where every member has a value."""
        published = self.table(indicator)
        rows = published[published["area_code"].isin(place.members)]
        grouped = rows.groupby("period")["value"].agg(["sum", "count"])
        complete = grouped[grouped["count"] == len(place.members)]
        return pd.DataFrame({"period": complete.index, "value": complete["sum"].to_numpy(),
                             "method": f"derived (sum of {len(place.members)} LADs)"})

    def latest(self, place: Place, indicator: str) -> tuple[str | None, float | None, str]:
        series = self.series(place, indicator).dropna(subset=["value"])
        if series.empty:
            return None, None, "not available"
        last = series.sort_values("period").iloc[-1]
        return str(last["period"]), float(last["value"]), str(last["method"])

    def area_name(self, code: str) -> str:
        areas = self.warehouse.table("areas")
        names = areas.loc[areas["area_code"] == code, "name"]
        return str(names.iloc[0]) if len(names) else code

    def source_label(self, *source_ids: str) -> str:
        """A short citation of warehouse sources for chart source lines, from the warehouse
        ``sources`` table (publisher, title up to its first colon, release), so labels
        follow the data when a source is refreshed."""
        key = ("sources",)
        if key not in self._cache:
            self._cache[key] = self.warehouse.table("sources").set_index("source_id")
        table = self._cache[key]
        labels = []
        for source_id in source_ids:
            if source_id not in table.index:
                raise KeyError(f"source {source_id!r} is not in the warehouse")
            row = table.loc[source_id]
            publisher = str(row["publisher"])
            short = "ONS" if publisher.startswith("Office for National Statistics") else \
                publisher.split(" (")[0].split(",")[0]
            labels.append(f"{short}, {str(row['title']).split(':')[0]} ({row['release']})")
        return "; ".join(labels)

