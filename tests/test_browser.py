"""The web observatory in real headless Chromium (Debian's /usr/bin/chromium driven by
Playwright): the main journeys with the mouse and with the keyboard alone, the private
workspace journey, and axe-core on every kind of page (any WCAG 2.2 A/AA violation fails)."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from web_support import PASSWORD, make_app

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).parents[1] / "node_modules" / "axe-core" / "axe.min.js"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]

if not CHROMIUM.exists() or not AXE.exists():
    if os.environ.get("CI"):
        raise RuntimeError("CI needs /usr/bin/chromium and node_modules/axe-core (.ci/run "
                           "installs Chromium; make assets installs axe-core)")
    pytest.skip("Chromium or axe-core is not installed", allow_module_level=True)


@pytest.fixture(scope="module")
def server(warehouse_path, tmp_path_factory):
    """The app served by uvicorn on a free loopback port, for the module."""
    import uvicorn

    from placelens.services import evidence
    from placelens.study_records import from_seed

    database = tmp_path_factory.mktemp("browser") / "app.sqlite"
    app = make_app(warehouse_path, f"sqlite:///{database}")
    app.state.evidence.import_seed([from_seed(r) for r in evidence.seed_records()])
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    for _ in range(200):
        if running.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", app
    running.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    context = chromium.new_context(accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(60_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" else None)
    yield page
    context.close()
    assert errors == [], errors        # no script errors, no CSP violations


def test_search_area_compare_download(server, page):
    base, _ = server
    page.goto(base + "/")
    page.fill("#q", "Cornwall")
    page.click("button:has-text('Search')")
    page.wait_for_url(base + "/areas/E06000052")
    assert page.inner_text("h1") == "Cornwall"
    page.wait_for_selector(".pl-chart__interactive svg")      # charts became interactive
    page.click("text=compare with other places")
    page.fill("#place-2", "Birmingham")
    page.fill("#place-3", "PL26 7AA")                         # a postcode in Cornwall's ...
    page.click("button:has-text('Compare')")
    assert "Birmingham" in page.inner_text("table")
    with page.expect_download() as download:
        page.click(".pl-downloads >> text=CSV")
    text = Path(download.value.path()).read_text()
    assert text.splitlines()[0].startswith("area_code,name,type")
    assert "E08000025" in text and "E06000052" in text


def test_keyboard_only_journey(server, page):
    base, _ = server
    page.goto(base + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == \
        "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"
    _tab_to(page, "document.activeElement.id === 'q'")
    page.keyboard.type("Leeds")
    page.keyboard.press("Enter")
    page.wait_for_url(base + "/areas/E08000035")
    _tab_to(page, "document.activeElement.textContent.includes('compare with other places')")
    page.keyboard.press("Enter")
    page.wait_for_url("**/compare?place=E08000035")
    _tab_to(page, "document.activeElement.id === 'place-2'")
    page.keyboard.type("Bradford")
    page.keyboard.press("Enter")
    page.wait_for_selector("table")
    _tab_to(page, "document.activeElement.textContent.startsWith('CSV')")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert "Bradford" in Path(download.value.path()).read_text()


def _tab_to(page, condition: str, limit: int = 80) -> None:
    """Press Tab until ``condition`` (JavaScript) holds, failing if it never does."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(condition):
            return
    raise AssertionError(f"Tab never reached: {condition}")


def _sign_up(page, base: str, name: str) -> str:
    email = f"{name.lower()}-{uuid.uuid4().hex[:8]}@example.org"
    page.goto(base + "/sign-up")
    page.fill("#name", name)
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Create account')")
    page.wait_for_url(base + "/workspaces")
    return email


def test_workspace_journey_and_privacy(server, chromium, page, tmp_path):
    base, _ = server
    _sign_up(page, base, "Ann")
    page.fill("#name", f"Cornwall partnership {uuid.uuid4().hex[:6]}")
    page.click("button:has-text('Create partnership')")
    workspace = page.url
    page.fill("#invite", "bob@example.org")
    page.click("button:has-text('Create invitation link')")
    assert "/invitations/" in page.inner_text(".govuk-panel")
    table = tmp_path / "jobs.csv"
    table.write_text("area_code,area_name,period,value\nE06000052,Cornwall,2024,1200\n")
    page.fill("#upload-title", "Apprenticeships")
    page.set_input_files("#upload", str(table))
    page.click("button:has-text('Upload')")
    row = page.locator("tr", has_text="Apprenticeships")
    assert "Private" in row.inner_text()
    row.locator("a").click()
    item_url = page.url
    assert "1,200" in page.inner_text("table")
    page.goto(workspace)
    references = tmp_path / "refs.ris"
    references.write_text("TY  - JOUR\nTI  - Cornish voucher pilot\nPY  - 2022\nER  -\n")
    page.set_input_files("#studies", str(references))
    page.select_option("#intervention_type", "innovation_voucher")
    page.click("button:has-text('Import studies')")
    study = page.locator("tr", has_text="Cornish voucher pilot")
    assert "Private" in study.inner_text()
    study.locator("a").click()
    study_url = page.url
    assert "not graded" in page.inner_text("dl")
    outsider = chromium.new_context().new_page()
    _sign_up(outsider, base, "Carol")
    for url in (item_url, workspace, study_url):
        response = outsider.goto(url)
        assert response.status == 404 and "Page not found" in outsider.inner_text("h1")
    outsider.context.close()


#: How many lines each numeric table cell's text takes, as the browser laid it out.
CELL_LINES = """() => [...document.querySelectorAll('td.govuk-table__cell--numeric')]
    .filter(cell => cell.offsetParent !== null && cell.textContent.trim())
    .map(cell => { const range = document.createRange(); range.selectNodeContents(cell);
                   const tops = [...range.getClientRects()].map(r => Math.round(r.top));
                   return new Set(tops).size; })"""
#: Words of table cells that a line break splits somewhere other than at a hyphen or dash.
SPLIT_WORDS = """() => [...document.querySelectorAll('main td, main th')]
    .filter(cell => cell.offsetParent !== null).flatMap(cell => {
      const words = []; const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (const m of node.textContent.matchAll(/[^\\s\\-–]+/g)) {
          const range = document.createRange();
          range.setStart(node, m.index); range.setEnd(node, m.index + m[0].length);
          if (new Set([...range.getClientRects()].map(r => Math.round(r.top))).size > 1)
            words.push(m[0]); } }
      return words; })"""


def test_area_page_figures_stay_whole_and_the_page_fits_a_phone(server, chromium):
    """At desktop width no figure or word of a table breaks across lines ("202" over "2" and
    "Windo" over "ws" did); at 375 px the page still fits the screen (words may break there
    rather than push the page wider)."""
    base, _ = server
    for width in (1100, 375):
        context = chromium.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        page.set_default_timeout(120_000)
        page.goto(f"{base}/areas/E08000035")
        lines = page.evaluate(CELL_LINES)
        split = page.evaluate(SPLIT_WORDS)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        context.close()
        assert len(lines) > 20, width
        if width == 1100:
            assert max(lines) == 1 and split == [], (lines, split)
        assert overflow <= 0, (width, overflow)


def _axe_pages(observatory) -> list[str]:
    from placelens.geography.area_types import PROFILE_TYPES

    areas = [f"/areas/{observatory.places.of_type(t)[0].code}" for t in PROFILE_TYPES]
    return ["/", *areas, "/indicators", "/indicators/gva_per_hour_gbp?type=LAD",
            "/compare?place=E06000052&place=E06000057&place=W06000023", "/regions",
            "/search?q=Birmingam", "/sign-in", "/sign-up", "/accessibility", "/privacy",
            "/evaluations", "/areas?type=CA", "/evidence", "/evidence/map?scope=uk",
            "/evidence/studies/57?place=Hartlepool",
            "/evidence/studies/57/note?place=Hartlepool&capacity=no",
            "/evidence/for?place=Hartlepool&outcome=employment"]


def test_axe_finds_no_wcag_violations(server, chromium, observatory):
    base, _ = server
    context = chromium.new_context(bypass_csp=True)     # to inject axe-core itself
    page = context.new_page()
    page.set_default_timeout(120_000)
    failures = {}
    email = _sign_up(page, base, "Axe")
    assert email
    page.fill("#name", f"Axe partnership {uuid.uuid4().hex[:6]}")
    page.click("button:has-text('Create partnership')")
    workspace = page.url.replace(base, "")
    page.set_input_files("#studies", {"name": "refs.bib", "mimeType": "text/plain", "buffer":
                                      b"@article{a, title={A pilot}, year={2020}}"})
    page.click("button:has-text('Import studies')")
    page.locator("tr", has_text="A pilot").locator("a").click()
    own_study = page.url.replace(base, "")     # with the grading and publishing forms
    page.goto(f"{base}{workspace}/logic-models/new")
    page.fill("#intervention", "Tees innovation grants")
    page.fill("#place", "Hartlepool")
    page.fill("#outcomes", "Higher productivity [gva_per_hour_gbp]")
    page.fill("#assumptions", "Skilled staff [sni_aged_16_to_64_years_nvq_level_3_or_above_"
              "qualifications_great_britain above]")
    page.click("button:has-text('Save the logic model')")
    model = page.url.replace(base, "")
    page.click("text=Plan an evaluation of this intervention")
    plan_form = page.url.replace(base, "")
    page.fill("#start", "2016")
    page.click("button:has-text('Work out and register the plan')")
    page.wait_for_selector("text=Minimum detectable effect")
    plan = page.url.replace(base, "")
    source = _coded_source(page, base, workspace)
    for path in [*_axe_pages(observatory), "/workspaces", workspace, f"{workspace}/journey",
                 own_study, f"{workspace}/logic-models/new", model, plan_form, plan,
                 f"{workspace}/sources/new", source, f"{workspace}/agreement?code=Critical+moments",
                 f"{workspace}/codes?code=Critical+moments", f"{workspace}/cases",
                 "/qualitative/search?q=piloted"]:
        started = time.perf_counter()
        page.goto(base + path)
        try:  # charts drawn; in some full runs the browser never reports the network idle
            page.wait_for_load_state("networkidle", timeout=20_000)
        except PlaywrightTimeout:  # the page itself has loaded (goto waited for that)
            print(f"{path}: network not idle after 20 s; checking the loaded page")
        print(f"{path}: {time.perf_counter() - started:.1f} s")
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: "
                               "tags}})", WCAG_TAGS)
        if result["violations"]:
            failures[path] = [(v["id"], v["help"], [n["target"] for n in v["nodes"][:3]])
                              for v in result["violations"]]
    context.close()
    assert failures == {}, json.dumps(failures, indent=1)


def _coded_source(page, base: str, workspace: str) -> str:
    """Add a source, a code and a coded passage through the forms; the source's path."""
    page.goto(f"{base}{workspace}/sources/new")
    page.fill("#name", "Workshop notes")
    page.fill("#text", "We piloted again.\n\nNewcomers found the board closed.")
    page.click("button:has-text('Save the source')")
    page.fill("#name", "Critical moments")
    page.click("button:has-text('Add the code')")
    page.click("button:has-text('Apply the code')")
    return page.url.replace(base, "").split("#")[0]


def test_keyboard_only_coding(server, page):
    base, _ = server
    _sign_up(page, base, "Kim")
    page.fill("#name", f"Keyboard partnership {uuid.uuid4().hex[:6]}")
    page.press("#name", "Enter")
    page.wait_for_url("**/workspaces/*")
    workspace = page.url.replace(base, "")
    source = _coded_source(page, base, workspace)           # a code to apply
    page.goto(base + source)
    _tab_to(page, "document.activeElement.id === 'paragraph'", limit=120)
    page.keyboard.press("ArrowDown")                          # paragraph 2
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "quote"
    page.keyboard.type("board closed")
    _tab_to(page, "document.activeElement.textContent.trim() === 'Apply the code'")
    page.keyboard.press("Enter")
    page.wait_for_selector("mark:has-text('board closed')")
    assert "Critical moments (Kim)" in page.inner_text("#paragraph-2")


def test_demo_corpus_coded_published_and_seen_on_the_area_page(server, chromium, page,
                                                               datapack):
    """Import the demo corpus through the cases page, code the passage about Manchester,
    publish the source: a visitor reads the quotation with its codes and consent on
    Manchester's area page, and none of the source's passages about other things."""
    from placelens.qda.demo_corpus import demo_project
    from placelens.qda.refi import qdpx_bytes

    base, _ = server
    _sign_up(page, base, "Dee")
    page.fill("#name", f"Demo partnership {uuid.uuid4().hex[:6]}")
    page.press("#name", "Enter")
    page.wait_for_url("**/workspaces/*")
    workspace = page.url.replace(base, "")
    page.goto(f"{base}{workspace}/cases")
    page.set_input_files("#project", {"name": "demo.qdpx", "mimeType": "application/zip",
                                      "buffer": qdpx_bytes(demo_project(
                                          datapack.parent / "background"))})
    page.click("button:has-text('Import')")
    page.wait_for_selector("text=Imported")
    assert "Manchester (E08000003)" in page.inner_text("main")
    page.goto(base + workspace)
    page.click("a:has-text('making_innovative_places.txt')")
    option = page.locator("#paragraph option", has_text="In Manchester, for example")
    page.select_option("#paragraph", value=option.get_attribute("value"))
    page.select_option("#code", label="M3 Moving from planning to action")
    page.click("button:has-text('Apply the code')")
    page.fill("#consent_basis", "Published report, quoted under its licence")
    page.check("#tier-open")
    page.click("button:has-text('Publish this source')")
    page.wait_for_selector("text=No e-mail address")
    visitor = chromium.new_context().new_page()
    # The test warehouse has no derived store, so the first area page a server builds computes
    # the national tables (over a minute on a slow machine), as in the axe test.
    visitor.set_default_timeout(120_000)
    visitor.goto(base + "/areas/E08000003")
    words = " ".join(visitor.inner_text("#testimony ~ figure").split())
    assert words.startswith("“In Manchester, for example, the local development agency")
    assert "codes: Collaboration, M3 Moving from planning to action" in words
    assert "consent: Published report, quoted under its licence (open access)" in words
    assert visitor.locator("figure.pl-quote").count() == 1
    visitor.context.close()


def test_selecting_words_fills_the_coding_form(server, page):
    """With scripts, selecting text in a paragraph fills in the paragraph and the exact words
    (the paragraph's tag left out) and moves the focus to the code list."""
    base, _ = server
    _sign_up(page, base, "Sel")
    page.fill("#name", f"Selecting partnership {uuid.uuid4().hex[:6]}")
    page.press("#name", "Enter")
    page.wait_for_url("**/workspaces/*")
    source = _coded_source(page, base, page.url.replace(base, ""))
    page.goto(base + source)
    page.locator("#paragraph-2 > p").select_text()
    page.locator("#paragraph-2 > p").dispatch_event("mouseup")
    assert page.input_value("#paragraph") == "2"
    assert page.input_value("#quote") == "Newcomers found the board closed."
    assert page.evaluate("document.activeElement.id") == "code"
    page.click("button:has-text('Apply the code')")
    page.wait_for_selector("#paragraph-2 mark:has-text('Newcomers found the board closed.')")
