"""The web observatory over HTTP: public pages for every place type, search, indicator and
comparison pages, downloads with their metadata, the JSON API, and the security of accounts
and partnership workspaces (CSRF, cookies, headers, IDOR, escaping, limits)."""

from __future__ import annotations

import io
import re
import uuid

import pandas as pd
import pypdf
import pytest

from placelens.geography.area_types import PROFILE_TYPES
from placelens.report.tables import fmt
from web_support import PASSWORD, Browser, make_app


@pytest.fixture(scope="module")
def app(warehouse_path, tmp_path_factory):
    path = tmp_path_factory.mktemp("web") / "app.sqlite"
    return make_app(warehouse_path, f"sqlite:///{path}")


@pytest.fixture
def browser(app):
    return Browser(app)


CAPTIONS = {"LAD": "Local authority district", "ITL1": "ITL1 region", "ITL3": "ITL3 region",
            "UK": "UK", "CR": "City region / growth deal"}


def test_every_place_type_has_an_area_page(app, observatory, browser):
    for area_type in PROFILE_TYPES:
        place = observatory.places.of_type(area_type)[0]
        response = browser.client.get(f"/areas/{place.code}")
        assert response.status_code == 200, (area_type, place.code)
        assert f"<h1 class=\"govuk-heading-xl\">{place.name}</h1>" in response.text
        # the caption names the type with a capital first and acronyms kept
        caption = CAPTIONS.get(area_type)
        assert caption is None or f">{caption} · {place.code}" in response.text, area_type
        _, value, _ = observatory.indicators.latest(place, "gva_per_hour_gbp")
        if value is not None:   # the headline figure the page states is the service's
            assert f">{fmt(value, 1, '£')}<" in response.text


def test_home_page_lists_each_type_of_place_by_its_own_name(browser, observatory):
    home = browser.client.get("/").text
    for label, area_type in (("Districts", "LAD"), ("ITL3 areas", "ITL3"),
                             ("Area sets", "SET"), ("Countries", "CTRY"),
                             ("United Kingdom", "UK")):
        count = len(observatory.places.of_type(area_type))
        assert f'href="/areas?type={area_type}">{label}</a> ({count})' in home, label
    assert "United Kingdom</a> (1)" in home


def test_area_page_leads_with_key_messages_and_offers_tagged_pdfs(browser):
    page = browser.client.get("/areas/E06000052").text
    assert page.index("Key messages") < page.index('id="headline"')
    assert "Output per hour worked was £31.6 in 2022" in page
    readers = {kind: pypdf.PdfReader(io.BytesIO(browser.client.get(
        f"/areas/E06000052/{kind}.pdf").content)) for kind in ("brief", "profile")}
    for reader in readers.values():
        assert bool(reader.trailer["/Root"]["/MarkInfo"]["/Marked"])
    assert "Key messages" in readers["brief"].pages[0].extract_text()
    assert len(readers["brief"].pages) <= 4 < len(readers["profile"].pages)


def test_search_by_name_code_retired_name_and_postcode(browser):
    get = browser.client.get
    assert get("/search?q=Cornwall", follow_redirects=False).headers["location"] == \
        "/areas/E06000052"
    assert get("/search?q=e08000025", follow_redirects=False).headers["location"] == \
        "/areas/E08000025"
    retired = get("/search?q=Eden", follow_redirects=True)
    assert "Eden (E07000030) was abolished in April 2023" in retired.text
    missing = get("/search?q=Birmingam")
    assert missing.status_code == 404 and "/areas/E08000025" in missing.text


def test_unknown_area_code_is_a_404_with_suggestions(browser):
    response = browser.client.get("/areas/E0800002")
    assert response.status_code == 404 and "No place matches" in response.text


def test_indicator_page_ranks_every_area_with_source_and_licence(browser, observatory):
    response = browser.client.get("/indicators/gva_per_hour_gbp?type=ITL1")
    assert response.status_code == 200
    ranking = observatory.indicators.ranking("gva_per_hour_gbp", "ITL1")
    raw = observatory.indicators.table("gva_per_hour_gbp")
    raw = raw[(raw["area_type"] == "ITL1") & (raw["period"] == raw.loc[
        raw["area_type"] == "ITL1", "period"].max())]
    assert len(ranking) == len(raw) == 12          # the twelve ITL1 regions
    by_code = ranking.set_index("area_code")
    for row in raw.itertuples():                   # rank = 1 + number of higher values
        assert by_code.loc[row.area_code, "rank"] == 1 + int((raw["value"] > row.value).sum())
    top = ranking.iloc[0]
    assert f">{top['name']}<" in response.text and "Open Government Licence" in response.text
    assert browser.client.get("/indicators/gva_per_hour_gbp?type=MSOA").status_code == 400
    assert browser.client.get("/indicators/not_an_indicator").status_code == 400


def test_indicator_download_csv_and_xlsx_with_metadata(browser, observatory):
    csv = browser.client.get("/indicators/gva_per_hour_gbp/values?type=ITL1&format=csv")
    frame = pd.read_csv(io.StringIO(csv.text), dtype={"period": str})
    expected = observatory.indicators.ranking("gva_per_hour_gbp", "ITL1")
    assert frame["area_code"].tolist() == expected["area_code"].tolist()
    assert frame["value"].tolist() == pytest.approx(expected["value"].tolist())
    xlsx = browser.client.get("/indicators/gva_per_hour_gbp/values?type=ITL1&format=xlsx")
    about = pd.read_excel(io.BytesIO(xlsx.content), sheet_name="About").set_index("Field")
    assert about.loc["Licence", "Value"] == "Open Government Licence v3.0"
    assert about.loc["Unit", "Value"] == "£"
    assert {"Source", "Release", "Definition"} <= set(about.index)


def test_every_area_table_downloads(browser, app):
    page = browser.client.get("/areas/E06000052").text
    links = sorted(set(re.findall(r'href="(/areas/E06000052/tables/[\w-]+)\.csv"', page)))
    assert len(links) >= 10
    tables = app.state.site.area_tables("E06000052")
    for link in links:
        name = link.rsplit("/", 1)[1]
        csv = browser.client.get(f"{link}.csv")
        assert csv.status_code == 200
        assert list(pd.read_csv(io.StringIO(csv.text)).columns) == \
            [str(c) for c in tables[name]["columns"]]
    workbook = pd.read_excel(io.BytesIO(browser.client.get("/areas/E06000052/data.xlsx")
                                        .content), sheet_name=None)
    assert "About" in workbook and len(workbook) == len(tables) + 1


def test_compare_page_and_limits(browser, observatory):
    codes = ["E06000052", "E06000057", "W06000023"]
    response = browser.client.get("/compare?" + "&".join(f"place={c}" for c in codes))
    assert response.status_code == 200
    table = observatory.comparators.compare(observatory.places.get(codes[0]),
                                            [observatory.places.get(c) for c in codes[1:]])
    rural = table.tidy().loc["E06000057", "rural share"]
    assert f">{rural:.1f}%<" in response.text
    too_many = "&".join(f"place={p.code}" for p in observatory.places.of_type("LAD")[:11])
    assert browser.client.get(f"/compare?{too_many}").status_code == 400
    started = browser.client.get("/compare?place=E06000052")     # the form, pre-filled
    assert started.status_code == 200 and 'value="E06000052"' in started.text
    assert browser.client.get("/compare?place=Cornwall&place=E06000052").status_code == 400


def test_security_headers_and_cookie_flags(browser):
    response = browser.client.get("/sign-in")
    policy = response.headers["content-security-policy"]
    script = next(p for p in policy.split("; ") if p.startswith("script-src"))
    assert script == "script-src 'self'"            # no inline or third-party script
    assert "frame-ancestors 'none'" in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "secure" in cookie and "samesite=lax" in cookie
    assert "<script>" not in response.text and " on" + "click=" not in response.text


def test_form_without_csrf_token_is_refused(browser):
    for token in ("", "forged"):
        response = browser.post("/sign-up", {"email": "x@example.org", "name": "X",
                                             "password": PASSWORD}, token=token)
        assert response.status_code == 403
    assert browser.client.get("/api/v1/items").json()["total"] == 0


@pytest.fixture
def workspace_app(warehouse_path, database):
    """An app on a fresh SQLite or PostgreSQL database: the workspace and account routes are
    tested on both (the public pages above need only one)."""
    app = make_app(warehouse_path, database.url)
    yield app
    app.state.accounts.db.engine.dispose()


@pytest.fixture
def two_partnerships(workspace_app):
    """Ann's partnership with a private upload, and Eve's (fresh accounts for each test: the
    app and its database are shared by the module)."""
    tag = uuid.uuid4().hex[:8]
    ann, eve = Browser(workspace_app), Browser(workspace_app)
    ann.sign_up(f"ann-{tag}@example.org", "Ann")
    eve.sign_up(f"eve-{tag}@example.org", "Eve")
    cornwall = ann.create_partnership(f"Cornwall {tag}")
    leeds = eve.create_partnership(f"Leeds {tag}")
    upload = ann.post(f"/workspaces/{cornwall}/uploads", {"title": "Jobs", "unit": "jobs"},
                      files={"table": ("jobs.csv", b"area_code,area_name,period,value\n"
                                       b"E06000052,<script>alert(1)</script>,2024,12\n",
                                       "text/csv")}, from_page=f"/workspaces/{cornwall}")
    assert upload.status_code == 303, upload.text
    item = ann.client.get("/api/v1/items").json()["items"][0]["id"]
    return ann, eve, cornwall, leeds, item


def test_private_items_never_reach_other_partnerships(workspace_app, two_partnerships):
    ann, eve, cornwall, leeds, item = two_partnerships
    anonymous = Browser(workspace_app)
    for person in (eve, anonymous):
        get = person.client.get
        assert get(f"/items/{item}").status_code == 404
        assert get(f"/items/{item}/data.csv").status_code == 404
        assert get(f"/api/v1/items/{item}").status_code == 404
        assert get("/api/v1/items?q=Jobs").json()["total"] == 0
    assert eve.client.get(f"/workspaces/{cornwall}").status_code == 404
    token = eve.csrf("/workspaces")
    for path in (f"/items/{item}/publish", f"/items/{item}/delete",
                 f"/workspaces/{cornwall}/notes", f"/workspaces/{cornwall}/invitations"):
        response = eve.post(path, {"title": "x", "email": "eve@example.org", "role": "admin"},
                            token=token)
        assert response.status_code == 404, path
    assert ann.client.get(f"/items/{item}").status_code == 200
    published = ann.post(f"/items/{item}/publish", {"published": "yes"},
                         from_page=f"/workspaces/{cornwall}")
    assert published.status_code == 303
    assert anonymous.client.get(f"/api/v1/items/{item}").json()["title"] == "Jobs"


def test_place_names_from_uploads_are_escaped(two_partnerships):
    ann, _, _, _, item = two_partnerships
    html = ann.client.get(f"/items/{item}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html


def test_upload_errors_name_file_row_and_column(two_partnerships):
    ann, _, cornwall, _, _ = two_partnerships
    response = ann.post(f"/workspaces/{cornwall}/uploads", {"title": "Bad"}, files={
        "table": ("bad.csv", b"area_code,period,value\nE06000052,2024,12\nE06000052,2024,x\n",
                  "text/csv")}, from_page=f"/workspaces/{cornwall}")
    assert response.status_code == 400
    assert "bad.csv, row 3, column &#39;value&#39;: &#39;x&#39; is not a number" in response.text
    own = [i for i in ann.client.get("/api/v1/items").json()["items"]
           if i["partnership_id"] == cornwall]
    assert len(own) == 1     # the bad table stored nothing


def test_oversized_request_is_refused_unread(two_partnerships):
    ann, _, cornwall, _, _ = two_partnerships
    response = ann.post(f"/workspaces/{cornwall}/uploads", {"title": "Big"}, files={
        "table": ("big.csv", b"x" * 6_100_000, "text/csv")}, token="unused")
    assert response.status_code == 413


def test_invitation_gives_the_invited_person_the_role(workspace_app, two_partnerships):
    ann, _, cornwall, _, item = two_partnerships
    bob, email = Browser(workspace_app), f"bob-{uuid.uuid4().hex[:8]}@example.org"
    bob.sign_up(email, "Bob")
    page = ann.post(f"/workspaces/{cornwall}/invitations", {"email": email,
                                                            "role": "viewer"},
                    from_page=f"/workspaces/{cornwall}")
    link = re.search(r"https://testserver(/invitations/[\w-]+)", page.text).group(1)
    assert bob.post(link, from_page=link).status_code == 303
    assert bob.client.get(f"/items/{item}").status_code == 200
    refused = bob.post(f"/workspaces/{cornwall}/notes", {"title": "x", "text": "y"},
                       from_page=link)
    assert refused.status_code == 403          # a viewer may read, not write


def test_sign_in_throttle_and_sign_out(workspace_app):
    person = Browser(workspace_app)
    person.sign_up("tom@example.org", "Tom")
    person.post("/sign-out", from_page="/")
    assert person.client.get("/workspaces", follow_redirects=False).status_code == 303
    for _ in range(5):
        wrong = person.post("/sign-in", {"email": "tom@example.org", "password": "nope"},
                            from_page="/sign-in")
        assert wrong.status_code == 400 and "not correct" in wrong.text
    right = person.post("/sign-in", {"email": "tom@example.org", "password": PASSWORD},
                        from_page="/sign-in")
    assert right.status_code == 400 and "Too many" in right.text


def test_sign_in_never_redirects_off_site(workspace_app):
    person = Browser(workspace_app)
    person.sign_up("sam@example.org", "Sam")
    person.post("/sign-out", from_page="/")
    response = person.post("/sign-in", {"email": "sam@example.org", "password": PASSWORD,
                                        "next": "//evil.example/"}, from_page="/sign-in")
    assert response.headers["location"] == "/workspaces"


def test_api_pagination_and_etags(browser, observatory):
    first = browser.client.get("/api/v1/places?type=LAD&per_page=100")
    body = first.json()
    assert body["total"] == len(observatory.places.of_type("LAD")) and len(body["items"]) == 100
    last = browser.client.get(f"/api/v1/places?type=LAD&per_page=100&page={body['pages']}")
    assert len(last.json()["items"]) == body["total"] - 100 * (body["pages"] - 1)
    assert last.json()["next"] is None
    again = browser.client.get("/api/v1/places?type=LAD&per_page=100",
                               headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert "max-age" in first.headers["cache-control"]
    place = browser.client.get("/api/v1/places/E08000025").json()
    assert (place["type"], place["vintage"]) == ("LAD", "LAD 2023")
    series = browser.client.get("/api/v1/places/E08000025/indicators/gva_per_hour_gbp").json()
    assert series["indicator"]["licence"] == "Open Government Licence v3.0"
    expected = observatory.indicators.series(observatory.places.get("E08000025"),
                                             "gva_per_hour_gbp")
    assert [v["value"] for v in series["values"]] == pytest.approx(expected["value"].tolist())
    assert browser.client.get("/api/v1/places?type=NOPE").status_code == 422
    assert browser.client.get("/api/v1/places/NOPE").status_code == 404


def test_evaluation_reports_are_published_from_the_outputs_folder(warehouse_path, tmp_path):
    folder = tmp_path / "out" / "evaluations"
    folder.mkdir(parents=True)
    (folder / "scm_california_cigsale.html").write_text("<p>Proposition 99</p>")
    (folder / "scm_california_cigsale.evidence.json").write_text('{"method": "scm"}')
    (tmp_path / "out" / "private.txt").write_text("not for the web")
    client = Browser(make_app(warehouse_path, f"sqlite:///{tmp_path / 'a.sqlite'}",
                              outputs=tmp_path / "out")).client
    listing = client.get("/evaluations").text
    assert 'href="/evaluations/scm_california_cigsale.evidence.json"' in listing
    assert client.get("/evaluations/scm_california_cigsale.html").text == \
        "<p>Proposition 99</p>"
    for path in ("/evaluations/..%2Fprivate.txt", "/evaluations/private.txt",
                 "/evaluations/../private.txt"):
        assert client.get(path).status_code in (400, 404)


def test_journey_self_assessment_in_the_workspace(two_partnerships):
    ann, eve, cornwall, _, _ = two_partnerships
    form = ann.client.get(f"/workspaces/{cornwall}/journey")
    assert form.status_code == 200 and "answer-A.1" in form.text
    answers = {f"answer-{q}": "4" for q in ("M1.1", "M1.2", "A.1", "A.2", "A.3")}
    saved = ann.post(f"/workspaces/{cornwall}/journey", {"place": "Cornwall",
                                                         "date": "2026-11-30", **answers},
                     from_page=f"/workspaces/{cornwall}")
    assert saved.status_code == 303
    item = saved.headers["location"]
    page = ann.client.get(item).text
    assert "Journey self-assessment: Cornwall, 2026-11-30 (version 1)" in page
    assert "Questions answered</dt><dd class=\"govuk-summary-list__value\">5<" in page
    assert eve.client.get(item).status_code == 404
    assert eve.client.get(f"/workspaces/{cornwall}/journey").status_code == 404
    bad = ann.post(f"/workspaces/{cornwall}/journey", {"place": "Nowhereshire",
                                                       "date": "2026-11-30", **answers},
                   from_page=f"/workspaces/{cornwall}")
    assert bad.status_code == 400 and "No place matches" in bad.text


def test_record_numbers_outside_the_database_range_are_invalid_not_errors(browser):
    """An id past the databases' integer range once overflowed the driver (a 500)."""
    for path in ("/items/99999999999999999999", "/api/v1/items/99999999999999999999",
                 "/evidence/studies/99999999999999999999",
                 "/api/v1/evidence/studies/99999999999999999999", "/evidence/studies/0"):
        assert browser.client.get(path).status_code == 422, path
