"""The read-only JSON API (``/api/v1``), over the same services as the pages: places keyed by
GSS/ITL code with their vintage, indicator values with source, release and licence, and the
workspace items the caller may see. Lists are paginated; every response carries an ETag and
cache headers, and a matching If-None-Match gets 304."""

from __future__ import annotations

import hashlib
import json
from enum import Enum
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from placelens.geography.area_types import PROFILE_TYPES
from placelens.results import plain, records
from placelens.web.security import RecordId, current_account
from placelens.web.site import Site

router = APIRouter(prefix="/api/v1", tags=["placelens"])
#: The place types as an enumeration, so the OpenAPI document lists the allowed values.
PlaceType = Enum("PlaceType", {t: t for t in PROFILE_TYPES}, type=str)  # type: ignore[misc]
MAX_PER_PAGE = 500


def _site(request: Request) -> Site:
    return request.app.state.site


def _json(request: Request, body: Any, private: bool = False) -> Response:
    """JSON with an ETag (a digest of the body); public data may be cached for an hour,
    anything that depends on the signed-in account only privately and revalidated."""
    content = json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=str)
    tag = '"' + hashlib.sha256(content.encode()).hexdigest()[:32] + '"'
    headers = {"ETag": tag, "Cache-Control": "private, no-cache" if private else
               "public, max-age=3600", "Vary": "Cookie"}
    if tag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(content, media_type="application/json", headers=headers)


def _page(items: list, page: int, per_page: int, path: str) -> dict:
    start = (page - 1) * per_page
    total = len(items)
    last = max(1, -(-total // per_page))
    return {"items": items[start:start + per_page], "page": page, "per_page": per_page,
            "total": total, "pages": last,
            "next": f"{path}page={page + 1}&per_page={per_page}" if page < last else None}


def _place_record(place) -> dict:
    return {"code": place.code, "name": place.name, "type": place.area_type,
            "vintage": place.vintage, "members": list(place.members)}


@router.get("/places", summary="Places of one type, or matching a search")
def places(request: Request, place_type: PlaceType | None = Query(None, alias="type"),
           q: str | None = Query(None, max_length=200),
           page: int = Query(1, ge=1, le=100_000),
           per_page: int = Query(100, ge=1, le=MAX_PER_PAGE)):
    site = _site(request)
    type = place_type.value if place_type else None
    if q:
        found = site.search(q, 50)
        chosen = [site.place(code) for code in found["code"]]
        items = [p for p in chosen if type in (None, p.area_type)]
    else:
        items = [p for t in ([type] if type else PROFILE_TYPES) for p in site.places_of_type(t)]
    body = _page([_place_record(p) for p in items], page, per_page,
                 f"/api/v1/places?type={type or ''}&q={q or ''}&")
    return _json(request, body)


@router.get("/places/{code}", summary="One place: code, name, type, vintage, members, parents")
def place(request: Request, code: str):
    found = _site(request).place(code)
    return _json(request, {**_place_record(found), "parents": found.parents})


@router.get("/places/{code}/indicators/{indicator}",
            summary="A place's series of one indicator, published or derived")
def series(request: Request, code: str, indicator: str):
    site = _site(request)
    found = site.place(code)
    about = site.obs.indicators.describe(indicator)
    with site.lock:
        values = site.obs.indicators.series(found, indicator)
    return _json(request, {"place": _place_record(found), "indicator": _about(about),
                           "values": records(values)})


def _about(about: dict) -> dict:
    keys = ("indicator", "name", "definition", "unit", "geographies", "first_period",
            "last_period", "source", "publisher", "release", "licence", "url")
    return {key: plain(about.get(key)) for key in keys}


@router.get("/indicators", summary="The indicator catalogue")
def indicators(request: Request, page: int = Query(1, ge=1, le=100_000),
               per_page: int = Query(100, ge=1, le=MAX_PER_PAGE)):
    catalogue = _site(request).catalogue()
    items = [_about(row) for row in catalogue.to_dict("records")]
    return _json(request, _page(items, page, per_page, "/api/v1/indicators?"))


@router.get("/indicators/{indicator}/values",
            summary="Every area of one type ranked on an indicator in one period")
def indicator_values(request: Request, indicator: str,
                     place_type: PlaceType = Query(PlaceType.LAD, alias="type"),  # type: ignore[attr-defined]
                     period: str | None = Query(None, max_length=10),
                     page: int = Query(1, ge=1, le=100_000),
                     per_page: int = Query(100, ge=1, le=MAX_PER_PAGE)):
    type = place_type.value
    data = _site(request).indicator(indicator, type, period)
    body = _page(records(data["ranking"]), page, per_page,
                 f"/api/v1/indicators/{indicator}/values?type={type}&period={period or ''}&")
    return _json(request, {**body, "indicator": _about(data["about"]), "area_type": type})


@router.get("/compare", summary="Two to ten places side by side on the context variables")
def compare(request: Request, place: list[str] = Query(..., max_length=40)):
    table = _site(request).compare(place)
    return _json(request, {"places": records(table, "area_code")})


@router.get("/items", summary="Workspace items the caller may see (published, or their own "
            "partnerships' when signed in)")
def items(request: Request, q: str = Query("", max_length=200),
          page: int = Query(1, ge=1, le=100_000),
          per_page: int = Query(100, ge=1, le=MAX_PER_PAGE)):
    account = current_account(request)
    found = request.app.state.workspaces.visible_items(account, text=q)
    body = _page([i.to_dict() for i in found], page, per_page, f"/api/v1/items?q={q}&")
    return _json(request, body, private=account is not None)


@router.get("/items/{item_id}", summary="One workspace item the caller may see")
def item(request: Request, item_id: RecordId):
    account = current_account(request)
    found = request.app.state.workspaces.item(account, item_id)
    return _json(request, found.to_dict(), private=not found.published)


@router.get("/evidence/studies", summary="Evidence-library studies the caller may see "
            "(published, or their own partnerships' when signed in), each grade with its source")
def studies(request: Request, q: str = Query("", max_length=200),
            page: int = Query(1, ge=1, le=100_000),
            per_page: int = Query(100, ge=1, le=MAX_PER_PAGE)):
    account = current_account(request)
    found = request.app.state.evidence.studies(account, text=q.strip())
    body = _page([s.to_dict() for s in found], page, per_page,
                 f"/api/v1/evidence/studies?q={quote(q)}&")
    return _json(request, body, private=account is not None)


@router.get("/evidence/studies/{study_id}", summary="One evidence-library study the caller "
            "may see")
def study(request: Request, study_id: RecordId):
    found = request.app.state.evidence.study(current_account(request), study_id)
    return _json(request, found.to_dict(), private=not found.published)


def _source_record(found) -> dict:
    """A source with its provenance and coded passages (each with its citable GUID)."""
    return {"id": found.id, "guid": found.guid, "name": found.name, "kind": found.kind,
            "published": found.published, "access_tier": found.access_tier,
            "consent_basis": found.consent_basis, "collected_by": found.collected_by,
            "collection_method": found.collection_method,
            "participant_role": found.participant_role, "licence": found.licence,
            "text": found.text, "passages": [
                {"guid": s.guid, "start": s.start, "end": s.end, "quote": s.quote,
                 "codes": [{"code": code, "coder": coder} for code, coder in s.codes]}
                for s in found.selections]}


@router.get("/qualitative/sources", summary="Qualitative sources the caller may see "
            "(published, or their own partnerships' when signed in), with provenance")
def qualitative_sources(request: Request, page: int = Query(1, ge=1, le=100_000),
                        per_page: int = Query(100, ge=1, le=MAX_PER_PAGE)):
    account = current_account(request)
    found = request.app.state.qualitative.sources(account)
    body = _page([_source_record(s) for s in found], page, per_page,
                 "/api/v1/qualitative/sources?")
    return _json(request, body, private=account is not None)


@router.get("/qualitative/sources/{source_id}", summary="One qualitative source the caller "
            "may see, with its coded passages")
def qualitative_source(request: Request, source_id: RecordId):
    found = request.app.state.qualitative.source(current_account(request), source_id)
    return _json(request, _source_record(found), private=not found.published)
