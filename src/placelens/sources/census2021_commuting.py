"""Census 2021 origin–destination flows (ODWP01EW, lower-tier local authorities).

Rows: residence LTLA × workplace LTLA × place-of-work indicator. Indicator 3 is commuting
within the UK; 1 is working mainly at or from home (recorded with the home LTLA as
destination); 2 is offshore or abroad; -8 is not in employment. The census fell in the March
2021 lockdown, so home working is unusually high and commuting unusually low: ONS advises
caution, and placelens says so wherever these flows are used."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from placelens.sources.bundle import SourceTables
from placelens.sources.provenance import OGL, SourceInfo
from placelens.sources.tabular import read_csv, require_values, to_number

OD_FILE = "census2021_commuting_od/ODWP01EW_LTLA.csv.gz"
SOURCE_ID = "census2021_odwp01ew_ltla"
LOCKDOWN_NOTE = ("Census 2021 fell during the March 2021 lockdown: home working was unusually "
                 "high and commuting unusually low, so ONS advises caution with these flows.")
INFO = [SourceInfo(
    SOURCE_ID, "Census 2021 origin-destination: workplace by place of work indicator "
    "(ODWP01EW), lower-tier local authorities", "Office for National Statistics",
    "Census 2021 (November 2023 release)", OGL, "Source: Office for National Statistics "
    "licensed under the Open Government Licence v.3.0",
    "https://www.ons.gov.uk/census/maps/choropleth/work/", OD_FILE,
    "LTLA 2021/22, merged to LAD 2023", LOCKDOWN_NOTE + " Counts are perturbed for disclosure "
    "control. England and Wales residents only.", min_rows=72_000)]
COLUMNS = {"Lower tier local authorities code": "origin",
           "LTLA of workplace code": "destination",
           "Place of work indicator (4 categories) code": "indicator", "Count": "count"}


def load(datapack: Path) -> SourceTables:
    out = SourceTables(INFO)
    out.add("flows", read_flows(datapack / OD_FILE))
    return out


#: The census's destination codes for people working offshore or outside the UK.
OUTSIDE_CODES = {"888888888": "OFFSHORE", "999999999": "OUTSIDE_UK"}
MEASURES = {"1": "works_at_home", "2": "works_outside_uk_or_offshore", "3": "commutes"}


def read_flows(path: Path) -> pd.DataFrame:
    """Workers by residence and workplace district, one measure per place-of-work indicator."""
    frame = read_csv(path, required=list(COLUMNS)).rename(columns=COLUMNS)
    require_values(frame, "origin", path, r"[EW]\d{8}")
    frame["count"] = to_number(frame, "count", path)
    return tidy_flows(frame, "LAD", SOURCE_ID)


def tidy_flows(frame: pd.DataFrame, area_type: str, source_id: str) -> pd.DataFrame:
    """Rows (origin, destination, indicator, count) as warehouse flows, one measure per
    place-of-work indicator: people commuting (indicator 3), working mainly at home (1,
    destination = own area) and working offshore (2, destination ``OFFSHORE``) or outside
    the UK (2, ``OUTSIDE_UK``); people not in employment (-8) are left out."""
    kind = frame["indicator"].str.strip()
    working = frame[kind.isin(list(MEASURES))].copy()
    working["destination"] = working["destination"].str.strip().replace(OUTSIDE_CODES)
    return pd.DataFrame({"origin_code": working["origin"],
                         "destination_code": working["destination"], "area_type": area_type,
                         "vintage": "2021", "period": "2021",
                         "measure": kind[working.index].map(MEASURES),
                         "value": working["count"], "source_id": source_id})
