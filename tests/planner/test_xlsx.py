"""Tests of planner.io.xlsx and the XLSX path of read_table: bounded before reading, rows numbered as the
sheet numbers them, merged titles skipped, unreadable cells (formulas without a result, #N/A) reported."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
import xlsxwriter

from planner.io import xlsx
from planner.io.problems import Report
from planner.io.tables import read_table

HEADER = ["site_id", "name", "lat", "lon"]
ROWS = [["V-1", "Desa Satu", -1.6, 103.6], ["V-2", "Desa Dua", -1.7, 103.7]]


def book(path: Path, rows: list[tuple[int, list]], *, sheet: str = "Desa", extra=None) -> Path:
    """An XLSX with `rows` written at their 0-based row index from column A; `extra(workbook, worksheet)`."""
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    ws = wb.add_worksheet(sheet)
    for r, values in rows:
        ws.write_row(r, 0, values)
    if extra:
        extra(wb, ws)
    wb.close()
    return path


def plain(path: Path, **kw) -> Path:
    return book(path, [(0, HEADER), (1, ROWS[0]), (2, ROWS[1])], **kw)


def rewrite_sheet(path: Path, edit) -> Path:
    """Apply `edit` (bytes → bytes) to the first worksheet's XML: files other programs write."""
    out = path.with_name("edited-" + path.name)
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            dst.writestr(info, edit(data) if info.filename == "xl/worksheets/sheet1.xml" else data)
    return out


def read(path: Path, spec: str | None = None):
    report = Report()
    table = read_table(path.parent, spec or path.name, report)
    return table, report


def test_a_stray_cell_at_the_sheets_end_is_refused_before_reading(tmp_path: Path) -> None:
    # calamine would allocate 549 GB for this 5 kB file and abort the process (no MemoryError)
    path = plain(tmp_path / "stray.xlsx", extra=lambda wb, ws: ws.write(1048575, 16383, "x"))
    assert path.stat().st_size < 8000
    table, report = read(path)
    assert table is None
    [problem] = report.errors
    assert problem.file == "stray.xlsx"
    assert "'Desa'" in problem.reason and "XFD1048576" in problem.reason and "Ctrl+End" in problem.reason


def test_the_bound_names_both_far_cells(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsx, "MAX_CELLS", 1000)
    path = plain(tmp_path / "far.xlsx", extra=lambda wb, ws: (ws.write(500, 0, "x"), ws.write(0, 40, "y")))
    _, report = read(path)
    assert "A501 and AO1" in report.errors[0].reason and "501 rows × 41 columns" in report.errors[0].reason


def test_formatting_far_away_is_not_data(tmp_path: Path) -> None:
    fmt = {"bold": True}
    path = plain(tmp_path / "styled.xlsx", extra=lambda wb, ws: ws.write_blank(1048575, 16383, None, wb.add_format(fmt)))
    table, report = read(path)
    assert not report.errors and [n for n, _ in table.rows] == [2, 3]


def test_the_label_names_the_sheet_read(tmp_path: Path) -> None:
    path = book(tmp_path / "t.xlsx", [(0, HEADER), (1, ["V-1", "Desa", "x", 103.6])], sheet="Lokasi")
    table, _ = read(path)
    assert table.label == "t.xlsx#Lokasi"
    table, _ = read(path, "t.xlsx#Lokasi")
    assert table.label == "t.xlsx#Lokasi"


def test_a_merged_title_row_is_not_the_header(tmp_path: Path) -> None:
    def title(wb, ws):
        ws.merge_range("A1:D1", "Daftar Desa Kabupaten Batang Hari", wb.add_format({"bold": True}))

    path = book(tmp_path / "titled.xlsx", [(2, HEADER), (3, ROWS[0]), (5, ROWS[1])], extra=title)
    table, report = read(path)
    assert not report.errors, report.format()
    assert table.header_row == 3 and table.columns == HEADER
    assert [(n, cells["site_id"], cells["lat"]) for n, cells in table.rows] == [(4, "V-1", "-1.6"), (6, "V-2", "-1.7")]


def test_an_unmerged_single_cell_first_row_is_still_the_header(tmp_path: Path) -> None:
    path = book(tmp_path / "one.xlsx", [(0, ["catatan"]), (1, HEADER)])
    table, _ = read(path)
    assert table.header_row == 1 and table.columns == ["catatan"]


def test_a_formula_without_a_saved_result_is_reported_at_its_cell(tmp_path: Path) -> None:
    path = plain(tmp_path / "f.xlsx")
    # as a program that does not calculate writes it: the formula and no <v>
    edited = rewrite_sheet(path, lambda xml: xml.replace(b'<c r="C3"><v>-1.7</v></c>', b'<c r="C3"><f>C2-0.1</f></c>'))
    table, report = read(edited)
    [problem] = report.errors
    assert (problem.file, problem.row, problem.column) == ("edited-f.xlsx#Desa", 3, "lat")
    assert "formula saved without its result" in problem.reason and "LibreOffice" in problem.reason


def test_an_error_value_is_reported_not_read_as_empty(tmp_path: Path) -> None:
    path = plain(tmp_path / "e.xlsx", extra=lambda wb, ws: ws.write_formula(1, 3, "=1/0", None, "#DIV/0!"))
    _, report = read(path)
    [problem] = report.errors
    assert (problem.row, problem.column) == (2, "lon") and "#DIV/0!" in problem.reason


def test_many_bad_cells_are_counted(tmp_path: Path) -> None:
    rows = [(0, HEADER)] + [(r, ["V", "D", -1.0, 103.0]) for r in range(1, 9)]
    path = book(tmp_path / "many.xlsx", rows, extra=lambda wb, ws: [ws.write_formula(r, 2, "=NA()", None, "#N/A")
                                                                    for r in range(1, 9)])
    _, report = read(path)
    assert len(report.errors) == xlsx.MAX_BAD_EXAMPLES + 1
    assert report.errors[-1].reason.startswith(f"{8 - xlsx.MAX_BAD_EXAMPLES} more cells")


def test_cells_without_references_and_prefixed_tags_are_measured(tmp_path: Path) -> None:
    """Some writers leave out r="..." and write x:row / x:c: positions follow the order, as calamine reads them."""
    path = plain(tmp_path / "p.xlsx")

    def strip(xml: bytes) -> bytes:
        import re

        xml = re.sub(rb' r="[A-Z]+\d+"', b"", xml)
        return xml.replace(b"<row", b"<x:row").replace(b"</row>", b"</x:row>").replace(b"<c", b"<x:c").replace(
            b"</c>", b"</x:c>").replace(b"<x:cols", b"<cols")

    with zipfile.ZipFile(rewrite_sheet(path, strip)) as archive:
        extent = xlsx.scan_sheet(archive, "xl/worksheets/sheet1.xml", "Desa")
    assert (extent.rows, extent.columns) == (3, 4)


def test_the_scan_does_not_depend_on_chunk_boundaries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [(0, HEADER)] + [(r, [f"V-{r}", f"Desa {r}", -1.0, 103.0]) for r in range(1, 300)]
    path = book(tmp_path / "long.xlsx", rows, extra=lambda wb, ws: ws.write_formula(150, 1, "=1/0", None, "#DIV/0!"))
    found = []
    for chunk in (7, 64, 1 << 20):
        monkeypatch.setattr(xlsx, "_CHUNK", chunk)
        with zipfile.ZipFile(path) as archive:
            e = xlsx.scan_sheet(archive, "xl/worksheets/sheet1.xml", "Desa")
        found.append((e.rows, e.columns, e.bad_cells))
    assert found[0] == found[1] == found[2] == (300, 4, [(151, 2, found[0][2][0][2])])


def test_a_workbook_that_unpacks_too_large_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsx, "MAX_UNPACKED_BYTES", 2000)
    _, report = read(plain(tmp_path / "big.xlsx"))
    assert "unpacks to" in report.errors[0].reason


def test_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "sites.xlsx"
    path.write_text("site_id,name\n")
    _, report = read(path)
    assert "not an XLSX workbook" in report.errors[0].reason


@pytest.mark.parametrize("suffix", [".xls", ".xlsb", ".ods"])
def test_other_workbook_kinds_are_refused_with_advice(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"sites{suffix}"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    _, report = read(path)
    assert "save the file as .xlsx" in report.errors[0].reason


def test_missing_sheet_lists_the_sheets(tmp_path: Path) -> None:
    path = plain(tmp_path / "s.xlsx")
    _, report = read(path, "s.xlsx#Tim")
    assert report.errors[0].file == "s.xlsx#Tim" and "'Desa'" in report.errors[0].reason


def test_column_letters() -> None:
    assert [xlsx.column_letters(n) for n in (1, 26, 27, 28, 702, 703, 16384)] == ["A", "Z", "AA", "AB", "ZZ", "AAA", "XFD"]


def test_cells_with_other_attributes_first_are_measured_cell_by_cell(tmp_path: Path) -> None:
    path = plain(tmp_path / "o.xlsx", extra=lambda wb, ws: ws.write(30, 9, "far"))
    edited = rewrite_sheet(path, lambda xml: xml.replace(b'<c r="J31" t="s">', b'<c t="s" r="J31">'))
    with zipfile.ZipFile(edited) as archive:
        assert xlsx._ref_extent(archive.read("xl/worksheets/sheet1.xml")) is None  # not the fast form
        extent = xlsx.scan_sheet(archive, "xl/worksheets/sheet1.xml", "Desa")
    assert (extent.rows, extent.columns, extent.last_row_cell) == (31, 10, "J31")


def test_the_fast_measure_reads_the_references(tmp_path: Path) -> None:
    path = plain(tmp_path / "r.xlsx", extra=lambda wb, ws: (ws.write(999, 2, "x"), ws.write(5, 702, "y")))
    with zipfile.ZipFile(path) as archive:
        assert xlsx._ref_extent(archive.read("xl/worksheets/sheet1.xml")) == (1000, 703)  # C1000, AAA6


def test_the_table_is_read_from_the_one_sheet_that_has_its_columns(tmp_path: Path) -> None:
    """An instructions sheet first: the one other sheet with the columns is read, with a warning;
    with two such sheets jemput does not guess (the first sheet is read and its columns reported)."""
    wb = xlsxwriter.Workbook(str(tmp_path / "two.xlsx"))
    wb.add_worksheet("Petunjuk").write_row(0, 0, ["Isi satu baris per lokasi"])
    for name in ("Desa", "Desa (2)"):
        ws = wb.add_worksheet(name)
        ws.write_row(0, 0, HEADER)
        ws.write_row(1, 0, ROWS[0])
    wb.close()
    report = Report()
    table = read_table(tmp_path, "two.xlsx", report, columns=("site_id", "lat"))
    assert table is not None and table.label == "two.xlsx#Petunjuk" and not report.warnings
    report = Report()
    wb = xlsxwriter.Workbook(str(tmp_path / "one.xlsx"))
    wb.add_worksheet("Petunjuk").write_row(0, 0, ["Isi satu baris per lokasi"])
    ws = wb.add_worksheet("Desa")
    ws.write_row(0, 0, HEADER)
    ws.write_row(1, 0, ROWS[0])
    wb.close()
    table = read_table(tmp_path, "one.xlsx", report, columns=("site_id", "lat"))
    assert table is not None and table.label == "one.xlsx#Desa" and table.columns == HEADER
    [warning] = report.warnings
    assert "first sheet, 'Petunjuk', does not have the table's columns" in warning.reason
