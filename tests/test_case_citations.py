"""Evidence-library studies citing qualitative case material (#17), on SQLite and PostgreSQL:
a partnership's study cites a coded passage by its GUID; members see the quotation with its
provenance and consent; once the study is published, outsiders see the study and the passage
only if its source is published too."""

from __future__ import annotations

import pytest

from placelens.errors import InputError, NotFoundError
from placelens.services import evidence
from placelens.services.accounts import AccountService
from placelens.services.case_citations import cite_passage, cited_passages
from placelens.services.evidence_library import EvidenceLibrary
from placelens.services.qualitative import QualitativeService
from placelens.services.workspaces import WorkspaceService
from placelens.study_records import from_seed

PASSWORD = "a long enough passphrase"
TEXT = "The voucher scheme ran twice.\n\nFirms said the vouchers were too small to matter."


@pytest.fixture
def cited(database):
    accounts, workspaces = AccountService(database), WorkspaceService(database)
    ann = accounts.sign_up("ann@example.org", "Ann", PASSWORD)
    eve = accounts.sign_up("eve@example.org", "Eve", PASSWORD)
    tees = workspaces.create_partnership(ann, "Tees LPIP")
    leeds = workspaces.create_partnership(eve, "Leeds LPIP")
    qual, books = QualitativeService(database), EvidenceLibrary(database)
    source = qual.add_source(ann, tees.id, "Firm interviews", "interview", TEXT,
                             {"collected_by": "Tees LPIP researchers"})
    start = TEXT.index("the vouchers")
    guid = qual.code(ann, source.id, start, start + 33, qual.add_code(ann, tees.id, "Scale"))
    seed = from_seed(evidence.seed_records()[0])
    [study] = books.add_studies(ann, tees.id, [seed.__class__(
        **{**seed.__dict__, "reference": "tees-vouchers", "intervention": "Tees vouchers"})])
    [other] = books.add_studies(eve, leeds.id, [seed.__class__(
        **{**seed.__dict__, "reference": "leeds-1", "intervention": "Leeds grants"})])
    return qual, books, ann, eve, source, guid, study, other


def test_a_study_cites_a_passage_seen_only_where_its_source_may_be(cited):
    qual, books, ann, eve, source, guid, study, other = cited
    cite_passage(books, ann, study.id, guid)
    cite_passage(books, ann, study.id, guid)                      # once only
    [passage] = cited_passages(books, qual, ann, study.id)
    assert passage["selection"].quote == "the vouchers were too small to ma"
    assert passage["source"].collected_by == "Tees LPIP researchers"
    books.set_published(ann, study.id, True)
    assert cited_passages(books, qual, eve, study.id) == []       # study yes, passage no
    assert cited_passages(books, qual, None, study.id) == []
    qual.publish(ann, source.id, "Interviewees agreed to quotation", "open")
    [seen] = cited_passages(books, qual, None, study.id)
    assert seen["source"].consent_basis == "Interviewees agreed to quotation"
    cite_passage(books, eve, other.id, guid)          # a published passage may be cited
    assert len(cited_passages(books, qual, eve, other.id)) == 1


def test_citing_needs_an_editor_and_a_passage_one_may_cite(cited):
    qual, books, ann, eve, source, guid, study, other = cited
    with pytest.raises(NotFoundError):
        cite_passage(books, eve, study.id, guid)                  # not her partnership's study
    with pytest.raises(InputError, match="No coded passage with that id"):
        cite_passage(books, eve, other.id, guid)                  # Tees' private passage
    with pytest.raises(InputError, match="No coded passage"):
        cite_passage(books, ann, study.id, "not-a-guid")
    with pytest.raises(NotFoundError):
        cited_passages(books, qual, eve, study.id)                # private study
