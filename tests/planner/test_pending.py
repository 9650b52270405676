"""Records not yet sent: a remote cluster without signal, reached on an overnight trip. The trip is kept
short enough that no record waits on a kit longer than visits.max_pending_days; the plan shows the
records waiting per team-day; the validator recomputes both and catches a plan that breaks them."""

from __future__ import annotations

import pytest

from planner.check.validate import format_violations, validate_plan
from planner.model import VisitRules
from planner.plan import Plan
from planner.solve.pending import with_pending
from tests.planner.solver_cases import scenario, solve, team, village


def _remote(signal: bool) -> list:
    """Five villages ≈180 km away (beyond a day trip), with or without mobile signal."""
    return [village(200 + i, -0.9 + 0.01 * i, -1.3 - 0.01 * i, 200, id=f"R{i}", signal=signal) for i in range(5)]


def _nights(plan: Plan) -> int:
    return sum(1 for td in plan.team_days if td.end_place.kind == "lodging")


@pytest.fixture(scope="module")
def no_signal_week():
    sc = scenario(_remote(False), [team("T1", 3, max_drive_min=600, max_nights_out=4)])
    return sc, solve(sc, seconds=3)


@pytest.mark.slow
def test_a_trip_without_signal_lasts_at_most_max_pending_days_nights(no_signal_week) -> None:
    sc, plan = no_signal_week
    assert validate_plan(sc, plan) == [], format_violations(validate_plan(sc, plan))
    assert plan.kpis.expected_recordings > 0 and 1 <= _nights(plan) <= sc.visits.max_pending_days
    with_signal = scenario(_remote(True), [team("T1", 3, max_drive_min=600, max_nights_out=4)])
    longer = solve(with_signal, seconds=3)
    assert validate_plan(with_signal, longer) == []
    assert _nights(longer) > sc.visits.max_pending_days  # the setting binds only where there is no signal
    assert all(td.pending_records == 0 for td in longer.team_days)


@pytest.mark.slow
def test_the_plan_shows_pending_records_per_team_day(no_signal_week) -> None:
    sc, plan = no_signal_week
    out = [td for td in plan.team_days if td.end_place.kind == "lodging"]
    assert out and all(td.pending_records > 0 and td.pending_since is not None for td in out if td.stops)
    first_out = min(td.date for td in out)
    assert all(td.pending_since >= first_out for td in out if td.pending_since)
    assert plan.team_days[-1].pending_records == 0  # back at the office: all sent


@pytest.mark.slow
def test_the_validator_catches_records_waiting_too_long(no_signal_week) -> None:
    sc, plan = no_signal_week
    strict = sc.model_copy(update={"visits": VisitRules(max_pending_days=0)})
    codes = {v.code for v in validate_plan(strict, with_pending(strict, plan))}
    assert "pending-too-long" in codes
    wrong = plan.model_copy(update={"team_days": [td.model_copy(update={"pending_records": td.pending_records + 1})
                                                  for td in plan.team_days]})
    assert "pending-mismatch" in {v.code for v in validate_plan(sc, wrong)}
