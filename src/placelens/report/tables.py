"""What every page placelens writes shares: the Jinja environment and tables in the form the
templates' ``data_table`` macro expects."""

from __future__ import annotations

import math
import re

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from placelens.geography.area_types import upper_first


def template_environment() -> Environment:
    """The Jinja environment for every page placelens writes (autoescaped)."""
    env = Environment(loader=PackageLoader("placelens.report", "templates"),
                      autoescape=select_autoescape(["html", "j2"]))
    env.filters["upper_first"] = upper_first
    return env


_NUMBER = re.compile(r"^[£+\-–−]?\(?[\d,.]+\)?(%|m|k)?$|^–$")


def as_table(frame: pd.DataFrame) -> dict:
    """A frame as the template's table: columns, rows, and which columns hold numbers
    (right-aligned, unwrapped), judged from the formatted values."""
    data = frame.to_numpy().tolist()
    numeric = [bool(len(frame)) and all(_NUMBER.match(str(v).strip()) for v in frame[c])
               for c in frame.columns]
    return {"columns": list(frame.columns), "data": data, "numeric": numeric}


def fmt(value: float | None, decimals: int = 0, unit: str = "") -> str:
    """A number for a table cell: thousands separators, £ or £m where the unit says, and
    "–" for missing values."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.{decimals}f}"
    return f"£{text}" if unit == "£" else f"£{text}m" if unit == "£m" else text
