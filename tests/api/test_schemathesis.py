"""Schemathesis against the app's own OpenAPI schema: generated valid and invalid requests to every
operation, bounded in examples and time. No input may produce a 500, and every answer must be one
the schema documents."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.app import create_app
from tests.api.conftest import KEYS, make_settings

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def app_schema(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("schemathesis")
    app = create_app(make_settings(f"sqlite:///{tmp / 'jemput.db'}", tmp, run_jobs=False))
    yield schemathesis.openapi.from_asgi("/openapi.json", app)
    from schemathesis.python.asgi import shutdown_lifespans

    shutdown_lifespans()


schema = schemathesis.pytest.from_fixture("app_schema")


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_gives_a_server_error(case):
    case.call_and_validate(headers={"X-API-Key": KEYS["coordinator"]}, checks=CHECKS)
