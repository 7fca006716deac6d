"""ONS regional accounts (April 2024 release): total resident population of every ITL area."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from placelens.sources.bundle import SourceTables, indicator_rows
from placelens.sources.ons_geography import UK_CODE
from placelens.sources.provenance import OGL, SourceInfo
from placelens.sources.tabular import read_csv, require_values, wide_years_to_long

POPULATION_FILE = "ons_regional_gva_itl/population_all_itl_1998_2022_apr2024.csv"
SOURCE_ID = "ons_population_itl_2024"
INFO = [SourceInfo(
    SOURCE_ID, "Regional gross domestic product: all ITL regions (total resident population)",
    "Office for National Statistics", "24 April 2024", OGL,
    "Source: Office for National Statistics licensed under the Open Government Licence v.3.0",
    "https://www.ons.gov.uk/economy/grossdomesticproductgdp/datasets/"
    "regionalgrossdomesticproductallitlregions", POPULATION_FILE, "ITL January 2021",
    min_rows=5_700)]
SPECIAL_CODES = {"UK": (UK_CODE, "UK"), "TLB": ("E92000001", "CTRY")}


def load(datapack: Path) -> SourceTables:
    out = SourceTables(INFO)
    path = datapack / POPULATION_FILE
    frame = read_csv(path, required=["ITL", "ITL code", "1998", "2022"])
    require_values(frame, "ITL code", path)
    special = frame["ITL code"].map(SPECIAL_CODES)
    frame["area_code"] = frame["ITL code"].where(special.isna(), special.str[0])
    frame["area_type"] = frame["ITL"].where(special.isna(), special.str[1])
    frame["vintage"] = frame["area_type"].map(lambda t: "2021" if t.startswith("ITL") else "2023")
    long = wide_years_to_long(frame, ["area_code", "area_type", "vintage"], path)
    out.add("observations", pd.DataFrame({**{c: long[c] for c in ("area_code", "area_type",
                                                                  "vintage", "period", "value")},
                                          "indicator": "population", "source_id": SOURCE_ID}))
    out.add("indicators", indicator_rows(SOURCE_ID, [
        ("population", "Total resident population (mid-year)", "people", True, 0, "")]))
    return out
