"""One result protocol for everything the services return to the CLI, the API and the web.

A result is a frozen dataclass with

* ``tidy()`` — its main table as a DataFrame (a copy: changing it changes nothing cached);
* ``summary()`` — a few plain sentences for a terminal or a page;
* ``to_dict()`` — JSON-ready (tables as lists of records, numbers as floats, missing as None).

Nothing is carried in ``DataFrame.attrs``, which pandas documents as experimental and drops in
concat and merge."""

from __future__ import annotations

import math
from typing import Any, Protocol

import numpy as np
import pandas as pd


class Result(Protocol):
    def tidy(self) -> pd.DataFrame: ...

    def summary(self) -> str: ...

    def to_dict(self) -> dict[str, Any]: ...


def records(frame: pd.DataFrame, index: str | None = None) -> list[dict[str, Any]]:
    """The rows of ``frame`` as JSON-ready dicts (the index kept as column ``index`` when
    named); NaN becomes None and numpy scalars become Python numbers."""
    table = frame.reset_index() if index or frame.index.name else frame
    if index and frame.index.name is None:
        table = table.rename(columns={"index": index})
    return [{str(k): plain(v) for k, v in row.items()} for row in table.to_dict("records")]


def plain(value: Any) -> Any:
    """A JSON-ready scalar: numpy numbers as Python numbers, NaN and NA as None."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return value
