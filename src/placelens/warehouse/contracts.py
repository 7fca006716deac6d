"""Contracts every source's rows meet once assembled, whichever module produced them: one row
per key, finite values, and no negative counts, money totals or flows; and the contract each
source declares with its provenance (:class:`placelens.sources.provenance.SourceInfo`): at
least ``min_rows`` rows, and for ``complete_for_lads`` sources every LAD 2023 district in
every indicator, measure and year. A row that breaks one stops the build naming the source's
files and what is wrong, so a user's newer release (accepted past the manifest) is held to
the same standard as the tested one."""

from __future__ import annotations

import numpy as np
import pandas as pd

from placelens.errors import DataFormatError
from placelens.sources.provenance import SourceInfo

#: The key of each table: two rows with the same key are two answers to one question.
KEYS = {
    "observations": ["area_code", "area_type", "indicator", "period", "source_id"],
    "activity": ["area_code", "area_type", "vintage", "classification", "activity_code",
                 "period", "measure", "source_id"],
    "flows": ["origin_code", "destination_code", "area_type", "measure", "source_id"],
    "rd_projects": ["project_id", "source_id"],
    "rd_participants": ["project_id", "org_id", "source_id"],
    "rd_organisations": ["org_id", "source_id"],
}
#: Columns that must name a row of another table: (table, column, referenced table, column).
REFERENCES = [("rd_participants", "project_id", "rd_projects", "project_id"),
              ("rd_participants", "org_id", "rd_organisations", "org_id")]
#: Activity measures that may be negative (an industry's GVA is negative when it makes a
#: loss); every other measure counts jobs, businesses or people.
SIGNED_MEASURES = ("gva_",)


def check_contracts(tables: dict[str, pd.DataFrame], infos: dict[str, SourceInfo]) -> None:
    """Refuse duplicated keys, non-finite values, negative counts, a release with too few
    rows and a complete source missing a district.

    Parameters
    ----------
    tables
        The canonical tables (observations, activity, flows, indicators and areas are used).
    infos
        Source id → its provenance and declared contract.
    """
    files = {source_id: info.files for source_id, info in infos.items()}
    additive = set(tables["indicators"].loc[tables["indicators"]["additive"].fillna(False)
                                            .astype(bool), "indicator"])
    for name, key in KEYS.items():
        frame = tables[name]
        _refuse(frame, frame.duplicated(key, keep=False), key, files,
                f"{name}: the same {', '.join(key[:-1])} is given twice")
        if "value" not in frame:
            continue
        values = frame["value"].to_numpy(dtype="float64")
        _refuse(frame, pd.Series(np.isinf(values), index=frame.index), key, files,
                f"{name}: an infinite value")
        negative = pd.Series(values < 0, index=frame.index)
        if name == "observations":
            negative &= frame["indicator"].isin(additive)
        elif name == "activity":
            negative &= ~frame["measure"].str.startswith(SIGNED_MEASURES)
        _refuse(frame, negative, key, files, f"{name}: a negative count or total")
    for name, column, target, target_column in REFERENCES:
        frame = tables[name]
        _refuse(frame, ~frame[column].isin(set(tables[target][target_column])), KEYS[name],
                files, f"{name}: {column} names no row of {target}")
    _check_declared(tables, infos)


def _check_declared(tables: dict[str, pd.DataFrame], infos: dict[str, SourceInfo]) -> None:
    """Each source's declared row minimum and district completeness."""
    rows = pd.concat([tables[name]["source_id"] for name in KEYS]).value_counts()
    areas = tables["areas"]
    lads = set(areas.loc[(areas["area_type"] == "LAD") & (areas["vintage"] == "2023"),
                         "area_code"])
    for source_id, info in infos.items():
        found = int(rows.get(source_id, 0))
        if found < info.min_rows:
            raise DataFormatError(info.files, f"{found:,} rows; a whole release has at least "
                                  f"{info.min_rows:,} (is a file cut short?)")
        if info.complete_for_lads:
            for name, group in (("observations", ["indicator", "period"]),
                                ("activity", ["measure", "period"])):
                _check_every_district(tables[name], source_id, group, lads, info.files)


def _check_every_district(frame: pd.DataFrame, source_id: str, group: list[str],
                          lads: set[str], files: str) -> None:
    mine = frame[(frame["source_id"] == source_id) & frame["area_code"].isin(lads)]
    if mine.empty:
        return
    counts = mine.groupby(group)["area_code"].nunique()
    short = counts[counts < len(lads)]
    if len(short):
        label = short.index[0]
        values = label if isinstance(label, tuple) else (label,)
        cell = mine.set_index(group).loc[label, "area_code"] if len(group) > 1 else \
            mine[mine[group[0]] == label]["area_code"]
        missing = sorted(lads - set(cell))
        raise DataFormatError(files, f"{len(missing)} districts missing for "
                              f"{', '.join(f'{g} {v}' for g, v in zip(group, values, strict=True))}"
                              f" (e.g. {missing[0]}); this source publishes every district")


def _refuse(frame: pd.DataFrame, bad: pd.Series, key: list[str], files: dict[str, str],
            what: str) -> None:
    if not bad.any():
        return
    row = frame[bad].iloc[0]
    where = ", ".join(f"{k} {row[k]!r}" for k in key[:-1])
    value = f"; value {row['value']}" if "value" in row else ""
    raise DataFormatError(files.get(row["source_id"], row["source_id"]),
                          f"{what} ({where}{value})", column="value" if value else key[0])
