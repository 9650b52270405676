"""The independent validator: every rule a `Plan` must keep, re-derived from the Scenario alone.

It imports no solver or compile module on purpose: it recomputes travel (through a
`TravelProvider`, bound to islands and crossings by `with_crossings`, and `whole_minutes`: the one
travel computation the solver uses too), kits, opening hours, breaks, service times, visit sizes and
key figures from the `Scenario` and the `Plan`, and lists every violation it finds, so a bug in the
solver cannot hide behind the same bug here. Times are minutes after midnight of the team-day's date.

Stops with an `outcome` (a re-planned plan's visits before the re-plan time) are facts, not choices:
their people are not held to the turnout rule, the per-visit cap or the recording time, and the legs
that led to them are not held to link closures; a missed stop (nobody recorded) is no visit of the site
(nor a visit or a served site in the key figures, nor does it keep the site out of left_out).
Every later, planned visit is held to every rule, counting the people really recorded before it.

Timing rules: nobody records during a break; travel may pause through a break (a leg needs
`t` free minutes, outside breaks, between leaving and starting the next visit); a stop's
`arrival_min` is the earliest clock time the leg's `t` driving minutes allow when the team leaves
at once (the previous stop's end, or `depart_min`) and pauses through breaks.
"""

from __future__ import annotations

from pathlib import Path

from planner.check.context import build_context
from planner.check.day_rules import check_team_day
from planner.check.timing import arrival_after, free_minutes
from planner.check.violations import CODES, Violation, format_violations
from planner.check.violations import violation as _v
from planner.check.pending import check_pending
from planner.check.week_rules import check_continuity, check_duplicates, check_kpis, check_left_out, check_visits
from planner.compile.travel import TravelProvider, provider_for
from planner.model import Scenario
from planner.plan import Plan

__all__ = ["CODES", "Violation", "arrival_after", "format_violations", "free_minutes", "validate_plan"]


def validate_plan(scenario: Scenario, plan: Plan, provider: TravelProvider | None = None) -> list[Violation]:
    """Every violation of the scenario's rules in `plan` (empty list: the plan is valid)."""
    if provider is None:
        provider = provider_for(scenario.travel, Path(scenario.source_dir) if scenario.source_dir else None)
    ctx = build_context(scenario, plan, provider)
    out = _check_header(scenario, plan)
    for td in plan.team_days:
        out += check_team_day(ctx, td)
    out += check_duplicates(plan)
    out += check_continuity(ctx, plan)
    out += check_visits(ctx, plan)
    out += check_left_out(ctx, plan)
    out += check_kpis(ctx, plan)
    out += check_pending(scenario, plan)
    return out


def _check_header(scenario: Scenario, plan: Plan) -> list[Violation]:
    """The plan belongs to this scenario's week."""
    out = []
    pairs = (
        ("scenario_name", plan.scenario_name, scenario.name),
        ("horizon_start", plan.horizon_start, scenario.horizon.start),
        ("horizon_days", plan.horizon_days, scenario.horizon.days),
    )
    for field, got, want in pairs:
        if got != want:
            out.append(_v("plan-header", f"plan {field} is {got!r}, the scenario's is {want!r}"))
    return out
