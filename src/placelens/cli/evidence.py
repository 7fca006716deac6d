"""``placelens evidence``: the evidence library's records and its evidence-and-gap map."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from placelens.cli.common import OutOption, fail, write_table
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
    seed: SeedOption = None,
) -> None:
    """How far a study's country is from the UK in innovation context (European Innovation
    Scoreboard dimensions), and where it differs most: the automatic first layer of judging
    whether a finding transfers."""
    from placelens.cli.common import console
    from placelens.services import evidence

    try:
        records = {r.id: r for r in evidence.seed_records(seed)}
        if record_id not in records:
            raise PlacelensError(f"no record {record_id!r}; records run "
                                 f"{min(records)}–{max(records)}")
        record = records[record_id]
        if record.country in evidence.UK_CODES:
            console.print(f"{record_id} is a UK study ({record.place}): at country level its "
                          "context is yours. A comparison of the places themselves is not "
                          "built yet.")
            return
        year, found = evidence.country_context(record.country,
                                               record.period_end or record.period_start)
    except PlacelensError as error:
        fail(error)
    console.print(f"{record_id}: {record.intervention} ({record.country}). Context distance "
                  f"from the UK, European Innovation Scoreboard {year}: {found.distance:.2f} "
                  f"(0 = the same; 1 = a typical spread apart on every one of {found.compared} "
                  "dimensions).")
    write_table(found.differences.round(2), None, "Where the contexts differ most "
                "(scores relative to the EU; difference in standard deviations across "
                "countries)")
