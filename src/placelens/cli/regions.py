"""``placelens regions``: functional economic regions from commuting flows."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from placelens.cli.common import (
    OutOption,
    RegionLevel,
    RegionMethod,
    WarehouseOption,
    console,
    fail,
    open_observatory,
    resolve_place,
    write_table,
)
from placelens.errors import PlacelensError
from placelens.geography.area_types import upper_first

if TYPE_CHECKING:
    import pandas as pd

regions_app = typer.Typer(help="Functional economic regions from commuting flows.",
                          no_args_is_help=True)


LevelOption = Annotated[RegionLevel, typer.Option(
    "--level", help="Build from districts (LAD) or from small areas (MSOA, 7,264 units).")]
LOCKDOWN = ("Census 2021 flows were collected in the March 2021 lockdown (much home working, "
            "less commuting): read these regions with care.")


@regions_app.command("build")
def regions_build(
    method: Annotated[RegionMethod, typer.Option(help="ttwa (ONS method) or leiden.")
                      ] = RegionMethod.ttwa,
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
    level: LevelOption = RegionLevel.lad,
    out: OutOption = None, warehouse: WarehouseOption = None,
) -> None:
    """Build functional regions, check them against the criteria and compare them with the
    official 2011 Travel To Work Areas."""
    from placelens.analysis import functional_regions as fr

    options = fr.TTWAOptions(min_size, target_size, min_containment, target_containment)
    try:
        if flows is not None:
            result, stats = _regions_of_own_flows(flows, method.value, options, resolution)
        else:
            obs = open_observatory(warehouse)
            found = _build_with_progress(obs, method.value, options, resolution,
                                         home_workers, level.value.upper())
            result, stats = found.units, found.stats
            console.print(f"[yellow]{LOCKDOWN}[/]")
            console.print(f"Agreement with the 2011 TTWAs on the same units (adjusted Rand "
                          f"index, {result['ttwa_2011'].notna().sum():,} units whose 2011 "
                          f"TTWA is known): {found.ari_vs_ttwa_2011:.3f}")
            _print_differences(result, stats["name"], obs)
            if found.districts_split is not None:
                _print_split(found, obs)
            result = found.district_regions().to_frame()
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
        _write_area_set(result, stats, area_set)
    write_table(stats, out, "Functional regions",
                 ["members", "residents_in_work", "supply_containment",
                  "demand_containment", "valid"])


def _build_with_progress(obs, method: str, options, resolution: float, home_workers: bool,
                         level: str):
    """Build the regions with a progress bar counting dissolved areas."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    units = len(obs.regions.commuting_table(home_workers, level).units)
    with Progress(BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console,
                  transient=True) as bar:
        task = bar.add_task("dissolving areas", total=units)
        return obs.regions.functional_regions(
            method, options, resolution, home_workers=home_workers, level=level,
            progress=lambda left: bar.update(task, completed=units - left))


def _print_split(found, obs) -> None:
    """Districts the small-area regions cut through, most divided first."""
    split = found.districts_split[found.districts_split["split"]].sort_values("main_share")
    console.print(f"{len(split)} of {len(found.districts_split)} districts are cut by the "
                  "regions (main region holds under 90% of their residents in work): " +
                  ", ".join(f"{obs.indicators.area_name(c)} ({r['main_share']:.0%} in "
                            f"{found.stats.loc[r['main_region'], 'name']})"
                            for c, r in split.head(8).iterrows()))


def _regions_of_own_flows(flows: Path, method: str, options, resolution: float
                          ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Regions (and their stats) of a user's flow table: CSV origin, destination, count."""
    from placelens.analysis import functional_regions as fr
    from placelens.sources.tabular import read_csv
    from placelens.user_files import check_size

    check_size(flows)
    table = fr.flow_table(read_csv(flows, required=["origin", "destination", "count"]),
                          source=str(flows))
    regions = fr.ttwa(table, options) if method == "ttwa" else \
        fr.leiden_regions(table, resolution)["region"]
    return regions.to_frame(), fr.region_stats(table, regions, options)


def _write_area_set(result: pd.DataFrame, stats: pd.DataFrame, path: Path) -> None:
    """The regions as an area-set CSV (set_code, set_name, lad_code) profiles can read."""
    import pandas as pd  # here, not at start-up: `placelens --help` must not wait for pandas

    names = stats["name"] if "name" in stats else pd.Series(stats.index, stats.index)
    frame = pd.DataFrame({"set_code": "PL_FR_" + result["region"].astype(str),
                          "set_name": result["region"].map(names), "lad_code": result.index})
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.sort_values(["set_code", "lad_code"]).to_csv(path, index=False)
    console.print(f"Wrote {frame['set_code'].nunique()} regions as an area set to "
                  f"{path.resolve()}")


def _print_differences(result, names, obs) -> None:
    """The 2011 TTWAs split across most regions, and the regions joining most TTWAs."""
    pairs = result.dropna(subset=["ttwa_2011"])
    split = pairs.groupby("ttwa_2011")["region"].nunique().sort_values(ascending=False)
    joined = pairs.groupby("region")["ttwa_2011"].nunique().sort_values(ascending=False)
    console.print("2011 TTWAs now split across most regions: " + ", ".join(
        f"{obs.indicators.area_name(c)} ({n})" for c, n in split.head(5).items() if n > 1))
    console.print("Regions joining most 2011 TTWAs: " + ", ".join(
        f"{names[c]} ({n})" for c, n in joined.head(5).items() if n > 1))


@regions_app.command("show")
def regions_show(place: str, method: Annotated[RegionMethod, typer.Option(
                     help="ttwa (ONS method) or leiden.")] = RegionMethod.ttwa,
                 level: LevelOption = RegionLevel.lad,
                 warehouse: WarehouseOption = None) -> None:
    """The functional region(s) of a place, with how self-contained they are."""
    obs = open_observatory(warehouse)
    try:
        target = resolve_place(obs, place)
        members = obs.regions.region_of(target, method.value, level.value.upper())
    except (ValueError, PlacelensError) as error:
        fail(error)
    stats = obs.regions.functional_regions(method.value, level=level.value.upper()).stats
    console.print(f"[yellow]{LOCKDOWN}[/]")
    unit = "districts" if level == RegionLevel.lad else "MSOAs"
    for region in members["region"].unique():
        row = stats.loc[region]
        Console().print(f"[bold]{row['name']}[/] ({int(row['members'])} {unit}): "
                        f"{row['residents_in_work']:,.0f} residents in work; supply-side "
                        f"self-containment {row['supply_containment']:.1%}, demand-side "
                        f"{row['demand_containment']:.1%}; meets the criteria: {row['valid']}")
    write_table(members, None, f"{upper_first(unit)} of {target.name}",
                ["name", "region_name", "share_within_region", "share_within_authority"])
