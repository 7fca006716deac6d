"""The one place placelens touches the network: fetching an official endpoint's bytes.

Every download function takes ``fetch`` so tests replay recorded responses instead."""

from __future__ import annotations

import urllib.request
from collections.abc import Callable

Fetch = Callable[[str], bytes]


def fetch_url(url: str) -> bytes:  # pragma: no cover - the network is never used in tests
    with urllib.request.urlopen(url, timeout=120) as response:
        return response.read()
