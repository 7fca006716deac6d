"""Read access to the warehouse: every accessor returns a pandas DataFrame."""

from __future__ import annotations

import hashlib
import json
import threading
from functools import cached_property
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from placelens.errors import WarehouseCorruptError, WarehouseMissingError
from placelens.warehouse.derived import DerivedStore, code_fingerprint
from placelens.warehouse.paths import default_warehouse_path


class Warehouse:
    """A read-only view of a built warehouse file."""

    def __init__(self, path: Path | str | None = None):
        self.path = Path(path or default_warehouse_path())
        if not self.path.exists():
            raise WarehouseMissingError(
                f"No warehouse at {self.path}. Run `placelens data build` first "
                "(or set PLACELENS_WAREHOUSE).")
        try:
            self._con = duckdb.connect(str(self.path), read_only=True)
        except duckdb.Error as exc:
            raise WarehouseCorruptError(self.path, exc) from exc
        self._cache: dict[str, pd.DataFrame] = {}
        self._matrices: dict[tuple, pd.DataFrame] = {}
        self._local = threading.local()
        self._check_whole()

    def _check_whole(self) -> None:
        """Every table the build wrote is there with the rows it wrote (``build_info``
        records them), so a damaged or foreign file is caught when opened."""
        tables = set(self.query("SELECT table_name FROM duckdb_tables()")["table_name"])
        if "build_info" not in tables:
            raise WarehouseCorruptError(self.path, "it has no build_info table; it is not a "
                                        "placelens warehouse")
        info = self.query("SELECT * FROM build_info")
        if "table_rows" not in info.columns:
            return  # built before row counts were recorded
        expected = json.loads(info["table_rows"].iloc[0])
        missing = sorted(set(expected) - tables)
        if missing:
            raise WarehouseCorruptError(self.path, f"tables {missing} are missing")
        for name, rows in expected.items():
            found = int(self.query(f"SELECT count(*) AS n FROM {name}")["n"].iloc[0])
            if found != rows:
                raise WarehouseCorruptError(self.path, f"table {name} has {found:,} rows; the "
                                            f"build wrote {rows:,}")

    def close(self) -> None:
        self._con.close()

    @property
    def derived_folder(self) -> Path:
        """Where ``placelens data derive`` stores national results for this warehouse."""
        return self.path.with_name(self.path.stem + ".derived")

    @cached_property
    def build_record(self) -> dict:
        """The warehouse's ``build_info`` row (version, build time, datapack, row counts)."""
        return {k: str(v) for k, v in self.table("build_info").iloc[0].items()}

    @cached_property
    def derived_fingerprint(self) -> str:
        """What derived results must match: this warehouse build and the package's code."""
        build = json.dumps(self.build_record, sort_keys=True)
        return hashlib.sha256(f"{build}|{code_fingerprint()}".encode()).hexdigest()

    @cached_property
    def derived(self) -> DerivedStore:
        """National results stored beside the warehouse (empty when missing or stale)."""
        return DerivedStore(self.derived_folder, self.derived_fingerprint)

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        """This thread's cursor: a DuckDB connection object must not be shared between
        threads (the web observatory serves requests from a thread pool), while cursors of
        one connection share its database."""
        cursor = getattr(self._local, "cursor", None)
        if cursor is None:
            cursor = self._local.cursor = self._con.cursor()
        return cursor

    def query(self, sql: str, params: list | None = None) -> pd.DataFrame:
        """Run SQL on the warehouse; storage damage found while reading is reported as a
        damaged warehouse with how to rebuild it."""
        try:
            return _as_frame(self._cursor().sql(sql, params=params or None).to_arrow_table())
        except duckdb.Error as exc:
            if isinstance(exc, duckdb.IOException | duckdb.InternalException |
                          duckdb.SerializationException) or "corrupt" in str(exc).lower():
                raise WarehouseCorruptError(self.path, exc) from exc
            raise

    def verify(self) -> dict[str, int]:
        """Read every row of every table, so that DuckDB checks every block's checksum;
        rows per table (a damaged block raises :class:`WarehouseCorruptError`)."""
        tables = self.query("SELECT table_name FROM duckdb_tables()")["table_name"]
        rows = {}
        for name in tables:
            self.query(f"SELECT sum(hash(COLUMNS(*))) FROM {name}")  # reads every column
            rows[name] = int(self.query(f"SELECT count(*) AS n FROM {name}")["n"].iloc[0])
        return rows

    def table(self, name: str) -> pd.DataFrame:
        """A whole small table (areas, hierarchy, sources, indicators...), cached."""
        if name not in self._cache:
            self._cache[name] = self.query(f"SELECT * FROM {name}")
        return self._cache[name]

    def postcode_district(self, keys: list[tuple[str, str]]) -> tuple[str, str] | None:
        """(district code, kind) of the first (kind, key) found in the postcode lookup."""
        for kind, key in keys:
            rows = self.query("SELECT lad_code FROM postcodes WHERE kind = ? AND key = ?",
                              [kind, key])
            if len(rows):
                return str(rows["lad_code"].iloc[0]), kind
        return None

    def observations(self, indicator: str | list[str], area_codes: list[str] | None = None,
                     area_type: str | None = None) -> pd.DataFrame:
        """Indicator values (long form) for some or all areas."""
        indicators = [indicator] if isinstance(indicator, str) else list(indicator)
        sql = "SELECT * FROM observations WHERE indicator IN (SELECT unnest(?))"
        params: list = [indicators]
        if area_codes is not None:
            sql += " AND area_code IN (SELECT unnest(?))"
            params.append(list(area_codes))
        if area_type is not None:
            sql += " AND area_type = ?"
            params.append(area_type)
        return self.query(sql + " ORDER BY indicator, area_code, period", params)

    def activity(self, classification: str, measure: str, area_type: str,
                 periods: list[str] | None = None, activity_codes: list[str] | None = None,
                 area_codes: list[str] | None = None, vintage: str | None = None
                 ) -> pd.DataFrame:
        """Long activity rows filtered in SQL (so the same query can later run on Spark)."""
        sql = ("SELECT area_code, activity_code, period, value FROM activity "
               "WHERE classification = ? AND measure = ? AND area_type = ?")
        params: list = [classification, measure, area_type]
        for column, values in (("period", periods), ("activity_code", activity_codes),
                               ("area_code", area_codes),
                               ("vintage", None if vintage is None else [vintage])):
            if values is not None:
                sql += f" AND {column} IN (SELECT unnest(?))"
                params.append([str(v) for v in values])
        return self.query(sql, params)

    def activity_matrix(self, classification: str, measure: str, area_type: str, period: str,
                        activity_codes: list[str] | None = None,
                        area_codes: list[str] | None = None) -> pd.DataFrame:
        """An area × activity matrix for one period. Cells the source suppressed or omitted
        are NaN, so analysis can treat them explicitly. Matrices of every area of a type are
        kept for the process (the warehouse is read-only; pandas copies on write)."""
        if area_codes is None:
            key = ("matrix", classification, measure, area_type, str(period),
                   None if activity_codes is None else tuple(activity_codes))
            if key not in self._matrices:
                self._matrices[key] = self._activity_matrix(classification, measure,
                                                            area_type, period, activity_codes)
            return self._matrices[key]
        return self._activity_matrix(classification, measure, area_type, period,
                                     activity_codes, area_codes)

    def _activity_matrix(self, classification: str, measure: str, area_type: str, period: str,
                         activity_codes: list[str] | None = None,
                         area_codes: list[str] | None = None) -> pd.DataFrame:
        long = self.activity(classification, measure, area_type, [period], activity_codes,
                             area_codes)
        matrix = long.pivot_table(index="area_code", columns="activity_code", values="value",
                                  aggfunc="sum", dropna=False, sort=True)
        if activity_codes is not None:
            matrix = matrix.reindex(columns=list(activity_codes))
        matrix.columns.name, matrix.index.name = "activity", "area"
        return matrix

    def periods(self, classification: str, measure: str, area_type: str) -> list[str]:
        rows = self.query("SELECT DISTINCT period FROM activity WHERE classification = ? AND "
                          "measure = ? AND area_type = ? ORDER BY period",
                          [classification, measure, area_type])
        return rows["period"].tolist()

    def boundaries(self, area_type: str, area_codes: list[str] | None = None) -> pd.DataFrame:
        sql = "SELECT area_code, geojson FROM boundaries WHERE area_type = ?"
        params: list = [area_type]
        if area_codes is not None:
            sql += " AND area_code IN (SELECT unnest(?))"
            params.append(list(area_codes))
        return self.query(sql, params)

    def counts(self) -> dict[str, int]:
        names = self.query("SELECT table_name FROM information_schema.tables")["table_name"]
        return {n: int(self.query(f"SELECT count(*) AS n FROM {n}")["n"][0]) for n in names}


def _as_frame(table: pa.Table) -> pd.DataFrame:
    """A query's Arrow result as pandas, with dates as ``datetime64[us]`` (what DuckDB's own
    pandas conversion gives). Through Arrow, text columns become pandas' Arrow-backed strings
    without a detour through Python objects: a query returns in about 60% of the time."""
    frame = table.to_pandas(date_as_object=False)
    for name, field in zip(frame.columns, table.schema, strict=True):
        if pa.types.is_date(field.type):
            frame[name] = frame[name].astype("datetime64[us]")
    return frame
