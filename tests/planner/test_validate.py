"""Tests of planner.check.validate: a hand-built valid plan passes, and each kind of broken rule is named.

Fixtures come from `builders` (the tiny week, its travel table and its valid plan); every case
below edits one thing and expects its violation code.
"""

from __future__ import annotations

import csv
import datetime as dt
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.planner.builders import (
    FRI,
    MON,
    SAT,
    THU,
    TRAVEL,
    TUE,
    WED,
    clock,
    day_of,
    lodging_place,
    plan_of,
    refreshed,
    set_people,
    tiny_plan,
    tiny_provider,
    tiny_scenario,
    with_site,
    with_team,
)
from planner.model import Access, ClosedLink, Kit, KitStatus, Scenario, TravelSettings, VisitRules, Weekday
from planner.plan import LeftOut, LeftOutReason, Plan, StopOutcome
from planner.solve.pending import with_pending
from planner.check.validate import CODES, Violation, arrival_after, format_violations, free_minutes, validate_plan

Case = Callable[[Scenario, Plan], tuple[Scenario, Plan]]


def codes_of(scenario: Scenario, plan: Plan) -> set[str]:
    return {v.code for v in validate_plan(scenario, plan, tiny_provider())}


def run(case: Case) -> set[str]:
    sc = tiny_scenario()
    sc, plan = case(sc, tiny_plan(sc))
    return codes_of(sc, plan)


# --------------------------------------------------------------------------------------------
# Valid plans
# --------------------------------------------------------------------------------------------


def test_tiny_plan_is_valid() -> None:
    sc = tiny_scenario()
    assert validate_plan(sc, tiny_plan(sc), tiny_provider()) == []


def test_empty_plan_with_everything_left_out_is_valid() -> None:
    sc = tiny_scenario()
    provider = tiny_provider()
    assert validate_plan(sc, plan_of(sc, [], upper_bound=0), provider) == []
    assert provider.calls == []  # no team-days, no vehicle profile needed


def test_matrices_only_for_profiles_in_use() -> None:
    sc = tiny_scenario()
    provider = tiny_provider()
    validate_plan(sc, tiny_plan(sc), provider)
    assert provider.calls == ["car"]


def test_default_provider_reads_the_scenarios_matrix_file(tmp_path: Path) -> None:
    with (tmp_path / "matrix.csv").open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["from_id", "to_id", "duration_min", "distance_km"])
        for (a, b), (minutes, km) in TRAVEL.items():
            out.writerow([a, b, minutes, km])
            out.writerow([b, a, minutes, km])
    sc = tiny_scenario(
        travel=TravelSettings(provider="file", matrix_file="matrix.csv"), source_dir=str(tmp_path)
    )
    assert validate_plan(sc, tiny_plan(sc)) == []


def test_travel_may_pause_through_a_break() -> None:
    """Leaving lp1 at 11:40 with 45 min to drive: 20 min before the break, 25 after → 13:25."""
    sc = tiny_scenario()
    plan = tiny_plan(sc)
    lp1, v2 = day_of(plan, "t1", MON).stops
    lp1.start_min, lp1.end_min = clock("09:32"), clock("11:40")
    v2.arrival_min, v2.start_min, v2.end_min = clock("13:25"), clock("13:25"), clock("14:25")
    day_of(plan, "t1", MON).return_min = clock("15:06")
    assert validate_plan(sc, plan, tiny_provider()) == []


def test_driving_through_a_break_is_not_allowed() -> None:
    """The same leg, but arriving 12:25 (as if driving in the break) and starting 13:00."""
    sc = tiny_scenario()
    plan = tiny_plan(sc)
    lp1, v2 = day_of(plan, "t1", MON).stops
    lp1.start_min, lp1.end_min = clock("09:32"), clock("11:40")
    v2.arrival_min = clock("12:25")
    assert codes_of(sc, plan) == {"travel-gap", "arrival-mismatch"}


# --------------------------------------------------------------------------------------------
# One case per violation
# --------------------------------------------------------------------------------------------


def _unknown_team(sc, plan):
    day_of(plan, "t1", WED).team_id = "t9"
    return sc, plan


def _unknown_site(sc, plan):
    day_of(plan, "t1", WED).stops[0].site_id = "nowhere"
    return sc, plan


def _outside_horizon(sc, plan):
    day_of(plan, "t1", WED).date = WED + dt.timedelta(days=7)
    return sc, plan


def _no_shift(sc, plan):
    shifts = {d: s for d, s in sc.team_by_id()["t1"].shifts.items() if d != Weekday.wed}
    return with_team(sc, "t1", shifts=shifts), plan


def _duplicate_day(sc, plan):
    plan.team_days.append(day_of(plan, "t1", WED).model_copy(deep=True))
    return sc, plan


def _kit_broken(sc, plan):
    kits = (Kit(id="k1a", status=KitStatus.broken), Kit(id="k1b", status=KitStatus.in_repair, repair_until=THU))
    return with_team(sc, "t1", kits=kits), plan


def _working_kits(sc, plan):
    day_of(plan, "t1", MON).working_kits = 2
    return sc, plan


def _bad_base(sc, plan):
    day_of(plan, "t1", WED).start_place.lat += 0.01
    return sc, plan


def _lodging_start(sc, plan):
    day_of(plan, "t2", FRI).start_place = lodging_place(sc.site_by_id()["lp1"])
    return sc, refreshed(sc, plan)


def _lodging_gap_day(sc, plan):
    day_of(plan, "t2", FRI).date = SAT  # Thu ends at v1, the team does nothing Fri, starts at v1 Sat
    return sc, plan


def _lodging_no_next_day(sc, plan):
    plan.team_days.remove(day_of(plan, "t2", FRI))
    return sc, refreshed(sc, plan)


def _too_many_nights(sc, plan):
    return with_team(sc, "t2", max_nights_out=0), plan


def _last_day_away(sc, plan):
    td = day_of(plan, "t2", FRI)
    td.end_place = lodging_place(sc.site_by_id()["v1"])
    td.return_travel_min, td.return_travel_km, td.return_min = 0, 0.0, clock("08:56")
    return sc, refreshed(sc, plan)


def _depart_early(sc, plan):
    td = day_of(plan, "t1", WED)
    td.depart_min = clock("07:50")
    td.stops[0].arrival_min = clock("08:15")
    return sc, plan


def _return_late(sc, plan):
    day_of(plan, "t1", MON).return_min = clock("16:05")
    return sc, plan


def _overlap(sc, plan):
    day_of(plan, "t1", MON).stops[1].start_min = clock("11:00")
    return sc, plan


def _ends_before_start(sc, plan):
    day_of(plan, "t1", WED).stops[0].end_min = clock("08:20")
    return sc, plan


def _too_little_travel(sc, plan):
    s = day_of(plan, "t1", WED).stops[0]
    s.arrival_min, s.start_min, s.end_min = clock("08:20"), clock("08:20"), clock("09:50")
    return sc, plan


def _arrival_wrong(sc, plan):
    day_of(plan, "t1", WED).stops[0].arrival_min = clock("08:24")
    return sc, plan


def _start_before_arrival(sc, plan):
    day_of(plan, "t1", MON).stops[1].arrival_min = clock("13:05")
    return sc, plan


def _friday_prayer(sc, plan):
    td = day_of(plan, "t2", FRI)
    td.stops[0].start_min, td.stops[0].end_min = clock("11:00"), clock("11:56")
    td.return_min = clock("14:00")  # 30 min of driving after the prayer
    return sc, plan


def _midday_break(sc, plan):
    td = day_of(plan, "t1", WED)
    td.stops[0].start_min, td.stops[0].end_min = clock("11:30"), clock("13:00")
    td.return_min = clock("13:25")
    return sc, plan


def _prison_before_opening(sc, plan):
    lp1, v2 = day_of(plan, "t1", MON).stops
    lp1.start_min, lp1.end_min = clock("08:18"), clock("10:26")  # the prison opens 09:00
    v2.arrival_min = clock("11:11")
    return sc, plan


def _closed_date(sc, plan):
    return with_site(sc, "lp1", closed_dates=frozenset({MON})), plan


def _no_generator(sc, plan):
    return with_team(sc, "t1", generator=False), plan


def _no_clearance(sc, plan):
    return with_team(sc, "t1", clearances=frozenset()), plan


def _no_skill(sc, plan):
    return with_site(sc, "v2", skills=frozenset({"bahasa-isyarat"})), plan


def _wrong_vehicle(sc, plan):
    return with_site(sc, "lp1", access=Access.motorbike), plan


def _other_regency(sc, plan):
    return with_team(sc, "t2", regency_code="15.05"), plan


def _service_short(sc, plan):
    set_people(day_of(plan, "t1", MON).stops[1], 21, 1.5)  # 20 + ceil(21 × 60 / 30) = 62 > 60 min
    return sc, refreshed(sc, plan)


def _no_people(sc, plan):
    set_people(day_of(plan, "t2", FRI).stops[0], 0, 1.0)
    return sc, refreshed(sc, plan)


def _value_wrong(sc, plan):
    day_of(plan, "t1", MON).stops[0].value = 54.0  # prison weight is 1.5
    return sc, refreshed(sc, plan)


def _visit_gap(sc, plan):
    day_of(plan, "t2", FRI).stops[0].visit = 4
    return sc, plan


def _visit_order(sc, plan):
    day_of(plan, "t2", THU).stops[0].visit = 3
    day_of(plan, "t2", FRI).stops[0].visit = 2
    return sc, plan


def _same_day_repeat(sc, plan):
    """t1 stays on at v1 on Wednesday for a second visit (visits 2, 3 → 3, 4)."""
    wed = day_of(plan, "t1", WED)
    first = wed.stops[0]
    wed.stops.append(first.model_copy(update={"visit": 2, "arrival_min": first.end_min, "start_min": first.end_min,
                                              "end_min": first.end_min + 10, "travel_min": 0, "travel_km": 0.0}))
    day_of(plan, "t2", THU).stops[0].visit = 3
    day_of(plan, "t2", FRI).stops[0].visit = 4
    return sc, refreshed(sc, plan)


def _same_day_repeat_allowed(sc, plan):
    sc, plan = _same_day_repeat(sc, plan)
    return sc.model_copy(update={"visits": VisitRules(one_visit_per_team_day=False)}), plan


def _too_many_visits(sc, plan):
    return sc.model_copy(update={"visits": VisitRules(max_visits_per_site=2)}), plan


def _too_many_people(sc, plan):
    td = day_of(plan, "t1", WED)
    set_people(td.stops[0], 72, 1.0)  # turnout allows 200 × 0.35 = 70 (+1)
    td.stops[0].end_min, td.return_min = clock("09:57"), clock("10:22")
    return sc, refreshed(sc, plan)


def _over_visit_cap(sc, plan):
    return sc.model_copy(update={"visits": VisitRules(max_people_per_visit=60)}), plan


def _over_recorded(sc, plan):
    sc = with_site(sc, "lp1", unrecorded=53, turnout=1.0)  # 54 is within turnout + 1, not within 53
    return sc, refreshed(sc, plan)


def _recordings_wrong(sc, plan):
    day_of(plan, "t1", WED).recordings = 71
    return sc, plan


def _capacity_wrong(sc, plan):
    day_of(plan, "t1", MON).capacity = 420  # only one kit works on Monday
    return sc, plan


def _ceil_not_floor(sc, plan):
    day_of(plan, "t1", WED).stops[0].travel_min = 24  # 24.3 min rounds up to 25
    return sc, refreshed(sc, plan)


def _km_wrong(sc, plan):
    day_of(plan, "t1", WED).stops[0].travel_km = 16.4
    return sc, refreshed(sc, plan)


def _return_leg_wrong(sc, plan):
    day_of(plan, "t1", MON).return_travel_min = 40
    return sc, refreshed(sc, plan)


def _day_total_wrong(sc, plan):
    day_of(plan, "t1", WED).travel_min = 49
    return sc, plan


def _drive_limit(sc, plan):
    return with_team(sc, "t1", max_drive_min=100), plan  # Monday drives 18 + 45 + 41 = 104 min


def _link_closed(sc, plan):
    link = ClosedLink(a="lp1", b="v2", dates=frozenset({MON}))  # Monday drives lp1 → v2
    return sc.model_copy(update={"closed_links": (link,)}), plan


def _kpi_wrong(sc, plan):
    plan.kpis.visits = 4
    return sc, plan


def _bound_low(sc, plan):
    plan.kpis.upper_bound = 100
    return sc, plan


def _bound_not_tightest(sc, plan):
    plan.kpis.bound_max_flow = plan.kpis.upper_bound + 40
    plan.kpis.bound_lp = plan.kpis.upper_bound + 20  # all above the plan; upper_bound is below them all
    plan.kpis.bound_whole_days = plan.kpis.upper_bound + 10
    return sc, plan


def _left_out_missing(sc, plan):
    plan.left_out = []
    plan.kpis.sites_left_out = 0
    return sc, plan


def _left_out_twice(sc, plan):
    plan.left_out.append(plan.left_out[0].model_copy())
    plan.kpis.sites_left_out = 2
    return sc, plan


def _served_left_out(sc, plan):
    plan.left_out.append(LeftOut(site_id="v1", reason=LeftOutReason.lower_value, detail="x",
                                 unrecorded=200, remaining_after_plan=200))
    plan.kpis.sites_left_out = 2
    return sc, plan


def _left_out_figures(sc, plan):
    plan.left_out[0].remaining_after_plan = 10
    return sc, plan


def _across_the_sea(sc, plan):
    """v1 stands on another island than the bases and the other sites, and no crossing joins them."""
    sites = tuple(s.model_copy(update={"island": "B" if s.id == "v1" else "A"}) for s in sc.sites)
    teams = tuple(t.model_copy(update={"island": "A"}) for t in sc.teams)
    return sc.model_copy(update={"sites": sites, "teams": teams}), plan


def _pending_too_long(sc, plan):
    """v1 has no signal: Thursday's records there wait at the lodging (v1) until Friday, 1 day > 0."""
    sc = with_site(sc, "v1", signal=False).model_copy(update={"visits": VisitRules(max_pending_days=0)})
    return sc, with_pending(sc, plan)


def _pending_mismatch(sc, plan):
    day_of(plan, "t1", WED).pending_records = 5
    return sc, plan


def _header(sc, plan):
    plan.horizon_days = 5
    return sc, plan


# (case, the codes it must produce exactly, or None to only require `code` among them)
CASES: list[tuple[str, Case, set[str] | None]] = [
    ("unknown-team", _unknown_team, None),
    ("unknown-site", _unknown_site, None),
    ("date-outside-horizon", _outside_horizon, None),
    ("no-shift", _no_shift, {"no-shift", "capacity-mismatch"}),
    ("duplicate-team-day", _duplicate_day, None),
    ("no-working-kit", _kit_broken, None),
    ("working-kits-mismatch", _working_kits, {"working-kits-mismatch"}),
    ("bad-place", _bad_base, {"bad-place"}),
    ("lodging-start", _lodging_start, None),
    ("lodging-end", _lodging_gap_day, None),
    ("lodging-end", _lodging_no_next_day, {"lodging-end", "last-day-not-base"}),
    ("too-many-nights", _too_many_nights, {"too-many-nights"}),
    ("last-day-not-base", _last_day_away, None),
    ("depart-before-shift", _depart_early, {"depart-before-shift"}),
    ("return-after-shift", _return_late, {"return-after-shift"}),
    ("stops-overlap", _overlap, None),
    ("time-order", _ends_before_start, None),
    ("travel-gap", _too_little_travel, {"travel-gap", "arrival-mismatch"}),
    ("arrival-mismatch", _arrival_wrong, {"arrival-mismatch"}),
    ("start-before-arrival", _start_before_arrival, {"start-before-arrival", "arrival-mismatch"}),
    ("stop-in-break", _friday_prayer, {"stop-in-break"}),
    ("stop-in-break", _midday_break, {"stop-in-break"}),
    ("outside-hours", _prison_before_opening, {"outside-hours"}),
    ("site-closed", _closed_date, {"site-closed"}),
    ("needs-generator", _no_generator, {"needs-generator"}),
    ("needs-clearance", _no_clearance, {"needs-clearance"}),
    ("needs-skill", _no_skill, {"needs-skill"}),
    ("needs-vehicle", _wrong_vehicle, {"needs-vehicle"}),
    ("outside-regency", _other_regency, {"outside-regency"}),
    ("service-too-short", _service_short, {"service-too-short"}),
    ("no-people", _no_people, {"no-people"}),
    ("value-mismatch", _value_wrong, {"value-mismatch"}),
    ("visit-numbering", _visit_gap, {"visit-numbering"}),
    ("visit-order", _visit_order, None),
    ("same-day-repeat", _same_day_repeat, None),
    ("too-many-visits", _too_many_visits, {"too-many-visits"}),
    ("visit-too-large", _too_many_people, {"visit-too-large"}),
    ("visit-over-cap", _over_visit_cap, {"visit-over-cap"}),
    ("site-over-recorded", _over_recorded, {"site-over-recorded"}),
    ("recordings-mismatch", _recordings_wrong, {"recordings-mismatch"}),
    ("capacity-mismatch", _capacity_wrong, {"capacity-mismatch"}),
    ("leg-travel-min", _ceil_not_floor, {"leg-travel-min"}),
    ("leg-travel-km", _km_wrong, {"leg-travel-km"}),
    ("leg-travel-min", _return_leg_wrong, {"leg-travel-min"}),
    ("day-travel-total", _day_total_wrong, {"day-travel-total", "kpi-mismatch"}),
    ("drive-limit", _drive_limit, {"drive-limit"}),
    ("link-closed", _link_closed, {"link-closed"}),
    ("no-crossing", _across_the_sea, {"no-crossing"}),
    ("kpi-mismatch", _kpi_wrong, {"kpi-mismatch"}),
    ("bound-below-plan", _bound_low, {"bound-below-plan"}),
    ("bound-not-tightest", _bound_not_tightest, {"bound-not-tightest"}),
    ("missing-left-out", _left_out_missing, {"missing-left-out"}),
    ("duplicate-left-out", _left_out_twice, {"duplicate-left-out"}),
    ("served-left-out", _served_left_out, {"served-left-out"}),
    ("left-out-figures", _left_out_figures, {"left-out-figures"}),
    ("plan-header", _header, {"plan-header"}),
    ("pending-too-long", _pending_too_long, {"pending-too-long"}),
    ("pending-mismatch", _pending_mismatch, {"pending-mismatch"}),
]


@pytest.mark.parametrize(
    ("code", "case", "exactly"), CASES, ids=[f"{c}:{f.__name__.strip('_')}" for c, f, _ in CASES]
)
def test_violation_is_named(code: str, case: Case, exactly: set[str] | None) -> None:
    found = run(case)
    assert code in found
    if exactly is not None:
        assert found == exactly


def test_a_closed_link_on_another_date_or_pair_is_no_violation() -> None:
    sc = tiny_scenario(closed_links=(ClosedLink(a="lp1", b="v2", dates=frozenset({TUE})),
                                     ClosedLink(a="lp1", b="v1", dates=frozenset({MON}))))
    assert validate_plan(sc, tiny_plan(sc), tiny_provider()) == []


def test_facts_are_not_held_to_planning_rules_but_count_against_the_remaining() -> None:
    sc = tiny_scenario()
    plan = tiny_plan(sc)
    first = day_of(plan, "t1", WED).stops[0]  # v1 visit 1: 70 expected
    set_people(first, 150, 1.0)  # a crowd twice the estimate, recorded in the field
    first.outcome = StopOutcome.done
    plan = refreshed(sc, plan)
    found = {v.code for v in validate_plan(sc, plan, tiny_provider())}
    # the recorded 150 are a fact; visit 2 (27) now exceeds 0.35 × 0.6 × 50 = 10.5 of what is left
    assert found == {"visit-too-large"}


def test_a_missed_stop_is_no_visit_of_the_site() -> None:
    sc = tiny_scenario()
    plan = tiny_plan(sc)
    missed = day_of(plan, "t1", WED).stops[0]
    set_people(missed, 0, 1.0)
    missed.outcome = StopOutcome.missed
    plan = refreshed(sc, plan)
    assert {v.code for v in validate_plan(sc, plan, tiny_provider())} == {"kpi-mismatch", "visit-numbering"}
    plan.kpis.visits -= 1  # a missed visit is no visit in the key figures either
    found = {v.code for v in validate_plan(sc, plan, tiny_provider())}
    assert found == {"visit-numbering"}  # visits 2 and 3 are now the first two


def test_a_second_visit_the_same_day_is_allowed_when_the_rule_is_off() -> None:
    assert "same-day-repeat" not in run(_same_day_repeat_allowed)
    assert "same-day-repeat" in run(_same_day_repeat)


def test_every_code_has_a_case() -> None:
    assert {c for c, _, _ in CASES} == set(CODES)


# --------------------------------------------------------------------------------------------
# Details
# --------------------------------------------------------------------------------------------


def test_violation_says_where() -> None:
    sc = with_team(tiny_scenario(), "t1", generator=False)
    [v] = validate_plan(sc, tiny_plan(sc), tiny_provider())
    assert (v.code, v.team_id, v.date, v.site_id) == ("needs-generator", "t1", MON, "v2")


def test_broken_kit_on_one_day_only_flags_that_day() -> None:
    """k1a broken, k1b back from Wed: Monday has no kit, Wednesday's 2 kits become 1."""
    sc = tiny_scenario()
    kits = (Kit(id="k1a", status=KitStatus.broken), Kit(id="k1b", status=KitStatus.in_repair, repair_until=TUE))
    sc = with_team(sc, "t1", kits=kits)
    found = {(v.code, v.date) for v in validate_plan(sc, tiny_plan(tiny_scenario()), tiny_provider())}
    assert ("no-working-kit", MON) in found
    assert ("working-kits-mismatch", WED) in found
    assert ("service-too-short", WED) in found  # 70 people with 1 kit at 30/h need 160 min
    assert ("no-working-kit", WED) not in found


def test_unknown_team_skips_its_other_checks() -> None:
    found = run(_unknown_team)
    assert "leg-travel-min" not in found and "needs-generator" not in found


def test_format_violations() -> None:
    assert "no violations" in format_violations([])
    text = format_violations([
        Violation("drive-limit", "t1", MON, None, "104 min of driving"),
        Violation("kpi-mismatch", None, None, None, "kpis.visits is 4"),
    ])
    lines = text.splitlines()
    assert lines[0].startswith("2 violation(s)")
    assert "[drive-limit] t1 2026-11-23: 104 min of driving" in lines[1]
    assert "[kpi-mismatch] kpis.visits is 4" in lines[2]


def test_free_minutes_and_arrival_after_breaks() -> None:
    brk = ((720, 780),)
    assert free_minutes(700, 800, brk) == 40
    assert free_minutes(800, 700, brk) == -100
    assert arrival_after(700, 20, brk) == 720  # arrives as the break begins
    assert arrival_after(700, 21, brk) == 781  # pauses through the break
    assert arrival_after(730, 10, brk) == 790  # leaves inside a break: waits for its end
    assert arrival_after(650, 10, brk) == 660


@given(
    depart=st.integers(400, 1000),
    minutes=st.integers(0, 300),
    breaks=st.lists(st.tuples(st.integers(400, 1200), st.integers(1, 120)), max_size=3),
)
def test_arrival_is_the_first_time_with_enough_free_minutes(depart: int, minutes: int, breaks: list) -> None:
    merged: list[tuple[int, int]] = []
    for b0, length in sorted(breaks):
        if merged and b0 <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b0 + length))
        else:
            merged.append((b0, b0 + length))
    arrival = arrival_after(depart, minutes, merged)
    assert free_minutes(depart, arrival, merged) == minutes
    assert free_minutes(depart, arrival - 1, merged) < minutes or minutes == 0


def test_validator_imports_no_solver_module() -> None:
    solver = ["compile.instance", "compile.capacity", "compile.reach", "check.bound", "check.reasons",
              "check.kpis", "solve.week", "solve.routing", "solve.schedule", "solve.assemble", "solve.trips",
              "solve.parts"]
    code = (
        "import sys, planner.check.validate; "
        f"print(sorted(m for m in sys.modules if m in {[f'planner.{m}' for m in solver]!r} "
        "or m == 'planner.solve' or m.startswith('planner.solve.')))"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root, check=True)
    assert out.stdout.strip() == "[]"
