"""Plan, then verify: the one sequence every entry point runs (CLI, API worker, batch).

Each function solves and then checks the result with the independent validator against the
scenario the plan is valid for (for a re-plan: the scenario with the field's facts applied), and
returns both, so no caller can forget the check or check against the wrong scenario. Writing files
and maps is not here: that belongs to the application layer (`jemput.service`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from planner.check.validate import Violation, format_violations, validate_plan
from planner.compile.travel import TravelProvider
from planner.io.outcomes import Outcomes
from planner.model import Scenario
from planner.plan import Churn, Plan
from planner.replan.roll import roll_week
from planner.replan.week import ReplanOptions, replan, replanned_scenario
from planner.solve.week import ProgressFn, SolveOptions, plan_week


@dataclass(frozen=True)
class Checked:
    """A plan, the scenario it was checked against, and every violation the validator found."""

    scenario: Scenario
    plan: Plan
    violations: tuple[Violation, ...]
    churn: Churn | None = None  # a re-plan's changes to the previous plan

    @property
    def ok(self) -> bool:
        return not self.violations

    def report(self) -> str:
        """The violations as readable lines ("plan is valid: no violations" when there are none)."""
        return format_violations(list(self.violations))


def plan_and_check(
    scenario: Scenario,
    options: SolveOptions = SolveOptions(),
    provider: TravelProvider | None = None,
    progress: ProgressFn | None = None,
    scenario_file: str | None = None,
) -> Checked:
    """The week's plan for `scenario`, verified against it."""
    plan = plan_week(scenario, options, provider=provider, progress=progress, scenario_file=scenario_file)
    return Checked(scenario, plan, tuple(validate_plan(scenario, plan, provider)))


def replan_and_check(
    scenario: Scenario,
    old_plan: Plan,
    outcomes: Outcomes,
    from_time: dt.datetime,
    options: ReplanOptions = ReplanOptions(),
    provider: TravelProvider | None = None,
    scenario_file: str | None = None,
) -> Checked:
    """The rest of the week re-planned from `from_time`, verified against the scenario with the facts
    applied (`Checked.scenario`: save it beside the plan, it is the one the plan is valid for)."""
    plan, churn = replan(scenario, old_plan, outcomes, from_time, options, provider, scenario_file)
    updated = replanned_scenario(scenario, old_plan, outcomes, from_time)
    return Checked(updated, plan, tuple(validate_plan(updated, plan, provider)), churn)


def roll_and_check(
    scenario: Scenario,
    old_plan: Plan,
    outcomes: Outcomes,
    options: SolveOptions = SolveOptions(),
    provider: TravelProvider | None = None,
    progress: ProgressFn | None = None,
    scenario_file: str | None = None,
) -> Checked:
    """Next week's plan from what the field recorded (`roll_week`), verified against next week's scenario."""
    return plan_and_check(roll_week(scenario, old_plan, outcomes), options, provider, progress, scenario_file)
