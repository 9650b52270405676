"""Typed cells of one input row (`Row`): numbers, identifiers, choices, dates and time windows, each
bad cell reported at file, row and column; and the parsers of dates and time windows they use.

Kept hand-written, because a schema library would do it worse here: every bad cell is reported with
file, row, column and a domain hint (a share, not a percentage; a decimal comma; an Indonesian word
for a choice) and the load goes on to list every problem, where a schema library reports a record
index and its own wording, not the spreadsheet row and a hint a coordinator can act on.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from enum import StrEnum
from functools import lru_cache
from typing import TypeVar

from planner.io.problems import NO_VALUE, Report, Severity
from planner.io.tables import Table
from planner.model import ID_PATTERN, TimeWindow, fmt_clock, parse_clock

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
        if column in self.table.missing or (self.row_number, column) in self.table.unreadable:
            self.failed = True  # reported once already, at the header or as an unreadable cell
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
