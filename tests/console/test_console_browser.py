"""The console in Debian's Chromium (Playwright) against a real `jemput serve` on SQLite.

The coordinator's week, as the issue tells it: sign in → drop the bundled example's files with one
planted mistake → see it in the problem table (sorted) → drop the fixed files → plan → watch the
progress → KPIs with the bound, coverage, the map, left-out sites filtered by reason → download the
roster → open a field link → a field report arrives → re-plan from Tuesday noon → the churn and the
plans over time. Then the roles (dashboard reads only, a field key sees its own team-days),
English, text from the files shown as text (no script runs), and no Content-Security-Policy violation
on any page. Screenshots go to tests/artifacts/ (gitignored; CI keeps them with the run).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from api.server import add_key
from api.settings import Settings
from planner.io.bundled import EXAMPLES
from tests.maps.test_browser import ARTIFACTS, PNG, browser  # noqa: F401 - the browser fixture
from tests.maps.test_field_app_browser import Server

pytestmark = [pytest.mark.browser, pytest.mark.slow]
DESKTOP = {"width": 1366, "height": 768}
TABLET = {"width": 800, "height": 1280}
FILES = ("scenario.yaml", "sites.csv", "teams.csv", "kits.csv", "district_offices.csv")
PLANTED = "<img src=x onerror=alert(1)>"
HOSTILE_NAME = "<img src=x onerror=alert(2)>Desa Jauh"
WATCH_CSP = """window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) { window.__csp.push(e.violatedDirective + ' ' + e.blockedURI); });"""


@dataclass
class Tab:
    page: object
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)

    def csp(self) -> list[str]:
        return self.page.evaluate("window.__csp || []")

    def clean(self) -> None:
        assert self.csp() == [] and self.dialogs == [] and self.outside == [] and self.errors == [], (
            self.csp(), self.dialogs, self.outside, self.errors)


def _files(planted: bool) -> dict[str, str]:
    """The bundled Jambi example as a coordinator keeps it; one site with HTML in its name (and nobody
    left to record, so it is left out with a reason of its own), and
    (planted) one latitude that is not a number."""
    folder = EXAMPLES["jambi"]()
    files = {n: (folder / n).read_text(encoding="utf-8") for n in FILES}
    lines = files["sites.csv"].splitlines(keepends=True)
    header = lines[0].rstrip("\n").split(",")
    far = lines[3].rstrip("\n").split(",")
    far[header.index("name")], far[header.index("unrecorded")] = HOSTILE_NAME, "0"  # left out: nobody to record
    lines[3] = ",".join(far) + "\n"
    if planted:
        cells = lines[5].rstrip("\n").split(",")
        cells[header.index("lat")] = PLANTED
        lines[5] = ",".join(cells) + "\n"
    files["sites.csv"] = "".join(lines)
    return files


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[Server]:
    server = Server(tmp_path_factory.mktemp("console-serve"))
    settings = Settings(data_dir=server.tmp)
    server.keys["dashboard"] = add_key("dashboard", None, "dashboard", settings)[1]
    server.keys["field"] = add_key("field", "T1571-1", "Tim Kota Jambi 1", settings)[1]
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _tab(browser, server: Server, viewport: dict = DESKTOP, lang: str = "id") -> Tab:  # noqa: F811
    context = browser.new_context(viewport=viewport, accept_downloads=True)
    context.add_init_script(WATCH_CSP)
    page = context.new_page()
    tab = Tab(page)

    def route(r) -> None:  # noqa: ANN001
        url = r.request.url
        if url.startswith("https://tile.openstreetmap.org/"):
            return r.fulfill(status=200, content_type="image/png", body=PNG)
        if not url.startswith(server.url):
            tab.outside.append(url)
            return r.abort()
        return r.continue_()

    context.route("**/*", route)
    page.on("pageerror", lambda e: tab.errors.append(f"uncaught: {e}"))
    page.on("console", lambda m: tab.errors.append(m.text) if m.type == "error" and "Failed to load resource" not in m.text else None)
    page.on("dialog", lambda d: (tab.dialogs.append(d.message), d.dismiss()))
    page.goto(f"{server.url}/?lang={lang}")
    return tab


def _sign_in(tab: Tab, key: str) -> None:
    page = tab.page
    page.get_by_label(re.compile("Kunci API|API key")).fill(key)
    page.keyboard.press("Enter")
    page.wait_for_selector("#home")
    assert key not in page.url
    assert page.evaluate("sessionStorage.getItem('jemput.apiKey')") == key
    assert page.evaluate("localStorage.length") == 0 and page.context.cookies() == []


def _drop(page, files: dict[str, str]) -> None:  # noqa: ANN001
    """Drag and drop the files onto the upload zone, as from the file manager."""
    data = page.evaluate_handle("""(files) => { const dt = new DataTransfer();
        for (const [name, text] of files) { dt.items.add(new File([text], name)); } return dt; }""", list(files.items()))
    page.dispatch_event("#drop", "dragenter", {"dataTransfer": data})
    page.dispatch_event("#drop", "drop", {"dataTransfer": data})
    assert page.locator("#chosen li").count() == len(files)


ACCESSIBLE = """() => {
  const named = (el) => (el.labels && el.labels.length) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')
                        || (el.tagName === 'BUTTON' && el.textContent.trim()) || el.type === 'hidden';
  const unnamed = [...document.querySelectorAll('input, select, textarea, button')].filter((el) => !named(el)).map((el) => el.outerHTML.slice(0, 80));
  const noAlt = [...document.querySelectorAll('img:not([alt])')].map((el) => el.outerHTML.slice(0, 80));
  const landmarks = ['header', 'nav', 'main', 'footer'].filter((t) => !document.querySelector(t));
  return {unnamed, noAlt, landmarks, h1: document.querySelectorAll('main h1').length};
}"""


def _accessible(page) -> None:  # noqa: ANN001
    """Every control has a name a screen reader reads, every image a text, the landmarks are there."""
    found = page.evaluate(ACCESSIBLE)
    assert found["unnamed"] == [] and found["noAlt"] == [] and found["landmarks"] == [] and found["h1"] == 1, found


def _shot(page, name: str) -> None:  # noqa: ANN001
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"console_{name}.png"), full_page=False)


def test_coordinator_uploads_fixes_plans_and_dispatches_the_week(browser, served: Server) -> None:  # noqa: F811
    tab = _tab(browser, served)
    page = tab.page
    assert page.title() == "Konsol koordinator jemput"
    _sign_in(tab, served.keys["coordinator"])
    _accessible(page)
    _shot(page, "home_1366")

    _drop(page, _files(planted=True))
    page.get_by_role("button", name="Unggah dan periksa").click()
    table = page.locator("#problems-table")
    table.wait_for()
    bad = table.locator("tbody tr", has_text=PLANTED)  # the planted value, shown as text
    assert bad.count() >= 1 and "sites.csv" in bad.first.inner_text() and "lat" in bad.first.inner_text()
    assert page.locator("#problems-table img").count() == 0
    row_header = table.locator("thead th", has_text="Baris")
    row_header.get_by_role("button").focus()
    page.keyboard.press("Enter")  # sorting works from the keyboard
    assert row_header.get_attribute("aria-sort") == "ascending"
    row_header.get_by_role("button").click()
    assert row_header.get_attribute("aria-sort") == "descending"
    rows = [int(x) for x in table.locator("tbody tr td:nth-child(2)").all_inner_texts() if x.strip()]
    assert rows == sorted(rows, reverse=True)
    _shot(page, "problems_1366")

    _drop(page, _files(planted=False))
    page.get_by_role("button", name="Unggah dan periksa").click()
    page.wait_for_selector("#plan-form")
    page.get_by_label("Batas waktu (detik)").fill("1")
    page.get_by_role("button", name="Mulai perencanaan").click()
    page.wait_for_selector("#job progress")
    _shot(page, "progress_1366")
    page.wait_for_selector("#plan", timeout=240_000)
    assert page.evaluate("document.activeElement.id") == "plan-title"  # focus moves to what was loaded
    expected = page.locator("[data-kpi=expected]").inner_text()
    bound = page.locator("[data-kpi=bound]").inner_text()
    assert int(expected.replace(".", "")) <= int(bound.replace(".", "")) and int(bound.replace(".", "")) > 0
    assert page.locator("#coverage-table tbody tr").count() >= 10  # Jambi's eleven regencies
    page.wait_for_selector("#overview-map[data-drawn] canvas", state="attached")
    _accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
    _shot(page, "plan_1366")

    left = page.locator("#left-table tbody tr")
    total = left.count()
    far = page.locator("#left-table tbody tr", has_text="Desa Jauh")
    assert far.count() == 1 and HOSTILE_NAME in far.inner_text()  # the name from the file, as text
    reason = far.get_attribute("data-reason")
    page.get_by_label("Saring alasan").select_option(reason)
    shown = page.locator("#left-table tbody tr:not([hidden])")
    assert 0 < shown.count() < total
    assert set(shown.evaluate_all("rows => rows.map(r => r.dataset.reason)")) == {reason}
    assert page.locator("#left-count").inner_text() == f"{shown.count()} dari {total} ditampilkan"
    page.get_by_label("Cari lokasi").fill("Desa Jauh")
    assert shown.count() == 1
    assert page.locator("#left-table img").count() == 0

    with page.expect_download() as done:
        page.get_by_role("link", name="Daftar tugas (XLSX)").click()
    path = done.value.path()
    assert done.value.suggested_filename.endswith(".xlsx") and open(path, "rb").read(2) == b"PK"

    with page.expect_download() as done:
        page.get_by_role("link", name="Peta ringkasan (HTML)").click()
    overview = open(done.value.path(), encoding="utf-8").read()
    assert "L.map(" in overview and HOSTILE_NAME not in overview  # the full overview, names escaped

    link = page.locator("a.field-link").first
    href = link.get_attribute("href")
    assert re.search(r"/v1/plans/[0-9a-f]{32}/teams/[^/]+/days/\d{4}-\d{2}-\d{2}/app$", href)
    assert page.locator("#team-days-table img").first.evaluate("img => img.complete && img.naturalWidth > 0")
    with page.expect_popup() as popup:
        link.click()
    phone = popup.value
    phone.wait_for_load_state()
    assert phone.locator("input[name=key]").count() == 1  # the phone asks the team's key; none is in the link
    team = re.search(r"/teams/([^/]+)/days/", href).group(1)
    phone.locator("input[name=key]").fill(add_key("field", team, "phone", Settings(data_dir=served.tmp))[1])
    phone.keyboard.press("Enter")
    phone.wait_for_selector("form.report")  # the team-day's route with its report forms
    phone.close()

    # the field reports a missed visit; the coordinator re-plans the rest of the week from Tuesday noon
    pid = page.locator("#plan").get_attribute("data-plan")
    plan = served.api("GET", f"/v1/plans/{pid}").json()["plan"]
    day = next(td for td in plan["team_days"] if td["date"] == "2026-11-24" and td["stops"])
    report = {"id": "console0000000001", "site_id": day["stops"][-1]["site_id"], "kind": "missed", "reason": "banjir"}
    r = served.api("POST", f"/v1/plans/{pid}/teams/{day['team_id']}/days/2026-11-24/reports", json={"reports": [report]})
    assert r.status_code == 200, r.text
    page.get_by_role("button", name="Beranda").click()
    page.locator(f"a[hx-get='/console/f/plans/{pid}']").first.click()
    page.wait_for_selector("#reports-table")
    assert "Banjir" in page.locator("#reports-table").inner_text()
    page.get_by_label("Mulai dari (kosong = sekarang)").fill("2026-11-24T12:00")
    page.get_by_label("Batas waktu (detik)").fill("1")
    page.get_by_role("button", name="Rencanakan ulang dari sekarang").click()
    page.wait_for_function(f"() => {{ const p = document.querySelector('#plan'); return p && p.dataset.plan !== '{pid}'; }}",
                           timeout=240_000)
    assert "Perubahan:" in page.locator("#kpi-title + dl + p, #plan").first.inner_text()
    history = page.locator("#history-table tbody tr")
    assert history.count() == 2 and "rencana awal" in history.first.inner_text()
    assert history.nth(1).get_attribute("aria-current") == "true" and "dipindah" in history.nth(1).inner_text()
    _shot(page, "replan_1366")
    tab.clean()
    page.context.close()


def test_roles_english_tablet_and_no_csp_violation(browser, served: Server) -> None:  # noqa: F811
    pid = served.api("GET", "/v1/plans?status=done").json()["items"][0]["id"]
    tab = _tab(browser, served, TABLET, lang="en")
    page = tab.page
    _sign_in(tab, served.keys["dashboard"])
    assert page.locator("#upload-form").count() == 0 and page.get_by_text("A dashboard key reads only.").count() == 1
    page.locator(f"a[hx-get='/console/f/plans/{pid}']").first.click()
    page.wait_for_selector("#plan")
    assert page.url.endswith(f"/?lang=en#plan/{pid}")  # the plan's id in the address, never the key
    page.reload()  # the tab keeps its key: the same plan comes back
    page.wait_for_selector("#plan")
    page.go_back()
    page.wait_for_selector("#home")
    page.go_forward()
    page.wait_for_selector("#plan")
    assert page.locator("#replan-form").count() == 0 and page.get_by_text("Expected recordings").count() >= 1
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
    _shot(page, "dashboard_tablet")
    tab.clean()
    page.context.close()

    tab = _tab(browser, served)
    page = tab.page
    _sign_in(tab, served.keys["field"])
    assert page.locator("#scenarios-table").count() == 0
    page.locator(f"a[hx-get='/console/f/plans/{pid}']").first.click()
    page.wait_for_selector("#plan")
    teams = set(re.findall(r"/teams/([^/]+)/days/", " ".join(page.locator("a.field-link").all_inner_texts())))
    assert teams == {"T1571-1"} and page.locator("#left-table").count() == 0
    page.get_by_role("button", name="Keluar").click()
    assert page.evaluate("sessionStorage.getItem('jemput.apiKey')") is None and page.locator("#api-key").is_visible()
    page.get_by_label("Kunci API").fill("jk_" + "x" * 40)
    page.keyboard.press("Enter")
    page.wait_for_selector("#signin-error:not([hidden])")
    tab.clean()
    page.context.close()
