"""Roll a scenario week by week to a deadline with real, verified plans.

Each week is planned by `plan_and_check` (the same solver and independent validator as `jemput plan`)
and the next week's scenario is made by `roll_week` (kits, dates, lasting facts) with the plan's
*expected* recordings taken off the counts and turnout lowered by the visits made (see
`planner.campaign.assumptions`). A week whose plan the validator rejects stops the campaign.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from planner.campaign.assumptions import TURNOUT_FLOOR, WEEK_DAYS, CampaignOptions
from planner.io.outcomes import Outcomes
from planner.model import Horizon, Scenario
from planner.pipeline import plan_and_check
from planner.plan import Plan
from planner.replan.roll import roll_week
from planner.solve.week import ProgressEvent, SolveOptions

Adjust = Callable[[Scenario, int], Scenario]  # a decision applied to week i's scenario before it is planned
Progress = Callable[[str], None]


class CampaignError(ValueError):
    """A campaign that cannot be planned: a deadline before the start, or a week's plan the validator rejects."""


@dataclass(frozen=True)
class Week:
    """One planned week: the scenario it was planned from (counts before it) and its verified plan."""

    index: int
    scenario: Scenario
    plan: Plan

    @property
    def start(self) -> dt.date:
        return self.scenario.horizon.start

    def recorded_by_site(self) -> dict[str, int]:
        """Expected recordings per site id this week."""
        out: dict[str, int] = defaultdict(int)
        for td in self.plan.team_days:
            for stop in td.stops:
                out[stop.site_id] += stop.people
        return dict(out)


@dataclass(frozen=True)
class CampaignRun:
    """Every week to the deadline, and the counts left after the last one."""

    weeks: tuple[Week, ...]
    final: Scenario

    @property
    def start(self) -> Scenario:
        return self.weeks[0].scenario

    def recorded(self) -> int:
        """Expected recordings of the whole campaign."""
        return sum(sum(w.recorded_by_site().values()) for w in self.weeks)

    def recorded_by_regency(self) -> dict[str, list[int]]:
        """Expected recordings per regency code, one figure per week."""
        regency = {s.id: s.regency_code for s in self.start.sites}
        out: dict[str, list[int]] = {code: [0] * len(self.weeks) for code in sorted(set(regency.values()))}
        for w in self.weeks:
            for site_id, people in w.recorded_by_site().items():
                out[regency[site_id]][w.index] += people
        return out


def week_starts(start: dt.date, deadline: dt.date) -> list[dt.date]:
    """The first date of every week from `start` whose first day is on or before the deadline."""
    if deadline < start:
        raise CampaignError(f"deadline {deadline} is before the campaign starts ({start})")
    n = (deadline - start).days // WEEK_DAYS + 1
    return [start + dt.timedelta(days=WEEK_DAYS * i) for i in range(n)]


def week_days(start: dt.date, days: int, deadline: dt.date) -> int:
    """Days of a week starting `start`: the scenario's horizon, cut at the deadline."""
    return max(1, min(days, (deadline - start).days + 1))


def next_week(scenario: Scenario, plan: Plan, deadline: dt.date, days: int) -> Scenario:
    """The next week's scenario if the week goes as planned (see module doc)."""
    rolled = roll_week(scenario, plan, Outcomes())
    recorded: Counter[str] = Counter()
    visits: Counter[str] = Counter()
    for td in plan.team_days:
        for stop in td.stops:
            recorded[stop.site_id] += stop.people
            visits[stop.site_id] += 1
    decay = scenario.visits.repeat_turnout_decay
    sites = tuple(
        s.model_copy(update={
            "unrecorded": max(0, s.unrecorded - recorded[s.id]),
            "turnout": round(max(TURNOUT_FLOOR, s.turnout * decay ** visits[s.id]), 6) if visits[s.id] else s.turnout,
        })
        for s in rolled.sites
    )
    start = rolled.horizon.start
    horizon = Horizon(start=start, days=week_days(start, days, deadline))
    return rolled.model_copy(update={"sites": sites, "horizon": horizon})


def solve_options(options: CampaignOptions, time_limit_s: float | None = None) -> SolveOptions:
    """The per-week solve options of a campaign (no LP bound: it costs seconds a week and changes no plan)."""
    return SolveOptions(
        time_limit_s=options.week_time_limit_s if time_limit_s is None else time_limit_s,
        seed=options.seed, workers=options.workers, max_solutions=options.max_solutions, lp_bound=False,
    )


def run_weeks(
    scenario: Scenario,
    options: CampaignOptions,
    adjust: Adjust | None = None,
    progress: Progress | None = None,
    time_limit_s: float | None = None,
) -> CampaignRun:
    """Plan every week from the scenario's horizon start to the deadline, each verified (see module doc).

    `adjust` applies a decision to each week's scenario before it is planned (its effect carries on
    through the roll); `time_limit_s` overrides the per-week search.
    """
    starts = week_starts(scenario.horizon.start, options.deadline)
    days = scenario.horizon.days
    current = scenario.model_copy(update={"horizon": Horizon(start=starts[0], days=week_days(starts[0], days, options.deadline))})
    weeks: list[Week] = []
    solve = solve_options(options, time_limit_s)
    for i in range(len(starts)):
        if adjust is not None:
            current = adjust(current, i)
        if progress:
            progress(f"week {i + 1}/{len(starts)} from {current.horizon.start}")
        checked = plan_and_check(current, solve, progress=_quiet)
        if not checked.ok:
            raise CampaignError(f"week {i + 1} ({current.horizon.start}): the plan fails the validator:\n{checked.report()}")
        weeks.append(Week(i, current, checked.plan))
        current = next_week(current, checked.plan, options.deadline, days)
    return CampaignRun(tuple(weeks), current)


def _quiet(event: ProgressEvent) -> None:
    """Per-part progress of a week is not shown: the campaign reports weeks."""


def restrict(scenario: Scenario, regencies: frozenset[str]) -> Scenario:
    """The scenario cut to the sites and the regency teams of `regencies` (provincial teams dropped).

    Regency parts are planned independently of each other (`planner.solve.parts`), so a decision
    that touches only these regencies can be measured on this smaller scenario.
    """
    sites = tuple(s for s in scenario.sites if s.regency_code in regencies)
    teams = tuple(t for t in scenario.teams if t.regency_code in regencies)
    if not teams:
        raise CampaignError(f"no regency team in {', '.join(sorted(regencies))}")
    places = {s.id for s in sites} | {f"base:{t.id}" for t in teams}
    links = tuple(link for link in scenario.closed_links if link.a in places and link.b in places)
    offices = tuple(d for d in scenario.district_offices if any(d.district_code.startswith(r + ".") or d.district_code == r for r in regencies))
    return scenario.model_copy(update={"sites": sites, "teams": teams, "closed_links": links, "district_offices": offices})
