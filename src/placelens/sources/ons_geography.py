"""ONS Open Geography lookups: LAD 2023 → ITL 2021, LAD → city region / combined authority,
and the history of LAD codes since 2011 (mergers mapped to their current code)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from placelens.sources import ons_geoportal
from placelens.sources.bundle import SourceTables
from placelens.sources.http import Fetch, fetch_url
from placelens.sources.provenance import OGL, SourceInfo
from placelens.sources.tabular import read_csv, require_values, to_number

LAD_ITL_FILE = "lookups/ons_lad23_lau1_itl3_itl2_itl1_jan2021_lookup_uk.csv"
CITY_REGION_FILE = "ons_subregional_productivity/cityregion_lad23_lookup.csv"
LAD_HISTORY_FILE = "lookups/drkane_lad_all_codes_2011_onwards_to_active.csv"
LAD_NUTS_FILE = "lookups/ons_lad18_lau1_nuts3_nuts2_nuts1_jan2018_lookup_uk.csv"
COUNCILS_FILE = "lookups/mysociety_uk_local_authorities_current.csv"
GSS_CODE = r"[EWSNK]\d{8}"

COUNTRIES = {"E": ("E92000001", "England", "TLB"), "W": ("W92000004", "Wales", "TLL"),
             "S": ("S92000003", "Scotland", "TLM"), "N": ("N92000002", "Northern Ireland", "TLN")}
UK_CODE, UK_NAME = "K02000001", "United Kingdom"
ITL1_COUNTRY = {"TLL": "W", "TLM": "S", "TLN": "N"}

INFO = [
    SourceInfo("ons_lad23_itl21_lookup",
               "Local Authority District (2023) to LAU1 to ITL3 to ITL2 to ITL1 (January 2021)",
               "Office for National Statistics (Open Geography Portal)", "LAD 2023 / ITL 2021",
               OGL, "Source: Office for National Statistics licensed under the Open Government "
               "Licence v.3.0", "https://geoportal.statistics.gov.uk/", LAD_ITL_FILE,
               "LAD 2023; ITL January 2021"),
    SourceInfo("ons_city_region_lookup", "LAD (2023) to city region / combined authority",
               "Office for National Statistics (Subregional Productivity, June 2024)",
               "June 2024", OGL, "Source: Office for National Statistics licensed under the "
               "Open Government Licence v.3.0",
               "https://www.ons.gov.uk/economy/economicoutputandproductivity/productivitymeasures"
               "/datasets/labourproductivitycityregions", CITY_REGION_FILE, "LAD 2023"),
    SourceInfo("lad_code_history", "Every LAD code since 2011 mapped to its current code",
               "ONS Open Geography Portal, compiled by David Kane (drkane/geo-lookups)",
               "2026-06 compilation", OGL, "Source: Office for National Statistics licensed "
               "under the Open Government Licence v.3.0", "https://github.com/drkane/geo-lookups",
               LAD_HISTORY_FILE, "LAD 2011 to current"),
    SourceInfo("ons_lad18_nuts_lookup", "Local Authority District (2018) to LAU1 to NUTS3 to "
               "NUTS2 to NUTS1 (January 2018)", "Office for National Statistics (Open Geography "
               "Portal)", "January 2018", OGL, "Source: Office for National Statistics licensed "
               "under the Open Government Licence v.3.0", "https://geoportal.statistics.gov.uk/",
               LAD_NUTS_FILE, "LAD 2018; NUTS 2016"),
    SourceInfo("mysociety_councils", "UK local authorities, past and current: end dates and "
               "mid-2020 populations of abolished councils", "mySociety "
               "(uk_local_authority_names_and_codes)", "2025-07-10", "CC-BY-4.0",
               "Contains data from mySociety (CC BY 4.0), itself from ONS mid-2020 population "
               "estimates", "https://github.com/mysociety/uk_local_authority_names_and_codes",
               COUNCILS_FILE, "council codes 1974 to current"),
]


#: Portal lookup services behind the LAD → ITL and LAD → NUTS files.
LAD_ITL_SERVICE = "LAD23_LAU121_ITL321_ITL221_ITL121_UK_LU"
LAD_ITL_FIELDS = ["LAD23CD", "LAD23NM", "LAU121CD", "LAU121NM", "ITL321CD", "ITL321NM",
                  "ITL221CD", "ITL221NM", "ITL121CD", "ITL121NM"]
LAD_NUTS_SERVICE = "LAD18_LAU118_NUTS318_NUTS218_NUTS118_UK_LUv2"
LAD_NUTS_FIELDS = ["LAD18CD", "LAD18NM", "LAU118CD", "LAU118NM", "NUTS318CD", "NUTS318NM",
                   "NUTS218CD", "NUTS218NM", "NUTS118CD", "NUTS118NM"]


def download(datapack: Path, fetch: Fetch = fetch_url) -> list[Path]:
    """Fetch the official LAD → ITL and LAD → NUTS lookups from the ONS Open Geography Portal.
    (The city-region lookup ships inside the ONS productivity workbook; the LAD code history is
    a compilation with no single official endpoint.)"""
    return [ons_geoportal.download_table(LAD_ITL_SERVICE, LAD_ITL_FIELDS,
                                         datapack / LAD_ITL_FILE, fetch),
            ons_geoportal.download_table(LAD_NUTS_SERVICE, LAD_NUTS_FIELDS,
                                         datapack / LAD_NUTS_FILE, fetch)]


def country_of(code: str) -> str:
    """The GSS country code for any GSS or ITL code."""
    if code.startswith("TL"):
        return COUNTRIES[ITL1_COUNTRY.get(code[:3], "E")][0]
    return COUNTRIES[code[0]][0]


def load(datapack: Path) -> SourceTables:
    """Areas (LAD, ITL1-3, countries, UK, city regions) and how they nest."""
    out = SourceTables(INFO)
    lad_itl = _read_lad_itl(datapack / LAD_ITL_FILE)
    areas = [_lad_areas(lad_itl), _itl_areas(lad_itl), _country_areas()]
    hierarchy = [_lad_itl_hierarchy(lad_itl), _itl_hierarchy(lad_itl)]
    city = _read_city_regions(datapack / CITY_REGION_FILE)
    areas.append(city[["area_code", "area_type", "vintage", "name", "name_welsh"]]
                 .drop_duplicates("area_code"))
    hierarchy.append(pd.DataFrame({
        "child_code": city["child_code"], "child_type": "LAD", "parent_code": city["area_code"],
        "parent_type": city["area_type"], "vintage": "2023",
        "primary_parent": ~city["area_code"].str.startswith("PLCR_")}))
    out.add("areas", pd.concat(areas, ignore_index=True))
    out.add("hierarchy", pd.concat(hierarchy, ignore_index=True))
    changes, retired = _code_changes(read_lad_history(datapack / LAD_HISTORY_FILE),
                                     set(lad_itl["LAD23CD"]),
                                     read_council_dates(datapack / COUNCILS_FILE))
    out.add("code_changes", changes)
    out.add("areas", retired)
    nuts_areas, nuts_hierarchy = _nuts_2016(datapack / LAD_NUTS_FILE, changes)
    out.add("areas", nuts_areas)
    out.add("hierarchy", nuts_hierarchy)
    return out


def _read_lad_itl(path: Path) -> pd.DataFrame:
    cols = ["LAD23CD", "LAD23NM", "LAU121CD", "ITL321CD", "ITL321NM", "ITL221CD", "ITL221NM",
            "ITL121CD", "ITL121NM"]
    frame = read_csv(path, required=cols)
    require_values(frame, "LAD23CD", path, GSS_CODE)
    for level in ("ITL321CD", "ITL221CD", "ITL121CD"):
        require_values(frame, level, path, r"TL[A-N]\w*")
    return frame


def _lad_areas(lad_itl: pd.DataFrame) -> pd.DataFrame:
    lads = lad_itl.drop_duplicates("LAD23CD")
    return pd.DataFrame({"area_code": lads["LAD23CD"], "area_type": "LAD", "vintage": "2023",
                         "name": lads["LAD23NM"].str.strip(), "name_welsh": None})


def _itl_areas(lad_itl: pd.DataFrame) -> pd.DataFrame:
    parts = []
    for level in ("1", "2", "3"):
        rows = lad_itl.drop_duplicates(f"ITL{level}21CD")
        parts.append(pd.DataFrame({
            "area_code": rows[f"ITL{level}21CD"], "area_type": f"ITL{level}", "vintage": "2021",
            "name": rows[f"ITL{level}21NM"].str.replace(r" \((England)\)$", "", regex=True),
            "name_welsh": None}))
    return pd.concat(parts, ignore_index=True)


def _country_areas() -> pd.DataFrame:
    rows = [(code, "CTRY", "2023", name, None) for code, name, _ in COUNTRIES.values()]
    rows.append((UK_CODE, "UK", "2023", UK_NAME, None))
    return pd.DataFrame(rows, columns=["area_code", "area_type", "vintage", "name", "name_welsh"])


def _lad_itl_hierarchy(lad_itl: pd.DataFrame) -> pd.DataFrame:
    """LAD → ITL3/2/1 rows; a LAD split between ITL areas (through its LAU1s) gets one row per
    ITL area, the one holding most of its LAU1s flagged primary."""
    parts = []
    for level in ("3", "2", "1"):
        column = f"ITL{level}21CD"
        counts = lad_itl.groupby(["LAD23CD", column]).size().rename("n").reset_index()
        counts = counts.sort_values(["LAD23CD", "n", column], ascending=[True, False, True])
        counts["primary_parent"] = ~counts.duplicated("LAD23CD")
        parts.append(pd.DataFrame({
            "child_code": counts["LAD23CD"], "child_type": "LAD", "parent_code": counts[column],
            "parent_type": f"ITL{level}", "vintage": "2021",
            "primary_parent": counts["primary_parent"]}))
    lads = lad_itl["LAD23CD"].drop_duplicates()
    parts.append(pd.DataFrame({"child_code": lads, "child_type": "LAD",
                               "parent_code": lads.map(country_of), "parent_type": "CTRY",
                               "vintage": "2023", "primary_parent": True}))
    parts.append(pd.DataFrame({"child_code": lads, "child_type": "LAD", "parent_code": UK_CODE,
                               "parent_type": "UK", "vintage": "2023", "primary_parent": True}))
    return pd.concat(parts, ignore_index=True)


def _itl_hierarchy(lad_itl: pd.DataFrame) -> pd.DataFrame:
    """ITL3 → ITL2 → ITL1 → country → UK, from the nesting of ITL codes."""
    rows = []
    for code in sorted(set(lad_itl["ITL321CD"])):
        rows.append((code, "ITL3", code[:4], "ITL2"))
    for code in sorted(set(lad_itl["ITL221CD"])):
        rows.append((code, "ITL2", code[:3], "ITL1"))
    for code in sorted(set(lad_itl["ITL121CD"])):
        rows.append((code, "ITL1", country_of(code), "CTRY"))
    for country, _, _ in COUNTRIES.values():
        rows.append((country, "CTRY", UK_CODE, "UK"))
    frame = pd.DataFrame(rows, columns=["child_code", "child_type", "parent_code", "parent_type"])
    frame["vintage"], frame["primary_parent"] = "2021", True
    return frame


def city_region_code(code: str, name: str) -> str:
    """The GSS code of a city region, or a placelens code (``PLCR...``) where ONS publishes
    none (Scottish and some Welsh/NI deals, Inner/Outer London), so names never act as keys."""
    code = code.strip()
    if re.fullmatch(GSS_CODE, code):
        return code
    return "PLCR_" + re.sub(r"[^A-Z0-9]+", "_", name.strip().upper()).strip("_")


def _read_city_regions(path: Path) -> pd.DataFrame:
    frame = read_csv(path, required=["LAD23CD", "LAD23NM", "CRCD", "CRNM"])
    require_values(frame, "LAD23CD", path, GSS_CODE)
    require_values(frame, "CRNM", path)
    codes = [city_region_code(c, n) for c, n in zip(frame["CRCD"], frame["CRNM"], strict=True)]
    types = ["CA" if c[:3] in ("E47", "E61") else "CR" for c in codes]
    return pd.DataFrame({"child_code": frame["LAD23CD"], "area_code": codes, "area_type": types,
                         "vintage": "2023", "name": frame["CRNM"].str.strip(),
                         "name_welsh": None})


def read_lad_history(path: Path) -> pd.DataFrame:
    frame = read_csv(path, required=["LADCD", "LADNM", "LADCD_ACTIVE"])
    require_values(frame, "LADCD", path, GSS_CODE)
    return frame


def lad23_code_map(history: pd.DataFrame, lad23_codes: set[str]) -> dict[str, str]:
    """Map any LAD code since 2011 to its LAD 2023 code.

    The history maps old codes to the *current* code, which for a few areas is newer than 2023
    (e.g. the 2024 boundary changes gave Barnsley and Sheffield new codes); those current codes
    are mapped back to the 2023 code that became them.
    """
    mapping = {code: code for code in lad23_codes}
    for old, active in zip(history["LADCD"], history["LADCD_ACTIVE"], strict=True):
        if old in lad23_codes and active not in lad23_codes:
            mapping[active] = old
    for old, active in zip(history["LADCD"], history["LADCD_ACTIVE"], strict=True):
        if old not in mapping and mapping.get(active):
            mapping[old] = mapping[active]
    return mapping


def read_council_dates(path: Path) -> pd.DataFrame:
    """End date and mid-2020 population of every council with a GSS code (mySociety), indexed
    by code: when a predecessor was abolished, and its weight when a ratio published for
    predecessors is combined onto their successor."""
    frame = read_csv(path, required=["gss-code", "end-date", "pop-2020"])
    frame = frame[frame["gss-code"].str.fullmatch(GSS_CODE, na=False)]
    frame = frame.drop_duplicates("gss-code").set_index("gss-code")
    population = to_number(frame, "pop-2020", path)
    return pd.DataFrame({"date": frame["end-date"].where(frame["end-date"] != ""),
                         "population_2020": population})


def _code_changes(history: pd.DataFrame, lad23_codes: set[str], councils: pd.DataFrame
                  ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Code changes into LAD 2023 codes (with the date the old council ended and its mid-2020
    population, where mySociety records them), and the retired codes as areas of vintage
    pre-2023."""
    mapping = lad23_code_map(history, lad23_codes)
    retired = history[~history["LADCD"].isin(lad23_codes)].drop_duplicates("LADCD")
    dates = retired["LADCD"].map(councils["date"])
    changes = pd.DataFrame({"old_code": retired["LADCD"],
                            "new_code": retired["LADCD"].map(mapping), "area_type": "LAD",
                            "year": dates.str[:4], "date": dates,
                            "population_2020": retired["LADCD"].map(
                                councils["population_2020"])})
    areas = pd.DataFrame({"area_code": retired["LADCD"], "area_type": "LAD",
                          "vintage": "pre-2023", "name": retired["LADNM"], "name_welsh": None})
    return changes.dropna(subset=["new_code"]), areas


def _nuts_2016(path: Path, changes: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """NUTS 2016 areas and LAD (current code) → NUTS3/NUTS2 rows, for the NUTS-based tables."""
    frame = read_csv(path, required=["LAD18CD", "NUTS318CD", "NUTS318NM", "NUTS218CD",
                                     "NUTS218NM", "NUTS118CD", "NUTS118NM"])
    require_values(frame, "LAD18CD", path, GSS_CODE)
    areas = []
    for level in ("1", "2", "3"):
        rows = frame.drop_duplicates(f"NUTS{level}18CD")
        areas.append(pd.DataFrame({"area_code": rows[f"NUTS{level}18CD"],
                                   "area_type": f"NUTS{level}", "vintage": "2016",
                                   "name": rows[f"NUTS{level}18NM"].str.strip(),
                                   "name_welsh": None}))
    current = changes.set_index("old_code")["new_code"]
    lad = frame["LAD18CD"].map(lambda c: current.get(c, c))
    parts = []
    for level in ("3", "2"):
        pairs = pd.DataFrame({"child_code": lad, "parent_code": frame[f"NUTS{level}18CD"]})
        counts = pairs.value_counts().rename("n").reset_index().sort_values(
            ["child_code", "n", "parent_code"], ascending=[True, False, True])
        parts.append(pd.DataFrame({
            "child_code": counts["child_code"], "child_type": "LAD",
            "parent_code": counts["parent_code"], "parent_type": f"NUTS{level}",
            "vintage": "2016", "primary_parent": ~counts["child_code"].duplicated()}))
    return pd.concat(areas, ignore_index=True), pd.concat(parts, ignore_index=True)
