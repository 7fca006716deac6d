"""Signing up, in and out. Forms carry a CSRF token; the session is renewed at sign-in (a
new CSRF token, so a token seen before sign-in is useless after)."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from placelens.errors import InputError, SignInError
from placelens.web.rendering import page
from placelens.web.security import check_csrf

router = APIRouter()


def _safe_next(target: str) -> str:
    """Only local paths: an attacker's link must not send people elsewhere after sign-in."""
    return target if target.startswith("/") and not target.startswith("//") else "/workspaces"


def _start_session(request: Request, user_id: int) -> None:
    request.session.clear()
    request.session["user_id"] = user_id


@router.get("/sign-up", response_class=HTMLResponse)
def sign_up_form(request: Request):
    return page(request, "sign_up.html.j2", errors={}, values={})


@router.post("/sign-up", response_class=HTMLResponse)
def sign_up(request: Request, email: str = Form("", max_length=300),
            name: str = Form("", max_length=300), password: str = Form("", max_length=300),
            csrf_token: str = Form("", max_length=100)):
    check_csrf(request, csrf_token)
    try:
        account = request.app.state.accounts.sign_up(email, name, password)
    except InputError as error:
        return page(request, "sign_up.html.j2", status_code=400,
                    errors={error.field: error.detail}, values={"email": email, "name": name})
    _start_session(request, account.id)
    return RedirectResponse("/workspaces", status_code=303)


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_form(request: Request, next: str = "/workspaces"):
    return page(request, "sign_in.html.j2", error="", email="", next=_safe_next(next))


@router.post("/sign-in", response_class=HTMLResponse)
def sign_in(request: Request, email: str = Form("", max_length=300),
            password: str = Form("", max_length=300), next: str = Form("/workspaces",
                                                                         max_length=300),
            csrf_token: str = Form("", max_length=100)):
    check_csrf(request, csrf_token)
    try:
        account = request.app.state.accounts.sign_in(email, password)
    except SignInError as error:
        return page(request, "sign_in.html.j2", status_code=400, error=str(error),
                    email=email, next=_safe_next(next))
    _start_session(request, account.id)
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/sign-out")
def sign_out(request: Request, csrf_token: str = Form("", max_length=100)):
    check_csrf(request, csrf_token)
    request.session.clear()
    return RedirectResponse("/", status_code=303)
