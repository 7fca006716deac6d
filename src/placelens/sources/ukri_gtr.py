"""UKRI Gateway to Research (GtR): research grants, the organisations taking part and their
roles, as published by the GtR API (``projectOverview`` documents, snapshot of April 2018).

Each organisation is placed in a local authority district from its postcode with the OS
Code-Point Open lookup (:mod:`placelens.sources.codepoint_open`); how it was placed (or why not)
is kept beside it so the match rate can be reported.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from placelens.analysis.research_funding import UNPLACED, funding_by_area
from placelens.errors import DataFormatError
from placelens.sources import codepoint_open
from placelens.sources.bundle import SourceTables, indicator_rows
from placelens.sources.ons_geography import (
    LAD_HISTORY_FILE,
    LAD_ITL_FILE,
    lad23_code_map,
    read_lad_history,
)
from placelens.sources.provenance import OGL, SourceInfo
from placelens.sources.tabular import file_row, read_csv, require_values, to_number

FOLDER = "ukri_gtr_2018_research_grants"
PROJECTS_FILE = f"{FOLDER}/gtr_projects.csv.gz"
PARTICIPANTS_FILE = f"{FOLDER}/gtr_project_organisations.csv.gz"
ORGANISATIONS_FILE = f"{FOLDER}/gtr_organisations.csv.gz"
SOURCE_ID = "ukri_gtr_2018_04"
INFO = SourceInfo(
    SOURCE_ID, "Gateway to Research: research grants, organisations and their roles", "UK "
    "Research and Innovation", "GtR API snapshot, April 2018", OGL,
    "Contains public sector information licensed under the Open Government Licence v3.0 "
    "(UK Research and Innovation, Gateway to Research)", "https://gtr.ukri.org/",
    f"{PROJECTS_FILE}; {PARTICIPANTS_FILE}; {ORGANISATIONS_FILE}",
    "Organisations placed in LAD October 2025 via Code-Point Open, mapped to LAD 2023 codes "
    "(Barnsley and Sheffield changed code in 2024)",
    "Research council grants only (no Innovate UK); data end April 2018. Partners carry no "
    "organisation type: placelens classifies them from their names.",
    min_rows=185_000)

LEAD_ROLE = "LEAD_RO"
#: Whole calendar years the April 2018 snapshot covers for research council grants.
FUNDING_YEARS = list(range(2006, 2018))
FUNDING_INDICATOR = "ukri_research_grants_gbp"
ROLES = ("LEAD_RO", "COLLABORATOR", "PROJECT_PARTNER", "CO_FUNDER", "FELLOW")


def load(datapack: Path) -> SourceTables:
    out = SourceTables([INFO, codepoint_open.INFO])
    projects = read_projects(datapack / PROJECTS_FILE)
    out.add("rd_projects", projects)
    out.add("rd_participants", read_participants(datapack / PARTICIPANTS_FILE))
    organisations = read_organisations(datapack / ORGANISATIONS_FILE)
    located = codepoint_open.locate_postcodes(organisations["postcode"], datapack)
    history = read_lad_history(datapack / LAD_HISTORY_FILE)
    lad23 = set(read_csv(datapack / LAD_ITL_FILE, required=["LAD23CD"])["LAD23CD"])
    to_2023 = lad23_code_map(history, lad23)
    placed = organisations.assign(
        area_code=located["lad_code"].map(lambda code: to_2023.get(code, code)),
        area_type="LAD", vintage="2023", match_method=located["match_method"])
    out.add("rd_organisations", placed)
    _add_funding(out, projects, placed, sorted(lad23))
    return out


def _add_funding(out: SourceTables, projects: pd.DataFrame, organisations: pd.DataFrame,
                 lads: list[str]) -> None:
    """Research council grant value by the lead organisation's district and calendar year
    (zero where a district led nothing: the register is complete; none for Northern Ireland,
    whose organisations cannot be placed)."""
    lead_area = organisations.set_index("org_id")["area_code"]
    # Code-Point Open has no Northern Ireland postcodes, so NI districts are unknown, not 0.
    placeable = [lad for lad in lads if not lad.startswith("N09")]
    funding = funding_by_area(projects, lead_area, FUNDING_YEARS, placeable)
    funding = funding[funding["area_code"] != UNPLACED]
    out.add("indicators", indicator_rows(SOURCE_ID, [(
        FUNDING_INDICATOR, "Research council grant funding led from the area", "GBP", True, 1,
        "Value of UKRI research council grants (AHRC, BBSRC, EPSRC, ESRC, MRC, NERC, STFC, "
        "NC3Rs) active in the year, pro rata to the days of each grant in the year, attributed "
        "to the district of the lead research organisation. Derived by placelens from the "
        "Gateway to Research register; grants led from Northern Ireland (whose postcodes "
        "Code-Point Open does not cover: no value for NI districts) or unplaced "
        "organisations are not attributed.")]))
    out.add("observations", pd.DataFrame({
        "area_code": funding["area_code"], "area_type": "LAD", "vintage": "2023",
        "indicator": FUNDING_INDICATOR, "period": funding["period"],
        "value": funding["value_gbp"], "source_id": SOURCE_ID}))


def read_projects(path: Path) -> pd.DataFrame:
    """One row per grant: funder, start and end dates, value (£) and lead organisation."""
    frame = read_csv(path, required=["project_id", "grant_reference", "title", "funder_name",
                                      "fund_start", "fund_end", "value_pounds", "lead_org_id"])
    require_values(frame, "project_id", path)
    for column in ("fund_start", "fund_end"):
        require_values(frame, column, path, r"\d{4}-\d{2}-\d{2}")
    return pd.DataFrame({
        "project_id": frame["project_id"], "grant_reference": frame["grant_reference"],
        "title": frame["title"], "funder": frame["funder_name"],
        "start_date": pd.to_datetime(frame["fund_start"]).dt.date,
        "end_date": pd.to_datetime(frame["fund_end"]).dt.date,
        "value_gbp": to_number(frame, "value_pounds", path),
        "lead_org_id": frame["lead_org_id"], "source_id": SOURCE_ID})


def read_participants(path: Path) -> pd.DataFrame:
    """One row per project × organisation, with its roles (pipe-separated, sorted)."""
    frame = read_csv(path, required=["project_id", "org_id", "roles"])
    for column in ("project_id", "org_id", "roles"):
        require_values(frame, column, path)
    roles = frame["roles"].str.split("|").map(lambda r: "|".join(sorted(set(r))))
    unknown = roles.str.split("|").map(lambda r: not set(r) <= set(ROLES)).to_numpy()
    if unknown.any():
        position = int(unknown.argmax())
        raise DataFormatError(path, f"unknown role {frame['roles'].iloc[position]!r}; "
                              f"expected {'|'.join(ROLES)}", row=file_row(frame, position),
                              column="roles")
    return pd.DataFrame({"project_id": frame["project_id"], "org_id": frame["org_id"],
                         "roles": roles, "is_lead": roles.str.contains(LEAD_ROLE),
                         "source_id": SOURCE_ID})


def read_organisations(path: Path) -> pd.DataFrame:
    """One row per organisation: name, postcode, GtR region and country."""
    frame = read_csv(path, required=["org_id", "org_name", "postcode", "region", "country"])
    require_values(frame, "org_id", path)
    blank = lambda column: frame[column].str.strip().replace("", None)  # noqa: E731
    return pd.DataFrame({"org_id": frame["org_id"], "name": frame["org_name"].str.strip(),
                         "postcode": blank("postcode"), "region": blank("region"),
                         "country": blank("country"), "source_id": SOURCE_ID})
