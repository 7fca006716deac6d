"""The evidence library's pages and API on SQLite and PostgreSQL: the shared library with each
grade's source, the gap map with its components and "evaluate this here" links, a study's
transferability to your place, and a partnership's imported studies kept from everyone else
until an admin publishes them."""

from __future__ import annotations

import re
import uuid

import pytest

from placelens.services import evidence
from placelens.study_records import from_seed
from web_support import Browser, make_app


@pytest.fixture
def evidence_app(warehouse_path, database, datapack):
    app = make_app(warehouse_path, database.url)
    app.state.evidence.import_seed([from_seed(r) for r in evidence.seed_records()])
    yield app
    app.state.accounts.db.engine.dispose()


def _study_id(app, reference: str) -> int:
    return next(s.id for s in app.state.evidence.studies(None) if s.reference == reference)


def test_library_page_shows_every_grade_with_its_source(evidence_app):
    get = Browser(evidence_app).client.get
    html = get("/evidence").text
    assert "58 studies" in html and "SMS 3 (What Works Growth)" in html
    assert html.count("design-implied: read from the study") == 35
    only_vouchers = get("/evidence?type=innovation_voucher").text
    assert "6 studies" in only_vouchers
    assert "58 studies" in get("/evidence?type=no-such-type").text  # ignored, not an error
    page = get(f"/evidence/studies/{_study_id(evidence_app, 'LPIP-002')}").text
    assert "SMS 3 (design-implied" in page and "placelens seed compilers" in page
    assert "SMS 3 (What Works Growth)" not in page


def test_gap_map_rates_cells_with_their_components_and_links_gaps(evidence_app):
    get = Browser(evidence_app).client.get
    html = get("/evidence/map").text
    rated = evidence.gap_map(evidence.seed_records())
    assert f"from {len(evidence.seed_records())} findings" in html
    assert html.count('href="/evaluations#evaluate-here"') >= 13 * 9 - len(rated)
    cell = rated.loc[("rd_grant", "employment")]
    assert f'<strong>{cell["security"]}</strong><span class="govuk-visually-hidden"> out of 5 ' \
           'for rd grant on employment' in html
    assert cell["reasons"].split(";")[0] in html
    uk = get("/evidence/map?scope=uk").text
    uk_count = sum(r.country in evidence.UK_CODES for r in evidence.seed_records())
    assert f"from {uk_count} findings (uk studies)" in uk
    recent = get("/evidence/map?since=2015").text
    assert re.search(r"from (\d+) findings", recent).group(1) != str(len(evidence.seed_records()))


def test_study_page_compares_the_study_place_with_yours(evidence_app):
    get = Browser(evidence_app).client.get
    hull = _study_id(evidence_app, "LPIP-057")
    html = get(f"/evidence/studies/{hull}?place=Hartlepool").text
    assert "Kingston upon Hull" in html and "against Hartlepool (yours): context distance" in html
    assert "over 6 variables" in html
    abroad = next(s for s in evidence_app.state.evidence.studies(None) if s.country == "FR")
    html = get(f"/evidence/studies/{abroad.id}?place=Leeds").text
    assert "FR against the UK (European Innovation Scoreboard" in html
    unknown = get(f"/evidence/studies/{hull}?place=Atlantis").text
    assert "No place matches" in unknown and "govuk-error-message" in unknown


def test_imported_studies_stay_private_until_published(evidence_app, datapack):
    tag = uuid.uuid4().hex[:8]
    ann, eve, anonymous = (Browser(evidence_app) for _ in range(3))
    ann.sign_up(f"ann-{tag}@example.org", "Ann")
    eve.sign_up(f"eve-{tag}@example.org", "Eve")
    cornwall = ann.create_partnership(f"Cornwall {tag}")
    eve.create_partnership(f"Leeds {tag}")
    lines = (datapack / "evidence_seed/interventions.csv").read_bytes().splitlines()
    mine = b"\n".join([lines[0], lines[1].replace(b"LPIP-001", b"MINE-1").replace(
        b"Innovate UK (and National", b"Secret Cornish grants (and National")]) + b"\n"
    response = ann.post(f"/workspaces/{cornwall}/evidence", {"intervention_type": "rd_grant"},
                        files={"studies": ("mine.csv", mine, "text/csv")},
                        from_page=f"/workspaces/{cornwall}")
    assert response.status_code == 303, response.text
    own = ann.client.get("/api/v1/evidence/studies?q=Secret").json()
    assert own["total"] == 1
    study = own["items"][0]["id"]
    assert "Secret Cornish grants" in ann.client.get(f"/workspaces/{cornwall}").text
    for person in (eve, anonymous):
        get = person.client.get
        assert get(f"/evidence/studies/{study}").status_code == 404
        assert get(f"/evidence/studies/{study}/report").status_code == 404
        assert get(f"/api/v1/evidence/studies/{study}").status_code == 404
        assert get("/api/v1/evidence/studies?q=Secret").json()["total"] == 0
        assert "Secret Cornish" not in get("/evidence?q=Secret").text
        assert "from 58 findings" in get("/evidence/map").text
    assert "from 59 findings" in ann.client.get("/evidence/map").text
    token = eve.csrf("/workspaces")
    for path in (f"/evidence/studies/{study}/publish", f"/evidence/studies/{study}/grade"):
        assert eve.post(path, {"published": "yes", "sms": "5", "rationale": "x"},
                        token=token).status_code == 404, path
    graded = ann.post(f"/evidence/studies/{study}/grade", {"sms": "4", "rationale": ""},
                      from_page=f"/evidence/studies/{study}")
    assert graded.status_code == 400 and "Say why the study has this level" in graded.text
    ann.post(f"/evidence/studies/{study}/grade", {"sms": "4", "rationale": "Matched DiD"},
             from_page=f"/evidence/studies/{study}")
    ann.post(f"/evidence/studies/{study}/publish", {"published": "yes"},
             from_page=f"/evidence/studies/{study}")
    shown = anonymous.client.get(f"/evidence/studies/{study}").text
    assert "SMS 4 (graded by Ann, not a What Works Growth grade)" in shown
    assert "Graded by Ann" in shown and f"Cornwall {tag}" in shown
    assert eve.post(f"/evidence/studies/{study}/delete", token=token).status_code == 404
    deleted = ann.post(f"/evidence/studies/{study}/delete", from_page=f"/workspaces/{cornwall}")
    assert deleted.status_code == 303 and "study-deleted" in deleted.headers["location"]
    assert anonymous.client.get(f"/evidence/studies/{study}").status_code == 404


def test_a_bad_upload_names_row_and_column_and_stores_nothing(evidence_app, datapack):
    ann = Browser(evidence_app)
    ann.sign_up(f"ann-{uuid.uuid4().hex[:8]}@example.org", "Ann")
    cornwall = ann.create_partnership(f"Cornwall {uuid.uuid4().hex[:8]}")
    lines = (datapack / "evidence_seed/interventions.csv").read_bytes().splitlines()
    bad = b"\n".join([lines[0], lines[1], lines[2].replace(b",employment,", b",joy,")]) + b"\n"
    response = ann.post(f"/workspaces/{cornwall}/evidence", {"intervention_type": "rd_grant"},
                        files={"studies": ("mine.csv", bad, "text/csv")},
                        from_page=f"/workspaces/{cornwall}")
    assert response.status_code == 400
    assert "mine.csv, row 3, column &#39;outcome_domain&#39;" in response.text
    assert ann.client.get("/api/v1/evidence/studies").json()["total"] == 58


def test_transferability_note_and_ranked_evidence_pages(evidence_app):
    get = Browser(evidence_app).client.get
    hull = _study_id(evidence_app, "LPIP-057")
    note = get(f"/evidence/studies/{hull}/note?place=Hartlepool&capacity=no").text
    assert "Would it work in Hartlepool?" in note and "context distance <strong>0." in note
    assert "You answered “no” to: Is there an organisation here able to deliver it" in note
    assert "A gap to close" in note and "Leadership style" in note
    assert get(f"/evidence/studies/{hull}/note?place=Atlantis").status_code == 404
    employment = sum(r.outcome_domain == "employment" for r in evidence.seed_records())
    ranked = get("/evidence/for?place=Hartlepool&outcome=employment").text
    assert f"{employment} studies on employment, ranked for Hartlepool" in ranked
    assert ranked.count("/note?place=E06000001") == employment
    assert "No place matches" in get("/evidence/for?place=Atlantis&outcome=GVA").text


def test_logic_model_and_registered_plan_in_the_workspace(evidence_app):
    tag = uuid.uuid4().hex[:8]
    ann, eve = Browser(evidence_app), Browser(evidence_app)
    ann.sign_up(f"ann-{tag}@example.org", "Ann")
    eve.sign_up(f"eve-{tag}@example.org", "Eve")
    tees = ann.create_partnership(f"Tees {tag}")
    form = {"intervention": "Tees innovation grants", "intervention_type": "rd_grant",
            "place": "Hartlepool", "inputs": "£2m", "activities": "Grants to firms",
            "outputs": "40 firms funded",
            "outcomes": "More R&D\nHigher productivity [gva_per_hour_gbp]",
            "impacts": "Better-paid jobs",
            "assumptions": "Skilled staff [sni_aged_16_to_64_years_nvq_level_3_or_above_"
                           "qualifications_great_britain above]\nDemand for R&D"}
    page = f"/workspaces/{tees}/logic-models/new"
    bad = ann.post(f"/workspaces/{tees}/logic-models",
                   {**form, "outcomes": "Jobs [no_such_indicator]"}, from_page=page)
    assert bad.status_code == 400 and "Line 1: there is no indicator" in bad.text
    saved = ann.post(f"/workspaces/{tees}/logic-models", form, from_page=page)
    assert saved.status_code == 303, saved.text
    model = saved.headers["location"]
    shown = ann.client.get(model).text
    assert "Assumptions checked against Hartlepool" in shown and "gva_per_hour_gbp" in shown
    assert eve.client.get(model).status_code == 404
    model_id = model.rsplit("/", 1)[1]
    prefilled = ann.client.get(f"/workspaces/{tees}/plans/new?model={model_id}").text
    assert 'value="Tees innovation grants"' in prefilled
    assert eve.client.get(f"/workspaces/{tees}/plans/new?model={model_id}").status_code == 404
    plan_form = f"/workspaces/{tees}/plans/new"
    plan = {"intervention": "Tees innovation grants", "intervention_type": "rd_grant",
            "outcome": "gva_per_hour_gbp", "start": "2016"}
    refused = ann.post(f"/workspaces/{tees}/plans", {**plan, "place": "Greater Manchester"},
                       from_page=plan_form)
    assert refused.status_code == 400 and "not a local authority district" in refused.text
    registered = ann.post(f"/workspaces/{tees}/plans", {**plan, "place": "Hartlepool"},
                          from_page=plan_form)
    assert registered.status_code == 303, registered.text
    item = registered.headers["location"]
    html = ann.client.get(item).text
    assert "Minimum detectable effect" in html and "placelens evaluate run-plan --item" in html
    record = evidence_app.state.workspaces.item(
        evidence_app.state.accounts.by_email(f"ann-{tag}@example.org"),
        int(item.rsplit("/", 1)[1])).content
    assert record["spec"]["start_year"] == 2016 and len(record["spec"]["donors"]) == 20
    assert eve.client.get(item).status_code == 404


def test_gap_map_filters_by_country_and_kind_of_place(evidence_app):
    get = Browser(evidence_app).client.get
    french = sum(r.country == "FR" for r in evidence.seed_records())
    assert f"from {french} findings (all studies, FR)" in get("/evidence/map?country=FR").text
    district = get("/evidence/map?place_type=local+authority+district").text
    assert "from 1 findings" in district           # the Hull broadband study names its district
    assert '<option value="abroad"' in district and '<option value="country"' in district
