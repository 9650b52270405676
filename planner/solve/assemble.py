"""Turn solved routes into `Plan` team-days: places, clock times, travel, people, value."""

from __future__ import annotations

from dataclasses import dataclass

from planner.compile.capacity import service_minutes
from planner.compile.instance import DAY, Compiled
from planner.plan import Place, Stop, TeamDay
from planner.solve.schedule import advance, schedule_route


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


def build_team_day(
    c: Compiled,
    td_index: int,
    places: tuple[int, int],
    visits: list[Visit],
    depart: int | None = None,
    ready: int | None = None,
) -> tuple[TeamDay | None, list[Visit]]:
    """Schedule one team-day's visits in order; visits that cannot be kept are returned as dropped.

    `depart` (absolute minutes; default the shift start) is when the team leaves its start place and
    `ready` the earliest start of a visit (a re-plan's day already on its way). A day that cannot be
    timed even without visits (its drive home no longer fits) is returned with its return after the
    shift's end, for the caller to name; it never raises.
    """
    td = c.team_days[td_index]
    team = c.scenario.teams[td.team]
    dropped: list[Visit] = []
    leave = td.work_start if depart is None else depart
    while True:
        timed = _schedule(c, td_index, places, visits, leave, ready)
        if timed is not None or not visits:
            break
        dropped.append(visits.pop())  # the search kept the same rules; only a re-plan's facts get here
    timed = timed or []
    if not visits and places[0] == places[1] and places[0] < c.n_teams:
        return None, dropped  # a day at base with nothing to do; a day at a lodging is still reported
    dur, dist = c.duration_on(team.vehicle, td.day), c.distance[team.vehicle]
    path = [places[0]] + [c.site_point(v.site) for v in visits] + [places[1]]
    stops = []
    for k, (v, t) in enumerate(zip(visits, timed)):
        a, b = path[k], path[k + 1]
        stops.append(
            Stop(
                site_id=c.scenario.sites[v.site].id,
                visit=v.visit_no,
                arrival_min=t.arrival - td.day * DAY,
                start_min=t.start - td.day * DAY,
                end_min=t.end - td.day * DAY,
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
            depart_min=leave - td.day * DAY,
            return_min=return_abs - td.day * DAY,
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


def _schedule(c: Compiled, td_index: int, places: tuple[int, int], visits: list[Visit], depart: int, ready: int | None):
    td = c.team_days[td_index]
    team = c.scenario.teams[td.team]
    dur = c.duration_on(team.vehicle, td.day)
    path = [places[0]] + [c.site_point(v.site) for v in visits] + [places[1]]
    legs = [int(dur[a, b]) for a, b in zip(path, path[1:])]
    services = [service_minutes(v.people, td.kits, team.rate_per_kit_hour, team.setup_min) for v in visits]
    windows = [not_before(c.windows[v.site][td.day], ready) for v in visits]
    across = c.scenario.visits.record_across_breaks
    return schedule_route(depart, legs[:-1], services, windows, td.breaks, legs[-1], td.work_end, across)


def not_before(windows: tuple[tuple[int, int], ...], ready: int | None) -> tuple[tuple[int, int], ...]:
    """Opening windows cut to start no earlier than `ready` (None: as they are)."""
    if ready is None:
        return windows
    return tuple((max(w0, ready), w1) for w0, w1 in windows if w1 > max(w0, ready))
