"""Partnership workspaces: the pages behind sign-in. Each route parses the form, checks its
CSRF token and calls :class:`~placelens.services.workspaces.WorkspaceService`, which decides
what the account may see or change."""

from __future__ import annotations

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse

from placelens.analysis.journey import load_questionnaire
from placelens.db.models import ROLES
from placelens.errors import DataFormatError, InputError, NotFoundError, UnknownPlaceError
from placelens.evidence_terms import INTERVENTION_TYPES
from placelens.services.accounts import Account
from placelens.services.workspaces import MAX_NOTE, WorkspaceService
from placelens.user_tables import MAX_UPLOAD_BYTES, read_indicator_table
from placelens.web.rendering import csv_download, page
from placelens.web.security import RecordId, SignInRequired, check_csrf, current_account

router = APIRouter()


def signed_in_account(request: Request) -> Account:
    account = current_account(request)
    if account is None:
        raise SignInRequired("Sign in to see partnership workspaces")
    return account


def workspace_service(request: Request) -> WorkspaceService:
    return request.app.state.workspaces


def back_to_workspace(partnership_id: int, message: str = "") -> RedirectResponse:
    suffix = f"?done={message}" if message else ""
    return RedirectResponse(f"/workspaces/{partnership_id}{suffix}", status_code=303)


@router.get("/workspaces", response_class=HTMLResponse)
def workspaces(request: Request):
    account = current_account(request)
    if account is None:
        return RedirectResponse("/sign-in?next=/workspaces", status_code=303)
    return page(request, "workspaces.html.j2", partnerships=workspace_service(request).partnerships(
        account), errors={})


@router.post("/workspaces", response_class=HTMLResponse)
def create_partnership(request: Request, name: str = Form("", max_length=300),
                       csrf_token: str = Form("", max_length=100)):
    check_csrf(request, csrf_token)
    account = signed_in_account(request)
    try:
        created = workspace_service(request).create_partnership(account, name)
    except InputError as error:
        return page(request, "workspaces.html.j2", status_code=400,
                    errors={error.field: error.detail},
                    partnerships=workspace_service(request).partnerships(account))
    return back_to_workspace(created.id)


@router.get("/workspaces/{partnership_id}", response_class=HTMLResponse)
def workspace(request: Request, partnership_id: RecordId, done: str = ""):
    return workspace_page(request, partnership_id, done=done[:80])


def workspace_page(request: Request, partnership_id: int, status_code: int = 200,
                    errors: dict | None = None, **extra) -> HTMLResponse:
    account = signed_in_account(request)
    service = workspace_service(request)
    partnership = service.partnership(account, partnership_id)
    audit = service.audit_log(account, partnership_id, 20) if partnership.role == "admin" \
        else []
    return page(request, "workspace.html.j2", status_code=status_code, partnership=partnership,
                items=service.items(account, partnership_id), roles=ROLES,
                members=service.members(account, partnership_id), audit=audit,
                errors=errors or {}, max_upload=MAX_UPLOAD_BYTES,
                studies=request.app.state.evidence.of_partnership(account, partnership_id),
                sources=request.app.state.qualitative.partnership_sources(account,
                                                                          partnership_id),
                intervention_types=INTERVENTION_TYPES, **extra)


@router.post("/workspaces/{partnership_id}/notes", response_class=HTMLResponse)
def add_note(request: Request, partnership_id: RecordId, title: str = Form("", max_length=300),
             text: str = Form("", max_length=MAX_NOTE), csrf_token: str = Form("", max_length=100)):
    check_csrf(request, csrf_token)
    try:
        workspace_service(request).add_item(signed_in_account(request), partnership_id,
                                            "note", title, {"text": text.strip()})
    except InputError as error:
        return workspace_page(request, partnership_id, 400, {f"note-{error.field}":
                                                              error.detail})
    return back_to_workspace(partnership_id, "note")


@router.post("/workspaces/{partnership_id}/place-sets", response_class=HTMLResponse)
def add_place_set(request: Request, partnership_id: RecordId, title: str = Form("", max_length=300),
                  places: str = Form("", max_length=5000), kind: str = Form("place_set"),
                  csrf_token: str = Form("", max_length=100)):
    """A saved place set (or comparator set: the first place is the focus), each line a
    place name, code or postcode resolved as on the search page."""
    check_csrf(request, csrf_token)
    site = request.app.state.site
    lines = [line.strip() for line in places.splitlines() if line.strip()]
    try:
        if not lines or len(lines) > 400:
            raise InputError("places", "Enter between 1 and 400 places, one per line")
        resolved = []
        for number, line in enumerate(lines, start=1):
            try:
                resolved.append(site.resolve(line))
            except UnknownPlaceError as error:
                raise InputError("places", f"line {number}: {error}") from None
        content = {"codes": [p.code for p in resolved], "names": [p.name for p in resolved]}
        workspace_service(request).add_item(signed_in_account(request), partnership_id,
                                            kind, title, content)
    except InputError as error:
        return workspace_page(request, partnership_id, 400, {f"set-{error.field}":
                                                              error.detail})
    return back_to_workspace(partnership_id, "set")


@router.post("/workspaces/{partnership_id}/uploads", response_class=HTMLResponse)
async def upload_table(request: Request, partnership_id: RecordId,
                       title: str = Form("", max_length=300),
                       unit: str = Form("", max_length=60),
                       table: UploadFile = File(...), csrf_token: str = Form("", max_length=100)):
    check_csrf(request, csrf_token)
    data = await table.read(MAX_UPLOAD_BYTES + 1)
    site = request.app.state.site
    try:
        rows = read_indicator_table(table.filename or "upload", data, site.obs.places.places)
        content = {"unit": unit.strip()[:60], "file": (table.filename or "")[:120],
                   "rows": rows.to_dict("records")}
        workspace_service(request).add_item(signed_in_account(request), partnership_id,
                                            "indicator_table", title, content)
    except (DataFormatError, InputError) as error:
        return workspace_page(request, partnership_id, 400, {"upload": str(error)})
    return back_to_workspace(partnership_id, "upload")


@router.post("/workspaces/{partnership_id}/invitations", response_class=HTMLResponse)
def invite(request: Request, partnership_id: RecordId, email: str = Form("", max_length=300),
           role: str = Form("viewer", max_length=10), csrf_token: str = Form("", max_length=100)):
    check_csrf(request, csrf_token)
    try:
        token = workspace_service(request).invite(signed_in_account(request),
                                                  partnership_id, email, role)
    except InputError as error:
        return workspace_page(request, partnership_id, 400, {"invite": error.detail})
    link = str(request.url_for("invitation", token=token))
    return workspace_page(request, partnership_id, invitation_link=link,
                           invited=email.strip().lower())


@router.get("/invitations/{token}", response_class=HTMLResponse, name="invitation")
def invitation(request: Request, token: str):
    if current_account(request) is None:
        return RedirectResponse(f"/sign-in?next=/invitations/{token}", status_code=303)
    return page(request, "invitation.html.j2", token=token)


@router.post("/invitations/{token}")
def accept_invitation(request: Request, token: str, csrf_token: str = Form("", max_length=100)):
    check_csrf(request, csrf_token)
    joined = workspace_service(request).accept(signed_in_account(request), token)
    return back_to_workspace(joined.id, "joined")


@router.get("/items/{item_id}", response_class=HTMLResponse)
def item(request: Request, item_id: RecordId):
    account = current_account(request)
    found = workspace_service(request).item(account, item_id)
    evidence: dict = {}
    if found.kind == "journey_assessment" and account is not None and any(
            p.id == found.partnership_id for p in workspace_service(request).partnerships(
                account) if p.role):
        moments = [stage["moment"]["name"] for stage in load_questionnaire().stages]
        evidence = request.app.state.qualitative.passages_about(account, found.partnership_id,
                                                                moments)
    return page(request, "item.html.j2", item=found, moment_evidence=evidence)


@router.get("/items/{item_id}/data.csv")
def item_csv(request: Request, item_id: RecordId):
    found = workspace_service(request).item(current_account(request), item_id)
    if found.kind != "indicator_table":
        raise NotFoundError(f"Item {item_id} is not a table")
    import pandas as pd

    return csv_download(pd.DataFrame(found.content["rows"]), f"item_{item_id}.csv")


@router.post("/items/{item_id}/publish")
def publish(request: Request, item_id: RecordId, published: str = Form("yes", max_length=3),
            csrf_token: str = Form("", max_length=100)):
    check_csrf(request, csrf_token)
    changed = workspace_service(request).set_published(signed_in_account(request), item_id,
                                                       published == "yes")
    return back_to_workspace(changed.partnership_id,
                             "published" if changed.published else "unpublished")


@router.post("/items/{item_id}/delete")
def delete(request: Request, item_id: RecordId, csrf_token: str = Form("", max_length=100)):
    check_csrf(request, csrf_token)
    account = signed_in_account(request)
    partnership_id = workspace_service(request).item(account, item_id).partnership_id
    workspace_service(request).delete_item(account, item_id)
    return back_to_workspace(partnership_id, "deleted")
