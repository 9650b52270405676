"""The console over HTTP (TestClient, SQLite): one server per module with a small week planned once.

The week's names carry HTML, so every page that shows them proves they are escaped.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from tests.api.conftest import KEYS, make_settings
from tests.planner.solver_cases import ring, scenario, team, village

HOSTILE_TEAM = '<img src=x onerror="alert(1)">Tim'
HOSTILE_SITE = "<script>alert('desa')</script>Desa"
FAST = {"time_limit_s": "2", "seed": "0"}


def hostile_week():
    """Two teams, eight villages near the base and one far out of reach (left out), with HTML in names."""
    far = village(99, 4.0, 4.0, 500, id="FAR-1", name=HOSTILE_SITE)
    return scenario([*ring(8), far], [team("T1", kits=2, name=HOSTILE_TEAM), team("T2", kits=1)], days=2)


def console_headers(who: str, lang: str = "id") -> dict[str, str]:
    return {"X-API-Key": KEYS[who], "X-Console-Lang": lang}


def plan_id_of(html: str) -> str:
    return re.search(r'data-plan="([0-9a-f]{32})"', html).group(1)


def wait_page(client: TestClient, plan_id: str, who: str = "coordinator", timeout: float = 120) -> str:
    """Poll the plan fragment as the page does until it shows the finished plan."""
    deadline = time.monotonic() + timeout
    while True:
        r = client.get(f"/console/f/plans/{plan_id}", headers=console_headers(who))
        assert r.status_code == 200, r.text
        if 'id="plan"' in r.text or "s-failed" in r.text:
            return r.text
        assert time.monotonic() < deadline, r.text
        time.sleep(0.3)


@dataclass
class Planned:
    client: TestClient
    scenario_id: str
    plan_id: str
    page: str


@pytest.fixture(scope="module")
def planned(tmp_path_factory) -> Iterator[Planned]:
    """A server with the hostile week stored and planned through the console's own form."""
    tmp = tmp_path_factory.mktemp("console")
    with TestClient(create_app(make_settings(f"sqlite:///{tmp / 'jemput.db'}", tmp))) as client:
        body = hostile_week().model_dump_json(exclude={"source_dir"})
        r = client.post("/v1/scenarios", content=body, headers={"X-API-Key": KEYS["coordinator"], "Content-Type": "application/json"})
        assert r.status_code == 201, r.text
        sid = r.json()["id"]
        r = client.post("/console/f/plans", data={"scenario_id": sid, **FAST}, headers=console_headers("coordinator"))
        assert r.status_code == 200, r.text
        pid = plan_id_of(r.text)
        page = wait_page(client, pid)
        assert 'id="plan"' in page, page
        yield Planned(client, sid, pid, page)
