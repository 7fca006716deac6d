"""Nesta/BEIS R&D and innovation indicators by NUTS2, NUTS3 and LEP (processed open data,
2021): one long CSV per indicator and geography, with a YAML schema describing it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from placelens.errors import DataFormatError
from placelens.sources.bundle import SourceTables
from placelens.sources.provenance import SourceInfo
from placelens.sources.tabular import read_csv, require_values, to_number

FOLDER = "nesta_beis_indicators/processed"
SOURCE_ID = "nesta_beis_indicators_2021"
INFO = [SourceInfo(
    SOURCE_ID, "R&D and innovation indicators for UK regions (BEIS indicators)",
    "Nesta for BEIS, from Eurostat, ONS, HESA, UKRI, DEFRA and others", "December 2021",
    "MIT (Nesta repository); underlying public data under their own open licences",
    "Contains Nesta R&D and innovation indicators (MIT); underlying ONS, HESA and UKRI data "
    "licensed under the Open Government Licence v3.0", "https://github.com/nestauk/beis-indicators",
    f"{FOLDER}/**/*.csv", "NUTS 2010/2013/2016 and LEP (per row)",
    "Nothing after about 2020. PATSTAT and Crunchbase aggregates derive from proprietary data.",
    min_rows=58_000)]
GEOGRAPHY = {"nuts_id": "NUTS", "lep_id": "LEP"}
SEGMENT_LOOKUP_FILE = "nesta_beis_indicators/raw/sic_4_industry_segment_lookup.csv"
SEGMENT_CLASSIFICATION = "nesta_segment"


def load(datapack: Path) -> SourceTables:
    out = SourceTables(INFO)
    meta_rows = []
    for path in sorted((datapack / FOLDER).glob("*/*.csv")):
        frame, meta = _read_indicator(path)
        out.add("observations", frame)
        meta_rows.append(meta)
    meta = pd.DataFrame(meta_rows).drop_duplicates("indicator")
    out.add("indicators", meta.assign(additive=False, polarity=1, source_id=SOURCE_ID))
    out.add("activity_codes", read_segments(datapack / SEGMENT_LOOKUP_FILE))
    return out


def read_segments(path: Path) -> pd.DataFrame:
    """Nesta's SIC 4-digit → industry segment (cluster) lookup, as activity codes of the
    ``nesta_segment`` classification: code = SIC 4-digit class, parent = segment."""
    frame = read_csv(path, required=["sic_4", "descr", "category", "cluster"])
    frame["sic_4"] = frame["sic_4"].str.strip().str.zfill(4)
    require_values(frame, "sic_4", path, r"\d{4}")
    require_values(frame, "cluster", path)
    return pd.DataFrame({"classification": SEGMENT_CLASSIFICATION,
                         "activity_code": frame["sic_4"], "name": frame["descr"],
                         "parent_code": frame["cluster"], "level": frame["category"]})


def _read_indicator(path: Path) -> tuple[pd.DataFrame, dict]:
    header = path.read_text(encoding="utf-8-sig").split("\n", 1)[0].split(",")
    if len(header) != 4 or header[1] not in GEOGRAPHY:
        raise DataFormatError(path, f"expected year,<nuts_id|lep_id>,<spec>,<value>; got {header}",
                              row=1)
    year, code_column, spec_column, value_column = header
    frame = read_csv(path, required=header)
    require_values(frame, code_column, path)
    level = path.stem.split(".")[-1] if "." in path.stem else ""
    if code_column == "lep_id":
        area_type = pd.Series("LEP", index=frame.index)
    else:
        area_type = "NUTS" + frame[code_column].str.len().sub(2).astype(str)
    spec = frame[spec_column].str.lstrip("-")
    values = to_number(frame, value_column, path)
    # Nesta publishes "inf" where a ratio divided by zero (house prices, UKE12, 2018): the
    # value does not exist, so it is treated as not published.
    values = values.where(np.isfinite(values))
    observations = pd.DataFrame({
        "area_code": frame[code_column], "area_type": area_type, "vintage": spec,
        "indicator": "nesta_" + value_column, "period": frame[year],
        "value": values, "source_id": SOURCE_ID})
    observations = _drop_repeated_rows(observations, path)
    return observations, {"indicator": "nesta_" + value_column,
                          **_schema(path, value_column, level)}


def _drop_repeated_rows(observations: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Rows published twice with the same value are kept once; two different values for one
    area and year are an error naming the row."""
    key = ["area_code", "area_type", "period"]
    repeated = observations.duplicated([*key, "value"])
    conflicting = observations[~repeated].duplicated(key)
    if conflicting.any():
        position = int(np.flatnonzero(conflicting.to_numpy())[0])
        row = observations[~repeated].iloc[position]
        raise DataFormatError(path, f"two different values for {row['area_code']} in "
                              f"{row['period']}", column=row["indicator"].removeprefix("nesta_"))
    return observations[~repeated]


def _schema(path: Path, value_column: str, level: str) -> dict:
    """Title and unit from the indicator's YAML schema, where one is published."""
    candidates = [path.with_suffix(".yaml"), path.parent / f"{value_column}.yaml"]
    for candidate in candidates:
        if candidate.exists():
            schema = yaml.safe_load(candidate.read_text(encoding="utf-8")) or {}
            value = (schema.get("schema") or {}).get("value") or {}
            return {"title": value.get("label") or schema.get("title") or value_column,
                    "unit": value.get("data_type", ""),
                    "notes": str(schema.get("subtitle") or schema.get("source_name") or "")}
    return {"title": value_column.replace("_", " "), "unit": "", "notes": level}
