"""Where the aggregations run: DuckDB in this process (the default) or Spark (``local[2]``
for tests, or the cluster a trusted research environment provides), both through Ibis, and
the tables of results brought back in one canonical form so the two can be compared."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd

from placelens.errors import DataFormatError, InputError

BACKENDS = ("duckdb", "spark")


def connect(backend: str):
    """An Ibis connection for ``backend``.

    DuckDB takes up to 80% of memory by default; ``$PLACELENS_DUCKDB_MEMORY`` (``2GB``, say)
    caps it, spilling to disk instead. Spark uses the active session if there is one (a
    cluster's), else starts one on ``$PLACELENS_SPARK_MASTER`` (default ``local[2]``) with
    the web UI off; it needs the ``spark`` extra (``pip install 'placelens[spark]'``) and
    Java.
    """
    import ibis

    if backend == "duckdb":
        connection = ibis.duckdb.connect()
        limit = os.environ.get("PLACELENS_DUCKDB_MEMORY", "").strip()
        if limit:
            if not re.fullmatch(r"\d+(\.\d+)?\s*[KMGT]i?B", limit, flags=re.I):
                raise InputError("PLACELENS_DUCKDB_MEMORY", f"{limit!r} is not a memory size "
                                 "such as 2GB or 500MiB")
            connection.raw_sql(f"SET memory_limit = '{limit}'")
        return connection
    if backend != "spark":
        raise InputError("backend", f"The backend is one of {', '.join(BACKENDS)}")
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise InputError("backend", "Spark needs the spark extra: pip install "
                         "'placelens[spark]' (and Java)") from None
    session = SparkSession.getActiveSession() or (
        SparkSession.builder.master(os.environ.get("PLACELENS_SPARK_MASTER", "local[2]"))
        .appName("placelens").config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.sql.session.timeZone", "UTC").getOrCreate())
    return ibis.pyspark.connect(session)


def read_table(connection, path: Path):
    """A Parquet or CSV file (or a folder of Parquet files) as an Ibis table."""
    path = Path(path)
    if not path.exists():
        raise DataFormatError(path, "not found")
    if path.is_dir() or path.suffix == ".parquet":
        return connection.read_parquet(str(path / "*.parquet") if path.is_dir() else str(path))
    if path.suffix == ".csv":
        return connection.read_csv(str(path))
    raise DataFormatError(path, "give a .parquet or .csv file, or a folder of .parquet files")


def canonical(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """A result in one form whatever the engine: sorted by ``keys``, a fresh index, integer
    columns as int64 and floats as float64, missing values as NaN."""
    frame = frame.sort_values(keys).reset_index(drop=True)
    for column in frame.columns:
        if pd.api.types.is_bool_dtype(frame[column]):
            frame[column] = frame[column].astype(bool)
        elif pd.api.types.is_integer_dtype(frame[column]) and frame[column].notna().all():
            frame[column] = frame[column].astype("int64")
        elif pd.api.types.is_numeric_dtype(frame[column]):
            frame[column] = pd.to_numeric(frame[column]).astype("float64")
        else:
            frame[column] = frame[column].astype(object)
    return frame
