"""Hostile and malformed input: each gets a 4xx with a precise message, never a 500."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from tests.api.conftest import headers, make_settings, tiny_week, tiny_week_json, upload_tiny

DATA = Path(__file__).parents[1] / "data"
JSON = {**headers("coordinator"), "Content-Type": "application/json"}
SCRIPT = "<script>alert(1)</script>"


@pytest.fixture
def idle(sqlite_url, tmp_path):
    """The app without workers: enough for everything that stops before a solve."""
    with TestClient(create_app(make_settings(sqlite_url, tmp_path, run_jobs=False))) as c:
        yield c


def _scenario(**change) -> dict:
    data = json.loads(tiny_week_json())
    for dotted, value in change.items():
        target, *path = dotted.split("__")
        node = data
        for key in [target, *path][:-1]:
            node = node[int(key)] if isinstance(node, list) else node[key]
        last = [target, *path][-1]
        node[int(last) if isinstance(node, list) else last] = value
    return data


def _post(c: TestClient, body, path="/v1/scenarios"):
    raw = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return c.post(path, content=raw, headers=JSON)


def _problems(r) -> list[dict]:
    assert r.status_code == 422, r.text
    return r.json()["problems"]


def test_malformed_json_names_line_and_column(idle):
    probs = _problems(_post(idle, '{"name": "x",\n "sites": [}'))
    assert probs[0]["file"] == "request body" and "line 2" in probs[0]["reason"]


@pytest.mark.parametrize("raw", ['{"name": NaN}', '{"name": Infinity}', '[1, 2]', '"text"', 'null', '', '\xff'])
def test_not_a_scenario_object(idle, raw):
    assert _problems(_post(idle, raw.encode("latin-1")))


def test_nan_inside_a_site_is_refused(idle):
    raw = tiny_week_json().replace('"turnout":0.35', '"turnout":NaN', 1)
    probs = _problems(_post(idle, raw))
    assert "NaN" in probs[0]["reason"]


def test_huge_numbers_are_refused_with_their_place(idle):
    probs = _problems(_post(idle, _scenario(sites__2__unrecorded=10**30)))
    assert any(p["field"] == "sites[2].unrecorded" and "at most" in p["reason"] for p in probs)
    probs = _problems(_post(idle, _scenario(sites__0__lat=1e308)))
    assert probs[0]["file"] == "request body: sites" and probs[0]["row"] == 1 and probs[0]["field"] == "lat"


def test_every_problem_is_listed_with_row_and_field(idle):
    probs = _problems(_post(idle, _scenario(sites__1__kind="castle", sites__4__unrecorded=-3, teams__0__kits=[])))
    where = {(p["file"], p["row"], p["field"]) for p in probs}
    assert ("request body: sites", 2, "kind") in where
    assert ("request body: sites", 5, "unrecorded") in where
    assert ("request body: teams", 1, "kits") in where


def test_empty_arrays(idle):
    probs = _problems(_post(idle, _scenario(teams=[])))
    assert any(p["field"] == "teams" for p in probs)
    r = _post(idle, _scenario(sites=[]))  # a week with nothing to visit is valid: planning it is trivial
    assert r.status_code == 201 and r.json()["sites"] == 0


def test_path_characters_in_ids(idle):
    probs = _problems(_post(idle, _scenario(sites__0__id="../../etc/passwd")))
    assert probs[0]["row"] == 1 and probs[0]["field"] == "id"
    sid = upload_tiny(idle)
    for path in ("/v1/plans/..%2F..%2Fetc%2Fpasswd", f"/v1/scenarios/{sid}%2F..", "/v1/plans/%00"):
        assert idle.get(path, headers=headers("dashboard")).status_code == 404, path
    r = idle.get(f"/v1/plans/{'0' * 32}/teams/..%2Fx/days/2026-11-23/map", headers=headers("dashboard"))
    assert r.status_code in (404, 422)
    r = idle.get(f"/v1/plans/{'0' * 32}/teams/T1/days/2026-13-45/map", headers=headers("dashboard"))
    assert r.status_code == 422 and r.json()["problems"][0]["file"] == "path"


def test_script_tags_in_names_are_stored_as_text_and_escaped(tmp_path, sqlite_url):
    body = _scenario(name=SCRIPT, sites__0__name=SCRIPT, teams__0__name=SCRIPT)
    with TestClient(create_app(make_settings(sqlite_url, tmp_path))) as c:
        sid = _post(c, body).json()["id"]
        r = c.post("/v1/plans?wait=60", json={"scenario_id": sid, "time_limit_s": 2, "max_solutions": 20},
                   headers=headers("coordinator"))
        assert r.json()["status"] == "done" and r.json()["plan"]["scenario_name"] == SCRIPT
        pid = r.json()["id"]
        overview = c.get(f"/v1/plans/{pid}/map", headers=headers("dashboard")).text
        field = c.get(f"/v1/plans/{pid}/teams/T1/days/2026-11-23/map", headers=headers("dashboard")).text
        for page in (overview, field):
            assert SCRIPT not in page and "alert(1)" in page


def test_100k_sites(idle, tmp_path, sqlite_url):
    site = json.loads(tiny_week_json())["sites"][0]
    body = json.dumps(_scenario(sites=[{**site, "id": f"S{i}"} for i in range(100_000)]))
    r = _post(idle, body)  # about 40 MB: over the default upload limit
    assert r.status_code == 413 and "MB" in r.json()["detail"]
    roomy = make_settings(sqlite_url, tmp_path, run_jobs=False, max_upload_mb=200)
    with TestClient(create_app(roomy)) as c:
        probs = _problems(_post(c, body))
    assert "100000 sites" in probs[0]["reason"] and "at most 20000" in probs[0]["reason"]


def test_plan_request_bounds(idle):
    sid = upload_tiny(idle)
    h = headers("coordinator")
    bad = [{"scenario_id": sid, "time_limit_s": 1e308}, {"scenario_id": sid, "seed": 10**30},
           {"scenario_id": sid, "time_limit_s": -1}, {"scenario_id": "../x"}, {"scenario_id": sid, "extra": 1},
           {"scenario_id": sid, "max_solutions": 0}, {}, []]
    for body in bad:
        r = idle.post("/v1/plans", json=body, headers=h)
        assert r.status_code == 422 and r.json()["problems"], body
    r = idle.post("/v1/plans", content=f'{{"scenario_id": "{sid}", "time_limit_s": NaN}}', headers=JSON)
    assert r.status_code == 422
    for wait in ("NaN", "-1", "1e9", "soon"):
        assert idle.post(f"/v1/plans?wait={wait}", json={"scenario_id": sid}, headers=h).status_code == 422
    assert idle.post("/v1/plans", json={"scenario_id": "f" * 32}, headers=h).status_code == 404
    r = idle.post("/v1/plans", json={"scenario_id": sid}, headers={**h, "Idempotency-Key": "a" * 500})
    assert r.status_code == 422


def test_wrong_content_type_and_body_limits(idle):
    r = idle.post("/v1/scenarios", content=tiny_week_json(), headers={**headers("coordinator"), "Content-Type": "text/plain"})
    assert r.status_code == 415
    r = idle.post("/v1/scenarios", content=b"x", headers={**JSON, "Content-Length": "999999999999"})
    assert r.status_code == 413


def _files(folder: Path, scenario: str = "scenario.yaml", tables=None) -> dict:
    tables = tables or [p for p in folder.iterdir() if p.suffix in (".csv", ".geojson", ".xlsx")]
    return {"scenario": (scenario, (folder / scenario).read_bytes()),
            "tables": [(p.name, p.read_bytes()) for p in tables]}


def _multipart(c: TestClient, files: dict, path="/v1/scenarios/files"):
    parts = [("scenario", files["scenario"])] + [("tables", t) for t in files["tables"]]
    return c.post(path, files=parts, headers=headers("coordinator"))


def test_coordinator_files_upload(idle):
    r = _multipart(idle, _files(DATA / "good"))
    assert r.status_code == 201, r.text
    assert r.json()["sites"] > 0
    ok = _multipart(idle, _files(DATA / "good"), "/v1/scenarios/files/validate")
    assert ok.status_code == 200 and ok.json()["valid"]


def test_loader_report_comes_back_as_422(idle):
    bad = DATA / "bad" / "sites_non_numeric"
    good = DATA / "good"
    text = (bad / "scenario.yaml").read_text().replace("../../good/", "")
    files = {"scenario": ("scenario.yaml", text.encode()),
             "tables": [("sites.csv", (bad / "sites.csv").read_bytes()), ("teams.csv", (good / "teams.csv").read_bytes()),
                        ("kits.csv", (good / "kits.csv").read_bytes())]}
    for path in ("/v1/scenarios/files", "/v1/scenarios/files/validate"):
        probs = _problems(_multipart(idle, files, path))
        assert {"file": "sites.csv", "row": 3, "field": "unrecorded"}.items() <= probs[0].items() or any(
            p["file"] == "sites.csv" and p["row"] == 3 and p["field"] == "unrecorded" for p in probs)
        assert all("/tmp" not in p["reason"] for p in probs)


def test_upload_cannot_reach_other_files(idle):
    good = DATA / "good"
    text = (good / "scenario.yaml").read_text().replace("sites: sites.csv", "sites: /etc/passwd")
    files = {"scenario": ("scenario.yaml", text.encode()), "tables": _files(good)["tables"]}
    probs = _problems(_multipart(idle, files))
    assert probs[0]["field"] == "sites" and "not uploaded" in probs[0]["reason"]
    files = {"scenario": ("../scenario.yaml", b"name: x"), "tables": [("..", b""), ("a/b.csv", b"")]}
    probs = _problems(_multipart(idle, files))
    assert len(probs) >= 2 and all("no folders" in p["reason"] or "scenario part" in p["reason"] for p in probs)


def test_travel_providers_other_than_haversine_are_refused(idle):
    body = _scenario(travel={"provider": "osrm", "url": "http://169.254.169.254/"})
    probs = _problems(_post(idle, body))
    assert probs[0]["field"] == "travel.provider"


def test_validate_endpoint_returns_200_for_a_good_scenario(idle):
    r = _post(idle, tiny_week_json(), "/v1/scenarios/validate")
    assert r.status_code == 200 and r.json()["valid"] and r.json()["sites"] == len(tiny_week().sites)
    assert idle.get("/v1/scenarios", headers=headers("dashboard")).json()["total"] == 0  # nothing stored


def test_streamed_body_over_the_limit_is_413(sqlite_url, tmp_path):
    small = make_settings(sqlite_url, tmp_path, run_jobs=False, max_upload_mb=1)
    chunks = (b" " * 65536 for _ in range(40))  # 2.5 MB without a Content-Length
    with TestClient(create_app(small)) as c:
        r = c.post("/v1/scenarios", content=chunks, headers=JSON)
        assert r.status_code == 413, r.text
        files = [("scenario", ("scenario.yaml", b"x" * 2_000_000)), ("tables", ("sites.csv", b"a"))]
        assert c.post("/v1/scenarios/files", files=files, headers=headers("coordinator")).status_code == 413


def test_crossings_table_upload(idle):
    """An island province's files: the crossings table is a table part like the others."""
    ntt = Path(__file__).parents[2] / "planner" / "data" / "nusa-tenggara-timur"
    files = _files(ntt)
    ok = _multipart(idle, files, "/v1/scenarios/files/validate")
    assert ok.status_code == 200 and ok.json()["valid"], ok.text
    files["tables"] = [t for t in files["tables"] if t[0] != "crossings.csv"]
    probs = _problems(_multipart(idle, files, "/v1/scenarios/files/validate"))
    assert any(p["field"] == "crossings" and "crossings.csv" in p["reason"] for p in probs)
