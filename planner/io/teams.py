"""Read the teams and kits tables into `Team`s with their kits and shifts; checks kit→team references
and that some team has a working kit in the horizon."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any
from pathlib import Path

from planner import units
from planner.io.fields import Origin, check_unique, construct, coordinates, plain_column, required_name
from planner.io.problems import Report
from planner.io.cells import CLOSED_WORDS, Row, parse_windows
from planner.io.tables import Table, check_columns, closest, read_table
from planner.model import Horizon, Kit, KitStatus, Shift, Team, TimeWindow, VehicleProfile, Weekday

DAYS = tuple(Weekday)
TEAM_REQUIRED = ("team_id", "name", "base_lat", "base_lon")
TEAM_OPTIONAL = (
    *("base_name", "regency_code", "vehicle", "rate_per_kit_hour", "setup_min", "generator", "clearances", "skills"),
    *("max_drive_min", "max_nights_out"),
    *(f"shift_{d}" for d in DAYS),
    *("midday_break", "friday_prayer", "island"),
)
KIT_REQUIRED = ("kit_id", "team_id", "status")
KIT_OPTIONAL = ("repair_until",)
NO_BREAK_WORDS = CLOSED_WORDS | {"none", "no", "tidak", "-"}


def load_teams(
    base: Path, team_spec: list[str], kit_spec: list[str], horizon: Horizon | None, report: Report
) -> list[tuple[Team, Origin]]:
    """Teams with their kits; checks kit→team references, kit-less teams and kit availability."""
    team_table = _table(base, team_spec, TEAM_REQUIRED, TEAM_OPTIONAL, report)
    kit_table = _table(base, kit_spec, KIT_REQUIRED, KIT_OPTIONAL, report)
    team_rows, team_fields = _team_rows(team_table, report) if team_table else ({}, {})
    known_teams = team_rows if team_table and team_table.rows else None  # None: cannot check references
    kits, kits_ok = _load_kits(kit_table, known_teams, report) if kit_table else ({}, {})
    if team_table is None or kit_table is None:
        return []
    teams: list[tuple[Team, Origin]] = []
    for team_id, number in team_rows.items():
        if team_id not in kits_ok:
            reason = f"team {team_id!r} has no kit rows in {kit_table.label}; every team needs at least one kit"
            report.error(team_table.label, reason, row=number, column="team_id", value=team_id)
        elif team_id in team_fields and kits_ok[team_id]:
            fields = {**team_fields[team_id], "kits": tuple(kits[team_id])}
            team = construct(Team, fields, Row(team_table, number, {}, report), _team_column)
            if team is not None:
                teams.append((team, (team_table.label, number)))
    if horizon is not None and team_rows:
        _check_kit_availability(team_rows, kits, kits_ok, horizon, team_table.label, kit_table.label, report)
    return teams


def _team_rows(table: Table, report: Report) -> tuple[dict[str, int], dict[str, dict[str, Any]]]:
    """Each team id's (first) row number, and the Team fields of the rows without errors."""
    team_rows: dict[str, int] = {}
    team_fields: dict[str, dict[str, Any]] = {}
    ids: list[tuple[str, Origin]] = []
    for number, cells in table.rows:
        row = Row(table, number, cells, report)
        team_id = row.text("team_id")
        if team_id:
            ids.append((team_id, (table.label, number)))
            team_rows.setdefault(team_id, number)
        fields = _team_fields(row)
        if fields is not None:
            team_fields.setdefault(team_id, fields)
    check_unique(ids, "team_id", report)
    return team_rows, team_fields


def _table(
    base: Path, spec: list[str], required: Iterable[str], optional: Iterable[str], report: Report
) -> Table | None:
    if not spec:
        return None
    table = read_table(base, spec[0], report, columns=required)
    if table is not None:
        check_columns(table, required, optional, report)
    return table


def _team_fields(row: Row) -> dict[str, Any] | None:
    """The fields of one Team (without kits) from one row; None when the row has errors."""
    fields = dict(
        id=row.identifier("team_id"),
        name=required_name(row, "name"),
        regency_code=row.text("regency_code"),
        base_name=row.text("base_name"),
        vehicle=row.choice("vehicle", VehicleProfile, VehicleProfile.car),
        rate_per_kit_hour=row.number(
            "rate_per_kit_hour", default=units.DEFAULT_RATE_PER_KIT_HOUR, low=0, low_open=True, high=units.MAX_RATE_PER_KIT_HOUR
        ),
        setup_min=row.number("setup_min", default=units.DEFAULT_SETUP_MIN, integer=True, low=0, high=units.MAX_SETUP_MIN),
        generator=row.boolean("generator", False),
        clearances=row.words("clearances"),
        skills=row.words("skills"),
        max_drive_min=row.number(
            "max_drive_min", default=units.DEFAULT_MAX_DRIVE_MIN, integer=True, low=0, low_open=True, high=units.MAX_DRIVE_MIN
        ),
        max_nights_out=row.number("max_nights_out", default=units.DEFAULT_MAX_NIGHTS_OUT, integer=True, low=0, high=units.MAX_NIGHTS_OUT),
        shifts=_shifts(row),
        island=row.text("island"),
    )
    fields["base_lat"], fields["base_lon"] = coordinates(row, "base_lat", "base_lon")
    return None if row.failed else fields


def _shifts(row: Row) -> dict[Weekday, Shift]:
    """Shifts per weekday (default units.DEFAULT_SHIFT), with the midday break and Friday prayer."""
    midday = _break(row, "midday_break", units.DEFAULT_MIDDAY_BREAK)
    prayer = _break(row, "friday_prayer", units.DEFAULT_FRIDAY_PRAYER)
    shifts: dict[Weekday, Shift] = {}
    for day in DAYS:
        column = f"shift_{day}"
        text = row.text(column)
        if text:
            windows = row.windows(column, "08:00-16:00, or 'off'")
        else:
            windows = parse_windows(units.DEFAULT_SHIFT.get(day, "off"))
        if not windows:
            continue
        if len(windows) > 1:
            reason = "a shift is one window HH:MM-HH:MM (breaks come from midday_break and friday_prayer)"
            row.problem(column, reason, text)
            continue
        work = windows[0]
        breaks = []
        if midday is not None and work.start <= midday.start and midday.end <= work.end:
            breaks.append(midday)
        if day == Weekday.fri and prayer is not None:
            start, end = max(prayer.start, work.start), min(prayer.end, work.end)
            if start < end:
                breaks.append(TimeWindow(start=start, end=end))
        shifts[day] = Shift(work=work, breaks=merge_windows(breaks))
    return shifts


def _break(row: Row, column: str, default: str) -> TimeWindow | None:
    """A break window from its column (default when empty; none/off means no break)."""
    text = row.text(column)
    if text.lower() in NO_BREAK_WORDS:
        return None
    windows = row.windows(column, "12:00-13:00, or 'none'") if text else parse_windows(default)
    if windows is None:
        return None
    if len(windows) != 1:
        row.problem(column, "a break is one window HH:MM-HH:MM, or 'none'", text)
        return None
    return windows[0]


def merge_windows(windows: Iterable[TimeWindow]) -> tuple[TimeWindow, ...]:
    """The union of windows, as sorted disjoint windows (overlapping or touching ones merged)."""
    merged: list[TimeWindow] = []
    for w in sorted(windows, key=lambda w: w.start):
        if merged and w.start <= merged[-1].end:
            last = merged.pop()
            w = TimeWindow(start=last.start, end=max(last.end, w.end))
        merged.append(w)
    return tuple(merged)


def _team_column(loc: tuple[int | str, ...]) -> str | None:
    if not loc:
        return None
    if loc[0] == "id":
        return "team_id"
    if loc[0] == "shifts":
        return f"shift_{loc[1]}" if len(loc) > 1 else None
    return None if loc[0] == "kits" else str(loc[0])


def _load_kits(
    table: Table, team_rows: dict[str, int] | None, report: Report
) -> tuple[dict[str, list[Kit]], dict[str, bool]]:
    """Kits grouped by team id, and per team id whether all its kit rows loaded."""
    kits: dict[str, list[Kit]] = defaultdict(list)
    all_ok: dict[str, bool] = {}
    ids: list[tuple[str, Origin]] = []
    for number, cells in table.rows:
        row = Row(table, number, cells, report)
        if row.text("kit_id"):
            ids.append((row.text("kit_id"), (table.label, number)))
        team_id = row.text("team_id")
        if team_id and team_rows is not None and team_id not in team_rows:
            suggestion = closest(team_id, team_rows)
            reason = f"the kit belongs to team {team_id!r}, which is not in the teams table"
            row.problem("team_id", reason + (f"; did you mean {suggestion!r}?" if suggestion else ""), team_id)
        kit = _kit(row)
        if team_id:
            all_ok[team_id] = all_ok.get(team_id, True) and kit is not None
            if kit is not None:
                kits[team_id].append(kit)
    check_unique(ids, "kit_id", report)
    return kits, all_ok


def _kit(row: Row) -> Kit | None:
    """One Kit from one row (None when the row has errors)."""
    kit_id = row.identifier("kit_id")
    row.required("team_id")
    status = row.choice("status", KitStatus)
    until = row.date("repair_until")
    if status == KitStatus.in_repair and until is None and not row.text("repair_until"):
        row.problem("repair_until", "a kit in repair needs repair_until (the last day it is away)")
    if status in (KitStatus.working, KitStatus.broken) and until is not None:
        reason = f"repair_until is ignored for a {status} kit"
        row.problem("repair_until", reason, row.text("repair_until"), warning=True)
    if row.failed:
        return None
    fields = dict(id=kit_id, status=status, repair_until=until if status == KitStatus.in_repair else None)
    return construct(Kit, fields, row, _kit_column)


def _kit_column(loc: tuple[int | str, ...]) -> str | None:
    return "kit_id" if loc[:1] == ("id",) else plain_column(loc)


def _check_kit_availability(
    team_rows: dict[str, int],
    kits: dict[str, list[Kit]],
    kits_ok: dict[str, bool],
    horizon: Horizon,
    team_label: str,
    kit_label: str,
    report: Report,
) -> None:
    """Warn about each team with no working kit on any day; error when no team has one."""
    dates = horizon.dates
    idle = 0
    for team_id, number in team_rows.items():
        if not kits_ok.get(team_id, True):
            continue  # a kit row of this team has errors: its availability is unknown
        if not any(k.works_on(d) for k in kits.get(team_id, ()) for d in dates):
            idle += 1
            if team_id in kits_ok:  # (teams without kit rows have their own error)
                report.warning(
                    team_label,
                    f"team {team_id} has no working kit on any day of the horizon; it will not be dispatched",
                    row=number,
                    column="team_id",
                    value=team_id,
                )
    if idle == len(team_rows):
        report.error(
            kit_label,
            f"no team has a working kit on any day of the horizon ({dates[0]} to {dates[-1]}); nothing can be planned",
        )

