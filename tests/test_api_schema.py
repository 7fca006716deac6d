"""Schemathesis against the API's own OpenAPI document: generated requests (valid and
invalid) to every /api/v1 operation never get a server error. Bounded: 25 examples per
operation, derandomised so a failure reproduces."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from web_support import make_app


def test_api_never_fails_with_a_server_error(warehouse_path, tmp_path):
    app = make_app(warehouse_path, f"sqlite:///{tmp_path / 'app.sqlite'}")
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 7
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def never_a_server_error(case):
            case.validate_response(case.call(), checks=(not_a_server_error,))

        never_a_server_error()
