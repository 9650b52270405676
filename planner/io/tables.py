"""Reading input tables (CSV, XLSX, GeoJSON, GeoPackage) as text, and parsing their cells.

Every cell is kept as text (codes like '15.01' and ids stay as written) and converted per column by
`Row`, which reports each bad cell to a `Report` with its file, row and column. Row numbers are the
ones a spreadsheet shows: the header is row 1 and the first data row is row 2 (in an XLSX sheet,
the sheet's own row numbers); features of GeoJSON/GPKG layers are numbered from 1.

Libraries do the reading (csv, calamine through planner/io/xlsx.py, geopandas/pyogrio). Kept
hand-written, because a library would do it worse here: the cp1252 fallback (planner/io/sniff.py:
Excel on Indonesian Windows saves plain "CSV" as cp1252, where pandas or csv would fail or silently
mis-decode; it is read and a warning names the first non-UTF-8 line).
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import itertools
import math
import numbers
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from planner import units
from planner.io.sniff import csv_text
from planner.model import fmt_clock
from planner.io.problems import Report, Severity

if TYPE_CHECKING:
    from planner.io.xlsx import Sheet, SheetExtent

CSV_SUFFIXES = {".csv", ".txt"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}
GEO_SUFFIXES = {".geojson", ".json", ".gpkg"}



@dataclass
class Table:
    """The rows of one input table, every cell as stripped text."""

    label: str  # the file as the scenario names it, e.g. "sites.xlsx#Desa"
    columns: list[str]  # header names, stripped and lower-cased
    rows: list[tuple[int, dict[str, str]]]  # (row number, {column: text}); blank rows left out
    header_row: int | None = 1  # None for GeoJSON/GPKG layers
    decimal_comma: bool = False  # ';'-separated CSV (Excel with Indonesian settings): "-1,6" = -1.6
    missing: set[str] = field(default_factory=set)  # required columns the header lacks
    unreadable: set[tuple[int, str]] = field(default_factory=set)  # (row, column) already reported unreadable


# --------------------------------------------------------------------------- reading files


def read_table(
    base_dir: Path, spec: str, report: Report, *, geo: bool = False, optional: bool = False,
    columns: Iterable[str] = (),
) -> Table | None:
    """Read the table `spec` ("file", "file.xlsx#Sheet", "file.gpkg#layer") relative to base_dir.

    `columns`: the table's required columns; a workbook named without its sheet whose first sheet
    lacks them (an instructions sheet first) is read from the one other sheet that has them."""
    name, _, fragment = spec.partition("#")
    path = Path(name) if Path(name).is_absolute() else base_dir / name
    suffix = path.suffix.lower()
    if not path.is_file():
        report.error(spec, f"file not found (looked for {path})")
        return None
    size = path.stat().st_size
    if size > units.MAX_TABLE_BYTES:
        mb = units.MAX_TABLE_BYTES // (1024 * 1024)
        report.error(spec, f"the file is {size / 1024 / 1024:,.0f} MB; jemput reads tables of at most {mb} MB")
        return None
    try:
        if suffix in XLSX_SUFFIXES:
            table = _read_xlsx(path, spec, fragment or None, report, tuple(columns))
        elif suffix in GEO_SUFFIXES and geo:
            table = _read_geo(path, spec, fragment or None, report)
        elif suffix in CSV_SUFFIXES:
            table = _read_csv(path, spec, report)
        elif suffix in {".xls", ".xlsb", ".ods"}:  # calamine reads them, but not within a size bound (xlsx.py)
            report.error(spec, f"cannot read {suffix} workbooks; save the file as .xlsx (Excel Workbook) or CSV")
            return None
        else:
            kinds = "CSV, XLSX, GeoJSON or GPKG" if geo else "CSV or XLSX"
            report.error(spec, f"cannot read {suffix or 'a file without extension'} files here; use {kinds}")
            return None
    except Exception as exc:  # a corrupt file: report it rather than crash the whole load
        report.error(spec, f"could not read the file: {type(exc).__name__}: {exc}")
        return None
    if table is not None and not table.rows:
        severity = Severity.warning if optional else Severity.error
        report.add(severity, spec, "the file has a header row but no data rows")
    return table


def _read_csv(path: Path, label: str, report: Report) -> Table | None:
    data = path.read_bytes()
    if not data.strip():
        report.error(label, f"the file is empty ({len(data)} bytes)")
        return None
    too_many = f"more than {units.MAX_TABLE_ROWS:,} data rows; jemput reads at most that many from one table"
    if data.count(b"\n") > units.MAX_TABLE_ROWS + 2 and b'"' not in data:  # unquoted: every line is a row
        if csv_text(data[:65536], label, Report()) is not None:  # a text table: refused before decoding it all
            report.error(label, too_many)
            return None
    sniffed = csv_text(data, label, report)
    if sniffed is None:
        return None
    reader = csv.reader(io.StringIO(sniffed.text, newline=""), delimiter=sniffed.delimiter)
    records = list(itertools.islice(reader, units.MAX_TABLE_ROWS + 2))
    if len(records) > units.MAX_TABLE_ROWS + 1:
        report.error(label, too_many)
        return None
    table = _assemble(label, records, first_row=1, report=report)
    if table is not None:
        table.decimal_comma = sniffed.delimiter == ";"
    return table


def _read_xlsx(path: Path, label: str, sheet: str | None, report: Report, columns: tuple[str, ...] = ()) -> Table | None:
    """One sheet, bounded and read by calamine (planner/io/xlsx.py); the label names the sheet read."""
    from planner.io import xlsx

    try:
        found = xlsx.read_sheet(path, sheet)
        records, lead = _sheet_records(found)
        if sheet is None and columns and not _has_columns(records, lead, columns):
            found, records, lead = _sheet_with_columns(path, label, found, columns, report) or (found, records, lead)
    except xlsx.SheetError as exc:
        report.error(label, str(exc))
        return None
    if sheet is None:
        label = f"{label}#{found.name}"
    if lead == len(records):
        report.error(label, "the sheet is empty")
        return None
    table = _assemble(label, records[lead:], first_row=lead + 1, report=report)
    if table is not None:
        _report_bad_cells(table, records[lead], found.extent, report)
    return table


def _sheet_records(found: Sheet) -> tuple[list[list[str]], int]:
    """A sheet's cells as text, and the index of its header (the first non-blank row not a merged title)."""
    from planner.io import xlsx

    records = [[cell_text(v) for v in r] for r in found.grid]
    return records, xlsx.header_index(records, found.merged)


def _has_columns(records: list[list[str]], lead: int, columns: tuple[str, ...]) -> bool:
    header = {c.strip().lower() for c in records[lead]} if lead < len(records) else set()
    return set(columns) <= header


def _sheet_with_columns(
    path: Path, label: str, first: Sheet, columns: tuple[str, ...], report: Report
) -> tuple[Sheet, list[list[str]], int] | None:
    """The one other sheet whose header has `columns` (with a warning saying it was read), or None."""
    from planner.io import xlsx

    matches = []
    for name in xlsx.sheet_names(path)[1:]:
        other = xlsx.read_sheet(path, name)
        records, lead = _sheet_records(other)
        if _has_columns(records, lead, columns):
            matches.append((other, records, lead))
    if len(matches) != 1:
        return None
    found = matches[0][0]
    report.warning(f"{label}#{found.name}", f"read sheet {found.name!r}: the first sheet, {first.name!r}, does not have "
                   f"the table's columns; write {label.split('#')[0]}#{found.name} in the scenario to say which sheet")
    return matches[0]


def _report_bad_cells(table: Table, header: list[str], extent: SheetExtent, report: Report) -> None:
    """Cells the reader gives as empty though the sheet shows something (formulas without a result, #N/A)."""
    names = {i: name.strip().lower() or None for i, name in enumerate(header, 1)}
    table.unreadable = {(row, name) for row, col in extent.bad_positions if (name := names.get(col))}
    for row, col, reason in extent.bad_cells:
        report.error(table.label, reason, row=row, column=names.get(col) if row > (table.header_row or 0) else None)
    more = extent.bad_cell_count - len(extent.bad_cells)
    if more > 0:
        rows = sorted({row for row, _ in extent.bad_positions - {(r, c) for r, c, _ in extent.bad_cells}})
        where = f"row {rows[0]}" if rows[0] == rows[-1] else f"rows {rows[0]} to {rows[-1]}"
        report.error(table.label, f"{more} more cells like these on {where} (formulas without a result or error values)")


def _read_geo(path: Path, label: str, layer: str | None, report: Report) -> Table | None:
    import geopandas

    frame = geopandas.read_file(path, engine="pyogrio", layer=layer)
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    attributes = [c for c in frame.columns if c != frame.geometry.name]
    columns = [str(c).strip().lower() for c in attributes]
    rows: list[tuple[int, dict[str, str]]] = []
    for number, (values, geometry) in enumerate(zip(frame[attributes].itertuples(index=False), frame.geometry), 1):
        cells = {c: cell_text(v) for c, v in zip(columns, values)}
        if geometry is not None and not geometry.is_empty:
            point = geometry if geometry.geom_type == "Point" else geometry.representative_point()
            cells["lat"], cells["lon"] = repr(point.y), repr(point.x)
        rows.append((number, cells))
    for c in ("lat", "lon"):
        if c not in columns:
            columns.append(c)
    return Table(label, columns, rows, header_row=None)


def _assemble(label: str, records: list[list[str]], first_row: int, report: Report) -> Table | None:
    """Turn raw records (header first) into a Table; report header and ragged-row problems."""
    if not records or not any(c.strip() for c in records[0]):
        report.error(label, "the file has no header row", row=first_row)
        return None
    header = [h.strip().lower() for h in records[0]]
    width = len(header)
    data = [[c.strip() for c in r] for r in records[1:]]
    keep: list[int] = []
    seen: dict[str, int] = {}
    for i, name in enumerate(header):
        position = f"column {i + 1}"
        if not name:
            if any(i < len(r) and r[i] for r in data):
                report.error(label, f"{position} has values but no header name", row=first_row)
            continue
        if name in seen:
            report.error(
                label,
                f"column {name!r} appears twice in the header (columns {seen[name] + 1} and {i + 1})",
                row=first_row,
                column=name,
            )
            continue
        seen[name] = i
        keep.append(i)
    rows: list[tuple[int, dict[str, str]]] = []
    for offset, cells in enumerate(data, 1):
        number = first_row + offset
        if not any(cells):
            continue
        if len(cells) > width and any(cells[width:]):
            report.error(label, f"the row has {len(cells)} values but the header has {width} columns", row=number)
        if len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        rows.append((number, {header[i]: cells[i] for i in keep}))
    return Table(label, [header[i] for i in keep], rows, header_row=first_row)


def cell_text(value: object) -> str:
    """Text of a spreadsheet/GIS cell: numbers without a spurious '.0', dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return "yes" if value else "no"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        f = float(value)
        if math.isnan(f):
            return ""
        return str(int(f)) if f.is_integer() and abs(f) < 1e15 else repr(f)
    if isinstance(value, dt.datetime):
        if value != value:  # NaT
            return ""
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return fmt_clock(value.hour * 60 + value.minute)
    if isinstance(value, dt.timedelta):  # a duration cell ([h]:mm): whole hours and minutes
        minutes = round(value.total_seconds() / 60)
        return f"{'-' if minutes < 0 else ''}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    return str(value).strip()


# --------------------------------------------------------------------------- header checks


def check_columns(table: Table, required: Iterable[str], optional: Iterable[str], report: Report) -> None:
    """Report required columns the header lacks and columns it should not have (with a suggestion)."""
    required, allowed = list(required), [*required, *optional]
    present = set(table.columns)
    table.missing = {c for c in required if c not in present}
    for name in required:
        if name in table.missing:
            report.error(table.label, f"missing required column {name!r}", row=table.header_row, column=name)
    for name in table.columns:
        if name not in allowed:
            report.error(table.label, unknown_name_reason("column", name, allowed), row=table.header_row, column=name)


def unknown_name_reason(what: str, name: str, allowed: Iterable[str]) -> str:
    """"unknown column 'latitude'; did you mean 'lat'?" (or the list of allowed names)."""
    allowed = list(allowed)
    suggestion = closest(name, allowed)
    if suggestion:
        return f"unknown {what} {name!r}; did you mean {suggestion!r}?"
    return f"unknown {what} {name!r}" + (f"; allowed: {', '.join(allowed)}" if allowed else "")


def closest(name: str, options: Iterable[str]) -> str | None:
    """The option most like `name` (difflib), or None when none is close."""
    matches = difflib.get_close_matches(name, list(options), n=1, cutoff=0.5)
    return matches[0] if matches else None
