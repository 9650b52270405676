"""Assembling the re-planned week with the one assembly of `plan_week` (`planner.solve.assemble`):
each site's visits numbered by date (kept ones first) and sized by the rule (`renumber_visits`),
then whole kept days, continued days (the kept stops, then the rest of the day built as any other)
and new days as `TeamDay`s."""

from __future__ import annotations

from planner.compile.capacity import team_day_capacity
from planner.compile.instance import DAY, Compiled, WorkDay
from planner.plan import Stop, StopOutcome, TeamDay
from planner.replan.kept import KeptDay, Key
from planner.replan.rest import Rest
from planner.solve.assemble import Visit, build_team_day
from planner.solve.week import renumber_visits


def number_visits(
    c: Compiled, kept: dict[Key, KeptDay], rest: Rest, visits: dict[int, list[Visit]]
) -> tuple[dict[Key, list[Stop]], dict[int, list[Visit]]]:
    """Number each site's visits by date (the kept ones first: they are all on or before the first
    re-planned date) and size the planned ones by the rule, after what the kept ones recorded."""
    sc = c.scenario
    index = {s.id: i for i, s in enumerate(sc.sites)}
    made: dict[int, int] = {}
    remaining = {s: site.unrecorded for s, site in enumerate(sc.sites)}
    fixed: dict[Key, list[Stop]] = {}
    for key in sorted(kept, key=lambda key: (key[1], key[0])):
        stops = []
        for stop in kept[key].stops:
            if stop.outcome != StopOutcome.missed:
                s = index[stop.site_id]
                made[s] = made.get(s, 0) + 1
                remaining[s] = max(0, remaining[s] - stop.people)
                stop = stop.model_copy(update={"visit": made[s]})
            stops.append(stop)
        fixed[key] = stops
    return {key: fixed[key] for key in kept}, renumber_visits(rest.c, visits, made, remaining)


def assemble_week(
    c: Compiled, rest: Rest, kept: dict[Key, KeptDay], fixed: dict[Key, list[Stop]], new: dict[int, list[Visit]]
) -> tuple[list[TeamDay], int]:
    """Whole kept days, continued days and new days of the week, by team and date; and how many
    solved visits the schedule could not time (0 when the routing model and the schedule agree)."""
    sc = c.scenario
    out: dict[Key, TeamDay] = {}
    dropped = 0
    rest_of = {(sc.teams[td.team].id, td.date): j for j, td in enumerate(rest.c.team_days)}
    for key, k in kept.items():
        stops = fixed[key]
        if k.whole:
            out[key] = k.old.model_copy(update={"stops": stops, "recordings": sum(s.people for s in stops)})
            continue
        day, lost = _continue_day(c, rest, rest_of.get(key), k, stops, new)
        out[key] = day
        dropped += lost
    for j, td in enumerate(rest.c.team_days):
        key = (sc.teams[td.team].id, td.date)
        if key in out:
            continue
        leave, ready = (rest.depart[j][0], td.work_start) if j in rest.depart else (None, None)
        team_day, lost_visits = build_team_day(rest.c, j, rest.places[j], list(new.get(j, [])), leave, ready)
        dropped += len(lost_visits)
        if team_day is not None:
            out[key] = team_day
    team_order = {t.id: i for i, t in enumerate(sc.teams)}
    return [out[k] for k in sorted(out, key=lambda k: (team_order[k[0]], k[1]))], dropped


def _continue_day(
    c: Compiled, rest: Rest, j: int | None, k: KeptDay, fixed: list[Stop], new: dict[int, list[Visit]]
) -> tuple[TeamDay, int]:
    """A day begun before the re-plan time: the kept stops, then the rest of the day as the search
    saw it (`Rest`: from the last kept visit, its end as departure, the driving left), built by
    `build_team_day`; and how many of its solved visits could not be timed."""
    sc = c.scenario
    team = sc.team_by_id()[k.old.team_id]
    work_day: int | WorkDay
    if j is None:  # no work day left to plan (no time left): from the last kept visit home
        work_day, places, depart, breaks, visits = _home(c, k), (c.site_point(_site(c, fixed[-1])), sc.teams.index(team)), None, None, []
        drive_left = None
    else:
        work_day, places, visits = j, rest.places[j], list(new.get(j, []))
        depart, breaks = rest.depart.get(j, (None, None))
        drive_left = rest.drive_left[j]
    ready = rest.c.team_days[j].work_start if j is not None else None
    tail, lost = build_team_day(rest.c, work_day, places, visits, depart, ready, breaks, drive_left)
    assert tail is not None  # it starts at a site, never a day at base with nothing to do
    stops = list(fixed) + tail.stops
    return k.old.model_copy(update={
        "working_kits": tail.working_kits,
        "end_place": tail.end_place,
        "return_min": tail.return_min,
        "stops": stops,
        "return_travel_min": tail.return_travel_min,
        "return_travel_km": tail.return_travel_km,
        "travel_min": sum(s.travel_min for s in fixed) + tail.travel_min,
        "travel_km": round(sum(s.travel_km for s in fixed) + tail.travel_km, 3),
        "recordings": sum(s.people for s in stops),
        "capacity": team_day_capacity(team, k.old.date),
    }), len(lost)


def _site(c: Compiled, stop: Stop) -> int:
    return next(i for i, s in enumerate(c.scenario.sites) if s.id == stop.site_id)


def _home(c: Compiled, k: KeptDay) -> WorkDay:
    """The work day of a begun day the compiled week no longer has: from its last kept visit to the shift's end."""
    sc = c.scenario
    team = sc.team_by_id()[k.old.team_id]
    day = (k.old.date - sc.horizon.start).days
    off = day * DAY
    shift = team.shift_on(k.old.date)
    breaks = tuple((off + b.start, off + b.end) for b in shift.breaks) if shift else ()
    work_end = off + (shift.work.end if shift else k.old.return_min)
    start = off + k.stops[-1].end_min
    return WorkDay(sc.teams.index(team), day, k.old.date, team.working_kits(k.old.date), start, work_end, breaks, 0)
