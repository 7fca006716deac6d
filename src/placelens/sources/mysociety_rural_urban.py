"""mySociety's UK-wide rural–urban profile of local authorities: the share of each council's
population living in highly rural, rural and urban small areas (from the ONS, Scottish
Government and NISRA classifications, harmonised with population density)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from placelens.errors import DataFormatError
from placelens.sources.bundle import SourceTables, indicator_rows
from placelens.sources.provenance import SourceInfo
from placelens.sources.tabular import read_csv, to_number

RUC_FILE = "rural_urban_classification/mysociety_uk_ruc_la_ruc.csv"
CODES_FILE = "lookups/mysociety_lookup_gss_to_registry.csv"
SOURCE_ID = "mysociety_uk_ruc"
INFO = [SourceInfo(
    SOURCE_ID, "UK rural–urban classification of local authorities", "mySociety, from ONS, "
    "Scottish Government and NISRA rural–urban classifications", "June 2025 (uk_ruc)",
    "CC BY 4.0", "Rural–urban profile: mySociety (CC BY 4.0), built on ONS, Scottish "
    "Government and NISRA data licensed under the Open Government Licence v3.0",
    "https://github.com/mysociety/uk_ruc", f"{RUC_FILE}; {CODES_FILE}", "LAD 2023 (via "
    "mySociety register codes)", min_rows=1_000, complete_for_lads=True)]
SHARES = {"highly-rural": "ruc_share_highly_rural", "rural": "ruc_share_rural",
          "urban": "ruc_share_urban"}


def load(datapack: Path) -> SourceTables:
    out = SourceTables(INFO)
    path = datapack / RUC_FILE
    frame = read_csv(path, required=["local-authority-code", *SHARES])
    codes = read_csv(datapack / CODES_FILE, required=["gss-code", "local-authority-code"])
    gss = codes.drop_duplicates("local-authority-code").set_index("local-authority-code")[
        "gss-code"]
    frame["gss"] = frame["local-authority-code"].map(gss)
    unmatched = frame["gss"].isna()
    if unmatched.all():
        raise DataFormatError(path, "no council code matches the GSS lookup", row=2,
                              column="local-authority-code")
    frame = frame[~unmatched & frame["gss"].str.match(r"[EWSN]0[6-9]|S12|N09|W06")]
    parts = [pd.DataFrame({"area_code": frame["gss"], "area_type": "LAD", "vintage": "2023",
                           "indicator": indicator, "period": "2025",
                           "value": to_number(frame, column, path), "source_id": SOURCE_ID})
             for column, indicator in SHARES.items()]
    out.add("observations", pd.concat(parts, ignore_index=True))
    out.add("indicators", indicator_rows(SOURCE_ID, [
        (indicator, f"Share of population in {column.replace('-', ' ')} small areas",
         "share", False, 0, "") for column, indicator in SHARES.items()]))
    return out
