"""Field outcomes: the table a coordinator fills in, and the same as JSON for the API."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import xlsxwriter

from planner.io.load import load_scenario
from planner.io.outcomes import (
    KitDown,
    LinkClosed,
    Outcomes,
    OutcomesError,
    SiteClosed,
    TeamUnavailable,
    VisitDone,
    VisitMissed,
    check_outcomes,
    load_outcomes,
    validate_outcomes,
)

DATA = Path(__file__).resolve().parents[1] / "data"
OUT = DATA / "outcomes"


@pytest.fixture(scope="module")
def sc():
    return load_scenario(DATA / "good" / "scenario.yaml")


def test_every_kind_loads_from_one_table(sc):
    got = load_outcomes(OUT / "good.csv", sc)
    kinds = [o.kind for o in got.outcomes]
    assert kinds == ["visit_done", "visit_missed", "kit_down", "kit_back", "site_closed", "link_closed", "team_unavailable"]
    done = got.of(VisitDone)[0]
    assert (done.site_id, done.team_id, done.people, done.start, done.end) == ("V-001", "T-BH", 52, 8 * 60 + 40, 11 * 60 + 10)
    down = got.of(KitDown)[0]
    assert (down.kit_id, down.until) == ("K-BH-1", dt.date(2026, 11, 26))
    assert got.of(LinkClosed)[0].dates(sc.horizon.dates) == [dt.date(2026, 11, d) for d in (24, 25, 26, 27)]
    assert got.of(SiteClosed)[0].dates(sc.horizon.dates) == [dt.date(2026, 11, 25)]
    assert got.of(VisitMissed)[0].reason == "lockdown"
    assert got.of(TeamUnavailable)[0].until == dt.date(2026, 11, 28)


def test_the_same_table_as_xlsx(sc, tmp_path):
    wb = xlsxwriter.Workbook(str(tmp_path / "outcomes.xlsx"), {"default_date_format": "yyyy-mm-dd"})
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["kind", "date", "kit_id", "until"])
    ws.write_row(1, 0, ["kit_down", dt.datetime(2026, 11, 24), "K-KJ-1"])
    wb.close()
    got = load_outcomes(tmp_path / "outcomes.xlsx", sc)
    assert got.outcomes == (KitDown(kit_id="K-KJ-1", date=dt.date(2026, 11, 24)),)


# (row, column, part of the reason): every error bad.csv must report, and no other
EXPECTED = [
    (1, "colour", "unknown column 'colour'"),
    (2, "people", "not a number"),
    (3, "site_id", "unknown site 'V-009'"),
    (4, "kit_id", "kit 'K-BH-1' belongs to team 'T-BH', not 'T-KJ'"),
    (5, "date", "outside the week 2026-11-23 to 2026-11-28"),
    (6, "until", "until (2026-11-25) is before date (2026-11-26)"),
    (7, "to_place", "unknown place 'base:T-XX'"),
    (8, "team_id", "missing value"),
    (9, "start", "not a clock time"),
    (10, "kind", "unknown kind 'sleeping'"),
    (11, "kind", "missing value"),
]


def test_every_problem_is_named_with_file_row_and_column(sc):
    got, report = validate_outcomes(OUT / "bad.csv", sc)
    assert got is None, "nothing is half-loaded"
    errors = [(p.row, p.column, p.reason) for p in report.errors]
    for row, column, reason in EXPECTED:
        assert any(r == row and c == column and reason in text for r, c, text in errors), (row, column, reason, report.format())
    assert len(errors) == len(EXPECTED), report.format()
    assert all(p.file == "bad.csv" for p in report.errors)
    with pytest.raises(OutcomesError, match="bad.csv:3 column 'site_id'"):
        load_outcomes(OUT / "bad.csv", sc)


def test_a_missing_file_is_an_error(sc, tmp_path):
    got, report = validate_outcomes(tmp_path / "nope.csv", sc)
    assert got is None and "file not found" in report.format()


@pytest.mark.slow
def test_reports_must_name_a_planned_visit_once(sc):
    from planner.solve.week import SolveOptions, plan_week

    plan = plan_week(sc, SolveOptions(time_limit_s=2, workers=1, max_solutions=20))
    td = next(td for td in plan.team_days if td.stops)
    stop = td.stops[0]
    posted = Outcomes(outcomes=(
        VisitDone(site_id=stop.site_id, team_id=td.team_id, date=td.date, people=3),
        VisitMissed(site_id=stop.site_id, team_id=td.team_id, date=td.date),
        VisitDone(site_id="P-001", team_id="T-BH", date=dt.date(2026, 11, 28), people=3),
    ))
    report = check_outcomes(posted, sc, plan)
    problems = [(p.file, p.row, p.column) for p in report.errors]
    assert ("outcomes", 2, "site_id") in problems, report.format()  # reported twice
    assert ("outcomes", 3, "site_id") in problems, report.format()  # not in the plan
    assert len(problems) == 2


def test_outcomes_round_trip_through_json_as_the_api_takes_them(sc):
    got = load_outcomes(OUT / "good.csv", sc)
    again = Outcomes.model_validate_json(got.model_dump_json())
    assert again == got
    posted = Outcomes.model_validate({"outcomes": [{"kind": "visit_done", "date": "2026-11-23", "site_id": "V-001",
                                                    "team_id": "T-BH", "people": 4, "start": "09:00", "end": "09:45"}]})
    assert posted.outcomes[0].start == 540 and check_outcomes(posted, sc).ok
    with pytest.raises(ValueError):
        Outcomes.model_validate({"outcomes": [{"kind": "kit_down", "date": "2026-11-23"}]})  # no kit_id
