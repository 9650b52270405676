"""Re-plan the rest of a week from a given time, with the field's facts, keeping what was done.

* Visits before the re-plan time (and visits reported done or missed) are kept as facts: done ones
  with the recorded people, missed ones with nobody, unreported ones assumed made as planned.
* A team out in the field at the re-plan time continues from its last visit begun, not before the
  re-plan time (or the reported end of that visit); its next visits, the one it is driving to
  included, are planned again. A team that has left but not begun a visit is planned again from
  its start place at the re-plan time.
* The rest of the week is solved again on the scenario with the facts applied (`planner.replan.facts`),
  starting the search from the previous plan (warm start) and charging `move_penalty` weighted
  recordings for every previous visit served by another team-day or dropped, so a visit moves only
  when that gains enough. Churn (kept, moved, added, dropped) is reported beside the gain.
* No outcome that changes anything → the previous plan is returned as it was (`replan.unchanged`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from dataclasses import dataclass

import numpy as np

from planner import units
from planner.solve.assemble import Visit, build_team_day, place
from planner.check.bound import upper_bound
from planner.compile.capacity import expected_people, most_in_one_visit, service_minutes, team_day_capacity
from planner.replan.churn import OldVisit, mark_churn
from planner.compile.instance import DAY, Compiled, TeamDay as CompiledDay, compile_scenario
from planner.replan.facts import Frozen, apply_facts
from planner.check.kpis import compute_kpis
from planner.model import Scenario
from planner.io.outcomes import Outcomes, OutcomesError, VisitDone, VisitMissed, check_outcomes
from planner.solve.parts import provincial_part, regency_parts, visit_start_windows
from planner.plan import Churn, LeftOut, Plan, ReplanInfo, SolveInfo, Stop, StopOutcome, TeamDay
from planner.compile.reach import reach_matrix
from planner.check.reasons import left_out_reason
from planner.replan.roll import roll_week  # noqa: F401  (the API's second entry point lives beside this one)
from planner.solve.routing import SCALE, PartInstance, Vehicle
from planner.solve.schedule import advance, schedule_route
from planner.solve.week import SolveOptions, solve_stages
from planner.compile.travel import TravelProvider, UNREACHABLE_MIN

Key = tuple[str, dt.date]  # (team id, date)


@dataclass(frozen=True)
class ReplanOptions:
    """Search limits, and how much a visit must gain (weighted recordings) to move or be dropped."""

    solve: SolveOptions = SolveOptions()
    move_penalty: float = 10.0
    warm_start: bool = True


@dataclass
class KeptDay:
    """A previous team-day's visits kept as facts (its first `len(stops)` stops)."""

    old: TeamDay
    stops: list[Stop]
    ready: int  # clock minute from which the team can do anything new that day
    whole: bool  # a day before the re-plan date: nothing of it is planned again


# --------------------------------------------------------------------------- entry point


def replan(
    scenario: Scenario,
    old_plan: Plan,
    outcomes: Outcomes,
    from_time: dt.datetime,
    options: ReplanOptions = ReplanOptions(),
    provider: TravelProvider | None = None,
    scenario_file: str | None = None,
) -> tuple[Plan, Churn]:
    """The re-planned week and its churn (see module doc). Raises OutcomesError for bad outcomes."""
    t0 = time.monotonic()
    report = check_outcomes(outcomes, scenario, old_plan)
    if not report.ok:
        raise OutcomesError(report)
    kept, frozen = freeze(scenario, old_plan, outcomes, from_time)
    updated = apply_facts(scenario, outcomes, frozen)
    old_rest = _old_rest(old_plan, kept)
    if _nothing_changes(scenario, updated, kept):
        team_days, kpis, left, status, parts = _unchanged(old_plan, kept), old_plan.kpis, old_plan.left_out, "unchanged", 0
    else:
        c = compile_scenario(updated, provider)
        team_days, bound, left, status, parts = _resolve(c, old_plan, kept, frozen, from_time, options)
        kpis = compute_kpis(updated, team_days, bound, len(left))
    churn = mark_churn(old_rest, team_days, old_plan.kpis.expected_recordings)
    plan = Plan(
        scenario_name=updated.name,
        horizon_start=updated.horizon.start,
        horizon_days=updated.horizon.days,
        scenario_file=scenario_file,
        kpis=kpis,
        team_days=team_days,
        left_out=left,
        solve=SolveInfo(
            seed=options.solve.seed, time_limit_s=options.solve.time_limit_s,
            wall_s=round(time.monotonic() - t0, 2), parts=parts, status=status,
        ),
        replan=ReplanInfo(from_time=from_time, facts=len(outcomes.outcomes), unchanged=status == "unchanged", churn=churn),
    )
    return plan, churn


def replanned_scenario(scenario: Scenario, old_plan: Plan, outcomes: Outcomes, from_time: dt.datetime) -> Scenario:
    """The scenario a re-planned plan is valid for: the facts applied to the dates still to plan."""
    _, frozen = freeze(scenario, old_plan, outcomes, from_time)
    return apply_facts(scenario, outcomes, frozen)


# --------------------------------------------------------------------------- what is kept


def freeze(scenario: Scenario, plan: Plan, outcomes: Outcomes, from_time: dt.datetime) -> tuple[dict[Key, KeptDay], Frozen]:
    """The previous plan's visits kept as facts, per team-day, and what that fixes for the facts."""
    first = max(from_time.date(), scenario.horizon.start)
    clock = from_time.hour * 60 + from_time.minute if from_time.date() >= scenario.horizon.start else 0
    done = {(o.site_id, o.team_id, o.date): o for o in outcomes.of(VisitDone)}
    missed = {(o.site_id, o.team_id, o.date) for o in outcomes.of(VisitMissed)}
    facts = done.keys() | missed
    no_kit = scenario.districts_without_fixed_kit()
    weight = {s.id: scenario.site_weight(s, no_kit) for s in scenario.sites}
    kept: dict[Key, KeptDay] = {}
    for td in plan.team_days:
        reported = [k for k, s in enumerate(td.stops) if (s.site_id, td.team_id, td.date) in facts]
        started = [k for k, s in enumerate(td.stops) if td.date == first and s.start_min < clock]
        whole = td.date < first
        n = len(td.stops) if whole else max(reported + started, default=-1) + 1
        if not whole and n == 0:
            continue
        stops = _as_facts(td, n, done, missed, weight)
        ready = max([clock if td.date == first else 0] + [s.end_min for s in stops] + [s.actual_end_min or 0 for s in stops])
        kept[(td.team_id, td.date)] = KeptDay(old=td, stops=stops, ready=ready, whole=whole)
    frozen = Frozen(
        first_date=first,
        started_teams=frozenset(t for (t, d), k in kept.items() if d == first and k.stops),
        visited=frozenset((s.site_id, d) for (_, d), k in kept.items() for s in k.stops if s.outcome != StopOutcome.missed),
    )
    return kept, frozen


def _as_facts(td: TeamDay, n: int, done: dict, missed: set, weight: dict[str, float]) -> list[Stop]:
    """The first `n` stops of a day as facts: recorded people when done, nobody when missed.

    A report names a site, team and date; when the plan has several visits there that day (one
    long stay split into visits), the recorded people are shared in proportion to the planned ones.
    """
    shares = _shares(td, done)
    out = []
    for pos, stop in enumerate(td.stops[:n]):
        key = (stop.site_id, td.team_id, td.date)
        if key in missed or (key in done and shares[pos] == 0):
            people, update = 0, {"outcome": StopOutcome.missed}
        elif key in done:
            people = shares[pos]
            update = {"outcome": StopOutcome.done, "actual_start_min": done[key].start, "actual_end_min": done[key].end}
        else:
            people, update = stop.people, {"outcome": StopOutcome.assumed_done}
        out.append(stop.model_copy(update={**update, "people": people, "value": round(people * weight[stop.site_id], 6)}))
    return out


def _shares(td: TeamDay, done: dict) -> dict[int, int]:
    """Per stop position with a done report: its share of the recorded people (largest remainder)."""
    groups: dict[str, list[int]] = {}
    for pos, stop in enumerate(td.stops):
        if (stop.site_id, td.team_id, td.date) in done:
            groups.setdefault(stop.site_id, []).append(pos)
    out = {}
    for site_id, positions in groups.items():
        total = done[(site_id, td.team_id, td.date)].people
        planned = [max(1, td.stops[p].people) for p in positions]
        raw = [total * w / sum(planned) for w in planned]
        parts = [int(x) for x in raw]
        for i in sorted(range(len(raw)), key=lambda i: parts[i] - raw[i])[: total - sum(parts)]:
            parts[i] += 1
        out.update(zip(positions, parts))
    return out


def _old_rest(plan: Plan, kept: dict[Key, KeptDay]) -> list[OldVisit]:
    """The previous plan's visits that are planned again."""
    out = []
    for td in plan.team_days:
        k = kept.get((td.team_id, td.date))
        n = len(k.stops) if k else 0
        out += [OldVisit(s.site_id, td.team_id, td.date, s.people) for s in td.stops[n:]]
    return out


def _nothing_changes(scenario: Scenario, updated: Scenario, kept: dict[Key, KeptDay]) -> bool:
    """No fact changes the scenario and every reported visit went exactly as planned."""
    if updated != scenario:
        return False
    for k in kept.values():
        for old, new in zip(k.old.stops, k.stops):
            if new.outcome == StopOutcome.missed or new.people != old.people:
                return False
    return True


def _unchanged(plan: Plan, kept: dict[Key, KeptDay]) -> list[TeamDay]:
    """The previous team-days with kept stops marked as facts (people and times as they were)."""
    out = []
    for td in plan.team_days:
        k = kept.get((td.team_id, td.date))
        stops = (k.stops if k else []) + [s.model_copy() for s in td.stops[len(k.stops) if k else 0 :]]
        out.append(td.model_copy(update={"stops": stops}))
    return out


# --------------------------------------------------------------------------- the rest of the week


@dataclass
class _Rest:
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


def _resolve(c: Compiled, old_plan: Plan, kept: dict[Key, KeptDay], frozen: Frozen, from_time: dt.datetime, options: ReplanOptions):
    """Solve the rest of the week and assemble the whole week's team-days, bound and left-out sites."""
    sc = c.scenario
    old_places = _old_places(c, old_plan)
    rest = _rest_week(c, kept, frozen.first_date, from_time, old_places)
    visits, parts, status = _solve_rest(rest, old_plan, kept, options)
    numbered_fixed, numbered_new = _number(c, kept, rest, visits)
    team_days, dropped = _assemble(c, rest, kept, numbered_fixed, numbered_new)
    if dropped:
        status += f"; {dropped} visits dropped while timing routes"
    full_places = {i: old_places.get((sc.teams[td.team].id, td.date), (td.team, td.team)) for i, td in enumerate(c.team_days)}
    for j, i in enumerate(rest.src):
        full_places[i] = rest.places[j]
    served = {s.site_id for td in team_days for s in td.stops if s.outcome != StopOutcome.missed}
    reach = reach_matrix(c, full_places)
    left = []
    for s, site in enumerate(sc.sites):
        if site.id not in served:
            reason, detail = left_out_reason(c, s, reach)
            left.append(LeftOut(site_id=site.id, reason=reason, detail=detail, unrecorded=site.unrecorded, remaining_after_plan=site.unrecorded))
    bound = int(rest.recorded.sum()) + _rest_bound(rest)
    return team_days, bound, left, status, parts


def _rest_bound(rest: _Rest) -> int:
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


def _old_places(c: Compiled, plan: Plan) -> dict[Key, tuple[int, int]]:
    """Start and end point of every previous team-day (base or lodging)."""
    team_index = {t.id: i for i, t in enumerate(c.scenario.teams)}
    site_index = {s.id: i for i, s in enumerate(c.scenario.sites)}

    def point(td: TeamDay, p) -> int:
        return team_index[td.team_id] if p.kind == "base" else c.site_point(site_index[p.site_id])

    return {(td.team_id, td.date): (point(td, td.start_place), point(td, td.end_place)) for td in plan.team_days}


def _rest_week(c: Compiled, kept: dict[Key, KeptDay], first: dt.date, from_time: dt.datetime, old_places) -> _Rest:
    """Team-days from the re-plan time on: a day begun continues from its last visit, not before `ready`."""
    sc = c.scenario
    site_index = {s.id: i for i, s in enumerate(sc.sites)}
    from_abs = (from_time.date() - sc.horizon.start).days * DAY + from_time.hour * 60 + from_time.minute
    rest, src, places, drive_left, depart, kept_sites = [], [], {}, [], {}, {}
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
        if work_start >= td.work_end or driven >= team.max_drive_min:
            continue
        breaks = _breaks_from(td.breaks, work_start)
        if leave is not None:
            depart[len(rest)] = (leave, _breaks_from(td.breaks, leave))
            kept_sites[len(rest)] = frozenset(site_index[s.site_id] for s in k.stops if s.outcome != StopOutcome.missed)
        places[len(rest)] = (start, end)
        rest.append(dataclasses.replace(td, work_start=work_start, breaks=breaks))
        src.append(i)
        drive_left.append(team.max_drive_min - driven)
    _fix_lodging(c, rest, places, kept, old_places)
    done, recorded = _kept_counts(c, kept)
    rest_c = dataclasses.replace(c, team_days=rest, sizes=_rest_sizes(c, rest, done, recorded))
    return _Rest(rest_c, src, places, drive_left, done, recorded, depart, kept_sites)


def _breaks_from(breaks: tuple[tuple[int, int], ...], t: int) -> tuple[tuple[int, int], ...]:
    """The breaks (or what is left of them) after clock time `t`."""
    return tuple((max(b0, t), b1) for b0, b1 in breaks if b1 > t)


def _fix_lodging(c: Compiled, rest: list[CompiledDay], places: dict, kept: dict[Key, KeptDay], old_places) -> None:
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


def _rest_sizes(c: Compiled, rest: list[CompiledDay], done: np.ndarray, recorded: np.ndarray) -> list[list[int]]:
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


# --------------------------------------------------------------------------- solving


def _solve_rest(rest: _Rest, old_plan: Plan, kept: dict[Key, KeptDay], options: ReplanOptions):
    """Regency parts, then provincial teams (as `plan_week`), warm-started from the previous plan."""
    c, opts = rest.c, options.solve
    if not c.team_days:
        return {}, 0, "nothing left to plan"
    old_rest = _old_routes(old_plan, kept)
    visits, results = solve_stages(
        c, regency_parts(c), provincial_part(c), rest.places, opts, done=rest.done.copy(),
        prepare=lambda inst: _prepared(c, inst, rest, old_rest, options),
    )
    status = ", ".join(sorted({r.status for r in results})) or "empty"
    return visits, len(results), status


def _old_routes(plan: Plan, kept: dict[Key, KeptDay]) -> dict[Key, list[tuple[str, int]]]:
    """Per previous team-day: (site id, people) of its visits planned again, in order."""
    out = {}
    for td in plan.team_days:
        k = kept.get((td.team_id, td.date))
        out[(td.team_id, td.date)] = [(s.site_id, s.people) for s in td.stops[len(k.stops) if k else 0 :]]
    return out


def _prepared(c: Compiled, inst: PartInstance, rest: _Rest, old_routes: dict[Key, list[tuple[str, int]]], options: ReplanOptions) -> PartInstance:
    """The part with drive left per team-day, closed links, the previous routes and the move penalty."""
    inst.vehicles = [_continued(v, rest) for v in inst.vehicles]
    if c.scenario.visits.one_visit_per_team_day:
        _not_again_today(inst, rest)
    _close_links(c, inst)
    old_vehicle, routes = _warm_start(c, inst, old_routes)
    inst.old_vehicle = old_vehicle
    inst.move_penalty = int(round(options.move_penalty * SCALE))
    inst.initial_routes = routes if options.warm_start else None
    inst.order_same_site = True
    return inst


def _continued(v: Vehicle, rest: _Rest) -> Vehicle:
    """The vehicle with the driving left; a begun day leaves its last visit at its end, as the
    schedule times it (`_continue_day`), and begins no new visit before the re-plan time."""
    v = dataclasses.replace(v, max_drive_min=rest.drive_left[v.team_day])
    if v.team_day not in rest.depart:
        return v
    leave, breaks = rest.depart[v.team_day]
    return dataclasses.replace(v, work_start=leave, ready=v.work_start, breaks=breaks)


def _not_again_today(inst: PartInstance, rest: _Rest) -> None:
    """A begun day gets no new visit of a site it has visited that day (`one_visit_per_team_day`)."""
    for k, s in enumerate(inst.visit_site):
        inst.allowed[k] = [n for n in inst.allowed[k] if int(s) not in rest.kept_sites.get(inst.vehicles[n].team_day, ())]


def _close_links(c: Compiled, inst: PartInstance) -> None:
    """Vehicles on a date with closed links get their own duration matrix with those arcs impossible."""
    point = {pid: i for i, pid in enumerate(c.point_ids)}
    for n, v in enumerate(inst.vehicles):
        pairs = c.scenario.closed_pairs_on(c.dates[v.day])
        if not pairs:
            continue
        key = f"{v.profile}@{v.day}"
        if key not in inst.duration:
            m = inst.duration[v.profile].copy()
            for a, b in pairs:
                rows, cols = inst.node_point == point[a], inst.node_point == point[b]
                m[np.ix_(rows, cols)] = UNREACHABLE_MIN
            inst.duration[key] = m
        inst.vehicles[n] = dataclasses.replace(v, profile=key)


def _warm_start(c: Compiled, inst: PartInstance, old_routes: dict[Key, list[tuple[str, int]]]) -> tuple[np.ndarray, list[list[int]]]:
    """Per visit node: the vehicle that had it in the previous plan; and the previous routes as nodes.

    A node taken by a previous visit is sized as that visit was (the previous plan's people, after
    its own numbering), so the previous routes are feasible for the search as they were.
    """
    teams, sites = c.scenario.teams, c.scenario.sites
    vehicle_of = {(teams[v.team].id, c.dates[v.day]): n for n, v in enumerate(inst.vehicles)}
    nodes_of: dict[str, list[int]] = {}
    for k, s in enumerate(inst.visit_site):
        nodes_of.setdefault(sites[int(s)].id, []).append(k)
    old_vehicle = np.full(len(inst.visit_site), -1, dtype=np.int64)
    routes: list[list[int]] = [[] for _ in inst.vehicles]
    for key in sorted(old_routes, key=lambda k: (k[1], k[0])):
        vehicle = vehicle_of.get(key, len(inst.vehicles))
        for site_id, people in old_routes[key]:
            free = nodes_of.get(site_id)
            if not free:
                continue
            k = free.pop(0)
            old_vehicle[k] = vehicle
            if people > 0:
                _resize(c, inst, k, people)
            if vehicle < len(inst.vehicles) and vehicle in inst.allowed[k]:
                routes[vehicle].append(inst.n_depots + k)
    return old_vehicle, [_keep_feasible(c, inst, n, route) for n, route in enumerate(routes)]


def _resize(c: Compiled, inst: PartInstance, k: int, people: int) -> None:
    """Visit node `k` sized to `people`: its value and its start windows (a shorter visit may start
    later where the site closes before the shift ends), so the previous routes stay feasible."""
    inst.visit_value[k] *= people / inst.visit_people[k]
    inst.visit_people[k] = people
    offered = [v if n in inst.allowed[k] else None for n, v in enumerate(inst.vehicles)]
    points = [int(p) for p in inst.node_point[: inst.n_depots]]
    wider = visit_start_windows(c, int(inst.visit_site[k]), people, offered, points)
    opens = {lo for lo, _ in wider}  # one interval per site window; a smaller visit only widens it
    inst.start_windows[k] = wider + [w for w in inst.start_windows[k] if w[0] not in opens]


def _keep_feasible(c: Compiled, inst: PartInstance, n: int, route: list[int]) -> list[int]:
    """The previous route without the visits it can no longer make (fewer kits, closures, a later start).

    The same timing rules as the schedule; the search re-checks what is left and trims it further if
    its own model disagrees (`planner.solve.routing`).
    """
    v = inst.vehicles[n]
    dur = inst.duration[v.profile]
    rate, setup = v.rate_per_kit_hour, v.setup_min
    kept: list[int] = []
    for node in route:
        trial = kept + [node]
        path = [v.start_node] + trial + [v.end_node]
        legs = [int(dur[a, b]) for a, b in zip(path, path[1:])]
        people = [int(inst.visit_people[x - inst.n_depots]) for x in trial]
        services = [service_minutes(p, v.kits, rate, setup) for p in people]
        windows = [_not_before(c.windows[int(inst.visit_site[x - inst.n_depots])][v.day], v.ready or 0) for x in trial]
        if sum(legs) <= v.max_drive_min and schedule_route(v.work_start, legs[:-1], services, windows, v.breaks, legs[-1], v.work_end):
            kept = trial
    return kept


# --------------------------------------------------------------------------- numbering and assembly


def _number(c: Compiled, kept: dict[Key, KeptDay], rest: _Rest, visits: dict[int, list[Visit]]):
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
    new: dict[int, list[Visit]] = {j: [] for j in visits}
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
            new[a].append(Visit(v.site, k, people))
    return fixed, new


def _assemble(c: Compiled, rest: _Rest, kept: dict[Key, KeptDay], fixed: dict[Key, list[Stop]], new: dict[int, list[Visit]]) -> tuple[list[TeamDay], int]:
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
        day, lost = build_team_day(rest.c, j, rest.places[j], list(new.get(j, [])))
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
    dur, dist = c.duration[team.vehicle], c.distance[team.vehicle]
    last = c.site_point(site_index[fixed[-1].site_id])
    depart, ready = off + fixed[-1].end_min, off + k.ready
    fixed_drive = sum(s.travel_min for s in fixed)
    visits = list(visits)
    while True:
        path = [last] + [c.site_point(v.site) for v in visits] + [end]
        legs = [int(dur[a, b]) for a, b in zip(path, path[1:])]
        services = [service_minutes(v.people, kits, team.rate_per_kit_hour, team.setup_min) for v in visits]
        windows = [_not_before(c.windows[v.site][day], ready) for v in visits]
        timed = schedule_route(depart, legs[:-1], services, windows, breaks, legs[-1], work_end)
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


def _not_before(windows: tuple[tuple[int, int], ...], ready: int) -> tuple[tuple[int, int], ...]:
    """Opening windows cut to start no earlier than `ready`."""
    return tuple((max(w0, ready), w1) for w0, w1 in windows if w1 > max(w0, ready))
