"""Re-plan the bundled Jambi week from every day at 08:00, 12:00 and 15:00: never a crash, always valid.

Each re-plan gets facts picked from the plan (the busiest team of that day loses a kit, a visited
site of that day closes), so the rest of the week is really solved again, and each is checked by
the independent validator against the scenario with the facts applied. Days that cannot be timed
from the re-plan time (a boat team heading home from a far lodging) were the crash of issue 13.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import pytest

from planner.check.validate import format_violations, validate_plan
from planner.compile.travel import provider_for
from planner.io.bundled import jambi_scenario_path
from planner.io.load import load_scenario
from planner.io.outcomes import KitDown, Outcomes, SiteClosed
from planner.replan.week import ReplanOptions, replan, replanned_scenario
from planner.solve.week import SolveOptions, plan_week


class _Memo:
    """The scenario's travel provider, each profile's matrices computed once (the same numbers)."""

    def __init__(self, inner):
        self.inner, self.cache = inner, {}

    def matrices(self, points, profile):
        key = (points.ids, profile)
        if key not in self.cache:
            self.cache[key] = self.inner.matrices(points, profile)
        return self.cache[key]


@lru_cache(maxsize=1)
def week():
    sc = load_scenario(jambi_scenario_path())
    provider = _Memo(provider_for(sc.travel, jambi_scenario_path().parent))
    plan = plan_week(sc, SolveOptions(time_limit_s=4, seed=0, workers=1), provider)
    return sc, plan, provider


def facts_for(sc, plan, day: dt.date) -> Outcomes:
    """The busiest team that day loses its first kit; the first site it visits that day closes."""
    days = sorted((td for td in plan.team_days if td.date == day), key=lambda td: (-td.recordings, td.team_id))
    if not days or not days[0].stops:
        return Outcomes()
    td = days[0]
    kit = sc.team_by_id()[td.team_id].kits[0].id
    return Outcomes(outcomes=(KitDown(kit_id=kit, date=day), SiteClosed(site_id=td.stops[0].site_id, date=day)))


DAYS = range(6)
HOURS = (8, 12, 15)


@pytest.mark.slow
@pytest.mark.parametrize("day", DAYS)
def test_replanning_from_any_day_and_hour_never_crashes_and_verifies(day):
    sc, plan, provider = week()
    date = sc.horizon.start + dt.timedelta(days=day)
    assert sc.horizon.days == len(DAYS)
    facts = facts_for(sc, plan, date)
    options = ReplanOptions(solve=SolveOptions(time_limit_s=1, seed=0, workers=1))
    for hour in HOURS:
        start = dt.datetime.combine(date, dt.time(hour))
        new, _ = replan(sc, plan, facts, start, options, provider)
        updated = replanned_scenario(sc, plan, facts, start)
        violations = validate_plan(updated, new, provider)
        assert violations == [], f"{start}: " + format_violations(violations)
        kept_before = {(td.team_id, td.date) for td in plan.team_days if td.date < date}
        assert kept_before <= {(td.team_id, td.date) for td in new.team_days}, f"{start}: a past day vanished"
