"""The evidence library's pages: the studies, the evidence-and-gap map, a study with its
transferability to your place, and a partnership's uploads, grades and publishing. What a
visitor may see is decided by :class:`~placelens.services.evidence_library.EvidenceLibrary`."""

from __future__ import annotations

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse

from placelens.errors import DataFormatError, InputError, UnknownPlaceError
from placelens.evidence_terms import INTERVENTION_TYPES, OUTCOME_DOMAINS
from placelens.geography.area_types import TYPE_LABELS
from placelens.services import evidence
from placelens.services.case_citations import cite_passage, cited_passages
from placelens.services.evidence_library import EvidenceLibrary, FindingView, StudyView
from placelens.services.journeys import JourneyService
from placelens.services.transferability import (
    ANSWERS,
    QUESTIONS,
    context_layer,
    rank_evidence,
    transferability_note,
)
from placelens.study_records import read_study_file
from placelens.user_tables import MAX_UPLOAD_BYTES
from placelens.web.rendering import page
from placelens.web.security import RecordId, check_csrf, current_account
from placelens.web.workspaces import back_to_workspace, signed_in_account, workspace_page

router = APIRouter()
SCOPES = {"all": "All studies", "uk": "UK studies", "abroad": "Studies abroad"}
#: A cell rated at or below this is weak evidence: the map offers to evaluate it here.
WEAK = 1


def library(request: Request) -> EvidenceLibrary:
    return request.app.state.evidence


@router.get("/evidence", response_class=HTMLResponse)
def studies(request: Request, type: str = Query("", max_length=40),
            outcome: str = Query("", max_length=40), q: str = Query("", max_length=200)):
    type, outcome = _known(type, INTERVENTION_TYPES), _known(outcome, OUTCOME_DOMAINS)
    found = library(request).studies(current_account(request), type, outcome, text=q.strip())
    return page(request, "evidence_library.html.j2", studies=found, types=INTERVENTION_TYPES,
                outcomes=OUTCOME_DOMAINS, chosen={"type": type, "outcome": outcome, "q": q})


def _known(value: str, allowed) -> str:
    """A filter outside the vocabulary is ignored rather than an error page."""
    return value if value in allowed else ""


@router.get("/evidence/map", response_class=HTMLResponse)
def gap_map(request: Request, scope: str = Query("all", max_length=10),
            since: int | None = Query(None, ge=1900, le=2100),
            country: str = Query("", max_length=8), place_type: str = Query("", max_length=40)):
    scope = scope if scope in SCOPES else "all"
    visible = library(request).findings(current_account(request))
    kinds = {f: _place_type(request, f) for f in visible}
    findings = [f for f in visible if _in_scope(f, scope, since)
                and (not country or f.country == country)
                and (not place_type or kinds[f] == place_type)]
    table = evidence.gap_map(findings)
    cells = {key: row for key, row in zip(table.index, table.to_dict("records"), strict=True)}
    return page(request, "evidence_map.html.j2", cells=cells, types=INTERVENTION_TYPES,
                outcomes=OUTCOME_DOMAINS, scopes=SCOPES, scope=scope, since=since,
                weak=WEAK, findings=len(findings), country=country, place_type=place_type,
                countries=sorted({f.country for f in visible if f.country}),
                place_types=sorted(set(kinds.values())))


def _in_scope(finding: FindingView, scope: str, since: int | None) -> bool:
    uk = finding.country in evidence.UK_CODES
    year = finding.period_end or finding.period_start
    return (scope == "all" or (scope == "uk") == uk) and (
        since is None or (year is not None and year >= since))


def _place_type(request: Request, finding: FindingView) -> str:
    """What kind of place a finding's study covers: the type of its first GSS/ITL code
    ("district", "country", ...), "abroad", or "UK place not coded"."""
    if finding.country not in evidence.UK_CODES:
        return "abroad"
    for code in finding.places:
        try:
            return TYPE_LABELS[request.app.state.site.obs.places.get(code).area_type]
        except KeyError:
            continue
    return "UK place not coded"


@router.get("/evidence/studies/{study_id}", response_class=HTMLResponse)
def study(request: Request, study_id: RecordId, place: str = Query("", max_length=200)):
    account = current_account(request)
    found = library(request).study(account, study_id)
    return _study_page(request, found, place.strip())


def _study_page(request: Request, found: StudyView, place: str, status_code: int = 200,
                errors: dict | None = None) -> HTMLResponse:
    account = current_account(request)
    role = None
    if account is not None and found.partnership_id is not None:
        role = next((p.role for p in request.app.state.workspaces.partnerships(account)
                     if p.id == found.partnership_id), None)
    context, context_error = _transferability(request, found, place) if place else (None, "")
    qual = request.app.state.qualitative
    citable = [{"source": s, "selection": x}
               for s in qual.partnership_sources(account, found.partnership_id)
               for x in s.selections if x.codes] if role in ("editor", "admin") else []
    return page(request, "evidence_study.html.j2", status_code=status_code, study=found,
                role=role, place=place, context=context, context_error=context_error,
                errors=errors or {}, citable=citable,
                cited=cited_passages(library(request), qual, account, found.id))


@router.post("/evidence/studies/{study_id}/citations", response_class=HTMLResponse)
def cite(request: Request, study_id: RecordId, passage: str = Form("", max_length=40),
         csrf_token: str = Form("", max_length=100)):
    """Cite a coded passage of qualitative case material in the partnership's study."""
    check_csrf(request, csrf_token)
    account = signed_in_account(request)
    try:
        cite_passage(library(request), account, study_id, passage)
    except InputError as error:
        return _study_page(request, library(request).study(account, study_id), "", 400,
                           {error.field: error.detail})
    return RedirectResponse(f"/evidence/studies/{study_id}#case-material", status_code=303)


def _transferability(request: Request, found: StudyView, place: str):
    """((heading, distance, rows), "") of the study's context against the place's, or
    (None, why not)."""
    site = request.app.state.site
    try:
        yours = site.resolve(place)
    except UnknownPlaceError as error:
        return None, str(error)
    heading, distance, why_not = context_layer(found, yours, site.obs.comparators)
    if distance is None:
        return None, why_not
    rows = [{"variable": name, **values} for name, values in
            distance.differences.to_dict("index").items()]
    return (heading, distance, rows), ""


@router.get("/evidence/studies/{study_id}/report", response_class=HTMLResponse)
def report(request: Request, study_id: RecordId):
    return HTMLResponse(library(request).report(current_account(request), study_id))


@router.post("/evidence/studies/{study_id}/publish")
def publish(request: Request, study_id: RecordId, published: str = Form("yes", max_length=3),
            csrf_token: str = Form("", max_length=100)):
    check_csrf(request, csrf_token)
    library(request).set_published(signed_in_account(request), study_id, published == "yes")
    return RedirectResponse(f"/evidence/studies/{study_id}", status_code=303)


@router.post("/evidence/studies/{study_id}/delete")
def delete(request: Request, study_id: RecordId, csrf_token: str = Form("", max_length=100)):
    check_csrf(request, csrf_token)
    account = signed_in_account(request)
    partnership_id = library(request).study(account, study_id).partnership_id
    library(request).delete(account, study_id)
    return back_to_workspace(partnership_id or 0, "study-deleted")


@router.post("/evidence/studies/{study_id}/grade", response_class=HTMLResponse)
def grade(request: Request, study_id: RecordId, sms: str = Form("", max_length=2),
          rationale: str = Form("", max_length=2000), csrf_token: str = Form("", max_length=100)):
    check_csrf(request, csrf_token)
    account = signed_in_account(request)
    try:
        level = None if sms in ("", "none") else int(sms)
        library(request).grade(account, study_id, level, rationale)
    except (InputError, ValueError) as error:
        field = getattr(error, "field", "sms")
        detail = getattr(error, "detail", "Choose a level from 1 to 5")
        return _study_page(request, library(request).study(account, study_id), "", 400,
                           {field: detail})
    return RedirectResponse(f"/evidence/studies/{study_id}", status_code=303)


@router.post("/workspaces/{partnership_id}/evidence", response_class=HTMLResponse)
async def upload_studies(request: Request, partnership_id: RecordId,
                         intervention_type: str = Form("", max_length=40),
                         country: str = Form("", max_length=8),
                         studies: UploadFile = File(...),
                         csrf_token: str = Form("", max_length=100)):
    check_csrf(request, csrf_token)
    data = await studies.read(MAX_UPLOAD_BYTES + 1)
    try:
        found = read_study_file(studies.filename or "upload", data, intervention_type, country)
        library(request).add_studies(signed_in_account(request), partnership_id, found)
    except (DataFormatError, InputError) as error:
        return workspace_page(request, partnership_id, 400, {"studies": str(error)})
    return back_to_workspace(partnership_id, "studies")


@router.get("/evidence/studies/{study_id}/note", response_class=HTMLResponse)
def note(request: Request, study_id: RecordId, place: str = Query(..., max_length=200),
         resources: str = Query("", max_length=10), capacity: str = Query("", max_length=10)):
    """The transferability note: the three layers for one study and your place."""
    site = request.app.state.site
    account = current_account(request)
    found = library(request).study(account, study_id)
    yours = site.resolve(place)
    written = transferability_note(found, yours, site.obs.comparators, site.obs.indicators,
                                   _prefilled(request, yours),
                                   {"resources": resources, "capacity": capacity})
    return page(request, "evidence_note.html.j2", note=written, questions=QUESTIONS,
                answers=ANSWERS, place_query=place)


def _prefilled(request: Request, place) -> dict[str, str]:
    """What data answer for the questionnaire: the latest journey self-assessment of the
    place in the caller's partnerships, and the place's leadership style."""
    known = {}
    account = current_account(request)
    if account is not None:
        journeys = JourneyService(request.app.state.workspaces,
                                  request.app.state.site.obs.collaboration.signals)
        history = [record for p in request.app.state.workspaces.partnerships(account) if p.role
                   for record in journeys.history(account, p.id, place.code)]
        if history:
            latest = max(history, key=lambda r: (r["date"], r["version"]))
            result = latest["result"]
            known["Journey stage"] = f"{result['stage']} – {result['stage_name']} " \
                f"(self-assessment of {latest['date']}, confidence {result['confidence']})"
    styles = request.app.state.site.obs.collaboration.leadership(place)
    if not styles.empty:
        last = styles.iloc[-1]
        known["Leadership style"] = f"{last['finding']} (funded R&D collaboration, " \
            f"{last['period']})"
    return known


@router.get("/evidence/for", response_class=HTMLResponse)
def for_place(request: Request, place: str = Query("", max_length=200),
              outcome: str = Query("", max_length=40)):
    """The evidence on an outcome, ranked for a place."""
    site = request.app.state.site
    outcome = _known(outcome, OUTCOME_DOMAINS)
    ranked, yours, error = None, None, ""
    if place and outcome:
        try:
            yours = site.resolve(place)
        except UnknownPlaceError as failure:
            error = str(failure)
        else:
            ranked = rank_evidence(library(request).studies(current_account(request)), yours,
                                   outcome, site.obs.comparators).to_dict("records")
    return page(request, "evidence_for.html.j2", ranked=ranked, place=yours,
                place_query=place, outcome=outcome, outcomes=OUTCOME_DOMAINS, error=error)
