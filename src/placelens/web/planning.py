"""Logic models and evaluation plans in a partnership workspace: forms that build them with
:mod:`placelens.services.logic_models` and :mod:`placelens.services.evaluation_plans` and store
them as private items (registration of a plan is the stored item, dated and attributed)."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from placelens.errors import InputError, PlacelensError, UnknownPlaceError
from placelens.evidence_terms import INTERVENTION_TYPES
from placelens.services import evaluation as ev
from placelens.services.evaluation_plans import plan_evaluation, source_release
from placelens.services.logic_models import STAGES, build_logic_model
from placelens.web.rendering import page
from placelens.web.security import MAX_RECORD_ID, RecordId, check_csrf
from placelens.web.workspaces import signed_in_account, workspace_service

router = APIRouter()
MAX_FIELD = 12_000
#: Outcomes a district plan can offer without a logic model: annual district series.
PLAN_OUTCOMES = ("gva_per_hour_gbp", "gva_per_job_gbp", "gdhi_per_head_gbp")


def _form(request: Request, partnership_id: int, template: str, status_code: int = 200,
          errors: dict | None = None, values: dict | None = None, **extra) -> HTMLResponse:
    partnership = workspace_service(request).partnership(signed_in_account(request),
                                                         partnership_id)
    return page(request, template, status_code=status_code, partnership=partnership,
                errors=errors or {}, values=values or {}, types=INTERVENTION_TYPES,
                stages=STAGES, **extra)


async def _fields(request: Request) -> dict[str, str]:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    return {key: str(value)[:MAX_FIELD] for key, value in form.items() if key != "csrf_token"}


def _place(request: Request, text: str, district: bool = False):
    try:
        place = request.app.state.site.resolve(text)
    except UnknownPlaceError as error:
        raise InputError("place", str(error)) from None
    if district and place.area_type != "LAD":
        raise InputError("place", f"{place.name} is not a local authority district; a plan "
                         "compares one district with similar districts")
    return place


@router.get("/workspaces/{partnership_id}/logic-models/new", response_class=HTMLResponse)
def new_logic_model(request: Request, partnership_id: RecordId):
    return _form(request, partnership_id, "logic_model_form.html.j2")


@router.post("/workspaces/{partnership_id}/logic-models", response_class=HTMLResponse)
async def save_logic_model(request: Request, partnership_id: RecordId):
    values = await _fields(request)
    account = signed_in_account(request)
    obs = request.app.state.site.obs
    try:
        place = _place(request, values.get("place", ""))
        with request.app.state.site.lock:  # the warehouse connection is shared
            known = set(obs.indicators.warehouse.table("indicators")["indicator"])
            content = build_logic_model(values, place, known, obs.comparators,
                                        obs.indicators)
        item = workspace_service(request).add_item(
            account, partnership_id, "logic_model",
            f"Logic model: {content['intervention']} in {place.name}", content)
    except InputError as error:
        return _form(request, partnership_id, "logic_model_form.html.j2", 400,
                     {error.field: error.detail}, values)
    return RedirectResponse(f"/items/{item.id}", status_code=303)


@router.get("/workspaces/{partnership_id}/plans/new", response_class=HTMLResponse)
def new_plan(request: Request, partnership_id: RecordId,
             model: int | None = Query(None, ge=1, le=MAX_RECORD_ID)):
    values: dict = {}
    if model is not None:  # start from a logic model: its place, intervention and outcomes
        content = workspace_service(request).item(signed_in_account(request), model).content
        values = {"place": content.get("place_code", ""),
                  "intervention": content.get("intervention", ""),
                  "intervention_type": content.get("intervention_type", "")}
        linked = [o["indicator"] for o in content.get("outcomes", []) if o.get("indicator")]
        if linked:
            values["outcome"] = linked[0]
    return _form(request, partnership_id, "plan_form.html.j2", values=values,
                 outcomes=PLAN_OUTCOMES)


@router.post("/workspaces/{partnership_id}/plans", response_class=HTMLResponse)
async def register_plan(request: Request, partnership_id: RecordId):
    values = await _fields(request)
    account = signed_in_account(request)
    obs = request.app.state.site.obs
    try:
        workspace_service(request).partnership(account, partnership_id)
        place = _place(request, values.get("place", ""), district=True)
        start = _year(values.get("start", ""))
        outcome = values.get("outcome", "")
        with request.app.state.site.lock:  # read under the lock, fit the controls outside it
            panel = ev.warehouse_panel(obs.indicators, outcome)
            release = source_release(obs.indicators, outcome)
            similar = [p.code for p in obs.comparators.comparators(place, "statistical", 40)]
        plan = plan_evaluation(panel, similar, place, start,
                               values.get("intervention", "").strip()[:200] or "Intervention",
                               values.get("intervention_type", ""), release)
        record = plan.record()
        item = workspace_service(request).add_item(
            account, partnership_id, "evaluation_plan",
            f"Evaluation plan: {plan.spec.intervention} in {place.name} from {start}", record)
    except (InputError, PlacelensError, ValueError, KeyError) as error:
        field = getattr(error, "field", "outcome")
        return _form(request, partnership_id, "plan_form.html.j2", 400,
                     {field: getattr(error, "detail", str(error).strip("'"))}, values,
                     outcomes=PLAN_OUTCOMES)
    return RedirectResponse(f"/items/{item.id}", status_code=303)


def _year(text: str) -> int:
    if not text.strip().isdigit() or not 1990 <= int(text) <= 2100:
        raise InputError("start", "Enter the first year the intervention can affect the "
                         "outcome, like 2027")
    return int(text)
