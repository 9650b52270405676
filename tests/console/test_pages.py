"""The console's page and fragments over HTTP: the shell is static and locked down by its CSP; every
fragment asks the API's key and role; uploads go through the API's intake and show each problem;
plans start, run and show what the API says; text from the input is escaped everywhere."""

from __future__ import annotations

import io
import re
import zipfile

from planner.io.bundled import EXAMPLES
from tests.console.conftest import FAST, HOSTILE_SITE, HOSTILE_TEAM, console_headers, plan_id_of, wait_page

RAW_HTML = (HOSTILE_TEAM, HOSTILE_SITE, "<script>alert", "onerror=\"alert")


def _no_raw_html(text: str) -> None:
    for raw in RAW_HTML:
        assert raw not in text, raw


def _inline_scripts(html: str) -> list[str]:
    return [m for m in re.findall(r"<script\b[^>]*>", html) if "src=" not in m and 'type="application/json"' not in m]


def test_console_page_is_static_with_a_strict_csp(planned):
    r = planned.client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp and "default-src 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert '<html lang="id">' in r.text and "Masuk" in r.text
    assert _inline_scripts(r.text) == [] and " style=" not in r.text and "<style" not in r.text
    assert re.findall(r'(?:src|href)="(https?:)?//', r.text) == []  # nothing from another origin
    en = planned.client.get("/?lang=en").text
    assert '<html lang="en">' in en and "Sign in" in en
    for name in ("htmx.min.js", "console.js", "console-map.js", "console.css"):
        assert planned.client.get(f"/console/static/{name}").status_code == 200
    assert planned.client.get("/console/static/other.js").status_code == 404


def test_fragments_need_a_key_and_the_right_role(planned):
    c, pid = planned.client, planned.plan_id
    assert c.get("/console/f/home").status_code == 401
    assert c.get("/console/f/home", headers={"X-API-Key": "x" * 30}).status_code == 401
    home = c.get("/console/f/home", headers=console_headers("coordinator")).text
    assert 'id="upload-form"' in home and 'id="scenarios-table"' in home
    dash = c.get("/console/f/home", headers=console_headers("dashboard")).text
    assert 'id="upload-form"' not in dash and 'id="scenarios-table"' in dash and pid in dash
    field = c.get("/console/f/home", headers=console_headers("field:T2")).text
    assert 'id="scenarios-table"' not in field and 'id="upload-form"' not in field and pid in field
    r = c.post("/console/f/plans", data={"scenario_id": planned.scenario_id, **FAST}, headers=console_headers("dashboard"))
    assert r.status_code == 403
    r = c.post(f"/console/f/plans/{pid}/replan", data=FAST, headers=console_headers("field:T1"))
    assert r.status_code == 403
    assert c.get(f"/console/f/scenarios/{planned.scenario_id}", headers=console_headers("field:T1")).status_code == 403


def test_plan_page_shows_kpis_bound_coverage_left_out_links_and_escapes_names(planned):
    page = planned.page
    for part in ('data-kpi="expected"', 'data-kpi="bound"', 'id="coverage-table"', 'data-geojson=',
                 'id="left-table"', 'id="team-days-table"', f"/v1/plans/{planned.plan_id}/export/xlsx",
                 f"/v1/plans/{planned.plan_id}/teams/T1/days/2026-11-23/app", "/console/qr/", 'id="replan-form"'):
        assert part in page, part
    assert 'data-reason="out_of_reach"' in page or 'data-reason="' in page
    assert "Diperiksa validator independen: tidak ada pelanggaran." in page  # the API's validator ran
    _no_raw_html(page)
    assert "&lt;script&gt;alert(&#39;desa&#39;)&lt;/script&gt;Desa" in page  # shown, as text
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;Tim" in page
    data = re.search(r'data-geojson="([^"]*)"', page).group(1)  # the map's JSON, escaped for its attribute
    assert "<" not in data and "&lt;script&gt;" in data and "&#34;feature&#34;" in data
    assert _inline_scripts(page) == [] and " style=" not in page
    en = planned.client.get(f"/console/f/plans/{planned.plan_id}", headers=console_headers("coordinator", "en")).text
    assert "Expected recordings" in en and "Upper bound" in en and "Coverage per regency" in en


def test_the_plan_page_goes_gzipped_and_its_fixed_part_is_made_once(planned):
    c, pid = planned.client, planned.plan_id
    first = c.get(f"/console/f/plans/{pid}", headers={**console_headers("coordinator"), "Accept-Encoding": "gzip"})
    assert first.headers["content-encoding"] == "gzip" and first.headers["cache-control"] == "no-store"
    plain = c.get(f"/console/f/plans/{pid}", headers={**console_headers("coordinator"), "Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    fixed = lambda t: t[t.index('aria-labelledby="kpi-title"'):t.index('aria-labelledby="td-title"')]  # noqa: E731
    assert fixed(first.text) == fixed(plain.text)
    assert planned.client.app.state.store.cached_body(pid, "console:all:id") is not None


def test_kpis_on_the_page_are_the_apis(planned):
    job = planned.client.get(f"/v1/plans/{planned.plan_id}", headers=console_headers("dashboard")).json()
    kpis = job["plan"]["kpis"]
    shown = lambda k: re.search(rf'data-kpi="{k}">([^<]*)<', planned.page).group(1)  # noqa: E731
    assert shown("expected").replace(".", "") == str(kpis["expected_recordings"])
    assert shown("bound").replace(".", "") == str(kpis["upper_bound"])
    left = re.findall(r'<tr data-reason="([a-z_]+)">', planned.page)
    assert sorted(left) == sorted(lo["reason"] for lo in job["plan"]["left_out"])


def test_field_key_sees_only_its_team_days(planned):
    c, pid = planned.client, planned.plan_id
    page = c.get(f"/console/f/plans/{pid}", headers=console_headers("field:T2")).text
    assert "/teams/T2/days/" in page and "/teams/T1/days/" not in page
    assert 'id="left-table"' not in page and 'data-geojson=' not in page and 'id="replan-form"' not in page
    other = c.get(f"/console/f/plans/{pid}", headers=console_headers("field:T9"))
    assert other.status_code == 403 and "T9" in other.text
    dash = c.get(f"/console/f/plans/{pid}", headers=console_headers("dashboard")).text
    assert 'id="left-table"' in dash and 'id="replan-form"' not in dash


def test_bad_plan_options_are_a_problem_table_and_a_repeat_submit_is_one_job(planned):
    c, sid = planned.client, planned.scenario_id
    r = c.post("/console/f/plans", data={"scenario_id": sid, "time_limit_s": "0", "seed": "-1"}, headers=console_headers("coordinator"))
    assert r.status_code == 422 and 'id="problems-table"' in r.text and "time_limit_s" in r.text and "seed" in r.text
    form = {"scenario_id": sid, **FAST, "idempotency": "0123456789abcdef"}
    first = plan_id_of(c.post("/console/f/plans", data=form, headers=console_headers("coordinator")).text)
    again = plan_id_of(c.post("/console/f/plans", data=form, headers=console_headers("coordinator")).text)
    assert first == again
    wait_page(c, first)
    missing = c.post("/console/f/plans", data={"scenario_id": "f" * 32, **FAST}, headers=console_headers("coordinator"))
    assert missing.status_code == 404 and "error-card" in missing.text


def test_scenario_page_lists_its_plans_over_time_with_churn(planned):
    c, pid = planned.client, planned.plan_id
    site_id, visit = _first_stop(c, pid, "T2")
    report = {"reports": [{"id": "rep0000000000001", "site_id": site_id, "visit": visit, "kind": "missed", "reason": "banjir"}]}
    r = c.post(f"/v1/plans/{pid}/teams/T2/days/2026-11-23/reports", json=report, headers={"X-API-Key": console_headers("field:T2")["X-API-Key"]})
    assert r.status_code == 200, r.text
    page = c.get(f"/console/f/plans/{pid}", headers=console_headers("coordinator")).text
    assert 'id="reports-table"' in page and "Banjir" in page
    r = c.post(f"/console/f/plans/{pid}/replan", data={**FAST, "from": "2026-11-23T12:00"}, headers=console_headers("coordinator"))
    assert r.status_code == 200, r.text
    new = plan_id_of(r.text)
    assert new != pid
    done = wait_page(c, new)
    assert "Perubahan:" in done and "tetap" in done  # the churn of the re-plan
    history = c.get(f"/console/f/scenarios/{planned.scenario_id}", headers=console_headers("dashboard")).text
    rows = re.findall(r'hx-get="/console/f/plans/([0-9a-f]{32})"', history)
    assert pid in rows and new in rows and rows.index(pid) < rows.index(new)
    assert "rencana awal" in history and "dipindah" in history


def _first_stop(client, plan_id: str, team: str) -> tuple[str, int]:
    """Site and visit number of the team's first stop on Monday (another team may visit the site first)."""
    plan = client.get(f"/v1/plans/{plan_id}", headers=console_headers("dashboard")).json()["plan"]
    return next((td["stops"][0]["site_id"], td["stops"][0]["visit"]) for td in plan["team_days"]
                if td["team_id"] == team and td["stops"] and td["date"] == "2026-11-23")


def test_upload_of_the_example_with_a_planted_mistake_lists_it_then_the_fix_is_stored(planned):
    c = planned.client
    folder = EXAMPLES["jambi"]()
    files = {n: (folder / n).read_bytes() for n in ("scenario.yaml", "sites.csv", "teams.csv", "kits.csv", "district_offices.csv")}
    lines = files["sites.csv"].decode().splitlines(keepends=True)
    header = lines[0].rstrip("\n").split(",")
    cells = lines[5].rstrip("\n").split(",")
    cells[header.index("lat")] = "<b>utara</b>"
    bad = b"".join(x.encode() for x in (*lines[:5], ",".join(cells) + "\n", *lines[6:]))
    upload = [("files", (n, bad if n == "sites.csv" else data)) for n, data in files.items()]
    r = c.post("/console/f/upload", files=upload, headers=console_headers("coordinator"))
    assert r.status_code == 422 and 'id="problems-table"' in r.text
    row = re.search(r'<tr class="sev-error"><td>sites.csv</td><td class="num">(\d+)</td><td>lat</td><td class="value">([^<]*)</td>', r.text)
    assert row is not None, r.text
    assert int(row.group(1)) in (5, 6) and "&lt;b&gt;utara&lt;/b&gt;" in row.group(2)
    assert "<b>utara</b>" not in r.text
    fixed = [("files", (n, data)) for n, data in files.items()]
    r = c.post("/console/f/upload", files=fixed, headers=console_headers("coordinator", "en"))
    assert r.status_code == 200 and "Scenario stored." in r.text and 'id="plan-form"' in r.text
    alone = c.post("/console/f/upload", files=[("files", ("sites.csv", files["sites.csv"]))], headers=console_headers("coordinator"))
    assert alone.status_code == 422 and "Tidak ada berkas skenario" in alone.text


def test_bundled_example_as_scenario_and_as_zip(planned):
    c = planned.client
    r = c.post("/console/f/example", data={"name": "nusa-tenggara-timur"}, headers=console_headers("coordinator"))
    assert r.status_code == 200 and "Skenario tersimpan." in r.text
    assert c.post("/console/f/example", data={"name": "atlantis"}, headers=console_headers("coordinator")).status_code == 404
    z = zipfile.ZipFile(io.BytesIO(c.get("/console/examples/jambi.zip").content))
    assert {"jambi/scenario.yaml", "jambi/sites.csv", "jambi/teams.csv"} <= set(z.namelist())
    assert c.get("/console/examples/atlantis.zip").status_code == 404


def test_qr_code_of_a_field_link(planned):
    r = planned.client.get(f"/console/qr/{planned.plan_id}/T1/2026-11-23.svg")
    assert r.status_code == 200 and r.headers["content-type"] == "image/svg+xml" and b"<svg" in r.content
    assert planned.client.get(f"/console/qr/{planned.plan_id}/T1/23-11-2026.svg").status_code == 422
    assert planned.client.get("/console/qr/nothex/T1/2026-11-23.svg").status_code == 422


def test_a_running_plan_polls_and_can_be_cancelled(planned):
    c, sid = planned.client, planned.scenario_id
    r = c.post("/console/f/plans", data={"scenario_id": sid, "time_limit_s": "120", "seed": "3"}, headers=console_headers("coordinator"))
    assert r.status_code == 200 and 'hx-trigger="every 1s"' in r.text and "<progress" in r.text
    pid = plan_id_of(r.text)
    assert 'aria-busy="true"' in c.get(f"/console/f/plans/{pid}", headers=console_headers("dashboard")).text
    assert 'hx-post="/console/f/plans/' not in c.get(f"/console/f/plans/{pid}", headers=console_headers("dashboard")).text
    assert c.post(f"/console/f/plans/{pid}/cancel", headers=console_headers("dashboard")).status_code == 403
    r = c.post(f"/console/f/plans/{pid}/cancel", headers=console_headers("coordinator"))
    assert r.status_code == 200 and "s-cancelled" in r.text and "every 1s" not in r.text  # polling stops
    again = c.post(f"/console/f/plans/{pid}/cancel", headers=console_headers("coordinator"))
    assert again.status_code == 409 and "error-card" in again.text
