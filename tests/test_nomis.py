"""NOMIS request building and response parsing, on recorded-format responses (no network)."""

from urllib.parse import parse_qs, urlparse

import pytest

from placelens.errors import DataFormatError
from placelens.sources import nomis

HEADER = ("DATE_NAME,GEOGRAPHY_CODE,GEOGRAPHY_TYPE,INDUSTRY_CODE,INDUSTRY_NAME,OBS_VALUE,"
          "OBS_STATUS\n")
RECORDED = HEADER + (
    '2022,E06000001,local authorities: district / unitary (as of April 2023),146800641,'
    '"01 : Crop and animal production, hunting and related service activities",125,A\n'
    "2022,E06000001,local authorities: district / unitary (as of April 2023),146800642,"
    "02 : Forestry and logging,0,Q\n")


def test_url_has_dataset_geography_and_paging():
    url = nomis.build_url("bres", "146800641...146800643", "2021,2022", offset=25000)
    parsed = urlparse(url)
    assert parsed.path.endswith("/NM_189_1.data.csv")
    query = parse_qs(parsed.query)
    assert query["geography"] == [nomis.LAD_GEOGRAPHY]
    assert query["date"] == ["2021,2022"]
    assert query["RecordOffset"] == ["25000"]
    assert query["measures"] == ["20100"] and query["employment_status"] == ["4"]


def test_unknown_dataset_is_rejected():
    with pytest.raises(ValueError, match="dataset must be one of"):
        nomis.build_url("census", "1")


def test_parse_recorded_response_marks_suppressed_values():
    rows = nomis.parse_response(RECORDED.encode(), "bres")
    assert rows["activity_code"].tolist() == ["01", "02"]
    assert rows["value"].iloc[0] == 125
    assert rows["value"].isna().iloc[1]  # status Q = suppressed
    assert set(rows["measure"]) == {"employment"}


def test_download_pages_until_a_short_page(monkeypatch):
    monkeypatch.setattr(nomis, "PAGE_SIZE", 2)
    calls = []

    def fake_fetch(url):
        calls.append(parse_qs(urlparse(url).query)["RecordOffset"][0])
        return RECORDED.encode() if len(calls) == 1 else (HEADER + RECORDED.splitlines()[1]
                                                          + "\n").encode()

    rows = nomis.download("business_counts", "146800641", fetch=fake_fetch)
    assert calls == ["0", "2"] and len(rows) == 3
    assert set(rows["measure"]) == {"business_count"}


def test_malformed_response_is_a_clear_error():
    with pytest.raises(DataFormatError, match="lacks columns"):
        nomis.parse_response(b"error,message\n1,bad request\n", "bres")
