"""ONS UK Business: activity, size and location 2024 — local units by district and broad
industry (Inter-Departmental Business Register, March 2024; table 16 of the workbook).

Counts of VAT- and/or PAYE-registered local units (workplaces), rounded to 5: a measure of
where businesses operate, not of employment or output. Published for every district, so it
shows a district's business structure where the GVA table suppresses industries."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from placelens.errors import DataFormatError
from placelens.sources.bundle import SourceTables
from placelens.sources.ons_geography import LAD_ITL_FILE
from placelens.sources.provenance import OGL, SourceInfo
from placelens.sources.tabular import file_row, read_csv, require_values, to_number

FOLDER = "ons_uk_business_counts_lad_2024"
LOCAL_UNITS_FILE = f"{FOLDER}/local_units_by_area_by_broad_industry_2024.csv"
SOURCE_ID = "ons_uk_business_2024"
CLASSIFICATION = "ons_broad_industry"
MEASURE = "local_units"
PERIOD = "2024"
INFO = [SourceInfo(
    SOURCE_ID, "UK business: activity, size and location, 2024 (local units by district and "
    "broad industry group, table 16)", "Office for National Statistics (Inter-Departmental "
    "Business Register)", "25 September 2024 (IDBR snapshot March 2024)", OGL,
    "Source: Office for National Statistics licensed under the Open Government Licence v.3.0",
    "https://www.ons.gov.uk/businessindustryandtrade/business/activitysizeandlocation",
    LOCAL_UNITS_FILE, "LAD 2023", "Counts of VAT and/or PAYE registered local units, "
    "rounded to 5; not employment. 17 broad industry groups only.",
    min_rows=6_000, complete_for_lads=True)]
LAD_PATTERN = r"(E06|E07|E08|E09|W06|S12|N09)\d{6}"
UK_CODE = "K02000001"


def load(datapack: Path) -> SourceTables:
    out = SourceTables(INFO)
    lads = set(read_csv(datapack / LAD_ITL_FILE, required=["LAD23CD"])["LAD23CD"])
    activity, codes = read_local_units(datapack / LOCAL_UNITS_FILE, lads)
    out.add("activity", activity)
    out.add("activity_codes", codes)
    return out


def read_local_units(path: Path, lads: set[str] | None = None
                     ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Local units by district (and the UK) × broad industry group, checked: every district
    is a LAD 2023 code of ``lads`` (when given) and appears once, no count is negative, every
    row's industries sum to its published total, and the districts sum to the UK."""
    frame = read_csv(path, required=["area_code", "area_name", "area_type", "Total"])
    require_values(frame, "area_code", path)
    industries = [c for c in frame.columns if " : " in c]
    if len(industries) != 17:
        raise DataFormatError(path, f"expected 17 broad industry columns, found "
                              f"{len(industries)}", row=1)
    keep = frame["area_code"].str.fullmatch(LAD_PATTERN) | (frame["area_code"] == UK_CODE)
    frame = frame[keep]
    _check_codes(frame, path, lads)
    values = pd.DataFrame({c: to_number(frame, c, path) for c in [*industries, "Total"]})
    negative = values.lt(0).any(axis=1).to_numpy()
    if negative.any():
        position = int(negative.argmax())
        column = str(values.columns[values.iloc[position].lt(0).to_numpy().argmax()])
        raise DataFormatError(path, "negative count", row=file_row(frame, position),
                              column=column)
    mismatch = (values[industries].sum(axis=1) != values["Total"]).to_numpy()
    if mismatch.any():
        position = int(mismatch.argmax())
        raise DataFormatError(path, "industry counts do not add up to the total",
                              row=file_row(frame, position), column="Total")
    is_lad = (frame["area_code"] != UK_CODE).to_numpy()
    uk = values.loc[~is_lad, "Total"]
    if len(uk) != 1 or values.loc[is_lad, "Total"].sum() != uk.iloc[0]:
        raise DataFormatError(path, "district totals do not add up to the UK row",
                              column="Total")
    split = [c.split(" : ", 1) for c in industries]
    long = values[industries].set_axis([code for code, _ in split], axis=1).assign(
        area_code=frame["area_code"].to_numpy(),
        area_type=["LAD" if lad else "UK" for lad in is_lad]).melt(
        id_vars=["area_code", "area_type"], var_name="activity_code", value_name="value")
    activity = long.assign(vintage="2023", classification=CLASSIFICATION, period=PERIOD,
                           measure=MEASURE, source_id=SOURCE_ID)
    codes = pd.DataFrame({"classification": CLASSIFICATION,
                          "activity_code": [code for code, _ in split],
                          "name": [name for _, name in split], "parent_code": None,
                          "level": None})
    return activity, codes


def _check_codes(frame: pd.DataFrame, path: Path, lads: set[str] | None) -> None:
    """Each district once, and (when ``lads`` is given) a current LAD 2023 code."""
    problems = frame["area_code"].duplicated().to_numpy()
    message = "appears twice"
    if not problems.any() and lads is not None:
        problems = (~frame["area_code"].isin(lads | {UK_CODE})).to_numpy()
        message = "is not a LAD 2023 code"
    if problems.any():
        position = int(problems.argmax())
        raise DataFormatError(path, f"area {frame['area_code'].iloc[position]!r} {message}",
                              row=file_row(frame, position), column="area_code")

