"""ONS Standard Area Measurements for LAD (December 2023): land area, for densities."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from placelens.sources.bundle import SourceTables, indicator_rows
from placelens.sources.provenance import OGL, SourceInfo
from placelens.sources.tabular import read_csv, require_values, to_number

AREA_FILE = "lookups/ons_sam_lad_dec2023_uk_area_hectares.csv"
SOURCE_ID = "ons_sam_lad_2023"
INFO = [SourceInfo(
    SOURCE_ID, "Standard Area Measurements (2023) for Local Authority Districts in the UK",
    "Office for National Statistics (Open Geography Portal)", "December 2023", OGL,
    "Source: Office for National Statistics licensed under the Open Government Licence v.3.0. "
    "Contains OS data © Crown copyright and database right 2023.",
    "https://geoportal.statistics.gov.uk/", AREA_FILE, "LAD 2023",
    "Land area excludes inland water and the area to mean high water.",
    min_rows=361, complete_for_lads=True)]


def load(datapack: Path) -> SourceTables:
    out = SourceTables(INFO)
    path = datapack / AREA_FILE
    frame = read_csv(path, required=["LAD23CD", "AREALHECT"])
    require_values(frame, "LAD23CD", path, r"[EWSN]\d{8}")
    out.add("observations", pd.DataFrame({
        "area_code": frame["LAD23CD"], "area_type": "LAD", "vintage": "2023",
        "indicator": "land_area_hectares", "period": "2023",
        "value": to_number(frame, "AREALHECT", path), "source_id": SOURCE_ID}))
    out.add("indicators", indicator_rows(SOURCE_ID, [
        ("land_area_hectares", "Land area", "hectares", True, 0, "Excludes inland water")]))
    return out
