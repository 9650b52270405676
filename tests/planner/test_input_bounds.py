"""Issue 17: readers bound their work before allocating, and outcomes/re-plan times are checked.

Oversized inputs are refused with a sentence before they are read in full (a sparse file stands in
for a large one, so the test allocates nothing); counts far above a site's estimate are warnings.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from planner import units
from planner.io.load import load_scenario, validate_scenario
from planner.io.outcomes import Outcomes, VisitDone, check_from_time, check_outcomes
from planner.io.problems import Report

DATA = Path(__file__).resolve().parents[1] / "data"
GOOD = DATA / "good"


def scenario_with_sites(folder: Path, sites: str) -> Path:
    text = (f"name: t\nhorizon: {{start: 2026-11-23, days: 6}}\nsites: {sites}\n"
            f"teams: {GOOD / 'teams.csv'}\nkits: {GOOD / 'kits.csv'}\n")
    (folder / "scenario.yaml").write_text(text, encoding="utf-8")
    return folder / "scenario.yaml"


def only_error(report: Report) -> str:
    assert len(report.errors) == 1, report.format()
    return report.errors[0].reason


def test_a_table_larger_than_the_bound_is_refused_unread(tmp_path: Path) -> None:
    big = tmp_path / "sites.csv"
    with big.open("wb") as f:
        f.truncate(units.MAX_TABLE_BYTES + 1)  # sparse: nothing is written or read
    scenario, report = validate_scenario(scenario_with_sites(tmp_path, "sites.csv"))
    assert scenario is None
    assert only_error(report) == "the file is 64 MB; jemput reads tables of at most 64 MB"


def test_more_rows_than_the_bound_are_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(units, "MAX_TABLE_ROWS", 50)
    rows = "".join(f"V-{i},Desa {i},village,-1.70,103.27,10\n" for i in range(51))
    (tmp_path / "sites.csv").write_text("site_id,name,kind,lat,lon,unrecorded\n" + rows, encoding="utf-8")
    _, report = validate_scenario(scenario_with_sites(tmp_path, "sites.csv"))
    assert only_error(report) == "more than 50 data rows; jemput reads at most that many from one table"


def test_more_sites_than_a_scenario_may_have(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(units, "MAX_SITES", 40)
    for part in ("a", "b"):
        rows = "".join(f"V-{part}{i},Desa {i},village,-1.70,103.27,10\n" for i in range(25))
        (tmp_path / f"{part}.csv").write_text("site_id,name,kind,lat,lon,unrecorded\n" + rows, encoding="utf-8")
    text = scenario_with_sites(tmp_path, "[a.csv, b.csv]").read_text()
    (tmp_path / "scenario.yaml").write_text(text, encoding="utf-8")
    _, report = validate_scenario(tmp_path / "scenario.yaml")
    assert [(p.file, p.reason) for p in report.errors] == [
        ("b.csv", "50 sites; a scenario may have at most 40 (plan a province in parts, e.g. one scenario per regency)")]


def test_a_huge_scenario_file_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "scenario.yaml"
    with path.open("wb") as f:
        f.truncate(units.MAX_SCENARIO_FILE_BYTES + 1)
    _, report = validate_scenario(path)
    assert only_error(report).startswith("the scenario file is 1,000,001 bytes; at most 1,000,000")


def test_alias_expansion_is_never_attempted(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 30)]
    path = tmp_path / "scenario.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _, report = validate_scenario(path)  # 10^30 items if expanded; refused at the first alias
    assert "aliases (*a0) are not allowed" in only_error(report)


def test_a_visit_count_far_above_the_estimate_is_a_warning() -> None:
    sc = load_scenario(GOOD / "scenario.yaml")
    estimate = sc.site_by_id()["V-002"].unrecorded  # 45
    day = dt.date(2026, 11, 24)
    near = Outcomes(outcomes=(VisitDone(site_id="V-002", team_id="T-BH", people=2 * estimate + 50, date=day),))
    assert check_outcomes(near, sc).problems == []
    far = Outcomes(outcomes=(VisitDone(site_id="V-002", team_id="T-BH", people=5000, date=day),))
    report = check_outcomes(far, sc)
    assert report.ok and [(p.row, p.column, p.severity.value) for p in report] == [(1, "people", "warning")]
    assert report.problems[0].reason == (
        "5,000 people recorded at V-002, far above its estimate of 45 unrecorded; check the count "
        "(the re-plan takes it as reported)")


@pytest.mark.parametrize(("when", "answer"), [
    ("2026-11-22T23:59", "warning: the re-plan time 2026-11-22T23:59 is before the week 2026-11-23 to 2026-11-28: "
                         "nothing is kept and the whole week is planned again"),
    ("2026-11-23T00:00", None), ("2026-11-28T16:00", None),
    ("2026-11-29T08:00", "error: the re-plan time 2026-11-29T08:00 is after the week 2026-11-23 to 2026-11-28; "
                         "nothing is left to re-plan. Give a time within the week")])
def test_the_replan_time_must_be_inside_the_week(when: str, answer: str | None) -> None:
    sc = load_scenario(GOOD / "scenario.yaml")
    report = Report()
    check_from_time(dt.datetime.fromisoformat(when), sc, report, label="--from")
    assert [p.format() for p in report] == ([f"--from value '{when}:00': {answer}"] if answer else [])
    assert check_outcomes(Outcomes(), sc, from_time=dt.datetime.fromisoformat(when)).ok == (answer is None or "warning" in answer)


def test_a_sheet_with_more_rows_than_the_bound_is_refused_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import xlsxwriter

    monkeypatch.setattr(units, "MAX_TABLE_ROWS", 20)
    wb = xlsxwriter.Workbook(str(tmp_path / "sites.xlsx"))
    ws = wb.add_worksheet("Desa")
    ws.write_row(0, 0, ["site_id", "name", "kind", "lat", "lon", "unrecorded"])
    for r in range(1, 40):
        ws.write_row(r, 0, [f"V-{r}", f"Desa {r}", "village", -1.6, 103.6, 10])
    wb.close()
    _, report = validate_scenario(scenario_with_sites(tmp_path, "sites.xlsx"))
    assert only_error(report) == "sheet 'Desa' has values down to row 40 (F40); jemput reads at most 20 data rows from one table"


def test_the_line_count_refuses_early_only_what_the_parser_would(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Lines are counted before decoding; quoted cells spanning lines, or a binary file, go the long way."""
    monkeypatch.setattr(units, "MAX_TABLE_ROWS", 50)
    header = "site_id,name,kind,lat,lon,unrecorded\n"
    many = "".join(f"V-{i},Desa {i},village,-1.70,103.27,10\n" for i in range(80))
    (tmp_path / "sites.csv").write_text(header + many, encoding="utf-8")
    _, report = validate_scenario(scenario_with_sites(tmp_path, "sites.csv"))
    assert only_error(report) == "more than 50 data rows; jemput reads at most that many from one table"
    notes = "".join(f'V-{i},"Desa {i}\nDusun {i}",village,-1.70,103.27,10\n' for i in range(40))  # 80 lines, 40 rows
    (tmp_path / "sites.csv").write_text(header + notes, encoding="utf-8")
    _, report = validate_scenario(scenario_with_sites(tmp_path, "sites.csv"))
    assert not any("data rows" in p.reason for p in report)
    (tmp_path / "sites.csv").write_bytes(bytes(range(256)) * 100)
    _, report = validate_scenario(scenario_with_sites(tmp_path, "sites.csv"))
    assert "binary data" in only_error(report)


def test_the_memory_estimate_respects_the_address_space_cap() -> None:
    """A plan too large for `ulimit -v` (or JEMPUT_SOLVE_MEMORY_MB) stops before allocating, with figures."""
    import resource
    import subprocess
    import sys

    code = ("import resource; resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, resource.getrlimit(resource.RLIMIT_AS)[1]))\n"
            "from planner.compile.instance import check_memory, memory_limit_mb\n"
            "print(memory_limit_mb()); check_memory(20_002, 2)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                       env={"PYTHONPATH": str(Path(__file__).resolve().parents[2]), "PATH": "/usr/bin:/bin"})
    assert r.stdout.split()[0] == "3072", r.stdout + r.stderr
    assert "MemoryLimitError: 20002 places × 2 vehicle profiles need about 12,209 MB of travel matrices, more than 80% of the 3,072 MB" in r.stderr
    assert resource.getrlimit(resource.RLIMIT_AS)  # this process is left alone


def test_a_travel_matrix_file_over_the_bound_is_refused_unread(tmp_path: Path) -> None:
    path = scenario_with_sites(tmp_path, str(GOOD / "sites.csv"))
    path.write_text(path.read_text() + "travel: {provider: file, matrix_file: matrix.csv}\n", encoding="utf-8")
    with (tmp_path / "matrix.csv").open("wb") as f:  # sparse: nothing is written or read
        f.truncate(units.MAX_MATRIX_FILE_BYTES + 1)
    _, report = validate_scenario(path)
    assert only_error(report) == "the matrix file is 1,024 MB; jemput reads at most 1,024 MB (plan the province in parts)"
    assert report.errors[0].column == "travel.matrix_file"
