"""``placelens benchmark``: the composite index, similar places, place types, emerging
activity and the validity checks behind every label."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from placelens.cli.common import (
    ComparatorMethod,
    OutOption,
    WarehouseOption,
    console,
    fail,
    open_observatory,
    resolve_place,
    write_table,
)
from placelens.defaults import EMERGING_INDICATOR, EMERGING_WINDOW
from placelens.errors import PlacelensError
from placelens.geography.area_types import PEERS, upper_first

benchmark_app = typer.Typer(help="Composite innovation index and similar places.",
                            no_args_is_help=True)


SetOption = Annotated[str | None, typer.Option("--set", help="Indicator set: lad_innovation, "
                                               "lad_innovation_local (district figures only) "
                                               "or itl3_innovation (see data/benchmark_sets."
                                               "yaml); default by place type.")]
TypeOption = Annotated[str, typer.Option("--type", help="Places to rank: LAD, CA, CR, ITL1, "
                                         "ITL2, ITL3, CTRY, or SET (area sets among "
                                         "districts). District sets are combined from member "
                                         "districts for larger places.")]


@benchmark_app.command("index")
def benchmark_index(
    set_name: SetOption = None, area_type: TypeOption = "LAD",
    draws: Annotated[int, typer.Option(help="Robustness draws.")] = 1000,
    out: OutOption = None, warehouse: WarehouseOption = None,
) -> None:
    """The composite innovation index for every place of a type, best first, with rank
    intervals."""
    obs = open_observatory(warehouse)
    try:
        set_name = set_name or ("itl3_innovation" if area_type.upper() == "ITL3"
                                else "lad_innovation")
        index = obs.benchmark.innovation_index(set_name, draws=draws, area_type=area_type)
    except (ValueError, PlacelensError) as error:
        fail(error)
    scores = index.table.sort_values("index", ascending=False)
    missing = scores[~scores["sufficient"]]
    if len(missing):
        console.print(f"[yellow]{len(missing)} places have too few indicators to rank:[/] "
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
    write_table(scores, out, f"Composite innovation index (RIS method), {set_name}, "
                f"{index.table.shape[0]} places of type {area_type.upper()}", columns)


@benchmark_app.command("explain")
def benchmark_explain(place: str, set_name: SetOption = "lad_innovation",
                      warehouse: WarehouseOption = None) -> None:
    """Why a place sits where it does in the index: every indicator, its source and score."""
    obs = open_observatory(warehouse)
    try:
        target = resolve_place(obs, place)
        set_name = set_name or obs.benchmark.default_set(target)
        table = obs.benchmark.explain_index(target, set_name)
    except (ValueError, PlacelensError) as error:
        fail(error)
    scores = obs.benchmark.innovation_index(set_name, area_type=target.area_type).table
    row = scores.loc[target.code]
    out = Console()
    if row["sufficient"]:
        unit = PEERS[target.area_type]
        out.print(f"[bold]{target.name} ({target.code})[/]: index {row['index']:.3f} = "
                  f"{row['relative']:.0f} against the mean of {unit} (100) → "
                  f"[bold]{row['group']}[/]; rank {row['rank']:.0f} of "
                  f"{int(scores['sufficient'].sum())} {unit} (5–95% under other "
                  f"choices: {row['rank_p05']:.0f}–{row['rank_p95']:.0f}).")
    else:
        out.print(f"[bold]{target.name}[/] has only {row['indicators']} of "
                  f"{len(table)} indicators, too few to rank.")
    if "change" in scores.columns and row.notna().get("change", False):
        parts = row.filter(like="contribution: ").dropna().sort_values()
        out.print(f"Change since {obs.benchmark.indicator_set(set_name).years[0]} on the "
                  f"{row['indicators_compared']:.0f} indicators it has in both years: "
                  f"{row['change']:+.3f} index points; by indicator: " + ", ".join(
                      f"{name.removeprefix('contribution: ')} {value:+.3f}"
                      for name, value in parts.items()) + ".")
    out.print("The index is the mean of the normalised scores below (0 = lowest, 1 = highest "
              "over all areas and years). Rank interval: other treatments and weights, "
              "leaving out any one indicator, and stated sampling error.")
    combined = table[table["input"].str.startswith("member districts")]
    if len(combined):
        out.print(f"{target.name}'s values combine its {len(target.members)} member "
                  "districts: totals summed, rates weighted by population (see 'Published "
                  "for').")
    regional = table[table["input"].str.contains("regional")]
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
                                              "instead of emerging places.")] = None,
    area_type: TypeOption = "LAD",
    out: OutOption = None, warehouse: WarehouseOption = None,
) -> None:
    """Emerging districts (or a place's emerging industries): magnitude and growth of the
    3-year average between two years, with the back-test that decides whether the labels
    are shown (growth must beat naive baselines on held-out years)."""
    obs = open_observatory(warehouse)
    try:
        if place:
            result = obs.benchmark.emerging_activities(resolve_place(obs, place), start, end)
        else:
            result = obs.benchmark.emerging_places(indicator, start, end, area_type)
    except (ValueError, PlacelensError) as error:
        fail(error)
    write_table(result.backtest.pivot(index="window", columns="predictor", values="auc"),
                None, "Back-test: AUC for reaching the next window's top half of growth")
    console.print(("[green]" if result.reliable else "[yellow]") + result.verdict + "[/]")
    table = result.table.sort_values("growth", ascending=False)
    write_table(table, out, f"Emerging {'industries of ' + place if place else 'places'}, "
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
def benchmark_neighbours(
    place: str, k: Annotated[int, typer.Option("--k", "-k", help="How many.")] = 10,
    method: Annotated[ComparatorMethod, typer.Option(
        help="statistical (placelens: z-scored context variables) or geographic (ONS "
        "published: bordering districts, then nearby ones).")] = ComparatorMethod.statistical,
    variables: Annotated[list[str] | None, typer.Option(
        "--variable", help="A context variable to match on (repeat; default: rurality, "
        "density, prosperity, skills and business mix). See 'benchmark variables'.")] = None,
    out: OutOption = None, warehouse: WarehouseOption = None,
) -> None:
    """The places of the same type most like this one, with the variables that make them
    close and far (or, --method geographic, its published geographic neighbours)."""
    obs = open_observatory(warehouse)
    try:
        target = resolve_place(obs, place)
        if method == ComparatorMethod.geographic:
            table = obs.comparators.geographic_neighbours(target).head(k)
            write_table(table.set_index("neighbour_code"), out,
                        f"Published neighbours of {target.name} (ONS)")
            return
        table = obs.comparators.neighbours(target, k=k, variables=variables)
    except (ValueError, PlacelensError) as error:
        fail(error)
    write_table(table.set_index("rank"), out,
                f"{upper_first(PEERS[target.area_type])} most like {target.name}",
                ["neighbour", "name", "distance", "closest_on", "furthest_on"])


@benchmark_app.command("variables")
def benchmark_variables() -> None:
    """The context variables statistical neighbours and comparisons can use, with the default
    weights."""
    from placelens.services.comparators import CONTEXT_VARIABLES, DEFAULT_WEIGHTS

    for name, description in CONTEXT_VARIABLES.items():
        weight = DEFAULT_WEIGHTS.get(name)
        typer.echo(f"{name}\t{description}\t"
                   f"{'default weight ' + format(weight, '.2f') if weight else 'not in default'}")
