"""Schemathesis against the app's own OpenAPI schema: generated valid and invalid requests to every
operation with ALL of schemathesis' checks (no 500, documented status codes, content types and
bodies, invalid data rejected, valid data accepted, Allow headers, auth, ...).

CI runs JEMPUT_SCHEMATHESIS_EXAMPLES (default 25) examples per operation; the full run of issue 17 is

    JEMPUT_SCHEMATHESIS_EXAMPLES=100 python -m pytest tests/api/test_schemathesis.py -m slow -p no:cacheprovider

By-design answers, excluded per operation below (each with its reason), are the only exceptions.
Last full run (2026-12-07, after issue 17's slow-client, upload and re-plan-warning changes): 28
operations × 100 examples, every check, clean in 559 s on the shared 2-core machine.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import positive_data_acceptance

from api.app import create_app
from tests.api.conftest import KEYS, make_settings

EXAMPLES = int(os.environ.get("JEMPUT_SCHEMATHESIS_EXAMPLES", "25"))

# Operations whose valid-looking requests may be refused by design (positive_data_acceptance excluded):
BY_DESIGN = {
    # the upload names the scenario part's file: a .yaml/.yml/.json name and table names the scenario
    # lists are rules the OpenAPI schema cannot express for a multipart file part
    "POST /v1/scenarios/files": "file names and the tables the scenario names",
    "POST /v1/scenarios/files/validate": "file names and the tables the scenario names",
    # a Scenario has cross-field rules (unique ids, hours within the day, a kit per team, a working kit
    # somewhere, bounded numbers) that JSON Schema cannot state; the answer is a 422 listing each
    "POST /v1/scenarios": "cross-field rules of a Scenario",
    "POST /v1/scenarios/validate": "cross-field rules of a Scenario",
    # ids and dates the schema allows but the stored plan does not have (and report times in order)
    "POST /v1/plans/{plan_id}/outcomes": "outcomes name sites, teams and dates of the plan",
    "POST /v1/plans/{plan_id}/teams/{team}/days/{date}/reports": "reports name stops of the plan; end after start",
    "POST /v1/plans/{plan_id}/replan-from-reports": "a re-plan needs a finished plan and its reports",
}


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
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_check_passes_on_generated_requests(case):
    excluded = [positive_data_acceptance] if f"{case.method.upper()} {case.path}" in BY_DESIGN else []
    case.call_and_validate(headers=_key_unless_tested(case), excluded_checks=excluded)


def _key_unless_tested(case) -> dict[str, str] | None:
    """A valid API key, except where the case's own header is the invalid part it tests: a valid key
    put over a missing or junk one made a valid request that schemathesis then saw accepted (a CI
    failure: `GET /v1/plans?limit=1` "schema-violating request accepted")."""
    header = case.meta.components.get(ParameterLocation.HEADER) if case.meta is not None else None
    if header is not None and header.mode == GenerationMode.NEGATIVE:
        return None
    return {"X-API-Key": KEYS["coordinator"]}
