"""Build the warehouse from the datapack: every source is parsed first, then written to a
temporary DuckDB file that replaces the previous warehouse in one atomic rename. A source that
fails to parse stops the build before anything is written, so the old warehouse stays usable."""

from __future__ import annotations

import fcntl
import json
import os
import uuid
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import duckdb
import pandas as pd
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

import placelens
from placelens.errors import BuildRunningError, DataFormatError
from placelens.sources import (
    boundaries,
    bres,
    census2011_workplace,
    census2021_commuting,
    census2021_commuting_msoa,
    codepoint_open,
    mysociety_rural_urban,
    nesta_indicators,
    ons_area_measurements,
    ons_berd,
    ons_business_counts,
    ons_geography,
    ons_lad_neighbours,
    ons_regional_accounts,
    ons_regional_population,
    ons_subnational_indicators,
    ons_subregional_productivity,
    ons_ttwa2011,
    ukri_gtr,
)
from placelens.sources.bundle import TABLE_COLUMNS, SourceTables
from placelens.warehouse.contracts import check_contracts
from placelens.warehouse.manifest import check_datapack, packaged_manifest
from placelens.warehouse.paths import default_warehouse_path
from placelens.warehouse.successors import combine_predecessors

#: Source modules in build order (geography first, so later sources can be checked against it).
SOURCE_MODULES: list[ModuleType] = [
    ons_geography, boundaries, ons_regional_accounts, ons_subregional_productivity,
    ons_regional_population, bres, census2011_workplace, ons_subnational_indicators,
    nesta_indicators, ons_area_measurements, mysociety_rural_urban, census2021_commuting,
    ons_ttwa2011, ukri_gtr, ons_business_counts, ons_berd, codepoint_open,
    ons_lad_neighbours, census2021_commuting_msoa,
]
SORT_KEYS = {
    "areas": ["area_type", "area_code", "vintage"],
    "hierarchy": ["child_type", "child_code", "parent_type", "parent_code"],
    "code_changes": ["old_code", "new_code"],
    "indicators": ["indicator"],
    "observations": ["indicator", "area_type", "area_code", "period"],
    "activity": ["classification", "measure", "area_type", "period", "area_code",
                 "activity_code"],
    "activity_codes": ["classification", "activity_code"],
    "boundaries": ["area_type", "area_code"],
    "flows": ["measure", "origin_code", "destination_code"],
    "rd_projects": ["project_id"],
    "rd_participants": ["project_id", "org_id"],
    "rd_organisations": ["org_id"],
    "postcodes": ["kind", "key"],
    "neighbours": ["area_code", "kind", "rank"],
}


@dataclass
class BuildReport:
    path: Path
    row_counts: dict[str, int]
    seconds: float
    notes: list[str] = field(default_factory=list)


def build_warehouse(path: Path | None = None, datapack: Path | None = None,
                    show_progress: bool = True,
                    modules: list[ModuleType] | None = None,
                    accept_changed: Collection[str] = (),
                    verify_manifest: bool = True) -> BuildReport:
    """Check the datapack against its manifest (:mod:`placelens.warehouse.manifest`; files
    in ``accept_changed`` may differ and are recorded), parse every source and atomically
    (re)write the warehouse at ``path``. One build per warehouse at a time: a second one is
    refused while the first holds the lock. ``verify_manifest=False`` skips the manifest
    (for testing the parsers' own checks)."""
    from placelens.sources.provenance import datapack_dir

    path = Path(path or default_warehouse_path())
    datapack = Path(datapack or datapack_dir())
    modules = modules or SOURCE_MODULES
    started = datetime.now(UTC)
    with build_lock(path), _progress(show_progress) as progress:
        accepted = check_datapack(datapack, packaged_manifest(), set(accept_changed)) \
            if verify_manifest else []
        task = progress.add_task("Reading sources", total=len(modules) + 1)
        loaded = []
        for module in modules:
            progress.update(task, description=f"Reading {module.__name__.rsplit('.', 1)[-1]}")
            loaded.append(module.load(datapack))
            progress.advance(task)
        progress.update(task, description="Writing warehouse")
        tables, notes = _assemble(loaded)
        _write_atomically(path, tables, loaded, datapack, started, accepted)
        progress.advance(task)
    seconds = (datetime.now(UTC) - started).total_seconds()
    return BuildReport(path, {name: len(frame) for name, frame in tables.items()}, seconds,
                       accepted + notes)


@contextmanager
def build_lock(path: Path) -> Iterator[None]:
    """Hold ``<warehouse>.lock`` for the build, refusing a second build of the same
    warehouse while one runs (the lock goes with the process, so a crash never leaves it
    held)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise BuildRunningError(f"another `placelens data build` is writing {path}; wait "
                                    "for it to finish (the warehouse it writes will be "
                                    "complete), then run again if needed") from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _progress(show: bool) -> Progress:
    return Progress(TextColumn("{task.description:<40}"), BarColumn(), TimeElapsedColumn(),
                    disable=not show, transient=False)


def _assemble(loaded: list[SourceTables]) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """Concatenate fragments per table, merge area labels, and register areas that data refer
    to but no lookup names (they keep their code as a label and are reported)."""
    tables = {}
    for name, columns in TABLE_COLUMNS.items():
        fragments = [f for source in loaded for f in source.tables.get(name, [])]
        frame = pd.concat(fragments, ignore_index=True) if fragments else pd.DataFrame(
            columns=columns)
        tables[name] = frame
    notes = _drop_extra_regio(tables)
    infos = {info.source_id: info for source in loaded for info in source.info}
    _refuse_unknown_districts(tables, {k: info.files for k, info in infos.items()})
    check_contracts(tables, infos)
    _mark_retired_lad_codes(tables)
    notes += _add_successor_values(tables)
    tables["areas"] = _merge_areas(tables["areas"])
    known = set(zip(tables["areas"]["area_code"], tables["areas"]["area_type"], strict=True))
    referenced = pd.concat([tables[t][["area_code", "area_type", "vintage"]]
                            for t in ("observations", "activity")]).drop_duplicates()
    unnamed = referenced[[(c, t) not in known for c, t in zip(
        referenced["area_code"], referenced["area_type"], strict=True)]]
    if len(unnamed):
        notes.append(f"{len(unnamed)} area codes in the data have no name in any lookup "
                     f"(types: {sorted(unnamed['area_type'].unique())}); their code is their "
                     "label.")
        named = tables["areas"].drop_duplicates(["area_code", "area_type"]).set_index(
            ["area_code", "area_type"])["name"]
        labels = [named.get((c, t), c) for c, t in zip(unnamed["area_code"],
                                                       unnamed["area_type"], strict=True)]
        tables["areas"] = pd.concat([tables["areas"], unnamed.assign(
            name=labels, name_welsh=None)], ignore_index=True).drop_duplicates(
            ["area_code", "area_type", "vintage"])
    tables["indicators"] = tables["indicators"].drop_duplicates("indicator")
    tables["activity_codes"] = tables["activity_codes"].drop_duplicates(
        ["classification", "activity_code"])
    for name, keys in SORT_KEYS.items():
        tables[name] = tables[name][TABLE_COLUMNS[name]].sort_values(keys, kind="stable") \
            .reset_index(drop=True)
    return tables, notes


EXTRA_REGIO = {"TLZ", "UKX", "UKZ", "UKZZ", "UKZZZ"}


def _drop_extra_regio(tables: dict[str, pd.DataFrame]) -> list[str]:
    """Extra-Regio (offshore activity not attributable to a region) is not a place."""
    dropped = 0
    for name in ("observations", "activity"):
        keep = ~tables[name]["area_code"].isin(EXTRA_REGIO)
        dropped += int((~keep).sum())
        tables[name] = tables[name][keep]
    return [f"{dropped} Extra-Regio rows (TLZ/UKZ) left out."] if dropped else []


def _refuse_unknown_districts(tables: dict[str, pd.DataFrame], files: dict[str, str]) -> None:
    """Stop at a district code no lookup knows (of LAD 2023 or retired since 2011): stored,
    it would become a new "area" and join rankings and functional regions."""
    known = set(tables["areas"].loc[tables["areas"]["area_type"] == "LAD", "area_code"]) | \
        set(tables["code_changes"]["old_code"])
    for name, columns in (("observations", ["area_code"]), ("activity", ["area_code"]),
                          ("flows", ["origin_code", "destination_code"])):
        frame = tables[name]
        lads = frame[frame["area_type"] == "LAD"]
        for column in columns:
            codes = lads[column]
            unknown = ~codes.isin(known) & codes.str.fullmatch(r"[EWSN]\d{8}", na=False)
            if unknown.any():
                row = lads[unknown].iloc[0]
                raise DataFormatError(files.get(row["source_id"], row["source_id"]),
                                      f"district code {row[column]!r} is not a LAD code of "
                                      "any vintage since 2011 (no lookup names it)",
                                      column=column)


def _mark_retired_lad_codes(tables: dict[str, pd.DataFrame]) -> None:
    """Data published on LAD codes retired before 2023 keep their code, marked pre-2023."""
    retired = set(tables["code_changes"]["old_code"])
    for name in ("observations", "activity"):
        frame = tables[name]
        old = (frame["area_type"] == "LAD") & frame["area_code"].isin(retired)
        frame.loc[old, "vintage"] = "pre-2023"


def _add_successor_values(tables: dict[str, pd.DataFrame]) -> list[str]:
    """District values for the 2023 unitaries (and other successors) combined from their
    predecessors where no release publishes them (:mod:`placelens.warehouse.successors`)."""
    indicators = tables["indicators"].drop_duplicates("indicator")
    additive = dict(zip(indicators["indicator"], indicators["additive"].fillna(False),
                        strict=True))
    derived = combine_predecessors(tables["observations"], tables["code_changes"], additive)
    if derived.empty:
        return []
    tables["observations"] = pd.concat([tables["observations"], derived], ignore_index=True)
    return [f"{len(derived)} district values derived from predecessor districts for "
            f"{derived['area_code'].nunique()} successors (marked in derived_from)."]


def _merge_areas(areas: pd.DataFrame) -> pd.DataFrame:
    """One row per (code, type, vintage): the first name given and any Welsh name."""
    first = lambda s: next((v for v in s if isinstance(v, str) and v), None)  # noqa: E731
    return areas.groupby(["area_code", "area_type", "vintage"], as_index=False).agg(
        name=("name", first), name_welsh=("name_welsh", first))


def _write_atomically(path: Path, tables: dict[str, pd.DataFrame],
                      loaded: list[SourceTables], datapack: Path, started: datetime,
                      accepted: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # A name of its own per build, so two builds at once never write into one file; the
    # rename is atomic, so readers see one whole warehouse or the other.
    temporary = path.with_name(f"{path.name}.{os.getpid()}.{uuid.uuid4().hex}.tmp")
    try:
        with duckdb.connect(str(temporary)) as con:
            for name, frame in tables.items():
                _create_table(con, name, frame)
            sources = pd.DataFrame([info.as_row() for s in loaded for info in s.info]) \
                .drop_duplicates("source_id")
            _create_table(con, "sources", sources)
            _create_table(con, "build_info", pd.DataFrame([{
                "placelens_version": placelens.__version__,
                "built_at": started.isoformat(timespec="seconds"),
                "datapack": str(datapack.resolve()),
                "accepted_changes": "; ".join(accepted),
                "table_rows": json.dumps({name: len(frame) for name, frame in
                                          [*tables.items(), ("sources", sources)]})}]))
            con.execute("CHECKPOINT")
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _create_table(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame) -> None:
    con.register("frame_view", frame)
    con.execute(f"CREATE TABLE {name} AS SELECT * FROM frame_view")
    con.unregister("frame_view")

