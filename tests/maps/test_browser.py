"""The maps in a real browser (Debian's chromium driven by Playwright) at a phone's width, offline.

Skipped when /usr/bin/chromium or Playwright is missing, unless the CI variable is set: then they fail.
Install the browser with scripts/install_browser.sh (never `playwright install`). Screenshots go to
tests/artifacts/ (gitignored).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from planner.model import Scenario
from planner.plan import Plan, TeamDay

from planner.io.links import template_links

from maps.field import write_field_map
from maps.overview import overview_map

from tests.maps.conftest import SCRIPT_NAME, TEAM_NAME

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
VENDOR = Path(__file__).resolve().parents[2] / "maps" / "vendor" / "leaflet"
PHONE = {"width": 390, "height": 844}
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]
# A transparent 1×1 PNG: the answer to every tile request (the test machine has no internet).
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a5e1a0a40000000049454e44ae426082"
)


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI is set, so the browser tests must run (scripts/install_browser.sh)")
    pytest.skip(f"{reason}; run scripts/install_browser.sh to enable the browser tests")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} not found")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@dataclass
class Watch:
    """What a page did: console errors, uncaught errors, dialogs, requests that left the file."""

    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    network: list[str] = field(default_factory=list)


def _open(browser, path: Path, viewport: dict, route) -> tuple[object, Watch]:  # noqa: ANN001
    """A new page with listeners and a request router, loaded from a file."""
    page = browser.new_page(viewport=viewport)
    watch = Watch()
    page.on("console", lambda m: watch.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: watch.errors.append(f"uncaught: {e}"))
    page.on("dialog", lambda d: (watch.dialogs.append(d.message), d.dismiss()))
    page.route("**/*", lambda r: route(r, watch))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)
    return page, watch


def _tiles_only(route, watch: Watch) -> None:  # noqa: ANN001
    """Answer tile requests with an empty PNG, record and abort anything else that is not the file."""
    url = route.request.url
    if url.startswith("file:"):
        return route.continue_()
    if url.startswith("https://tile.openstreetmap.org/"):
        return route.fulfill(status=200, content_type="image/png", body=PNG)
    watch.network.append(url)
    return route.abort()


def _nothing(route, watch: Watch) -> None:  # noqa: ANN001
    """Allow the file itself, abort every network request."""
    if route.request.url.startswith("file:"):
        return route.continue_()
    watch.network.append(route.request.url)
    return route.abort()


@pytest.fixture(scope="module")
def field_file(tmp_path_factory, scenario: Scenario, plan: Plan, script_day: TeamDay) -> Path:
    path = tmp_path_factory.mktemp("field") / "field.html"
    return write_field_map(scenario, plan, script_day.team_id, script_day.date, path)


def test_field_map_on_a_phone(browser, field_file: Path, script_day: TeamDay) -> None:
    page, watch = _open(browser, field_file, PHONE, _tiles_only)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "field_map_390.png"), full_page=True)
    assert watch.errors == [] and watch.dialogs == []
    assert watch.network == []  # self-contained: tiles are the only requests
    assert page.locator(".stop-pin").count() == len(script_day.stops)
    assert page.locator("li.stop").count() == len(script_day.stops)
    assert page.locator(".leaflet-tile-loaded").count() > 0
    text = page.inner_text("body")
    assert SCRIPT_NAME in text and TEAM_NAME in text
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling
    heights = page.eval_on_selector_all(".btn", "bs => bs.map(b => b.getBoundingClientRect().height)")
    assert heights and min(heights) >= 44  # touch targets


def test_stop_popup_shows_the_name_as_text(browser, field_file: Path, script_day: TeamDay) -> None:
    page, watch = _open(browser, field_file, PHONE, _tiles_only)
    n = next(k for k, s in enumerate(script_day.stops, 1) if s.site_id == "X1")
    page.click(f"button.show[data-n='{n}']")
    page.wait_for_selector(".leaflet-popup-content")
    assert SCRIPT_NAME in page.inner_text(".leaflet-popup-content")
    assert watch.errors == [] and watch.dialogs == []


def test_field_map_with_all_network_blocked(browser, field_file: Path, script_day: TeamDay) -> None:
    page, watch = _open(browser, field_file, PHONE, _nothing)
    assert page.locator("li.stop").count() == len(script_day.stops)
    assert page.locator(".stop-pin").count() == len(script_day.stops)
    assert page.locator(".leaflet-container").count() == 1
    assert all(u.startswith("https://tile.openstreetmap.org/") for u in watch.network)
    assert [e for e in watch.errors if "Failed to load resource" not in e] == []
    assert watch.dialogs == []


def test_overview_in_a_browser(browser, tmp_path: Path, scenario: Scenario, plan: Plan) -> None:
    links = template_links("https://jemput.example/app/{team}/{date}", plan)
    omap = overview_map(scenario, plan, links=links)
    path = tmp_path / "overview.html"
    omap.save(str(path))
    page, watch = _open(browser, path, {"width": 1280, "height": 800}, _nothing)  # no network at all
    counts = page.evaluate(
        """name => { const c = {circles: 0, lines: 0, areas: 0};
        window[name].eachLayer(l => { if (l instanceof L.CircleMarker) c.circles++;
          else if (l instanceof L.Polygon) c.areas++; else if (l instanceof L.Polyline) c.lines++; });
        return c; }""",
        omap.get_name(),
    )
    bases = len({(t.base_lat, t.base_lon) for t in scenario.teams})
    assert counts == {"circles": len(scenario.sites) + bases, "lines": len(plan.team_days), "areas": 1}
    opened = page.evaluate(
        """name => { let text = null; window[name].eachLayer(l => {
          if (l instanceof L.CircleMarker && l.getTooltip() && l.getTooltip().getContent().includes('alert(1)')) {
            l.openPopup(); text = document.querySelector('.leaflet-popup-content').innerText; } });
          return text; }""",
        omap.get_name(),
    )
    assert opened is not None and SCRIPT_NAME in opened and TEAM_NAME in opened
    assert "Uji <peta> & rute" in page.inner_text("#jemput-kpi")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "overview_1280.png"))
    assert all(u.startswith("https://tile.openstreetmap.org/") for u in watch.network)  # nothing from a CDN
    assert [e for e in watch.errors if "Failed to load resource" not in e] == [] and watch.dialogs == []
    page.click("#jemput-links > details > summary")
    page.click(".jemput-team-links summary >> nth=0")
    shown = page.eval_on_selector_all(".jemput-qr img", "imgs => imgs.filter(i => i.complete && i.naturalWidth > 0).length")
    assert shown >= 1  # the QR images decode (SVG data URIs, no network)
