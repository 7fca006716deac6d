"""The evidence library in the application database, on SQLite and PostgreSQL: the seed
imported with every grade's source, uploads (CSV, RIS, BibTeX) refused whole when one entry is
bad, placelens's own evaluations filed with their report, and no partnership's private study
visible to anyone else through listings, search, the gap map or its report."""

from __future__ import annotations

import pytest

from placelens.errors import DataFormatError, ForbiddenError, InputError, NotFoundError
from placelens.services import evidence
from placelens.services.accounts import AccountService
from placelens.services.evidence_library import EvidenceLibrary
from placelens.services.workspaces import WorkspaceService
from placelens.study_records import FindingInput, from_evaluation, from_seed, read_study_file

PASSWORD = "a long enough passphrase"

RIS = b"""TY  - JOUR
AU  - Roper, Stephen
AU  - Vanino, Enrico
TI  - Knowledge to money
T2  - Research Policy
PY  - 2019
DO  - 10.1016/j.respol.2019.04.001
ER  -

TY  - RPRT
TI  - Evaluation of a regional innovation voucher pilot
PY  - 2021
UR  - https://example.org/vouchers
ER  -
"""

BIB = b"""@article{bakhshi2015,
  title = {Creative credits: a randomized controlled industrial policy experiment},
  author = {Bakhshi, Hasan and Edwards, John S. and Roper, Stephen},
  journal = {Research Policy},
  year = {2015},
  doi = {10.1016/j.respol.2014.08.013}
}
"""


@pytest.fixture
def library(database, datapack):
    accounts, workspaces = AccountService(database), WorkspaceService(database)
    ann = accounts.sign_up("ann@example.org", "Ann Analyst", PASSWORD)
    vic = accounts.sign_up("vic@example.org", "Vic Viewer", PASSWORD)
    eve = accounts.sign_up("eve@example.org", "Eve", PASSWORD)
    cornwall = workspaces.create_partnership(ann, "Cornwall LPIP")
    leeds = workspaces.create_partnership(eve, "Leeds LPIP")
    token = workspaces.invite(ann, cornwall.id, "vic@example.org", "viewer")
    workspaces.accept(vic, token)
    books = EvidenceLibrary(database)
    books.import_seed([from_seed(r) for r in evidence.seed_records()])
    return books, ann, vic, eve, cornwall, leeds


def test_seed_import_keeps_every_grade_source_and_is_idempotent(library):
    books, *_ = library
    studies = books.studies(None)
    assert len(studies) == 58
    assert books.import_seed([from_seed(r) for r in evidence.seed_records()]) == 0
    by_reference = {s.reference: s for s in studies}
    wwg = by_reference["LPIP-001"]
    assert wwg.grade_label == "SMS 3 (What Works Growth)" and wwg.graded_by == \
        "What Works Growth" and "Statistical approach" in wwg.grade_detail
    implied = [s for s in studies if s.grade_source == "design-implied"]
    assert len(implied) == 35
    for study in implied:  # a design-implied grade is never displayed as What Works Growth's
        assert "(What Works Growth)" not in study.grade_label
        assert "not a What Works Growth grade" in study.grade_label
        assert study.graded_by == "placelens seed compilers"
    assert all(s.grade_label == "not graded" for s in studies if s.sms is None)
    assert by_reference["LPIP-001"].places == ("K02000001",)
    assert wwg.stip_type == "Grants for business R&D and innovation"


def test_library_gap_map_equals_the_seed_gap_map(library):
    books, *_ = library
    from_library = evidence.gap_map(books.findings(None), reference_year=2026)
    from_seed_file = evidence.gap_map(evidence.seed_records(), reference_year=2026)
    assert from_library.equals(from_seed_file)


def test_a_private_study_never_leaks_outside_its_partnership(library):
    books, ann, vic, eve, cornwall, leeds = library
    secret = from_seed(evidence.seed_records()[0])
    stored = books.add_studies(ann, cornwall.id, [secret.__class__(
        **{**secret.__dict__, "reference": "secret-1",
           "intervention": "Cornwall confidential pilot"})])[0]
    assert not stored.published and stored.partnership == "Cornwall LPIP"
    for outsider in (None, eve):
        assert all(s.id != stored.id for s in books.studies(outsider))
        assert books.studies(outsider, text="confidential") == []
        assert len(books.findings(outsider)) == 58
        with pytest.raises(NotFoundError):
            books.study(outsider, stored.id)
    for member in (ann, vic):
        assert books.study(member, stored.id).intervention == "Cornwall confidential pilot"
    with pytest.raises(NotFoundError):  # outsiders cannot change it either
        books.set_published(eve, stored.id, True)
    with pytest.raises(ForbiddenError):  # a viewer cannot publish
        books.set_published(vic, stored.id, True)
    books.set_published(ann, stored.id, True)
    assert books.study(eve, stored.id).partnership == "Cornwall LPIP"


def test_grades_name_their_grader_and_the_shared_library_is_read_only(library):
    books, ann, vic, eve, cornwall, _ = library
    [study] = books.add_studies(ann, cornwall.id, read_study_file(
        "refs.bib", BIB, intervention_type="innovation_voucher", country="gb"))
    assert study.grade_label == "not graded" and study.country == "GB"
    with pytest.raises(InputError) as missing:
        books.grade(ann, study.id, 5, " ")
    assert missing.value.field == "rationale"
    with pytest.raises(InputError):
        books.grade(ann, study.id, 6, "randomised")
    with pytest.raises(ForbiddenError):
        books.grade(vic, study.id, 5, "randomised")
    graded = books.grade(ann, study.id, 5, "Randomised allocation of vouchers")
    assert graded.grade_label == "SMS 5 (graded by Ann Analyst, not a What Works Growth grade)"
    seed_id = books.studies(None)[0].id
    with pytest.raises(NotFoundError):
        books.grade(ann, seed_id, 1, "no")


def test_ris_and_bibtex_references_become_ungraded_studies(library):
    books, ann, _, _, cornwall, _ = library
    studies = read_study_file("export.ris", RIS, intervention_type="rd_grant")
    assert [s.period_end for s in studies] == [2019, 2021]
    assert studies[0].link == "https://doi.org/10.1016/j.respol.2019.04.001"
    assert studies[0].citation.startswith("Roper, Stephen; Vanino, Enrico. (2019). Knowledge")
    assert studies[1].reference == "https://example.org/vouchers"
    [bib] = read_study_file("refs.bib", BIB, intervention_type="rd_grant")
    assert bib.intervention.startswith("Creative credits") and bib.period_end == 2015
    stored = books.add_studies(ann, cornwall.id, studies)
    assert [s.findings for s in stored] == [(), ()]
    with_finding = books.add_finding(ann, stored[0].id, FindingInput("employment", "positive",
                                                                     "Faster growth"))
    assert with_finding.findings[0].intervention_type == "rd_grant"
    with pytest.raises(InputError, match="outcome_domain"):
        books.add_finding(ann, stored[0].id, FindingInput("happiness", "positive"))


@pytest.mark.parametrize("name, data, kind, message", [
    ("refs.ris", b"no references here", "rd_grant", "no references"),
    ("refs.ris", RIS, "", "intervention type"),
    ("refs.bib", BIB.replace(b"title = {Creative", b"note = {Creative"), "rd_grant",
     "reference 1 has no title"),
    ("refs.bib", BIB.replace(b"{2015}", b"{soon}"), "rd_grant", "year 'soon'"),
    ("refs.txt", RIS, "rd_grant", "upload a .csv, .ris, .bib file"),
])
def test_bad_reference_files_are_refused_naming_the_entry(name, data, kind, message):
    with pytest.raises(DataFormatError, match=message) as error:
        read_study_file(name, data, intervention_type=kind)
    assert error.value.file == name


def test_a_bad_csv_row_is_refused_whole_naming_row_and_column(library, datapack):
    books, ann, _, _, cornwall, _ = library
    lines = (datapack / "evidence_seed/interventions.csv").read_bytes().splitlines()
    good = b"\n".join(lines[:3]) + b"\n"
    assert len(read_study_file("mine.csv", good)) == 2
    bad = good.replace(b",rd_grant,", b",moonshot,", 1)
    with pytest.raises(DataFormatError) as error:
        read_study_file("mine.csv", bad)
    assert (error.value.file, error.value.row, error.value.column) == \
        ("mine.csv", 2, "intervention_type")
    assert books.studies(ann) == books.studies(None)  # nothing stored


def test_an_evaluation_is_filed_privately_with_its_report_and_rule(library):
    books, ann, _, eve, cornwall, _ = library
    record = {"place": "E06000052", "place_name": "Cornwall", "intervention": "Smart grants",
              "outcome": "GVA per hour", "design": "synthetic control", "start_year": 2018,
              "effect": -1.25, "effect_unit": "GVA per hour", "uncertainty": "placebo p = 0.2",
              "grade": 2, "grade_reason": "in-space placebo p-value 0.200 > 0.10",
              "source": "ONS", "created": "2026-12-02",
              "specification": {"method": "synthetic control (ADH 2010)",
                                "donor_weights": {"Devon": 0.6, "Somerset": 0.4},
                                "grade_rule": "Maryland SMS as placelens applies it"}}
    study = books.file_evaluation(ann, cornwall.id, from_evaluation(
        record, "rd_grant", "productivity"), record, "<html>report</html>")
    assert study.grade_label.startswith("SMS 2 (placelens's rule")
    assert study.comparison == "synthetic control: Devon 0.6, Somerset 0.4"
    assert study.findings[0].direction == "negative" and study.findings[0].effect == "-1.25"
    assert study.evaluation == record and study.has_report
    assert books.report(ann, study.id) == "<html>report</html>"
    with pytest.raises(NotFoundError):
        books.report(eve, study.id)
    with pytest.raises(DataFormatError, match="not a placelens evaluation record"):
        from_evaluation({"place": "x"}, "rd_grant", "GVA")


def test_library_commands(tmp_path, monkeypatch, datapack):
    """import-seed, import and file on the command line, acting as a partnership member."""
    import json

    from typer.testing import CliRunner

    from placelens.cli import app
    from placelens.db.database import Database

    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    monkeypatch.setenv("PLACELENS_DATABASE_URL", url)
    runner = CliRunner()
    first = runner.invoke(app, ["evidence", "import-seed"])
    assert first.exit_code == 0 and "Added 58 studies" in first.output
    assert "Added 0 studies" in runner.invoke(app, ["evidence", "import-seed"]).output
    database = Database(url)
    ann = AccountService(database).sign_up("ann@example.org", "Ann", PASSWORD)
    WorkspaceService(database).create_partnership(ann, "Cornwall LPIP")
    (tmp_path / "refs.ris").write_bytes(RIS)
    member = ["--partnership", "cornwall lpip", "--as", "ann@example.org"]
    done = runner.invoke(app, ["evidence", "import", str(tmp_path / "refs.ris"), *member,
                               "--type", "rd_grant"])
    assert done.exit_code == 0 and "Imported 2 studies" in done.output, done.output
    record = {"place": "E06000052", "place_name": "Cornwall", "intervention": "Grants",
              "outcome": "GVA per hour", "design": "difference-in-differences",
              "start_year": 2018, "effect": 0.5, "effect_unit": "GVA per hour",
              "uncertainty": "95% CI 0.1 to 0.9", "grade": 3, "grade_reason": "no pre-trend",
              "source": "ONS", "created": "2026-12-02",
              "specification": {"controls": "never-treated units", "grade_rule": "rule"}}
    (tmp_path / "did.evidence.json").write_text(json.dumps(record))
    (tmp_path / "did.html").write_text("<html>the report</html>")
    filed = runner.invoke(app, ["evidence", "file", str(tmp_path / "did.evidence.json"), *member,
                                "--type", "rd_grant", "--outcome", "productivity"])
    assert filed.exit_code == 0 and "report attached" in filed.output, filed.output
    outsider = runner.invoke(app, ["evidence", "import", str(tmp_path / "refs.ris"),
                                   "--partnership", "Leeds", "--as", "ann@example.org",
                                   "--type", "rd_grant"])
    assert outsider.exit_code == 2 and "not a member" in outsider.output
    shown = runner.invoke(app, ["evidence", "studies", "--out", str(tmp_path / "all.csv"),
                                "--as", "ann@example.org"])
    assert shown.exit_code == 0
    import pandas as pd

    table = pd.read_csv(tmp_path / "all.csv")
    assert len(table) == 61 and (table["library"] == "Cornwall LPIP").sum() == 3
    runner.invoke(app, ["evidence", "studies", "--out", str(tmp_path / "public.csv")])
    assert len(pd.read_csv(tmp_path / "public.csv")) == 58


def test_a_seed_import_racing_another_adds_nothing_twice(library, monkeypatch):
    """Two imports that both read the library before either wrote: the second one's rows
    clash with the unique reference index, it is rolled back and reports 0."""
    books, *_ = library
    monkeypatch.setattr(EvidenceLibrary, "_shared_references", staticmethod(lambda _: set()))
    assert books.import_seed([from_seed(r) for r in evidence.seed_records()]) == 0
    assert len(books.studies(None)) == 58
