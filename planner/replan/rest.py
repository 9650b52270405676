"""The rest of the week to plan again: the team-days from the re-plan time on as a compiled week of
their own (a begun day continues from its last kept visit), the visit sizes still possible and its bound."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import numpy as np

from planner import units
from planner.check.bound import upper_bound
from planner.compile.capacity import expected_people, most_in_one_visit
from planner.compile.instance import DAY, Compiled
from planner.compile.instance import WorkDay
from planner.compile.reach import reach_matrix
from planner.plan import Place, Plan, StopOutcome, TeamDay
from planner.replan.kept import KeptDay, Key


Places = tuple[int, int]  # start and end point of a team-day
Departure = tuple[int, tuple[tuple[int, int], ...]]  # when a begun day leaves its last visit, and the breaks from then


@dataclass
class Rest:
    """The team-days still to plan, as a compiled week of their own."""

    c: Compiled  # the updated week with only the team-days to plan, and the sizes of the visits left
    src: list[int]  # per rest team-day: index in the full compiled week
    places: dict[int, tuple[int, int]]  # per rest team-day: start and end point
    drive_left: list[int]  # per rest team-day: driving minutes left
    done: np.ndarray  # per site: visits kept as facts (not missed)
    recorded: np.ndarray  # per site: people of those visits
    # per rest team-day begun before the re-plan time: when the team leaves its last kept visit
    # (that visit's end, as the schedule and the validator time it) and the breaks from then on
    depart: dict[int, tuple[int, tuple[tuple[int, int], ...]]] = dataclasses.field(default_factory=dict)
    kept_sites: dict[int, frozenset[int]] = dataclasses.field(default_factory=dict)  # sites visited that day already


def rest_bound(rest: Rest) -> int:
    """No plan of the rest of the week records more: the max flow bound with each site's demand the
    people it has left (what the validator lets planned visits take), not its visit sizes."""
    if not rest.c.team_days:
        return 0
    sc = rest.c.scenario
    left = [[max(0, s.unrecorded - int(r))] if len(sizes) > int(d) else [] for s, r, d, sizes in
            zip(sc.sites, rest.recorded, rest.done, rest.c.sizes)]
    c = dataclasses.replace(rest.c, sizes=left)
    # reach is judged on the real visit sizes (their last is the smallest visit), not on the demand
    return upper_bound(c, reach_matrix(rest.c, rest.places), rest.places)


def previous_places(c: Compiled, plan: Plan) -> dict[Key, tuple[int, int]]:
    """Start and end point of every previous team-day (base or lodging)."""
    team_index = {t.id: i for i, t in enumerate(c.scenario.teams)}
    site_index = {s.id: i for i, s in enumerate(c.scenario.sites)}

    def point(td: TeamDay, p: Place) -> int:
        return team_index[td.team_id] if p.kind == "base" or p.site_id is None else c.site_point(site_index[p.site_id])

    return {(td.team_id, td.date): (point(td, td.start_place), point(td, td.end_place)) for td in plan.team_days}


def rest_week(c: Compiled, kept: dict[Key, KeptDay], first: dt.date, from_time: dt.datetime, old_places: dict[Key, Places]) -> Rest:
    """Team-days from the re-plan time on: a day begun continues from its last visit, not before `ready`."""
    sc = c.scenario
    site_index = {s.id: i for i, s in enumerate(sc.sites)}
    from_abs = (from_time.date() - sc.horizon.start).days * DAY + from_time.hour * 60 + from_time.minute
    rest: list[WorkDay] = []
    src: list[int] = []
    places: dict[int, Places] = {}
    drive_left: list[int] = []
    depart: dict[int, Departure] = {}
    kept_sites: dict[int, frozenset[int]] = {}
    for i, td in enumerate(c.team_days):
        if td.date < first:
            continue
        team = sc.teams[td.team]
        key = (team.id, td.date)
        start, end = old_places.get(key, (td.team, td.team))
        work_start, driven, leave = td.work_start, 0, None
        k = kept.get(key)
        if k is not None and k.stops:
            start = c.site_point(site_index[k.stops[-1].site_id])
            work_start = max(work_start, td.day * DAY + k.ready)
            driven = sum(s.travel_min for s in k.stops)
            leave = min(work_start, td.day * DAY + k.stops[-1].end_min)
        else:
            work_start = max(work_start, from_abs)
        if work_start >= td.work_end:
            if k is None and start == end and start < c.n_teams:
                continue  # a day at base that is over: nothing to plan or report
            work_start = td.work_end  # begun or moving the team: timed to its end place all the same
        breaks = _breaks_from(td.breaks, work_start)
        if leave is not None and k is not None:
            depart[len(rest)] = (leave, _breaks_from(td.breaks, leave))
            kept_sites[len(rest)] = frozenset(site_index[s.site_id] for s in k.stops if s.outcome != StopOutcome.missed)
        places[len(rest)] = (start, end)
        rest.append(dataclasses.replace(td, work_start=work_start, breaks=breaks))
        src.append(i)
        drive_left.append(max(0, team.max_drive_min - driven))
    _fix_lodging(c, rest, places, kept, old_places)
    _on_its_way(c, rest, src, places, depart)
    done, recorded = _kept_counts(c, kept)
    rest_c = dataclasses.replace(c, team_days=rest, sizes=_rest_sizes(c, rest, done, recorded))
    return Rest(rest_c, src, places, drive_left, done, recorded, depart, kept_sites)


def _breaks_from(breaks: tuple[tuple[int, int], ...], t: int) -> tuple[tuple[int, int], ...]:
    """The breaks (or what is left of them) after clock time `t`."""
    return tuple((max(b0, t), b1) for b0, b1 in breaks if b1 > t)


def _on_its_way(c: Compiled, rest: list[WorkDay], src: list[int], places: dict[int, Places], depart: dict[int, Departure]) -> None:
    """A day that moves the team (to or from a lodging) and has begun no visit by the re-plan time
    keeps its departure at the shift start: the team is on its way. It begins no new visit before
    the re-plan time, but its drive to its end place is not pushed past the shift's end (a boat team
    leaving a far lodging in the morning is not put back at the lodging at noon)."""
    for j, td in enumerate(rest):
        start, end = places[j]
        shift_start = c.team_days[src[j]].work_start
        if j in depart or start == end or td.work_start <= shift_start:
            continue
        breaks = c.team_days[src[j]].breaks
        depart[j] = (shift_start, breaks)
        rest[j] = dataclasses.replace(td, breaks=breaks)  # it drove through the morning's breaks


def _fix_lodging(c: Compiled, rest: list[WorkDay], places: dict[int, Places], kept: dict[Key, KeptDay], old_places: dict[Key, Places]) -> None:
    """A night at a lodging needs the next day to start there and the reverse; otherwise the team goes home."""
    one = dt.timedelta(days=1)
    team_ids = [t.id for t in c.scenario.teams]
    keys = [(team_ids[td.team], td.date) for td in rest]
    begun = [kept.get(key) is not None and bool(kept[key].stops) for key in keys]
    starts = {key: old_places[key][0] if b else places[j][0] for j, (key, b) in enumerate(zip(keys, begun))}
    for j, (team_id, day) in enumerate(keys):
        start, end = places[j]
        if end >= c.n_teams and starts.get((team_id, day + one)) != end:
            places[j] = (start, rest[j].team)
    ends = {key: old_places[key][1] for key, k in kept.items() if k.whole}
    ends.update({key: places[j][1] for j, key in enumerate(keys)})
    for j, (team_id, day) in enumerate(keys):
        start, end = places[j]
        if not begun[j] and start >= c.n_teams and ends.get((team_id, day - one)) != start:
            places[j] = (rest[j].team, end)


def _kept_counts(c: Compiled, kept: dict[Key, KeptDay]) -> tuple[np.ndarray, np.ndarray]:
    """Per site: visits kept as made (not missed) and their people."""
    index = {s.id: i for i, s in enumerate(c.scenario.sites)}
    done = np.zeros(len(c.scenario.sites), dtype=np.int64)
    recorded = np.zeros(len(c.scenario.sites), dtype=np.int64)
    for k in kept.values():
        for s in k.stops:
            if s.outcome != StopOutcome.missed:
                done[index[s.site_id]] += 1
                recorded[index[s.site_id]] += s.people
    return done, recorded


def _rest_sizes(c: Compiled, rest: list[WorkDay], done: np.ndarray, recorded: np.ndarray) -> list[list[int]]:
    """People per visit still possible: visits after the kept ones, on what those left (kept visits count 0)."""
    sc, rules = c.scenario, c.scenario.visits
    dates = sorted({td.date for td in rest})
    out = []
    for s, site in enumerate(sc.sites):
        teams = [sc.teams[t] for t in np.nonzero(c.compatible[:, s])[0]]
        fits = most_in_one_visit(site, teams, dates) if dates else None
        sizes = [0] * int(done[s])
        if fits is None or fits <= 0:
            out.append(sizes if done[s] else [])
            continue
        cap = max(1, min(rules.max_people_per_visit, fits))
        remaining = max(0, site.unrecorded - int(recorded[s]))
        for k in range(int(done[s]) + 1, rules.max_visits_per_site + 1):
            people = expected_people(site, rules, k, remaining, cap)
            if people <= 0 or (k > 1 and people < units.MIN_PEOPLE_REPEAT_VISIT):
                break
            sizes.append(people)
            remaining -= people
        out.append(sizes)
    return out
