"""ONS business enterprise research and development (BERD) by ITL1 region, 2022–2024, as
published for Explore Local Statistics (release of 28 November 2025), with the previous
release (December 2024) kept to show revisions.

ONS publishes regional BERD at ITL1 only. Large businesses report where they perform R&D;
small businesses' R&D is allocated to their main address, and ONS warns of year-to-year
volatility at regional level."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from placelens.errors import DataFormatError
from placelens.sources.bundle import SourceTables, indicator_rows
from placelens.sources.provenance import OGL, SourceInfo
from placelens.sources.tabular import file_row, read_csv, require_values, to_number

FOLDER = "ons_rd_expenditure_itl1"
CURRENT_FILE = f"{FOLDER}/research-and-development-business.csv"
PREVIOUS_FILE = f"{FOLDER}/berd_itl1_2022_2023_vintage_dec2024.csv"
SOURCE_ID = "ons_berd_itl1_2025"
INDICATOR = "ons_berd_gbp_m"
PREVIOUS_INDICATOR = "ons_berd_gbp_m_dec2024"
INFO = [SourceInfo(
    SOURCE_ID, "Business enterprise research and development, UK (regional tables, ITL1)",
    "Office for National Statistics", "28 November 2025 (previous release December 2024)",
    OGL, "Source: Office for National Statistics licensed under the Open Government Licence "
    "v.3.0", "https://www.ons.gov.uk/economy/governmentpublicsectorandtaxes/"
    "researchanddevelopmentexpenditure", f"{CURRENT_FILE}; {PREVIOUS_FILE}", "ITL1 (GSS "
    "region and country codes mapped to ITL 2021)", "ITL1 only; estimates may vary from "
    "year to year through reclassification and sampling. 2023 was revised up by 6%.")]
#: GSS codes of the English regions and the nations → ITL1 (2021) codes.
GSS_TO_ITL1 = {
    "E12000001": "TLC", "E12000002": "TLD", "E12000003": "TLE", "E12000004": "TLF",
    "E12000005": "TLG", "E12000006": "TLH", "E12000007": "TLI", "E12000008": "TLJ",
    "E12000009": "TLK", "W92000004": "TLL", "S92000003": "TLM", "N92000002": "TLN"}
UK_CODE = "K02000001"
ENGLAND_CODE = "E92000001"  # published too; the English regions are used instead


def load(datapack: Path) -> SourceTables:
    out = SourceTables(INFO)
    out.add("observations", pd.concat([
        read_berd(datapack / CURRENT_FILE, INDICATOR, "areacd", "period", "observation"),
        read_berd(datapack / PREVIOUS_FILE, PREVIOUS_INDICATOR, "AREACD", "Period",
                  "Observation")], ignore_index=True))
    out.add("indicators", indicator_rows(SOURCE_ID, [
        (INDICATOR, "Business enterprise R&D expenditure (BERD)", "£m", True, 1,
         "Current prices, calendar year; ONS release of 28 November 2025."),
        (PREVIOUS_INDICATOR, "Business enterprise R&D expenditure (BERD), December 2024 "
         "release", "£m", True, 1, "Superseded; kept to show revisions.")]))
    return out


def read_berd(path: Path, indicator: str, code: str, period: str, value: str
              ) -> pd.DataFrame:
    """ITL1 regions and the UK, one row per year, with the regions checked to add up to the
    UK (within £10m of rounding)."""
    frame = read_csv(path, required=[code, period, value])
    require_values(frame, code, path, r"[EKNSW]\d{8}")
    unknown = ~frame[code].isin([*GSS_TO_ITL1, UK_CODE, ENGLAND_CODE])
    if unknown.any():
        position = int(unknown.to_numpy().argmax())
        raise DataFormatError(path, f"area {frame[code].iloc[position]!r} is not an ITL1 "
                              "region, England or the UK", row=file_row(frame, position),
                              column=code)
    repeated = frame.duplicated([code, period])
    if repeated.any():
        position = int(repeated.to_numpy().argmax())
        raise DataFormatError(path, f"a second value for {frame[code].iloc[position]} in "
                              f"{frame[period].iloc[position]}", row=file_row(frame, position),
                              column=period)
    frame = frame[frame[code] != ENGLAND_CODE]
    years = frame[period].str.extract(r"^(\d{4})", expand=False)
    if years.isna().any():
        raise DataFormatError(path, "period is not a year", column=period)
    table = pd.DataFrame({
        "area_code": frame[code].map(lambda c: GSS_TO_ITL1.get(c, "K02000001")),
        "area_type": frame[code].map(lambda c: "ITL1" if c in GSS_TO_ITL1 else "UK"),
        "vintage": "2021", "indicator": indicator, "period": years,
        "value": to_number(frame, value, path), "source_id": SOURCE_ID})
    table.loc[table["area_type"] == "UK", "area_code"] = UK_CODE
    if (table["value"] < 0).any():
        position = int((table["value"] < 0).to_numpy().argmax())
        raise DataFormatError(path, "negative R&D expenditure",
                              row=file_row(frame, position), column=value)
    sums = table[table["area_type"] == "ITL1"].groupby("period")["value"].sum()
    uk = table[table["area_type"] == "UK"].set_index("period")["value"]
    gap = (sums - uk.reindex(sums.index)).abs()
    if len(uk) == 0 or gap.isna().any() or (gap > 10).any():
        raise DataFormatError(path, f"ITL1 regions do not add up to the UK ({gap.to_dict()})",
                              column=value)
    return table
