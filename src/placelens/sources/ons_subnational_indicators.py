"""ONS Subnational indicators explorer (revised data, 2024): the Levelling Up metrics by LAD."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from placelens.sources.bundle import SourceTables
from placelens.sources.http import Fetch, fetch_url
from placelens.sources.provenance import OGL, SourceInfo
from placelens.sources.tabular import read_csv, require_values, to_number

DATA_FILE = "ons_subnational_indicators/subnational_indicators_revised_data_2024.csv"
SOURCE_ID = "ons_subnational_indicators_2024"
PREFIX = "sni_"
INFO = [SourceInfo(
    SOURCE_ID, "Subnational indicators explorer (revised data)", "Office for National "
    "Statistics", "March 2024", OGL, "Source: Office for National Statistics licensed under the "
    "Open Government Licence v.3.0", "https://www.ons.gov.uk/explore-local-statistics/",
    DATA_FILE, "LAD 2023", "Periods differ by indicator.", min_rows=10_000)]
LAD_PREFIXES = ("E06", "E07", "E08", "E09", "W06", "S12", "N09")
#: ONS publishes the explorer's data in its ONSvisual repository; this is the file the
#: datapack copy came from (pin a commit for a reproducible download).
OFFICIAL_URL = ("https://raw.githubusercontent.com/ONSvisual/subnational-indicators/"
                "{commit}/app/revised_data.csv")
DATAPACK_COMMIT = "b1923378171386355a71a4e763e61dc88c4330dd"


def download(datapack: Path, commit: str = DATAPACK_COMMIT, fetch: Fetch = fetch_url) -> Path:
    """Fetch the explorer's revised data file into ``datapack``; it replaces the old file only
    once it parses."""
    body = fetch(OFFICIAL_URL.format(commit=commit))
    path = datapack / DATA_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".part")
    temporary.write_bytes(body)
    try:
        read_csv(temporary, required=["unique", "Indicator", "id", "Period", "real"])
    except Exception:
        temporary.unlink()
        raise
    temporary.replace(path)
    return path


def indicator_id(label: str) -> str:
    """A stable identifier for a published indicator label (``sni_`` + snake case)."""
    return PREFIX + re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")


def load(datapack: Path) -> SourceTables:
    out = SourceTables(INFO)
    path = datapack / DATA_FILE
    frame = read_csv(path, required=["unique", "Geography", "Indicator", "id", "Period",
                                     "Measure", "unit", "real"])
    require_values(frame, "unique", path, r"[EWSN]\d{8}")
    frame["value"] = to_number(frame, "real", path)
    frame = frame[frame["unique"].str[:3].isin(LAD_PREFIXES)]
    # Unitary authorities appear twice (as district and as county/UA) with equal values.
    frame = frame.sort_values("Geography").drop_duplicates(["unique", "id", "Period"])
    frame["indicator"] = frame["id"].map(indicator_id)
    out.add("observations", pd.DataFrame({
        "area_code": frame["unique"], "area_type": "LAD", "vintage": "2023",
        "indicator": frame["indicator"], "period": frame["Period"].str.strip(),
        "value": frame["value"], "source_id": SOURCE_ID}))
    meta = frame.drop_duplicates("indicator")
    out.add("indicators", pd.DataFrame({
        "indicator": meta["indicator"], "title": meta["Indicator"],
        "unit": meta["unit"].where(meta["unit"] != "", meta["Measure"]), "additive": False,
        "polarity": 0, "source_id": SOURCE_ID, "notes": "Category: " + meta["Category"]}))
    return out
