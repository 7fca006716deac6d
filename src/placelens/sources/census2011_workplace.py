"""Census 2011 workplace population by industry (SIC 2007 section) for MSOAs in England and
Wales, summed to current LADs with the MSOA → LAD lookup."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from placelens.errors import DataFormatError
from placelens.sources.bundle import SourceTables
from placelens.sources.ons_geography import (
    LAD_HISTORY_FILE,
    LAD_ITL_FILE,
    lad23_code_map,
    read_lad_history,
)
from placelens.sources.provenance import OGL, SourceInfo
from placelens.sources.tabular import file_row, read_csv, to_number

WORKPLACE_FILE = ("census2011_workplace_industry/"
                  "census2011_workplace_population_msoa_by_sic_section.csv")
MSOA_LOOKUP_FILE = "lookups/drkane_msoa11_msoa21_to_lad_active.csv.gz"
SOURCE_ID = "census2011_workplace_section"
MSOA_COLUMN = "2011 super output area - middle layer"
INFO = [SourceInfo(
    SOURCE_ID, "Census 2011: workplace population by industry (WP605EW-style, MSOA)",
    "Office for National Statistics (NOMIS)", "Census 2011", OGL,
    "Source: Office for National Statistics licensed under the Open Government Licence v.3.0",
    "https://www.nomisweb.co.uk/census/2011", f"{WORKPLACE_FILE}; {MSOA_LOOKUP_FILE}",
    "MSOA 2011 summed to LAD 2023", "England and Wales only; SIC 2007 sections.", min_rows=6_200)]


def load(datapack: Path) -> SourceTables:
    out = SourceTables(INFO)
    history = read_lad_history(datapack / LAD_HISTORY_FILE)
    lad23 = set(read_csv(datapack / LAD_ITL_FILE, required=["LAD23CD"])["LAD23CD"])
    out.add("activity", read_workplace_by_lad(datapack / WORKPLACE_FILE,
                                              datapack / MSOA_LOOKUP_FILE,
                                              lad23_code_map(history, lad23)))
    return out


def section_columns(columns: list[str]) -> dict[str, str]:
    """Map published column labels to section codes: ``"C Manufacturing"`` → ``C``,
    ``"R, S Arts, ..."`` → ``R-S`` (the census publishes R and S as one category)."""
    out = {}
    for column in columns:
        match = re.match(r"^([A-U])(?:, ?([A-U]))? ", column)
        if match:
            out[column] = "-".join(g for g in match.groups() if g)
    return out


def read_workplace_by_lad(path: Path, lookup_path: Path,
                          to_lad23: dict[str, str]) -> pd.DataFrame:
    """Sum MSOA rows to LAD 2023 (``to_lad23`` maps newer LAD codes back to 2023 ones)."""
    frame = read_csv(path, required=[MSOA_COLUMN])
    sections = section_columns(list(frame.columns))
    if len(sections) != 20:
        raise DataFormatError(path, f"expected 20 SIC section columns (R and S are published "
                              f"together), found {len(sections)}", row=1)
    msoa = frame[MSOA_COLUMN].str.split(" : ", n=1).str[0].str.strip()
    lookup = read_csv(lookup_path, required=["MSOA11CD", "LADCD_ACTIVE"])
    lad_of = lookup[lookup["MSOA11CD"] != ""].drop_duplicates("MSOA11CD").set_index(
        "MSOA11CD")["LADCD_ACTIVE"].map(lambda code: to_lad23.get(code, code))
    lad = msoa.map(lad_of)
    if lad.isna().any():
        position = int(lad.isna().to_numpy().nonzero()[0][0])
        raise DataFormatError(path, f"MSOA {msoa.iloc[position]!r} is not in {lookup_path.name}",
                              row=file_row(frame, position), column=MSOA_COLUMN)
    repeated = msoa.duplicated()
    if repeated.any():
        position = int(repeated.to_numpy().argmax())
        raise DataFormatError(path, f"MSOA {msoa.iloc[position]!r} appears twice",
                              row=file_row(frame, position), column=MSOA_COLUMN)
    expected = {code for code in lad_of.index if code[:3] in ("E02", "W02")}
    missing = sorted(expected - set(msoa))
    if missing:
        raise DataFormatError(path, f"{len(missing)} MSOAs of England and Wales are missing "
                              f"(e.g. {missing[0]}); the census table has every MSOA",
                              column=MSOA_COLUMN)
    values = pd.DataFrame({code: to_number(frame, column, path)
                           for column, code in sections.items()})
    values["area_code"] = lad.to_numpy()
    summed = values.groupby("area_code").sum(min_count=1)
    long = summed.reset_index().melt(id_vars="area_code", var_name="activity_code",
                                     value_name="value")
    return long.assign(area_type="LAD", vintage="2023", classification="sic2007",
                       period="2011", measure="workplace_population", source_id=SOURCE_ID)
