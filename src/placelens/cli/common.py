"""What every placelens command shares: the console, the warehouse option, error exits and
table output."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from placelens.errors import PlacelensError

console = Console(stderr=True)
WarehouseOption = Annotated[Path | None, typer.Option(
    "--warehouse", envvar="PLACELENS_WAREHOUSE", help="Warehouse file (default "
    "var/placelens.duckdb).")]


class Backend(StrEnum):
    """Where the microdata aggregations run (:data:`placelens.scale.backends.BACKENDS`)."""

    duckdb = "duckdb"
    spark = "spark"


def fail(error: Exception) -> None:
    console.print(f"[bold red]Error:[/] {error}")
    raise typer.Exit(code=2)


def open_observatory(warehouse: Path | None):
    from placelens.api import Observatory

    try:
        return Observatory(warehouse)
    except PlacelensError as error:
        fail(error)


def note_derived_tables(warehouse) -> None:
    """Say so when the national tables are not stored for this warehouse and code: the first
    place in each process then computes them (about 20 s)."""
    state = warehouse.derived.state
    if state != "current":
        console.print(f"[dim]The derived national tables are {state} for this warehouse and "
                      "code, so the first place computes them (about 20 s); `placelens data "
                      "derive` stores them once.[/]")


def resolve_place(obs, query: str, area_type: str | None = None):
    """The place a user named, printing how the query was understood when it was not a
    place's own name or code (a retired district, a postcode) or when it names several."""
    place = obs.place(query, area_type)
    if place.notice:
        console.print(f"[yellow]Note:[/] {place.notice}")
    others = obs.places.other_matches(query, place)
    if others:
        listing = "; ".join(f"{o.name} ({o.code}, {o.type_label})" for o in others)
        console.print(f"[yellow]Note:[/] {query!r} is {place.name} ({place.code}, "
                      f"{place.type_label}); it also names {listing}. Pass a code or --type "
                      "to choose.")
    return place


def cell(value) -> str:
    """A value as UK analysts expect it in a table: thousands separators, no more decimals
    than the size of the number needs, and "–" (not ``nan``) where there is no value."""
    if type(value).__module__ == "numpy" and hasattr(value, "item"):
        value = value.item()        # numpy scalars as Python numbers
    if value is None or (isinstance(value, float | int) and not isinstance(value, bool)
                         and value != value):
        return "–"
    if isinstance(value, bool) or not isinstance(value, float | int):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    size = abs(value)
    decimals = 0 if size >= 1000 else 1 if size >= 100 else 2 if size >= 1 else 3
    return f"{value:,.{decimals}f}"


def _numeric(column) -> bool:
    values = column.dropna()
    return bool(len(values)) and all(isinstance(v, int | float) and not isinstance(v, bool)
                                     for v in values)


def write_table(table, out: Path | None, title: str, columns: list[str] | None = None) -> None:
    """Write a table to .csv/.parquet/.xlsx, or print it when no file is given (numbers
    right-aligned and formatted by :func:`cell`)."""
    if out is None:
        shown = table if columns is None else table[columns]
        grid = Table(title=title)
        grid.add_column(str(shown.index.name or ""))
        for column in shown.columns:
            grid.add_column(str(column), justify="right" if _numeric(shown[column]) else "left")
        for index, *row in shown.itertuples(name=None):  # each column keeps its type
            grid.add_row(cell(index), *[cell(v) for v in row])
        Console().print(grid)
        return
    suffix = out.suffix.lower()
    out.parent.mkdir(parents=True, exist_ok=True)
    writers = {".csv": lambda: table.to_csv(out), ".parquet": lambda: table.to_parquet(out),
               ".xlsx": lambda: table.to_excel(out)}
    if suffix not in writers:
        fail(PlacelensError(f"--out must end in .csv, .parquet or .xlsx, not {out.name!r}"))
    writers[suffix]()
    console.print(f"Wrote {len(table):,} rows to {out.resolve()}")


OutOption = Annotated[Path | None, typer.Option(help="Write to .csv, .parquet or .xlsx "
                                                "instead of printing.")]


# Choices of string options, as Enums so that typer lists them in --help and refuses anything
# else naming the allowed values. They mirror the services' tuples (a test checks) without
# importing the analysis stack at start-up.
RegionMethod = StrEnum("RegionMethod", ["ttwa", "leiden"])
RegionLevel = StrEnum("RegionLevel", ["lad", "msoa"])
Control = StrEnum("Control", ["never", "notyet"])
BasePeriod = StrEnum("BasePeriod", ["universal", "varying"])
ChartMode = StrEnum("ChartMode", ["svg", "browser"])
Ranking = StrEnum("Ranking", ["feasibility", "density", "cog", "rca"])
Orientation = StrEnum("Orientation", ["productivity", "diversity"])
UKReference = StrEnum("UKReference", ["published", "lad_sum"])
SmallSample = StrEnum("SmallSample", ["full", "nonnested"])
ComparatorMethod = StrEnum("ComparatorMethod", ["statistical", "geographic", "list"])
InterventionType = StrEnum("InterventionType", [
    "rd_grant", "rd_tax_credit", "innovation_voucher", "finance", "business_support",
    "knowledge_exchange", "cluster_policy", "catapult_or_rto", "science_park",
    "public_procurement", "broadband", "area_based_initiative", "structural_funds"])
OutcomeDomain = StrEnum("OutcomeDomain", {
    "employment": "employment", "GVA": "GVA", "productivity": "productivity",
    "turnover": "turnover", "R&D spending": "R&D spending",
    "innovation output": "innovation output", "firm entry": "firm entry",
    "survival": "survival", "other": "other"})
