"""Load a scenario file and the tables it names into a validated `Scenario` — or report every problem.

`load_scenario` returns a Scenario or raises `ScenarioError` with a `Report` of all problems found in
one pass; `validate_scenario` returns both (the Scenario only when there is no error). Nothing is
half-loaded. The input format is docs/data-format.md; defaults are in planner.units.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from planner import units
from planner.model import (
    Access,
    DistrictOffice,
    Horizon,
    Kit,
    KitStatus,
    Scenario,
    Shift,
    Site,
    SiteKind,
    Team,
    TimeWindow,
    TravelSettings,
    VehicleProfile,
    VisitRules,
    Weekday,
    Weights,
)
from planner.io.problems import NO_VALUE, Report, ScenarioError
from planner.io.plausible import check_scenario, read_boundaries
from planner.io.safe_yaml import YamlProblem, load_yaml, yaml_message
from planner.io.tables import (
    CLOSED_WORDS,
    Row,
    Table,
    check_columns,
    closest,
    parse_date,
    parse_windows,
    read_table,
    unknown_name_reason,
)

__all__ = ["load_scenario", "validate_scenario", "ScenarioError", "Report"]

Origin = tuple[str, int]  # (file as named in the scenario, row number)

DAYS = tuple(Weekday)
SITE_REQUIRED = ("site_id", "name", "kind", "lat", "lon", "unrecorded")
SITE_OPTIONAL = (
    *("province_code", "regency_code", "district_code", "village_code", "turnout", "priority", "hours"),
    *(f"hours_{d}" for d in DAYS),
    *("closed_dates", "electricity", "clearance", "access", "location_estimated", "note"),
)
TEAM_REQUIRED = ("team_id", "name", "base_lat", "base_lon")
TEAM_OPTIONAL = (
    *("base_name", "regency_code", "vehicle", "rate_per_kit_hour", "setup_min", "generator", "clearances"),
    *("max_drive_min", "max_nights_out"),
    *(f"shift_{d}" for d in DAYS),
    *("midday_break", "friday_prayer"),
)
KIT_REQUIRED = ("kit_id", "team_id", "status")
KIT_OPTIONAL = ("repair_until",)
OFFICE_REQUIRED = ("district_code", "fixed_kit_working")
OFFICE_OPTIONAL = ("name",)

REQUIRED_KEYS = ("name", "sites", "teams", "kits")
SETTINGS: dict[str, type[BaseModel]] = {"weights": Weights, "visits": VisitRules, "travel": TravelSettings}
OPTIONAL_KEYS = ("horizon", "district_offices", "boundaries", *SETTINGS)
NO_BREAK_WORDS = CLOSED_WORDS | {"none", "no", "tidak", "-"}
M = TypeVar("M", bound=BaseModel)


# --------------------------------------------------------------------------- public API


def load_scenario(path: str | Path) -> Scenario:
    """Load a scenario file and its tables; raise ScenarioError (with the full Report) on any error."""
    scenario, report = validate_scenario(path)
    if scenario is None:
        raise ScenarioError(report)
    return scenario


def validate_scenario(path: str | Path) -> tuple[Scenario | None, Report]:
    """Check a scenario file and its tables; the Scenario is None whenever the Report has an error."""
    report = Report()
    scenario = _load(Path(path), str(path), report)
    return (scenario if report.ok else None), report


def next_monday(today: dt.date | None = None) -> dt.date:
    """The first Monday after `today` (default: the real today)."""
    today = today or dt.date.today()
    return today + dt.timedelta(days=7 - today.weekday())


# --------------------------------------------------------------------------- the scenario file


def _load(path: Path, label: str, report: Report) -> Scenario | None:
    config = _read_config(path, label, report)
    if config is None:
        return None
    base = path.resolve().parent
    name = _scenario_name(config.get("name"), label, report)
    horizon = _horizon(config.get("horizon"), label, report)
    settings = {key: _settings(model, config.get(key), key, label, report) for key, model in SETTINGS.items()}
    _check_travel(settings.get("travel"), base, label, report)

    site_specs = _specs(config, "sites", label, report, many=True)
    team_spec, kit_spec = (_specs(config, key, label, report)[:1] for key in ("teams", "kits"))
    office_specs = _specs(config, "district_offices", label, report) if "district_offices" in config else []

    teams = _load_teams(base, team_spec, kit_spec, horizon, report)
    sites = _load_sites(base, site_specs, report)
    offices = [o for spec in office_specs for o in _load_offices(base, spec, report)]
    boundary_spec = _specs(config, "boundaries", label, report) if "boundaries" in config else []
    area = read_boundaries(base / boundary_spec[0], label, report) if boundary_spec else None
    if not report.ok:
        return None
    scenario = _build(
        dict(name=name, horizon=horizon, district_offices=tuple(offices), source_dir=str(base), **settings),
        sites,
        teams,
        label,
        report,
    )
    if scenario is not None:
        offices_label = ", ".join(office_specs) or None
        check_scenario(scenario, [o for _, o in sites], [o for _, o in teams], label, report, offices_label,
                       area, ", ".join(boundary_spec))
    return scenario if report.ok else None


def _read_config(path: Path, label: str, report: Report) -> dict | None:
    """The scenario file as a mapping; None (reported) when missing, malformed or not a mapping."""
    if not path.is_file():
        report.error(label, "scenario file not found")
        return None
    size = path.stat().st_size
    if size > units.MAX_SCENARIO_FILE_BYTES:
        reason = f"the scenario file is {size:,} bytes; at most {units.MAX_SCENARIO_FILE_BYTES:,} (tables go in their own files)"
        report.error(label, reason)
        return None
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        utf16 = exc.object[:2] in (b"\xff\xfe", b"\xfe\xff")
        reason = "it is UTF-16 (Notepad's 'Unicode')" if utf16 else f"{exc.reason} at byte {exc.start}"
        report.error(label, f"the scenario file is not UTF-8 text ({reason}); save it as UTF-8")
        return None
    try:
        config = json.loads(text) if path.suffix.lower() == ".json" else load_yaml(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        where = f" (line {exc.lineno}, column {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
        report.error(label, f"malformed JSON: {getattr(exc, 'msg', 'nested too deeply')}{where}")
        return None
    except YamlProblem as exc:
        report.error(label, str(exc))
        return None
    except yaml.YAMLError as exc:
        report.error(label, f"malformed YAML: {yaml_message(exc)}")
        return None
    if config is None:
        report.error(label, "the scenario file is empty")
        return None
    if not isinstance(config, dict):
        report.error(label, f"expected keys (name:, sites:, teams:, kits:, ...), got a {type(config).__name__}")
        return None
    config = {str(k): v for k, v in config.items()}
    for key in REQUIRED_KEYS:
        if key not in config:
            report.error(label, f"missing required key {key!r}", column=key)
    for key in config:
        if key not in REQUIRED_KEYS + OPTIONAL_KEYS:
            report.error(label, unknown_name_reason("key", key, REQUIRED_KEYS + OPTIONAL_KEYS), column=key)
    return config


def _scenario_name(value: object, label: str, report: Report) -> str | None:
    if value is None:
        return None  # missing key already reported
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        report.error(label, "name must be text of 1 to 200 characters", column="name", value=value)
        return None
    return value.strip()


def _horizon(value: object, label: str, report: Report) -> Horizon | None:
    if value is None:
        value = {}
    if not isinstance(value, dict):
        report.error(label, "horizon must be a mapping like {start: 2026-11-23, days: 6}", column="horizon", value=value)
        return None
    data = {"start": next_monday(), **value}
    if isinstance(data["start"], str):
        try:
            data["start"] = parse_date(data["start"])
        except ValueError as exc:
            report.error(label, str(exc), column="horizon.start", value=data["start"])
            return None
    try:
        return Horizon.model_validate(data)
    except ValidationError as exc:
        _pydantic_problems(exc, report, label, None, lambda loc: _dotted("horizon", loc), Horizon)
        return None


def _settings(model: type[BaseModel], value: object, key: str, label: str, report: Report) -> BaseModel | None:
    if value is None:
        value = {}
    if not isinstance(value, dict):
        report.error(label, f"{key} must be a mapping of settings", column=key, value=value)
        return None
    try:
        return model.model_validate(_with_dict_defaults(model, value))
    except ValidationError as exc:
        _pydantic_problems(exc, report, label, None, lambda loc: _dotted(key, loc), model)
        return None


def _with_dict_defaults(model: type[BaseModel], value: dict) -> dict:
    """Fill per-kind/per-profile mappings with their defaults, so `weights.kind: {prison: 2}` keeps
    the other kinds' weights (and the defaults' keys are validated into enums too)."""
    merged = dict(value)
    for name, info in model.model_fields.items():
        given = merged.get(name, {})
        if isinstance(given, dict) and info.default_factory is not None:
            default = info.default_factory()  # type: ignore[call-arg]
            if isinstance(default, dict):
                merged[name] = {**default, **given}
    return merged


def _check_travel(travel: object, base: Path, label: str, report: Report) -> None:
    if not isinstance(travel, TravelSettings):
        return
    if travel.provider in ("osrm", "valhalla") and not travel.url:
        report.error(label, f"travel provider {travel.provider} needs url:", column="travel.url")
    if travel.provider == "file":
        if not travel.matrix_file:
            report.error(label, "travel provider file needs matrix_file:", column="travel.matrix_file")
        elif not (base / travel.matrix_file).is_file():
            report.error(label, "matrix file not found", column="travel.matrix_file", value=travel.matrix_file)


def _specs(config: dict, key: str, label: str, report: Report, many: bool = False) -> list[str]:
    """The table file name(s) under `key`: one string, or (for sites) a list of strings."""
    value = config.get(key)
    if value is None:
        if key in config:
            report.error(label, f"{key} names no file", column=key)
        return []
    items = value if many and isinstance(value, list) else [value]
    if not items or not all(isinstance(i, str) and i.strip() for i in items):
        shape = "a file name or a list of file names" if many else "a file name"
        report.error(label, f"{key} must be {shape}", column=key, value=value)
        return []
    return [i.strip() for i in items]


def _build(
    common: dict,
    sites: list[tuple[Site, Origin]],
    teams: list[tuple[Team, Origin]],
    label: str,
    report: Report,
) -> Scenario | None:
    """The final Scenario; a ValidationError here is mapped back to files and rows."""
    try:
        return Scenario(sites=tuple(s for s, _ in sites), teams=tuple(t for t, _ in teams), **common)
    except ValidationError as exc:
        origins = {"sites": [o for _, o in sites], "teams": [o for _, o in teams]}
        for error in exc.errors():
            loc = error["loc"]
            if len(loc) >= 2 and loc[0] in origins and isinstance(loc[1], int):
                file, row = origins[loc[0]][loc[1]]
                report.error(file, _message(error), row=row, column=".".join(map(str, loc[2:])) or None)
            else:
                report.error(label, _message(error), column=".".join(map(str, loc)) or None)
        return None


# --------------------------------------------------------------------------- sites


def _load_sites(base: Path, specs: list[str], report: Report) -> list[tuple[Site, Origin]]:
    sites: list[tuple[Site, Origin]] = []
    ids: list[tuple[str, Origin]] = []
    for spec in specs:
        table = read_table(base, spec, report, geo=True)
        if table is None:
            continue
        check_columns(table, SITE_REQUIRED, SITE_OPTIONAL, report)
        if len(ids) + len(table.rows) > units.MAX_SITES:
            report.error(spec, f"{len(ids) + len(table.rows):,} sites; a scenario may have at most {units.MAX_SITES:,} "
                               "(plan a province in parts, e.g. one scenario per regency)")
            return []
        for number, cells in table.rows:
            row = Row(table, number, cells, report)
            if row.text("site_id"):
                ids.append((row.text("site_id"), (spec, number)))
            site = _site(row)
            if site is not None:
                sites.append((site, (spec, number)))
    _check_unique(ids, "site_id", report)
    return sites


def _site(row: Row) -> Site | None:
    """One Site from one row (None when the row has errors, all of them reported)."""
    site_id = row.identifier("site_id")
    name = _name(row, "name")
    kind = row.choice("kind", SiteKind)
    lat, lon = _coordinates(row, "lat", "lon")
    unrecorded = _people(row, "unrecorded")
    turnout = row.number("turnout", low=0, low_open=True, high=1)
    priority = row.number("priority", default=1.0, low=0, low_open=True, high=100)
    hours = _site_hours(row, kind)
    closed_dates = row.dates("closed_dates")
    electricity = row.boolean("electricity", True)
    location_estimated = row.boolean("location_estimated", False)
    access = row.choice("access", Access, Access.road)
    if row.failed or kind is None:
        return None
    fields = dict(
        id=site_id,
        name=name,
        kind=kind,
        lat=lat,
        lon=lon,
        unrecorded=unrecorded,
        turnout=turnout if turnout is not None else units.DEFAULT_TURNOUT[kind],
        priority=priority,
        hours=hours,
        closed_dates=closed_dates,
        electricity=electricity,
        clearance=row.text("clearance").lower() or ("prison" if kind == SiteKind.prison else None),
        access=access,
        location_estimated=location_estimated,
        note=row.text("note"),
        **{c: row.text(c) for c in ("province_code", "regency_code", "district_code", "village_code")},
    )
    return _construct(Site, fields, row, _site_column)


def _site_hours(row: Row, kind: SiteKind | None) -> dict[Weekday, tuple[TimeWindow, ...]]:
    """Opening hours per weekday: hours (Mon–Sat, default by kind), hours_<day> overrides, Sunday closed."""
    if row.text("hours"):
        base = row.windows("hours") or ()
    else:
        base = parse_windows(units.DEFAULT_SITE_HOURS[kind]) if kind is not None else ()
    hours: dict[Weekday, tuple[TimeWindow, ...]] = {}
    for day in DAYS:
        column = f"hours_{day}"
        if row.text(column):
            windows = row.windows(column) or ()
        else:
            windows = () if day == Weekday.sun else base
        if windows:
            hours[day] = windows
    return hours


def _site_column(loc: tuple) -> str | None:
    if not loc:
        return None
    if loc[0] == "id":
        return "site_id"
    if loc[0] == "hours":
        return f"hours_{loc[1]}" if len(loc) > 1 else "hours"
    return str(loc[0])


# --------------------------------------------------------------------------- teams and kits


def _load_teams(
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
            team = _construct(Team, fields, Row(team_table, number, {}, report), _team_column)
            if team is not None:
                teams.append((team, (team_table.label, number)))
    if horizon is not None and team_rows:
        _check_kit_availability(team_rows, kits, kits_ok, horizon, team_table.label, kit_table.label, report)
    return teams


def _team_rows(table: Table, report: Report) -> tuple[dict[str, int], dict[str, dict]]:
    """Each team id's (first) row number, and the Team fields of the rows without errors."""
    team_rows: dict[str, int] = {}
    team_fields: dict[str, dict] = {}
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
    _check_unique(ids, "team_id", report)
    return team_rows, team_fields


def _table(
    base: Path, spec: list[str], required: Iterable[str], optional: Iterable[str], report: Report
) -> Table | None:
    if not spec:
        return None
    table = read_table(base, spec[0], report)
    if table is not None:
        check_columns(table, required, optional, report)
    return table


def _team_fields(row: Row) -> dict | None:
    """The fields of one Team (without kits) from one row; None when the row has errors."""
    fields = dict(
        id=row.identifier("team_id"),
        name=_name(row, "name"),
        regency_code=row.text("regency_code"),
        base_name=row.text("base_name"),
        vehicle=row.choice("vehicle", VehicleProfile, VehicleProfile.car),
        rate_per_kit_hour=row.number(
            "rate_per_kit_hour", default=units.DEFAULT_RATE_PER_KIT_HOUR, low=0, low_open=True, high=120
        ),
        setup_min=row.number("setup_min", default=units.DEFAULT_SETUP_MIN, integer=True, low=0, high=240),
        generator=row.boolean("generator", False),
        clearances=row.words("clearances"),
        max_drive_min=row.number(
            "max_drive_min", default=units.DEFAULT_MAX_DRIVE_MIN, integer=True, low=0, low_open=True, high=24 * 60
        ),
        max_nights_out=row.number("max_nights_out", default=units.DEFAULT_MAX_NIGHTS_OUT, integer=True, low=0, high=6),
        shifts=_shifts(row),
    )
    fields["base_lat"], fields["base_lon"] = _coordinates(row, "base_lat", "base_lon")
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


def _team_column(loc: tuple) -> str | None:
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
    _check_unique(ids, "kit_id", report)
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
    return _construct(Kit, fields, row, _kit_column)


def _kit_column(loc: tuple) -> str | None:
    return "kit_id" if loc[:1] == ("id",) else _plain_column(loc)


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


# --------------------------------------------------------------------------- district offices


def _load_offices(base: Path, spec: str, report: Report) -> list[DistrictOffice]:
    table = read_table(base, spec, report, optional=True)
    if table is None:
        return []
    check_columns(table, OFFICE_REQUIRED, OFFICE_OPTIONAL, report)
    offices: list[DistrictOffice] = []
    codes: list[tuple[str, Origin]] = []
    for number, cells in table.rows:
        row = Row(table, number, cells, report)
        code = row.required("district_code")
        working = row.boolean("fixed_kit_working", True) if row.required("fixed_kit_working") else None
        if code:
            codes.append((code, (spec, number)))
        if not row.failed:
            fields = dict(district_code=code, name=row.text("name"), fixed_kit_working=working)
            office = _construct(DistrictOffice, fields, row, _plain_column)
            if office is not None:
                offices.append(office)
    _check_unique(codes, "district_code", report)
    return offices


# --------------------------------------------------------------------------- shared helpers


def _name(row: Row, column: str) -> str | None:
    text = row.required(column)
    if text is not None and len(text) > 200:
        row.problem(column, "too long (at most 200 characters)", text)
        return None
    return text


def _people(row: Row, column: str) -> int | None:
    """A site's count of people: an error above MAX_SITE_PEOPLE, a warning above LARGE_SITE_PEOPLE."""
    value = row.number(column, required=True, integer=True, low=0)
    if value is not None and value > units.MAX_SITE_PEOPLE:
        row.problem(column, f"{value:,} people at one site is not a real count (at most {units.MAX_SITE_PEOPLE:,})",
                    row.text(column))
        return None
    if value is not None and value > units.LARGE_SITE_PEOPLE:
        reason = f"{value:,} people at one site is far more than any village holds; check the figure"
        row.problem(column, reason, row.text(column), warning=True)
    return value


def _coordinates(row: Row, lat_column: str, lon_column: str) -> tuple[float | None, float | None]:
    """(lat, lon) inside Indonesia's bounding box; reports out-of-range and swapped pairs."""
    lat = row.number(lat_column, required=True)
    lon = row.number(lon_column, required=True)
    if lat is None or lon is None:
        return None, None
    if lat == 0 and lon == 0:
        row.problem(lat_column, "(0, 0) is where a GPS without a fix puts a point; give the real coordinates", row.text(lat_column))
        return None, None
    (lat_lo, lat_hi), (lon_lo, lon_hi) = units.INDONESIA_LAT, units.INDONESIA_LON
    lat_ok, lon_ok = lat_lo <= lat <= lat_hi, lon_lo <= lon <= lon_hi
    if lat_ok and lon_ok:
        return lat, lon
    if lat_lo <= lon <= lat_hi and lon_lo <= lat <= lon_hi:
        row.problem(
            lat_column,
            f"lat and lon look swapped: ({lat:g}, {lon:g}) is outside Indonesia but ({lon:g}, {lat:g}) is inside",
            row.text(lat_column),
        )
        return None, None
    if not lat_ok:
        reason = f"latitude {lat:g} is outside Indonesia ({lat_lo:g} to {lat_hi:g})"
        row.problem(lat_column, reason, row.text(lat_column))
    if not lon_ok:
        reason = f"longitude {lon:g} is outside Indonesia ({lon_lo:g} to {lon_hi:g})"
        row.problem(lon_column, reason, row.text(lon_column))
    return None, None


def _check_unique(keys: list[tuple[str, Origin]], column: str, report: Report) -> None:
    """Report every repeat of a key, naming the row that used it first."""
    first: dict[str, Origin] = {}
    for key, (file, row) in keys:
        if key not in first:
            first[key] = (file, row)
            continue
        first_file, first_row = first[key]
        if first_file == file:
            reason = f"duplicate {column} {key!r}: rows {first_row} and {row} both use it"
        else:
            reason = f"duplicate {column} {key!r}: {first_file} row {first_row} uses it too"
        report.error(file, reason, row=row, column=column, value=key)


def _construct(model: type[M], fields: dict, row: Row, column_of: Callable[[tuple], str | None]) -> M | None:
    try:
        return model(**fields)
    except ValidationError as exc:
        _pydantic_problems(exc, row.report, row.table.label, row.row_number, column_of, model)
        row.failed = True
        return None


def _plain_column(loc: tuple) -> str | None:
    return str(loc[0]) if loc else None


def _pydantic_problems(
    exc: ValidationError,
    report: Report,
    file: str,
    row: int | None,
    column_of: Callable[[tuple], str | None],
    model: type[BaseModel],
) -> None:
    """Translate a pydantic ValidationError into Problems at file/row/column."""
    for error in exc.errors():
        loc = tuple(error["loc"])
        value = error.get("input", NO_VALUE)
        if isinstance(value, (dict, list, tuple, set, frozenset, BaseModel)):
            value = NO_VALUE
        reason = _message(error)
        if error["type"] == "extra_forbidden" and loc:
            reason = unknown_name_reason("key", str(loc[-1]), _field_names(model, loc[:-1]))
        report.error(file, reason, row=row, column=column_of(loc), value=value)


def _field_names(model: type[BaseModel], parent: tuple) -> list[str]:
    return list(model.model_fields) if not parent else []


def _message(error: dict) -> str:
    return str(error["msg"]).removeprefix("Value error, ")


def _dotted(prefix: str, loc: tuple) -> str:
    return ".".join([prefix, *map(str, loc)])
