"""``placelens matrices``: area × activity matrices from firm-level microdata on DuckDB or
Spark under disclosure control, and a synthetic register to try it on (docs/scale.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from placelens.cli.common import Backend, WarehouseOption, console, fail
from placelens.errors import PlacelensError

matrices_app = typer.Typer(help="Matrices from firm-level microdata (DuckDB or Spark), with "
                           "disclosure control.", no_args_is_help=True)


@matrices_app.command("build")
def build(
    source: Annotated[Path, typer.Option("--input", help="A register: Parquet file or folder, "
                                         "or CSV, with firm_id, year, area_code, activity, "
                                         "employment.")],
    out: Annotated[Path, typer.Option(help="The cells to write (CSV); the provenance goes "
                                      "beside it as .provenance.json.")] = Path(
        "out/matrices.csv"),
    backend: Annotated[Backend, typer.Option(help="Where to compute.")] = Backend.duckdb,
    min_units: Annotated[int, typer.Option(help="Fewest firms in a released cell.")] = 10,
    dominance_n: Annotated[int, typer.Option(help="The n of the (n, k) dominance rule.")] = 1,
    dominance_k: Annotated[float, typer.Option(help="The k (per cent) of the rule.")] = 50.0,
) -> None:
    """Year × area × activity employment from a firm-level register; cells failing the
    threshold or dominance rule are suppressed inside the engine."""
    from placelens.scale.disclosure import DisclosureRule
    from placelens.services.microdata import build_matrices

    try:
        rule = DisclosureRule(min_units, dominance_n, dominance_k)
        built = build_matrices(source, backend.value, rule)
        out.parent.mkdir(parents=True, exist_ok=True)
        built.cells.to_csv(out, index=False)
        provenance = out.with_suffix(".provenance.json")
        provenance.write_text(json.dumps(built.provenance, indent=1), encoding="utf-8")
    except (PlacelensError, OSError) as error:
        fail(error)
    console.print(built.summary())
    console.print(f"Wrote {out.resolve()} and {provenance.name}")


@matrices_app.command("synth")
def synth(
    out: Annotated[Path, typer.Option(help="Folder for the Parquet files.")] = Path(
        "var/synthetic_register"),
    firms: Annotated[int, typer.Option(help="Number of firms.")] = 100_000,
    first_year: Annotated[int, typer.Option(help="First year.")] = 2005,
    last_year: Annotated[int, typer.Option(help="Last year.")] = 2024,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    warehouse: WarehouseOption = None,
) -> None:
    """Write a synthetic firm-level register over the warehouse's districts (2023) and the
    SIC 2007 divisions: skewed by place, activity and firm size, the same for a seed."""
    from placelens.scale.synthetic_register import SIC_DIVISIONS, write_register
    from placelens.warehouse import Warehouse

    try:
        areas = Warehouse(warehouse).table("areas")
        districts = sorted(areas.loc[(areas.area_type == "LAD") & (areas.vintage == "2023"),
                                     "area_code"])
        rows = write_register(out, firms, range(first_year, last_year + 1), districts,
                              SIC_DIVISIONS, seed)
    except (PlacelensError, OSError) as error:
        fail(error)
    console.print(f"Wrote {rows:,} firm-years ({firms:,} firms, {len(districts)} districts, "
                  f"{first_year}–{last_year}) to {out.resolve()}")
