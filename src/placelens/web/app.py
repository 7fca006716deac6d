"""The ASGI application: ``create_app()`` wires settings, the warehouse, the application
database, middleware (sessions, security headers), static assets and the routers."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware

import placelens
from placelens.api import Observatory
from placelens.db.database import Database
from placelens.errors import (
    DataFormatError,
    ForbiddenError,
    InputError,
    InvalidChoiceError,
    NotFoundError,
    PlacelensError,
    UnknownPlaceError,
)
from placelens.services.accounts import AccountService
from placelens.services.evidence_library import EvidenceLibrary
from placelens.services.qualitative import QualitativeService
from placelens.services.workspaces import WorkspaceService
from placelens.web import (
    accounts,
    api_v1,
    evidence,
    journeys,
    pages,
    planning,
    qualitative,
    qualitative_work,
    workspaces,
)
from placelens.web.rendering import page
from placelens.web.security import CsrfError, SecurityHeaders, SignInRequired
from placelens.web.settings import SESSION_HOURS, WebSettings
from placelens.web.site import Site

STATIC = Path(__file__).with_name("static")
VENDOR = STATIC / "vendor"


class AssetsMissingError(PlacelensError, FileNotFoundError):
    """The front-end packages have not been built into the package."""


_STATUS = [(UnknownPlaceError, 404), (NotFoundError, 404), (ForbiddenError, 403),
           (CsrfError, 403), (SignInRequired, 401), (InvalidChoiceError, 400), (InputError, 400),
           (DataFormatError, 400)]


def _status(error: Exception) -> int:
    return next((code for kind, code in _STATUS if isinstance(error, kind)), 500)


def create_app(settings: WebSettings | None = None) -> FastAPI:
    """The web observatory for ``settings`` (default: from the environment)."""
    settings = settings or WebSettings.from_environment()
    if not (VENDOR / "govuk-frontend.min.css").exists():
        raise AssetsMissingError(f"Front-end assets are missing from {VENDOR}; run `make "
                                 "assets` (npm ci, then copies GOV.UK Frontend and Vega)")
    app = FastAPI(title="placelens", version=placelens.__version__,
                  description="Read-only API of the placelens observatory: places keyed by "
                  "GSS/ITL code with their vintage, indicators with source, release and "
                  "licence.", docs_url="/api/docs", redoc_url=None,
                  openapi_url="/api/v1/openapi.json")
    database = Database(settings.database_url)
    if settings.migrate:
        database.migrate()
    app.state.site = Site(Observatory(settings.warehouse))
    app.state.evaluations = settings.outputs / "evaluations"
    app.state.accounts = AccountService(database)
    app.state.workspaces = WorkspaceService(database)
    app.state.evidence = EvidenceLibrary(database)
    app.state.qualitative = QualitativeService(database)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(SessionMiddleware, secret_key=settings.secret_key,
                       session_cookie="placelens_session", max_age=SESSION_HOURS * 3600,
                       same_site="lax", https_only=settings.secure_cookies)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.mount("/assets", StaticFiles(directory=VENDOR / "govuk-assets"), name="govuk-assets")
    for module in (pages, accounts, workspaces, journeys, evidence, planning, qualitative,
                   qualitative_work, api_v1):
        app.include_router(module.router)
    _handle_errors(app)
    return app


def _handle_errors(app: FastAPI) -> None:
    @app.exception_handler(PlacelensError)
    async def placelens_error(request: Request, error: PlacelensError):
        if isinstance(error, SignInRequired) and not request.url.path.startswith("/api/"):
            return RedirectResponse(f"/sign-in?next={request.url.path}", status_code=303)
        status = _status(error)
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": str(error)}, status_code=status)
        return page(request, "error.html.j2", status_code=status, status=status,
                    message=str(error),
                    suggestions=getattr(error, "suggestions", []))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException):
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": str(error.detail)}, status_code=error.status_code)
        message = "Page not found" if error.status_code == 404 else str(error.detail)
        return page(request, "error.html.j2", status_code=error.status_code,
                    status=error.status_code, message=message, suggestions=[])
