"""``placelens compare``: chosen places side by side on the same context variables, or a
place beside its statistical or geographic comparators."""

from __future__ import annotations

from typing import Annotated

import typer

from placelens.cli.common import (
    ComparatorMethod,
    OutOption,
    WarehouseOption,
    fail,
    open_observatory,
    resolve_place,
    write_table,
)
from placelens.errors import PlacelensError


def compare(
    places: Annotated[list[str], typer.Argument(help="The place of interest first, then the "
                                                "places to compare it with (names, codes or "
                                                "postcodes; types may be mixed).")],
    method: Annotated[ComparatorMethod, typer.Option(
        help="list (the places given), statistical or geographic (comparators found for "
        "the first place).")] = ComparatorMethod.list,
    k: Annotated[int, typer.Option(help="Comparators to find (statistical/geographic).")] = 10,
    variables: Annotated[list[str] | None, typer.Option(
        "--variable", help="Variables to show (repeat; default all, see 'benchmark "
        "variables').")] = None,
    out: OutOption = None, warehouse: WarehouseOption = None,
) -> None:
    """Places side by side on the same variables, the first place highlighted, with the
    median of the others."""
    obs = open_observatory(warehouse)
    try:
        chosen = [resolve_place(obs, query) for query in places]
        focus = chosen[0]
        others = obs.comparators.comparators(focus, method.value, k, chosen[1:])
        comparison = obs.comparators.compare(focus, others, method.value, variables)
    except (ValueError, PlacelensError) as error:
        fail(error)
    table = comparison.table.copy()
    title = f"{focus.name} compared with {len(others)} places ({method.value})"
    if out is not None:
        write_table(table, out, title)
        return
    # On screen, one column per place and one row per variable (the variables outnumber
    # the places), each place headed by its name; the place of interest is marked ▶.
    shown = table.drop(columns=["name", "type"]).T.astype(object)
    shown.columns = [f"{'▶ ' if code == focus.code else ''}{name}" for code, name in
                     zip(table.index, table["name"], strict=True)]
    shown.index.name = "variable"
    write_table(shown, None, title)
