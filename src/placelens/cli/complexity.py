"""``placelens complexity``: economic complexity, clusters, opportunities and back-tests."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from placelens.cli.common import (
    Orientation,
    OutOption,
    Ranking,
    WarehouseOption,
    console,
    fail,
    open_observatory,
    resolve_place,
    write_table,
)
from placelens.errors import PlacelensError

complexity_app = typer.Typer(help="Economic complexity, clusters, opportunities, back-tests.",
                             no_args_is_help=True)


MatrixOption = Annotated[str, typer.Option(help="Warehouse matrix: lad-gva, itl3-gva-detailed, "
                                           "nuts2-sic4-jobs...")]


@complexity_app.command("eci")
def complexity_eci(
    matrix: MatrixOption = "lad-gva",
    period: Annotated[str | None, typer.Option(help="Year (default: latest).")] = None,
    orient: Annotated[Orientation, typer.Option(help="Sign of ECI: correlate with GVA per "
                                                "hour, or with diversity.")
                      ] = Orientation.productivity,
    out: OutOption = None, warehouse: WarehouseOption = None,
) -> None:
    """ECI, diversity and COI for every area of a matrix, highest ECI first."""
    obs = open_observatory(warehouse)
    try:
        result = obs.complexity.compute(matrix, period, orient.value)
    except (ValueError, PlacelensError) as error:
        fail(error)
    import pandas as pd  # here, not at start-up: `placelens --help` must not wait for pandas

    table = pd.DataFrame({"name": result.eci.index.map(obs.indicators.area_name), "eci": result.eci,
                          "diversity": result.diversity, "coi": result.coi}
                         ).sort_values("eci", ascending=False)
    table.index.name = "area_code"
    console.print(result.orientation)
    write_table(table, out, f"ECI, {matrix} {period or obs.complexity.latest_period(matrix)}")


@complexity_app.command("opportunities")
def complexity_opportunities(
    place: str, by: Annotated[Ranking | None, typer.Option(
        help="Ranking (default: the one that back-tests best).")] = None,
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
        result = obs.complexity.opportunities(resolve_place(obs, place), by=by and by.value,
                                              top=top, tradable_only=not all_activities)
    except (ValueError, PlacelensError) as error:
        fail(error)
    console.print(result.summary())
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
        target = resolve_place(obs, place)
        region = obs.complexity.nuts2_region(target)
        if region is None:
            raise PlacelensError(f"{target.name} spans several NUTS2 regions; clusters are "
                                 "measured for one NUTS2 region of the SIC 4-digit tables")
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
