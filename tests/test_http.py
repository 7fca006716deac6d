"""Retries with backoff for transient network errors; final errors are raised at once."""

from __future__ import annotations

import urllib.error

import pytest

from placelens.sources.http import with_retries


def _flaky(failures):
    calls = []

    def fetch(url):
        calls.append(url)
        if len(calls) <= len(failures):
            raise failures[len(calls) - 1]
        return b"ok"
    return fetch, calls


def _http(code):
    return urllib.error.HTTPError("https://example.invalid", code, "status", {}, None)


def test_transient_errors_are_retried_with_growing_waits():
    fetch, calls = _flaky([urllib.error.URLError("reset"), _http(503), TimeoutError()])
    waits = []
    assert with_retries(fetch, attempts=4, backoff=1.5, sleep=waits.append)("u") == b"ok"
    assert len(calls) == 4 and waits == [1.5, 3.0, 6.0]


def test_final_errors_are_not_retried():
    fetch, calls = _flaky([_http(404)])
    with pytest.raises(urllib.error.HTTPError):
        with_retries(fetch, sleep=lambda s: None)("u")
    assert len(calls) == 1


def test_gives_up_after_the_last_attempt():
    fetch, calls = _flaky([_http(500)] * 5)
    with pytest.raises(urllib.error.HTTPError):
        with_retries(fetch, attempts=3, sleep=lambda s: None)("u")
    assert len(calls) == 3
