"""The one place placelens touches the network: fetching an official endpoint's bytes.

Every download function takes ``fetch`` so tests replay recorded responses instead. Transient
failures (connection errors, time-outs, HTTP 429 and 5xx) are retried with exponential
backoff, so one dropped connection does not abort a paged download; a 4xx other than 429 is
final and raised at once."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Callable

Fetch = Callable[[str], bytes]
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


def with_retries(fetch: Fetch, attempts: int = 4, backoff: float = 2.0,
                 sleep: Callable[[float], None] = time.sleep) -> Fetch:
    """``fetch`` retried up to ``attempts`` times on transient errors, waiting ``backoff``,
    2 × ``backoff``, 4 × ``backoff`` … seconds between tries."""
    def fetch_with_retries(url: str) -> bytes:
        for attempt in range(attempts):
            try:
                return fetch(url)
            except urllib.error.HTTPError as error:
                if error.code not in RETRY_STATUS or attempt == attempts - 1:
                    raise
            except (urllib.error.URLError, TimeoutError, ConnectionError):
                if attempt == attempts - 1:
                    raise
            sleep(backoff * 2 ** attempt)
        raise AssertionError("unreachable")  # the loop returns or raises
    return fetch_with_retries


def _fetch_once(url: str) -> bytes:  # pragma: no cover - the network is never used in tests
    with urllib.request.urlopen(url, timeout=120) as response:
        return response.read()


fetch_url: Fetch = with_retries(_fetch_once)
