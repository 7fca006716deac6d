"""Public pages: home and search, area pages for every place type, indicator pages, the
comparison page, the functional-regions map, downloads, accessibility and privacy."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from placelens.errors import InvalidChoiceError, UnknownPlaceError
from placelens.geography.area_types import PLURALS, PROFILE_TYPES, TYPE_LABELS
from placelens.report.files import pdf_bytes
from placelens.report.tables import as_table, fmt
from placelens.web.rendering import csv_download, frame_of, page, xlsx_download
from placelens.web.security import current_account
from placelens.web.site import Site, comparison_table

router = APIRouter()


def site(request: Request) -> Site:
    return request.app.state.site


@router.get("/", response_class=HTMLResponse)
def home(request: Request):
    counts = {t: len(site(request).obs.places.of_type(t)) for t in PROFILE_TYPES}
    return page(request, "home.html.j2", types=PROFILE_TYPES, plurals=PLURALS, counts=counts)


@router.get("/search", response_class=HTMLResponse)
def search(request: Request, q: str = Query("", max_length=200)):
    """A place found from a name, code, retired name or postcode goes straight to its page;
    otherwise the closest matches are listed."""
    text = q.strip()
    if not text:
        return page(request, "search.html.j2", query="", error="Enter a place name, code or "
                    "postcode", results=[], status_code=400)
    try:
        place = site(request).resolve(text)
    except UnknownPlaceError as error:
        results = site(request).search(text).to_dict("records")
        return page(request, "search.html.j2", query=text, error=str(error),
                    results=results, status_code=404)
    target = f"/areas/{place.code}" + (f"?from={_quote(text)}" if place.notice else "")
    return RedirectResponse(target, status_code=303)


def _quote(text: str) -> str:
    return quote(text, safe="")


@router.get("/areas", response_class=HTMLResponse)
def areas(request: Request, type: str = Query("LAD", max_length=10)):
    places = site(request).places_of_type(type)
    return page(request, "areas.html.j2", area_type=type, places=places, types=PROFILE_TYPES,
                labels=TYPE_LABELS)


@router.get("/areas/{code}", response_class=HTMLResponse)
def area(request: Request, code: str, from_: str = Query("", alias="from", max_length=200)):
    context = site(request).area(code)
    notice = ""
    if from_:
        try:
            found = site(request).resolve(from_)
            notice = found.notice if found.code == code else ""
        except UnknownPlaceError:
            notice = ""
    testimony = request.app.state.qualitative.testimony(current_account(request),
                                                        site(request).place(code))
    return page(request, "area.html.j2", notice=notice, place=context["place"],
                members=context["members"], comparators=context["comparators"],
                build=context["build"], sections_html=context["sections_html"],
                messages=context["messages"], testimony=testimony)


@router.get("/areas/{code}/tables/{name}.{extension}")
def area_table(request: Request, code: str, name: str, extension: str):
    tables = site(request).area_tables(code)
    if name not in tables or extension not in ("csv", "xlsx"):
        raise InvalidChoiceError(f"No table {name!r} on the page of {code}")
    frame = frame_of(tables[name])
    stem = f"{code}_{name}"
    if extension == "csv":
        return csv_download(frame, f"{stem}.csv")
    return xlsx_download({name: frame}, _area_metadata(request, code, name), f"{stem}.xlsx")


@router.get("/areas/{code}/data.xlsx")
def area_workbook(request: Request, code: str):
    tables = site(request).area_tables(code)
    return xlsx_download({name: frame_of(t) for name, t in tables.items()},
                         _area_metadata(request, code, "every table on the page"),
                         f"{code}_all_tables.xlsx")


def _area_metadata(request: Request, code: str, table: str) -> dict[str, str]:
    context = site(request).area(code)
    place = context["place"]
    sources = "; ".join(f"{s['title']} ({s['publisher']}, {s['release']}, {s['licence']})"
                        for s in context["sources"])
    return {"Place": f"{place.name} ({place.code}, {place.type_label}, {place.vintage} codes)",
            "Table": table, "Sources (release, licence)": sources,
            "Units": "as given in each column heading and on the web page",
            "Warehouse built": str(context["build"].get("built_at", "")),
            "Licence": context["ogl"]}


@router.get("/areas/{code}/profile.html", response_class=HTMLResponse)
def area_profile_html(request: Request, code: str):
    return HTMLResponse(site(request).profile_html(code), headers={
        "Content-Disposition": f'attachment; filename="{code}_profile.html"'})


@router.get("/areas/{code}/profile.pdf")
def area_profile_pdf(request: Request, code: str):
    """The full profile as a tagged PDF (the board brief's annex)."""
    return _pdf(site(request).profile_html(code), f"{code}_profile.pdf")


@router.get("/areas/{code}/brief.pdf")
def area_brief_pdf(request: Request, code: str):
    """The board brief: key messages first, at most four pages, tagged."""
    return _pdf(site(request).brief_html(code), f"{code}_brief.pdf")


def _pdf(html: str, filename: str) -> Response:
    return Response(pdf_bytes(html), media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})


@router.get("/indicators", response_class=HTMLResponse)
def indicators(request: Request):
    catalogue = site(request).catalogue()
    return page(request, "indicators.html.j2", rows=catalogue.to_dict("records"))


@router.get("/indicators/{indicator}", response_class=HTMLResponse)
def indicator(request: Request, indicator: str, type: str = Query("LAD", max_length=10),
              period: str | None = Query(None, max_length=10)):
    data = site(request).indicator(indicator, type, period)
    ranking = data["ranking"]
    shown = ranking.assign(value=[fmt(v, 1) for v in ranking["value"]]).rename(columns={
        "rank": "Rank", "name": "Area", "area_code": "Code", "period": "Period",
        "value": f"Value ({data['about']['unit'] or 'as published'})"})
    table = as_table(shown[["Rank", "Area", "Code", "Period", shown.columns[3]]])
    table["download"] = f"/indicators/{indicator}/values?type={type}&period=" \
        f"{ranking['period'].iloc[0] if len(ranking) else ''}&format="
    return page(request, "indicator.html.j2", area_type=type, table=table, **data)


@router.get("/indicators/{indicator}/values")
def indicator_values(request: Request, indicator: str, type: str = Query("LAD", max_length=10),
                     period: str | None = Query(None, max_length=10),
                     format: str = Query("csv", max_length=5)):
    data = site(request).indicator(indicator, type, period)
    frame = data["ranking"]
    stem = f"{indicator}_{type}_{frame['period'].iloc[0] if len(frame) else 'none'}"
    if format == "csv":
        return csv_download(frame, f"{stem}.csv")
    if format != "xlsx":
        raise InvalidChoiceError("format must be csv or xlsx")
    about = data["about"]
    return xlsx_download({indicator: frame}, {
        "Indicator": f"{about['name']} ({indicator})", "Definition": str(about["definition"]),
        "Unit": str(about["unit"]), "Geography": f"{type} ({TYPE_LABELS.get(type, type)})",
        "Source": f"{about['source']} ({about['publisher']})", "Release": str(about["release"]),
        "Licence": str(about["licence"]), "URL": str(about["url"])}, f"{stem}.xlsx")


@router.get("/compare", response_class=HTMLResponse)
def compare(request: Request, place: list[str] = Query(default=[], max_length=40)):
    chosen = [p for p in place if p.strip()][:20]
    if len(chosen) < 2:     # the form, started with the place the visitor came from
        return page(request, "compare.html.j2", chosen=chosen, table=None, error="")
    try:
        table = site(request).compare(chosen)
    except (InvalidChoiceError, UnknownPlaceError) as error:
        return page(request, "compare.html.j2", chosen=chosen, table=None, error=str(error),
                    status_code=400)
    shown = comparison_table(table)
    query = "&".join(f"place={_quote(c)}" for c in chosen)
    shown["download"] = f"/compare/data?{query}&format="
    return page(request, "compare.html.j2", chosen=chosen, table=shown, error="")


@router.get("/compare/data")
def compare_data(request: Request, place: list[str] = Query(default=[], max_length=40),
                 format: str = Query("csv", max_length=5)):
    table = site(request).compare(place).reset_index()
    if format == "csv":
        return csv_download(table, "comparison.csv")
    return xlsx_download({"comparison": table}, {
        "Places": ", ".join(place), "Variables": "see the column headings; population, jobs "
        "and density are levels, the rest rates", "Sources": "ONS mid-year estimates and GDHI, "
        "ONS subregional productivity, ONS subnational indicators, ONS IDBR local units, "
        "Census 2011 rural-urban classification", "Licence": "Open Government Licence v3.0"},
        "comparison.xlsx")


@router.get("/regions", response_class=HTMLResponse)
def regions(request: Request):
    return page(request, "regions_web.html.j2", **site(request).regions())


@router.get("/evaluations", response_class=HTMLResponse)
def evaluations(request: Request):
    """Evaluation reports written by ``placelens evaluate`` into the outputs folder."""
    return page(request, "evaluations.html.j2", reports=_evaluation_reports(request))


@router.get("/evaluations/{name}")
def evaluation_file(request: Request, name: str):
    """One report or evidence record, by its exact file name in the listing (nothing else
    in the folder, or outside it, can be reached)."""
    files = {path.name: path for report in _evaluation_reports(request)
             for path in report["files"]}
    if name not in files:
        raise InvalidChoiceError(f"No evaluation report {name!r}")
    path = files[name]
    media = {".html": "text/html; charset=utf-8", ".pdf": "application/pdf",
             ".json": "application/json", ".csv": "text/csv; charset=utf-8"}[path.suffix]
    return Response(path.read_bytes(), media_type=media)


def _evaluation_reports(request: Request) -> list[dict]:
    folder = request.app.state.evaluations
    if not folder.is_dir():
        return []
    reports = []
    for html in sorted(folder.glob("*.html")):
        related = [p for p in sorted(folder.glob(f"{html.stem}*"))
                   if p.suffix in (".html", ".pdf", ".json", ".csv")]
        reports.append({"title": html.stem.replace("_", " "), "files": related})
    return reports


@router.get("/accessibility", response_class=HTMLResponse)
def accessibility(request: Request):
    return page(request, "accessibility.html.j2")


@router.get("/privacy", response_class=HTMLResponse)
def privacy(request: Request):
    return page(request, "privacy.html.j2")
