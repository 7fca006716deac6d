"""A partnership's qualitative work on the web: memos and blind double coding on a source, the
code and case browsers, and REFI-QDA projects and codebooks in and out of the workspace.
The services decide who may (:mod:`placelens.services.qualitative_team`,
:mod:`placelens.services.qualitative_browse`, :mod:`placelens.services.qualitative_projects`)."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile as StarletteUploadFile

from placelens.errors import DataFormatError, InputError
from placelens.qda.refi import MAX_QDPX_BYTES, codebook_bytes, qdpx_bytes, schema
from placelens.qda.refi_read import read_qdc, read_qdpx
from placelens.services import qualitative_browse as browse
from placelens.services import qualitative_projects as projects
from placelens.services import qualitative_team as team
from placelens.web.qualitative import _fields, _source_page, service
from placelens.web.rendering import page
from placelens.web.security import RecordId, check_csrf
from placelens.web.workspaces import signed_in_account, workspace_service

router = APIRouter()


@router.post("/sources/{source_id}/memos", response_class=HTMLResponse)
async def add_memo(request: Request, source_id: RecordId):
    values = await _fields(request)
    try:
        team.add_memo(service(request).db, signed_in_account(request), source_id,
                      values.get("memo", ""), values.get("about", ""))
    except InputError as error:
        return _source_page(request, source_id, 400, {error.field: error.detail})
    return RedirectResponse(f"/sources/{source_id}#memos", status_code=303)


@router.post("/sources/{source_id}/blind", response_class=HTMLResponse)
async def assign_blind(request: Request, source_id: RecordId):
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    try:
        team.assign_blind(service(request).db, signed_in_account(request), source_id,
                          [str(v) for v in form.getlist("coders")])
    except InputError as error:
        return _source_page(request, source_id, 400, {error.field: error.detail})
    return RedirectResponse(f"/sources/{source_id}#blind", status_code=303)


@router.post("/sources/{source_id}/finished", response_class=HTMLResponse)
async def finish_coding(request: Request, source_id: RecordId):
    await _fields(request)
    try:
        team.finish_coding(service(request).db, signed_in_account(request), source_id)
    except InputError as error:
        return _source_page(request, source_id, 400, {error.field: error.detail})
    return RedirectResponse(f"/sources/{source_id}#blind", status_code=303)


@router.get("/workspaces/{partnership_id}/codes", response_class=HTMLResponse)
def code_browser(request: Request, partnership_id: RecordId,
                 code: str = Query("", max_length=200)):
    """The codebook as a tree with counts; with ``code``, the passages it marks."""
    account = signed_in_account(request)
    partnership = workspace_service(request).partnership(account, partnership_id)
    rows = browse.code_tree(service(request), account, partnership_id)
    passages = browse.coded_passages(service(request), account, partnership_id, code) \
        if code else []
    return page(request, "code_browser.html.j2", partnership=partnership, rows=rows,
                code=code, passages=passages,
                sets=browse.code_sets(service(request), account, partnership_id))


@router.get("/workspaces/{partnership_id}/cases", response_class=HTMLResponse)
def case_browser(request: Request, partnership_id: RecordId):
    """The partnership's cases, and REFI-QDA projects in and out."""
    return _cases_with(request, partnership_id)


@router.get("/workspaces/{partnership_id}/qualitative.qdpx")
def export_project(request: Request, partnership_id: RecordId):
    """The partnership's qualitative data as a REFI-QDA project (members only)."""
    account = signed_in_account(request)
    name = workspace_service(request).partnership(account, partnership_id).name
    project = projects.export_project(service(request).db, account, partnership_id, name)
    return _download(qdpx_bytes(project), "qualitative.qdpx", "application/zip")


@router.get("/workspaces/{partnership_id}/codebook.qdc")
def export_codebook(request: Request, partnership_id: RecordId):
    codes = projects.export_codebook(service(request).db, signed_in_account(request),
                                     partnership_id)
    return _download(codebook_bytes(codes), "codebook.qdc", "application/xml")


def _download(data: bytes, name: str, media_type: str) -> Response:
    return Response(data, media_type=media_type, headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


@router.post("/workspaces/{partnership_id}/qualitative/import", response_class=HTMLResponse)
async def import_file(request: Request, partnership_id: RecordId):
    """A .qdpx project or .qdc codebook into the partnership (editors), all or nothing."""
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    account = signed_in_account(request)
    upload = form.get("project")
    message = ""
    try:
        if not isinstance(upload, StarletteUploadFile) or not upload.filename:
            raise InputError("project", "Choose a .qdpx project or .qdc codebook")
        data = await upload.read(MAX_QDPX_BYTES + 1)
        try:
            if upload.filename.lower().endswith(".qdc"):
                added = projects.import_codebook(service(request).db, account, partnership_id,
                                                 read_qdc(data, upload.filename, schema()))
                message = f"Added {projects.counted(added, 'code')} to the codebook."
            else:
                stored = projects.import_project(
                    service(request).db, account, partnership_id,
                    read_qdpx(data, upload.filename, schema()))
                message = f"Imported {stored.summary}"
                if stored.not_stored:
                    message += ". Not stored (placelens keeps text sources): " + ", ".join(
                        stored.not_stored)
        except DataFormatError as error:
            raise InputError("project", str(error)) from None
    except InputError as error:
        return _cases_with(request, partnership_id, 400, errors={error.field: error.detail})
    return _cases_with(request, partnership_id, message=message)


def _cases_with(request: Request, partnership_id: int, status_code: int = 200,
                errors: dict | None = None, message: str = "") -> HTMLResponse:
    account = signed_in_account(request)
    partnership = workspace_service(request).partnership(account, partnership_id)
    return page(request, "case_browser.html.j2", status_code=status_code,
                partnership=partnership, errors=errors or {}, message=message,
                cases=browse.cases(service(request), account, partnership_id))
