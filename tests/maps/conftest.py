"""A small solved week for the map tests: 2 teams in Kota Jambi (15.71), hostile names, left-out sites.

Sites include one named `<script>alert(1)</script>` with the most people next to the office (so the
solver visits it first), one with '&' in its name, a note trying to close a script and a JS template
literal, a prison no team may enter (needs_clearance) and a village with nobody left (no_unrecorded).
"""

from __future__ import annotations

import datetime as dt
import random

import pytest

from planner.model import Horizon, Kit, Scenario, Shift, Site, Team, TimeWindow, Weekday
from planner.plan import Plan, TeamDay
from planner.solve.week import SolveOptions, plan_week

START = dt.date(2026, 11, 23)  # a Monday
SCRIPT_NAME = "<script>alert(1)</script>"
AMP_NAME = "Desa Sungai & Talang"
TEMPLATE_NAME = "Desa `${alert(2)}` \\u0041"
NOTE = "</script><img src=x onerror=alert(3)>"
TEAM_NAME = 'Tim "Satu" <b>&</b>'
BASE = (-1.61, 103.61)
W = TimeWindow.parse


def _shifts() -> dict[Weekday, Shift]:
    days = {Weekday(d): Shift(work=W("08:00-16:00"), breaks=(W("12:00-13:00"),)) for d in ("mon", "tue", "wed", "thu")}
    days[Weekday.fri] = Shift(work=W("08:00-16:30"), breaks=(W("11:30-13:30"),))
    days[Weekday.sat] = Shift(work=W("08:00-12:00"))
    return days


def _site(sid: str, name: str, lat: float, lon: float, unrecorded: int, **extra) -> Site:
    hours = {Weekday(d): (W("08:00-16:00"),) for d in ("mon", "tue", "wed", "thu", "fri", "sat")}
    fields = dict(kind="village", regency_code="15.71", district_code="15.71.01", turnout=0.5, hours=hours)
    fields.update(extra)
    return Site(id=sid, name=name, lat=lat, lon=lon, unrecorded=unrecorded, **fields)


def build_scenario() -> Scenario:
    """The test week (see module doc)."""
    rnd = random.Random(7)
    sites = [
        _site("X1", SCRIPT_NAME, -1.615, 103.615, 900, priority=5, note=NOTE),
        _site("X2", AMP_NAME, -1.62, 103.60, 500, priority=3),
        _site("X3", TEMPLATE_NAME, -1.60, 103.63, 400, priority=3, kind="school"),
        _site("P1", "Lapas Kelas IIA", -1.63, 103.64, 300, kind="prison", clearance="prison"),
        _site("Z1", "Desa Kosong", -1.58, 103.58, 0),
    ]
    for i in range(10):
        lat, lon = BASE[0] + rnd.uniform(-0.08, 0.08), BASE[1] + rnd.uniform(-0.08, 0.08)
        sites.append(_site(f"S{i}", f"Desa {i}", lat, lon, rnd.randint(30, 300)))
    teams = [
        Team(id="T1", name=TEAM_NAME, regency_code="15.71", base_name="Kantor <Dukcapil> & Co", base_lat=BASE[0],
             base_lon=BASE[1], kits=(Kit(id="k1"), Kit(id="k2")), shifts=_shifts()),
        Team(id="T2", name="Tim 2", regency_code="15.71", base_lat=BASE[0], base_lon=BASE[1],
             kits=(Kit(id="k3"),), shifts=_shifts()),
    ]  # fmt: skip
    return Scenario(name="Uji <peta> & rute", horizon=Horizon(start=START), sites=tuple(sites), teams=tuple(teams))


@pytest.fixture(scope="session")
def scenario() -> Scenario:
    return build_scenario()


@pytest.fixture(scope="session")
def plan(scenario: Scenario) -> Plan:
    return plan_week(scenario, SolveOptions(time_limit_s=2, workers=1))


@pytest.fixture(scope="session")
def script_day(plan: Plan) -> TeamDay:
    """The team-day that visits the site named <script>…; the fixture scenario makes sure there is one."""
    days = [td for td in plan.team_days if any(s.site_id == "X1" for s in td.stops)]
    assert days, "the solver should visit the biggest site next to the office"
    return days[0]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives Debian's chromium through Playwright (scripts/install_browser.sh)")
