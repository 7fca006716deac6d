"""ONS Subregional Productivity, June 2024 release: labour productivity (GVA per hour and per
filled job), filled jobs and hours worked by LAD, ITL2/ITL3 and city region."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from placelens.sources.bundle import SourceTables, indicator_rows
from placelens.sources.ons_geography import UK_CODE, city_region_code
from placelens.sources.provenance import OGL, SourceInfo
from placelens.sources.tabular import read_csv, require_values, wide_years_to_long

FOLDER = "ons_subregional_productivity"
SOURCE_ID = "ons_subregional_productivity_2024"
INFO = [SourceInfo(
    SOURCE_ID, "Subregional productivity: labour productivity indices by local authority "
    "district, ITL region and city region", "Office for National Statistics", "June 2024",
    OGL, "Source: Office for National Statistics licensed under the Open Government Licence "
    "v.3.0", "https://www.ons.gov.uk/employmentandlabourmarket/peopleinwork/"
    "labourproductivity/datasets/subregionalproductivitylabourproductivityindicesbylocal"
    "authoritydistrict", f"{FOLDER}/*_2024release.csv", "LAD 2023; ITL January 2021",
    "Smoothed series are 5-year weighted moving averages. UK figures exclude Extra-Regio.",
    min_rows=60_000, complete_for_lads=True)]

#: file stem (after the geography prefix) → (indicator, title, unit, additive, polarity)
SERIES = {
    "gva_per_hour_cp_smoothed_gbp": ("gva_per_hour_gbp", "GVA per hour worked (smoothed, "
                                     "current prices)", "£", False, 1),
    "gva_per_hour_cp_smoothed_index": ("gva_per_hour_index", "GVA per hour worked (smoothed, "
                                       "current prices)", "UK=100", False, 1),
    "gva_per_job_cp_smoothed_gbp": ("gva_per_job_gbp", "GVA per filled job (smoothed, current "
                                    "prices)", "£", False, 1),
    "hours_worked_per_week": ("hours_per_week", "Total hours worked per week", "hours", True, 0),
    "filled_jobs": ("filled_jobs", "Filled jobs", "jobs", True, 1),
}
GEOGRAPHIES = {"lad": ("LAD_Code", None), "itl": ("ITL_code", "ITL_level"),
               "cityregion": ("Area_Code", "City_Region")}


def load(datapack: Path) -> SourceTables:
    out = SourceTables(INFO)
    for stem, (indicator, *_rest) in SERIES.items():
        for geography in GEOGRAPHIES:
            path = datapack / FOLDER / f"{geography}_{stem}_2024release.csv"
            out.add("observations", _read_series(path, geography, indicator))
    out.add("indicators", indicator_rows(SOURCE_ID, [
        (ind, title, unit, additive, polarity, "")
        for ind, title, unit, additive, polarity in SERIES.values()]))
    return out


def _read_series(path: Path, geography: str, indicator: str) -> pd.DataFrame:
    code_column, extra = GEOGRAPHIES[geography]
    frame = read_csv(path, required=[code_column] + ([extra] if extra else []))
    require_values(frame, code_column, path)
    prefix = next(m.group(1) for c in frame.columns if (m := re.fullmatch(r"(\w+_)\d{4}", c)))
    if geography != "itl":  # the UK row is repeated in every table; keep the ITL table's
        frame = frame[frame[code_column] != "UKX"]
    if geography == "cityregion":
        frame[code_column] = [city_region_code(c, n)
                              for c, n in zip(frame[code_column], frame[extra], strict=True)]
    else:
        frame[code_column] = frame[code_column].replace({"UKX": UK_CODE})
    long = wide_years_to_long(frame, [code_column] + ([extra] if extra else []), path, prefix)
    codes = long[code_column]
    if geography == "itl":
        types = long["ITL_level"].replace({"Other": "CTRY"})
        codes = codes.replace({"TLB": "E92000001"})
    elif geography == "lad":
        types = pd.Series("LAD", index=codes.index)
    else:
        types = codes.map(lambda c: "CA" if c[:3] in ("E47", "E61") else "CR")
    vintages = ["2021" if t.startswith("ITL") else "2023" for t in types]
    return pd.DataFrame({"area_code": codes, "area_type": types, "vintage": vintages,
                         "indicator": indicator, "period": long["period"],
                         "value": long["value"], "source_id": SOURCE_ID})
