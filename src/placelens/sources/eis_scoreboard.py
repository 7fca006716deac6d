"""European Innovation Scoreboard 2023, country level (``eis_2023_country_level/`` in the
datapack; European Commission data, Apache-2.0 repository): the context placelens compares a
study abroad with the UK on (docs/evidence.md)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from placelens.errors import DataFormatError
from placelens.sources.tabular import file_row, read_csv, to_number

SCOREBOARD_FILE = "eis_2023_country_level/eis_2023_database_countries_2016_2023.csv.gz"
#: The scoreboard's twelve innovation dimensions (scores relative to the EU of 2016 = 100):
#: the context variables of a country.
DIMENSION_PATTERN = r"^\d\.\d [A-Z]"
#: ISO 3166 codes of the evidence records → the scoreboard's codes.
SCOREBOARD_CODES = {"GB": "UK", "GR": "EL", "EU": "EU Average"}


def read_scoreboard(path: Path) -> pd.DataFrame:
    """Indicator, year, country (scoreboard code) and value of every row; a value that is not
    a number is refused naming the row.

    Parameters
    ----------
    path
        The scoreboard CSV.

    Returns
    -------
    pandas.DataFrame
        Columns indicator, year, country, value.
    """
    frame = read_csv(path, required=["Indicator", "Year", "Country", "Value"])
    years = to_number(frame, "Year", path)
    if years.isna().any():
        position = int(years.isna().to_numpy().argmax())
        raise DataFormatError(path, "the year is missing", row=file_row(frame, position),
                              column="Year")
    return pd.DataFrame({"indicator": frame["Indicator"].to_numpy(),
                         "year": years.astype(int).to_numpy(),
                         "country": frame["Country"].to_numpy(),
                         "value": to_number(frame, "Value", path).to_numpy()})


def dimensions(scoreboard: pd.DataFrame, year: int) -> pd.DataFrame:
    """Countries × the twelve innovation dimensions in ``year``.

    Parameters
    ----------
    scoreboard
        From :func:`read_scoreboard`.
    year
        A scoreboard year (2016–2023).

    Returns
    -------
    pandas.DataFrame
        One row per country (scoreboard code), one column per dimension.
    """
    rows = scoreboard[(scoreboard["year"] == year)
                      & scoreboard["indicator"].str.match(DIMENSION_PATTERN)]
    return rows.pivot_table(index="country", columns="indicator", values="value",
                            aggfunc="first")
