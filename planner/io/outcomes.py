"""Field outcomes of a week: visits done or missed, kits down or back, sites, links and teams closed.

One table (CSV or XLSX) with a `kind` column, one row per fact (docs/data-format.md), or the same as
JSON (`Outcomes`, what the API accepts). `load_outcomes` reads the table and checks every row and
every reference against the scenario (and the plan, when given) in one pass: it returns `Outcomes`
or raises `OutcomesError` with a `Report` naming file, row, column and reason. Nothing is half-loaded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator, model_validator

from planner import units
from planner.model import Id, Minute, Scenario, parse_clock
from planner.plan import Plan
from planner.io.problems import NO_VALUE, Report
from planner.io.cells import Row
from planner.io.tables import check_columns, closest, read_table

KINDS = ("visit_done", "visit_missed", "kit_down", "kit_back", "site_closed", "link_closed", "team_unavailable")
COLUMNS = {  # kind -> (required columns besides kind and date, optional columns)
    "visit_done": (("site_id", "team_id", "people"), ("start", "end", "note")),
    "visit_missed": (("site_id", "team_id"), ("reason", "note")),
    "kit_down": (("kit_id",), ("team_id", "until", "reason", "note")),
    "kit_back": (("kit_id",), ("team_id", "note")),
    "site_closed": (("site_id",), ("until", "reason", "note")),
    "link_closed": (("from_place", "to_place"), ("until", "reason", "note")),
    "team_unavailable": (("team_id",), ("until", "reason", "note")),
}
ALL_COLUMNS = ("kind", "date", *sorted({c for req, opt in COLUMNS.values() for c in (*req, *opt)}))
OUTCOMES_LABEL = "outcomes"  # the file name in reports about outcomes posted as JSON


class _Fact(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    date: dt.date
    note: str = ""


class _Span(_Fact):
    until: dt.date | None = Field(default=None, description="last date it lasts (default: the same date)")

    @model_validator(mode="after")
    def _ordered(self) -> _Span:
        if self.until is not None and self.until < self.date:
            raise ValueError(f"until ({self.until}) is before date ({self.date})")
        return self

    def dates(self, horizon: Iterable[dt.date]) -> list[dt.date]:
        """The dates of the horizon it covers."""
        last = self.until or self.date
        return [d for d in horizon if self.date <= d <= last]


class VisitDone(_Fact):
    """A planned visit was made: `people` were recorded (start/end as reported)."""

    kind: Literal["visit_done"] = "visit_done"
    site_id: Id
    team_id: Id
    people: int = Field(ge=0, le=100_000)
    start: Minute | None = None
    end: Minute | None = None

    @field_validator("start", "end", mode="before")
    @classmethod
    def _clock(cls, v: object) -> object:
        return parse_clock(v) if isinstance(v, str) else v

    @model_validator(mode="after")
    def _times(self) -> VisitDone:
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise ValueError("end is not after start")
        return self


class VisitMissed(_Fact):
    """A planned visit did not happen (nobody recorded)."""

    kind: Literal["visit_missed"] = "visit_missed"
    site_id: Id
    team_id: Id
    reason: str = ""


class KitDown(_Span):
    """A kit stopped working on `date`; `until` is the last date it is away (empty: not known)."""

    kind: Literal["kit_down"] = "kit_down"
    kit_id: Id
    team_id: Id | None = None
    reason: str = ""


class KitBack(_Fact):
    """A kit works again from `date` (back from repair)."""

    kind: Literal["kit_back"] = "kit_back"
    kit_id: Id
    team_id: Id | None = None


class SiteClosed(_Span):
    """A site cannot be visited from `date` to `until` (a prison cancels its visiting day)."""

    kind: Literal["site_closed"] = "site_closed"
    site_id: Id
    reason: str = ""


class LinkClosed(_Span):
    """Direct travel between two places (site ids or `base:<team id>`) is impossible (a flooded road)."""

    kind: Literal["link_closed"] = "link_closed"
    from_place: str = Field(min_length=1)
    to_place: str = Field(min_length=1)
    reason: str = ""


class TeamUnavailable(_Span):
    """A team cannot work from `date` to `until`."""

    kind: Literal["team_unavailable"] = "team_unavailable"
    team_id: Id
    reason: str = ""


Fact = VisitDone | VisitMissed | KitDown | KitBack | SiteClosed | LinkClosed | TeamUnavailable
Outcome = Annotated[Fact, Field(discriminator="kind")]
_OUTCOME: TypeAdapter[Fact] = TypeAdapter(Outcome)


class Outcomes(BaseModel):
    """Everything reported from the field, in the order reported (the API's JSON body)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    outcomes: tuple[Outcome, ...] = ()

    def of(self, kind: type) -> list[Any]:
        return [o for o in self.outcomes if isinstance(o, kind)]


class OutcomesError(ValueError):
    """Outcomes that cannot be used; `report` holds every problem found."""

    def __init__(self, report: Report) -> None:
        self.report = report
        super().__init__(report.format())


# --------------------------------------------------------------------------- loading


def load_outcomes(path: str | Path, scenario: Scenario, plan: Plan | None = None) -> Outcomes:
    """Read an outcomes table and check it against the scenario (and plan); raise OutcomesError on any error."""
    outcomes, report = validate_outcomes(path, scenario, plan)
    if outcomes is None:
        raise OutcomesError(report)
    return outcomes


def validate_outcomes(path: str | Path, scenario: Scenario, plan: Plan | None = None) -> tuple[Outcomes | None, Report]:
    """The outcomes of a table and every problem found; Outcomes is None whenever there is an error."""
    report = Report()
    path = Path(path)
    table = read_table(path.resolve().parent, path.name, report, columns=("kind", "date"))
    if table is None:
        return None, report
    label = table.label
    check_columns(table, ("kind", "date"), [c for c in ALL_COLUMNS if c not in ("kind", "date")], report)
    items: list[tuple[Fact, tuple[str, int]]] = []
    for number, cells in table.rows:
        fact = _row_fact(Row(table, number, cells, report))
        if fact is not None:
            items.append((fact, (label, number)))
    check_references(items, scenario, plan, report)
    if not report.ok:
        return None, report
    return Outcomes(outcomes=tuple(f for f, _ in items)), report


def check_outcomes(outcomes: Outcomes, scenario: Scenario, plan: Plan | None = None,
                   from_time: dt.datetime | None = None) -> Report:
    """Problems of outcomes posted as JSON (row = position in `outcomes`, from 1), and of the re-plan time."""
    report = Report()
    if from_time is not None:
        check_from_time(from_time, scenario, report)
    items = [(o, (OUTCOMES_LABEL, i)) for i, o in enumerate(outcomes.outcomes, start=1)]
    check_references(items, scenario, plan, report)
    return report


def check_from_time(from_time: dt.datetime, scenario: Scenario, report: Report, label: str = "from") -> None:
    """A re-plan time after the week's last day is an error (nothing is left to plan); one before the
    week a warning (facts known before Monday: nothing is kept, the whole week is planned again)."""
    dates = scenario.horizon.dates
    when = from_time.isoformat(timespec="minutes")
    if from_time.date() > dates[-1]:
        report.error(label, f"the re-plan time {when} is after the week {dates[0]} to {dates[-1]}; nothing is left "
                            "to re-plan. Give a time within the week", value=from_time.isoformat())
    elif from_time.date() < dates[0]:
        report.warning(label, f"the re-plan time {when} is before the week {dates[0]} to {dates[-1]}: nothing is "
                              "kept and the whole week is planned again", value=from_time.isoformat())


def _row_fact(row: Row) -> Fact | None:
    """One outcome from one row (None when the row has errors, all of them reported)."""
    kind = row.required("kind")
    if kind is not None and kind.lower() not in KINDS:
        row.problem("kind", f"unknown kind {kind!r}; allowed: {', '.join(KINDS)}", kind)
        return None
    if kind is None:
        return None
    kind = kind.lower()
    required, optional = COLUMNS[kind]
    fields: dict[str, object] = {"kind": kind, "date": row.date("date", required=True)}
    for column in required:
        fields[column] = _cell(row, column, required=True)
    for column in optional:
        if row.text(column):
            fields[column] = _cell(row, column)
    for column in set(row.cells) - {"kind", "date", *required, *optional}:
        if row.text(column):
            row.problem(column, f"not used for kind {kind}; leave it empty", row.text(column), warning=True)
    if row.failed:
        return None
    try:
        return _OUTCOME.validate_python(fields)
    except ValidationError as exc:
        for error in exc.errors():
            loc = [str(x) for x in error["loc"] if str(x) != kind]
            named: str | None = loc[0] if loc else _column_named(str(error["msg"]))
            row.problem(named, str(error["msg"]).removeprefix("Value error, "), row.text(named) if named else NO_VALUE)
        return None


def _column_named(message: str) -> str | None:
    """The column a whole-row rule is about ("until is before date", "end is not after start")."""
    return next((c for c in ("until", "end") if message.removeprefix("Value error, ").startswith(c)), None)


def _cell(row: Row, column: str, required: bool = False) -> object:
    if column == "people":
        return row.number(column, required=required, integer=True, low=0)
    if column == "until":
        return row.date(column)
    if column in ("start", "end"):
        text = row.text(column)
        try:
            return parse_clock(text)
        except ValueError as exc:
            row.problem(column, str(exc), text)
            return None
    if column in ("site_id", "team_id", "kit_id"):
        return row.identifier(column) if required else row.text(column)
    return row.required(column) if required else row.text(column)


# --------------------------------------------------------------------------- references


def check_references(items: Sequence[tuple[Fact, tuple[str, int]]], scenario: Scenario, plan: Plan | None, report: Report) -> None:
    """Unknown site/team/kit/place ids, dates outside the week, kits of another team, visits not planned."""
    sites, teams = scenario.site_by_id(), scenario.team_by_id()
    kit_team = {k.id: t.id for t in scenario.teams for k in t.kits}
    places = set(sites) | {f"base:{t}" for t in teams}
    dates = set(scenario.horizon.dates)
    planned = _planned_visits(plan)
    for fact, (file, row) in items:
        def bad(column: str, reason: str, value: object = NO_VALUE) -> None:
            report.error(file, reason, row=row, column=column, value=value)

        if fact.date not in dates:
            bad("date", f"outside the week {min(dates)} to {max(dates)}", fact.date.isoformat())
        for column, known in (("site_id", sites), ("team_id", teams), ("kit_id", kit_team)):
            value = getattr(fact, column, None)
            if value and value not in known:
                hint = closest(value, known)
                bad(column, f"unknown {column.removesuffix('_id')} {value!r}" + (f"; did you mean {hint!r}?" if hint else ""), value)
        for column in ("from_place", "to_place"):
            value = getattr(fact, column, None)
            if value and value not in places:
                bad(column, f"unknown place {value!r}: give a site id or base:<team id>", value)
        kit, team = getattr(fact, "kit_id", None), getattr(fact, "team_id", None)
        if kit in kit_team and team and team in teams and kit_team[kit] != team:
            bad("kit_id", f"kit {kit!r} belongs to team {kit_team[kit]!r}, not {team!r}", kit)
        if isinstance(fact, VisitDone) and fact.site_id in sites:
            estimate = sites[fact.site_id].unrecorded
            if fact.people > units.VISIT_DONE_FAR_ABOVE * estimate + 50:
                report.warning(file, f"{fact.people:,} people recorded at {fact.site_id}, far above its estimate of "
                                     f"{estimate:,} unrecorded; check the count (the re-plan takes it as reported)",
                               row=row, column="people", value=fact.people)
        if plan is not None and isinstance(fact, (VisitDone, VisitMissed)):
            key = (fact.site_id, fact.team_id, fact.date)
            if fact.site_id in sites and fact.team_id in teams and key not in planned:
                bad("site_id", f"the plan has no visit of team {fact.team_id} to {fact.site_id} on {fact.date}", fact.site_id)
    _check_repeats(items, report)


def _planned_visits(plan: Plan | None) -> set[tuple[str, str, dt.date]]:
    if plan is None:
        return set()
    return {(s.site_id, td.team_id, td.date) for td in plan.team_days for s in td.stops}


def _check_repeats(items: Sequence[tuple[Fact, tuple[str, int]]], report: Report) -> None:
    """A visit is reported once (done or missed)."""
    first: dict[tuple[Any, ...], int] = {}
    for fact, (file, row) in items:
        if not isinstance(fact, (VisitDone, VisitMissed)):
            continue
        key = (fact.site_id, fact.team_id, fact.date)
        if key in first:
            report.error(file, f"the visit of {fact.team_id} to {fact.site_id} on {fact.date} is reported twice "
                               f"(also row {first[key]})", row=row, column="site_id", value=fact.site_id)
        else:
            first[key] = row
