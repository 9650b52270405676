"""Load a scenario file and the tables it names into a validated `Scenario` — or report every problem.

`load_scenario` returns a Scenario or raises `ScenarioError` with a `Report` of all problems found in
one pass; `validate_scenario` returns both (the Scenario only when there is no error). Nothing is
half-loaded. The input format is docs/data-format.md; defaults are in planner.units. The tables are read by
planner.io.sites, planner.io.teams and planner.io.offices; this module reads the scenario file itself.
"""

from __future__ import annotations

from typing import Any

import datetime as dt
import json
from pathlib import Path

import yaml
from pydantic import BaseModel, ValidationError

from planner.io.crossings import load_crossings
from planner.io.fields import Origin, dotted, message, pydantic_problems
from planner import units
from planner.io.offices import load_offices
from planner.io.plausible import check_scenario, read_boundaries
from planner.io.problems import Report, ScenarioError
from planner.io.safe_yaml import YamlProblem, load_yaml, yaml_message
from planner.io.sites import load_sites
from planner.io.cells import parse_date
from planner.io.tables import unknown_name_reason
from planner.io.teams import load_teams, merge_windows
from planner.model import Horizon, Scenario, Site, Team, TravelSettings, VisitRules, Weights

__all__ = ["load_scenario", "validate_scenario", "next_monday", "merge_windows", "ScenarioError", "Report"]

REQUIRED_KEYS = ("name", "sites", "teams", "kits")
SETTINGS: dict[str, type[BaseModel]] = {"weights": Weights, "visits": VisitRules, "travel": TravelSettings}
OPTIONAL_KEYS = ("horizon", "district_offices", "crossings", "boundaries", *SETTINGS)


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

    teams = load_teams(base, team_spec, kit_spec, horizon, report)
    sites = load_sites(base, site_specs, report)
    offices = [o for spec in office_specs for o in load_offices(base, spec, report)]
    crossing_specs = _specs(config, "crossings", label, report) if "crossings" in config else []
    crossings = [x for spec in crossing_specs for x in load_crossings(base, spec, report)]
    boundary_spec = _specs(config, "boundaries", label, report) if "boundaries" in config else []
    area = read_boundaries(base / boundary_spec[0], label, report) if boundary_spec else None
    if not report.ok:
        return None
    scenario = _build(
        dict(name=name, horizon=horizon, district_offices=tuple(offices), crossings=tuple(crossings),
             source_dir=str(base), **settings),
        sites,
        teams,
        label,
        report,
    )
    if scenario is not None:  # what each row accepts but the whole makes doubtful (planner.io.plausible)
        check_scenario(scenario, [o for _, o in sites], [o for _, o in teams], label, report,
                       ", ".join(office_specs) or None, area, ", ".join(boundary_spec))
    return scenario if report.ok else None


def _read_config(path: Path, label: str, report: Report) -> dict[str, Any] | None:
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
        pydantic_problems(exc, report, label, None, lambda loc: dotted("horizon", loc), Horizon)
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
        pydantic_problems(exc, report, label, None, lambda loc: dotted(key, loc), model)
        return None


def _with_dict_defaults(model: type[BaseModel], value: dict[str, Any]) -> dict[str, Any]:
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
        elif (size := (base / travel.matrix_file).stat().st_size) > units.MAX_MATRIX_FILE_BYTES:
            report.error(label, f"the matrix file is {size / 2**20:,.0f} MB; jemput reads at most "
                                f"{units.MAX_MATRIX_FILE_BYTES // 2**20:,} MB (plan the province in parts)",
                         column="travel.matrix_file", value=travel.matrix_file)


def _specs(config: dict[str, Any], key: str, label: str, report: Report, many: bool = False) -> list[str]:
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
    common: dict[str, Any],
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
                report.error(file, message(error), row=row, column=".".join(map(str, loc[2:])) or None)
            else:
                report.error(label, message(error), column=".".join(map(str, loc)) or None)
        return None


