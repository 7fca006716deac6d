"""``placelens data``: build, inspect and download the warehouse's sources."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from placelens.cli.common import (
    WarehouseOption,
    console,
    fail,
    open_observatory,
)
from placelens.errors import PlacelensError

data_app = typer.Typer(help="Build and inspect the warehouse.", no_args_is_help=True)
DatapackOption = Annotated[Path | None, typer.Option(envvar="PLACELENS_DATAPACK",
                                                     help="Datapack folder.")]


@data_app.command("build")
def data_build(
    warehouse: WarehouseOption = None,
    datapack: DatapackOption = None,
    accept_changed: Annotated[list[str] | None, typer.Option(
        "--accept-changed", help="A datapack file (path inside the datapack) that may differ "
        "from the manifest, e.g. a newer release; repeat for several. Recorded in the "
        "warehouse.")] = None,
    derive: Annotated[bool, typer.Option(
        help="Then compute the national tables (as `placelens data derive`).")] = True,
) -> None:
    """Check the datapack against its manifest, parse every source and (re)build the
    warehouse atomically; then derive the national tables."""
    from placelens.warehouse.build import build_warehouse

    try:
        report = build_warehouse(warehouse, datapack, accept_changed=accept_changed or ())
    except PlacelensError as error:
        console.print("[yellow]The previous warehouse (if any) was left unchanged.[/]")
        fail(error)
    except OSError as error:
        console.print("[yellow]The previous warehouse (if any) was left unchanged.[/]")
        fail(PlacelensError(f"cannot write the warehouse: {error.strerror or error} "
                            f"({error.filename or warehouse or 'var/placelens.duckdb'})"))
    table = Table(title=f"Warehouse {report.path} built in {report.seconds:.1f} s")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, rows in report.row_counts.items():
        table.add_row(name, f"{rows:,}")
    console.print(table)
    for note in report.notes:
        console.print(f"[dim]Note: {note}[/]")
    if derive:
        data_derive(report.path)


@data_app.command("derive")
def data_derive(warehouse: WarehouseOption = None) -> None:
    """Compute the national tables every profile and page reads (index and rank intervals,
    place types, neighbour inputs, emerging places, complexity, functional regions,
    networks, brokers, leadership inputs) and store them beside the warehouse with their
    provenance. Replaces the store only when every step succeeded."""
    from placelens.derive import derive

    obs = open_observatory(warehouse)
    state = obs.warehouse.derived.state
    with console.status("Deriving national tables") as status:
        report = derive(obs, progress=lambda label: status.update(f"Deriving: {label}"))
    slowest = sorted(report.steps.items(), key=lambda item: -item[1])[:3]
    console.print(f"Derived {report.tables} national tables in {sum(report.steps.values()):.1f}"
                  f" s ({len(report.steps)} steps; slowest: "
                  + ", ".join(f"{label} {seconds:.1f} s" for label, seconds in slowest)
                  + f") into {report.folder}"
                  + (" (the previous store was stale)" if state == "stale" else ""))


@data_app.command("manifest")
def data_manifest(datapack: DatapackOption = None,
                  out: Annotated[Path | None, typer.Option(
                      help="Where to write it (default: the manifest inside placelens, for "
                      "maintainers updating the datapack).")] = None) -> None:
    """Record the size and SHA-256 of every datapack data file, the release the build
    checks against."""
    from importlib import resources

    from placelens.sources.provenance import datapack_dir
    from placelens.warehouse.manifest import MANIFEST_FILE, write_manifest

    target = out or Path(str(resources.files("placelens.data").joinpath(MANIFEST_FILE)))
    try:
        records = write_manifest(Path(datapack or datapack_dir()), target)
    except OSError as error:
        fail(PlacelensError(f"cannot write the manifest: {error}"))
    console.print(f"Recorded {len(records)} files ({sum(r.size for r in records.values()):,} "
                  f"bytes) in {target}")


DOWNLOADS = ("boundaries", "lookups", "subnational-indicators", "nomis-bres",
             "nomis-business-counts", "codepoint-open")


@data_app.command("download")
def data_download(
    source: Annotated[str, typer.Argument(help=f"One of: {', '.join(DOWNLOADS)}.")],
    to: Annotated[Path, typer.Option(help="Datapack folder to write into (nomis: a CSV file "
                                     "path).")],
    industries: Annotated[str, typer.Option(help="NOMIS industry selection (nomis only).")] = "",
    dates: Annotated[str, typer.Option(help="NOMIS dates: latest or years (nomis only).")
                     ] = "latest",
) -> None:
    """Fetch a source from its official endpoint (needs internet access)."""
    from placelens.sources import (
        boundaries,
        codepoint_open,
        nomis,
        ons_geography,
        ons_subnational_indicators,
    )

    try:
        if source == "boundaries":
            written = boundaries.download(to)
        elif source == "lookups":
            written = ons_geography.download(to)
        elif source == "subnational-indicators":
            written = [ons_subnational_indicators.download(to)]
        elif source == "codepoint-open":
            written = codepoint_open.download(to)
        elif source in ("nomis-bres", "nomis-business-counts"):
            if not industries:
                raise PlacelensError("--industries is required for NOMIS downloads")
            dataset = "bres" if source == "nomis-bres" else "business_counts"
            nomis.download(dataset, industries, dates).to_csv(to, index=False)
            written = [to]
        else:
            raise PlacelensError(f"unknown source {source!r}; choose one of {', '.join(DOWNLOADS)}")
    except (PlacelensError, OSError) as error:
        fail(error)
    for path in written:
        console.print(f"Wrote {path}")


@data_app.command("verify")
def data_verify(warehouse: WarehouseOption = None) -> None:
    """Read every row of the warehouse, checking every stored block's checksum; says how to
    rebuild when something is damaged."""
    obs = open_observatory(warehouse)
    try:
        rows = obs.warehouse.verify()
    except PlacelensError as error:
        fail(error)
    console.print(f"{obs.warehouse.path}: {len(rows)} tables, {sum(rows.values()):,} rows, "
                  "every block's checksum verified.")


@data_app.command("info")
def data_info(warehouse: WarehouseOption = None) -> None:
    """Show the warehouse's tables, row counts and sources."""
    obs = open_observatory(warehouse)
    table = Table(title=str(obs.warehouse.path))
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, rows in obs.warehouse.counts().items():
        table.add_row(name, f"{rows:,}")
    console.print(table)
    sources = obs.warehouse.table("sources")
    listing = Table(title="Sources")
    for column in ("source_id", "release", "licence", "code_vintage"):
        listing.add_column(column)
    for row in sources.itertuples(index=False):
        listing.add_row(row.source_id, row.release, row.licence, row.code_vintage)
    console.print(listing)
    derived = obs.warehouse.derived
    console.print(f"Derived tables ({derived.folder}): {derived.state}"
                  + (f", {len(derived.entries)} tables" if derived.state == "current" else
                     "; run `placelens data derive`"))
