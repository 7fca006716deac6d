"""Panels for impact evaluation: from the warehouse (an indicator for every district with a
complete series) or from a user's CSV, checked once for both synthetic control and
difference-in-differences."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from placelens.analysis.synthetic_control import Predictor
from placelens.errors import DataFormatError, PlacelensError
from placelens.services.indicators import IndicatorService
from placelens.sources.tabular import file_row, read_csv, to_number
from placelens.user_files import check_size


@dataclass(frozen=True)
class Panel:
    """A long panel (``frame``: unit, time, outcome and any other columns), the names of
    its unit, time and outcome columns, a label for the outcome and where it came from."""

    frame: pd.DataFrame
    unit: str
    time: str
    outcome: str
    label: str
    source: str


def warehouse_panel(indicators: IndicatorService, outcome: str) -> Panel:
    """Every district's published series of ``outcome``, keeping the districts with a value
    in every year (synthetic control and the DiD estimators need balanced panels)."""
    table = indicators.table(outcome)
    table = table[table["area_type"] == "LAD"]
    if table.empty:
        raise ValueError(f"indicator {outcome!r} has no district values in the warehouse")
    frame = pd.DataFrame({"unit": table["area_code"].to_numpy(),
                          "year": table["period"].str[:4].astype(int).to_numpy(),
                          outcome: table["value"].to_numpy()})
    years = frame.groupby("unit")["year"].nunique()
    frame = frame[frame["unit"].isin(years[years == years.max()].index)]
    meta = indicators.warehouse.table("indicators").set_index("indicator")
    label = str(meta.loc[outcome, "title"]) if outcome in meta.index else outcome
    source = "placelens warehouse: " + ", ".join(sorted(set(table["source_id"])))
    return Panel(frame.reset_index(drop=True), "unit", "year", outcome, label, source)


def csv_panel(path: Path, unit: str, time: str, outcome: str,
              numeric: list[str] | None = None) -> Panel:
    """A user's CSV panel: ``unit``, ``time`` and ``outcome`` columns required; ``numeric``
    columns (default every column but the unit) parsed as numbers, errors naming the file,
    row and column; time as whole years."""
    check_size(path)
    frame = read_csv(path, required=[unit, time, outcome, *(numeric or [])])
    for column in numeric or [c for c in frame.columns if c != unit]:
        frame[column] = to_number(frame, column, path)
    for column in (time, outcome):
        bad = ~np.isfinite(frame[column].to_numpy(dtype="float64"))
        if bad.any():
            position = int(bad.argmax())
            raise DataFormatError(path, f"{column} is {float(frame[column].iloc[position])} for "
                                  f"{frame[unit].iloc[position]!r}; a panel needs a finite "
                                  "number in every row (drop the row or the unit)",
                                  row=file_row(frame, position), column=column)
    frame[time] = frame[time].astype(int)
    return Panel(frame, unit, time, outcome, outcome, str(path))


def parse_years(text: str, option: str) -> tuple[int, ...]:
    """Years written as 1980, 1980-1988 or a comma list of either (1961,1963,1965-1969);
    errors name ``option``."""
    years: list[int] = []
    try:
        for part in text.split(","):
            first, _, last = part.strip().partition("-")
            years.extend(range(int(first), int(last or first) + 1))
    except ValueError as error:
        raise PlacelensError(f"{option} {text!r}: years must look like 1980, 1980-1988 or "
                             "1961,1963,1965-1969") from error
    if not years:
        raise PlacelensError(f"{option} {text!r} names no year")
    return tuple(years)


def parse_predictor(text: str, option: str = "--predictor") -> Predictor:
    """VARIABLE:YEARS as a :class:`~placelens.analysis.synthetic_control.Predictor`."""
    variable, colon, span = text.rpartition(":")
    if not colon or not variable:
        raise PlacelensError(f"{option} {text!r} must look like VARIABLE:1980-1988")
    return Predictor(variable, parse_years(span, option))
