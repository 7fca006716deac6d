"""An HTML page with a map of all functional regions and their table (``regions build
--map``)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

import placelens
from placelens.report import charts
from placelens.report.tables import as_table, template_environment
from placelens.services.regions import LEVELS, FunctionalRegions


def write_regions_page(obs, found: FunctionalRegions, path: Path) -> Path:
    """Write the map and table of every functional region to ``path``."""
    html = template_environment().get_template("regions.html.j2").render(
        **regions_context(obs, found), ogl=placelens.OGL_ATTRIBUTION,
        os=placelens.OS_ATTRIBUTION.format(year=2023), version=placelens.__version__)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path


def regions_context(obs, found: FunctionalRegions) -> dict:
    """The map and table of every functional region (also shown by the web observatory).
    Regions built from MSOAs are mapped by district, each district coloured by the region
    holding most of its residents in work (the table says which districts they cut through)."""
    stats = found.stats
    region_of = found.district_regions()
    shapes = obs.warehouse.boundaries("LAD", list(region_of.index))
    colour = {code: number % 20 for number, code in enumerate(stats.sort_values(
        "residents_in_work", ascending=False).index)}
    features = [{"type": "Feature", "geometry": json.loads(row.geojson), "properties": {
        "name": obs.indicators.area_name(row.area_code),
        "region": stats.loc[region_of[row.area_code], "name"],
        "colour": colour[region_of[row.area_code]]}}
        for row in shapes.itertuples(index=False)]
    units = "districts" if found.level == "LAD" else "MSOAs (mapped by main region of each " \
        "district)"
    svg = charts.region_map(features, f"{len(stats)} functional regions from {units}, "
                            "England and Wales", obs.indicators.source_label(
                                LEVELS[found.level],
                                "ons_lad_2023_boundaries"))
    table = pd.DataFrame({
        "Region": stats["name"], "Units": stats["members"],
        "Commuting residents": stats["residents_in_work"].map(lambda v: f"{v:,.0f}"),
        "Supply-side": stats["supply_containment"].map(lambda v: f"{v:.1%}"),
        "Demand-side": stats["demand_containment"].map(lambda v: f"{v:.1%}"),
        "Valid": stats["valid"].map({True: "yes", False: "no"})}).sort_values("Region")
    return {"svg": svg, "table": table.pipe(as_table), "ari": f"{found.ari_vs_ttwa_2011:.2f}",
            "units": "districts" if found.level == "LAD" else
            "middle layer super output areas", "count": len(stats)}

