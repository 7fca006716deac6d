"""Indicator tables that partnerships upload (CSV or XLSX): one value per area and period.

The expected columns are ``area_code``, ``period`` and ``value`` (any order, any case; an
``area_name`` column may be present and is kept as a label only). Every problem is reported as
a :class:`DataFormatError` naming the file, the row (header = row 1) and the column, and
nothing is stored unless the whole table is valid."""

from __future__ import annotations

import io
import math
from collections.abc import Container

import pandas as pd

from placelens.errors import DataFormatError
from placelens.user_files import shorten

MAX_UPLOAD_BYTES = 5_000_000
MAX_ROWS = 50_000
REQUIRED = ("area_code", "period", "value")


def read_indicator_table(filename: str, data: bytes, known_codes: Container[str]
                         ) -> pd.DataFrame:
    """The rows of an uploaded table (area_code, area_name, period, value), validated.

    Parameters
    ----------
    filename : str
        The name the user gave the file (``.csv``, ``.xlsx``); used in messages only.
    data : bytes
        The file's content.
    known_codes : container of str
        GSS/ITL codes an area code must be one of.

    Returns
    -------
    pandas.DataFrame
        One row per area and period, ``value`` as float.
    """
    name = shorten(filename or "upload", 120)
    if len(data) > MAX_UPLOAD_BYTES:
        raise DataFormatError(name, f"the file is {len(data):,} bytes; the limit is "
                              f"{MAX_UPLOAD_BYTES:,}")
    frame = _parse(name, data)
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    for column in REQUIRED:
        if column not in frame.columns:
            raise DataFormatError(name, f"no {column!r} column; the table needs columns "
                                  f"{', '.join(REQUIRED)}", row=1)
    if frame.empty:
        raise DataFormatError(name, "the table has no rows", row=2)
    if len(frame) > MAX_ROWS:
        raise DataFormatError(name, f"{len(frame):,} rows; the limit is {MAX_ROWS:,}")
    rows = []
    for position, record in enumerate(frame.to_dict("records")):
        rows.append(_check_row(name, position + 2, record, known_codes))
    table = pd.DataFrame(rows)
    repeated = table.duplicated(["area_code", "period"], keep="first")
    if repeated.any():
        row = int(repeated.to_numpy().argmax()) + 2
        raise DataFormatError(name, "this area and period appear on an earlier row", row=row,
                              column="period")
    return table


def _parse(name: str, data: bytes) -> pd.DataFrame:
    lower = name.lower()
    try:
        if lower.endswith(".xlsx"):
            return pd.read_excel(io.BytesIO(data), dtype=str, engine="openpyxl")
        if lower.endswith(".csv"):
            return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False,
                               encoding="utf-8-sig")
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError, OSError) as error:
        raise DataFormatError(name, f"cannot be read: {shorten(str(error), 200)}") from None
    except Exception as error:  # openpyxl raises its own types for damaged workbooks
        raise DataFormatError(name, f"cannot be read as a workbook: {type(error).__name__}"
                              ) from None
    raise DataFormatError(name, "upload a .csv or .xlsx file")


def _check_row(name: str, row: int, record: dict, known_codes: Container[str]) -> dict:
    code = str(record.get("area_code") or "").strip().upper()
    if code not in known_codes:
        raise DataFormatError(name, f"{shorten(code, 40)!r} is not a GSS/ITL area code "
                              "placelens knows", row=row, column="area_code")
    period = str(record.get("period") or "").strip()
    if not period or len(period) > 20:
        raise DataFormatError(name, "a period (like 2023 or 2023-24) is needed", row=row,
                              column="period")
    text = str(record.get("value") or "").strip().replace(",", "")
    try:
        value = float(text)
    except ValueError:
        raise DataFormatError(name, f"{shorten(text, 40)!r} is not a number", row=row,
                              column="value") from None
    if not math.isfinite(value):
        raise DataFormatError(name, "the value must be a finite number", row=row,
                              column="value")
    label = str(record.get("area_name") or "").strip()
    return {"area_code": code, "area_name": shorten(label, 120), "period": period,
            "value": value}
