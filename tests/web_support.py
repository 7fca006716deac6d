"""Helpers for the web tests: an app on the test warehouse and a fresh database, and a client
that signs up and posts forms with the session's CSRF token."""

from __future__ import annotations

import re
from dataclasses import replace

from fastapi.testclient import TestClient

from placelens.web.app import create_app
from placelens.web.settings import WebSettings

PASSWORD = "a long enough passphrase"


def make_app(warehouse_path, database_url: str, outputs=None):
    settings = WebSettings(warehouse=warehouse_path, database_url=database_url,
                           secret_key="test-secret-key-" * 4)
    if outputs is not None:
        settings = replace(settings, outputs=outputs)
    return create_app(settings)


class Browser:
    """A TestClient with its own cookies, as one person's browser."""

    def __init__(self, app):
        self.client = TestClient(app, base_url="https://testserver")

    def csrf(self, path: str = "/sign-up") -> str:
        html = self.client.get(path).text
        return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)

    def post(self, path: str, data: dict | None = None, files=None, token: str | None = None,
             from_page: str = "/sign-up"):
        form = dict(data or {})
        form["csrf_token"] = token if token is not None else self.csrf(from_page)
        return self.client.post(path, data=form, files=files, follow_redirects=False)

    def sign_up(self, email: str, name: str):
        response = self.post("/sign-up", {"email": email, "name": name, "password": PASSWORD})
        assert response.status_code == 303, response.text
        return response

    def create_partnership(self, name: str) -> int:
        response = self.post("/workspaces", {"name": name}, from_page="/workspaces")
        assert response.status_code == 303, response.text
        return int(response.headers["location"].rstrip("/").split("/")[-1].split("?")[0])


def last_code(html: str) -> str:
    """The id of the newest code in a source page's "Code" list."""
    import re

    listed = re.search(r'<select class="govuk-select" id="code" name="code">(.*?)</select>',
                       html, flags=re.S)
    return re.findall(r'<option value="(\d+)"', listed.group(1))[-1]
