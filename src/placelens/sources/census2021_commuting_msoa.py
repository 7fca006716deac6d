"""Census 2021 origin–destination flows between middle layer super output areas (ODWP01EW,
MSOA level), for functional regions built from small areas.

The file is the ONS Visual explorer's per-prefix chunks rebuilt into one table (each flow
once) with the Nomis place-of-work indicators put back (see the datapack's SOURCES.md, section
20): 1 = mainly at or from home (destination = own MSOA), 2 = offshore or outside the UK,
3 = working in the UK away from home. Same lockdown caveat as the district table; counts are
perturbed independently of it (totals differ by 335 people in 27.8 million).

Also loaded: the 7,264 MSOAs (House of Commons Library names) with their LAD 2023 district,
and, for MSOAs whose code is unchanged since 2011, the 2011 Travel To Work Area holding most
of their LSOAs, so that regions can be compared with the TTWAs on the same small areas.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from placelens.errors import DataFormatError
from placelens.sources.bundle import SourceTables
from placelens.sources.census2021_commuting import LOCKDOWN_NOTE, tidy_flows
from placelens.sources.ons_geography import (
    LAD_HISTORY_FILE,
    LAD_ITL_FILE,
    lad23_code_map,
    read_lad_history,
)
from placelens.sources.ons_ttwa2011 import LSOA_LAD_FILE, TTWA_FILE
from placelens.sources.provenance import OGL, SourceInfo
from placelens.sources.tabular import file_row, read_csv, require_values, to_number

FOLDER = "census2021_odwp01ew_msoa"
OD_FILE = f"{FOLDER}/ODWP01EW_MSOA_rebuilt.csv.gz"
NAMES_FILE = f"{FOLDER}/msoa21_lad21_lookup_onsvisual.csv"
MSOA_LAD_FILE = "lookups/drkane_msoa11_msoa21_to_lad_active.csv.gz"
SOURCE_ID = "census2021_odwp01ew_msoa"
INFO = [SourceInfo(
    SOURCE_ID, "Census 2021 origin-destination: workplace by place of work indicator "
    "(ODWP01EW), middle layer super output areas", "Office for National Statistics (rebuilt "
    "from the ONS Visual census-od-map files)", "Census 2021 (2023 release)", OGL,
    "Source: Office for National Statistics licensed under the Open Government Licence v.3.0",
    "https://github.com/ONSvisual/census-od-map", f"{OD_FILE}; {NAMES_FILE}; {MSOA_LAD_FILE}",
    "MSOA 2021; LAD 2023", LOCKDOWN_NOTE + " Counts are perturbed; 773,543 flows are of one "
    "person. England and Wales residents only.")]
COLUMNS = {"Middle layer Super Output Areas code": "origin",
           "MSOA of workplace code": "destination",
           "Place of work indicator (4 categories) code": "indicator", "Count": "count"}
MSOA_CODE = r"[EW]02\d{6}"
#: Bounds that catch a file cut short: every MSOA of 2021 is an origin, and the rebuilt file
#: has 1,849,192 rows and 27.8 million workers.
EXPECTED_ORIGINS = 7_264
MIN_ROWS = 1_800_000


def load(datapack: Path) -> SourceTables:
    """MSOA flows, the MSOAs as areas, and their district and 2011 TTWA."""
    msoas = read_msoas(datapack)
    out = SourceTables(INFO)
    out.add("flows", read_flows(datapack / OD_FILE, set(msoas["area_code"])))
    out.add("areas", msoas[["area_code", "area_type", "vintage", "name", "name_welsh"]])
    out.add("hierarchy", pd.DataFrame({
        "child_code": msoas["area_code"], "child_type": "MSOA", "parent_code": msoas["lad"],
        "parent_type": "LAD", "vintage": "2023", "primary_parent": True}))
    ttwa = msoa_ttwa_2011(datapack / TTWA_FILE, datapack / LSOA_LAD_FILE,
                          datapack / MSOA_LAD_FILE)
    ttwa = ttwa[ttwa.index.isin(msoas["area_code"])]
    out.add("hierarchy", pd.DataFrame({
        "child_code": ttwa.index, "child_type": "MSOA", "parent_code": ttwa.to_numpy(),
        "parent_type": "TTWA", "vintage": "2011", "primary_parent": True}))
    return out


def read_msoas(datapack: Path) -> pd.DataFrame:
    """The 7,264 MSOAs of 2021 with their House of Commons Library name and LAD 2023."""
    names = read_csv(datapack / NAMES_FILE, required=["areacd", "areanm"])
    names = names[names["areacd"].str.fullmatch(MSOA_CODE)]
    lookup = read_csv(datapack / MSOA_LAD_FILE, required=["MSOA21CD", "LADCD_ACTIVE"])
    lookup = lookup[lookup["MSOA21CD"].str.fullmatch(MSOA_CODE, na=False)].drop_duplicates(
        "MSOA21CD").set_index("MSOA21CD")["LADCD_ACTIVE"]
    history = read_lad_history(datapack / LAD_HISTORY_FILE)
    lad23 = set(read_csv(datapack / LAD_ITL_FILE, required=["LAD23CD"])["LAD23CD"])
    to_2023 = lad23_code_map(history, lad23)
    lad = names["areacd"].map(lookup).map(to_2023)
    if lad.isna().any():
        position = int(lad.isna().to_numpy().argmax())
        raise DataFormatError(datapack / MSOA_LAD_FILE, f"MSOA {names['areacd'].iloc[position]!r}"
                              " has no district of 2023", column="MSOA21CD")
    return pd.DataFrame({"area_code": names["areacd"].to_numpy(), "area_type": "MSOA",
                         "vintage": "2021", "name": names["areanm"].str.strip().to_numpy(),
                         "name_welsh": None, "lad": lad.to_numpy()})


def read_flows(path: Path, msoas: set[str]) -> pd.DataFrame:
    """Workers by home MSOA and workplace, one measure per place-of-work indicator, refusing
    unknown origins, duplicated flows, negative counts and a file cut short."""
    frame = read_csv(path, required=list(COLUMNS)).rename(columns=COLUMNS)
    require_values(frame, "origin", path, MSOA_CODE)
    unknown = ~frame["origin"].isin(msoas)
    if unknown.any():
        position = int(unknown.to_numpy().argmax())
        raise DataFormatError(path, f"origin {frame['origin'].iloc[position]!r} is not a 2021 "
                              "MSOA", row=file_row(frame, position), column="origin")
    frame["count"] = to_number(frame, "count", path)
    for bad, message in ((frame["count"] < 0, "count is negative"),
                         (frame.duplicated(["origin", "destination", "indicator"]),
                          "flow appears twice")):
        if bad.any():
            position = int(bad.to_numpy().argmax())
            raise DataFormatError(path, message, row=file_row(frame, position), column="Count")
    if len(frame) < MIN_ROWS or frame["origin"].nunique() < EXPECTED_ORIGINS:
        raise DataFormatError(path, f"{len(frame):,} rows from {frame['origin'].nunique():,} "
                              f"MSOAs; the release has at least {MIN_ROWS:,} rows from all "
                              f"{EXPECTED_ORIGINS:,} MSOAs (is the file cut short?)")
    return tidy_flows(frame, "MSOA", SOURCE_ID)


def msoa_ttwa_2011(ttwa_path: Path, lsoa_path: Path, msoa_path: Path) -> pd.Series:
    """The 2011 TTWA holding most LSOAs of each MSOA of 2011. An LSOA's MSOA is the one whose
    2011 name it extends ("Hartlepool 001A" is in "Hartlepool 001"); MSOAs of districts
    renamed since (Aylesbury Vale, Northampton, Poole…), whose MSOAs were renumbered under
    the new name, get none (about 350 of 7,201)."""
    ttwa = read_csv(ttwa_path, required=["LSOA11CD", "TTWA11CD"])
    names = read_csv(lsoa_path, required=["LSOA11CD", "LSOA11NM"]).drop_duplicates(
        "LSOA11CD").set_index("LSOA11CD")["LSOA11NM"]
    ttwa = ttwa[ttwa["LSOA11CD"].str.match(r"[EW]01")]
    msoa = read_csv(msoa_path, required=["MSOA11CD", "MSOA11NM"]).dropna(
        subset=["MSOA11CD"])
    msoa = msoa[msoa["MSOA11CD"].str.fullmatch(MSOA_CODE)].drop_duplicates("MSOA11CD")
    by_name = msoa.set_index("MSOA11NM")["MSOA11CD"]
    ttwa["msoa"] = ttwa["LSOA11CD"].map(names).str.slice(0, -1).map(by_name)
    counts = ttwa.dropna(subset=["msoa"]).groupby(["msoa", "TTWA11CD"]).size().rename("n") \
        .reset_index().sort_values(["msoa", "n", "TTWA11CD"], ascending=[True, False, True])
    return counts.drop_duplicates("msoa").set_index("msoa")["TTWA11CD"]
