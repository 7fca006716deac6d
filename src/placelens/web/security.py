"""Browser-facing protections: security headers (a Content-Security-Policy that allows no
inline or third-party script), CSRF tokens on every form, and the signed-in account."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import Path, Request
from starlette.middleware.base import BaseHTTPMiddleware

from placelens.errors import PlacelensError
from placelens.services.accounts import Account

#: Record numbers in addresses: the databases' integer range, so an absurd number is refused
#: as invalid input instead of overflowing the database driver.
MAX_RECORD_ID = 2**31 - 1
RecordId = Annotated[int, Path(ge=1, le=MAX_RECORD_ID)]

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:", "font-src 'self'", "connect-src 'self'", "object-src 'none'",
    "base-uri 'self'", "form-action 'self'", "frame-ancestors 'none'"])
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
#: Upper bound on any request body (uploads included); larger ones are refused unread.
MAX_BODY_BYTES = 6_000_000


class CsrfError(PlacelensError, PermissionError):
    """A form was posted without this session's CSRF token."""


class SecurityHeaders(BaseHTTPMiddleware):
    """Adds :data:`HEADERS` to every response and refuses oversized bodies (413)."""

    async def dispatch(self, request, call_next):
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > MAX_BODY_BYTES:
            from starlette.responses import PlainTextResponse

            response = PlainTextResponse("Request too large", status_code=413)
        else:
            response = await call_next(request)
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if request.url.path.startswith(("/workspaces", "/sign-", "/items", "/invitations")):
            response.headers["Cache-Control"] = "no-store"   # private pages stay private
        return response


class SignInRequired(PlacelensError, PermissionError):
    """A page that needs a signed-in account was asked for without one (answered with a
    redirect to the sign-in page)."""


def csrf_token(request: Request) -> str:
    """This session's CSRF token (created on first use), for hidden form fields."""
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


def check_csrf(request: Request, submitted: str | None) -> None:
    expected = request.session.get("csrf")
    if not expected or not submitted or not hmac.compare_digest(expected, submitted):
        raise CsrfError("The form has expired or did not come from this site; reload the "
                        "page and try again")


def current_account(request: Request) -> Account | None:
    """The signed-in account, or None."""
    user_id = request.session.get("user_id")
    if not isinstance(user_id, int):
        return None
    return request.app.state.accounts.get(user_id)
