"""The placelens command line: build the warehouse, find places, write profiles, export metrics."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from placelens.cli_common import (
    OutOption,
    WarehouseOption,
    console,
    fail,
    open_observatory,
    write_table,
)
from placelens.cli_networks import journey_app, network_app
from placelens.defaults import EMERGING_INDICATOR, EMERGING_WINDOW
from placelens.errors import PlacelensError, check_choice

app = typer.Typer(help="placelens: an open observatory for place-based innovation policy.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
data_app = typer.Typer(help="Build and inspect the warehouse.", no_args_is_help=True)
places_app = typer.Typer(help="Find places and area sets.", no_args_is_help=True)
app.add_typer(data_app, name="data")
complexity_app = typer.Typer(help="Economic complexity, clusters, opportunities, back-tests.",
                             no_args_is_help=True)
app.add_typer(places_app, name="places")
app.add_typer(complexity_app, name="complexity")
evaluate_app = typer.Typer(help="Impact evaluation: synthetic control and difference-in-"
                           "differences.", no_args_is_help=True)
app.add_typer(evaluate_app, name="evaluate")
regions_app = typer.Typer(help="Functional economic regions from commuting flows.",
                          no_args_is_help=True)
app.add_typer(regions_app, name="regions")
benchmark_app = typer.Typer(help="Composite innovation index and similar places.",
                            no_args_is_help=True)
app.add_typer(benchmark_app, name="benchmark")
app.add_typer(network_app, name="network")
app.add_typer(journey_app, name="journey")
@data_app.command("build")
def data_build(
    warehouse: WarehouseOption = None,
    datapack: Annotated[Path | None, typer.Option(envvar="PLACELENS_DATAPACK",
                                                  help="Datapack folder.")] = None,
) -> None:
    """Parse every source in the datapack and (re)build the warehouse atomically."""
    from placelens.warehouse.build import build_warehouse

    try:
        report = build_warehouse(warehouse, datapack)
    except PlacelensError as error:
        console.print("[yellow]The previous warehouse (if any) was left unchanged.[/]")
        fail(error)
    table = Table(title=f"Warehouse {report.path} built in {report.seconds:.1f} s")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, rows in report.row_counts.items():
        table.add_row(name, f"{rows:,}")
    console.print(table)
    for note in report.notes:
        console.print(f"[dim]Note: {note}[/]")


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
    for place in obs.places.of_type(area_type):
        typer.echo(f"{place.code}\t{place.name}\t{len(place.members)} LADs")


@app.command()
def profile(
    places: Annotated[list[str] | None, typer.Argument(help="Place names or codes.")] = None,
    all_places: Annotated[bool, typer.Option("--all", help="Every place of --type.")] = False,
    area_type: Annotated[str | None, typer.Option("--type", help="Restrict names to a type "
                                                  "(LAD, CA, CR, SET, ITL1-3...).")] = None,
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("out"),
    html_only: Annotated[bool, typer.Option("--html-only", help="Skip the PDF.")] = False,
    warehouse: WarehouseOption = None,
) -> None:
    """Write place profiles (HTML and PDF) and an index page."""
    from placelens.report.profile import ProfileBuilder

    obs = open_observatory(warehouse)
    try:
        if all_places:
            targets = obs.places.of_type(area_type or "LAD")
        elif places:
            targets = [obs.place(query, area_type) for query in places]
            for query, place in zip(places, targets, strict=True):
                others = obs.places.other_matches(query, place)
                if others:
                    listing = "; ".join(f"{o.name} ({o.code}, {o.type_label})" for o in others)
                    console.print(f"[yellow]Note:[/] {query!r} is {place.name} ({place.code}, "
                                  f"{place.type_label}); it also names {listing}. Pass a code "
                                  "or --type to choose.")
        else:
            raise PlacelensError("name at least one place, or use --all --type TYPE")
    except PlacelensError as error:
        fail(error)
    builder = ProfileBuilder(obs)
    written = []
    started = time.perf_counter()
    columns = (TextColumn("{task.description:<50}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("Writing profiles", total=len(targets))
        for place in targets:
            progress.update(task, description=f"{place.name[:40]} ({place.code})")
            written.append((place, builder.write(place, out, pdf=not html_only)))
            progress.advance(task)
    existing = _existing_index_entries(obs, out, {p.code for p, _ in written})
    index = builder.write_index(written + existing, out)
    console.print(f"Wrote {len(written)} profile(s) in {time.perf_counter() - started:.1f} s "
                  f"to {out.resolve()}; index: {index.resolve()}")


def _existing_index_entries(obs, out: Path, skip: set[str]) -> list:
    """Profiles already in the folder, so the index lists every profile written there."""
    entries = []
    for html in sorted(out.glob("*.html")):
        code = html.name.split("_", 1)[0]
        if html.name != "index.html" and code not in skip and code in obs.places.places:
            paths = {"html": html}
            if html.with_suffix(".pdf").exists():
                paths["pdf"] = html.with_suffix(".pdf")
            entries.append((obs.places.get(code), paths))
    return entries


@app.command()
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
    uk_reference: Annotated[str, typer.Option(
        help="UK reference of 'lq': published (the ITL1 regions' published figures) or "
        "lad_sum (sum of published district cells, the pre-2026-12 choice).")] = "published",
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
            table = obs.economy.metric_table(metric, area_type.upper(), period, uk_reference)
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


MatrixOption = Annotated[str, typer.Option(help="Warehouse matrix: lad-gva, itl3-gva-detailed, "
                                           "nuts2-sic4-jobs...")]


@complexity_app.command("eci")
def complexity_eci(
    matrix: MatrixOption = "lad-gva",
    period: Annotated[str | None, typer.Option(help="Year (default: latest).")] = None,
    orient: Annotated[str, typer.Option(help="productivity (default) or diversity.")
                      ] = "productivity",
    out: OutOption = None, warehouse: WarehouseOption = None,
) -> None:
    """ECI, diversity and COI for every area of a matrix, highest ECI first."""
    obs = open_observatory(warehouse)
    try:
        result = obs.complexity.compute(matrix, period, orient)
    except (ValueError, PlacelensError) as error:
        fail(error)
    table = pd.DataFrame({"name": result.eci.index.map(obs.indicators.area_name), "eci": result.eci,
                          "diversity": result.diversity, "coi": result.coi}
                         ).sort_values("eci", ascending=False)
    table.index.name = "area_code"
    console.print(result.orientation)
    write_table(table, out, f"ECI, {matrix} {period or obs.complexity.latest_period(matrix)}")


@complexity_app.command("opportunities")
def complexity_opportunities(
    place: str, by: Annotated[str | None, typer.Option(
        help="feasibility, density, cog or rca (default: the one that back-tests best).")
    ] = None,
    top: Annotated[int, typer.Option(help="How many.")] = 10,
    all_activities: Annotated[bool, typer.Option(
        "--all-activities", help="Include activities that serve local demand (schools, "
        "care, retail, construction).")] = False,
    out: OutOption = None, warehouse: WarehouseOption = None,
) -> None:
    """Tradable activities the place's NUTS2 region could grow into (SIC 4-digit, BRES 2018),
    with the back-test of the ranking."""
    obs = open_observatory(warehouse)
    try:
        result = obs.complexity.opportunities(obs.place(place), by=by, top=top,
                                   tradable_only=not all_activities)
    except (ValueError, PlacelensError) as error:
        fail(error)
    console.print(result.note())
    if out is None:
        for code, row in result.table.iterrows():
            Console().print(f"[bold]{code} {row['name']}[/] ({row['cluster']}): RCA "
                            f"{row['rca']:.2f}, density {row['density']:.3f}, COG "
                            f"{row['cog']:+.2f}\n  {row['why']}")
    else:
        write_table(result.table, out, "Opportunities")


@complexity_app.command("clusters")
def complexity_clusters(
    place: str, strong_only: Annotated[bool, typer.Option("--strong-only")] = False,
    out: OutOption = None, warehouse: WarehouseOption = None,
) -> None:
    """Industry clusters of the place's NUTS2 region with the strong-cluster tests."""
    from placelens.analysis.clusters import segment_label

    obs = open_observatory(warehouse)
    try:
        region = obs.complexity.nuts2_region(obs.place(place))
        if region is None:
            raise PlacelensError(f"{place!r} is not inside one NUTS2 region of the SIC tables")
    except PlacelensError as error:
        fail(error)
    table = obs.complexity.clusters()
    table = table[table["area"] == region].set_index("cluster").sort_values("lq",
                                                                            ascending=False)
    if strong_only:
        table = table[table["strong"]]
    table.insert(0, "name", table.index.map(segment_label))
    write_table(table.drop(columns="area"), out, f"Clusters of {obs.indicators.area_name(region)} "
                 f"({region}), BRES/IDBR 2018 (strong: LQ, jobs and establishments tests and "
                 "at least 1,000 jobs)",
                 ["name", "employment", "establishments", "lq", "strong"])


@complexity_app.command("backtest")
def complexity_backtest(
    matrix: MatrixOption = "nuts2-sic4-jobs",
    start: Annotated[str, typer.Option(help="First start year.")] = "2015",
    end: Annotated[str, typer.Option(help="Last end year.")] = "2018",
    horizon: Annotated[int | None, typer.Option(help="Pool every window of this many years "
                                                "between start and end.")] = None,
    draws: Annotated[int, typer.Option(help="Bootstrap resamples.")] = 1000,
    out: OutOption = None, warehouse: WarehouseOption = None,
) -> None:
    """How well density (and baselines) predicted gaining RCA >= 1: AUC with 95% intervals."""
    obs = open_observatory(warehouse)
    if horizon:
        windows = [(str(y), str(y + horizon)) for y in range(int(start), int(end) - horizon + 1)]
    else:
        windows = [(start, end)]
    try:
        result = obs.complexity.backtest(matrix, windows, draws=draws)
    except (ValueError, PlacelensError) as error:
        fail(error)
    console.print(result.summary())
    write_table(result.frame().set_index("predictor"), out, f"Back-test, {matrix}")


SetOption = Annotated[str, typer.Option("--set", help="Indicator set: lad_innovation, "
                                        "lad_innovation_local (district figures only) or "
                                        "itl3_innovation (see data/benchmark_sets.yaml).")]


@benchmark_app.command("index")
def benchmark_index(
    set_name: SetOption = "lad_innovation",
    draws: Annotated[int, typer.Option(help="Robustness draws.")] = 1000,
    out: OutOption = None, warehouse: WarehouseOption = None,
) -> None:
    """The composite innovation index for every area, best first, with rank intervals."""
    obs = open_observatory(warehouse)
    try:
        index = obs.benchmark.innovation_index(set_name, draws=draws)
    except ValueError as error:
        fail(error)
    scores = index.table.sort_values("index", ascending=False)
    missing = scores[~scores["sufficient"]]
    if len(missing):
        console.print(f"[yellow]{len(missing)} districts have too few indicators to rank:[/] "
                      + ", ".join(f"{r['name']} ({c}, {r['indicators']} indicators)"
                                  for c, r in missing.iterrows()))
    if index.between_nuts3_share is not None:
        console.print(f"{index.between_nuts3_share:.0%} of the variance of district "
                      "scores lies between NUTS3 areas (regional inputs are copied to every "
                      "district); --set lad_innovation_local uses district figures only.")
    columns = ["name", "index", "relative", "group", "rank", "rank_p05", "rank_p95",
               "indicators"]
    if "change" in scores.columns:
        console.print("Change: on the indicators each area has in both years (see "
                      "'benchmark explain' for the decomposition).")
        columns += ["change", "indicators_compared"]
    write_table(scores, out, f"Composite innovation index (RIS method), {set_name}",
                 columns)


@benchmark_app.command("explain")
def benchmark_explain(place: str, set_name: SetOption = "lad_innovation",
                      warehouse: WarehouseOption = None) -> None:
    """Why a place sits where it does in the index: every indicator, its source and score."""
    obs = open_observatory(warehouse)
    try:
        target = obs.place(place, obs.benchmark.indicator_set(set_name).area_type)
        table = obs.benchmark.explain_index(target, set_name)
    except (ValueError, PlacelensError) as error:
        fail(error)
    scores = obs.benchmark.innovation_index(set_name).table
    row = scores.loc[target.code]
    out = Console()
    if row["sufficient"]:
        unit = "district" if target.area_type == "LAD" else target.area_type
        out.print(f"[bold]{target.name} ({target.code})[/]: index {row['index']:.3f} = "
                  f"{row['relative']:.0f} against the {unit} mean of 100 → "
                  f"[bold]{row['group']}[/]; rank {row['rank']:.0f} of "
                  f"{int(scores['sufficient'].sum())} (5–95% under other "
                  f"choices: {row['rank_p05']:.0f}–{row['rank_p95']:.0f}).")
    else:
        out.print(f"[bold]{target.name}[/] has only {row['indicators']} of "
                  f"{len(table)} indicators, too few to rank.")
    if "change" in scores.columns and pd.notna(row.get("change")):
        parts = row.filter(like="contribution: ").dropna().sort_values()
        out.print(f"Change since {obs.benchmark.indicator_set(set_name).years[0]} on the "
                  f"{row['indicators_compared']:.0f} indicators it has in both years: "
                  f"{row['change']:+.3f} index points; by indicator: " + ", ".join(
                      f"{name.removeprefix('contribution: ')} {value:+.3f}"
                      for name, value in parts.items()) + ".")
    out.print("The index is the mean of the normalised scores below (0 = lowest, 1 = highest "
              "over all areas and years). Rank interval: other treatments and weights, "
              "leaving out any one indicator, and stated sampling error.")
    regional = table[table["input"] != "own area"]
    if len(regional):
        out.print(f"{len(regional)} of {len(table)} inputs are regional figures shared by every "
                  "district of the region: " + ", ".join(
                      f"{name} {row_['input'].removeprefix('regional ')}"
                      for name, row_ in regional.iterrows()) + ".")
    write_table(table, None, "Indicators")
    strongest = table["score"].sub(table["uk_median_score"]).dropna().sort_values()
    if len(strongest):
        out.print(f"Furthest above the median: {strongest.index[-1]}; furthest below: "
                  f"{strongest.index[0]}.")


@benchmark_app.command("types")
def benchmark_types(out: OutOption = None, warehouse: WarehouseOption = None) -> None:
    """Place type of every district (urban hub / local links / both / rural), with reasons,
    how often it survives ±10% changes to each threshold, and the data-driven group."""
    obs = open_observatory(warehouse)
    found = obs.benchmark.place_types()
    table = found.table
    console.print("Thresholds: " + ", ".join(f"{k} {v:,.2f}" for k, v in
                                              found.thresholds.items()))
    write_table(table, out, "Place types", ["name", "type", "type_stability", "group", "jobs",
                                             "rural_share", "ki_lq", "ki_industry",
                                             "collaboration_excess"])


@benchmark_app.command("emerging")
def benchmark_emerging(
    indicator: Annotated[str, typer.Option(help="Indicator id (districts only).")
                         ] = EMERGING_INDICATOR,
    start: Annotated[str, typer.Option(help="t0 (needs two earlier years).")
                     ] = EMERGING_WINDOW[0],
    end: Annotated[str, typer.Option(help="t1.")] = EMERGING_WINDOW[1],
    place: Annotated[str | None, typer.Option(help="Emerging industries of this place "
                                              "instead of emerging districts.")] = None,
    out: OutOption = None, warehouse: WarehouseOption = None,
) -> None:
    """Emerging districts (or a place's emerging industries): magnitude and growth of the
    3-year average between two years, with the back-test that decides whether the labels
    are shown (growth must beat naive baselines on held-out years)."""
    obs = open_observatory(warehouse)
    try:
        if place:
            result = obs.benchmark.emerging_activities(obs.place(place), start, end)
        else:
            result = obs.benchmark.emerging_places(indicator, start, end)
    except (ValueError, PlacelensError) as error:
        fail(error)
    write_table(result.backtest.pivot(index="window", columns="predictor", values="auc"),
                None, "Back-test: AUC for reaching the next window's top half of growth")
    console.print(("[green]" if result.reliable else "[yellow]") + result.verdict + "[/]")
    table = result.table.sort_values("growth", ascending=False)
    write_table(table, out, f"Emerging {'industries of ' + place if place else 'districts'}, "
                 f"{start}–{end}")


@benchmark_app.command("validity")
def benchmark_validity(warehouse: WarehouseOption = None) -> None:
    """The checks behind every label (docs/validity.md): index rank intervals against leaving
    an indicator out, leadership against a size rule and under resampling, emerging against
    naive baselines, place-type stability, and the opportunity back-test."""
    from placelens import validity

    obs = open_observatory(warehouse)
    out = Console()
    index = validity.index_checks(obs)
    out.print(f"[bold]Index[/] ({index['ranked']} districts): "
              f"{index['left_out_ranks_inside_interval']:.1%} of ranks with one indicator "
              f"left out lie inside the rank interval (±1); median interval width "
              f"{index['median_interval_width']:.0f} ranks; "
              f"{index['between_nuts3_share']:.0%} of the variance lies between NUTS3 areas.")
    lead = validity.leadership_checks(obs)
    out.print(f"[bold]Leadership[/] ({lead['styled_latest']} districts styled in the latest "
              f"period): {lead['agreement_with_size_rule']:.0%} agree with the size rule; "
              f"{lead['stable_share']:.0%} of styles are stable (≥ 80% of resamples); "
              f"{lead['same_style_all_periods']:.0%} of the "
              f"{lead['districts_styled_all_periods']} districts styled in every period keep "
              f"one style; actors residual vs log projects r = "
              f"{lead['actors_residual_vs_size']:+.2f}.")
    write_table(validity.emerging_checks(obs), None,
                "Emerging: mean AUC over rolling 5-year windows (0.5 = chance)")
    write_table(validity.emerging_hit_rates(obs).to_frame("emerging in next top half"), None,
                "Emerging districts (real GVA) that reached the next window's top half")
    write_table(validity.place_type_checks(obs), None,
                "Place types: districts and stability under ±10% threshold changes")
    write_table(validity.opportunity_checks(obs), None,
                "Opportunities: AUC for gaining RCA ≥ 1, NUTS2 × SIC4 2015→2018")


@benchmark_app.command("neighbours")
def benchmark_neighbours(place: str, k: Annotated[int, typer.Option(help="How many.")] = 10,
                         area_type: Annotated[str, typer.Option("--type", help="LAD or ITL3."
                                                                )] = "LAD",
                         out: OutOption = None, warehouse: WarehouseOption = None) -> None:
    """The districts (or ITL3 areas) most like this one (z-scored context variables,
    Euclidean distance), with the variables that make them close and far."""
    obs = open_observatory(warehouse)
    try:
        table = obs.benchmark.similar_places(obs.place(place, area_type), k=k)
    except (ValueError, PlacelensError) as error:
        fail(error)
    write_table(table.set_index("rank"), out, f"Districts most like {place}",
                 ["neighbour", "name", "distance", "closest_on", "furthest_on"])


LOCKDOWN = ("Census 2021 flows were collected in the March 2021 lockdown (much home working, "
            "less commuting): read these regions with care.")


@regions_app.command("build")
def regions_build(
    method: Annotated[str, typer.Option(help="ttwa (ONS method) or leiden.")] = "ttwa",
    min_size: Annotated[float, typer.Option(help="Residents in work an area needs.")] = 3_500,
    target_size: Annotated[float, typer.Option(help="Size from which the lower "
                                               "self-containment applies.")] = 25_000,
    min_containment: Annotated[float, typer.Option()] = 0.667,
    target_containment: Annotated[float, typer.Option()] = 0.75,
    resolution: Annotated[float, typer.Option(help="Leiden resolution (higher = more, "
                                              "smaller regions).")] = 8.0,
    home_workers: Annotated[bool, typer.Option("--home-workers", help="Count people working "
                                               "at home as self-contained (2011 practice).")
                            ] = False,
    flows: Annotated[Path | None, typer.Option(help="Your own flow table (CSV: origin, "
                                               "destination, count) instead of Census 2021."
                                               )] = None,
    map_file: Annotated[Path | None, typer.Option("--map", help="Write an HTML page with a map "
                                                  "of the regions and their table.")] = None,
    area_set: Annotated[Path | None, typer.Option(help="Write the regions as an area-set CSV "
                                                  "(e.g. area_sets/functional_regions.csv) so "
                                                  "profiles and metrics work on them.")] = None,
    out: OutOption = None, warehouse: WarehouseOption = None,
) -> None:
    """Build functional regions, check them against the criteria and compare them with the
    official 2011 Travel To Work Areas."""
    from placelens.analysis import functional_regions as fr

    options = fr.TTWAOptions(min_size, target_size, min_containment, target_containment)
    try:
        check_choice("--method", method, fr.METHODS)
        if flows is not None:
            from placelens.sources.tabular import read_csv

            table = fr.flow_table(read_csv(flows, required=["origin", "destination", "count"]),
                                  source=str(flows))
            regions = fr.ttwa(table, options) if method == "ttwa" else \
                fr.leiden_regions(table, resolution)["region"]
            stats = fr.region_stats(table, regions, options)
            result = regions.to_frame()
        else:
            obs = open_observatory(warehouse)
            found = obs.regions.functional_regions(method, options, resolution,
                                                   home_workers=home_workers)
            result, stats = found.districts, found.stats
            console.print(f"[yellow]{LOCKDOWN}[/]")
            console.print(f"Agreement with the 2011 TTWAs projected to districts (adjusted "
                          f"Rand index): {found.ari_vs_ttwa_2011:.3f}")
            _print_differences(result, obs)
    except (ValueError, PlacelensError) as error:
        fail(error)
    invalid = stats[~stats["valid"]]
    console.print(f"{len(stats)} regions; {len(stats) - len(invalid)} meet the criteria"
                  + (f"; not valid: {', '.join(invalid.index[:10])}" if len(invalid) else "."))
    if map_file is not None and flows is None:
        from placelens.report.regions_page import write_regions_page

        write_regions_page(obs, found, map_file)
        console.print(f"Wrote the map of regions to {map_file.resolve()}")
    if area_set is not None:
        names = stats["name"] if "name" in stats else pd.Series(stats.index, stats.index)
        frame = pd.DataFrame({"set_code": "PL_FR_" + result["region"].astype(str),
                              "set_name": result["region"].map(names),
                              "lad_code": result.index})
        area_set.parent.mkdir(parents=True, exist_ok=True)
        frame.sort_values(["set_code", "lad_code"]).to_csv(area_set, index=False)
        console.print(f"Wrote {len(stats)} regions as an area set to {area_set.resolve()}")
    write_table(stats, out, "Functional regions",
                 ["members", "residents_in_work", "supply_containment",
                  "demand_containment", "valid"])


def _print_differences(result, obs) -> None:
    """The 2011 TTWAs split across most regions, and the regions joining most TTWAs."""
    pairs = result.dropna(subset=["ttwa_2011"])
    split = pairs.groupby("ttwa_2011")["region"].nunique().sort_values(ascending=False)
    joined = pairs.groupby("region")["ttwa_2011"].nunique().sort_values(ascending=False)
    console.print("2011 TTWAs now split across most regions: " + ", ".join(
        f"{obs.indicators.area_name(c)} ({n})" for c, n in split.head(5).items() if n > 1))
    console.print("Regions joining most 2011 TTWAs: " + ", ".join(
        f"{obs.indicators.area_name(c)} ({n})" for c, n in joined.head(5).items() if n > 1))


@regions_app.command("show")
def regions_show(place: str, method: Annotated[str, typer.Option()] = "ttwa",
                 warehouse: WarehouseOption = None) -> None:
    """The functional region(s) of a place, with how self-contained they are."""
    obs = open_observatory(warehouse)
    try:
        target = obs.place(place)
        members = obs.regions.region_of(target, method)
    except (ValueError, PlacelensError) as error:
        fail(error)
    stats = obs.regions.functional_regions(method).stats
    console.print(f"[yellow]{LOCKDOWN}[/]")
    for region in members["region"].unique():
        row = stats.loc[region]
        Console().print(f"[bold]{row['name']}[/] ({int(row['members'])} districts): "
                        f"{row['residents_in_work']:,.0f} residents in work; supply-side "
                        f"self-containment {row['supply_containment']:.1%}, demand-side "
                        f"{row['demand_containment']:.1%}; meets the criteria: {row['valid']}")
    write_table(members, None, f"Districts of {target.name}",
                 ["name", "region_name", "share_within_region", "share_within_authority"])


@evaluate_app.command("scm")
def evaluate_scm(
    treated: Annotated[str, typer.Option(help="Treated place (name or code), or unit in "
                                         "--panel.")],
    outcome: Annotated[str, typer.Option(help="Indicator id (warehouse) or column (--panel).")],
    start: Annotated[int, typer.Option(help="First treated year.")],
    intervention: Annotated[str, typer.Option(help="Name of the intervention.")] = "Intervention",
    donors: Annotated[list[str] | None, typer.Option(help="Donor codes (repeat); default "
                                                     "every other unit.")] = None,
    predictor: Annotated[list[str] | None, typer.Option(help="VARIABLE:FIRST-LAST (repeat); "
                                                        "default: the outcome's pre-period "
                                                        "mean and three pre years.")] = None,
    panel_file: Annotated[Path | None, typer.Option("--panel", help="Your own CSV panel.")
                          ] = None,
    unit: Annotated[str, typer.Option(help="Unit column of --panel.")] = "unit",
    time: Annotated[str, typer.Option(help="Time column of --panel.")] = "year",
    placebo: Annotated[bool, typer.Option(help="Run the in-space placebo test.")] = True,
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("out/evaluations"),
    html_only: Annotated[bool, typer.Option("--html-only")] = False,
    warehouse: WarehouseOption = None,
) -> None:
    """Synthetic control for one place: report (HTML/PDF) with gap and placebo plots, weights,
    balance, a plain-language summary, its evidence grade, and an evidence record (JSON)."""
    from placelens.analysis import synthetic_control as sc
    from placelens.report.evaluation import write_scm_report

    try:
        if panel_file is not None:
            from placelens.sources.tabular import read_csv, to_number

            panel = read_csv(panel_file, required=[unit, time, outcome])
            for column in panel.columns:
                if column != unit:
                    panel[column] = to_number(panel, column, panel_file)
            panel[time] = panel[time].astype(int)
            label, name, source = outcome, treated, str(panel_file)
        else:
            obs = open_observatory(warehouse)
            place = obs.place(treated, "LAD")
            table = obs.indicators.table(outcome)
            table = table[table["area_type"] == "LAD"]
            panel = table.assign(year=table["period"].str[:4].astype(int)).rename(
                columns={"area_code": "unit", "value": outcome})[["unit", "year", outcome]]
            full = panel.groupby("unit")["year"].nunique()
            panel = panel[panel["unit"].isin(full[full == full.max()].index)]
            unit, time, treated, name = "unit", "year", place.code, place.name
            meta = obs.warehouse.table("indicators").set_index("indicator")
            label = str(meta.loc[outcome, "title"]) if outcome in meta.index else outcome
            source = "placelens warehouse: " + ", ".join(sorted(set(table["source_id"])))
        years = sorted(panel[time].unique())
        pre = [y for y in years if y < start]
        predictors = [_parse_predictor(p) for p in predictor] if predictor else [
            sc.Predictor(outcome, tuple(pre)), *[sc.Predictor(outcome, (y,)) for y in
                                                 (pre[0], pre[len(pre) // 2], pre[-1])]]
        result = sc.synthetic_control(panel, unit, time, outcome, treated, start, predictors,
                                      donors or None)
        placebo_table = sc.placebo_in_space(panel, unit, time, outcome, result, predictors,
                                            starts=1) if placebo else None
        checks = sc.robustness_table(panel, unit, time, outcome, result, predictors)
        paths = write_scm_report(result, placebo_table, out, name, label, intervention,
                                 source, pdf=not html_only, robustness=checks)
    except (ValueError, PlacelensError, IndexError) as error:
        fail(error)
    console.print(f"Average gap after {start}: {result.average_gap():+.3f}"
                  + (f"; placebo p = {placebo_table.p_value:.3f}"
                     if placebo_table is not None else ""))
    for kind, path in paths.items():
        console.print(f"Wrote {kind}: {path.resolve()}")


@evaluate_app.command("did")
def evaluate_did(
    outcome: Annotated[str, typer.Option(help="Indicator id (warehouse) or column (--panel).")],
    treated: Annotated[list[str] | None, typer.Option(help="PLACE:YEAR, first treated year "
                                                      "(repeat), for warehouse panels.")
                       ] = None,
    panel_file: Annotated[Path | None, typer.Option("--panel", help="Your own CSV panel.")
                          ] = None,
    unit: Annotated[str, typer.Option(help="Unit column of --panel.")] = "unit",
    time: Annotated[str, typer.Option(help="Time column of --panel.")] = "year",
    first_treated: Annotated[str, typer.Option(help="First-treated-year column of --panel "
                                               "(blank = never treated).")] = "first_treated",
    control: Annotated[str, typer.Option(help="never or notyet.")] = "never",
    intervention: Annotated[str, typer.Option()] = "Intervention",
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("out/evaluations"),
    warehouse: WarehouseOption = None,
) -> None:
    """Difference-in-differences for one or many places adopting at different times:
    two-way fixed effects and the heterogeneity-robust Callaway–Sant'Anna estimator, with an
    event study; writes the tables and an evidence record."""
    import json
    from dataclasses import asdict
    from datetime import date

    from placelens.analysis import did
    from placelens.report.evaluation import EvidenceRecord

    try:
        if panel_file is not None:
            from placelens.sources.tabular import read_csv, to_number

            panel = read_csv(panel_file, required=[unit, time, outcome, first_treated])
            for column in (time, outcome, first_treated):
                panel[column] = to_number(panel, column, panel_file)
            source, names = str(panel_file), "units in " + panel_file.name
        else:
            if not treated:
                raise PlacelensError("name treated places as --treated PLACE:YEAR")
            obs = open_observatory(warehouse)
            starts = {}
            for item in treated:
                name, _, year = item.rpartition(":")
                starts[obs.place(name, "LAD").code] = float(year)
            table = obs.indicators.table(outcome)
            table = table[table["area_type"] == "LAD"]
            panel = pd.DataFrame({unit: table["area_code"], time: table["period"].str[:4]
                                  .astype(int), outcome: table["value"]})
            full = panel.groupby(unit)[time].nunique()
            panel = panel[panel[unit].isin(full[full == full.max()].index)]
            panel[first_treated] = panel[unit].map(starts)
            source = "placelens warehouse"
            names = ", ".join(obs.indicators.area_name(c) for c in starts)
        panel["treated_now"] = (panel[time] >= panel[first_treated]).astype(int)
        simple = did.twfe(panel, unit, time, outcome, "treated_now")
        staggered = did.callaway_santanna(panel, unit, time, outcome, first_treated, control)
        robust, dynamic = staggered.overall, staggered.event_study
    except (ValueError, PlacelensError) as error:
        fail(error)
    low, high = robust.interval
    console.print(f"Two-way fixed effects: {simple.estimate:+.3f} (SE {simple.std_error:.3f})")
    console.print(f"{robust.method}: {robust.estimate:+.3f} (95% CI {low:+.3f} to "
                  f"{high:+.3f})")
    out.mkdir(parents=True, exist_ok=True)
    dynamic.to_csv(out / "did_event_study.csv")
    record = EvidenceRecord(names, names, intervention, outcome,
                            "difference-in-differences (Callaway–Sant'Anna)",
                            int(panel[first_treated].min()), round(robust.estimate, 4),
                            outcome, f"95% CI {low:.4g} to {high:.4g}", 3,
                            "Level 3: before/after against a comparison group (DiD)", source,
                            date.today().isoformat())
    (out / "did.evidence.json").write_text(json.dumps(asdict(record), indent=2),
                                           encoding="utf-8")
    write_table(dynamic, None, "Event study (years since treatment)")
    console.print(f"Wrote {out.resolve()}/did_event_study.csv and did.evidence.json")


def _parse_predictor(text: str):
    from placelens.analysis.synthetic_control import Predictor

    try:
        variable, span = text.rsplit(":", 1)
        first, _, last = span.partition("-")
        return Predictor(variable, tuple(range(int(first), int(last or first) + 1)))
    except ValueError as error:
        raise PlacelensError(f"--predictor {text!r} must look like VARIABLE:1980-1988") \
            from error


if __name__ == "__main__":  # pragma: no cover
    app()
