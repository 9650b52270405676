"""Problems found in a scenario's input files, collected into one `Report`.

A `Problem` points where a spreadsheet user would look: the file as the scenario names it, the
row number Excel shows (header = row 1, first data row = row 2; for GeoJSON/GPKG layers the
1-based feature number), the column, the offending value and a plain-English reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum

MAX_VALUE_CHARS = 60


class Severity(StrEnum):
    error = "error"  # the scenario cannot be loaded
    warning = "warning"  # loaded, but the coordinator should look


class _NoValue:
    def __repr__(self) -> str:
        return "NO_VALUE"


NO_VALUE = _NoValue()


def show_value(value: object) -> str:
    """repr() of a value, truncated to MAX_VALUE_CHARS characters."""
    text = repr(value)
    if len(text) > MAX_VALUE_CHARS:
        text = text[: MAX_VALUE_CHARS - 3] + "..."
    return text


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or suspicious) in one place of one input file."""

    file: str
    row: int | None
    column: str | None
    value: str | None  # repr of the offending value, truncated; None when there is none
    reason: str
    severity: Severity = Severity.error

    @property
    def is_error(self) -> bool:
        return self.severity == Severity.error

    def format(self) -> str:
        """One line: `sites.csv:14 column 'lat' value '103.5': error: <reason>`."""
        where = self.file if self.row is None else f"{self.file}:{self.row}"
        if self.column is not None:
            where += f" column {self.column!r}"
        if self.value is not None:
            where += f" value {self.value}"
        return f"{where}: {self.severity}: {self.reason}"


@dataclass
class Report:
    """Every problem found while loading one scenario, in the order found."""

    problems: list[Problem] = field(default_factory=list)

    def add(
        self,
        severity: Severity,
        file: str,
        reason: str,
        *,
        row: int | None = None,
        column: str | None = None,
        value: object = NO_VALUE,
    ) -> Problem:
        """Record a problem; `value` is shown with repr() (leave it out when there is none)."""
        shown = None if value is NO_VALUE else show_value(value)
        problem = Problem(file, row, column, shown, reason, Severity(severity))
        self.problems.append(problem)
        return problem

    def error(
        self, file: str, reason: str, *, row: int | None = None, column: str | None = None, value: object = NO_VALUE
    ) -> Problem:
        """Record an error (the scenario will not load)."""
        return self.add(Severity.error, file, reason, row=row, column=column, value=value)

    def warning(
        self, file: str, reason: str, *, row: int | None = None, column: str | None = None, value: object = NO_VALUE
    ) -> Problem:
        """Record a warning (the scenario still loads)."""
        return self.add(Severity.warning, file, reason, row=row, column=column, value=value)

    def extend(self, other: Report) -> None:
        """Append all problems of another report."""
        self.problems.extend(other.problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    @property
    def error_count(self) -> int:
        return sum(p.is_error for p in self.problems)

    @property
    def warning_count(self) -> int:
        return len(self.problems) - self.error_count

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return not any(p.is_error for p in self.problems)

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.problems)

    def find(self, *, file: str | None = None, row: int | None = None, column: str | None = None) -> list[Problem]:
        """Problems at a place (arguments left out match anything)."""
        return [
            p
            for p in self.problems
            if (file is None or p.file == file)
            and (row is None or p.row == row)
            and (column is None or p.column == column)
        ]

    def format(self) -> str:
        """Readable text: one line per problem, grouped by file and ordered by row, then a summary."""
        first_seen: dict[str, int] = {}
        for p in self.problems:
            first_seen.setdefault(p.file, len(first_seen))
        ordered = sorted(self.problems, key=lambda p: (first_seen[p.file], p.row or 0))
        lines = [p.format() for p in ordered]
        lines.append(self.summary())
        return "\n".join(lines)

    def summary(self) -> str:
        """E.g. "2 errors, 1 warning" or "no problems"."""
        n_err, n_warn = self.error_count, self.warning_count
        if not n_err and not n_warn:
            return "no problems"
        def plural(n: int, word: str) -> str:
            return f"{n} {word}{'' if n == 1 else 's'}"

        return f"{plural(n_err, 'error')}, {plural(n_warn, 'warning')}"


class ScenarioError(ValueError):
    """The scenario could not be loaded; `report` holds every problem found."""

    def __init__(self, report: Report) -> None:
        self.report = report
        super().__init__(report.format())
