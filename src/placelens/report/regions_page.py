"""An HTML page with a map of all functional regions and their table (``regions build
--map``)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

import placelens
from placelens.report import charts
from placelens.report.tables import as_table, template_environment
from placelens.services.regions import FunctionalRegions


def write_regions_page(obs, found: FunctionalRegions, path: Path) -> Path:
    """Write the map and table of every functional region to ``path``."""
    regions, stats = found.districts, found.stats
    shapes = obs.warehouse.boundaries("LAD", list(regions.index))
    colour = {code: number % 20 for number, code in enumerate(stats.sort_values(
        "residents_in_work", ascending=False).index)}
    features = [{"type": "Feature", "geometry": json.loads(row.geojson), "properties": {
        "name": regions.loc[row.area_code, "name"],
        "region": stats.loc[regions.loc[row.area_code, "region"], "name"],
        "colour": colour[regions.loc[row.area_code, "region"]]}}
        for row in shapes.itertuples(index=False)]
    svg = charts.region_map(features, f"{len(stats)} functional regions, England and Wales",
                            obs.indicators.source_label("census2021_odwp01ew_ltla",
                                                        "ons_lad_2023_boundaries"))
    table = pd.DataFrame({
        "Region": stats["name"], "Districts": stats["members"],
        "Commuting residents": stats["residents_in_work"].map(lambda v: f"{v:,.0f}"),
        "Supply-side": stats["supply_containment"].map(lambda v: f"{v:.1%}"),
        "Demand-side": stats["demand_containment"].map(lambda v: f"{v:.1%}"),
        "Valid": stats["valid"].map({True: "yes", False: "no"})}).sort_values("Region")
    html = template_environment().get_template("regions.html.j2").render(
        svg=svg, table=table.pipe(as_table), ogl=placelens.OGL_ATTRIBUTION,
        os=placelens.OS_ATTRIBUTION.format(year=2023), version=placelens.__version__,
        ari=f"{found.ari_vs_ttwa_2011:.2f}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path

