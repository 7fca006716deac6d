"""ONS Business Register and Employment Survey (BRES) and IDBR business counts by NUTS2 and SIC
2007, as published through NOMIS (open access, rounded)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from placelens.sources.bundle import SourceTables
from placelens.sources.provenance import OGL, SourceInfo
from placelens.sources.tabular import read_csv, require_values, to_number

NUTS2016_FILES = {"bres_itl2_nuts2/bres_employment_nuts2016l2_sic2digit_2015_2021.csv.gz": 2,
                  "bres_itl2_nuts2/bres_employment_nuts2016l2_sic5digit_2015_2021.csv.gz": 5}
NESTA_FILES = {
    "bres_idbr_nuts2_sic4_nesta/bres_employment_nuts2013l2_sic4_2015_2018.csv.gz":
        ("employment", "nomis_bres_nuts2013_sic4"),
    "bres_idbr_nuts2_sic4_nesta/idbr_business_counts_nuts2013l2_sic4_2016_2018.csv.gz":
        ("business_count", "nomis_idbr_nuts2013_sic4"),
}
SIC_LOOKUP_FILE = "ons_regional_gva_itl/sic2007_lookup_section_2digit_3digit_5digit.csv"
CLASSIFICATION = "sic2007"
ATTRIBUTION = ("Source: Office for National Statistics licensed under the Open Government "
               "Licence v.3.0")
INFO = [
    SourceInfo("nomis_bres_nuts2016", "Business Register and Employment Survey: open access "
               "(employment by NUTS2 2016 and SIC 2007 division/subclass)",
               "Office for National Statistics (NOMIS)", "BRES 2015-2021 (2022 extraction)", OGL,
               ATTRIBUTION, "https://www.nomisweb.co.uk/datasets/newbrespub",
               ", ".join(NUTS2016_FILES), "NUTS 2016 level 2",
               "Great Britain only. Open-access values are rounded. Employment includes "
               "working owners.", min_rows=222_000),
    SourceInfo("nomis_bres_nuts2013_sic4", "Business Register and Employment Survey: open access "
               "(employment by NUTS2 2013 and SIC 2007 class)",
               "Office for National Statistics (NOMIS), compiled by Nesta", "BRES 2015-2018", OGL,
               ATTRIBUTION, "https://www.nomisweb.co.uk/datasets/newbrespub",
               next(iter(NESTA_FILES)), "NUTS 2013 level 2", "Great Britain only; rounded.",
               min_rows=80_000),
    SourceInfo("nomis_idbr_nuts2013_sic4", "UK Business Counts (IDBR) by NUTS2 2013 and SIC 2007 "
               "class", "Office for National Statistics (NOMIS), compiled by Nesta",
               "2016-2018", OGL, ATTRIBUTION, "https://www.nomisweb.co.uk/datasets/idbrlu",
               list(NESTA_FILES)[1], "NUTS 2013 level 2",
               "Great Britain only; rounded; unit (local unit or enterprise) not stated.",
               min_rows=61_000),
    SourceInfo("ons_sic2007", "UK Standard Industrial Classification 2007 (NOMIS labels)",
               "Office for National Statistics", "SIC 2007", OGL, ATTRIBUTION,
               "https://www.ons.gov.uk/methodology/classificationsandstandards/"
               "ukstandardindustrialclassificationofeconomicactivities/uksic2007",
               SIC_LOOKUP_FILE, "SIC 2007"),
]


def load(datapack: Path) -> SourceTables:
    out = SourceTables(INFO)
    names: dict[tuple[str, str], str] = {}
    for relative in NUTS2016_FILES:
        frame = _read_nomis_bres(datapack / relative)
        names.update(frame.groupby(["area_code", "vintage"])["name"].first().to_dict())
        out.add("activity", frame)
    for relative, (measure, source_id) in NESTA_FILES.items():
        frame = _read_nesta(datapack / relative, measure, source_id)
        names.update(frame.groupby(["area_code", "vintage"])["name"].first().to_dict())
        out.add("activity", frame)
    out.add("areas", pd.DataFrame([
        {"area_code": code, "area_type": "NUTS2", "vintage": vintage, "name": name,
         "name_welsh": None} for (code, vintage), name in sorted(names.items())]))
    out.add("activity_codes", read_sic_hierarchy(datapack / SIC_LOOKUP_FILE))
    return out


def _read_nomis_bres(path: Path) -> pd.DataFrame:
    frame = read_csv(path, required=["DATE", "GEOGRAPHY_NAME", "GEOGRAPHY_CODE",
                                     "INDUSTRY_CODE", "COUNT"])
    require_values(frame, "GEOGRAPHY_CODE", path, r"UK[C-N]\w")
    require_values(frame, "INDUSTRY_CODE", path, r"\d{2}|\d{5}")
    return pd.DataFrame({"area_code": frame["GEOGRAPHY_CODE"], "area_type": "NUTS2",
                         "vintage": "2016", "classification": CLASSIFICATION,
                         "activity_code": frame["INDUSTRY_CODE"], "period": frame["DATE"],
                         "measure": "employment", "value": to_number(frame, "COUNT", path),
                         "source_id": "nomis_bres_nuts2016", "name": frame["GEOGRAPHY_NAME"]})


def _read_nesta(path: Path, measure: str, source_id: str) -> pd.DataFrame:
    frame = read_csv(path, required=["year", "geo_nm", "geo_cd", "SIC4", "value"])
    require_values(frame, "geo_cd", path, r"UK[C-N]\w")
    require_values(frame, "SIC4", path, r"\d{4}")
    return pd.DataFrame({"area_code": frame["geo_cd"], "area_type": "NUTS2", "vintage": "2013",
                         "classification": CLASSIFICATION, "activity_code": frame["SIC4"],
                         "period": frame["year"], "measure": measure,
                         "value": to_number(frame, "value", path), "source_id": source_id,
                         "name": frame["geo_nm"]})


def read_sic_hierarchy(path: Path) -> pd.DataFrame:
    """SIC 2007 codes at every level (section, 2-, 3-, 4- and 5-digit) with their parents.

    The 4-digit class is the first four digits of the 5-digit subclass; its name is taken
    from the subclass when the class has a single subclass, otherwise from the group.
    """
    frame = read_csv(path, required=["SIC_2DIGIT_CODE", "SIC_2DIGIT_NAME", "SIC_3DIGIT_CODE",
                                     "SIC_3DIGIT_NAME", "SIC_5DIGIT_CODE", "SIC_5DIGIT_NAME",
                                     "SIC_SECTION_LETTER", "SIC_SECTION_NAME"],
                     encoding="cp1252")
    label = lambda s: s.str.split(" : ", n=1).str[-1]  # noqa: E731 - NOMIS "01 : Name" labels
    rows = [frame.drop_duplicates("SIC_SECTION_LETTER").pipe(lambda f: pd.DataFrame({
        "activity_code": f["SIC_SECTION_LETTER"], "name": f["SIC_SECTION_NAME"],
        "parent_code": None, "level": "section"}))]
    rows.append(frame.drop_duplicates("SIC_2DIGIT_CODE").pipe(lambda f: pd.DataFrame({
        "activity_code": f["SIC_2DIGIT_CODE"], "name": label(f["SIC_2DIGIT_NAME"]),
        "parent_code": f["SIC_SECTION_LETTER"], "level": "2-digit"})))
    rows.append(frame.drop_duplicates("SIC_3DIGIT_CODE").pipe(lambda f: pd.DataFrame({
        "activity_code": f["SIC_3DIGIT_CODE"], "name": label(f["SIC_3DIGIT_NAME"]),
        "parent_code": f["SIC_2DIGIT_CODE"], "level": "3-digit"})))
    classes = frame.assign(SIC4=frame["SIC_5DIGIT_CODE"].str[:4])
    single = classes.groupby("SIC4")["SIC_5DIGIT_CODE"].transform("size") == 1
    classes["name4"] = label(classes["SIC_5DIGIT_NAME"]).where(single,
                                                              label(classes["SIC_3DIGIT_NAME"]))
    rows.append(classes.drop_duplicates("SIC4").pipe(lambda f: pd.DataFrame({
        "activity_code": f["SIC4"], "name": f["name4"], "parent_code": f["SIC_2DIGIT_CODE"],
        "level": "4-digit"})))
    rows.append(pd.DataFrame({
        "activity_code": frame["SIC_5DIGIT_CODE"], "name": label(frame["SIC_5DIGIT_NAME"]),
        "parent_code": frame["SIC_5DIGIT_CODE"].str[:4], "level": "5-digit"}))
    out = pd.concat(rows, ignore_index=True)
    out["classification"] = CLASSIFICATION
    return out
