"""Derived tables: national results computed once from a warehouse and stored beside it.

Every district's profile, the command line and the web observatory need the same national
tables — the composite index with its rank intervals, place types, neighbour inputs,
emerging places, complexity, functional regions, collaboration networks, brokers and the
leadership inputs. Computed on demand they cost about 20 s in each new process.
``placelens data derive`` (run by ``placelens data build``) computes them once and stores
them in a folder beside the warehouse (``placelens.derived/``): one Parquet file per table,
readable by DuckDB or pandas, and ``manifest.json`` with each result's provenance (the
warehouse build it came from, the code that computed it, when, and how long it took).

A store is used only while it matches both the warehouse build and the code: the
fingerprint hashes the warehouse's ``build_info`` and every module and data file of the
package, so a rebuilt warehouse or a changed method silently falls back to computing (and
``placelens data derive`` says the store is stale). Results are stored as data, never as
pickled objects: frames as Parquet, everything else as JSON, and the only classes rebuilt
on reading are placelens's own dataclasses.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import json
import os
import shutil
import uuid
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

import placelens

FORMAT = 1
MANIFEST = "manifest.json"


#: Packages that only present results (pages, files, commands):
#: none of the code computing stored results imports them (``tests/test_architecture.py``),
#: so changing them does not make the derived tables stale.
PRESENTATION_PACKAGES = frozenset({"report", "web", "cli"})


@cache
def code_fingerprint() -> str:
    """SHA-256 of every Python module and data file of the installed package that computes
    results (methods, services, defaults, indicator sets): a stored result is valid only for
    the code that made it."""
    root = Path(placelens.__file__).parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        inside = path.relative_to(root).parts
        if path.suffix in {".py", ".yaml", ".json"} and \
                inside[0] not in PRESENTATION_PACKAGES:
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def store_key(namespace: str, key: tuple) -> str:
    """The stored name of a cached result: its service and the repr of its cache key."""
    return f"{namespace}{key!r}"


class DerivedStore:
    """Read access to a derived-table folder (empty when missing or stale)."""

    def __init__(self, folder: Path, fingerprint: str):
        self.folder, self.fingerprint = folder, fingerprint
        self.entries: dict[str, dict] = {}
        self.state = "missing"
        manifest = folder / MANIFEST
        if manifest.exists():
            try:
                found = json.loads(manifest.read_text("utf-8"))
            except (OSError, ValueError):  # a cut or damaged manifest: compute instead
                self.state = "damaged"
                return
            self.state = "stale"
            if found.get("format") == FORMAT and found.get("fingerprint") == fingerprint:
                self.entries, self.state = found["entries"], "current"

    def get(self, name: str) -> Any:
        """The stored value of ``name``; KeyError when the store does not have it, OSError or
        ValueError when its files are missing or damaged."""
        return _decode(self.entries[name]["value"], self.folder)


class DerivedWriter:
    """Collects results and writes a new derived folder in one atomic step."""

    def __init__(self, folder: Path, fingerprint: str, warehouse_build: dict):
        self.folder, self.fingerprint = folder, fingerprint
        self.warehouse_build = warehouse_build
        self.work = folder.with_name(f"{folder.name}.{os.getpid()}.{uuid.uuid4().hex}.tmp")
        (self.work / "tables").mkdir(parents=True)
        self.entries: dict[str, dict] = {}

    def add(self, name: str, value: Any, step: str) -> None:
        """Store ``value`` as ``name``, computed by ``step`` (a label the manifest times)."""
        self.entries[name] = {
            "value": _encode(value, self.work, f"t{len(self.entries):04d}"),
            "step": step, "computed_at": datetime.now(UTC).isoformat(timespec="seconds")}

    def commit(self, step_seconds: dict[str, float]) -> Path:
        """Write the manifest and swap the new folder in (readers see the old store or the
        new one, never half of one); any previous store is removed."""
        manifest = {"format": FORMAT, "fingerprint": self.fingerprint,
                    "placelens_version": placelens.__version__,
                    "warehouse_build": self.warehouse_build,
                    "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "step_seconds": step_seconds, "entries": self.entries}
        (self.work / MANIFEST).write_text(json.dumps(manifest, indent=1), "utf-8")
        old = self.folder.with_name(f"{self.folder.name}.{uuid.uuid4().hex}.old")
        if self.folder.exists():
            os.replace(self.folder, old)
        os.replace(self.work, self.folder)
        shutil.rmtree(old, ignore_errors=True)
        return self.folder

    def abandon(self) -> None:
        shutil.rmtree(self.work, ignore_errors=True)


# ---- codec: values as JSON, frames as Parquet -----------------------------------------------
def _encode(value: Any, folder: Path, stem: str) -> Any:
    """``value`` as JSON-able data; frames are written under ``folder/tables``."""
    counter = iter(range(10**6))

    def encode(item: Any) -> Any:
        if item is None or isinstance(item, bool | str):
            return item
        if isinstance(item, np.generic):
            return encode(item.item())
        if isinstance(item, int | float):
            return item if not isinstance(item, float) or np.isfinite(item) else \
                {"float": repr(item)}
        if isinstance(item, pd.DataFrame | pd.Series):
            name = f"{stem}_{next(counter)}.parquet"
            frame = item.to_frame(name="0") if isinstance(item, pd.Series) else item
            labels = list(frame.columns)
            matrix = _is_matrix(frame)
            if matrix:
                _write_matrix(frame, folder / "tables" / name)
            else:
                stored = frame.set_axis([str(i) for i in range(len(labels))], axis=1)
                stored.to_parquet(folder / "tables" / name)
            return {"frame": name, "matrix": matrix, "columns": encode(labels),
                    "column_names": encode(list(frame.columns.names)),
                    "range_columns": isinstance(frame.columns, pd.RangeIndex),
                    "series_name": encode(item.name) if isinstance(item, pd.Series) else None,
                    "series": isinstance(item, pd.Series)}
        if dataclasses.is_dataclass(item) and not isinstance(item, type):
            cls = type(item)
            if not cls.__module__.startswith("placelens."):
                raise TypeError(f"cannot store a {cls.__module__}.{cls.__qualname__}")
            return {"dataclass": f"{cls.__module__}:{cls.__qualname__}",
                    "fields": {f.name: encode(getattr(item, f.name))
                               for f in dataclasses.fields(item) if f.init}}
        if isinstance(item, tuple | list):
            return {"tuple" if isinstance(item, tuple) else "list": [encode(i) for i in item]}
        if isinstance(item, dict):
            return {"dict": [[encode(k), encode(v)] for k, v in item.items()]}
        if isinstance(item, np.ndarray):
            return {"array": encode(item.tolist()), "dtype": str(item.dtype)}
        raise TypeError(f"cannot store a value of type {type(item).__name__}")

    return encode(value)


def _decode(data: Any, folder: Path) -> Any:
    if not isinstance(data, dict):
        return data
    if "float" in data:
        return float(data["float"])
    if "frame" in data:
        return _decode_frame(data, folder)
    if "dataclass" in data:
        module, _, qualname = data["dataclass"].partition(":")
        if not module.startswith("placelens."):
            raise ValueError(f"derived store names a foreign class {data['dataclass']}")
        cls: Any = importlib.import_module(module)
        for part in qualname.split("."):
            cls = getattr(cls, part)
        return cls(**{k: _decode(v, folder) for k, v in data["fields"].items()})
    if "tuple" in data:
        return tuple(_decode(i, folder) for i in data["tuple"])
    if "list" in data:
        return [_decode(i, folder) for i in data["list"]]
    if "dict" in data:
        return {_decode(k, folder): _decode(v, folder) for k, v in data["dict"]}
    if "array" in data:
        return np.asarray(_decode(data["array"], folder), dtype=data["dtype"])
    raise ValueError(f"derived store holds an unknown value {sorted(data)}")


def _decode_frame(data: dict, folder: Path) -> pd.DataFrame | pd.Series:
    path = folder / "tables" / data["frame"]
    labels = _decode(data["columns"], folder)
    frame = _read_matrix(path, len(labels)) if data.get("matrix") else \
        _read_table(path).to_pandas()
    names = _decode(data["column_names"], folder)
    if data.get("range_columns"):
        columns: pd.Index = pd.RangeIndex(len(labels), name=names[0])
    elif labels and all(isinstance(label, tuple) for label in labels):
        columns = pd.MultiIndex.from_tuples(labels, names=names)
    else:
        columns = pd.Index(labels, name=names[0], dtype=object if not labels else None)
    frame.columns = columns
    if data["series"]:
        return frame.iloc[:, 0].rename(_decode(data["series_name"], folder))
    return frame


# Wide numeric frames (complexity's areas × activities matrices, proximity) are stored as their
# index plus one fixed-size list of values per row: Parquet pays per column, so reading a
# 39 × 525 matrix column by column took about 35 ms and as rows takes about 4 ms.
WIDE = 32


def _is_matrix(frame: pd.DataFrame) -> bool:
    """Whether ``frame`` is wide and holds one plain numeric dtype in every column."""
    dtypes = set(frame.dtypes)
    return len(frame.columns) > WIDE and len(dtypes) == 1 and \
        isinstance(dtype := dtypes.pop(), np.dtype) and dtype.kind in "fiub"


def _write_matrix(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` as its index columns and a ``values`` column of one list per row."""
    index = pa.Table.from_pandas(frame.iloc[:, :0])  # the index, with pandas' metadata
    values = pa.FixedSizeListArray.from_arrays(pa.array(frame.to_numpy().ravel()),
                                               len(frame.columns))
    pq.write_table(index.append_column("values", values), path)


def _read_matrix(path: Path, width: int) -> pd.DataFrame:
    """The frame :func:`_write_matrix` wrote, with ``width`` columns (labels set by the caller);
    ValueError when the file is not such a matrix, so that the result is computed instead."""
    table = _read_table(path)
    if "values" not in table.column_names:
        raise ValueError(f"{path} holds no 'values' column of a stored matrix")
    values = table.column("values").combine_chunks().flatten()
    index = table.drop_columns(["values"]).to_pandas().index
    return pd.DataFrame(values.to_numpy(zero_copy_only=False).reshape(len(index), width),
                        index=index)


def _read_table(path: Path) -> pa.Table:
    """One stored Parquet file, read as a single file: pandas' and pyarrow's ``read_table``
    go through the dataset machinery, which cost a profile's 60-odd small reads about twice
    as long."""
    with pq.ParquetFile(path) as file:
        return file.read()
