"""Ordnance Survey Code-Point Open: every live GB postcode with its local authority district.

Used to place organisations (by their postcode) in a district. A postcode that has been
terminated since the organisation registered falls back to its postcode sector, then to its
outcode (postcode district), taking the district that holds most of the sector's or outcode's
live postcodes. Northern Ireland (BT) postcodes are not in Code-Point Open.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from pathlib import Path

import duckdb
import pandas as pd

from placelens.errors import DataFormatError
from placelens.sources.bundle import SourceTables
from placelens.sources.http import Fetch, fetch_url
from placelens.sources.provenance import OGL, SourceInfo
from placelens.sources.tabular import read_csv, require_values, to_number

FOLDER = "postcode_lookup_codepoint_open_2025"
POSTCODE_FILE = f"{FOLDER}/codepoint_open_2025_10_postcode_to_lad.csv.gz"
SECTOR_FILE = f"{FOLDER}/postcode_sector_to_lad_2025.csv.gz"
OUTCODE_FILE = f"{FOLDER}/postcode_district_outcode_to_lad_2025.csv"
SOURCE_ID = "os_codepoint_open_2025_10"
ATTRIBUTION = ("Contains OS data © Crown copyright and database right 2025; Contains Royal Mail "
               "data © Royal Mail copyright and database right 2025; Contains National "
               "Statistics data © Crown copyright and database right 2025")
INFO = SourceInfo(
    SOURCE_ID, "Code-Point Open (postcode to local authority district)", "Ordnance Survey",
    "2025.4.0 (October 2025)", OGL, ATTRIBUTION,
    "https://www.ordnancesurvey.co.uk/products/code-point-open",
    f"{POSTCODE_FILE}; {SECTOR_FILE}; {OUTCODE_FILE}",
    "LAD October 2025 (Boundary-Line)",
    "Great Britain only: Northern Ireland (BT) postcodes are not covered. Live postcodes only; "
    "terminated postcodes fall back to their sector, then their outcode.")

def load(datapack: Path) -> SourceTables:
    """The ``postcodes`` table: every live GB postcode (compact, ``B11AY``), postcode sector
    (``B1 1``) and outcode (``B1``) with its district, so that places can be found by
    postcode."""
    path = datapack / POSTCODE_FILE
    exact = read_postcodes(path)
    parts = [exact.assign(kind="postcode")]
    for kind, name, share in (("sector", SECTOR_FILE, "share_of_sector"),
                              ("outcode", OUTCODE_FILE, "share_of_outcode")):
        best = _area_lookup(datapack / name, kind, share)
        parts.append(pd.DataFrame({"key": list(best), "lad_code": list(best.values()),
                                   "kind": kind}))
    out = SourceTables([INFO])
    out.add("postcodes", pd.concat(parts, ignore_index=True).assign(source_id=SOURCE_ID))
    return out


#: How a postcode was placed, best first.
MATCH_METHODS = ("postcode", "sector", "outcode")
UK_POSTCODE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)(\d)([A-Z]{2})$")


def normalise_postcode(raw: object) -> str | None:
    """Upper-case without spaces (``"b1 1ay"`` → ``"B11AY"``); None when not a UK postcode."""
    if not isinstance(raw, str):
        return None
    compact = re.sub(r"\s+", "", raw).upper()
    return compact if UK_POSTCODE.match(compact) else None


def postcode_parts(compact: str) -> tuple[str, str]:
    """(outcode, sector) of a compact postcode: ``"B11AY"`` → (``"B1"``, ``"B1 1"``)."""
    match = UK_POSTCODE.match(compact)
    if match is None:
        raise ValueError(f"{compact!r} is not a compact UK postcode")
    return match.group(1), f"{match.group(1)} {match.group(2)}"


def locate_postcodes(postcodes: pd.Series, datapack: Path) -> pd.DataFrame:
    """District of each postcode (index kept): columns ``lad_code`` and ``match_method``.

    ``match_method`` is ``postcode``, ``sector`` or ``outcode`` when placed, else the reason it
    was not: ``no postcode``, ``not a UK postcode``, ``Northern Ireland`` (BT, not covered by
    Code-Point Open) or ``not found``.
    """
    compact = postcodes.map(normalise_postcode)
    exact = _exact_lookup(compact.dropna().unique(), datapack / POSTCODE_FILE)
    sector = _area_lookup(datapack / SECTOR_FILE, "sector", "share_of_sector")
    outcode = _area_lookup(datapack / OUTCODE_FILE, "outcode", "share_of_outcode")
    placed = [_place(value, exact, sector, outcode) if isinstance(value, str) else
              (None, "not a UK postcode" if _given(raw) else "no postcode")
              for value, raw in zip(compact, postcodes, strict=True)]
    return pd.DataFrame(placed, columns=["lad_code", "match_method"], index=postcodes.index)


def _given(raw: object) -> bool:
    return isinstance(raw, str) and raw.strip() != ""


def _place(compact: str, exact: dict, sector: dict, outcode: dict
           ) -> tuple[str | None, str]:
    """(LAD, method) of one compact postcode, trying the finest lookup first."""
    out, sec = postcode_parts(compact)
    for method, table, key in zip(MATCH_METHODS, (exact, sector, outcode), (compact, sec, out),
                                  strict=True):
        if table.get(key):
            return table[key], method
    return None, "Northern Ireland" if compact.startswith("BT") else "not found"


def _exact_lookup(wanted, path: Path) -> dict[str, str]:
    """Compact postcode → LAD for the wanted postcodes."""
    every = read_postcodes(path)
    found = every[every["key"].isin(set(wanted))]
    return dict(zip(found["key"], found["lad_code"], strict=True))


def read_postcodes(path: Path) -> pd.DataFrame:
    """Every live postcode of the lookup (compact, as ``key``) with its district, read with
    DuckDB (1.7 M rows); a postcode given two districts is refused (the last would win)."""
    if not path.exists():
        raise DataFormatError(path, "file not found (check PLACELENS_DATAPACK)")
    con = duckdb.connect()
    try:
        found = con.execute(
            "SELECT DISTINCT replace(postcode, ' ', '') AS key, lad_code FROM read_csv(?, "
            "header=true, all_varchar=true, strict_mode=true) WHERE coalesce(lad_code, '') <> ''",
            [str(path)]).df()
    except (duckdb.Error, EOFError, OSError) as exc:
        raise DataFormatError(path, f"cannot be read as the Code-Point Open lookup ({exc})") \
            from exc
    finally:
        con.close()
    duplicated = found["key"].duplicated(keep=False)
    if duplicated.any():
        raise DataFormatError(path, f"postcode {found.loc[duplicated, 'key'].iloc[0]!r} is "
                              "given two different districts", column="postcode")
    return found


def _area_lookup(path: Path, key: str, share: str) -> dict[str, str]:
    """Sector or outcode → the district holding the largest share of its live postcodes."""
    frame = read_csv(path, required=[key, "lad_code", share])
    require_values(frame, "lad_code", path, r"[ESW]\d{8}")
    frame["share"] = to_number(frame, share, path)
    best = frame.sort_values([key, "share", "lad_code"], ascending=[True, False, True])
    best = best.drop_duplicates(key)
    return dict(zip(best[key], best["lad_code"], strict=True))


DOWNLOAD_URL = ("https://api.os.uk/downloads/v1/products/CodePointOpen/downloads"
                "?area=GB&format=CSV&redirect")
#: Columns of the headerless CSVs in the official zip (Doc/Code-Point_Open_Column_Headers.csv).
ZIP_COLUMNS = ["postcode", "pq", "easting", "northing", "ctry", "nhs_region", "nhs_ha",
               "county_code", "lad_code", "ward_code"]


def download(datapack: Path, fetch: Fetch = fetch_url) -> list[Path]:
    """Fetch Code-Point Open (GB, CSV) from the OS Downloads API and write the three lookups
    placelens reads into ``datapack``; existing files are replaced only once all three are
    written."""
    return write_lookups(fetch(DOWNLOAD_URL), datapack)


def write_lookups(archive: bytes, datapack: Path) -> list[Path]:
    """The postcode, sector and outcode lookups from the official zip: every ``Data/CSV``
    file concatenated, with WGS84 latitude and longitude added (blank where the postcode has
    no coordinates, quality 90), and each sector's and outcode's districts with their share
    of its live postcodes."""
    from pyproj import Transformer

    with zipfile.ZipFile(io.BytesIO(archive)) as bundle:
        names = sorted(n for n in bundle.namelist()
                       if re.search(r"Data/CSV/[^/]+\.csv$", n, re.IGNORECASE))
        if not names:
            raise DataFormatError(DOWNLOAD_URL, "no Data/CSV/*.csv files in the archive")
        frames = [pd.read_csv(bundle.open(n), header=None, names=ZIP_COLUMNS, dtype=str,
                              keep_default_na=False) for n in names]
    points = pd.concat(frames, ignore_index=True)
    easting, northing = (pd.to_numeric(points[c], errors="coerce") for c in ("easting",
                                                                              "northing"))
    located = (points["pq"] != "90") & easting.notna() & northing.notna()
    lon, lat = Transformer.from_crs(27700, 4326, always_xy=True).transform(
        easting[located].to_numpy(), northing[located].to_numpy())
    points["lat"], points["long"] = "", ""
    points.loc[located, "lat"] = pd.Series(lat, index=points.index[located]).round(5).astype(str)
    points.loc[located, "long"] = pd.Series(lon, index=points.index[located]).round(5) \
        .astype(str)
    lookups = {
        POSTCODE_FILE: points[["postcode", "pq", "easting", "northing", "lat", "long", "ctry",
                               "county_code", "lad_code"]],
        SECTOR_FILE: _shares(points, "sector"), OUTCODE_FILE: _shares(points, "outcode")}
    written = []
    for name, frame in lookups.items():
        path = datapack / name
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(path.name + ".part")
        frame.to_csv(temporary, index=False, compression="gzip" if name.endswith(".gz")
                     else None)
        written.append((temporary, path))
    for temporary, path in written:
        os.replace(temporary, path)
    return [path for _, path in written]


def _shares(points: pd.DataFrame, level: str) -> pd.DataFrame:
    """Districts of each sector (``"B1 1"``) or outcode (``"B1"``) with their share of its
    live postcodes."""
    compact = points["postcode"].map(normalise_postcode)
    valid = compact.notna() & (points["lad_code"] != "")
    parts = compact[valid].map(postcode_parts)
    key = parts.map(lambda p: p[0] if level == "outcode" else p[1])
    counts = (pd.DataFrame({level: key, "lad_code": points.loc[valid, "lad_code"]})
              .groupby([level, "lad_code"]).size().rename("n_postcodes").reset_index())
    counts[f"share_of_{level}"] = (counts["n_postcodes"] / counts.groupby(level)[
        "n_postcodes"].transform("sum")).round(6)
    return counts.sort_values([level, "n_postcodes"], ascending=[True, False])
