"""The canonical tidy tables every source module returns, ready for the warehouse.

Column contracts (the warehouse creates its tables from these):

* ``areas``: area_code, area_type, vintage, name, name_welsh
* ``hierarchy``: child_code, child_type, parent_code, parent_type, vintage, primary_parent
* ``code_changes``: old_code, new_code, area_type, year
* ``indicators``: indicator, title, unit, additive, polarity, source_id, notes
* ``observations``: area_code, area_type, vintage, indicator, period, value, source_id
* ``activity``: area_code, area_type, vintage, classification, activity_code, period, measure,
  value, source_id   (value NaN = suppressed/absent in the published table)
* ``activity_codes``: classification, activity_code, name, parent_code, level
* ``boundaries``: area_code, area_type, vintage, geojson (one Feature geometry as JSON text)
* ``flows``: origin_code, destination_code, area_type, vintage, period, measure, value,
  source_id (origin–destination counts, e.g. commuting)
* ``rd_projects``: project_id, grant_reference, title, funder, start_date, end_date, value_gbp,
  lead_org_id, source_id (funded R&D projects)
* ``rd_participants``: project_id, org_id, roles (pipe-separated), is_lead, source_id
* ``rd_organisations``: org_id, name, postcode, region, country, area_code, area_type, vintage,
  match_method, source_id (area_code NULL when the organisation could not be placed;
  match_method says how it was placed or why not)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from placelens.sources.provenance import SourceInfo

TABLE_COLUMNS: dict[str, list[str]] = {
    "areas": ["area_code", "area_type", "vintage", "name", "name_welsh"],
    "hierarchy": ["child_code", "child_type", "parent_code", "parent_type", "vintage",
                  "primary_parent"],
    "code_changes": ["old_code", "new_code", "area_type", "year"],
    "indicators": ["indicator", "title", "unit", "additive", "polarity", "source_id", "notes"],
    "observations": ["area_code", "area_type", "vintage", "indicator", "period", "value",
                     "source_id"],
    "activity": ["area_code", "area_type", "vintage", "classification", "activity_code", "period",
                 "measure", "value", "source_id"],
    "activity_codes": ["classification", "activity_code", "name", "parent_code", "level"],
    "boundaries": ["area_code", "area_type", "vintage", "geojson"],
    "flows": ["origin_code", "destination_code", "area_type", "vintage", "period", "measure",
              "value", "source_id"],
    "rd_projects": ["project_id", "grant_reference", "title", "funder", "start_date",
                    "end_date", "value_gbp", "lead_org_id", "source_id"],
    "rd_participants": ["project_id", "org_id", "roles", "is_lead", "source_id"],
    "rd_organisations": ["org_id", "name", "postcode", "region", "country", "area_code",
                         "area_type", "vintage", "match_method", "source_id"],
}


@dataclass
class SourceTables:
    """Fragments of the canonical tables produced by one source, with its provenance."""

    info: list[SourceInfo]
    tables: dict[str, list[pd.DataFrame]] = field(default_factory=dict)

    def add(self, name: str, frame: pd.DataFrame) -> None:
        """Append a fragment, checking it has exactly the contracted columns."""
        expected = TABLE_COLUMNS[name]
        missing = [c for c in expected if c not in frame.columns]
        if missing:
            raise ValueError(f"{name} fragment lacks columns {missing}")
        self.tables.setdefault(name, []).append(frame[expected].reset_index(drop=True))


def indicator_rows(source_id: str, rows: list[tuple]) -> pd.DataFrame:
    """Indicator metadata from (indicator, title, unit, additive, polarity, notes) tuples."""
    frame = pd.DataFrame(rows, columns=["indicator", "title", "unit", "additive", "polarity",
                                        "notes"])
    frame["source_id"] = source_id
    return frame
