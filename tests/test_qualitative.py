"""Qualitative sources in the application database on SQLite and PostgreSQL (#17): coding
with citable selections, publishing that needs consent basis and access tier and warns of
personal details, full-text search with keyword in context (FTS5 / PostgreSQL), and nothing
unpublished reaching another partnership through reads or search."""

from __future__ import annotations

import pytest

from placelens.errors import ForbiddenError, InputError, NotFoundError
from placelens.services.accounts import AccountService
from placelens.services.qualitative import QualitativeService
from placelens.services.workspaces import WorkspaceService

PASSWORD = "a long enough passphrase"
MINUTES = ("The board agreed to run another pilot of the voucher scheme.\n\n"
           "Partners said the council's leadership was closed to newcomers; piloting again "
           "without scaling up was the main worry.\n\n"
           "Contact ann@tees.example for the slides, or 01642 123456.")


@pytest.fixture
def corpus(database):
    accounts, workspaces = AccountService(database), WorkspaceService(database)
    ann = accounts.sign_up("ann@example.org", "Ann", PASSWORD)
    vic = accounts.sign_up("vic@example.org", "Vic", PASSWORD)
    eve = accounts.sign_up("eve@example.org", "Eve", PASSWORD)
    tees = workspaces.create_partnership(ann, "Tees LPIP")
    workspaces.create_partnership(eve, "Leeds LPIP")
    workspaces.accept(vic, workspaces.invite(ann, tees.id, "vic@example.org", "viewer"))
    qual = QualitativeService(database)
    source = qual.add_source(ann, tees.id, "Board minutes, March", "minutes", MINUTES,
                             {"collected_by": "Partnership secretariat",
                              "collection_method": "Minutes of a board meeting",
                              "participant_role": "Board members approved the minutes"})
    return qual, ann, vic, eve, tees, source


def test_coding_makes_citable_selections(corpus):
    qual, ann, vic, _, tees, source = corpus
    moments = qual.add_code(ann, tees.id, "Critical moments")
    piloting = qual.add_code(ann, tees.id, "Perpetual piloting", moments)
    start = MINUTES.index("piloting again")
    guid = qual.code(ann, source.id, start, start + 37, piloting)
    assert qual.code(ann, source.id, start, start + 37, moments) == guid   # same selection
    [selection] = qual.source(vic, source.id).selections
    assert selection.quote == "piloting again without scaling up was"
    assert selection.codes == (("Perpetual piloting", "Ann"), ("Critical moments", "Ann"))
    with pytest.raises(InputError, match="within the text"):
        qual.code(ann, source.id, 10, 10_000, piloting)
    with pytest.raises(ForbiddenError):
        qual.code(vic, source.id, 0, 5, piloting)
    assert [c["name"] for c in qual.codebook(vic, tees.id)] == ["Critical moments",
                                                                "Perpetual piloting"]


def test_unpublished_sources_never_leave_the_partnership(corpus):
    qual, ann, vic, eve, tees, source = corpus
    for outsider in (None, eve):
        with pytest.raises(NotFoundError):
            qual.source(outsider, source.id)
        assert qual.sources(outsider) == []
        assert qual.search(outsider, "pilot") == []
    with pytest.raises(NotFoundError):
        qual.code(eve, source.id, 0, 5, 1)
    with pytest.raises(NotFoundError):
        qual.codebook(eve, tees.id)
    assert len(qual.search(vic, "pilot")) >= 1


def test_publishing_needs_consent_and_tier_and_warns_of_personal_details(corpus):
    qual, ann, vic, eve, _, source = corpus
    with pytest.raises(InputError) as missing:
        qual.publish(ann, source.id, " ", "open")
    assert missing.value.field == "consent_basis"
    with pytest.raises(InputError) as tier:
        qual.publish(ann, source.id, "Board members agreed", "public")
    assert tier.value.field == "access_tier"
    with pytest.raises(ForbiddenError):
        qual.publish(vic, source.id, "Board members agreed", "open")
    warnings = qual.publish(ann, source.id, "Board members agreed", "open")
    assert warnings == [("e-mail address", "ann@tees.example"),
                        ("telephone number", "01642 123456")]
    shown = qual.source(eve, source.id)
    assert shown.consent_basis == "Board members agreed" and shown.access_tier == "open"
    assert shown.collected_by == "Partnership secretariat"


def test_full_text_search_with_keyword_in_context(corpus):
    qual, ann, *_ = corpus
    hits = qual.search(ann, "piloting")
    words = [h.match.lower() for h in hits]
    assert "piloting" in words and "pilot" in words          # stemmed on both databases
    hit = next(h for h in hits if h.match == "piloting")
    assert hit.before.endswith("closed to newcomers; ") and hit.after.startswith(" again")
    assert qual.search(ann, "newcomers")[0].source == "Board minutes, March"
    assert qual.search(ann, "tramway") == [] and qual.search(ann, "  ") == []


def test_a_refi_project_goes_into_the_database_and_back_out(corpus, datapack):
    """Everything placelens keeps comes back out equal; a whole-source coding comes back as a
    selection of the whole text; the PDF source and the link are named as not stored; a
    second import of the export exports the same project again."""
    from placelens.qda.refi import qdpx_bytes, schema
    from placelens.qda.refi_read import read_qdpx
    from placelens.services.qualitative_projects import (
        counted,
        export_project,
        import_project,
    )
    from test_refi_qda import sample

    qual, ann, vic, eve, tees, _ = corpus
    xsd = schema(datapack.parent / "standards" / "refi-qda" / "Project-mrt2019.xsd")
    project = read_qdpx(qdpx_bytes(sample()), "tees.qdpx", xsd)
    stored = import_project(qual.db, ann, tees.id, project)
    assert stored.counts == {"codes": 3, "sources": 1, "selections": 3, "codings": 4,
                             "cases": 1, "variables": 2, "notes": 1, "sets": 1}
    assert stored.summary == ("3 codes, 1 source, 3 selections, 4 codings, 1 case, "
                              "2 variables, 1 note, 1 set")
    assert [counted(n, "code") for n in (0, 1, 2)] == ["0 codes", "1 code", "2 codes"]
    assert stored.not_stored == ["PDFSource 'Minutes'", "Link 'led by'"]
    with pytest.raises(InputError, match="already holds source 'Interview 1'"):
        import_project(qual.db, ann, tees.id, project)
    with pytest.raises(NotFoundError):
        export_project(qual.db, eve, tees.id, "stolen")
    out = read_qdpx(qdpx_bytes(export_project(qual.db, vic, tees.id, project.name)),
                    "export.qdpx", xsd)                       # validates against the schema
    [interview] = [s for s in out.sources if s.guid == project.sources[0].guid]
    original = project.sources[0]
    [whole] = [s for s in interview.selections
               if s.guid not in {x.guid for x in original.selections}]
    assert (whole.start, whole.end, whole.codings) == (0, len(original.text), original.codings)
    interview.selections.remove(whole)
    original.codings = []
    project.description, project.extras, project.files = "", {}, {}
    out.sources = [interview]
    assert out == project
    copy = WorkspaceService(qual.db).create_partnership(ann, "Tees copy")
    import_project(qual.db, ann, copy.id, out)
    assert export_project(qual.db, ann, copy.id, project.name) == out


def test_agreement_per_code_on_paragraphs_by_hand(database):
    from placelens.services.coder_agreement import agreement, disagreements

    accounts, workspaces = AccountService(database), WorkspaceService(database)
    ann = accounts.sign_up("ann@example.org", "Ann", PASSWORD)
    bob = accounts.sign_up("bob@example.org", "Bob", PASSWORD)
    tees = workspaces.create_partnership(ann, "Tees LPIP")
    workspaces.accept(bob, workspaces.invite(ann, tees.id, "bob@example.org", "editor"))
    qual = QualitativeService(database)
    text = "One.\n\nTwo.\n\nThree.\n\nFour."
    source = qual.add_source(ann, tees.id, "Workshop", "workshop notes", text, {})
    code = qual.add_code(ann, tees.id, "Perpetual piloting")
    spans = {name: (text.index(name), text.index(name) + len(name))
             for name in ("One", "Two", "Three", "Four")}
    for coder, marked in ((ann, ("One", "Two")), (bob, ("One", "Three"))):
        for name in marked:
            qual.code(coder, source.id, *spans[name], code)
    # units: Ann 1 1 0 0, Bob 1 0 1 0 → p_o = 1/2, p_e = 1/2·1/2 + 1/2·1/2 = 1/2, kappa 0;
    # alpha (nominal, 2 coders, 4 units): o_11 = 2, o_10 = o_01 = 2, o_00 = 2, n = 8:
    # 1 − 7·4 / (64 − 16 − 16) = 1 − 28/32 = 0.125
    found = agreement(database, bob, tees.id)
    row = found.table.set_index("code").loc["Perpetual piloting"]
    assert (row["coders"], row["units"]) == (2, 4)
    assert row["kappa"] == pytest.approx(0.0) and row["alpha"] == pytest.approx(0.125)
    assert "paragraph" in found.unit
    differ = disagreements(database, ann, tees.id, "Perpetual piloting")
    assert [(d["paragraph"], d["applied"]) for d in differ] == [("Two.", ["Ann"]),
                                                                ("Three.", ["Bob"])]


def test_qual_commands(tmp_path, monkeypatch, datapack):
    from typer.testing import CliRunner

    from placelens.cli import app
    from placelens.db.database import Database
    from placelens.qda.refi import qdpx_bytes
    from test_refi_qda import sample

    monkeypatch.setenv("PLACELENS_DATABASE_URL", f"sqlite:///{tmp_path / 'app.sqlite'}")
    database = Database()
    database.migrate()
    ann = AccountService(database).sign_up("ann@example.org", "Ann", PASSWORD)
    AccountService(database).sign_up("eve@example.org", "Eve", PASSWORD)
    WorkspaceService(database).create_partnership(ann, "Tees LPIP")
    (tmp_path / "in.qdpx").write_bytes(qdpx_bytes(sample()))
    runner = CliRunner()
    member = ["--partnership", "Tees LPIP", "--as", "ann@example.org"]
    done = runner.invoke(app, ["qual", "import", str(tmp_path / "in.qdpx"), *member])
    assert done.exit_code == 0 and "1 source, 3 selections" in done.output, done.output
    assert "Not stored (placelens keeps text sources): PDFSource 'Minutes'" in " ".join(
        done.output.split())
    exported = runner.invoke(app, ["qual", "export", *member, "--out",
                                   str(tmp_path / "out.qdpx")])
    assert exported.exit_code == 0 and (tmp_path / "out.qdpx").stat().st_size > 0
    outsider = runner.invoke(app, ["qual", "export", "--partnership", "Tees LPIP", "--as",
                                   "eve@example.org", "--out", str(tmp_path / "eve.qdpx")])
    assert outsider.exit_code == 2 and not (tmp_path / "eve.qdpx").exists()
    codebook = runner.invoke(app, ["qual", "export", *member, "--out",
                                   str(tmp_path / "codes.qdc")])
    assert codebook.exit_code == 0 and "(3 codes)" in " ".join(codebook.output.split())
    WorkspaceService(database).create_partnership(ann, "Leeds LPIP")
    into_leeds = ["--partnership", "Leeds LPIP", "--as", "ann@example.org"]
    added = runner.invoke(app, ["qual", "import", str(tmp_path / "codes.qdc"), *into_leeds])
    assert "Added 3 codes" in " ".join(added.output.split()), added.output
    again = runner.invoke(app, ["qual", "import", str(tmp_path / "codes.qdc"), *into_leeds])
    assert "Added 0 codes" in " ".join(again.output.split())
    measured = runner.invoke(app, ["qual", "agreement", *member, "--out",
                                   str(tmp_path / "agreement.csv")])
    assert measured.exit_code == 0 and "paragraph" in measured.output
    assert runner.invoke(app, ["qual", "search", "council"]).output.strip().endswith("0 hits")
    private = runner.invoke(app, ["qual", "search", "council", "--as", "ann@example.org"])
    assert "1 hits" in private.output


def test_two_imports_at_once_store_the_project_once(corpus, datapack, monkeypatch):
    """Both runs pass the repeat check before either commits (forced here by skipping it in
    the second): the database's unique GUIDs refuse the second whole, with a clear error."""
    from placelens.qda.refi import qdpx_bytes, schema
    from placelens.qda.refi_read import read_qdpx
    from placelens.services import qualitative_projects
    from test_refi_qda import sample

    qual, ann, _, _, tees, _ = corpus
    xsd = schema(datapack.parent / "standards" / "refi-qda" / "Project-mrt2019.xsd")
    project = read_qdpx(qdpx_bytes(sample()), "tees.qdpx", xsd)
    qualitative_projects.import_project(qual.db, ann, tees.id, project)
    before = len(qual.partnership_sources(ann, tees.id))
    monkeypatch.setattr(qualitative_projects, "_refuse_repeats", lambda *args: None)
    with pytest.raises(InputError, match=r"ran at the same time\); nothing was stored"):
        qualitative_projects.import_project(qual.db, ann, tees.id, project)
    assert len(qual.partnership_sources(ann, tees.id)) == before
