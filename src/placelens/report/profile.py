"""Assemble a place profile (numbers, tables, charts) and render it to HTML and PDF."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

import placelens
from placelens.api import Observatory
from placelens.errors import check_choice
from placelens.geography.places import Place
from placelens.report import (
    benchmark_sections,
    brief,
    charts,
    complexity_section,
    network_sections,
)
from placelens.report.files import CHART_SCRIPTS, copy_chart_scripts, profile_stem, write_pdf
from placelens.report.tables import as_table, fmt, template_environment

HEADLINE = [  # indicator, label, unit, decimals
    ("gva_per_hour_gbp", "GVA per hour worked (smoothed)", "£", 1),
    ("gva_per_job_gbp", "GVA per filled job", "£", 0),
    ("filled_jobs", "Filled jobs", "jobs", 0),
    ("gva_current_gbp_m", "GVA, current prices", "£m", 0),
    ("population", "Population", "people", 0),
    ("gdhi_per_head_gbp", "Gross disposable household income per head", "£", 0),
]
INNOVATION = [  # Nesta/BEIS indicators at NUTS2 shown in the profile
    ("nesta_gbp_research_income", "University research income", "£"),
    ("nesta_total_gtr_projects_all_disciplines", "Research council projects (GtR)",
     "projects"),
    ("nesta_gbp_innovate_uk_funding", "Innovate UK funding", "£"),
    ("nesta_eurostat_berd_data", "Business enterprise R&D (BERD, Eurostat)", "€"),
    ("nesta_epo_patent_applications", "EPO patent applications", "as published"),
    ("nesta_aps_econ_active_stem_density_data", "STEM occupations, share of economically "
     "active", "%"),
]
SHIFT_SHARE_YEARS = 10
MAP_TABLE_ROWS = 45  # longer map tables are wrapped into three column groups
MIN_SHARE_FOR_LQ = 0.01


@dataclass
class Profile:
    place: Place
    context: dict
    sources: list[str] = field(default_factory=list)


class ProfileBuilder:
    """Builds profiles from one :class:`Observatory`, caching what all profiles share."""

    def __init__(self, observatory: Observatory):
        self.obs = observatory
        self.period = self.obs.economy.gva_periods()[-1]
        self._lad_structure: pd.DataFrame | None = None
        self.env = template_environment()

    # ---- sections -----------------------------------------------------------------
    def comparators(self, place: Place) -> list[Place]:
        codes = [place.parents.get("ITL1"), place.parents.get("CTRY"), "K02000001"]
        out: list[Place] = []
        seen = {place.code}
        for code in filter(None, codes):
            other = self.obs.places.places.get(code)
            if other and code not in seen and set(other.members) != set(place.members):
                out.append(other)  # a parent covering the same districts compares nothing
                seen.add(code)
        return [out[0], out[-1]] if len(out) > 2 else out

    def headline(self, place: Place, comparators: list[Place]) -> list[dict]:
        rows = []
        for indicator, label, unit, decimals in HEADLINE:
            period, value, method = self.obs.indicators.latest(place, indicator)
            others: list[str] = []
            row = {"label": label, "unit": unit, "period": period or "–",
                   "value": fmt(value, decimals, unit), "method": method, "others": others}
            for other in comparators:
                series = self.obs.indicators.series(other, indicator)
                match = series[series["period"] == period] if period else series.iloc[0:0]
                other_value = float(match["value"].iloc[0]) if len(match) else None
                others.append(fmt(other_value, decimals, unit))
            rows.append(row)
        return rows

    def trend(self, place: Place, comparators: list[Place]) -> dict | None:
        for indicator, label, unit in (("gva_per_hour_gbp", "GVA per hour worked", "£"),
                                       ("gva_per_job_gbp", "GVA per filled job", "£")):
            frames = []
            for series_place in [place, *comparators]:
                series = self.obs.indicators.series(series_place, indicator).dropna()
                frames.append(series.assign(series=series_place.name))
            if not frames[0].empty:
                data = pd.concat(frames, ignore_index=True)
                svg = charts.trend_chart(
                    data, f"{label}, {place.name} compared", f"{label} ({unit}, current "
                    "prices)", self.obs.indicators.source_label(
                        "ons_subregional_productivity_2024"))
                table = data.pivot_table(index="period", columns="series", values="value",
                                         sort=True)[[p.name for p in [place, *comparators]
                                                     if p.name in set(data["series"])]]
                table = table.round(1).reset_index().rename(columns={"period": "Year"})
                return {"svg": svg, "table": table.pipe(as_table),
                        "method": frames[0]["method"].iloc[-1]}
        return None

    def innovation(self, place: Place) -> dict:
        nuts2 = place.parents.get("NUTS2")
        if not nuts2:
            return {"available": False, "reason": "The place spans more than one NUTS2 region, "
                    "and these indicators are only published for NUTS2/NUTS3 regions."}
        rows = []
        for indicator, label, unit in INNOVATION:
            table = self.obs.indicators.table(indicator)
            table = table[table["area_type"] == "NUTS2"]
            own = table[table["area_code"] == nuts2]
            if own.empty:
                continue
            period = own["period"].max()
            value = float(own.loc[own["period"] == period, "value"].iloc[0])
            same_year = table[table["period"] == period]
            rank = int((same_year["value"] > value).sum()) + 1
            rows.append({"label": label, "period": period, "value": fmt(value, 0 if
                         abs(value) > 100 else 2), "unit": unit,
                         "median": fmt(float(same_year["value"].median()),
                                        0 if abs(value) > 100 else 2),
                         "rank": f"{rank} of {len(same_year)}"})
        areas = self.obs.warehouse.table("areas")
        names = areas.loc[areas["area_code"] == nuts2, "name"]
        region = f"{names.iloc[0] if len(names) else nuts2} ({nuts2}, NUTS 2016)"
        return {"available": bool(rows), "rows": rows, "region": region,
                "berd": self.business_rd(place),
                "reason": "No R&D indicators are published for this region."}

    def business_rd(self, place: Place) -> dict | None:
        """ONS BERD for the place's ITL1 region: latest year, share of the UK, rank among the
        12 regions, and the revision of the previous year since the last release."""
        itl1 = place.parents.get("ITL1") or (place.code if place.area_type == "ITL1" else None)
        if itl1 is None:
            return None
        table = self.obs.indicators.table("ons_berd_gbp_m")
        regions = table[table["area_type"] == "ITL1"]
        own = regions[regions["area_code"] == itl1].sort_values("period")
        if own.empty:
            return None
        latest = own.iloc[-1]
        year = regions[regions["period"] == latest["period"]]
        previous = self.obs.indicators.table("ons_berd_gbp_m_dec2024")
        earlier_year = own.iloc[-2] if len(own) > 1 else None
        revised = None
        if earlier_year is not None:
            old = previous[(previous["area_code"] == itl1)
                           & (previous["period"] == earlier_year["period"])]
            if len(old):
                revised = {"period": earlier_year["period"], "was": fmt(old["value"].iloc[0]),
                           "now": fmt(earlier_year["value"])}
        return {"region": self.obs.indicators.area_name(itl1), "period": latest["period"],
                "value": fmt(latest["value"]),
                "share": f"{latest['value'] / year['value'].sum():.1%}",
                "rank": f"{int((year['value'] > latest['value']).sum()) + 1} of {len(year)}",
                "revised": revised}

    def specialisations(self, place: Place) -> dict:
        lq = self.obs.economy.location_quotients(place, self.period)
        suppressed = int(lq["gva_gbp_m"].isna().sum())
        shown = lq[(lq["share"] >= MIN_SHARE_FOR_LQ)].dropna(subset=["lq"]).head(10)
        svg = charts.bar_chart(
            shown.assign(label=shown["industry"].str.slice(0, 45)), "label", "lq",
            f"Top industries by location quotient, {place.name}, {self.period}",
            "Location quotient (UK = 1)",
            self.obs.indicators.source_label("ons_rgva_lad_2025"), reference=1.0)
        table = pd.DataFrame({
            "Industry": shown["industry"], "Code": shown.index,
            "GVA £m": shown["gva_gbp_m"].map(lambda v: fmt(v)),
            "Share of place": (shown["share"] * 100).map(lambda v: f"{v:.1f}%"),
            "Share of UK": (shown["uk_share"] * 100).map(lambda v: f"{v:.1f}%"),
            "LQ": shown["lq"].map(lambda v: f"{v:.2f}")})
        business = self.obs.economy.business_structure(place)
        business = business[business["share"] >= MIN_SHARE_FOR_LQ].head(8)
        return {"svg": svg, "table": table.pipe(as_table), "suppressed": suppressed,
                "industries": len(lq), "period": self.period,
                "structure": self.structure(place),
                "business": pd.DataFrame({
                    "Broad industry": business["industry"],
                    "Local units": business["local_units"].map(fmt),
                    "Share of place": (business["share"] * 100).map(lambda v: f"{v:.1f}%"),
                    "Share of UK": (business["uk_share"] * 100).map(lambda v: f"{v:.1f}%"),
                    "LQ": business["lq"].map(lambda v: f"{v:.2f}")}).pipe(as_table)}

    def structure(self, place: Place) -> list[dict]:
        if self._lad_structure is None:
            self._lad_structure = self.obs.economy.structure(self.obs.places.of_type("LAD"),
                                                             self.period)
        own = self.obs.economy.structure([place], self.period).iloc[0]
        labels = [("krugman", "Krugman dissimilarity (0 = UK structure, max 2)", 3),
                  ("hachman", "Hachman index (1 = UK structure)", 3),
                  ("shannon", "Shannon diversity (nats)", 3),
                  ("related_variety", "Related variety (bits, within sections)", 3),
                  ("unrelated_variety", "Unrelated variety (bits, between sections)", 3),
                  ("specialisations", "Industries with LQ ≥ 1", 0)]
        rows = []
        for key, label, decimals in labels:
            value = own[key]
            spread = self._lad_structure[key].dropna()
            percentile = "–" if pd.isna(value) else f"{(spread < value).mean() * 100:.0f}"
            rows.append({"label": label, "value": fmt(float(value), decimals),
                         "percentile": percentile})
        return rows

    def shift_share(self, place: Place) -> dict:
        periods = self.obs.economy.gva_periods()
        end = self.period
        start = str(int(end) - SHIFT_SHARE_YEARS)
        if start not in periods:
            start = periods[0]
        parts = self.obs.economy.shift_share(place, start, end).dropna(subset=["local"])
        totals = parts[["start", "end", "change", "national", "industry_mix", "local"]].sum()
        movers = pd.concat([parts.head(5), parts.tail(5)]).drop_duplicates()
        svg = charts.bar_chart(
            movers.assign(label=movers["industry"].str.slice(0, 45)), "label", "local",
            f"Local (competitive) component of GVA change {start}–{end}, {place.name}",
            "£m, current prices", self.obs.indicators.source_label("ons_rgva_lad_2025"),
            reference=0.0, diverging=True)
        table = pd.DataFrame({
            "Industry": movers["industry"], f"GVA {start} £m": movers["start"].map(fmt),
            f"GVA {end} £m": movers["end"].map(fmt), "Change": movers["change"].map(fmt),
            "National": movers["national"].map(fmt),
            "Industry mix": movers["industry_mix"].map(fmt),
            "Local": movers["local"].map(fmt)})
        return {"svg": svg, "table": table.pipe(as_table), "start": start, "end": end,
                "totals": {k: fmt(float(v)) for k, v in totals.items()},
                "industries": len(parts)}

    def map(self, place: Place) -> dict:
        region_code = place.parents.get("ITL1") or (place.code if place.area_type in (
            "ITL1", "CTRY", "UK") else None)
        region = self.obs.places.places.get(region_code) if region_code else None
        lads = list(region.members) if region else list(place.members)
        lads = sorted(set(lads) | set(place.members))
        values = self.obs.indicators.table("gva_per_hour_gbp")
        values = values[(values["area_type"] == "LAD") & values["area_code"].isin(lads)]
        latest = values[values["period"] == values["period"].max()].set_index("area_code")
        shapes = self.obs.warehouse.boundaries("LAD", lads)
        names = {p.code: p.name for p in (self.obs.places.get(c) for c in lads
                                           if c in self.obs.places.places)}
        features = [{"type": "Feature", "geometry": json.loads(row.geojson),
                     "properties": {"code": row.area_code, "name": names.get(row.area_code),
                                    "value": _none_if_nan(latest["value"].get(row.area_code))}}
                    for row in shapes.itertuples(index=False)]
        period = values["period"].max()
        svg = charts.choropleth(
            features, f"GVA per hour worked, {period}: {place.name} "
            f"{'outlined ' if len(lads) > len(place.members) else ''}"
            f"in {region.name if region else 'its area'}", "£ per hour",
            self.obs.indicators.source_label("ons_subregional_productivity_2024",
                                             "ons_lad_2023_boundaries"),
            set(place.members) if len(lads) > len(place.members) else set())
        table = pd.DataFrame({"Area": [names.get(c, c) for c in latest.index],
                              "Code": latest.index,
                              "£ per hour": latest["value"].round(1).to_numpy()}
                             ).sort_values("£ per hour", ascending=False)
        table["In place"] = table["Code"].isin(place.members).map({True: "yes", False: ""})
        if len(lads) == len(place.members):
            table = table.drop(columns="In place")
        if len(table) > MAP_TABLE_ROWS:
            table = _wrap_columns(table.reset_index(drop=True).assign(
                Area=table["Area"] + " (" + table["Code"] + ")")[["Area", "£ per hour"]], 3)
        return {"svg": svg, "table": table.pipe(as_table), "rows": len(latest),
                "wide": len(lads) > MAP_TABLE_ROWS, "period": period}

    def functional_region(self, place: Place) -> dict:
        """The functional region(s) of the place's districts (TTWA method, Census 2021
        commuters), how self-contained they are, and a map of the region's districts."""
        try:
            members = self.obs.regions.region_of(place)
        except ValueError as error:
            return {"available": False, "reason": str(error)}
        found = self.obs.regions.functional_regions()
        regions, stats = found.units, found.stats
        mine = stats.loc[members["region"].unique()]
        summary = pd.DataFrame({
            "Region": mine["name"], "Districts": mine["members"],
            "Commuting residents": mine["residents_in_work"].map(fmt),
            "Supply-side self-containment": mine["supply_containment"].map(
                lambda v: f"{v:.1%}"),
            "Demand-side self-containment": mine["demand_containment"].map(
                lambda v: f"{v:.1%}"),
            "Meets the criteria": mine["valid"].map({True: "yes", False: "no"})})
        districts = pd.DataFrame({
            "District": members["name"], "Region": members["region_name"],
            "Commuting kept in the region": members["share_within_region"].map(
                lambda v: f"{v:.1%}"),
            "Kept in its combined authority / city region": members[
                "share_within_authority"].map(lambda v: "–" if pd.isna(v) else f"{v:.1%}")})
        area = regions[regions["region"].isin(mine.index)]
        shapes = self.obs.warehouse.boundaries("LAD", list(area.index))
        features = [{"type": "Feature", "geometry": json.loads(row.geojson),
                     "properties": {"code": row.area_code, "name": area.loc[row.area_code,
                                                                              "name"],
                                    "value": float(area.loc[row.area_code,
                                                            "share_within_region"])}}
                    for row in shapes.itertuples(index=False)]
        svg = charts.choropleth(
            features, f"Functional region of {place.name}: share of each district's "
            "commuting kept in the region", "share of commuting",
            self.obs.indicators.source_label("census2021_odwp01ew_ltla",
                                             "ons_lad_2023_boundaries"), set(place.members)
            if len(area) > len(place.members) else set(), value_format=".0%")
        return {"available": True, "summary": summary.pipe(as_table),
                "districts": districts.pipe(as_table), "svg": svg,
                "ari": f"{found.ari_vs_ttwa_2011:.2f}",
                "count": len(stats)}

    def sources(self) -> list[dict]:
        """Every source of the warehouse the profile was built from, with its release,
        licence and code vintage (from the warehouse, so a refreshed source shows its new
        release)."""
        return self.obs.warehouse.table("sources").to_dict("records")

    # ---- whole profile ------------------------------------------------------------
    def build(self, place: Place) -> Profile:
        comparators = self.comparators(place)
        info = self.obs.warehouse.table("build_info").iloc[0].to_dict()
        context = {
            "place": place, "comparators": comparators,
            "headline": self.headline(place, comparators), "trend": self.trend(place,
                                                                                comparators),
            "innovation": self.innovation(place), "specialisation": self.specialisations(place),
            "shift_share": self.shift_share(place), "map": self.map(place),
            "complexity": complexity_section.complexity(self.obs, place, self.period),
            "benchmarking": benchmark_sections.benchmarking(self.obs, place),
            "region": self.functional_region(place),
            "network": network_sections.collaboration(self.obs, place),
            "leadership": network_sections.leadership(self.obs, place),
            "journey": network_sections.journey(place),
            "sources": self.sources(), "ogl": placelens.OGL_ATTRIBUTION,
            "os": placelens.OS_ATTRIBUTION.format(year=2023), "build": info,
            "version": placelens.__version__, "today": date.today().isoformat(),
            "members": [self.obs.places.get(c) for c in place.members
                        if c in self.obs.places.places],
        }
        return Profile(place, context)

    def render_html(self, profile: Profile, charts_mode: str = "svg") -> str:
        """The full profile as one HTML page, its charts drawn as ``charts_mode`` says
        (:data:`placelens.report.charts.CHART_MODES`)."""
        return self.env.get_template("profile.html.j2").render(
            **profile.context, chart_mode=charts_mode, chart_scripts=CHART_SCRIPTS)

    def render_brief(self, profile: Profile) -> str:
        """The board brief (key messages first, at most four pages) of a built profile."""
        context = brief.brief_context(self.obs, profile.place, profile.context, self.period)
        return self.env.get_template("brief.html.j2").render(**context)

    def write(self, place: Place, out_dir: Path, pdf: bool = True,
              charts_mode: str = "svg") -> dict[str, Path]:
        """The full profile as HTML and, with ``pdf``, the board brief and the full profile
        (its annex) as tagged PDFs (PDF/UA-1: headings, tables and reading order for screen
        readers). With ``charts_mode`` "browser" the HTML page draws its charts from their
        specs (scripts copied to ``out_dir/assets``) and no SVG is rendered for it; PDFs
        always carry SVG."""
        check_choice("charts", charts_mode, charts.CHART_MODES)
        out_dir.mkdir(parents=True, exist_ok=True)
        if charts_mode == "browser":
            copy_chart_scripts(out_dir)
        profile = self.build(place)
        html = self.render_html(profile, charts_mode)
        stem = profile_stem(place)
        paths = {"html": out_dir / f"{stem}.html"}
        paths["html"].write_text(html, encoding="utf-8")
        if pdf:
            printed = html if charts_mode == "svg" else self.render_html(profile)
            paths["pdf"] = write_pdf(printed, out_dir / f"{stem}.pdf", out_dir)
            paths["brief"] = write_pdf(self.render_brief(profile),
                                       out_dir / f"{stem}_brief.pdf", out_dir)
        return paths


def _wrap_columns(table: pd.DataFrame, parts: int) -> pd.DataFrame:
    """Lay a long ranked table out as ``parts`` column groups, read across then down (1, 2, 3
    on the first row), so a 361-row table stays in rank order on every printed page."""
    padded = table.astype(object).reindex(range(-(-len(table) // parts) * parts)).fillna("")
    groups = [padded.iloc[number::parts].reset_index(drop=True).set_axis(
        [f"{c} ({number + 1})" for c in table.columns], axis=1) for number in range(parts)]
    return pd.concat(groups, axis=1)


def _none_if_nan(value):
    return None if value is None or pd.isna(value) else float(value)
