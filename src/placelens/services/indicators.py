"""Indicators of places: published values, values derived for places ONS does not publish
(sums of member districts, ratios of sums), and names of areas."""

from __future__ import annotations

import numpy as np
import pandas as pd

from placelens.analysis.aggregation import combination_rule
from placelens.errors import InvalidChoiceError, check_period
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

    def _rows_of(self, indicator: str, code: str) -> dict[str, np.ndarray] | None:
        """The indicator's published period, value and derived_from for one area, or None.
        Row positions by area and the three columns as arrays are taken once per indicator:
        a profile asks for a hundred series, and scanning (or slicing) the whole table for
        each was a tenth of its time."""
        key = ("by_area", indicator)
        if key not in self._cache:
            table = self.table(indicator)
            self._cache[key] = (table.groupby("area_code", sort=False).indices,
                                {c: table[c].to_numpy(dtype=object if c != "value" else float)
                                 for c in ("period", "value", "derived_from")})
        positions, columns = self._cache[key]
        rows = positions.get(code)
        return None if rows is None else {c: values[rows] for c, values in columns.items()}

    def series(self, place: Place, indicator: str) -> pd.DataFrame:
        """A place's series: published for its code where ONS publishes it, otherwise derived
        from its member LADs (sums of additive measures, ratios of sums). Columns: period,
        value, method ('published' or 'derived from N LADs')."""
        own = self._rows_of(indicator, place.code)
        if own is not None:
            method = ["published" if pd.isna(d) else f"derived from predecessors: {d}"
                      for d in own["derived_from"]]
            return pd.DataFrame({"period": own["period"], "value": own["value"],
                                 "method": method})
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
                             "method": f"derived ({combination_rule(True, len(place.members))})"})

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


    def catalogue(self) -> pd.DataFrame:
        """Every indicator in the warehouse: id, name, definition, unit, the geographies and
        periods it is published for, and its source's title, release and licence."""
        key = ("catalogue",)
        if key not in self._cache:
            meta = self.warehouse.table("indicators")
            coverage = self.warehouse.query(
                "SELECT indicator, string_agg(DISTINCT area_type, ', ' ORDER BY area_type) "
                "AS geographies, min(period) AS first_period, max(period) AS last_period, "
                "count(*) AS values FROM observations WHERE vintage <> 'pre-2023' "
                "GROUP BY indicator")
            sources = self.warehouse.table("sources")[["source_id", "title", "publisher",
                                                       "release", "licence", "url"]]
            table = meta.merge(coverage, on="indicator").merge(
                sources.rename(columns={"title": "source"}), on="source_id", how="left")
            self._cache[key] = table.rename(columns={"title": "name", "notes": "definition"}
                                            ).sort_values("indicator").reset_index(drop=True)
        return self._cache[key]

    def describe(self, indicator: str) -> dict:
        """One indicator's catalogue entry; unknown ids raise with the closest ids."""
        table = self.catalogue().set_index("indicator")
        if indicator not in table.index:
            from rapidfuzz import process

            close = [m for m, _, _ in process.extract(indicator, list(table.index), limit=3)]
            raise InvalidChoiceError(f"No indicator {indicator!r}. Did you mean: "
                                     f"{', '.join(close)}?")
        return {"indicator": indicator, **table.loc[indicator].to_dict()}

    def ranking(self, indicator: str, area_type: str, period: str | None = None
                ) -> pd.DataFrame:
        """Every area of ``area_type`` with a published value of ``indicator`` in ``period``
        (default: the latest with values), ranked from the highest (rank 1) down:
        area_code, name, period, value, rank."""
        self.describe(indicator)
        table = self.table(indicator)
        table = table[table["area_type"] == area_type]
        periods = sorted(table["period"].unique())
        if not periods:
            return pd.DataFrame(columns=["area_code", "name", "period", "value", "rank"])
        chosen = check_period("period", period, periods) if period else periods[-1]
        rows = table[(table["period"] == chosen)].dropna(subset=["value"])
        names = self.warehouse.table("areas").drop_duplicates("area_code").set_index(
            "area_code")["name"]
        out = pd.DataFrame({"area_code": rows["area_code"].to_numpy(),
                            "name": rows["area_code"].map(names).fillna(rows["area_code"])
                            .to_numpy(), "period": chosen, "value": rows["value"].to_numpy()})
        out["rank"] = out["value"].rank(ascending=False, method="min").astype(int)
        return out.sort_values(["rank", "name"]).reset_index(drop=True)

    def periods(self, indicator: str, area_type: str) -> list[str]:
        table = self.table(indicator)
        return sorted(table.loc[table["area_type"] == area_type, "period"].unique())
