"""A partnership's qualitative work on the web (#17), on SQLite and PostgreSQL: memos, blind
double coding by two members, the code and case browsers, and REFI-QDA projects and
codebooks in and out of the workspace — none of it reachable by another partnership or a
visitor, memos not even after the source is published."""

from __future__ import annotations

import re
import uuid

import pytest

from web_support import Browser, last_code, make_app

TEXT = "We piloted again.\n\nNewcomers found the board closed.\n\nThe council led."


@pytest.fixture
def team(warehouse_path, database):
    app = make_app(warehouse_path, database.url)
    tag = uuid.uuid4().hex[:8]
    people = {name: Browser(app) for name in ("ann", "bob", "cat", "eve")}
    for name, browser in people.items():
        browser.sign_up(f"{name}-{tag}@example.org", name.title())
    tees = people["ann"].create_partnership(f"Tees {tag}")
    for name in ("bob", "cat"):
        invited = people["ann"].post(f"/workspaces/{tees}/invitations", {
            "email": f"{name}-{tag}@example.org", "role": "editor"},
            from_page=f"/workspaces/{tees}")
        link = re.search(r"https://testserver(/invitations/[\w-]+)", invited.text).group(1)
        assert people[name].post(link, {}, from_page=link).status_code == 303
    added = people["ann"].post(f"/workspaces/{tees}/sources", {
        "name": "Workshop", "kind": "workshop notes", "text": TEXT, "place": "Hartlepool"},
        from_page=f"/workspaces/{tees}/sources/new")
    page = added.headers["location"]
    people["ann"].post(page + "/codes", {"name": "Perpetual piloting"}, from_page=page)
    yield people, tees, page, tag
    app.state.accounts.db.engine.dispose()


def test_blind_double_coding_on_the_web(team):
    people, tees, page, tag = team
    ann, bob, cat = people["ann"], people["bob"], people["cat"]
    assert "Start blind double coding" in ann.client.get(page).text
    one = ann.post(page + "/blind", {"coders": f"bob-{tag}@example.org"}, from_page=page)
    assert one.status_code == 400 and "Choose at least two coders" in one.text
    ann.post(page + "/blind", {"coders": [f"bob-{tag}@example.org", f"cat-{tag}@example.org"]},
             from_page=page)
    code = last_code(ann.client.get(page).text)
    bob.post(page + "/codings", {"paragraph": "1", "code": code}, from_page=page)
    cat.post(page + "/codings", {"paragraph": "2", "code": code}, from_page=page)
    bob_sees = bob.client.get(page).text
    assert "coded blind" in bob_sees and "Perpetual piloting (Bob)" in bob_sees
    assert "(Cat)" not in bob_sees and "(Bob)" not in ann.client.get(page).text
    for coder in (bob, cat):
        coder.post(page + "/finished", {}, from_page=page)
    after = ann.client.get(page).text
    assert "Perpetual piloting (Bob)" in after and "Perpetual piloting (Cat)" in after
    assert "Every coder has finished" in after


def test_memos_stay_with_the_members(team):
    people, tees, page, _ = team
    ann, eve = people["ann"], people["eve"]
    empty = ann.post(page + "/memos", {"memo": " "}, from_page=page)
    assert empty.status_code == 400 and "Write the memo" in empty.text
    ann.post(page + "/memos", {"memo": "Second pilot in a year <b>again</b>"}, from_page=page)
    assert "Second pilot in a year &lt;b&gt;again&lt;/b&gt;" in ann.client.get(page).text
    ann.post(page + "/publish", {"consent_basis": "Participants agreed",
                                 "access_tier": "open"}, from_page=page)
    for outsider in (eve, Browser(ann.client.app)):
        seen = outsider.client.get(page)
        assert seen.status_code == 200 and "Second pilot" not in seen.text


def test_code_and_case_browsers_and_exchange(team, datapack):
    from placelens.qda.refi import codebook_bytes, qdpx_bytes
    from test_refi_qda import sample

    people, tees, page, _ = team
    ann, eve = people["ann"], people["eve"]
    code = last_code(ann.client.get(page).text)
    ann.post(page + "/codings", {"paragraph": "1", "code": code}, from_page=page)
    codes = ann.client.get(f"/workspaces/{tees}/codes?code=Perpetual+piloting").text
    assert ">1</td>" in codes and "“We piloted again.”" in codes
    cases = ann.client.get(f"/workspaces/{tees}/cases").text
    assert "Hartlepool (E06000001)" in cases and ">Workshop</a>" in cases
    cases_page = f"/workspaces/{tees}/cases"
    imported = ann.post(f"/workspaces/{tees}/qualitative/import", files={
        "project": ("tees.qdpx", qdpx_bytes(sample()), "application/zip")},
        from_page=cases_page)
    assert "Imported 3 codes, 1 source," in imported.text
    assert "Not stored (placelens keeps text sources): PDFSource" in imported.text
    assert "Stage: 2" in imported.text                   # the case's variable value
    assert "“We kept piloting” in <a" in imported.text     # the passage the case names
    grouped = ann.client.get(f"/workspaces/{tees}/codes").text.split("Sets of codes")[1]
    assert "Journey</dt>" in grouped and "Perpetual piloting, Leadership closed" in grouped
    bad = ann.post(f"/workspaces/{tees}/qualitative/import", files={
        "project": ("codes.qdc", codebook_bytes(sample().codes).replace(b"false", b"maybe"),
                    "application/xml")}, from_page=cases_page)
    assert bad.status_code == 400 and "codes.qdc, row 4: not a valid REFI-QDA" in bad.text
    download = ann.client.get(f"/workspaces/{tees}/qualitative.qdpx")
    assert download.status_code == 200 and download.content[:2] == b"PK"
    assert b"urn:QDA-XML:codebook:1.0" in ann.client.get(
        f"/workspaces/{tees}/codebook.qdc").content
    for path in ("qualitative.qdpx", "codebook.qdc", "codes", "cases"):
        assert eve.client.get(f"/workspaces/{tees}/{path}").status_code == 404
        assert Browser(ann.client.app).client.get(
            f"/workspaces/{tees}/{path}", follow_redirects=False).status_code in (303, 404)


def test_a_study_cites_coded_case_material_on_its_page(team, datapack):
    people, tees, page, tag = team
    ann, eve = people["ann"], people["eve"]
    code = last_code(ann.client.get(page).text)
    ann.post(page + "/codings", {"paragraph": "2", "code": code}, from_page=page)
    lines = (datapack / "evidence_seed/interventions.csv").read_bytes().splitlines()
    mine = b"\n".join([lines[0], lines[1].replace(b"LPIP-001", f"T-{tag}".encode()).replace(
        b"Innovate UK (and National", f"Grants{tag} (and National".encode())]) + b"\n"
    ann.post(f"/workspaces/{tees}/evidence", {"intervention_type": "rd_grant"},
             files={"studies": ("mine.csv", mine, "text/csv")}, from_page=f"/workspaces/{tees}")
    found = ann.client.get(f"/api/v1/evidence/studies?q=Grants{tag}").json()["items"]
    study = f"/evidence/studies/{found[0]['id']}"
    form = ann.client.get(study).text
    guid = re.search(r'<select class="govuk-select" id="passage" name="passage"><option '
                     r'value="([\w-]+)"', form).group(1)
    bad = ann.post(study + "/citations", {"passage": "nonsense"}, from_page=study)
    assert bad.status_code == 400 and "No coded passage with that id" in bad.text
    ann.post(study + "/citations", {"passage": guid}, from_page=study)
    shown = ann.client.get(study).text
    assert "“Newcomers found the board closed.”" in shown
    assert "private to the partnership" in shown
    ann.post(study + "/publish", {"published": "yes"}, from_page=study)
    seen = eve.client.get(study)
    assert seen.status_code == 200 and "Newcomers found the board" not in seen.text
