"""NOMIS API: BRES employment and UK Business Counts by local authority × SIC 2007.

The datapack has BRES only at NUTS2; online users can fetch the LAD × industry tables straight
from NOMIS. Requests are built here and the CSV responses parsed into the warehouse's activity
rows; ``fetch`` is injectable so tests use recorded responses, never the network.
"""

from __future__ import annotations

import io
import urllib.parse

import pandas as pd

from placelens.errors import DataFormatError
from placelens.sources.http import Fetch, fetch_url
from placelens.sources.tabular import to_number

API_ROOT = "https://www.nomisweb.co.uk/api/v01/dataset"
#: dataset id → (measure name in the warehouse, fixed query parameters)
DATASETS = {
    "bres": ("NM_189_1", "employment", {"employment_status": "4", "measure": "1",
                                        "measures": "20100"}),
    "business_counts": ("NM_141_1", "business_count", {"employment_sizeband": "0",
                                                       "legal_status": "0",
                                                       "measures": "20100"}),
}
COLUMNS = ["DATE_NAME", "GEOGRAPHY_CODE", "GEOGRAPHY_TYPE", "INDUSTRY_CODE", "INDUSTRY_NAME",
           "OBS_VALUE", "OBS_STATUS"]
PAGE_SIZE = 25_000  # NOMIS returns at most 25,000 rows per call
#: NOMIS observation status codes that mean the value is not usable.
SUPPRESSED_STATUS = {"Q", "!", "*", "-", "x"}
#: NOMIS geography type for local authority districts on April 2023 boundaries.
LAD_GEOGRAPHY = "TYPE424"



def build_url(dataset: str, industries: str, dates: str = "latest",
              geography: str = LAD_GEOGRAPHY, offset: int = 0) -> str:
    """The NOMIS CSV request for one page of a dataset.

    ``industries`` is a NOMIS industry selection, e.g. ``"146800641...146800643"`` or a list of
    codes; ``dates`` is ``latest`` or comma-separated years.
    """
    if dataset not in DATASETS:
        raise ValueError(f"dataset must be one of {sorted(DATASETS)}, not {dataset!r}")
    dataset_id, _, fixed = DATASETS[dataset]
    params = {"geography": geography, "industry": industries, "date": dates, **fixed,
              "select": ",".join(COLUMNS), "RecordOffset": str(offset),
              "RecordLimit": str(PAGE_SIZE)}
    return f"{API_ROOT}/{dataset_id}.data.csv?{urllib.parse.urlencode(params, safe=',.')}"


def parse_response(body: bytes, dataset: str, url: str = "NOMIS response") -> pd.DataFrame:
    """Activity rows (LAD × SIC) from a NOMIS CSV page. Suppressed cells become NaN."""
    text = body.decode("utf-8-sig")
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise DataFormatError(url, f"NOMIS response lacks columns {missing}", row=1)
    values = to_number(frame, "OBS_VALUE", url)
    values[frame["OBS_STATUS"].str.strip().isin(SUPPRESSED_STATUS)] = float("nan")
    codes = frame["INDUSTRY_NAME"].str.split(" : ", n=1).str[0].str.strip()
    return pd.DataFrame({
        "area_code": frame["GEOGRAPHY_CODE"], "area_type": "LAD", "vintage": "2023",
        "classification": "sic2007", "activity_code": codes, "period": frame["DATE_NAME"],
        "measure": DATASETS[dataset][1], "value": values,
        "source_id": f"nomis_{dataset}_lad"})



def download(dataset: str, industries: str, dates: str = "latest",
             geography: str = LAD_GEOGRAPHY, fetch: Fetch = fetch_url) -> pd.DataFrame:
    """Fetch every page of a NOMIS query and return the parsed activity rows."""
    pages, offset = [], 0
    while True:
        url = build_url(dataset, industries, dates, geography, offset)
        page = parse_response(fetch(url), dataset, url)
        pages.append(page)
        if len(page) < PAGE_SIZE:
            break
        offset += PAGE_SIZE
    return pd.concat(pages, ignore_index=True)
