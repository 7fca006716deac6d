"""ONS Open Geography Portal downloads, replayed from recorded-format responses: what is
written is what the boundary and lookup readers parse."""

import json
from urllib.parse import parse_qs, urlparse

import pytest

from placelens.errors import DataFormatError
from placelens.sources import boundaries, ons_geography, ons_geoportal
from placelens.sources.tabular import read_csv

#: A small square on Hartlepool (longitude, latitude): boundaries must lie in the UK.
SQUARE = {"type": "Polygon", "coordinates": [[[-1.3, 54.6], [-1.3, 54.7], [-1.2, 54.7],
                                             [-1.2, 54.6], [-1.3, 54.6]]]}


def test_query_url_pages_and_asks_for_wgs84():
    url = ons_geoportal.query_url("Some_Service", ["A", "B"], geometry=True, offset=4000)
    parsed = urlparse(url)
    assert parsed.path.endswith("/Some_Service/FeatureServer/0/query")
    query = parse_qs(parsed.query)
    assert query["outSR"] == ["4326"] and query["f"] == ["geojson"]
    assert query["resultOffset"] == ["4000"] and query["outFields"] == ["A,B"]


def test_boundaries_download_round_trips_through_the_reader(tmp_path, monkeypatch):
    monkeypatch.setattr(ons_geoportal, "PAGE_SIZE", 1)
    lad = [{"type": "Feature", "geometry": SQUARE,
            "properties": {"LAD23CD": code, "LAD23NM": name, "LAD23NMW": ""}}
           for code, name in (("E06000001", "Hartlepool"), ("E06000002", "Middlesbrough"))]
    itl = [{"type": "Feature", "geometry": SQUARE,
            "properties": {"ITL321CD": "TLC11", "ITL321NM": "Hartlepool and Stockton"}}]

    def fetch(url):
        query = parse_qs(urlparse(url).query)
        source = lad if "Local_Authority" in url else itl
        offset = int(query["resultOffset"][0])
        return json.dumps({"type": "FeatureCollection",
                           "features": source[offset: offset + 1]}).encode()

    boundaries.download(tmp_path, fetch=fetch)
    tables = boundaries.load(tmp_path)
    frame = tables.tables["boundaries"][0]
    assert frame["area_code"].tolist() == ["E06000001", "E06000002"]


def test_lookup_download_writes_the_reader_columns(tmp_path):
    row = dict(zip(ons_geography.LAD_ITL_FIELDS,
                   ["E06000001", "Hartlepool", "E06000001", "Hartlepool", "TLC11", "H and S",
                    "TLC1", "Tees Valley", "TLC", "North East (England)"], strict=True))

    def fetch(url):
        return json.dumps({"features": [{"attributes": row}]}).encode()

    ons_geography.download(tmp_path, fetch=fetch)
    frame = read_csv(tmp_path / ons_geography.LAD_ITL_FILE, required=["LAD23CD", "ITL321CD"])
    assert frame.iloc[0]["ITL121NM"] == "North East (England)"


def test_portal_error_is_reported():
    def fetch(url):
        return b'{"error": {"code": 400, "message": "Invalid query"}}'

    with pytest.raises(DataFormatError, match="Invalid query"):
        ons_geoportal.fetch_features("X", ["A"], False, fetch)


def test_subnational_indicators_download_checks_before_replacing(tmp_path):
    from placelens.sources import ons_subnational_indicators as sni

    good = ("unique,group,Geography,Indicator,id,Category,Period,Measure,unit,real,value\n"
            "E06000001,Hartlepool,Local Authority District,GVA per hour,GVA per hour,Pay,2021,"
            "Pounds,£,30.6,-0.6\n").encode()
    path = sni.download(tmp_path, fetch=lambda url: good)
    assert sni.load(tmp_path).tables["observations"][0]["value"].tolist() == [30.6]
    with pytest.raises(DataFormatError, match="missing column"):
        sni.download(tmp_path, fetch=lambda url: b"<html>not found</html>\n")
    assert path.read_bytes() == good  # the earlier download is kept
