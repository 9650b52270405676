"""The application layer: plan or re-plan, verify, then write what people open — written once.

The CLI (`jemput.cli`) and the API worker (`api.worker`) call these; the batch planner
(`planner.national.batch`) calls the planner-level half (`planner.pipeline`) directly, because
`planner` imports neither `jemput`, `api` nor `maps`. Layers, top to bottom:
`jemput` (CLI, this module) → `api`, `maps` → `planner` (see docs/architecture.md).
"""

from __future__ import annotations

import json
from pathlib import Path

from planner.io.export import write_all
from planner.io.load import load_scenario
from planner.model import Scenario
from planner.pipeline import Checked, plan_and_check, replan_and_check
from planner.plan import Plan

__all__ = [
    "SCENARIO_JSON",
    "Checked",
    "plan_and_check",
    "process_started_at",
    "read_scenario",
    "replan_and_check",
    "write_maps",
    "write_outputs",
]

SCENARIO_JSON = "scenario.json"  # the scenario a re-planned or rolled plan is valid for, saved whole


def write_outputs(checked: Checked, out: Path, lang: str = "id", maps: bool = True,
                  save_scenario: bool = False) -> dict[str, Path]:
    """plan.json, the rosters and GeoJSON (`write_all`), churn.json for a re-plan, the maps, and with
    `save_scenario` the checked scenario as OUT/scenario.json; returns what was written by name."""
    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}
    if save_scenario:
        files["scenario"] = write_scenario(checked.scenario, out / SCENARIO_JSON)
    files.update(write_all(checked.scenario, checked.plan, out, lang))
    if checked.churn is not None:
        churn = out / "churn.json"
        churn.write_text(json.dumps({"churn": checked.churn.model_dump()}, indent=2), encoding="utf-8")
        files["churn"] = churn
    if maps:
        files.update(write_maps(checked.scenario, checked.plan, out, lang))
    return files


def write_scenario(scenario: Scenario, path: Path) -> Path:
    """A scenario saved whole as JSON (readable again by `read_scenario`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(scenario.model_dump_json(indent=1), encoding="utf-8")
    return path


def write_maps(scenario: Scenario, plan: Plan, out: Path, lang: str = "id") -> dict[str, Path]:
    """The overview map (OUT/overview.html) and one field map per team-day with visits (OUT/field/)."""
    from maps.field import write_field_map
    from maps.overview import write_overview

    files = {"overview_map": write_overview(scenario, plan, out / "overview.html", lang=lang)}
    field_dir = out / "field"
    field_dir.mkdir(parents=True, exist_ok=True)
    for td in plan.team_days:
        if td.stops:
            write_field_map(scenario, plan, td.team_id, td.date, field_dir / f"{td.team_id}_{td.date}.html", lang=lang)
    files["field_maps"] = field_dir
    return files


def process_started_at() -> float | None:
    """When this process began (`time.time()` scale), or None where that cannot be read: a command's
    `--time-limit` counts from there (`SolveOptions.started_at`), Python's start-up and reading the files included."""
    try:
        import psutil

        return float(psutil.Process().create_time())
    except Exception:  # no psutil or no /proc: the limit counts from the planner's call
        return None


def read_scenario(path: str | Path) -> Scenario:
    """A scenario file with its tables, or a scenario saved whole as JSON by `replan`/`roll`.

    Raises `ScenarioError` (with the full report) when the files have errors.
    """
    path = Path(path)
    if path.suffix.lower() == ".json" and path.is_file():
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and isinstance(data.get("sites"), list):
            return Scenario.model_validate(data)
    return load_scenario(path)
