"""ONS Travel To Work Areas (2011) projected to districts: a district's TTWA is the one
holding most of its LSOAs (LSOA 2011 → TTWA 2011 and LSOA 2011 → LAD 2011, with LAD 2011
codes carried to LAD 2023). Used to compare functional regions with the official ones."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from placelens.sources.bundle import SourceTables
from placelens.sources.ons_geography import (
    LAD_HISTORY_FILE,
    LAD_ITL_FILE,
    lad23_code_map,
    read_lad_history,
)
from placelens.sources.provenance import OGL, SourceInfo
from placelens.sources.tabular import read_csv, require_values

TTWA_FILE = "lookups/ons_lsoa11_ttwa11_uk_lookup.csv"
LSOA_LAD_FILE = "lookups/ons_lsoa01_lsoa11_lad11_ew_lookup.csv.gz"
SOURCE_ID = "ons_ttwa_2011"
INFO = [SourceInfo(
    SOURCE_ID, "LSOA (2011) to Travel To Work Area (2011) lookup; LSOA (2001) to LSOA (2011) "
    "to LAD (2011) lookup", "Office for National Statistics (Open Geography Portal)", "2011",
    OGL, "Source: Office for National Statistics licensed under the Open Government Licence "
    "v.3.0", "https://geoportal.statistics.gov.uk/", f"{TTWA_FILE}; {LSOA_LAD_FILE}",
    "TTWA 2011; LSOA 2011; LAD 2011 mapped to LAD 2023",
    "England and Wales districts only (the LSOA → LAD lookup covers England and Wales).")]


def load(datapack: Path) -> SourceTables:
    out = SourceTables(INFO)
    ttwa = read_csv(datapack / TTWA_FILE, required=["LSOA11CD", "TTWA11CD", "TTWA11NM"])
    require_values(ttwa, "TTWA11CD", datapack / TTWA_FILE)
    lsoa = read_csv(datapack / LSOA_LAD_FILE, required=["LSOA11CD", "LAD11CD"])
    history = read_lad_history(datapack / LAD_HISTORY_FILE)
    lad23 = set(read_csv(datapack / LAD_ITL_FILE, required=["LAD23CD"])["LAD23CD"])
    to_2023 = lad23_code_map(history, lad23)
    joined = lsoa.drop_duplicates("LSOA11CD").merge(ttwa, on="LSOA11CD", how="inner")
    joined["lad"] = joined["LAD11CD"].map(lambda c: to_2023.get(c, c))
    counts = joined.groupby(["lad", "TTWA11CD"]).size().rename("n").reset_index()
    counts = counts.sort_values(["lad", "n", "TTWA11CD"], ascending=[True, False, True])
    counts["primary_parent"] = ~counts["lad"].duplicated()
    out.add("hierarchy", pd.DataFrame({
        "child_code": counts["lad"], "child_type": "LAD", "parent_code": counts["TTWA11CD"],
        "parent_type": "TTWA", "vintage": "2011", "primary_parent": counts["primary_parent"]}))
    names = ttwa.drop_duplicates("TTWA11CD")
    out.add("areas", pd.DataFrame({"area_code": names["TTWA11CD"], "area_type": "TTWA",
                                   "vintage": "2011", "name": names["TTWA11NM"],
                                   "name_welsh": None}))
    return out
