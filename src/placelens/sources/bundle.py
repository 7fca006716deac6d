"""The canonical tidy tables every source module returns, ready for the warehouse.

Column contracts (the warehouse creates its tables from these):

* ``areas``: area_code, area_type, vintage, name, name_welsh
* ``hierarchy``: child_code, child_type, parent_code, parent_type, vintage, primary_parent
* ``code_changes``: old_code, new_code, area_type, year, date (the old area's last day or the
  change's start, ISO), population_2020 (of the old area: the weight for combining ratios)
* ``indicators``: indicator, title, unit, additive, polarity, source_id, notes
* ``observations``: area_code, area_type, vintage, indicator, period, value, source_id,
  derived_from (empty for published values; for values combined from predecessor areas,
  how: see :mod:`placelens.warehouse.successors`)
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
* ``postcodes``: key (compact postcode ``B11AY``, sector ``B1 1`` or outcode ``B1``), kind,
  lad_code (the district of the lookup's vintage), source_id
* ``neighbours``: area_code, neighbour_code, kind ("shares a boundary" or "nearby"), rank
  (within kind), source_id: published geographic neighbours of districts
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from placelens.sources.provenance import SourceInfo

TABLE_COLUMNS: dict[str, list[str]] = {
    "areas": ["area_code", "area_type", "vintage", "name", "name_welsh"],
    "hierarchy": ["child_code", "child_type", "parent_code", "parent_type", "vintage",
                  "primary_parent"],
    "code_changes": ["old_code", "new_code", "area_type", "year", "date", "population_2020"],
    "indicators": ["indicator", "title", "unit", "additive", "polarity", "source_id", "notes"],
    "observations": ["area_code", "area_type", "vintage", "indicator", "period", "value",
                     "source_id", "derived_from"],
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
    "postcodes": ["key", "kind", "lad_code", "source_id"],
    "neighbours": ["area_code", "neighbour_code", "kind", "rank", "source_id"],
}


#: Columns a fragment may leave out (they are then empty): only derived steps fill them.
OPTIONAL_COLUMNS: dict[str, set[str]] = {"observations": {"derived_from"},
                                         "code_changes": {"date", "population_2020"}}


@dataclass
class SourceTables:
    """Fragments of the canonical tables produced by one source, with its provenance."""

    info: list[SourceInfo]
    tables: dict[str, list[pd.DataFrame]] = field(default_factory=dict)

    def add(self, name: str, frame: pd.DataFrame) -> None:
        """Append a fragment, checking it has exactly the contracted columns."""
        expected = TABLE_COLUMNS[name]
        optional = OPTIONAL_COLUMNS.get(name, set())
        missing = [c for c in expected if c not in frame.columns and c not in optional]
        if missing:
            raise ValueError(f"{name} fragment lacks columns {missing}")
        frame = frame.reindex(columns=expected)
        self.tables.setdefault(name, []).append(frame.reset_index(drop=True))


def indicator_rows(source_id: str, rows: list[tuple]) -> pd.DataFrame:
    """Indicator metadata from (indicator, title, unit, additive, polarity, notes) tuples."""
    frame = pd.DataFrame(rows, columns=["indicator", "title", "unit", "additive", "polarity",
                                        "notes"])
    frame["source_id"] = source_id
    return frame
