"""Careful CSV reading shared by every source module.

Published statistical files carry thousands separators, suppression markers and footnotes, and a
datapack file can be truncated or corrupted in transit. These helpers read such files and turn
every problem into a :class:`~placelens.errors.DataFormatError` naming the file, row and column.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import zlib
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from placelens.errors import DataFormatError

#: Markers ONS, NOMIS and Eurostat use for suppressed, confidential or unavailable cells.
SUPPRESSED_MARKERS = frozenset({"", "..", ".", "x", "*", "-", "c", "z", ":", "[c]", "[x]", "[z]",
                                "[u]", "[w]", "[low]", "!", "#", "n/a", "na", "nan"})


def read_text(path: Path, encoding: str = "utf-8-sig") -> str:
    """Return the decoded text of a plain or gzipped file (UTF-8 by default, BOM removed)."""
    path = Path(path)
    try:
        raw = gzip.open(path).read() if path.suffix == ".gz" else path.read_bytes()
    except FileNotFoundError as exc:
        raise DataFormatError(path, "file not found (check PLACELENS_DATAPACK)") from exc
    except (EOFError, OSError, zlib.error) as exc:
        rows = _rows_readable(path)
        raise DataFormatError(path, f"compressed data is truncated or corrupted ({exc})",
                              row=rows + 1 if rows else None) from exc
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        row = raw[: exc.start].count(b"\n") + 1
        raise DataFormatError(path, f"not valid {encoding} text at byte {exc.start}",
                              row=row) from exc


def _rows_readable(path: Path) -> int:
    """How many complete lines of a damaged gzip file can still be read (for the error)."""
    count = 0
    try:
        with gzip.open(path) as fh:
            for _ in fh:
                count += 1
    except (EOFError, OSError, zlib.error):
        pass
    return count


def read_csv(path: Path, required: Iterable[str] = (), sep: str = ",",
             encoding: str = "utf-8-sig") -> pd.DataFrame:
    """Read a CSV with every column as text, checking the header and the row lengths.

    A truncated last line (fewer fields than the header) or a row with extra fields is reported
    with its row number, so a half-copied file never loads silently.
    """
    path = Path(path)
    text = read_text(path, encoding)
    lines = text.splitlines()
    if not lines:
        raise DataFormatError(path, "file is empty", row=1)
    header = next(csv.reader([lines[0]], delimiter=sep))
    missing = [c for c in required if c not in header]
    if missing:
        raise DataFormatError(path, f"missing column(s) {missing}; header has {header}", row=1)
    _check_field_counts(path, text, len(header), sep)
    return pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)


def _check_field_counts(path: Path, text: str, width: int, sep: str) -> None:
    for row, fields in enumerate(csv.reader(io.StringIO(text), delimiter=sep), start=1):
        if fields and len(fields) != width:
            raise DataFormatError(
                path, f"expected {width} fields, found {len(fields)} "
                "(the file may be truncated or corrupted)", row=row)


def file_row(frame: pd.DataFrame, position: int) -> int:
    """The 1-based file row (header = row 1) of a row of a frame from :func:`read_csv`, even
    after filtering: the frame keeps the reader's 0-based row labels."""
    label = frame.index[position]
    return int(label) + 2 if isinstance(label, (int, np.integer)) else position + 2


def to_number(frame: pd.DataFrame, column: str, path: str | Path) -> pd.Series:
    """Parse a published numeric column into floats.

    Thousands separators are removed; suppression markers (``..``, ``x``, ``*``, blank, ...)
    become NaN. Anything else that is not a number raises an error naming the row.
    """
    values = frame[column].astype(str).str.strip().str.replace(",", "", regex=False)
    parsed = pd.to_numeric(values, errors="coerce").astype("float64")
    unparsed = parsed.isna() & ~values.str.lower().isin(SUPPRESSED_MARKERS)
    if unparsed.any():
        position = int(np.flatnonzero(unparsed.to_numpy())[0])
        raise DataFormatError(path, f"value {frame[column].iloc[position]!r} is not a number",
                              row=file_row(frame, position), column=column)
    return parsed.where(values.str.lower() != "nan")


def require_values(frame: pd.DataFrame, column: str, path: Path,
                   pattern: str | None = None) -> None:
    """Fail on blank keys (and keys not matching ``pattern``), naming the first bad row."""
    values = frame[column].astype(str).str.strip()
    bad = values.eq("")
    if pattern is not None:
        bad |= ~values.str.fullmatch(pattern)
    if bad.any():
        position = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataFormatError(path, f"invalid key {frame[column].iloc[position]!r}",
                              row=file_row(frame, position), column=column)


def wide_years_to_long(frame: pd.DataFrame, id_columns: list[str], path: Path,
                       prefix: str = "") -> pd.DataFrame:
    """Melt ``<prefix><year>`` columns to rows of (ids..., period, value) with parsed numbers."""
    year_columns = [c for c in frame.columns if re.fullmatch(re.escape(prefix) + r"\d{4}", c)]
    if not year_columns:
        raise DataFormatError(path, f"no year columns named like '{prefix}2020'", row=1)
    parsed = frame[id_columns].copy()
    for column in year_columns:
        parsed[column[len(prefix):]] = to_number(frame, column, path)
    long = parsed.melt(id_vars=id_columns, var_name="period", value_name="value")
    return long
