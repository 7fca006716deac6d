"""The journey self-assessment in a partnership workspace: the questionnaire as a form,
scored and stored privately by :class:`~placelens.services.journeys.JourneyService`."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from placelens.errors import DataFormatError, InputError, UnknownPlaceError
from placelens.services.journeys import JourneyService
from placelens.web.rendering import page
from placelens.web.security import RecordId, check_csrf
from placelens.web.workspaces import signed_in_account, workspace_service

router = APIRouter()
MAX_FIELD = 300


def _journeys(request: Request) -> JourneyService:
    site = request.app.state.site
    return JourneyService(workspace_service(request), site.obs.collaboration.signals)


def _form(request: Request, partnership_id: int, status_code: int = 200,
          errors: dict | None = None, values: dict | None = None) -> HTMLResponse:
    partnership = workspace_service(request).partnership(signed_in_account(request), partnership_id)
    return page(request, "journey_form.html.j2", status_code=status_code,
                partnership=partnership, form=_journeys(request).questionnaire,
                errors=errors or {}, values=values or {"date": date.today().isoformat()})


@router.get("/workspaces/{partnership_id}/journey", response_class=HTMLResponse)
def journey_form(request: Request, partnership_id: RecordId):
    return _form(request, partnership_id)


@router.post("/workspaces/{partnership_id}/journey", response_class=HTMLResponse)
async def record_journey(request: Request, partnership_id: RecordId):
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    values = {key: str(value)[:MAX_FIELD] for key, value in form.items()}
    try:
        place = _place(request, values.get("place", ""))
        when = _date(values.get("date", ""))
        answers = {key.removeprefix("answer-"): int(value) for key, value in values.items()
                   if key.startswith("answer-") and value.isdigit()}
        item = _journeys(request).record(signed_in_account(request), partnership_id, place, when,
                                         answers)
    except (InputError, DataFormatError) as error:
        field = getattr(error, "field", "answers")
        return _form(request, partnership_id, 400, {field: getattr(error, "detail", str(error))},
                     values)
    return RedirectResponse(f"/items/{item.id}", status_code=303)


def _place(request: Request, text: str):
    try:
        return request.app.state.site.resolve(text)
    except UnknownPlaceError as error:
        raise InputError("place", str(error)) from None


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InputError("date", "Enter the date as YYYY-MM-DD, like 2026-11-30") from None
