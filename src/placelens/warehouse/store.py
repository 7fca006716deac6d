"""Read access to the warehouse: every accessor returns a pandas DataFrame."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from placelens.errors import WarehouseMissingError
from placelens.warehouse.paths import default_warehouse_path


class Warehouse:
    """A read-only view of a built warehouse file."""

    def __init__(self, path: Path | str | None = None):
        self.path = Path(path or default_warehouse_path())
        if not self.path.exists():
            raise WarehouseMissingError(
                f"No warehouse at {self.path}. Run `placelens data build` first "
                "(or set PLACELENS_WAREHOUSE).")
        self._con = duckdb.connect(str(self.path), read_only=True)
        self._cache: dict[str, pd.DataFrame] = {}

    def close(self) -> None:
        self._con.close()

    def query(self, sql: str, params: list | None = None) -> pd.DataFrame:
        return self._con.execute(sql, params or []).df()

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
        are NaN, so analysis can treat them explicitly."""
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
