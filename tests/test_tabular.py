"""Reading published files: separators, suppression markers and damaged files."""

import gzip

import pandas as pd
import pytest

from placelens.errors import DataFormatError
from placelens.sources.tabular import read_csv, to_number, wide_years_to_long


def test_numbers_with_thousands_separators_and_suppression_markers(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text('code,2020,2021\nA,"1,234",..\nB,x,[c]\nC,5,-7.5\n', encoding="utf-8")
    frame = read_csv(path, required=["code"])
    long = wide_years_to_long(frame, ["code"], path).set_index(["code", "period"])["value"]
    assert long[("A", "2020")] == 1234
    assert pd.isna(long[("A", "2021")]) and pd.isna(long[("B", "2020")])
    assert long[("C", "2021")] == -7.5


def test_non_numeric_value_names_row_and_column(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("code,2020\nA,1\nB,oops\n", encoding="utf-8")
    frame = read_csv(path)
    with pytest.raises(DataFormatError) as info:
        to_number(frame, "2020", path)
    assert info.value.row == 3 and info.value.column == "2020"
    assert "t.csv, row 3, column '2020'" in str(info.value)


def test_truncated_last_line_is_reported(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("code,2020,2021\nA,1,2\nB,3", encoding="utf-8")
    with pytest.raises(DataFormatError, match="row 3") as info:
        read_csv(path)
    assert "truncated" in str(info.value)


def test_truncated_gzip_is_reported_with_file(tmp_path):
    path = tmp_path / "t.csv.gz"
    data = gzip.compress(("code,value\n" + "A,1\n" * 5000).encode())
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(DataFormatError, match="t.csv.gz.*truncated or corrupted"):
        read_csv(path)


def test_missing_column_and_bad_encoding(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(DataFormatError, match="missing column"):
        read_csv(path, required=["code"])
    latin = tmp_path / "l.csv"
    latin.write_bytes("a\nok\ncaf\xe9\n".encode("latin-1"))
    with pytest.raises(DataFormatError, match="row 3"):
        read_csv(latin)
    assert read_csv(latin, encoding="cp1252")["a"].tolist() == ["ok", "café"]
