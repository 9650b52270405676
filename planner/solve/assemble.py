"""Turn solved routes into `Plan` team-days: places, clock times, travel, people, value.

The one assembly every path uses: `plan_week` builds each day with `build_team_day`, the re-plan
builds its new days and the rest of a begun day with it too (`planner.replan.assembly`), and the
re-plan's warm start trims the previous routes with the same `time_visits`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


from planner.compile.capacity import service_minutes
from planner.compile.instance import DAY, Compiled, Matrix, WorkDay
from planner.model import Scenario
from planner.plan import IdleTeamDay, Kpis, LeftOut, Place, Plan, ReplanInfo, SolveInfo, Stop, TeamDay
from planner.solve.pending import with_pending
from planner.solve.schedule import Interval, Timed, advance, schedule_route


@dataclass(frozen=True)
class Visit:
    site: int
    visit_no: int
    people: int


def place(c: Compiled, point: int) -> Place:
    """The base of a team (points below n_teams) or a lodging site."""
    if point < c.n_teams:
        team = c.scenario.teams[point]
        return Place(kind="base", name=team.base_name or team.name, lat=team.base_lat, lon=team.base_lon)
    site = c.scenario.sites[point - c.n_teams]
    return Place(kind="lodging", site_id=site.id, name=site.name, lat=site.lat, lon=site.lon)


def time_visits(
    c: Compiled,
    td: WorkDay,
    dur: Matrix,
    path: Sequence[int],
    visits: Sequence[tuple[int, int]],
    depart: int,
    ready: int | None = None,
    max_drive: int | None = None,
) -> list[Timed] | None:
    """Times of `visits` ((site, people), in order) along `path` (start, one index per visit, end,
    into `dur`) on the work day `td`, leaving at `depart` and beginning no visit before `ready`;
    None when the order breaks a window, a break (visits may span one under
    `VisitRules.record_across_breaks`), the shift's end or `max_drive` minutes of driving."""
    team = c.scenario.teams[td.team]
    legs = [int(dur[a, b]) for a, b in zip(path, path[1:])]
    if max_drive is not None and sum(legs) > max_drive:
        return None
    services = [service_minutes(people, td.kits, team.rate_per_kit_hour, team.setup_min) for _, people in visits]
    windows = [not_before(c.windows[site][td.day], ready) for site, _ in visits]
    across = c.scenario.visits.record_across_breaks
    return schedule_route(depart, legs[:-1], services, windows, td.breaks, legs[-1], td.work_end, across)


def build_team_day(
    c: Compiled,
    td_index: int | WorkDay,
    places: tuple[int, int],
    visits: list[Visit],
    depart: int | None = None,
    ready: int | None = None,
    breaks: tuple[Interval, ...] | None = None,
    max_drive: int | None = None,
) -> tuple[TeamDay | None, list[Visit]]:
    """Schedule one team-day's visits in order; visits that cannot be kept are returned as dropped.

    `td_index` is the work day's index in `c.team_days` (or the work day itself). `depart` (absolute minutes; default the shift start) is when the team leaves its start place,
    `ready` the earliest start of a visit and `breaks` the breaks from `depart` on (a re-plan's day
    already on its way; default the work day's), `max_drive` the driving minutes it may still do
    (default: not checked, the search kept it). A day that cannot be timed even without visits (its
    drive home no longer fits) is returned with its return after the shift's end, for the caller to
    name; it never raises.
    """
    td = c.team_days[td_index] if isinstance(td_index, int) else td_index
    if breaks is not None:
        td = WorkDay(td.team, td.day, td.date, td.kits, td.work_start, td.work_end, breaks, td.capacity)
    team = c.scenario.teams[td.team]
    dur, dist = c.duration_on(team.vehicle, td.day), c.distance[team.vehicle]
    leave = td.work_start if depart is None else depart
    visits = list(visits)
    dropped: list[Visit] = []
    while True:
        path = [places[0]] + [c.site_point(v.site) for v in visits] + [places[1]]
        timed = time_visits(c, td, dur, path, [(v.site, v.people) for v in visits], leave, ready, max_drive)
        if timed is not None or not visits:
            break
        dropped.append(visits.pop())  # the search kept the same rules; only a re-plan's facts get here
    timed = timed or []
    if not visits and places[0] == places[1] and places[0] < c.n_teams:
        return None, dropped  # a day at base with nothing to do; a day at a lodging is still reported
    off = td.day * DAY
    stops = []
    for k, (v, t) in enumerate(zip(visits, timed)):
        a, b = path[k], path[k + 1]
        stops.append(
            Stop(
                site_id=c.scenario.sites[v.site].id,
                visit=v.visit_no,
                arrival_min=t.arrival - off,
                start_min=t.start - off,
                end_min=t.end - off,
                travel_min=int(dur[a, b]),
                travel_km=round(float(dist[a, b]), 3),
                people=v.people,
                value=round(v.people * float(c.weight[v.site]), 6),
            )
        )
    last, end = path[-2], path[-1]
    back_end = timed[-1].end if timed else leave
    return_abs = advance(back_end, int(dur[last, end]), td.breaks)
    travel_min = sum(s.travel_min for s in stops) + int(dur[last, end])
    travel_km = sum(s.travel_km for s in stops) + float(dist[last, end])
    return (
        TeamDay(
            team_id=team.id,
            date=td.date,
            working_kits=td.kits,
            start_place=place(c, places[0]),
            end_place=place(c, places[1]),
            depart_min=leave - off,
            return_min=return_abs - off,
            stops=stops,
            return_travel_min=int(dur[last, end]),
            return_travel_km=round(float(dist[last, end]), 3),
            travel_min=travel_min,
            travel_km=round(travel_km, 3),
            recordings=sum(s.people for s in stops),
            capacity=td.capacity,
        ),
        dropped,
    )


def not_before(windows: tuple[Interval, ...], ready: int | None) -> tuple[Interval, ...]:
    """Opening windows cut to start no earlier than `ready` (None: as they are)."""
    if ready is None:
        return windows
    return tuple((max(w0, ready), w1) for w0, w1 in windows if w1 > max(w0, ready))


def week_plan(
    scenario: Scenario,
    team_days: list[TeamDay],
    left_out: list[LeftOut],
    idle: list[IdleTeamDay],
    kpis: Kpis,
    solve: SolveInfo,
    scenario_file: str | None = None,
    replan: ReplanInfo | None = None,
) -> Plan:
    """The `Plan` of assembled team-days (`plan_week` and the re-plan build it here), with the
    records each day leaves unsent (`with_pending`)."""
    return with_pending(scenario, Plan(
        scenario_name=scenario.name,
        horizon_start=scenario.horizon.start,
        horizon_days=scenario.horizon.days,
        scenario_file=scenario_file,
        kpis=kpis,
        team_days=team_days,
        left_out=left_out,
        solve=solve,
        idle=idle,
        replan=replan,
    ))
