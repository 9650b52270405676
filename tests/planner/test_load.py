"""Tests of planner.io.load: good scenarios load, every kind of bad input is reported at its place."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.io.load import load_scenario, merge_windows, next_monday, validate_scenario
from planner.model import Access, KitStatus, SiteKind, TimeWindow, Weekday
from planner.io.problems import Problem, Report, ScenarioError, Severity
from planner.io.cells import Row, parse_windows
from planner.io.tables import Table, cell_text

DATA = Path(__file__).resolve().parents[1] / "data"
GOOD, BAD = DATA / "good", DATA / "bad"
SCENARIO = "<scenario file>"  # stands for the scenario file's path as given


def tw(text: str) -> TimeWindow:
    return TimeWindow.parse(text)


def at(report: Report, file: str, row: int | None, column: str | None, severity: str = "error") -> list[Problem]:
    return [p for p in report if (p.file, p.row, p.column, p.severity) == (file, row, column, severity)]


def the_problem(report: Report, file: str, row: int | None, column: str | None, severity: str = "error") -> Problem:
    found = at(report, file, row, column, severity)
    assert found, f"no {severity} at {file}:{row} column {column!r}; the report:\n{report.format()}"
    return found[0]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def scenario_yaml(folder: Path, **tables: str) -> Path:
    """A scenario in `folder`; tables default to the good ones (absolute paths)."""
    spec = {
        "sites": str(GOOD / "sites.csv"),
        "teams": str(GOOD / "teams.csv"),
        "kits": str(GOOD / "kits.csv"),
        **tables,
    }
    lines = ["name: test", "horizon: {start: 2026-11-23, days: 6}"] + [f"{k}: {json.dumps(v)}" for k, v in spec.items()]
    return write(folder / "scenario.yaml", "\n".join(lines) + "\n")


# --------------------------------------------------------------------------- the bad corpus

# (case, file, row, column, part of the reason): every error each case must report, and no other.
EXPECTED_ERRORS = [
    ("sites_missing_columns", "sites.csv", 1, "kind", "missing required column 'kind'"),
    ("sites_missing_columns", "sites.csv", 1, "unrecorded", "missing required column 'unrecorded'"),
    ("sites_unknown_columns", "sites.csv", 1, "latitude", "unknown column 'latitude'; did you mean 'lat'?"),
    ("sites_unknown_columns", "sites.csv", 1, "turnot", "did you mean 'turnout'?"),
    ("sites_unknown_columns", "sites.csv", 1, "lat", "missing required column 'lat'"),
    ("sites_non_numeric", "sites.csv", 3, "unrecorded", "not a number"),
    ("sites_non_numeric", "sites.csv", 4, "lat", "not a number"),
    ("sites_not_finite", "sites.csv", 2, "lat", "finite number"),
    ("sites_not_finite", "sites.csv", 3, "lon", "finite number"),
    ("sites_not_finite", "sites.csv", 4, "unrecorded", "missing value"),
    ("sites_not_finite", "sites.csv", 5, "lat", "missing value"),
    ("sites_outside_indonesia", "sites.csv", 3, "lat", "latitude 25 is outside Indonesia"),
    ("sites_outside_indonesia", "sites.csv", 4, "lon", "longitude 150.2 is outside Indonesia"),
    ("sites_swapped", "sites.csv", 3, "lat", "lat and lon look swapped"),
    ("sites_duplicate_ids", "sites.csv", 4, "site_id", "duplicate site_id 'V-001': rows 2 and 4"),
    ("sites_duplicate_ids", "more_sites.csv", 2, "site_id", "duplicate site_id 'V-002': sites.csv row 3"),
    ("sites_negative_counts", "sites.csv", 2, "unrecorded", "negative count"),
    ("sites_negative_counts", "sites.csv", 3, "unrecorded", "whole number"),
    ("sites_hours", "sites.csv", 2, "hours", "inverted hours '16:00-08:00'"),
    ("sites_hours", "sites.csv", 3, "hours_mon", "windows 08:00-12:00 and 11:00-14:00 overlap"),
    ("sites_hours", "sites.csv", 4, "hours", "not a time window"),
    ("sites_hours", "sites.csv", 5, "closed_dates", "expected a date YYYY-MM-DD"),
    ("sites_choices", "sites.csv", 2, "kind", "allowed: village, prison, hospital, school, care_home, other"),
    ("sites_choices", "sites.csv", 3, "access", "allowed: road, motorbike, river"),
    ("sites_choices", "sites.csv", 4, "electricity", "expected yes or no"),
    ("sites_choices", "sites.csv", 5, "turnout", "not a percentage: write 0.35"),
    ("sites_choices", "sites.csv", 6, "site_id", "letters, digits"),
    ("empty_files", "sites.csv", None, None, "the file is empty (0 bytes)"),
    ("empty_files", "teams.csv", None, None, "header row but no data rows"),
    ("kits_unknown_team", "kits.csv", 4, "team_id", "team 'T-KX', which is not in the teams table; did you mean 'T-KJ'?"),
    ("team_without_kits", "teams.csv", 4, "team_id", "team 'T-JT' has no kit rows"),
    ("no_working_kit", "kits.csv", None, None, "no team has a working kit on any day of the horizon"),
    ("kits_bad_rows", "kits.csv", 2, "repair_until", "a kit in repair needs repair_until"),
    ("kits_bad_rows", "kits.csv", 3, "repair_until", "expected a date YYYY-MM-DD, got '25/11/2026'"),
    ("kits_bad_rows", "kits.csv", 4, "status", "allowed: working, broken, in_repair"),
    ("kits_bad_rows", "kits.csv", 6, "kit_id", "duplicate kit_id 'K-BH-1': rows 2 and 6"),
    ("missing_table", "nowhere/teams.csv", None, None, "file not found"),
    ("malformed_yaml", SCENARIO, None, None, "malformed YAML: mapping values are not allowed here (line 3"),
    ("scenario_keys", SCENARIO, None, "site", "unknown key 'site'; did you mean 'sites'?"),
    ("scenario_keys", SCENARIO, None, "horizon.start", "expected a date YYYY-MM-DD, got 'next week'"),
    ("scenario_keys", SCENARIO, None, "weights.no_fixed_kit_factor", "greater than or equal to 1"),
    ("scenario_keys", SCENARIO, None, "visits.max_visit", "unknown key 'max_visit'; did you mean 'max_visits_per_site'?"),
    ("teams_bad_rows", "teams.csv", 2, "vehicle", "allowed: car, motorbike, boat"),
    ("teams_bad_rows", "teams.csv", 3, "shift_mon", "inverted hours '16:00-08:00'"),
    ("teams_bad_rows", "teams.csv", 4, "base_lat", "lat and lon look swapped"),
    ("teams_bad_rows", "teams.csv", 5, "max_nights_out", "negative count"),
    ("teams_bad_rows", "teams.csv", 6, "midday_break", "'siang' is not a time window"),
    ("rows_and_blanks", "sites.csv", 4, None, "the row has 7 values but the header has 6 columns"),
    ("rows_and_blanks", "sites.csv", 5, "unrecorded", "not a number"),
]
BAD_CASES = sorted({c for c, *_ in EXPECTED_ERRORS})


def validate_bad(case: str) -> tuple[str, Report]:
    path = str(BAD / case / "scenario.yaml")
    scenario, report = validate_scenario(path)
    assert scenario is None, f"{case} loaded although it has errors"
    return path, report


@pytest.mark.parametrize(("case", "file", "row", "column", "reason"), EXPECTED_ERRORS)
def test_bad_file_is_reported_at_its_place(case: str, file: str, row: int | None, column: str | None, reason: str) -> None:
    path, report = validate_bad(case)
    problem = the_problem(report, path if file == SCENARIO else file, row, column)
    assert reason in problem.reason


@pytest.mark.parametrize("case", BAD_CASES)
def test_bad_case_reports_exactly_its_errors(case: str) -> None:
    path, report = validate_bad(case)
    expected = {(path if f == SCENARIO else f, r, c) for k, f, r, c, _ in EXPECTED_ERRORS if k == case}
    assert {(p.file, p.row, p.column) for p in report.errors} == expected, report.format()


def test_every_bad_case_directory_is_covered() -> None:
    dirs = {d.name for d in BAD.iterdir() if d.is_dir()}
    assert set(BAD_CASES) <= dirs
    assert all((BAD / d / "expected.txt").is_file() for d in dirs)  # the exact answers: test_bad_corpus.py


def test_values_are_shown_as_repr() -> None:
    _, report = validate_bad("sites_swapped")
    assert the_problem(report, "sites.csv", 3, "lat").value == "'103.5'"
    _, report = validate_bad("sites_duplicate_ids")
    assert the_problem(report, "sites.csv", 4, "site_id").value == "'V-001'"
    _, report = validate_bad("scenario_keys")
    assert report.find(column="weights.no_fixed_kit_factor")[0].value == "0.5"


def test_missing_value_has_no_value() -> None:
    _, report = validate_bad("sites_not_finite")
    assert the_problem(report, "sites.csv", 4, "unrecorded").value is None


def test_long_values_are_truncated(tmp_path: Path) -> None:
    long_name = "x" * 300
    write(tmp_path / "sites.csv", f"site_id,name,kind,lat,lon,unrecorded\nV-1,{long_name},village,-1.7,103.3,5\n")
    _, report = validate_scenario(scenario_yaml(tmp_path, sites="sites.csv"))
    problem = the_problem(report, "sites.csv", 2, "name")
    assert len(problem.value) <= 60 and problem.value.endswith("...")


# --------------------------------------------------------------------------- warnings


def test_team_without_working_kit_is_a_warning_and_still_loads() -> None:
    scenario, report = validate_scenario(BAD / "team_no_working_kit" / "scenario.yaml")
    assert scenario is not None and report.ok
    problem = the_problem(report, "../../good/teams.csv", 3, "team_id", severity="warning")
    assert problem.reason == "team T-KJ has no working kit on any day of the horizon; it will not be dispatched"
    assert [p.severity for p in report] == [Severity.warning]


def test_no_working_kit_anywhere_also_warns_per_team() -> None:
    _, report = validate_bad("no_working_kit")
    for row in (2, 3):
        the_problem(report, "../../good/teams.csv", row, "team_id", severity="warning")


def test_repair_date_on_a_working_kit_is_a_warning() -> None:
    _, report = validate_bad("kits_bad_rows")
    assert "ignored" in the_problem(report, "kits.csv", 5, "repair_until", severity="warning").reason


def test_cp1252_export_loads_with_a_warning_naming_the_encoding() -> None:
    scenario, report = validate_scenario(GOOD / "scenario_cp1252.yaml")
    assert scenario is not None
    warning = the_problem(report, "sites_cp1252.csv", None, None, severity="warning")
    assert "cp1252" in warning.reason and "line 2" in warning.reason
    names = {s.id: s.name for s in scenario.sites}
    assert names["V-101"] == "Muara Bulian \u2013 D\u00e9sa"
    assert scenario.site_by_id()["V-101"].note == "\u201ckantor desa\u201d"


def test_empty_optional_district_offices_is_only_a_warning(tmp_path: Path) -> None:
    write(tmp_path / "offices.csv", "district_code,name,fixed_kit_working\n")
    scenario, report = validate_scenario(scenario_yaml(tmp_path, district_offices="offices.csv"))
    assert scenario is not None
    the_problem(report, "offices.csv", None, None, severity="warning")


# --------------------------------------------------------------------------- all or nothing


def test_one_bad_cell_means_no_scenario(tmp_path: Path) -> None:
    for f in GOOD.glob("*.csv"):
        shutil.copy(f, tmp_path / f.name)
    shutil.copy(GOOD / "scenario.yaml", tmp_path / "scenario.yaml")
    sites = (tmp_path / "sites.csv").read_text().replace("-1.6280,103.5820", "-1.6280,abc")
    write(tmp_path / "sites.csv", sites)

    scenario, report = validate_scenario(tmp_path / "scenario.yaml")
    assert scenario is None
    assert [(p.file, p.row, p.column) for p in report.errors] == [("sites.csv", 4, "lon")]
    with pytest.raises(ScenarioError) as caught:
        load_scenario(tmp_path / "scenario.yaml")
    assert caught.value.report.errors == report.errors
    assert "sites.csv:4 column 'lon' value 'abc': error: not a number" in str(caught.value)


def test_load_scenario_collects_all_problems_in_one_pass() -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(BAD / "teams_bad_rows" / "scenario.yaml")
    assert len(caught.value.report.errors) == 5


def test_missing_scenario_file() -> None:
    scenario, report = validate_scenario("no/such/scenario.yaml")
    assert scenario is None
    assert the_problem(report, "no/such/scenario.yaml", None, None).reason == "scenario file not found"


def test_malformed_json_scenario(tmp_path: Path) -> None:
    path = write(tmp_path / "scenario.json", '{"name": "x", "sites": }')
    _, report = validate_scenario(path)
    assert "malformed JSON" in the_problem(report, str(path), None, None).reason


def test_scenario_must_be_a_mapping_with_required_keys(tmp_path: Path) -> None:
    _, report = validate_scenario(write(tmp_path / "a.yaml", "- just\n- a list\n"))
    assert "expected keys" in report.errors[0].reason
    path = write(tmp_path / "b.yaml", "name: only a name\n")
    _, report = validate_scenario(path)
    assert {p.column for p in report.errors} == {"sites", "teams", "kits"}


# --------------------------------------------------------------------------- report text


def test_report_format_one_line_per_problem() -> None:
    _, report = validate_bad("sites_outside_indonesia")
    lines = report.format().splitlines()
    assert lines == [
        "sites.csv:3 column 'lat' value '25.0': error: latitude 25 is outside Indonesia (-11.5 to 6.5)",
        "sites.csv:4 column 'lon' value '150.2': error: longitude 150.2 is outside Indonesia (94.5 to 141.5)",
        "2 errors, 0 warnings",
    ]


def test_report_format_orders_by_file_then_row() -> None:
    report = Report()
    report.error("sites.csv", "b", row=9)
    report.warning("teams.csv", "c", row=2, column="name", value="x")
    report.error("sites.csv", "a", row=3)
    assert report.format().splitlines() == [
        "sites.csv:3: error: a",
        "sites.csv:9: error: b",
        "teams.csv:2 column 'name' value 'x': warning: c",
        "2 errors, 1 warning",
    ]
    assert Report().format() == "no problems"


# --------------------------------------------------------------------------- the good scenario


@pytest.fixture(scope="module")
def good():
    return load_scenario(GOOD / "scenario.yaml")


def test_good_scenario_loads(good) -> None:
    assert good.name == "Jambi, minggu 2026-11-23 (test)"
    assert good.horizon.start == dt.date(2026, 11, 23) and good.horizon.days == 6
    assert [s.id for s in good.sites] == ["V-001", "V-002", "P-001", "H-001", "S-001"]
    assert [t.id for t in good.teams] == ["T-BH", "T-KJ"]
    assert good.source_dir == str(GOOD) and Path(good.source_dir).is_absolute()
    _, report = validate_scenario(GOOD / "scenario.yaml")
    assert report.problems == []


def test_site_defaults_by_kind(good) -> None:
    sites = good.site_by_id()
    village, prison, hospital = sites["V-001"], sites["P-001"], sites["H-001"]
    assert village.turnout == 0.35 and prison.turnout == 0.9 and hospital.turnout == 0.6
    assert prison.clearance == "prison" and village.clearance is None and hospital.clearance is None
    assert village.access == Access.road and village.electricity and not village.location_estimated
    assert village.priority == 1.0
    assert prison.hours == {d: (tw("09:00-12:00"),) for d in list(Weekday)[:6]}  # Mon–Sat, Sunday closed
    assert hospital.hours[Weekday.sun] == (tw("09:00-12:00"),)
    assert hospital.hours[Weekday.mon] == (tw("09:00-14:00"),)
    assert sites["S-001"].note == 'kelas XII, "pemilih pemula"'


def test_site_columns(good) -> None:
    site = good.site_by_id()["V-002"]
    assert site.kind == SiteKind.village and site.unrecorded == 45 and isinstance(site.unrecorded, int)
    assert site.turnout == 0.4 and site.priority == 2.0
    assert site.hours[Weekday.mon] == (tw("08:00-11:30"), tw("13:00-15:00"))
    assert Weekday.sat not in site.hours and Weekday.sun not in site.hours
    assert site.closed_dates == {dt.date(2026, 11, 26), dt.date(2026, 11, 27)}
    assert not site.electricity and site.access == Access.motorbike and site.location_estimated
    codes = (site.province_code, site.regency_code, site.district_code, site.village_code)
    assert codes == ("15", "15.04", "15.04.01", "15.04.01.2002")  # kept as text


def test_teams_kits_and_shifts(good) -> None:
    bh, kj = good.team_by_id()["T-BH"], good.team_by_id()["T-KJ"]
    assert bh.generator and not kj.generator
    assert kj.clearances == {"prison", "hospital"} and kj.vehicle == "motorbike"
    assert (kj.rate_per_kit_hour, kj.setup_min, kj.max_drive_min, kj.max_nights_out) == (12.0, 15, 180, 1)
    assert [(k.id, k.status, k.repair_until) for k in bh.kits] == [
        ("K-BH-1", KitStatus.working, None),
        ("K-BH-2", KitStatus.in_repair, dt.date(2026, 11, 25)),
    ]
    assert bh.working_kits(dt.date(2026, 11, 25)) == 1 and bh.working_kits(dt.date(2026, 11, 26)) == 2
    # default shifts; midday break Mon–Thu; Friday prayer merged with the midday break; Saturday no break
    assert bh.shifts[Weekday.mon].work == tw("08:00-16:00")
    assert bh.shifts[Weekday.mon].breaks == (tw("12:00-13:00"),)
    assert bh.shifts[Weekday.fri].work == tw("08:00-16:30")
    assert bh.shifts[Weekday.fri].breaks == (tw("11:30-13:30"),)
    assert bh.shifts[Weekday.sat].work == tw("08:00-12:00") and bh.shifts[Weekday.sat].breaks == ()
    assert Weekday.sun not in bh.shifts
    assert Weekday.sat not in kj.shifts  # shift_sat = off


def test_district_offices_and_settings(good) -> None:
    assert good.districts_without_fixed_kit() == {"15.04.01"}
    assert len(good.district_offices) == 3
    assert good.weights.kind[SiteKind.prison] == 2.0
    assert good.weights.kind[SiteKind.hospital] == 1.5  # a partial kind mapping keeps the other defaults
    assert good.visits.max_visits_per_site == 3
    assert good.travel.provider == "haversine"


def test_horizon_defaults_to_next_monday(tmp_path: Path) -> None:
    assert next_monday(dt.date(2026, 11, 23)) == dt.date(2026, 11, 30)  # a Monday: the next one
    assert next_monday(dt.date(2026, 11, 22)) == dt.date(2026, 11, 23)
    path = write(
        tmp_path / "s.yaml",
        f"name: x\nsites: {GOOD / 'sites.csv'}\nteams: {GOOD / 'teams.csv'}\nkits: {GOOD / 'kits.csv'}\n",
    )
    scenario = load_scenario(path)
    assert scenario.horizon.start == next_monday() and scenario.horizon.days == 6


def test_json_scenario(tmp_path: Path) -> None:
    config = {
        "name": "json",
        "horizon": {"start": "2026-11-23", "days": 5},
        "sites": [str(GOOD / "sites.csv")],
        "teams": str(GOOD / "teams.csv"),
        "kits": str(GOOD / "kits.csv"),
    }
    scenario = load_scenario(write(tmp_path / "s.json", json.dumps(config)))
    assert scenario.horizon.days == 5 and len(scenario.sites) == 5


# --------------------------------------------------------------------------- shifts and breaks


def load_team(tmp_path: Path, columns: str, values: str):
    write(tmp_path / "teams.csv", f"team_id,name,base_lat,base_lon,{columns}\nT-1,Tim,-1.7,103.3,{values}\n")
    write(tmp_path / "kits.csv", "kit_id,team_id,status\nK-1,T-1,working\n")
    scenario, report = validate_scenario(scenario_yaml(tmp_path, teams="teams.csv", kits="kits.csv"))
    assert scenario is not None, report.format()
    return scenario.teams[0]


def test_friday_prayer_is_clipped_to_a_short_shift(tmp_path: Path) -> None:
    team = load_team(tmp_path, "shift_fri", "08:00-12:00")
    assert team.shifts[Weekday.fri].breaks == (tw("11:30-12:00"),)  # midday break not contained: not applied


def test_overlapping_breaks_are_merged(tmp_path: Path) -> None:
    team = load_team(tmp_path, "midday_break,friday_prayer", "12:30-13:30,11:30-13:00")
    assert team.shifts[Weekday.fri].breaks == (tw("11:30-13:30"),)
    assert team.shifts[Weekday.thu].breaks == (tw("12:30-13:30"),)


def test_no_midday_break_and_custom_shifts(tmp_path: Path) -> None:
    team = load_team(tmp_path, "midday_break,shift_sun,shift_mon", "none,08:00-11:00,07:00-15:00")
    assert team.shifts[Weekday.mon].work == tw("07:00-15:00") and team.shifts[Weekday.mon].breaks == ()
    assert team.shifts[Weekday.sun].work == tw("08:00-11:00")
    assert team.shifts[Weekday.fri].breaks == (tw("11:30-13:30"),)


def test_merge_windows() -> None:
    ws = [tw("12:00-13:00"), tw("11:30-12:30"), tw("13:00-13:15"), tw("15:00-15:30")]
    assert merge_windows(ws) == (tw("11:30-13:15"), tw("15:00-15:30"))
    assert merge_windows([]) == ()


# --------------------------------------------------------------------------- cells


def test_parse_windows() -> None:
    assert parse_windows("08:00-11:30; 13:00-15:00") == (tw("08:00-11:30"), tw("13:00-15:00"))
    assert parse_windows("13:00-15:00;08:00-11:30") == (tw("08:00-11:30"), tw("13:00-15:00"))
    assert parse_windows("08.00\u201316.00") == (tw("08:00-16:00"),)  # dots and an en dash, as Word writes them
    for closed in ("closed", "Closed", "off", "tutup", "libur"):
        assert parse_windows(closed) == ()
    for bad in ("16:00-08:00", "08:00-12:00;11:00-13:00", "8-12", "08:00", "25:00-26:00"):
        with pytest.raises(ValueError):
            parse_windows(bad)


@pytest.mark.parametrize(
    ("text", "expected"),
    [(w, True) for w in ("yes", "YA", "True", "1", "y", "Y")] + [(w, False) for w in ("no", "Tidak", "FALSE", "0", "n")],
)
def test_booleans(text: str, expected: bool) -> None:
    report = Report()
    row = Row(Table("t.csv", ["flag"], []), 2, {"flag": text}, report)
    assert row.boolean("flag", not expected) is expected and report.problems == []


def test_boolean_empty_is_default_and_garbage_is_reported() -> None:
    report = Report()
    table = Table("t.csv", ["flag"], [])
    assert Row(table, 2, {"flag": ""}, report).boolean("flag", True) is True
    row = Row(table, 3, {"flag": "mungkin"}, report)
    row.boolean("flag", True)
    assert row.failed and [(p.row, p.column) for p in report] == [(3, "flag")]


def test_cell_text() -> None:
    assert cell_text(120.0) == "120" and cell_text(0.35) == "0.35" and cell_text(float("nan")) == ""
    assert cell_text(dt.datetime(2026, 11, 25)) == "2026-11-25" and cell_text(dt.time(8, 30)) == "08:30"
    assert cell_text(True) == "yes" and cell_text(None) == "" and cell_text("  15.01 ") == "15.01"


def test_semicolon_csv_with_decimal_commas(tmp_path: Path) -> None:
    write(
        tmp_path / "sites.csv",
        "site_id;name;kind;lat;lon;unrecorded;district_code\nV-1;Desa A;village;-1,7036;103,2699;120;15.04.01\n",
    )
    scenario = load_scenario(scenario_yaml(tmp_path, sites="sites.csv"))
    site = scenario.sites[0]
    assert (site.lat, site.lon, site.district_code) == (-1.7036, 103.2699, "15.04.01")


def test_decimal_comma_in_a_comma_csv_gets_a_hint(tmp_path: Path) -> None:
    write(tmp_path / "sites.csv", 'site_id,name,kind,lat,lon,unrecorded\nV-1,Desa A,village,"-1,7",103.3,5\n')
    _, report = validate_scenario(scenario_yaml(tmp_path, sites="sites.csv"))
    assert "decimal point" in the_problem(report, "sites.csv", 2, "lat").reason


def test_duplicate_header_column(tmp_path: Path) -> None:
    write(tmp_path / "sites.csv", "site_id,name,kind,lat,lon,unrecorded,lat\nV-1,Desa A,village,-1.7,103.3,5,-1.8\n")
    _, report = validate_scenario(scenario_yaml(tmp_path, sites="sites.csv"))
    assert "appears twice" in the_problem(report, "sites.csv", 1, "lat").reason


# --------------------------------------------------------------------------- XLSX


NUMERIC = {"lat", "lon", "unrecorded", "turnout", "priority", "base_lat", "base_lon", "rate_per_kit_hour"}
NUMERIC |= {"setup_min", "max_drive_min", "max_nights_out"}


def typed(column: str, text: str) -> object:
    """A cell as Excel would hold it: numbers as numbers, dates as datetimes, the rest as text."""
    if not text:
        return None
    if column in NUMERIC:
        try:
            return float(text) if "." in text else int(text)
        except ValueError:
            return text  # a typo stays text, as in Excel
    if column == "repair_until":
        return dt.datetime.fromisoformat(text)
    if column == "generator":
        return text == "yes"
    return text


def write_xlsx(path: Path, sheets: dict[str, Path], blank_rows_on_top: int = 0) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False})
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    for title, csv_path in sheets.items():
        sheet = book.add_worksheet(title)
        with csv_path.open(encoding="utf-8") as f:
            records = list(csv.reader(f))
        sheet.write_row(blank_rows_on_top, 0, records[0])
        for r, record in enumerate(records[1:], blank_rows_on_top + 1):
            for c, value in enumerate(typed(c, v) for c, v in zip(records[0], record)):
                if isinstance(value, dt.datetime):
                    sheet.write_datetime(r, c, value, dates)
                elif value is not None:
                    sheet.write(r, c, value)
    book.close()


def xlsx_scenario(tmp_path: Path, sites_csv: Path = GOOD / "sites.csv", blank_rows_on_top: int = 0) -> Path:
    sheets = {"Petunjuk": GOOD / "district_offices.csv", "Desa": sites_csv, "Tim": GOOD / "teams.csv"}
    write_xlsx(tmp_path / "data.xlsx", sheets | {"Kit": GOOD / "kits.csv"}, blank_rows_on_top)
    return write(
        tmp_path / "scenario.yaml",
        "name: xlsx\nhorizon: {start: 2026-11-23}\nsites: data.xlsx#Desa\nteams: data.xlsx#Tim\nkits: data.xlsx#Kit\n"
        "district_offices: data.xlsx\nweights: {kind: {prison: 2.0}}\nvisits: {max_visits_per_site: 3}\n",
    )


def test_xlsx_variant_loads_like_the_csv_one(tmp_path: Path, good) -> None:
    scenario, report = validate_scenario(xlsx_scenario(tmp_path))
    assert scenario is not None, report.format()
    assert scenario.sites == good.sites
    assert scenario.teams == good.teams
    assert scenario.district_offices == good.district_offices  # first sheet when no #Sheet is given


def test_xlsx_rows_are_the_sheets_row_numbers(tmp_path: Path) -> None:
    text = (GOOD / "sites.csv").read_text(encoding="utf-8").replace("-1.6280,103.5820", "-1.6280,abc")
    path = xlsx_scenario(tmp_path, write(tmp_path / "sites.csv", text), blank_rows_on_top=2)
    _, report = validate_scenario(path)
    assert [(p.file, p.row, p.column) for p in report.errors] == [("data.xlsx#Desa", 6, "lon")]  # header on row 3


def test_xlsx_missing_sheet(tmp_path: Path) -> None:
    path = xlsx_scenario(tmp_path)
    write(path, path.read_text().replace("data.xlsx#Tim", "data.xlsx#Teams"))
    _, report = validate_scenario(path)
    problem = the_problem(report, "data.xlsx#Teams", None, None)
    assert "no sheet 'Teams'" in problem.reason and "'Tim'" in problem.reason


# --------------------------------------------------------------------------- GeoJSON / GPKG


def test_geojson_sites_layer() -> None:
    scenario, report = validate_scenario(GOOD / "scenario_geo.yaml")
    assert scenario is not None, report.format()
    sites = scenario.site_by_id()
    assert len(sites) == 7
    rutan, panti = sites["P-002"], sites["C-001"]
    assert (rutan.lat, rutan.lon) == (-1.695, 103.258)  # a point
    assert rutan.clearance == "prison" and rutan.unrecorded == 95 and rutan.district_code == "15.04.01"
    assert -1.590 < panti.lat < -1.586 and 103.590 < panti.lon < 103.594  # a polygon's representative point


def test_gpkg_in_another_crs_is_reprojected(tmp_path: Path) -> None:
    import geopandas
    from shapely.geometry import Point

    frame = geopandas.GeoDataFrame(
        {"site_id": ["V-9"], "name": ["Desa Sembilan"], "kind": ["village"], "unrecorded": [40]},
        geometry=[Point(103.2699, -1.7036)],
        crs=4326,
    ).to_crs(32748)  # UTM 48S, metres
    frame.to_file(tmp_path / "desa.gpkg", layer="desa", engine="pyogrio")
    scenario = load_scenario(scenario_yaml(tmp_path, sites="desa.gpkg#desa"))
    site = scenario.sites[0]
    assert site.lat == pytest.approx(-1.7036, abs=1e-7) and site.lon == pytest.approx(103.2699, abs=1e-7)


def test_geojson_problems_name_the_feature(tmp_path: Path) -> None:
    fc = json.loads((GOOD / "sites_extra.geojson").read_text())
    fc["features"][1]["properties"]["kind"] = "panti"
    write(tmp_path / "layer.geojson", json.dumps(fc))
    _, report = validate_scenario(scenario_yaml(tmp_path, sites="layer.geojson"))
    assert [(p.file, p.row, p.column) for p in report.errors] == [("layer.geojson", 2, "kind")]


def test_geo_layers_only_for_sites(tmp_path: Path) -> None:
    shutil.copy(GOOD / "sites_extra.geojson", tmp_path / "teams.geojson")
    _, report = validate_scenario(scenario_yaml(tmp_path, teams="teams.geojson"))
    assert "use CSV or XLSX" in the_problem(report, "teams.geojson", None, None).reason


# --------------------------------------------------------------------------- performance


def test_validating_5000_sites_loads_them_all(tmp_path: Path) -> None:
    """A province-sized table loads whole (its speed is measured in bench/validate_sites.py)."""
    header = "site_id,name,kind,lat,lon,unrecorded,district_code,hours,hours_sat,closed_dates,electricity\n"
    kinds = ["village", "village", "village", "prison", "hospital", "school", "care_home"]
    hours = ["", "08:00-12:00;13:00-15:00", "07:30-14:00"]
    rows = (
        f"S{i:05d},Desa {i},{kinds[i % 7]},{-2.5 + (i % 170) / 100:.4f},{101.5 + (i % 300) / 100:.4f},"
        f"{i % 400},15.04.0{i % 9},{hours[i % 3]},{'closed' if i % 4 else ''},{'2026-11-26' if i % 5 else ''},"
        f"{'ya' if i % 2 else 'tidak'}\n"
        for i in range(5000)
    )
    write(tmp_path / "sites.csv", header + "".join(rows))
    path = scenario_yaml(tmp_path, sites="sites.csv", district_offices=str(GOOD / "district_offices.csv"))
    scenario, report = validate_scenario(path)
    assert scenario is not None and len(scenario.sites) == 5000, report.format()
    assert scenario.sites[3].kind == "prison" and not scenario.sites[0].electricity


# --------------------------------------------------------------------------- odds and ends


def test_travel_provider_needs_its_source(tmp_path: Path) -> None:
    path = scenario_yaml(tmp_path)
    write(path, path.read_text() + "travel: {provider: file, matrix_file: matrix.csv}\n")
    _, report = validate_scenario(path)
    assert the_problem(report, str(path), None, "travel.matrix_file").value == "'matrix.csv'"


def test_model_errors_map_back_to_columns() -> None:
    """The pydantic model is the last check; its errors point at the column they came from."""
    from planner.io.fields import construct as _construct
    from planner.io.sites import _site_column
    from planner.model import Site

    report = Report()
    row = Row(Table("sites.csv", [], []), 7, {}, report)
    fields = dict(id="V-1", name="Desa", kind="village", lat=-1.7, lon=200.0, unrecorded=5, turnout=0.3)
    fields["hours"] = {"mon": ("all day",)}
    assert _construct(Site, fields, row, _site_column) is None and row.failed
    assert {(p.file, p.row, p.column) for p in report} == {("sites.csv", 7, "lon"), ("sites.csv", 7, "hours_mon")}


windows = st.builds(
    lambda start, length: TimeWindow(start=start, end=min(start + length, 24 * 60)),
    st.integers(0, 24 * 60 - 1),
    st.integers(1, 300),
)


@given(st.lists(windows, max_size=6))
def test_merge_windows_is_the_union(ws: list[TimeWindow]) -> None:
    merged = merge_windows(ws)
    minutes = lambda wins: {m for w in wins for m in range(w.start, w.end)}  # noqa: E731
    assert minutes(merged) == minutes(ws)
    assert all(a.end < b.start for a, b in zip(merged, merged[1:]))  # disjoint, not even touching


def test_skills_columns_are_read_as_required_and_offered_skills(tmp_path: Path) -> None:
    """Issue 18: requirements as data; the old columns still read."""
    write(tmp_path / "sites.csv", "site_id,name,kind,lat,lon,unrecorded,skills,access\n"
          "LP-1,Lapas A,prison,-1.7,103.3,50,Narcotics; sign_language,river\n")
    write(tmp_path / "teams.csv", "team_id,name,base_lat,base_lon,clearances,skills,vehicle\n"
          "T1,Tim 1,-1.6,103.6,prison,narcotics,boat\n")
    write(tmp_path / "kits.csv", "kit_id,team_id,status\nK1,T1,working\n")
    sc, report = validate_scenario(scenario_yaml(tmp_path, sites="sites.csv", teams="teams.csv", kits="kits.csv"))
    assert sc is not None, report.format()
    site, team = sc.sites[0], sc.teams[0]
    assert site.skills == {"narcotics", "sign_language"}
    assert site.required_skills == {"prison", "narcotics", "sign_language", "boat"}
    assert team.offered_skills == {"prison", "narcotics", "boat"}
