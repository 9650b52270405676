"""The field team's page: numbered stops in order, times, hours, navigation links, no CDN, escaping, CSP."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import json
import re

import markupsafe
import pytest

from planner.model import Scenario
from planner.plan import Plan, TeamDay

from maps.common import esc
from maps.field import TILE_URL, field_map, nav_links, write_field_map

from tests.maps.conftest import NOTE, SCRIPT_NAME, TEAM_NAME

SUNDAY = dt.date(2026, 11, 29)


@pytest.fixture(scope="module")
def page(scenario: Scenario, plan: Plan, script_day: TeamDay) -> str:
    return field_map(scenario, plan, script_day.team_id, script_day.date)


def map_data(page: str) -> dict:
    """The JSON the page's map script reads."""
    match = re.search(r"var d = (\{.*?\});\n", page)
    assert match, "map data not found"
    return json.loads(match.group(1))


def _busiest(plan: Plan) -> TeamDay:
    return max(plan.team_days, key=lambda td: len(td.stops))


def test_one_numbered_stop_per_plan_stop_in_visiting_order(scenario: Scenario, plan: Plan) -> None:
    td = _busiest(plan)
    page = field_map(scenario, plan, td.team_id, td.date)
    sites = scenario.site_by_id()
    data = map_data(page)
    assert [s["n"] for s in data["stops"]] == list(range(1, len(td.stops) + 1))
    assert [s["ll"] for s in data["stops"]] == [[sites[s.site_id].lat, sites[s.site_id].lon] for s in td.stops]
    assert page.count('<li class="stop"') == len(td.stops)
    assert len(data["line"]) == len(td.stops) + 2  # start place, stops, end place


def test_repeat_visits_to_one_point_get_side_by_side_markers(scenario: Scenario, plan: Plan) -> None:
    for td in plan.team_days:
        data = map_data(field_map(scenario, plan, td.team_id, td.date))
        seen: dict[tuple, int] = {}
        for s in data["stops"]:
            key = tuple(s["ll"])
            assert s["dup"] == seen.get(key, 0)
            seen[key] = s["dup"] + 1


def test_times_people_and_opening_hours(page: str, script_day: TeamDay) -> None:
    stop = next(s for s in script_day.stops if s.site_id == "X1")
    clock = lambda m: f"{m // 60:02d}:{m % 60:02d}"  # noqa: E731
    assert f"<dd>{clock(stop.arrival_min)}</dd>" in page
    assert f"<dd>{clock(stop.start_min)}–{clock(stop.end_min)}</dd>" in page
    assert f"<dd>{stop.people} orang</dd>" in page
    assert "Jam buka hari ini" in page and "<dd>08:00–16:00</dd>" in page
    assert f"Berangkat {clock(script_day.depart_min)}" in page and f"Kembali {clock(script_day.return_min)}" in page


def test_navigation_links_for_every_stop(scenario: Scenario, page: str, script_day: TeamDay) -> None:
    sites = scenario.site_by_id()
    for stop in script_day.stops:
        site = sites[stop.site_id]
        geo, gmaps = nav_links(site.lat, site.lon, site.name)
        assert geo.startswith(f"geo:{site.lat:.6f},{site.lon:.6f}?q={site.lat:.6f},{site.lon:.6f}(")
        assert gmaps == f"https://www.google.com/maps/dir/?api=1&destination={site.lat:.6f},{site.lon:.6f}"
        assert f'href="{esc(geo)}"' in page and f'href="{esc(gmaps)}"' in page
    assert "%3Cscript%3Ealert%281%29%3C%2Fscript%3E" in nav_links(0, 0, SCRIPT_NAME)[0]


def test_mobile_first_page(page: str) -> None:
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "min-height:44px" in page  # touch targets
    assert '<html lang="id">' in page


def test_self_contained_loads_nothing_but_tiles(page: str) -> None:
    assert not re.search(r"<script[^>]*\bsrc=", page)
    assert "<link" not in page
    assert "cdn.jsdelivr" not in page and "unpkg" not in page and "cdnjs" not in page
    assert 'L.version="1.9.3"' in page.replace("t.version", "L.version")
    assert TILE_URL in page
    assert "sourceMappingURL" not in page
    assert len(page.encode()) < 200_000


def test_csp_allows_exactly_the_inline_scripts_and_styles(page: str) -> None:
    csp = html.unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1))
    assert "default-src 'none'" in csp and "img-src https://tile.openstreetmap.org data:" in csp
    for tag in ("script", "style"):
        blocks = re.findall(rf"<{tag}>(.*?)</{tag}>", page, flags=re.S)
        assert blocks
        for block in blocks:
            digest = base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in csp


def test_input_text_is_escaped(page: str) -> None:
    assert "<script>alert(1)" not in page
    assert esc(SCRIPT_NAME) in page
    assert "<img src=x" not in page and esc(NOTE) in page
    assert f"<h1>{markupsafe.escape(TEAM_NAME)}</h1>" in page and "<b>&</b>" not in page
    assert page.count("</script>") == len(re.findall(r"<script[ >]", page)) == 2


def test_ampersand_and_template_names(scenario: Scenario, plan: Plan) -> None:
    for site_id in ("X2", "X3"):
        td = next(td for td in plan.team_days if any(s.site_id == site_id for s in td.stops))
        page = field_map(scenario, plan, td.team_id, td.date)
        name = scenario.site_by_id()[site_id].name
        assert f"<h2>{markupsafe.escape(name)}</h2>" in page
        popup = next(s["popup"] for s in map_data(page)["stops"] if s["title"].endswith(name))
        assert esc(name) in popup and name not in popup  # popup HTML for the map script: escaped too


def test_day_without_route_says_so(scenario: Scenario, plan: Plan) -> None:
    page = field_map(scenario, plan, "T1", SUNDAY)
    assert "Tidak ada rute" in page and "<script" not in page
    assert "No route" in field_map(scenario, plan, "T1", SUNDAY.isoformat(), lang="en")


def test_unknown_team_fails(scenario: Scenario, plan: Plan) -> None:
    with pytest.raises(ValueError, match="unknown team"):
        field_map(scenario, plan, "nope", SUNDAY)


def test_english(scenario: Scenario, plan: Plan, script_day: TeamDay) -> None:
    page = field_map(scenario, plan, script_day.team_id, script_day.date, lang="en")
    assert '<html lang="en">' in page and "Navigate" in page and "Open today" in page and "Navigasi" not in page


def test_write_field_map(tmp_path, scenario: Scenario, plan: Plan, script_day: TeamDay) -> None:
    path = write_field_map(scenario, plan, script_day.team_id, script_day.date, tmp_path / "day.html")
    assert path.read_text(encoding="utf-8") == field_map(scenario, plan, script_day.team_id, script_day.date)


def test_a_stop_without_signal_says_its_records_wait(scenario: Scenario, plan: Plan, script_day: TeamDay) -> None:
    site = script_day.stops[0].site_id
    quiet = scenario.model_copy(update={"sites": tuple(
        s.model_copy(update={"signal": False}) if s.id == site else s for s in scenario.sites)})
    day = script_day.model_copy(update={"pending_records": 1234})
    later = plan.model_copy(update={"team_days": [day if td is script_day else td for td in plan.team_days]})
    page = field_map(quiet, later, day.team_id, day.date)
    assert page.count("class=\"no-signal\"") == 1 and "tanpa sinyal: rekaman menunggu di alat" in page
    assert "1.234 rekaman belum terkirim di akhir hari" in page
    english = field_map(quiet, later, day.team_id, day.date, lang="en")
    assert "no signal: records wait on the kit" in english and "1,234 records not sent at the end of the day" in english
    assert "no-signal" not in field_map(scenario, plan, day.team_id, day.date)
