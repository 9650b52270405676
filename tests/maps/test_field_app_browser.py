"""The field app on a phone (Debian chromium, 390×844) against a real `jemput serve`: reports made with
no signal survive a reload and reach the server exactly once; an answer lost mid-send is resent and
stored once; two phones of one team; another team's key gets 403; the overview with no internet.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.server import add_key
from api.settings import Settings
from planner.model import Scenario
from planner.plan import Plan, TeamDay

from tests.maps.conftest import NOTE, TEAM_NAME
from tests.maps.test_browser import ARTIFACTS, PHONE, PNG, browser  # noqa: F401 - the browser fixture

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`jemput serve` in a subprocess on a free port, with its own data folder and keys."""

    def __init__(self, tmp: Path) -> None:
        self.tmp, self.port = tmp, _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        settings = Settings(data_dir=tmp)
        self.keys = {who: add_key(role, team, who, settings)[1] for who, role, team in (
            ("coordinator", "coordinator", None), ("T1", "field", "T1"), ("T2", "field", "T2"))}
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "JEMPUT_DATA_DIR": str(self.tmp)}
        env.pop("DATABASE_URL", None)
        self.proc = subprocess.Popen([sys.executable, "-m", "jemput.cli", "serve", "--port", str(self.port)],
                                     cwd=self.tmp, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("jemput serve did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=30)

    def api(self, method: str, path: str, who: str = "coordinator", **kw) -> httpx.Response:
        headers = {"X-API-Key": self.keys[who], **kw.pop("headers", {})}
        return httpx.request(method, self.url + path, headers=headers, timeout=120, **kw)


@pytest.fixture(scope="module")
def served(tmp_path_factory, scenario: Scenario) -> Iterator[tuple[Server, str, Plan]]:
    server = Server(tmp_path_factory.mktemp("serve"))
    server.start()
    try:
        body = scenario.model_dump_json(exclude={"source_dir"})
        sid = server.api("POST", "/v1/scenarios", content=body, headers={"Content-Type": "application/json"}).json()["id"]
        r = server.api("POST", "/v1/plans?wait=90", json={"scenario_id": sid, "time_limit_s": 2, "max_solutions": 50})
        assert r.status_code == 200 and r.json()["status"] == "done", r.text
        yield server, r.json()["id"], Plan.model_validate(r.json()["plan"])
    finally:
        server.stop()


@pytest.fixture(scope="module")
def day(served) -> TeamDay:
    _, _, plan = served
    days = [td for td in plan.team_days if td.team_id == "T1" and len(td.stops) >= 3]
    assert days, "the fixture week should give team T1 a day with three stops"
    return days[0]


def _phone(browser, server: Server, pid: str, td: TeamDay, who: str = "T1", lang: str = ""):  # noqa: ANN001, F811
    """A new phone (its own storage) that opened the team-day's app once with its key, service worker ready."""
    context = browser.new_context(viewport=PHONE, service_workers="allow")
    context.route("https://tile.openstreetmap.org/**", lambda r: r.fulfill(status=200, content_type="image/png", body=PNG))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "Failed to load" not in m.text else None)
    page.on("dialog", lambda d: (errors.append(f"dialog: {d.message}"), d.dismiss()))  # a script from a name or note ran
    app = f"{server.url}/v1/plans/{pid}/teams/{td.team_id}/days/{td.date}/app" + (f"?lang={lang}" if lang else "")
    page.goto(f"{app}{'&' if lang else '?'}key={server.keys[who]}")
    assert page.url == app  # the key went into a cookie, not the address bar
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=20000)
    page.wait_for_function("() => caches.match(location.href).then(r => !!r)", timeout=20000)
    return context, page, errors


def _report_done(page, n: int, people: int, note: str = "") -> None:  # noqa: ANN001
    form = page.locator(f"form.report[data-n='{n}']")
    form.locator("input[value='done']").check()
    form.locator("input[name=people]").fill(str(people))
    if note:
        form.locator("textarea[name=note]").fill(note)
    form.locator("button.save").click()


def _server_reports(server: Server, pid: str) -> list[dict]:
    return server.api("GET", f"/v1/plans/{pid}/reports").json()["reports"]


def test_offline_reports_survive_a_reload_and_arrive_once(browser, served, day: TeamDay) -> None:  # noqa: F811
    server, pid, _ = served
    before = len(_server_reports(server, pid))
    context, page, errors = _phone(browser, server, pid, day)
    assert page.evaluate("document.documentElement.lang") == "id" and "Simpan laporan" in page.inner_text("body")
    context.set_offline(True)
    for n in (1, 2, 3):
        _report_done(page, n, 10 * n, note=NOTE if n == 2 else "")
    page.wait_for_function("() => document.body.dataset.pending === '3'")
    page.reload()  # no signal: the service worker serves the page, the reports come back from IndexedDB
    page.wait_for_function("() => document.body.dataset.pending === '3'")
    assert TEAM_NAME in page.inner_text("body")  # hostile names shown as text, from the cached page
    assert "3 laporan belum terkirim" in page.inner_text("#outbox")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "field_app_offline_390.png"), full_page=True)
    page.screenshot(path=str(ARTIFACTS / "field_app_offline_390_top.png"))
    url = page.url
    page.close()  # the app is closed with no signal, and opened again later, still with none
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    page.wait_for_function("() => document.body.dataset.pending === '3'")
    assert len(_server_reports(server, pid)) == before
    context.set_offline(False)  # the 'online' event sends the outbox
    page.wait_for_function("() => document.body.dataset.pending === '0' && document.body.dataset.sent === '3'", timeout=30000)
    mine = [r for r in _server_reports(server, pid)[before:]]
    assert len(mine) == 3 and sorted(r["report"]["people"] for r in mine) == [10, 20, 30]
    assert {r["report"]["site_id"] for r in mine} == {s.site_id for s in day.stops[:3]}
    assert [r["report"]["note"] for r in mine if r["report"]["people"] == 20] == [NOTE]  # typed text kept as text
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert errors == []
    context.close()


def test_an_answer_lost_mid_send_is_resent_and_stored_once(browser, served, day: TeamDay) -> None:  # noqa: F811
    server, pid, _ = served
    before = len(_server_reports(server, pid))
    context, page, errors = _phone(browser, server, pid, day)
    lost: list[str] = []

    def drop_answer(route) -> None:  # noqa: ANN001 - the server gets the request, the phone never sees the answer
        req = route.request
        httpx.post(req.url, content=req.post_data_buffer, timeout=30,
                   headers={k: v for k, v in req.all_headers().items() if k in ("cookie", "content-type")})
        lost.append(req.url)
        try:
            route.abort("connectionreset")
        except Exception:  # noqa: BLE001 - the page may have given up on the request already
            pass

    context.route("**/reports", drop_answer)
    _report_done(page, 1, 5)
    deadline = time.monotonic() + 20
    while not lost and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    page.wait_for_timeout(300)
    assert lost and page.evaluate("() => document.body.dataset.pending") == "1"
    assert len(_server_reports(server, pid)) == before + 1  # stored, but the phone does not know
    context.unroute("**/reports")
    page.evaluate("window.jemputSend()")  # the retry sends the same report id again
    page.wait_for_function("() => document.body.dataset.pending === '0'")
    assert len(_server_reports(server, pid)) == before + 1
    assert errors == []
    context.close()


def test_two_phones_of_one_team(browser, served, day: TeamDay) -> None:  # noqa: F811
    server, pid, _ = served
    before = len(_server_reports(server, pid))
    (ca, a, ea), (cb, b, eb) = _phone(browser, server, pid, day), _phone(browser, server, pid, day, lang="en")
    assert b.evaluate("document.documentElement.lang") == "en" and "Save report" in b.inner_text("body")  # English on request
    _report_done(a, 1, 11)
    _report_done(b, 2, 22)
    _report_done(b, 1, 12)  # the second phone corrects the first stop: a report of its own
    for page, count in ((a, "1"), (b, "2")):
        page.wait_for_function(f"() => document.body.dataset.pending === '0' && document.body.dataset.sent === '{count}'")
    new = _server_reports(server, pid)[before:]
    assert len(new) == 3 and len({r["report"]["id"] for r in new}) == 3
    cb.set_offline(True)
    b.reload()  # without signal the English page comes back English (the cache holds both languages)
    assert b.evaluate("document.documentElement.lang") == "en" and "Save report" in b.inner_text("body")
    assert ea == [] and eb == []
    ca.close()
    cb.close()


def test_a_refused_key_is_said_and_the_reports_wait_for_it(browser, served, day: TeamDay) -> None:  # noqa: F811
    server, pid, _ = served
    before = len(_server_reports(server, pid))
    context, page, errors = _phone(browser, server, pid, day)
    app = page.url
    context.clear_cookies()  # the key is gone (cookie expired, or cleared by the phone)
    _report_done(page, 2, 4)
    page.wait_for_function("() => document.getElementById('outbox').dataset.problem !== ''")
    assert "kunci lapangan ditolak" in page.inner_text("#outbox") and page.evaluate("document.body.dataset.pending") == "1"
    assert len(_server_reports(server, pid)) == before
    page.goto(f"{app}?key={server.keys['T1']}")  # the team opens its link again with the key
    page.wait_for_function("() => document.body.dataset.pending === '0'")
    assert len(_server_reports(server, pid)) == before + 1 and page.evaluate("document.getElementById('outbox').dataset.problem") == ""
    assert [e for e in errors if "401" not in e] == []  # the browser logs the refused request itself
    context.close()


def test_the_outbox_forgets_only_what_the_server_has_had_for_a_month(browser, served, day: TeamDay) -> None:  # noqa: F811
    server, pid, _ = served
    context, page, errors = _phone(browser, server, pid, day)
    page.evaluate("""() => new Promise((resolve, reject) => {
        const open = indexedDB.open('jemput-field', 1), old = Date.now() - 40 * 86400000;
        open.onsuccess = () => {
          const tx = open.result.transaction('outbox', 'readwrite'), s = tx.objectStore('outbox'), ep = location.href + '-x';
          const r = (id) => ({id: id, site_id: 'X', kind: 'note'});
          s.put({id: 'old-sent-000001', endpoint: ep, report: r('old-sent-000001'), state: 'sent', saved: old});
          s.put({id: 'old-rejected-01', endpoint: ep, report: r('old-rejected-01'), state: 'rejected', saved: old});
          s.put({id: 'new-sent-000001', endpoint: ep, report: r('new-sent-000001'), state: 'sent', saved: Date.now()});
          tx.oncomplete = () => { open.result.close(); resolve(); };
          tx.onerror = () => reject(tx.error);
        };
      })""")
    page.reload()
    page.wait_for_function("() => JemputOutbox.list().then(rs => !rs.some(r => r.id === 'old-sent-000001'))")
    ids = page.evaluate("() => JemputOutbox.list().then(rs => rs.map(r => r.id).sort())")
    assert ids == ["new-sent-000001", "old-rejected-01"]
    assert errors == []
    context.close()


def test_another_teams_key_gets_403(browser, served, day: TeamDay) -> None:  # noqa: F811
    server, pid, plan = served
    other = next(td for td in plan.team_days if td.team_id == "T2" and td.stops)
    context, page, _ = _phone(browser, server, pid, other, who="T2")
    url = f"/v1/plans/{pid}/teams/T1/days/{day.date}/reports"
    status = page.evaluate(
        """([url, site]) => fetch(url, {method: 'POST', credentials: 'same-origin', headers: {'Content-Type': 'application/json'},
             body: JSON.stringify({reports: [{id: 'r-intruder-01', site_id: site, kind: 'arrived'}]})}).then(r => r.status)""",
        [url, day.stops[0].site_id],
    )
    assert status == 403
    assert page.goto(f"{server.url}/v1/plans/{pid}/teams/T1/days/{day.date}/app").status == 403
    context.close()


def test_overview_renders_with_the_network_blocked(browser, served) -> None:  # noqa: F811
    server, pid, plan = served
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_extra_http_headers({"X-API-Key": server.keys["coordinator"]})
    outside: list[str] = []

    def only_the_server(route) -> None:  # noqa: ANN001
        if route.request.url.startswith(server.url):
            return route.continue_()
        outside.append(route.request.url)
        return route.abort()

    context.route("**/*", only_the_server)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{server.url}/v1/plans/{pid}/map")
    page.wait_for_selector(".leaflet-container")
    counts = page.evaluate("""() => { const m = Object.values(window).find(v => v instanceof L.Map), c = {lines: 0, circles: 0};
        m.eachLayer(l => { if (l instanceof L.CircleMarker) c.circles++; else if (l instanceof L.Polyline && !(l instanceof L.Polygon)) c.lines++; });
        return c; }""")
    assert counts["lines"] == len(plan.team_days) and counts["circles"] > len(plan.team_days)
    assert page.locator(".jemput-qr").count() == len(plan.team_days)
    assert all(u.startswith("https://tile.openstreetmap.org/") for u in outside)  # no CDN asked for
    assert errors == []
    context.close()


def test_a_replan_reaches_the_phone_and_its_offline_reports_still_count(browser, served, day: TeamDay) -> None:  # noqa: F811
    """Last in this file: it re-plans the served plan, so the team's link leads to the new plan after it."""
    server, pid, _ = served
    context, page, errors = _phone(browser, server, pid, day)
    context.set_offline(True)
    _report_done(page, 1, 9)  # made on the old plan's page, with no signal
    page.wait_for_function("() => document.body.dataset.pending === '1'")
    start = f"{day.date}T{day.stops[0].end_min // 60 + 1:02d}:00"
    r = server.api("POST", f"/v1/plans/{pid}/replan-from-reports?wait=90", json={"from": start, "time_limit_s": 2, "max_solutions": 50})
    assert r.status_code == 200 and r.json()["status"] == "done", r.text
    new = r.json()["id"]
    context.set_offline(False)  # the report goes to the plan it was made on
    page.wait_for_function("() => document.body.dataset.pending === '0' && document.body.dataset.sent === '1'", timeout=30000)
    page.reload()  # the link the team was given now shows the re-plan
    page.wait_for_url(f"{server.url}/v1/plans/{new}/teams/{day.team_id}/days/{day.date}/app")
    page.wait_for_function("() => document.body.dataset.sent === '1'")
    assert "9" in page.locator("form.report[data-n='1'] .report-state").inner_text()  # the stop shows what was sent
    listed = server.api("GET", f"/v1/plans/{new}/reports").json()
    assert [r["plan_id"] for r in listed["reports"] if r["report"].get("people") == 9] == [pid]
    status = next(s for s in listed["status"] if s["team_id"] == day.team_id and s["date"] == str(day.date))
    assert status["done"] >= 1 and status["reports"] >= 1
    assert errors == []
    context.close()
