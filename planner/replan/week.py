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

from planner.check.kpis import compute_kpis
from planner.check.reasons import unserved
from planner.compile.instance import Compiled, compile_scenario
from planner.compile.travel import TravelProvider
from planner.io.outcomes import Outcomes, OutcomesError, check_from_time, check_outcomes
from planner.io.problems import Report
from planner.model import Scenario
from planner.plan import Churn, IdleTeamDay, LeftOut, Plan, ReplanInfo, SolveInfo, TeamDay
from planner.replan.assembly import assemble_week, number_visits
from planner.replan.churn import mark_churn
from planner.replan.facts import Frozen, apply_facts
from planner.replan.kept import KeptDay, Key, freeze, nothing_changes, replanned_visits, unchanged_days
from planner.replan.rest import previous_places, rest_bound, rest_week
from planner.replan.roll import roll_week
from planner.replan.warm import ReplanOptions, solve_rest
from planner.solve.assemble import week_plan
from planner.solve.budget import Clock

__all__ = ["KeptDay", "ReplanOptions", "freeze", "replan", "replanned_scenario", "roll_week"]


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
    clock = Clock(options.solve.started_at)
    problems = check_outcomes(outcomes, scenario, old_plan, from_time)
    if not problems.ok:
        raise OutcomesError(problems)
    kept, frozen = freeze(scenario, old_plan, outcomes, from_time)
    updated = apply_facts(scenario, outcomes, frozen)
    old_rest = replanned_visits(old_plan, kept)
    if nothing_changes(scenario, updated, kept):
        team_days, kpis, left, status = unchanged_days(old_plan, kept), old_plan.kpis, old_plan.left_out, "unchanged"
        report = Resolved(0, list(old_plan.solve.parts_out_of_time), list(old_plan.idle))
    else:
        c = compile_scenario(updated, provider)
        limited = dataclasses.replace(options.solve, time_limit_s=clock.search_s(options.solve.time_limit_s, len(updated.sites)))
        team_days, bound, left, status, report = _resolve(c, old_plan, kept, frozen, from_time, dataclasses.replace(options, solve=limited))
        kpis = compute_kpis(updated, team_days, bound, len(left))
    churn = mark_churn(old_rest, team_days, old_plan.kpis.expected_recordings)
    solve = SolveInfo(
        seed=options.solve.seed, time_limit_s=options.solve.time_limit_s,
        wall_s=round(time.monotonic() - t0, 2), parts=report.parts, status=status,
        parts_out_of_time=report.out_of_time,
    )
    info = ReplanInfo(from_time=from_time, facts=len(outcomes.outcomes), unchanged=status == "unchanged", churn=churn)
    return week_plan(updated, team_days, left, report.idle, kpis, solve, scenario_file, info), churn


def replanned_scenario(scenario: Scenario, old_plan: Plan, outcomes: Outcomes, from_time: dt.datetime) -> Scenario:
    """The scenario a re-planned plan is valid for: the facts applied to the dates still to plan."""
    report = Report()
    check_from_time(from_time, scenario, report)
    if not report.ok:
        raise OutcomesError(report)
    _, frozen = freeze(scenario, old_plan, outcomes, from_time)
    return apply_facts(scenario, outcomes, frozen)


def _resolve(
    c: Compiled, old_plan: Plan, kept: dict[Key, KeptDay], frozen: Frozen, from_time: dt.datetime, options: ReplanOptions
) -> tuple[list[TeamDay], int, list[LeftOut], str, Resolved]:
    """Solve the rest of the week and assemble the whole week's team-days, bound and left-out sites."""
    sc = c.scenario
    old_places = previous_places(c, old_plan)
    rest = rest_week(c, kept, frozen.first_date, from_time, old_places)
    visits, results, status = solve_rest(rest, old_plan, kept, options)
    numbered_fixed, numbered_new = number_visits(c, kept, rest, visits)
    team_days, dropped = assemble_week(c, rest, kept, numbered_fixed, numbered_new)
    if dropped:
        status += f"; {dropped} visits dropped while timing routes"
    late = late_days(c, team_days)
    if late:
        status += f"; {len(late)} team-days cannot be back before their shift ends: " + ", ".join(late)
    full_places = {i: old_places.get((sc.teams[td.team].id, td.date), (td.team, td.team)) for i, td in enumerate(c.team_days)}
    for j, i in enumerate(rest.src):
        full_places[i] = rest.places[j]
    undone = unserved(c, team_days, full_places, (rest.src[j] for r in results if r.out_of_time for j in r.team_days))
    left = undone.left_out
    bound = int(rest.recorded.sum()) + rest_bound(rest)
    report = Resolved(
        parts=len(results),
        out_of_time=sorted(r.name for r in results if r.out_of_time),
        idle=undone.idle,
    )
    return team_days, bound, left, status, report


@dataclass(frozen=True)
class Resolved:
    """What the re-plan's solve reports beside the team-days: parts, those out of time, idle days."""

    parts: int
    out_of_time: list[str]
    idle: list[IdleTeamDay]


def late_days(c: Compiled, team_days: list[TeamDay]) -> list[str]:
    """'team date (+minutes)' of every team-day back after its shift ends: named in the status, never
    hidden (a team a re-plan finds too far from its end place to be back in time)."""
    teams = c.scenario.team_by_id()
    out = []
    for td in team_days:
        shift = teams[td.team_id].shift_on(td.date) if td.team_id in teams else None
        if shift is not None and td.return_min > shift.work.end:
            out.append(f"{td.team_id} {td.date} (+{td.return_min - shift.work.end} min)")
    return out
