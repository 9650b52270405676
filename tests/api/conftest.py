"""The real app over HTTP (Starlette's TestClient, httpx underneath), on SQLite and — when
JEMPUT_TEST_POSTGRES_URL names a server — on PostgreSQL too (in CI it must: see scripts/start_postgres.sh)."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from tests.planner.solver_cases import ring, scenario, team

KEYS = {"coordinator": "test-coordinator-key-0123456789", "dashboard": "test-dashboard-key-0123456789",
        "field:T1": "test-field-t1-key-0123456789", "field:T2": "test-field-t2-key-0123456789",
        "field:T9": "test-field-t9-key-0123456789"}
PG_ENV = "JEMPUT_TEST_POSTGRES_URL"
KEY_CACHE_S = 1.0  # API key lookups kept this long in tests (a revocation is honoured within it)


def headers(who: str) -> dict[str, str]:
    return {"X-API-Key": KEYS[who]}


def bootstrap() -> dict[str, tuple[str, str | None]]:
    out = {}
    for who, key in KEYS.items():
        role, _, team_id = who.partition(":")
        out[key] = (role, team_id or None)
    return out


def tiny_week():
    """Two teams of one regency office, eight villages, two days: solved in about a second."""
    return scenario(ring(8), [team("T1", kits=2), team("T2", kits=1)], days=2)


def tiny_week_json() -> str:
    return tiny_week().model_dump_json(exclude={"source_dir"})


def postgres_required() -> bool:
    """`make test` (and so CI) sets JEMPUT_REQUIRE_POSTGRES=1: the PostgreSQL cases may not be skipped there."""
    return os.environ.get("JEMPUT_REQUIRE_POSTGRES") == "1" or os.environ.get("CI", "").lower() == "true"


def backends() -> list:
    marks = []
    if not os.environ.get(PG_ENV) and not postgres_required():
        marks = [pytest.mark.skip(reason=f"{PG_ENV} not set (make test starts PostgreSQL and sets it)")]
    return ["sqlite", pytest.param("postgresql", marks=marks)]


@pytest.fixture(params=backends())
def database_url(request, tmp_path: Path) -> Iterator[str]:
    """A fresh database: a SQLite file, or a new PostgreSQL database dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'jemput.db'}"
        return
    admin = os.environ.get(PG_ENV)
    if not admin:
        pytest.fail(f"{PG_ENV} is not set but PostgreSQL is required here (JEMPUT_REQUIRE_POSTGRES=1 or CI=true)")
    import psycopg

    name = f"jemput_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = admin.rpartition("/")
    yield f"postgresql+psycopg://{base.split('://', 1)[1]}/{name}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def make_settings(database_url: str, tmp_path: Path, **kw) -> Settings:
    kw.setdefault("key_cache_s", KEY_CACHE_S)
    return Settings(data_dir=tmp_path, database_url=database_url, workers=kw.pop("workers", 1),
                    bootstrap_keys=bootstrap(), **kw)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'jemput.db'}"


@pytest.fixture
def client(sqlite_url: str, tmp_path: Path) -> Iterator[TestClient]:
    """The app on a SQLite file, with worker processes."""
    with TestClient(create_app(make_settings(sqlite_url, tmp_path))) as c:
        yield c


def upload_tiny(client: TestClient) -> str:
    r = client.post("/v1/scenarios", content=tiny_week_json(), headers={**headers("coordinator"), "Content-Type": "application/json"})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def wait_for(client: TestClient, plan_id: str, statuses=("done", "failed", "cancelled"), timeout: float = 90,
             who: str = "dashboard") -> dict:
    """Poll GET /v1/plans/{id} until the job reaches one of `statuses`."""
    deadline = time.monotonic() + timeout
    while True:
        r = client.get(f"/v1/plans/{plan_id}", headers=headers(who))
        assert r.status_code == 200, r.text
        body = r.json()
        if body["status"] in statuses:
            return body
        assert time.monotonic() < deadline, f"job still {body['status']} after {timeout} s: {body}"
        time.sleep(0.2)
