"""``placelens evidence import-seed | import | file | studies``: the evidence library in the
application database (docs/evidence.md). Commands that add to a partnership act as one of its
members (``--as EMAIL``), so the same authorisation as on the web applies."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from placelens.cli.common import (
    InterventionType,
    OutcomeDomain,
    OutOption,
    console,
    fail,
    write_table,
)
from placelens.cli.evidence import SeedOption
from placelens.errors import PlacelensError

PartnershipOption = Annotated[str, typer.Option(
    "--partnership", help="The partnership's name or number.")]
ActorOption = Annotated[str, typer.Option(
    "--as", help="Email address of the partnership member doing this.")]


def _library():
    from placelens.db.database import Database
    from placelens.services.evidence_library import EvidenceLibrary

    database = Database()
    database.migrate()
    return database, EvidenceLibrary(database)


def member_and_partnership(database, email: str, partnership: str):
    """The account and the partnership id (by number or case-insensitive name)."""
    from placelens.services.accounts import AccountService
    from placelens.services.workspaces import WorkspaceService

    actor = AccountService(database).by_email(email)
    for view in WorkspaceService(database).partnerships(actor):
        if view.role and partnership.strip().lower() in (str(view.id), view.name.lower()):
            return actor, view.id
    raise PlacelensError(f"{email} is not a member of a partnership {partnership!r}")


def import_seed(seed: SeedOption = None) -> None:
    """Put the datapack's seed into the shared library of the application database
    (published; a record already there is left as it is)."""
    from placelens.services import evidence
    from placelens.study_records import from_seed

    try:
        database, library = _library()
        added = library.import_seed([from_seed(r) for r in evidence.seed_records(seed)])
    except PlacelensError as error:
        fail(error)
    console.print(f"Added {added} studies to the shared evidence library "
                  f"({database.engine.url.render_as_string()}).")


def import_file(
    file: Annotated[Path, typer.Argument(help="A .csv in the seed's columns, or references "
                                              "as .ris or .bib.")],
    partnership: PartnershipOption,
    actor: ActorOption,
    intervention_type: Annotated[InterventionType | None, typer.Option(
        "--type", help="For .ris/.bib: the intervention type the references evaluate.")] = None,
    country: Annotated[str, typer.Option(help="For .ris/.bib: ISO code of the country "
                                              "studied.")] = "",
) -> None:
    """Import studies into a partnership's private library (all of the file or nothing)."""
    from placelens.study_records import read_study_file

    try:
        database, library = _library()
        account, partnership_id = member_and_partnership(database, actor, partnership)
        studies = read_study_file(file.name, file.read_bytes(),
                                  intervention_type.value if intervention_type else "", country)
        stored = library.add_studies(account, partnership_id, studies)
    except (PlacelensError, OSError) as error:
        fail(error)
    console.print(f"Imported {len(stored)} studies into partnership {partnership_id}'s "
                  "library, private until an admin publishes them.")


def file_evaluation(
    record: Annotated[Path, typer.Argument(help="The *.evidence.json an evaluation wrote.")],
    partnership: PartnershipOption,
    actor: ActorOption,
    intervention_type: Annotated[InterventionType, typer.Option(
        "--type", help="The intervention type evaluated.")],
    outcome: Annotated[OutcomeDomain, typer.Option(help="The outcome domain of the "
                                                   "evaluated indicator.")],
    report: Annotated[Path | None, typer.Option(help="The evaluation's HTML report (default: "
                                                     "the record's sibling .html).")] = None,
) -> None:
    """File a placelens evaluation as a study in a partnership's private library, with its
    record and report."""
    try:
        page = report or record.with_name(record.name.removesuffix(".evidence.json") + ".html")
        study = file_record(record, page, partnership, actor, intervention_type.value,
                            outcome.value)
    except (PlacelensError, OSError) as error:
        fail(error)
    console.print(f"Filed as study {study.id} ({study.grade_label}); report "
                  f"{'attached' if study.has_report else 'not found'}.")


def file_record(record: Path, report: Path | None, partnership: str, actor: str,
                intervention_type: str, outcome_domain: str):
    """File an evaluation record (and its HTML report, when there is one) as a private study
    of the partnership, acting as ``actor``; returns the stored study."""
    from placelens.study_records import from_evaluation

    try:
        body = json.loads(record.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise PlacelensError(f"{record}: not JSON ({error})") from None
    html = report.read_text(encoding="utf-8") if report and report.exists() else None
    database, library = _library()
    account, partnership_id = member_and_partnership(database, actor, partnership)
    return library.file_evaluation(account, partnership_id, from_evaluation(
        body, intervention_type, outcome_domain), body, html)


def studies(
    intervention_type: Annotated[InterventionType | None, typer.Option(
        "--type", help="Only this intervention type.")] = None,
    outcome: Annotated[OutcomeDomain | None, typer.Option(help="Only this outcome.")] = None,
    text: Annotated[str, typer.Option(help="Only studies whose intervention or citation "
                                           "contains this.")] = "",
    actor: Annotated[str | None, typer.Option(
        "--as", help="Also show this member's partnerships' private studies.")] = None,
    out: OutOption = None,
) -> None:
    """The library's studies: published ones, and with --as a member's private ones too."""
    import pandas as pd

    from placelens.services.accounts import AccountService

    try:
        database, library = _library()
        account = AccountService(database).by_email(actor) if actor else None
        found = library.studies(account, intervention_type.value if intervention_type else "",
                                outcome.value if outcome else "", text=text)
    except PlacelensError as error:
        fail(error)
    table = pd.DataFrame([{
        "id": s.id, "reference": s.reference, "intervention": s.intervention,
        "type": s.intervention_type, "country": s.country, "period": s.period,
        "outcomes": ", ".join(f.outcome_domain for f in s.findings), "grade": s.grade_label,
        "graded by": s.graded_by, "library": s.partnership or "shared",
        "published": s.published} for s in found], columns=[
        "id", "reference", "intervention", "type", "country", "period", "outcomes", "grade",
        "graded by", "library", "published"]).set_index("id")
    write_table(table, out, f"Evidence library ({len(table)} studies)")


def register(evidence_app: typer.Typer) -> None:
    """Add the library's commands to ``placelens evidence``."""
    for name, command in (("import-seed", import_seed), ("import", import_file),
                          ("file", file_evaluation), ("studies", studies)):
        evidence_app.command(name)(command)
