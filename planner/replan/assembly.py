"""Assembling the re-planned week: each site's visits numbered by date (kept ones first) and sized by
the rule, then whole kept days, continued days and new days as `TeamDay`s."""

from __future__ import annotations

import numpy as np

from planner.compile.capacity import expected_people, service_minutes, team_day_capacity
from planner.compile.instance import DAY, Compiled
from planner.plan import Stop, StopOutcome, TeamDay
from planner.replan.kept import KeptDay, Key
from planner.replan.rest import Rest
from planner.solve.assemble import Visit, build_team_day, not_before, place
from planner.solve.schedule import advance, schedule_route


def number_visits(c: Compiled, kept: dict[Key, KeptDay], rest: Rest, visits: dict[int, list[Visit]]):
    """Number each site's visits by date (kept ones first on a date) and size the planned ones by the rule."""
    sc = c.scenario
    index = {s.id: i for i, s in enumerate(sc.sites)}
    order = []
    for key, k in kept.items():
        for pos, stop in enumerate(k.stops):
            order.append(((key[1], 0, key[0], pos), ("kept", key, pos)))
    for j, seq in visits.items():
        for pos, v in enumerate(seq):
            order.append(((rest.c.team_days[j].date, 1, v.visit_no, j, pos), ("new", j, pos)))  # the model keeps numbers in date order
    order.sort(key=lambda x: x[0])
    count = np.zeros(len(sc.sites), dtype=np.int64)
    remaining = np.array([s.unrecorded for s in sc.sites], dtype=np.int64)
    fixed: dict[Key, list[Stop]] = {key: list(k.stops) for key, k in kept.items()}
    new: dict[int, list] = {j: [] for j in visits}
    for _, (what, a, pos) in order:
        if what == "kept":
            stop = fixed[a][pos]
            if stop.outcome == StopOutcome.missed:
                continue
            s = index[stop.site_id]
            count[s] += 1
            remaining[s] = max(0, remaining[s] - stop.people)
            fixed[a][pos] = stop.model_copy(update={"visit": int(count[s])})
        else:
            v = visits[a][pos]
            k = int(count[v.site]) + 1
            people = expected_people(sc.sites[v.site], sc.visits, k, int(remaining[v.site]), v.people)
            if people <= 0:
                continue
            count[v.site], remaining[v.site] = k, remaining[v.site] - people
            new[a].append((pos, Visit(v.site, k, people)))
    return fixed, {a: [v for _, v in sorted(seq, key=lambda x: x[0])] for a, seq in new.items()}  # route order


def assemble_week(c: Compiled, rest: Rest, kept: dict[Key, KeptDay], fixed: dict[Key, list[Stop]], new: dict[int, list[Visit]]) -> tuple[list[TeamDay], int]:
    """Whole kept days, continued days and new days of the week, by team and date; and how many
    solved visits the schedule could not time (0 when the routing model and the schedule agree)."""
    sc = c.scenario
    out: dict[Key, TeamDay] = {}
    dropped = 0
    for key, k in kept.items():
        if k.whole:
            stops = fixed[key]
            out[key] = k.old.model_copy(update={"stops": stops, "recordings": sum(s.people for s in stops)})
    rest_of = {(sc.teams[td.team].id, td.date): j for j, td in enumerate(rest.c.team_days)}
    team_index = {t.id: i for i, t in enumerate(sc.teams)}
    for key, k in kept.items():
        if not k.whole:
            j = rest_of.get(key)
            end = rest.places[j][1] if j is not None else team_index[key[0]]  # no time left: home
            planned = new.get(j, []) if j is not None else []
            out[key] = _continue_day(c, k, fixed[key], planned, end)
            dropped += len(planned) - (len(out[key].stops) - len(fixed[key]))
    for j, td in enumerate(rest.c.team_days):
        key = (sc.teams[td.team].id, td.date)
        if key in out:
            continue
        leave, ready = (rest.depart[j][0], td.work_start) if j in rest.depart else (None, None)
        day, lost = build_team_day(rest.c, j, rest.places[j], list(new.get(j, [])), leave, ready)
        dropped += len(lost)
        if day is not None:
            out[key] = day
    team_order = {t.id: i for i, t in enumerate(sc.teams)}
    return [out[k] for k in sorted(out, key=lambda k: (team_order[k[0]], k[1]))], dropped


def _continue_day(c: Compiled, k: KeptDay, fixed: list[Stop], visits: list[Visit], end: int) -> TeamDay:
    """A day begun before the re-plan time: the kept stops, then the new visits from the last one."""
    sc = c.scenario
    team = sc.team_by_id()[k.old.team_id]
    site_index = {s.id: i for i, s in enumerate(sc.sites)}
    day = (k.old.date - sc.horizon.start).days
    off = day * DAY
    shift = team.shift_on(k.old.date)
    kits = team.working_kits(k.old.date)
    breaks = tuple((off + b.start, off + b.end) for b in shift.breaks) if shift else ()
    work_end = off + (shift.work.end if shift else k.old.return_min)
    dur, dist = c.duration_on(team.vehicle, day), c.distance[team.vehicle]
    last = c.site_point(site_index[fixed[-1].site_id])
    depart, ready = off + fixed[-1].end_min, off + k.ready
    fixed_drive = sum(s.travel_min for s in fixed)
    visits = list(visits)
    while True:
        path = [last] + [c.site_point(v.site) for v in visits] + [end]
        legs = [int(dur[a, b]) for a, b in zip(path, path[1:])]
        services = [service_minutes(v.people, kits, team.rate_per_kit_hour, team.setup_min) for v in visits]
        windows = [not_before(c.windows[v.site][day], ready) for v in visits]
        timed = schedule_route(depart, legs[:-1], services, windows, breaks, legs[-1], work_end, sc.visits.record_across_breaks)
        if (timed is not None and fixed_drive + sum(legs) <= team.max_drive_min) or not visits:
            break
        visits.pop()
    timed = timed or []
    stops = list(fixed)
    for n, (v, t) in enumerate(zip(visits, timed)):
        a, b = path[n], path[n + 1]
        stops.append(Stop(
            site_id=sc.sites[v.site].id, visit=v.visit_no, arrival_min=t.arrival - off, start_min=t.start - off,
            end_min=t.end - off, travel_min=int(dur[a, b]), travel_km=round(float(dist[a, b]), 3),
            people=v.people, value=round(v.people * float(c.weight[v.site]), 6),
        ))
    back_from = timed[-1].end if timed else depart
    a = path[len(timed)]
    return_abs = advance(back_from, int(dur[a, end]), breaks)
    travel_min = sum(s.travel_min for s in stops) + int(dur[a, end])
    travel_km = sum(s.travel_km for s in stops) + float(dist[a, end])
    return k.old.model_copy(update={
        "working_kits": kits,
        "end_place": place(c, end),
        "return_min": return_abs - off,
        "stops": stops,
        "return_travel_min": int(dur[a, end]),
        "return_travel_km": round(float(dist[a, end]), 3),
        "travel_min": travel_min,
        "travel_km": round(travel_km, 3),
        "recordings": sum(s.people for s in stops),
        "capacity": team_day_capacity(team, k.old.date),
    })
