"""Download boundaries and lookups from the ONS Open Geography Portal (ArcGIS REST services).

The portal's feature services return the same field names as the files in the datapack
(``LAD23CD``, ``ITL321CD``...), so a download writes a GeoJSON or CSV file that the boundary and
lookup readers parse unchanged. ``fetch`` is injectable: tests replay recorded responses.
"""

from __future__ import annotations

import csv
import json
import urllib.parse
from pathlib import Path

from placelens.errors import DataFormatError
from placelens.sources.http import Fetch, fetch_url

SERVICES_ROOT = "https://services1.arcgis.com/ESMARspQHYMw9BZ9/arcgis/rest/services"
PAGE_SIZE = 2000  # the portal's usual maxRecordCount


def query_url(service: str, fields: list[str], geometry: bool, offset: int = 0) -> str:
    """One page of a feature-service query: all rows, the named fields, WGS84 coordinates."""
    params = {"where": "1=1", "outFields": ",".join(fields), "outSR": "4326",
              "returnGeometry": "true" if geometry else "false",
              "resultOffset": str(offset), "resultRecordCount": str(PAGE_SIZE),
              "orderByFields": fields[0], "f": "geojson" if geometry else "json"}
    return f"{SERVICES_ROOT}/{service}/FeatureServer/0/query?{urllib.parse.urlencode(params)}"



def fetch_features(service: str, fields: list[str], geometry: bool,
                   fetch: Fetch = fetch_url) -> list[dict]:
    """Every feature of a service, following the portal's paging."""
    features, offset = [], 0
    while True:
        url = query_url(service, fields, geometry, offset)
        try:
            page = json.loads(fetch(url))
        except json.JSONDecodeError as exc:
            raise DataFormatError(url, f"response is not JSON ({exc.msg})") from exc
        if "error" in page:
            raise DataFormatError(url, f"the portal answered with an error: {page['error']}")
        batch = page.get("features", [])
        features.extend(batch)
        if len(batch) < PAGE_SIZE and not page.get("exceededTransferLimit"):
            return features
        offset += len(batch)


def download_geojson(service: str, fields: list[str], destination: Path,
                     fetch: Fetch = fetch_url) -> Path:
    """Write a service's boundaries as a GeoJSON FeatureCollection (WGS84)."""
    features = fetch_features(service, fields, True, fetch)
    destination.parent.mkdir(parents=True, exist_ok=True)
    destination.write_text(json.dumps({"type": "FeatureCollection", "features": features}),
                           encoding="utf-8")
    return destination


def download_table(service: str, fields: list[str], destination: Path,
                   fetch: Fetch = fetch_url) -> Path:
    """Write a lookup service's rows as CSV with the service's own column names."""
    rows = [feature.get("attributes", {}) for feature in
            fetch_features(service, fields, False, fetch)]
    destination.parent.mkdir(parents=True, exist_ok=True)
    with destination.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return destination
