"""``placelens evidence``: the evidence library's records and its evidence-and-gap map."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from placelens.cli.common import (
    OutOption,
    WarehouseOption,
    console,
    fail,
    open_observatory,
    resolve_place,
    write_table,
)
from placelens.errors import PlacelensError

evidence_app = typer.Typer(help="What worked elsewhere: evidence records and how secure the "
                           "evidence is for each intervention type and outcome.",
                           no_args_is_help=True)
SeedOption = Annotated[Path | None, typer.Option(
    "--seed", help="The seed CSV (default: evidence_seed/interventions.csv in the datapack).")]


@evidence_app.command("list")
def evidence_list(
    intervention_type: Annotated[str | None, typer.Option("--type", help="Only this "
                                                          "intervention type.")] = None,
    outcome: Annotated[str | None, typer.Option(help="Only this outcome domain.")] = None,
    seed: SeedOption = None,
    out: OutOption = None,
) -> None:
    """Evidence records, each grade with its source (What Works Growth, design-implied or
    not graded)."""
    from placelens.services import evidence

    try:
        table = evidence.records_table(evidence.seed_records(seed))
    except PlacelensError as error:
        fail(error)
    if intervention_type:
        table = table[table["type"] == intervention_type]
    if outcome:
        table = table[table["outcome"] == outcome]
    write_table(table, out, f"Evidence records ({len(table)})")


@evidence_app.command("map")
def evidence_map(
    year: Annotated[int | None, typer.Option(help="Reference year for recency (default: "
                                             "this year).")] = None,
    seed: SeedOption = None,
    out: OutOption = None,
) -> None:
    """The evidence-and-gap map: every intervention type × outcome with findings, its
    evidence security (0–5) and the components and reasons behind it (docs/evidence.md)."""
    from placelens.services import evidence

    try:
        table = evidence.gap_map(evidence.seed_records(seed), year)
    except PlacelensError as error:
        fail(error)
    if out is None:
        table = _readable(table)
    write_table(table, out, "Evidence security by intervention type and outcome (0–5)")


def _readable(table):
    """The map for the terminal: one labelled row per cell, shares as percentages."""
    def percent(value: float) -> str:
        return "–" if value != value else f"{value:.0%}"

    shown = table.reset_index()
    shown.index = shown["intervention_type"] + " → " + shown["outcome"]
    shown.index.name = "intervention → outcome"
    return shown.assign(
        security=shown["security"].astype(str), studies=shown["studies"].astype(str),
        median_sms=shown["median_sms"].map(lambda v: "–" if v != v else f"{v:g}"),
        consistency=shown["consistency"].map(percent),
        recent=shown["recent_share"].map(percent), uk=shown["uk_share"].map(percent),
    )[["security", "studies", "median_sms", "consistency", "recent", "uk", "reasons"]]


@evidence_app.command("context")
def evidence_context(
    record_id: Annotated[str, typer.Argument(help="Record id, e.g. LPIP-012.")],
    place: Annotated[str | None, typer.Option(help="Your place (name or code); needed for a "
                                              "UK study.")] = None,
    seed: SeedOption = None,
    warehouse: WarehouseOption = None,
) -> None:
    """How far a study's context is from yours, and where it differs most: the automatic
    first layer of judging whether a finding transfers. A UK study's place is compared with
    yours on the similar-places variables; a study abroad, its country with the UK on the
    European Innovation Scoreboard's dimensions."""
    from placelens.services import evidence

    try:
        records = {r.id: r for r in evidence.seed_records(seed)}
        if record_id not in records:
            raise PlacelensError(f"no record {record_id!r}; records run "
                                 f"{min(records)}–{max(records)}")
        record = records[record_id]
        if record.country in evidence.UK_CODES:
            found, heading = _uk_context(record, place, warehouse)
        else:
            year, found = evidence.country_context(record.country,
                                                   record.period_end or record.period_start)
            heading = (f"{record.country} against the UK, European Innovation Scoreboard "
                       f"{year}")
    except PlacelensError as error:
        fail(error)
    console.print(f"{record_id}: {record.intervention}. {heading}: context distance "
                  f"{found.distance:.2f} (0 = the same; 1 = a typical spread apart on every "
                  f"one of {found.compared} variables).")
    write_table(found.differences.round(2), None, "Where the contexts differ most "
                "(difference in standard deviations)")


def _uk_context(record, place: str | None, warehouse: Path | None):
    """A UK study's place against yours, with the heading that says which places."""
    from placelens.services import evidence

    code = evidence.study_place_code(record)
    if code is None:
        raise PlacelensError(f"{record.id} gives no GSS code for its place ({record.place}), "
                             "so it cannot be compared")
    if place is None:
        raise PlacelensError(f"{record.id} is a UK study: name your place with --place to "
                             "compare the two places")
    obs = open_observatory(warehouse)
    yours = resolve_place(obs, place)
    found = evidence.place_context(obs.comparators, code, yours)
    return found, f"{obs.places.get(code).name} ({code}) against {yours.name} ({yours.code})"
