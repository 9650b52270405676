"""Reading input tables (CSV, XLSX, GeoJSON, GeoPackage) as text, and parsing their cells.

Every cell is kept as text (codes like '15.01' and ids stay as written) and converted per column by
`Row`, which reports each bad cell to a `Report` with its file, row and column. Row numbers are the
ones a spreadsheet shows: the header is row 1 and the first data row is row 2 (in an XLSX sheet,
the sheet's own row numbers); features of GeoJSON/GPKG layers are numbered from 1.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import itertools
import math
import numbers
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from planner import units
from planner.io.sniff import csv_text
from planner.model import ID_PATTERN, TimeWindow, fmt_clock, parse_clock
from planner.io.problems import NO_VALUE, Report, Severity

if TYPE_CHECKING:
    from planner.io.xlsx import SheetExtent

CSV_SUFFIXES = {".csv", ".txt"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}
GEO_SUFFIXES = {".geojson", ".json", ".gpkg"}

TRUE_WORDS = frozenset({"yes", "ya", "y", "true", "1"})
FALSE_WORDS = frozenset({"no", "tidak", "n", "false", "0"})
INDONESIAN_WORDS = {  # what a coordinator may write for a value of a choice column: a hint, not accepted
    "desa": "village", "kelurahan": "village", "lapas": "prison", "rutan": "prison", "lpka": "prison",
    "rumah sakit": "hospital", "rs": "hospital", "rsud": "hospital", "sekolah": "school", "panti": "care_home",
    "mobil": "car", "motor": "motorbike", "perahu": "boat", "kapal": "boat", "jalan": "road", "sungai": "river",
    "rusak": "broken", "baik": "working", "diperbaiki": "in_repair", "servis": "in_repair",
}
CLOSED_WORDS = frozenset({"closed", "tutup", "off", "libur"})
_DASHES = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2011": "-", "\u2212": "-"})
_ID_RE = re.compile(ID_PATTERN)
_DECIMAL_COMMA_RE = re.compile(r"^[+-]?\d+,\d+$")
_THOUSANDS_DOT_RE = re.compile(r"^\d{1,3}(\.\d{3})+$")  # 2.000 or 1.250.000 (Indonesian grouping)
_THOUSANDS_COMMA_RE = re.compile(r"^\d{1,3}(,\d{3})+$")  # 2,000 in a comma-separated file
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DAY_FIRST_RE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")  # 25/11/2026, as Indonesian Excel writes
E = TypeVar("E", bound=StrEnum)


@dataclass
class Table:
    """The rows of one input table, every cell as stripped text."""

    label: str  # the file as the scenario names it, e.g. "sites.xlsx#Desa"
    columns: list[str]  # header names, stripped and lower-cased
    rows: list[tuple[int, dict[str, str]]]  # (row number, {column: text}); blank rows left out
    header_row: int | None = 1  # None for GeoJSON/GPKG layers
    decimal_comma: bool = False  # ';'-separated CSV (Excel with Indonesian settings): "-1,6" = -1.6
    missing: set[str] = field(default_factory=set)  # required columns the header lacks


# --------------------------------------------------------------------------- reading files


def read_table(
    base_dir: Path, spec: str, report: Report, *, geo: bool = False, optional: bool = False
) -> Table | None:
    """Read the table `spec` ("file", "file.xlsx#Sheet", "file.gpkg#layer") relative to base_dir."""
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
            table = _read_xlsx(path, spec, fragment or None, report)
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
    sniffed = csv_text(data, label, report)
    if sniffed is None:
        return None
    reader = csv.reader(io.StringIO(sniffed.text, newline=""), delimiter=sniffed.delimiter)
    records = list(itertools.islice(reader, units.MAX_TABLE_ROWS + 2))
    if len(records) > units.MAX_TABLE_ROWS + 1:
        report.error(label, f"more than {units.MAX_TABLE_ROWS:,} data rows; jemput reads at most that many from one table")
        return None
    table = _assemble(label, records, first_row=1, report=report)
    if table is not None:
        table.decimal_comma = sniffed.delimiter == ";"
    return table


def _read_xlsx(path: Path, label: str, sheet: str | None, report: Report) -> Table | None:
    """One sheet, bounded and read by calamine (planner/io/xlsx.py); the label names the sheet read."""
    from planner.io import xlsx

    try:
        found = xlsx.read_sheet(path, sheet)
    except xlsx.SheetError as exc:
        report.error(label, str(exc))
        return None
    if sheet is None:
        label = f"{label}#{found.name}"
    records = [[cell_text(v) for v in r] for r in found.grid]
    lead = xlsx.header_index(records, found.merged)  # the first non-blank row that is not a merged title
    if lead == len(records):
        report.error(label, "the sheet is empty")
        return None
    table = _assemble(label, records[lead:], first_row=lead + 1, report=report)
    if table is not None:
        _report_bad_cells(table, records[lead], found.extent, report)
    return table


def _report_bad_cells(table: Table, header: list[str], extent: SheetExtent, report: Report) -> None:
    """Cells the reader gives as empty though the sheet shows something (formulas without a result, #N/A)."""
    names = {i: name.strip().lower() or None for i, name in enumerate(header, 1)}
    for row, col, reason in extent.bad_cells:
        report.error(table.label, reason, row=row, column=names.get(col) if row > (table.header_row or 0) else None)
    more = extent.bad_cell_count - len(extent.bad_cells)
    if more > 0:
        report.error(table.label, f"{more} more cells like these (formulas without a result or error values)")


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


# --------------------------------------------------------------------------- cells


class Row:
    """One data row of a table; typed accessors report bad cells and set `failed`."""

    __slots__ = ("table", "row_number", "cells", "report", "failed")

    def __init__(self, table: Table, number: int, cells: dict[str, str], report: Report) -> None:
        self.table, self.row_number, self.cells, self.report = table, number, cells, report
        self.failed = False

    def problem(self, column: str | None, reason: str, value: object = NO_VALUE, *, warning: bool = False) -> None:
        """Report a problem at this row (an error unless `warning`)."""
        severity = Severity.warning if warning else Severity.error
        self.failed |= not warning
        self.report.add(severity, self.table.label, reason, row=self.row_number, column=column, value=value)

    def text(self, column: str) -> str:
        """The cell's stripped text ('' when empty or the column is absent)."""
        return self.cells.get(column, "")

    def required(self, column: str) -> str | None:
        """The cell's text; None (reported) when empty. A missing column was reported once already."""
        text = self.cells.get(column, "")
        if text:
            return text
        if column in self.table.missing:
            self.failed = True
        else:
            self.problem(column, "missing value (the column is required)")
        return None

    def identifier(self, column: str) -> str | None:
        """A required id: letters, digits, '.', '_' or '-', at most 64 characters."""
        text = self.required(column)
        if text is not None and not _ID_RE.match(text):
            self.problem(column, "an id may contain only letters, digits, '.', '_' or '-' (at most 64)", text)
            return None
        return text

    def number(
        self,
        column: str,
        *,
        required: bool = False,
        default: float | None = None,
        integer: bool = False,
        low: float | None = None,
        high: float | None = None,
        low_open: bool = False,
    ) -> float | None:
        """A finite number within [low, high] (low excluded if low_open); default when empty."""
        text = self.required(column) if required else self.text(column)
        if not text:
            return default
        if integer and not self.table.decimal_comma and _THOUSANDS_COMMA_RE.match(text):
            self.problem(column, f"write the count without a thousands separator: {text.replace(',', '')}", text)
            return None
        value = self._grouped_count(column, text) if integer else None
        value = self._parse_number(column, text) if value is None else value
        if value is None:
            return None
        if integer and not value.is_integer():
            self.problem(column, "must be a whole number", text)
            return None
        if low is not None and (value < low or (low_open and value == low)):
            if integer and low == 0 and not low_open:
                self.problem(column, "negative count; must be 0 or more", text)
            else:
                self.problem(column, _range_reason(low, high, low_open), text)
            return None
        if high is not None and value > high:
            reason = _range_reason(low, high, low_open)
            if high == 1 and value <= 100:
                reason += f" (a share, not a percentage: write {value / 100:g} for {value:g}%)"
            self.problem(column, reason, text)
            return None
        return int(value) if integer else value

    def _grouped_count(self, column: str, text: str) -> float | None:
        """A count written with '.' grouping thousands ("2.000") in a ';' file with decimal commas."""
        if not (self.table.decimal_comma and _THOUSANDS_DOT_RE.match(text)):
            return None
        value = float(text.replace(".", ""))
        reason = (f"read as {value:,.0f}: in this ';'-separated file with decimal commas a '.' groups "
                  f"thousands; write {value:.0f} to be sure")
        self.problem(column, reason, text, warning=True)
        return value

    def _parse_number(self, column: str, text: str) -> float | None:
        candidate = text.replace(",", ".") if self.table.decimal_comma and _DECIMAL_COMMA_RE.match(text) else text
        try:
            value = float(candidate)
        except ValueError:
            reason = "not a number"
            if _DECIMAL_COMMA_RE.match(text):
                reason += " (use a decimal point, e.g. 1.5 not 1,5)"
            self.problem(column, reason, text)
            return None
        if not math.isfinite(value):
            self.problem(column, "must be a finite number (not NaN or infinity)", text)
            return None
        return value

    def boolean(self, column: str, default: bool) -> bool:
        """yes/no, ya/tidak, true/false, 1/0, y/n (any case); empty gives the default."""
        text = self.text(column).lower()
        if not text:
            return default
        if text in TRUE_WORDS:
            return True
        if text in FALSE_WORDS:
            return False
        self.problem(column, "expected yes or no (also ya/tidak, true/false, 1/0, y/n)", self.text(column))
        return default

    def choice(self, column: str, enum: type[E], default: E | None = None) -> E | None:
        """One of the enum's values (any case); empty gives the default (None = required)."""
        text = self.required(column) if default is None else self.text(column)
        if not text:
            return default
        try:
            return enum(text.lower())
        except ValueError:
            allowed = ", ".join(e.value for e in enum)
            hint = INDONESIAN_WORDS.get(text.lower())
            if hint in {e.value for e in enum}:
                self.problem(column, f"unknown {column} {text!r}; did you mean {hint!r}? (allowed: {allowed})", text)
            else:
                self.problem(column, f"unknown {column} {text!r}; allowed: {allowed}", text)
            return None

    def date(self, column: str, *, required: bool = False) -> dt.date | None:
        """A date YYYY-MM-DD (None when empty or bad)."""
        text = self.required(column) if required else self.text(column)
        if not text:
            return None
        try:
            return parse_date(text)
        except ValueError as exc:
            self.problem(column, str(exc), text)
            return None

    def dates(self, column: str) -> frozenset[dt.date]:
        """Dates separated by ';' (empty set when empty; bad parts reported)."""
        found = set()
        for part in filter(None, (p.strip() for p in self.text(column).split(";"))):
            try:
                found.add(parse_date(part))
            except ValueError as exc:
                self.problem(column, str(exc), part)
        return frozenset(found)

    def words(self, column: str) -> frozenset[str]:
        """Words separated by ';' or ',' (lower-cased)."""
        parts = self.text(column).replace(",", ";").split(";")
        return frozenset(p.strip().lower() for p in parts if p.strip())

    def windows(
        self, column: str, example: str = "08:00-11:30;13:00-15:00, or 'closed'"
    ) -> tuple[TimeWindow, ...] | None:
        """Time windows "08:00-11:30;13:00-15:00", () for closed/off; None when empty or bad."""
        text = self.text(column)
        if not text:
            return None
        try:
            return parse_windows(text)
        except WindowFormatError as exc:
            self.problem(column, f"{exc}; write e.g. {example}", text)
        except ValueError as exc:
            self.problem(column, str(exc), text)
        return None


def _range_reason(low: float | None, high: float | None, low_open: bool) -> str:
    if high is None:
        return f"must be more than {low:g}" if low_open else f"must be at least {low:g}"
    if low is None:
        return f"must be at most {high:g}"
    return f"must be more than {low:g} and at most {high:g}" if low_open else f"must be between {low:g} and {high:g}"


def parse_date(text: str) -> dt.date:
    """Parse "YYYY-MM-DD" (also "YYYY-MM-DD 00:00:00" as spreadsheets write dates)."""
    t = text.strip()
    if t.endswith(" 00:00:00") or t.endswith("T00:00:00"):
        t = t[:10]
    if not _DATE_RE.match(t):
        day_first = _DAY_FIRST_RE.match(t)
        hint = f" (write {day_first[3]}-{int(day_first[2]):02d}-{int(day_first[1]):02d})" if day_first else ""
        raise ValueError(f"expected a date YYYY-MM-DD, got {text!r}{hint}")
    try:
        return dt.date(int(t[:4]), int(t[5:7]), int(t[8:]))
    except ValueError as exc:
        raise ValueError(f"no such date {text!r} ({exc}); expected a date YYYY-MM-DD") from None


class WindowFormatError(ValueError):
    """Text that is not a time window at all (as opposed to an inverted or overlapping one)."""


@lru_cache(maxsize=4096)
def parse_windows(text: str) -> tuple[TimeWindow, ...]:
    """Parse "08:00-11:30;13:00-15:00" into sorted windows; closed/off (or tutup/libur) gives ()."""
    t = text.strip().translate(_DASHES)
    if t.lower() in CLOSED_WORDS:
        return ()
    windows = [_parse_window(part.strip()) for part in t.split(";") if part.strip()]
    if not windows:
        raise WindowFormatError(f"{text!r} is not a time window HH:MM-HH:MM")
    windows.sort(key=lambda w: w.start)
    for a, b in zip(windows, windows[1:]):
        if b.start < a.end:
            raise ValueError(f"windows {a} and {b} overlap")
    return tuple(windows)


def _parse_window(part: str) -> TimeWindow:
    pieces = part.split("-")
    try:
        if len(pieces) != 2:
            raise ValueError
        start, end = parse_clock(pieces[0]), parse_clock(pieces[1])
    except ValueError:
        raise WindowFormatError(f"{part!r} is not a time window HH:MM-HH:MM") from None
    if end <= start:
        raise ValueError(
            f"inverted hours {part!r}: the window ends ({fmt_clock(end)}) before it starts ({fmt_clock(start)})"
        )
    return TimeWindow(start=start, end=end)
