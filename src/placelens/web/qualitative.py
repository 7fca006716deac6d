"""Qualitative sources on the web: add a source with its provenance, read it paragraph by
paragraph with its coded passages, code a passage (a paragraph, or an exact quotation within
it: forms that work by keyboard alone), grow the codebook and publish with consent basis and
access tier. :class:`~placelens.services.qualitative.QualitativeService` decides who may."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.datastructures import UploadFile as StarletteUploadFile

from placelens.analysis.agreement import paragraphs
from placelens.errors import DataFormatError, InputError, UnknownPlaceError
from placelens.qda.source_files import source_text
from placelens.services.qualitative import ACCESS_TIERS, SOURCE_KINDS, QualitativeService
from placelens.user_tables import MAX_UPLOAD_BYTES
from placelens.web.rendering import page
from placelens.web.security import RecordId, check_csrf, current_account
from placelens.web.workspaces import signed_in_account, workspace_service

router = APIRouter()
MAX_TEXT = 200_000


def service(request: Request) -> QualitativeService:
    return request.app.state.qualitative


async def _fields(request: Request) -> dict[str, str]:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    return {k: str(v)[:MAX_TEXT] for k, v in form.items() if k != "csrf_token"}


@router.get("/workspaces/{partnership_id}/sources/new", response_class=HTMLResponse)
def new_source(request: Request, partnership_id: RecordId):
    return _source_form(request, partnership_id)


def _source_form(request: Request, partnership_id: int, status_code: int = 200,
                 errors: dict | None = None, values: dict | None = None) -> HTMLResponse:
    partnership = workspace_service(request).partnership(signed_in_account(request),
                                                         partnership_id)
    return page(request, "source_form.html.j2", status_code=status_code,
                partnership=partnership, kinds=SOURCE_KINDS, errors=errors or {},
                values=values or {})


@router.post("/workspaces/{partnership_id}/sources", response_class=HTMLResponse)
async def add_source(request: Request, partnership_id: RecordId):
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    values = {k: str(v)[:MAX_TEXT] for k, v in form.items()
              if k not in ("csrf_token", "file") and isinstance(v, str)}
    upload = form.get("file")
    try:
        if isinstance(upload, StarletteUploadFile) and upload.filename:
            data = await upload.read(MAX_UPLOAD_BYTES + 1)
            try:
                values["text"] = source_text(upload.filename, data)
            except DataFormatError as error:
                raise InputError("file", str(error)) from None
        place = None
        if values.get("place", "").strip():
            try:
                place = request.app.state.site.resolve(values["place"])
            except UnknownPlaceError as error:
                raise InputError("place", str(error)) from None
        added = service(request).add_source(
            signed_in_account(request), partnership_id, values.get("name", ""),
            values.get("kind", ""), values.get("text", ""), values, place)
    except InputError as error:
        return _source_form(request, partnership_id, 400, {error.field: error.detail}, values)
    return RedirectResponse(f"/sources/{added.id}", status_code=303)


@router.get("/sources/{source_id}", response_class=HTMLResponse)
def source(request: Request, source_id: RecordId):
    return _source_page(request, source_id)


def _source_page(request: Request, source_id: int, status_code: int = 200,
                 errors: dict | None = None, warnings: list | None = None) -> HTMLResponse:
    account = current_account(request)
    found = service(request).source(account, source_id)
    role = None
    if account is not None:
        role = next((p.role for p in workspace_service(request).partnerships(account)
                     if p.id == found.partnership_id), None)
    units = [{"number": n, "text": found.text[start:end], "coded": [
        s for s in found.selections if s.start < end and s.end > start]}
        for n, (start, end) in enumerate(paragraphs(found.text), start=1)]
    return page(request, "source.html.j2", status_code=status_code, source=found, role=role,
                units=units, tiers=ACCESS_TIERS, errors=errors or {}, warnings=warnings,
                **(_team(request, account, found) if role else {}))


def _team(request: Request, account, found) -> dict:
    """What members see beside the text: the codebook, memos, blind coding's state and,
    for admins, who may be asked to code."""
    from placelens.services.qualitative_team import coding_status, memos

    db = service(request).db
    statuses = coding_status(db, account, found.id)
    return {"codes": service(request).codebook(account, found.partnership_id),
            "memos": memos(db, account, found.id), "statuses": statuses,
            "coding_open": any(s.email == account.email and not s.done for s in statuses),
            "coders": [m for m in workspace_service(request).members(
                account, found.partnership_id) if m["role"] != "viewer"]}


@router.post("/sources/{source_id}/codings", response_class=HTMLResponse)
async def code(request: Request, source_id: RecordId):
    values = await _fields(request)
    account = signed_in_account(request)
    found = service(request).source(account, source_id)
    try:
        start, end = _passage(found.text, values.get("paragraph", ""), values.get("quote", ""))
        service(request).code(account, source_id, start, end, _number(values, "code"))
    except InputError as error:
        return _source_page(request, source_id, 400, {error.field: error.detail})
    return RedirectResponse(f"/sources/{source_id}#paragraph-{values['paragraph']}",
                            status_code=303)


def _number(values: dict, field: str) -> int:
    text = values.get(field, "").strip()
    if not text.isdigit():
        raise InputError(field, f"Choose the {field}")
    return int(text)


def _passage(text: str, paragraph: str, quote: str) -> tuple[int, int]:
    """Character positions of a paragraph (by number), or of an exact quotation in it."""
    units = paragraphs(text)
    if not paragraph.isdigit() or not 1 <= int(paragraph) <= len(units):
        raise InputError("paragraph", f"Choose a paragraph from 1 to {len(units)}")
    start, end = units[int(paragraph) - 1]
    if not quote.strip():
        return start, end
    found = text.find(quote.strip(), start, end)
    if found < 0:
        raise InputError("quote", f"Paragraph {paragraph} does not contain those exact words")
    return found, found + len(quote.strip())


@router.post("/sources/{source_id}/codes", response_class=HTMLResponse)
async def add_code(request: Request, source_id: RecordId):
    values = await _fields(request)
    account = signed_in_account(request)
    found = service(request).source(account, source_id)
    try:
        if not values.get("name", "").strip():
            raise InputError("name", "Name the code")
        parent = values.get("parent", "")
        service(request).add_code(account, found.partnership_id, values["name"],
                                  int(parent) if parent.isdigit() else None,
                                  values.get("description", ""))
    except InputError as error:
        return _source_page(request, source_id, 400, {error.field: error.detail})
    return RedirectResponse(f"/sources/{source_id}#coding", status_code=303)


@router.post("/sources/{source_id}/publish", response_class=HTMLResponse)
async def publish(request: Request, source_id: RecordId):
    values = await _fields(request)
    try:
        warnings = service(request).publish(signed_in_account(request), source_id,
                                            values.get("consent_basis", ""),
                                            values.get("access_tier", ""))
    except InputError as error:
        return _source_page(request, source_id, 400, {error.field: error.detail})
    return _source_page(request, source_id, warnings=warnings or [])


@router.get("/workspaces/{partnership_id}/agreement", response_class=HTMLResponse)
def agreement_page(request: Request, partnership_id: RecordId,
                   code: str = Query("", max_length=200)):
    """Agreement per code between the partnership's coders, and where they differ."""
    from placelens.services.coder_agreement import agreement, disagreements

    account = signed_in_account(request)
    partnership = workspace_service(request).partnership(account, partnership_id)
    measured = agreement(service(request).db, account, partnership_id)
    differ = disagreements(service(request).db, account, partnership_id, code) if code \
        else []
    return page(request, "agreement.html.j2", partnership=partnership,
                rows=measured.table.to_dict("records"), unit=measured.unit, code=code,
                differ=differ)


@router.get("/qualitative/search", response_class=HTMLResponse)
def search_page(request: Request, q: str = Query("", max_length=200)):
    """Full-text search of the sources the visitor may see, hits in context."""
    hits = service(request).search(current_account(request), q) if q.strip() else []
    return page(request, "qual_search.html.j2", query=q, hits=hits)
