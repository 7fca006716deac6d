"""ONS Visual's neighbouring districts: for each district in England and Wales, the districts
sharing its boundary (longest shared border first) and then nearby districts (nearest first).

Published on LAD 2021 codes; placelens maps them to LAD 2023 codes, so the districts merged
in 2023 take the union of their predecessors' neighbours (without themselves).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from placelens.errors import DataFormatError
from placelens.sources.bundle import SourceTables
from placelens.sources.ons_geography import (
    GSS_CODE,
    LAD_HISTORY_FILE,
    LAD_ITL_FILE,
    lad23_code_map,
    read_lad_history,
)
from placelens.sources.provenance import SourceInfo
from placelens.sources.tabular import read_csv

NEIGHBOURS_FILE = "ons_lad_neighbours/lad2021_neighbours.json"
SOURCE_ID = "onsvisual_lad2021_neighbours"
INFO = [SourceInfo(
    SOURCE_ID, "Local Authority Districts (2021): neighbouring and nearby districts",
    "ONS Data Visualisation team (ONSvisual/Local-Authority-Districts-2021-neighbours)",
    "2022-03-04", "no licence stated; derived from ONS boundaries (OGL v3)",
    "Derived from Office for National Statistics boundaries, licensed under the Open "
    "Government Licence v.3.0. Contains OS data © Crown copyright and database right.",
    "https://github.com/ONSvisual/Local-Authority-Districts-2021-neighbours", NEIGHBOURS_FILE,
    "LAD 2021, mapped to LAD 2023", "England and Wales only; Scottish and Northern Irish "
    "neighbours are left out by the publisher.")]


def load(datapack: Path) -> SourceTables:
    """The ``neighbours`` table (area_code, neighbour_code, kind, rank)."""
    history = read_lad_history(datapack / LAD_HISTORY_FILE)
    lad23 = set(read_csv(datapack / LAD_ITL_FILE, required=["LAD23CD"])["LAD23CD"])
    out = SourceTables(INFO)
    out.add("neighbours", read_neighbours(datapack / NEIGHBOURS_FILE,
                                          lad23_code_map(history, lad23)))
    return out


def read_neighbours(path: Path, to_2023: dict[str, str]) -> pd.DataFrame:
    """Border-sharing and nearby districts of each district, on LAD 2023 codes."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataFormatError(path, f"cannot be read as the neighbours JSON ({exc})") from exc
    if not isinstance(data, dict) or not data:
        raise DataFormatError(path, "expected an object of district code → neighbour lists")
    rows = []
    for code, entry in data.items():
        if not isinstance(entry, list) or not entry or not isinstance(entry[0], list | None):
            raise DataFormatError(path, f"district {code!r}: expected a list of the bordering "
                                  "districts (null for an island) followed by nearby ones")
        listed = [("shares a boundary", c) for c in entry[0] or []] + [("nearby", c)
                                                                       for c in entry[1:]]
        for neighbour in [code, *(c for _, c in listed)]:
            if not isinstance(neighbour, str) or not re.fullmatch(GSS_CODE, neighbour) \
                    or neighbour not in to_2023:
                raise DataFormatError(path, f"district {code!r}: {neighbour!r} is not a LAD "
                                      "code known to the code history")
        rows += [(to_2023[code], kind, to_2023[c], n) for n, (kind, c) in enumerate(listed, 1)]
    frame = pd.DataFrame(rows, columns=["area_code", "kind", "neighbour_code", "order"])
    frame = frame[frame["area_code"] != frame["neighbour_code"]]
    frame = frame.sort_values(["area_code", "kind", "order"], ascending=[True, False, True])
    frame = frame.drop_duplicates(["area_code", "neighbour_code"])
    frame["rank"] = frame.groupby(["area_code", "kind"]).cumcount() + 1
    return frame.assign(source_id=SOURCE_ID)[["area_code", "neighbour_code", "kind", "rank",
                                              "source_id"]]
