"""ONS generalised boundaries: LAD May 2023 (UK) and ITL3 January 2021 (UK, BUC), in WGS84.

ITL2 and ITL1 outlines are dissolved from ITL3 (the code prefix gives the parent)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import shapely
from shapely.geometry import mapping, shape

from placelens.errors import DataFormatError
from placelens.sources import ons_geoportal
from placelens.sources.bundle import SourceTables
from placelens.sources.http import Fetch, fetch_url
from placelens.sources.provenance import OGL, SourceInfo
from placelens.sources.tabular import read_text

LAD_FILE = "boundaries/lad_2023_uk_generalised.geojson"
ITL3_FILE = "boundaries/itl3_jan2021_uk_buc.geojson"
BOUNDARY_ATTRIBUTION = ("Source: Office for National Statistics licensed under the Open "
                        "Government Licence v.3.0. Contains OS data © Crown copyright and "
                        "database right {year}.")
INFO = [
    SourceInfo("ons_lad_2023_boundaries", "Local Authority Districts (May 2023) boundaries UK "
               "(generalised)", "Office for National Statistics (Open Geography Portal)",
               "May 2023", OGL, BOUNDARY_ATTRIBUTION.format(year=2023),
               "https://geoportal.statistics.gov.uk/", LAD_FILE, "LAD 2023"),
    SourceInfo("ons_itl3_2021_boundaries", "International Territorial Level 3 (January 2021) "
               "boundaries UK BUC", "Office for National Statistics (Open Geography Portal)",
               "January 2021 (V3, 2022)", OGL, BOUNDARY_ATTRIBUTION.format(year=2022),
               "https://geoportal.statistics.gov.uk/", ITL3_FILE, "ITL January 2021"),
]


#: Portal services for the two boundary files (names as published on the portal; pass another
#: ``service`` for a newer vintage).
LAD_SERVICE = "Local_Authority_Districts_May_2023_UK_BGC_V2"
ITL3_SERVICE = "International_Territorial_Level_3_January_2021_UK_BUC_V3_2022"


def download(datapack: Path, lad_service: str = LAD_SERVICE, itl3_service: str = ITL3_SERVICE,
             fetch: Fetch = fetch_url) -> list[Path]:
    """Fetch both boundary files from the ONS Open Geography Portal into ``datapack``."""
    return [
        ons_geoportal.download_geojson(lad_service, ["LAD23CD", "LAD23NM", "LAD23NMW", "LONG",
                                                     "LAT"], datapack / LAD_FILE, fetch),
        ons_geoportal.download_geojson(itl3_service, ["ITL321CD", "ITL321NM"],
                                       datapack / ITL3_FILE, fetch),
    ]


def read_features(path: Path, code_property: str) -> list[dict]:
    """GeoJSON features with a code property and a valid geometry, or a clear error."""
    try:
        collection = json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise DataFormatError(path, f"not valid JSON ({exc.msg})", row=exc.lineno) from exc
    features = collection.get("features") if isinstance(collection, dict) else None
    if not features:
        raise DataFormatError(path, "no GeoJSON features found")
    for number, feature in enumerate(features, start=1):
        if code_property not in (feature.get("properties") or {}) or not feature.get("geometry"):
            raise DataFormatError(path, f"feature {number} lacks {code_property!r} or geometry",
                                  column=code_property)
        _check_coordinates(path, number, feature, code_property)
    return features


#: Longitude and latitude bounds of the UK and its waters (WGS84), generously drawn.
UK_BOUNDS = (-11.0, 49.0, 3.0, 61.5)


def _check_coordinates(path: Path, number: int, feature: dict, code_property: str) -> None:
    """Coordinates are numbers inside the UK: one in another projection (metres, not degrees)
    would be stored and drawn off the map. (Numbers given as strings are stored as numbers:
    geometries are written back from their parsed shapes.)"""
    code = feature["properties"][code_property]
    try:
        west, south, east, north = shape(feature["geometry"]).bounds
    except (TypeError, ValueError, AttributeError, KeyError) as exc:
        raise DataFormatError(path, f"feature {number} ({code}): geometry is not valid "
                              f"GeoJSON ({exc})", column="geometry") from exc
    low_x, low_y, high_x, high_y = UK_BOUNDS
    if not (low_x <= west <= east <= high_x and low_y <= south <= north <= high_y):
        raise DataFormatError(path, f"feature {number} ({code}): coordinates span "
                              f"{west:.2f}…{east:.2f} E, {south:.2f}…{north:.2f} N, outside the "
                              "UK (expected WGS84 longitude and latitude)", column="geometry")


def load(datapack: Path) -> SourceTables:
    out = SourceTables(INFO)
    lads = read_features(datapack / LAD_FILE, "LAD23CD")
    out.add("boundaries", pd.DataFrame({
        "area_code": [f["properties"]["LAD23CD"] for f in lads], "area_type": "LAD",
        "vintage": "2023", "geojson": [json.dumps(mapping(shape(f["geometry"])))
                                       for f in lads]}))
    welsh = [(f["properties"]["LAD23CD"], (f["properties"].get("LAD23NMW") or "").strip())
             for f in lads]
    welsh = [(code, name) for code, name in welsh if name]
    out.add("areas", pd.DataFrame({"area_code": [c for c, _ in welsh], "area_type": "LAD",
                                   "vintage": "2023", "name": None,
                                   "name_welsh": [n for _, n in welsh]}))
    itl3 = read_features(datapack / ITL3_FILE, "ITL321CD")
    geometries = {f["properties"]["ITL321CD"]: shape(f["geometry"]) for f in itl3}
    rows = [(code, "ITL3", geom) for code, geom in geometries.items()]
    for level, width in (("ITL2", 4), ("ITL1", 3)):
        parents = sorted({code[:width] for code in geometries})
        for parent in parents:
            parts = [g for c, g in geometries.items() if c.startswith(parent)]
            rows.append((parent, level, shapely.union_all(parts)))
    out.add("boundaries", pd.DataFrame({
        "area_code": [r[0] for r in rows], "area_type": [r[1] for r in rows], "vintage": "2021",
        "geojson": [json.dumps(mapping(r[2])) for r in rows]}))
    return out
