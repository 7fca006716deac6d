"""``placelens places``, ``placelens profile`` and ``placelens metrics``: find places,
write their profiles and export whole metric tables."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from placelens.cli.common import (
    ChartMode,
    OutOption,
    UKReference,
    WarehouseOption,
    console,
    fail,
    note_derived_tables,
    open_observatory,
    resolve_place,
    write_table,
)
from placelens.errors import PlacelensError

places_app = typer.Typer(help="Find places and area sets.", no_args_is_help=True)


@places_app.command("search")
def places_search(text: str, warehouse: WarehouseOption = None,
                  limit: Annotated[int, typer.Option(help="Rows to show.")] = 10) -> None:
    """Find places by name or code (fuzzy)."""
    obs = open_observatory(warehouse)
    found = obs.places.search(text, limit)
    table = Table(title=f"Places matching {text!r}")
    for column in found.columns:
        table.add_column(column)
    for row in found.itertuples(index=False):
        table.add_row(*[str(v) for v in row])
    Console().print(table)


@places_app.command("list")
def places_list(area_type: Annotated[str, typer.Option("--type", help="LAD, CA, CR, SET, ITL1, "
                                                       "ITL2, ITL3, CTRY or UK")] = "LAD",
                warehouse: WarehouseOption = None) -> None:
    """List every place of a type with its code."""
    obs = open_observatory(warehouse)
    try:
        places = obs.places.of_type(area_type)
    except PlacelensError as error:
        fail(error)
    for place in places:
        typer.echo(f"{place.code}\t{place.name}\t{len(place.members)} LADs")


def profile(
    places: Annotated[list[str] | None, typer.Argument(help="Place names or codes.")] = None,
    all_places: Annotated[bool, typer.Option("--all", help="Every place of --type.")] = False,
    area_type: Annotated[str | None, typer.Option("--type", help="Restrict names to a type "
                                                  "(LAD, CA, CR, SET, ITL1-3...).")] = None,
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("out"),
    html_only: Annotated[bool, typer.Option("--html-only", help="Skip the PDF.")] = False,
    charts: Annotated[ChartMode, typer.Option(
        help="How the HTML page draws its charts: svg (embedded; the page stands alone) or "
        "browser (from their specs, with the Vega scripts in OUT/assets: no chart rendering "
        "when writing, so many profiles are written faster). PDFs always embed SVG.")
    ] = ChartMode.svg,
    jobs: Annotated[int, typer.Option(
        "--jobs", "-j", min=0, help="Worker processes (0: one per core). With more than one, "
        "profiles are written in parallel.")] = 1,
    warehouse: WarehouseOption = None,
) -> None:
    """Write place profiles (web page; board brief and full profile as tagged PDFs) and an
    index page linking every output in the folder."""
    from placelens.report.outputs_index import write_outputs_index

    obs = open_observatory(warehouse)
    try:
        if all_places:
            targets = obs.places.of_type(area_type or "LAD")
        elif places:
            targets = [resolve_place(obs, query, area_type) for query in places]
        else:
            raise PlacelensError("name at least one place, or use --all --type TYPE")
    except PlacelensError as error:
        fail(error)
    note_derived_tables(obs.warehouse)
    jobs = min(jobs or os.cpu_count() or 1, len(targets))
    written = []
    started = time.perf_counter()
    columns = (TextColumn("{task.description:<50}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("Writing profiles", total=len(targets))
        for place, paths in _profiles(obs, targets, out, not html_only, charts.value, jobs):
            progress.update(task, description=f"{place.name[:40]} ({place.code})")
            written.append((place, paths))
            progress.advance(task)
    index = write_outputs_index(out, obs.places)
    console.print(f"Wrote {len(written)} profile(s) in {time.perf_counter() - started:.1f} s "
                  f"to {out.resolve()}; index: {index.resolve()}")


def _profiles(obs, targets, out: Path, pdf: bool, charts_mode: str, jobs: int):
    """(place, files) of each profile written, in this process or in ``jobs`` workers."""
    if jobs > 1:
        from placelens.report.batch import write_profiles

        try:
            yield from write_profiles(obs.warehouse.path, targets, out, pdf, jobs, charts_mode)
        except RuntimeError as error:
            fail(PlacelensError(str(error)))
        return
    from placelens.report.profile import ProfileBuilder

    builder = ProfileBuilder(obs)
    for place in targets:
        yield place, builder.write(place, out, pdf=pdf, charts_mode=charts_mode)


def index(
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("out"),
    warehouse: WarehouseOption = None,
) -> None:
    """Write OUT/index.html linking every profile, brief, map, network table and evaluation
    found in the folder."""
    from placelens.report.outputs_index import write_outputs_index

    path = write_outputs_index(out, open_observatory(warehouse).places)
    console.print(f"Index of every output: {path.resolve()}")


def metrics(
    metric: Annotated[str, typer.Argument(help="'lq', 'structure', or an indicator id such as "
                                          "gva_per_hour_gbp.")],
    out: Annotated[Path, typer.Option(help="Output file: .csv, .parquet or .xlsx.")],
    area_type: Annotated[str, typer.Option("--type", help="Area type.")] = "LAD",
    period: Annotated[str | None, typer.Option(help="Year (default: latest).")] = None,
    matrix: Annotated[str | None, typer.Option(help="Compute 'lq' or 'structure' on a named "
                                               "matrix instead: lad-gva, itl3-gva, "
                                               "nuts2-sic4-jobs, nuts2-sic2-jobs, "
                                               "lad-census2011-sections.")] = None,
    uk_reference: Annotated[UKReference, typer.Option(
        help="UK reference of 'lq': published (the ITL1 regions' published figures) or "
        "lad_sum (sum of published district cells, the pre-2026-12 choice).")
    ] = UKReference.published,
    warehouse: WarehouseOption = None,
) -> None:
    """Export a metric for every place of a type (or every area of a matrix) as CSV, Parquet
    or XLSX."""
    obs = open_observatory(warehouse)
    try:
        if matrix:
            if period is None:
                raise PlacelensError("--matrix needs --period YEAR")
            table = obs.economy.matrix_measures(matrix, period, metric)
        else:
            table = obs.economy.metric_table(metric, area_type.upper(), period,
                                             uk_reference.value)
    except (ValueError, PlacelensError) as error:
        fail(error)
    suffix = out.suffix.lower()
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        table.to_csv(out, index=False)
    elif suffix == ".parquet":
        table.to_parquet(out, index=False)
    elif suffix == ".xlsx":
        table.to_excel(out, index=False)
    else:
        fail(PlacelensError(f"--out must end in .csv, .parquet or .xlsx, not {out.name!r}"))
    console.print(f"Wrote {len(table):,} rows to {out.resolve()}")


def indicators(
    search: Annotated[str | None, typer.Argument(help="Show only indicators whose id or name "
                                                 "contains this text.")] = None,
    out: OutOption = None,
    warehouse: WarehouseOption = None,
) -> None:
    """The indicator catalogue: id, name, unit, geographies, periods, source, release and
    licence (the definition too when written to a file)."""
    catalogue = open_observatory(warehouse).indicators.catalogue()
    if search:
        text = search.lower()
        catalogue = catalogue[catalogue["indicator"].str.contains(text, regex=False)
                              | catalogue["name"].str.lower().str.contains(text, regex=False)]
    table = catalogue.assign(periods=catalogue["first_period"] + "–" + catalogue["last_period"]
                             ).set_index("indicator")
    columns = ["name", "unit", "geographies", "periods", "source", "release", "licence"]
    write_table(table, out, f"{len(table)} indicators", None if out else columns)
