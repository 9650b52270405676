"""Turning an upload into a validated `Scenario` — or a full list of problems (file, row, field, reason).

Two ways in: the `Scenario` model as a JSON body, or the coordinator's own files (scenario.yaml/json
and the CSV/XLSX/GeoJSON tables it names) handed to `planner.io.load`. Both end in the same checks the
API adds for a shared server: a bound on sites, great-circle travel only, no NaN or infinity.
"""

from __future__ import annotations

import json
import math
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from planner.io.load import validate_scenario
from planner.io.safe_yaml import load_yaml
from planner.model import Scenario
from planner.io.problems import Report

BODY = "request body"
FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._ ()-]{0,120}$")
TABLE_KEYS = ("sites", "teams", "kits", "district_offices", "crossings")
LISTS = ("sites", "teams", "district_offices", "crossings")
MAX_NUMBER = 10**9  # no count, minute or weight of a real week comes near; keeps numpy's int64 far away


@dataclass(frozen=True)
class Upload:
    """One uploaded file: its name as the coordinator has it, and its bytes."""

    name: str
    content: bytes


class Rejected(Exception):
    """The input (a scenario, or field outcomes) is not valid; `report` says everything that is wrong."""

    def __init__(self, report: Report, what: str = "scenario") -> None:
        self.report, self.what = report, what
        super().__init__(report.summary())


def from_json_bytes(raw: bytes, max_sites: int) -> tuple[Scenario, Report]:
    """A Scenario from a JSON body (the model's own JSON form); raises Rejected."""
    report = Report()
    data = _parse_json(raw, report)
    if isinstance(data, dict):
        if data.get("source_dir") is not None:
            report.error(BODY, "source_dir is set by the server; leave it out", column="source_dir")
        _check_size(data, max_sites, report)
    elif report.ok:
        report.error(BODY, f"expected a JSON object (a scenario), got {type(data).__name__}")
    if not report.ok:
        raise Rejected(report)
    try:
        scenario = Scenario.model_validate_json(json.dumps(data), strict=True)  # as the schema says: no "true" for true
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            file, row, field = _where(error["loc"])
            value = error.get("input")
            report.error(file, str(error["msg"]).removeprefix("Value error, "), row=row, column=field, value=_short(value))
        raise Rejected(report) from None
    return _server_checks(scenario, report, BODY)


def from_files(scenario_file: Upload, tables: list[Upload], max_sites: int) -> tuple[Scenario, Report]:
    """A Scenario from the coordinator's files, read by planner.io.load in a private folder; raises Rejected."""
    report = Report()
    names = [scenario_file.name, *(t.name for t in tables)]
    for n in names:
        if not FILE_NAME.match(n or "") or n in (".", ".."):
            report.error(n or "(no name)", "file names may hold letters, digits, spaces and . _ - ( ) only, no folders")
    for n in sorted({n for n in names if names.count(n) > 1}):
        report.error(n, "uploaded more than once")
    if Path(scenario_file.name).suffix.lower() not in (".yaml", ".yml", ".json"):
        report.error(scenario_file.name, "the scenario part must be a .yaml, .yml or .json file")
    if report.ok:
        _check_references(scenario_file, {t.name for t in tables}, report)
    if not report.ok:
        raise Rejected(report)
    with tempfile.TemporaryDirectory(prefix="jemput-upload-") as tmp:
        for f in (scenario_file, *tables):
            (Path(tmp) / f.name).write_bytes(f.content)
        scenario, loaded = validate_scenario(Path(tmp) / scenario_file.name)
    report.extend(_relabel(loaded, tmp, scenario_file.name))
    if scenario is None:
        raise Rejected(report)
    if len(scenario.sites) > max_sites:
        report.error(scenario_file.name, f"{len(scenario.sites)} sites; this server plans at most {max_sites}", column="sites")
    return _server_checks(scenario.model_copy(update={"source_dir": None}), report, scenario_file.name)


def _parse_json(raw: bytes, report: Report) -> object:
    def no_constants(name: str) -> float:
        raise ValueError(f"{name} is not a number JSON allows")

    try:
        return json.loads(raw.decode("utf-8"), parse_constant=no_constants)
    except UnicodeDecodeError as exc:
        report.error(BODY, f"the body is not UTF-8 text ({exc.reason} at byte {exc.start})")
    except json.JSONDecodeError as exc:
        report.error(BODY, f"malformed JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})")
    except (ValueError, RecursionError) as exc:
        report.error(BODY, f"malformed JSON: {exc}")
    return None


def _check_size(data: dict, max_sites: int, report: Report) -> None:
    """Refuse oversized lists before validating them one by one."""
    sites = data.get("sites")
    if isinstance(sites, list) and len(sites) > max_sites:
        report.error(BODY, f"{len(sites)} sites; this server plans at most {max_sites}", column="sites")


def _server_checks(scenario: Scenario, report: Report, label: str) -> tuple[Scenario, Report]:
    """What a shared server adds: finite numbers everywhere and great-circle travel only."""
    if scenario.travel.provider != "haversine":
        report.error(label, "the API plans with great-circle travel only (travel: {provider: haversine}); "
                     "routing servers and matrix files are for the command line", column="travel.provider",
                     value=scenario.travel.provider)
    for where, value in _numbers(scenario.model_dump(mode="python")):
        if isinstance(value, float) and not math.isfinite(value):
            report.error(label, "must be a finite number", column=where, value=value)
        elif abs(value) > MAX_NUMBER:
            report.error(label, f"larger than this server accepts (at most {MAX_NUMBER:,})", column=where, value=value)
    if not report.ok:
        raise Rejected(report)
    return scenario, report


def _numbers(value: object, path: str = ""):
    """(dotted path, number) of every int and float in a dumped model."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _numbers(v, f"{path}.{k}" if path else str(k))
    elif isinstance(value, (list, tuple, set, frozenset)):
        for i, v in enumerate(value):
            yield from _numbers(v, f"{path}[{i}]")


def _where(loc: tuple) -> tuple[str, int | None, str | None]:
    """(file, row, field) of a validation error in the JSON body: sites[3].lat → ("request body: sites", 4, "lat")."""
    if len(loc) >= 2 and loc[0] in LISTS and isinstance(loc[1], int):
        return f"{BODY}: {loc[0]}", loc[1] + 1, ".".join(map(str, loc[2:])) or None
    return BODY, None, ".".join(map(str, loc)) or None


def _short(value: object) -> object:
    if isinstance(value, (dict, list)):
        return f"<{type(value).__name__} of {len(value)}>"
    return value


def _check_references(scenario_file: Upload, uploaded: set[str], report: Report) -> None:
    """Every table the scenario names must be one of the uploaded files (nothing else is read)."""
    try:
        text = scenario_file.content.decode("utf-8-sig")
        config = json.loads(text) if scenario_file.name.lower().endswith(".json") else load_yaml(text)
    except (UnicodeDecodeError, ValueError, RecursionError, yaml.YAMLError):  # YamlProblem is a ValueError
        return  # the loader reports it, with line and column
    if not isinstance(config, dict):
        return
    for key in TABLE_KEYS:
        specs = config.get(key)
        for spec in specs if isinstance(specs, list) else [specs]:
            if isinstance(spec, str) and spec.strip():
                name = spec.strip().partition("#")[0]
                if name not in uploaded:
                    report.error(scenario_file.name, f"names {name!r}, which was not uploaded as a table part",
                                 column=key, value=spec)


def _relabel(report: Report, tmp: str, scenario_name: str) -> Report:
    """The loader's report without the private folder's path in it."""
    out = Report()
    for p in report.problems:
        file = scenario_name if p.file.startswith(tmp) else p.file
        reason = p.reason.replace(tmp + "/", "").replace(tmp, "")
        out.add(p.severity, file, reason, row=p.row, column=p.column,
                **({} if p.value is None else {"value": _Shown(p.value)}))
    return out


class _Shown:
    """A value already shown by the loader (repr'd and truncated): keep it as it is."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


__all__ = ["Upload", "Rejected", "from_json_bytes", "from_files"]
