"""``placelens qual``: a partnership's qualitative data — REFI-QDA projects in and out, coder
agreement and full-text search (docs/qualitative.md). Commands act as a member (``--as``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from placelens.cli.common import OutOption, console, fail, write_table
from placelens.errors import PlacelensError

qual_app = typer.Typer(help="Qualitative evidence: REFI-QDA projects, coder agreement and "
                       "search.", no_args_is_help=True)
PartnershipOption = Annotated[str, typer.Option("--partnership", help="The partnership's "
                                                "name or number.")]
ActorOption = Annotated[str, typer.Option("--as", help="Email of the member doing this.")]


def _member(actor: str, partnership: str):
    from placelens.cli.library import member_and_partnership
    from placelens.db.database import Database

    database = Database()
    database.migrate()
    return (database, *member_and_partnership(database, actor, partnership))


@qual_app.command("import")
def import_project(
    file: Annotated[Path, typer.Argument(help="A REFI-QDA project (.qdpx) or codebook (.qdc).")],
    partnership: PartnershipOption,
    actor: ActorOption,
) -> None:
    """Import a REFI-QDA project (NVivo, ATLAS.ti, MAXQDA, QualCoder...) or codebook into the
    partnership, private; it is validated against the standard's schema first."""
    from placelens.qda.refi import schema
    from placelens.qda.refi_read import read_qdc, read_qdpx
    from placelens.services.qualitative_projects import counted, import_codebook, import_project

    try:
        if file.suffix.lower() == ".qdc":
            codes = read_qdc(file.read_bytes(), file.name, schema())
            database, account, partnership_id = _member(actor, partnership)
            added = import_codebook(database, account, partnership_id, codes)
            console.print(f"Added {counted(added, 'code')} to the partnership's codebook.")
            return
        project = read_qdpx(file.read_bytes(), file.name, schema())
        database, account, partnership_id = _member(actor, partnership)
        stored = import_project(database, account, partnership_id, project)
    except (PlacelensError, OSError) as error:
        fail(error)
    console.print(f"Imported {stored.summary} (private to the partnership).")
    if stored.not_stored:
        console.print("Not stored (placelens keeps text sources): "
                      + ", ".join(stored.not_stored))


@qual_app.command("export")
def export_project(
    partnership: PartnershipOption,
    actor: ActorOption,
    out: Annotated[Path, typer.Option(help="The file to write: a project (.qdpx) or the "
                                      "codebook alone (.qdc).")] = Path("out/project.qdpx"),
) -> None:
    """Export the partnership's qualitative data as a REFI-QDA project, or its codebook
    (members only)."""
    from placelens.qda.refi import codebook_bytes, qdpx_bytes
    from placelens.services.qualitative_projects import export_codebook, export_project

    try:
        database, account, partnership_id = _member(actor, partnership)
        if out.suffix.lower() == ".qdc":
            codes = export_codebook(database, account, partnership_id)
            data, what = codebook_bytes(codes), f"{sum(1 for c in codes for _ in c.walk())} codes"
        else:
            project = export_project(database, account, partnership_id, partnership)
            data = qdpx_bytes(project)
            what = f"{len(project.sources)} sources, {len(project.all_codes())} codes"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
    except (PlacelensError, OSError) as error:
        fail(error)
    console.print(f"Wrote {out.resolve()} ({what})")


@qual_app.command("demo")
def demo(out: Annotated[Path, typer.Option(help="The .qdpx file to write.")] = Path(
        "out/demo_corpus.qdpx")) -> None:
    """Write the demo corpus: the documents placelens grew from (../shared/background),
    coded with a small codebook, as a REFI-QDA project checked against the schema."""
    from placelens.qda.demo_corpus import demo_project
    from placelens.qda.refi import qdpx_bytes, schema
    from placelens.qda.refi_read import read_qdpx
    from placelens.sources.provenance import datapack_dir

    try:
        data = qdpx_bytes(demo_project(datapack_dir().parent / "background"))
        project = read_qdpx(data, out.name, schema())
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
    except (PlacelensError, OSError) as error:
        fail(error)
    console.print(f"Wrote {out.resolve()}: {len(project.sources)} documents, "
                  f"{sum(len(s.selections) for s in project.sources)} coded passages "
                  "(placelens qual import it into a partnership to explore it)")


@qual_app.command("agreement")
def agreement(partnership: PartnershipOption, actor: ActorOption, out: OutOption = None
              ) -> None:
    """Cohen's kappa and Krippendorff's alpha per code, on paragraphs."""
    from placelens.services.coder_agreement import agreement as measure

    try:
        database, account, partnership_id = _member(actor, partnership)
        found = measure(database, account, partnership_id)
    except PlacelensError as error:
        fail(error)
    write_table(found.table.set_index("code"), out, "Agreement between coders")
    console.print(f"Unit: {found.unit}.")


@qual_app.command("search")
def search(
    text: Annotated[str, typer.Argument(help="Words to find.")],
    actor: Annotated[str | None, typer.Option("--as", help="Also search this member's "
                                              "partnerships' private sources.")] = None,
) -> None:
    """Full-text search of the sources one may see, each hit in its context."""
    from placelens.db.database import Database
    from placelens.services.accounts import AccountService
    from placelens.services.qualitative import QualitativeService

    try:
        database = Database()
        database.migrate()
        account = AccountService(database).by_email(actor) if actor else None
        hits = QualitativeService(database).search(account, text)
    except PlacelensError as error:
        fail(error)
    for hit in hits:
        console.print(f"[bold]{hit.source}[/]: …{hit.before}[reverse]{hit.match}[/]"
                      f"{hit.after}…", highlight=False)
    console.print(f"{len(hits)} hits")
