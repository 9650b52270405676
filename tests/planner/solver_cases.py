"""Small real scenarios for solver tests: a regency office near Jambi City and villages around it."""

from __future__ import annotations

import datetime as dt

from planner.model import Horizon, Kit, Scenario, Shift, Site, Team, TimeWindow, Weekday
from planner.solve.week import SolveOptions, plan_week

W = TimeWindow.parse
MONDAY = dt.date(2026, 11, 23)
BASE = (-1.60, 103.62)  # Kota Jambi
WORKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat")


def shifts(days: tuple[str, ...] = WORKDAYS) -> dict[Weekday, Shift]:
    """The default office week: 08–16 with a midday break, Friday prayer, short Saturday."""
    out = {}
    for d in days:
        if d == "fri":
            out[Weekday.fri] = Shift(work=W("08:00-16:30"), breaks=(W("11:30-13:30"),))
        elif d == "sat":
            out[Weekday.sat] = Shift(work=W("08:00-12:00"))
        else:
            out[Weekday(d)] = Shift(work=W("08:00-16:00"), breaks=(W("12:00-13:00"),))
    return out


def hours(text: str = "08:00-16:00", days: tuple[str, ...] = WORKDAYS) -> dict[Weekday, tuple[TimeWindow, ...]]:
    return {Weekday(d): (W(text),) for d in days}


def village(i: int, dlat: float, dlon: float, unrecorded: int = 120, **kw) -> Site:
    return Site(
        id=kw.pop("id", f"V{i}"),
        name=kw.pop("name", f"Desa {i}"),
        kind=kw.pop("kind", "village"),
        lat=BASE[0] + dlat,
        lon=BASE[1] + dlon,
        regency_code="15.71",
        district_code=kw.pop("district_code", "15.71.01"),
        unrecorded=unrecorded,
        turnout=kw.pop("turnout", 0.35),
        hours=kw.pop("hours", hours()),
        **kw,
    )


def team(tid: str = "T1", kits: int = 3, **kw) -> Team:
    kit_list = kw.pop("kit_list", None) or tuple(Kit(id=f"{tid}-K{k}") for k in range(kits))
    return Team(
        id=tid,
        name=kw.pop("name", f"Tim {tid}"),
        regency_code=kw.pop("regency_code", "15.71"),
        base_name="Disdukcapil Kota Jambi",
        base_lat=BASE[0],
        base_lon=BASE[1],
        kits=kit_list,
        shifts=kw.pop("shifts", shifts()),
        **kw,
    )


def ring(n: int, radius_deg: float = 0.08, unrecorded: int = 120) -> list[Site]:
    """`n` villages spread around the base (within ~10 km)."""
    out = []
    for i in range(n):
        dlat = radius_deg * (((i * 37) % 17) / 8.5 - 1)
        dlon = radius_deg * (((i * 53) % 19) / 9.5 - 1)
        out.append(village(i, dlat, dlon, unrecorded + 13 * (i % 7)))
    return out


def scenario(sites, teams, days: int = 6, start: dt.date = MONDAY, **kw) -> Scenario:
    return Scenario(name="test", horizon=Horizon(start=start, days=days), sites=tuple(sites), teams=tuple(teams), **kw)


def solve(sc: Scenario, seconds: float = 2.0, **kw):
    """Plan in this process (tests stay single-process and quick)."""
    return plan_week(sc, SolveOptions(time_limit_s=seconds, workers=1, **kw))
