"""Qualitative sources on the web, on SQLite and PostgreSQL: add a source about a place, code
a passage by paragraph and exact quotation, publish with consent basis and access tier, and
see the coded passage on the place's page — never before it is published, never to another
partnership."""

from __future__ import annotations

import uuid

import pytest

from web_support import Browser, last_code, make_app

TEXT = ("The board agreed to run another pilot of the voucher scheme.\n\n"
        "Partners said piloting again without scaling up was the main worry.\n\n"
        "Ask ann@tees.example for the slides.")


@pytest.fixture
def qual_app(warehouse_path, database):
    app = make_app(warehouse_path, database.url)
    yield app
    app.state.accounts.db.engine.dispose()


def test_code_publish_and_see_it_on_the_area_page(qual_app):
    tag = uuid.uuid4().hex[:8]
    ann, eve, anonymous = Browser(qual_app), Browser(qual_app), Browser(qual_app)
    ann.sign_up(f"ann-{tag}@example.org", "Ann")
    eve.sign_up(f"eve-{tag}@example.org", "Eve")
    tees = ann.create_partnership(f"Tees {tag}")
    form = f"/workspaces/{tees}/sources/new"
    bad = ann.post(f"/workspaces/{tees}/sources", {"name": "Minutes", "kind": "minutes",
                                                   "text": TEXT, "place": "Atlantis"},
                   from_page=form)
    assert bad.status_code == 400 and "No place matches" in bad.text
    added = ann.post(f"/workspaces/{tees}/sources", {
        "name": "Board minutes", "kind": "minutes", "text": TEXT, "place": "Hartlepool",
        "collected_by": "Partnership secretariat"}, from_page=form)
    assert added.status_code == 303, added.text
    page = added.headers["location"]
    source_id = page.rsplit("/", 1)[1]
    ann.post(f"/sources/{source_id}/codes", {"name": "Perpetual piloting"}, from_page=page)
    code = last_code(ann.client.get(page).text)
    wrong = ann.post(f"/sources/{source_id}/codings", {"paragraph": "2", "quote": "tramway",
                                                       "code": code}, from_page=page)
    assert wrong.status_code == 400 and "does not contain those exact words" in wrong.text
    coded = ann.post(f"/sources/{source_id}/codings", {
        "paragraph": "2", "quote": "piloting again without scaling up", "code": code},
        from_page=page)
    assert coded.status_code == 303
    assert "<mark>“piloting again without scaling up”</mark>" in ann.client.get(page).text
    for outsider in (eve, anonymous):
        assert outsider.client.get(page).status_code == 404
        assert "piloting again" not in outsider.client.get("/areas/E06000001").text
    refused = ann.post(f"/sources/{source_id}/publish", {"consent_basis": "",
                                                         "access_tier": "open"},
                       from_page=page)
    assert refused.status_code == 400 and "State the consent basis" in refused.text
    published = ann.post(f"/sources/{source_id}/publish", {
        "consent_basis": "Board members agreed to publication", "access_tier": "open"},
        from_page=page)
    assert "e-mail address: ann@tees.example" in published.text
    area = anonymous.client.get("/areas/E06000001").text
    assert "“piloting again without scaling up”" in area
    assert "consent: Board members agreed to publication (open access)" in area
    assert eve.client.get(page).status_code == 200
    assert eve.post(f"/sources/{source_id}/codings", {"paragraph": "1", "code": code},
                    token=eve.csrf("/workspaces")).status_code == 404


def test_api_search_and_agreement_pages_show_only_what_one_may_see(qual_app):
    tag = uuid.uuid4().hex[:8]
    ann, eve, anonymous = Browser(qual_app), Browser(qual_app), Browser(qual_app)
    ann.sign_up(f"ann-{tag}@example.org", "Ann")
    eve.sign_up(f"eve-{tag}@example.org", "Eve")
    tees = ann.create_partnership(f"Tees {tag}")
    added = ann.post(f"/workspaces/{tees}/sources", {"name": f"Notes {tag}",
                                                     "kind": "workshop notes", "text": TEXT},
                     from_page=f"/workspaces/{tees}/sources/new")
    page = added.headers["location"]
    source_id = page.rsplit("/", 1)[1]
    ann.post(f"/sources/{source_id}/codes", {"name": "Perpetual piloting"}, from_page=page)
    code = last_code(ann.client.get(page).text)
    ann.post(f"/sources/{source_id}/codings", {"paragraph": "2", "code": code},
             from_page=page)
    mine = ann.client.get(f"/api/v1/qualitative/sources/{source_id}").json()
    assert mine["passages"][0]["codes"] == [{"code": "Perpetual piloting", "coder": "Ann"}]
    for outsider in (eve, anonymous):
        get = outsider.client.get
        assert get(f"/api/v1/qualitative/sources/{source_id}").status_code == 404
        assert all(s["id"] != int(source_id)
                   for s in get("/api/v1/qualitative/sources").json()["items"])
        assert "0 hits" in get("/qualitative/search?q=piloting").text
    assert eve.client.get(f"/workspaces/{tees}/agreement").status_code == 404
    hits = ann.client.get("/qualitative/search?q=voucher").text
    assert "<mark>voucher</mark>" in hits
    table = ann.client.get(f"/workspaces/{tees}/agreement?code=Perpetual+piloting").text
    assert "Perpetual piloting" in table and "not defined" in table   # one coder only


def test_journey_assessment_shows_coded_evidence_for_each_critical_moment(qual_app):
    tag = uuid.uuid4().hex[:8]
    ann = Browser(qual_app)
    ann.sign_up(f"ann-{tag}@example.org", "Ann")
    tees = ann.create_partnership(f"Tees {tag}")
    answers = {f"answer-{q}": "4" for q in ("M1.1", "A.1", "A.2")}
    saved = ann.post(f"/workspaces/{tees}/journey", {"place": "Hartlepool",
                                                     "date": "2026-11-30", **answers},
                     from_page=f"/workspaces/{tees}")
    journey = saved.headers["location"]
    added = ann.post(f"/workspaces/{tees}/sources", {"name": "Minutes", "kind": "minutes",
                                                     "text": TEXT},
                     from_page=f"/workspaces/{tees}/sources/new")
    page = added.headers["location"]
    source_id = page.rsplit("/", 1)[1]
    ann.post(f"/sources/{source_id}/codes", {"name": "M4 Sustaining momentum"},
             from_page=page)
    code = last_code(ann.client.get(page).text)
    ann.post(f"/sources/{source_id}/codings", {"paragraph": "2", "quote": "piloting again",
                                               "code": code}, from_page=page)
    html = ann.client.get(journey).text
    assert "Coded evidence for each critical moment" in html
    section = html.split("Sustaining momentum</h3>")[1].split("<h3")[0]
    assert "“piloting again”" in section
    assert "No coded passage yet." in html.split("Acknowledging the problem</h3>")[1]


def test_a_word_file_becomes_a_source(qual_app):
    from test_source_files import _docx

    ann = Browser(qual_app)
    ann.sign_up(f"ann-{uuid.uuid4().hex[:8]}@example.org", "Ann")
    tees = ann.create_partnership(f"Tees {uuid.uuid4().hex[:8]}")
    form = f"/workspaces/{tees}/sources/new"
    refused = ann.post(f"/workspaces/{tees}/sources", {"name": "Interview", "kind": "interview"},
                       files={"file": ("interview.docx", b"not a zip", "application/zip")},
                       from_page=form)
    assert refused.status_code == 400 and "interview.docx: cannot be read" in refused.text
    added = ann.post(f"/workspaces/{tees}/sources", {"name": "Interview", "kind": "interview"},
                     files={"file": ("interview.docx", _docx(["We piloted again.",
                                                              "The board led."]),
                                     "application/octet-stream")}, from_page=form)
    assert added.status_code == 303, added.text
    page = ann.client.get(added.headers["location"]).text
    assert "¶ 2</span> The board led." in page
