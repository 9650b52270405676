"""Plan many province (or regency) weeks at once on any backend, keeping every finished plan.

The unit of work is one scenario — a province week. A province is the smallest piece that can be
planned alone: its provincial team pool works after, and across, its regency parts, and its travel
matrix and upper bound are per province. Inside a province the regency parts are independent
(`planner.solve.parts`), and with `nested=True` on Dask they are sent to the cluster as separate tasks.

A `Partition` carries the loaded `Scenario` (every site, team and kit, as data) and, for a
`file` travel provider, the travel matrices read on the client, so a worker needs neither the
input files nor a shared disk (haversine matrices are recomputed from the coordinates; OSRM or
Valhalla servers must be reachable from the workers).

Results are written as each partition finishes (files written to a temporary name, then renamed;
`manifest.json` last), so an interrupted batch loses no finished plan, and a rerun skips every
partition whose manifest matches the same inputs and options. A partition that fails is retried
(`retries` times), then reported with its reason; it never stops the others.
"""

from __future__ import annotations

from typing import Any

import hashlib
import json
import os
import socket
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from planner import units
from planner.solve.backends import Backend, DaskWorkerBackend, InProcessBackend, TaskError, in_dask_worker
from planner.io.export import read_plan_json, write_roster_csv, write_roster_xlsx
from planner.model import Scenario, VehicleProfile
from planner.plan import Plan
from planner.compile.travel import Matrices, Points, provider_for

SCENARIO_SUFFIXES = (".yaml", ".yml", ".json")
LIST_SUFFIXES = (".txt", ".list")
MANIFEST = "manifest.json"
MANIFEST_VERSION = 1


@dataclass(frozen=True)
class BatchOptions:
    """Search settings for every partition (same for all, so reruns and backends agree)."""

    time_limit_s: float = units.DEFAULT_TIME_LIMIT_S  # per partition (province week)
    seed: int = units.DEFAULT_SEED
    max_solutions: int | None = None
    retries: int = 1  # extra attempts for a partition that raised
    nested: bool = False  # on Dask: also spread each province's regency parts over the cluster
    roster: bool = True  # write roster.csv / roster.xlsx beside plan.json
    lang: str = "id"

    def key(self) -> dict[str, Any]:
        """The options a partition's files depend on (what a rerun must match to skip it); not `nested`,
        `retries`: they change where and how often it runs, not what it writes."""
        return {
            "time_limit_s": self.time_limit_s,
            "seed": self.seed,
            "max_solutions": self.max_solutions,
            "roster": self.roster,
            "lang": self.lang,
        }


class ShippedTravel:
    """Travel matrices computed on the client and sent with the partition (for `file` providers)."""

    def __init__(self, ids: tuple[str, ...], matrices: dict[str, Matrices]):
        self.ids = ids
        self.by_profile = matrices
        self.knows_crossings = True  # made through planner.compile.crossings.with_crossings

    def matrices(self, points: Points, profile: VehicleProfile | str) -> Matrices:
        if tuple(points.ids) != self.ids:
            raise ValueError("shipped travel matrices were made for other points")
        return self.by_profile[str(profile)]


@dataclass
class Partition:
    """One scenario to plan: everything a worker needs, nothing it must read from disk."""

    name: str  # output folder under OUT
    source: str  # the scenario file, as a resolved path on the client (written into plan.json)
    scenario: Scenario
    input_hash: str
    options: BatchOptions
    travel: ShippedTravel | None = None


@dataclass
class PartitionResult:
    """What a worker sends back: the plan, and where and how long it ran."""

    name: str
    plan: Plan
    wall_s: float
    host: str
    pid: int
    violations: str = ""  # the validator's report when the plan breaks a rule (empty: verified)


@dataclass
class Outcome:
    """A partition's final state in the batch (what the summary shows)."""

    name: str
    source: str
    status: str  # done | skipped | failed
    attempts: int = 0
    reason: str = ""
    wall_s: float = 0.0
    plan: Plan | None = field(default=None, repr=False)


@dataclass(frozen=True)
class BatchEvent:
    """Progress of one partition: queued, running (attempt n), done, skipped or failed."""

    name: str
    state: str
    detail: str = ""


EventFn = Callable[[BatchEvent], None]


# ----------------------------------------------------------------------------- finding inputs


def find_scenarios(inputs: Iterable[Path]) -> list[Path]:
    """Scenario files named by folders, scenario files or list files (one path a line, # comments).

    A folder with a scenario.yaml is one scenario; any other folder contributes its sub-folders'
    scenario.yaml files and its own .yaml/.yml/.json files, in name order.
    """
    out: list[Path] = []
    for raw in inputs:
        path = Path(raw)
        if path.is_dir():
            out.extend(_in_folder(path))
        elif path.suffix.lower() in LIST_SUFFIXES:
            out.extend(find_scenarios(_list_lines(path)))
        else:
            out.append(path)  # a scenario file, or a missing path the loader reports
    seen: set[Path] = set()
    return [p for p in out if not (p.resolve() in seen or seen.add(p.resolve()))]  # type: ignore[func-returns-value]


def _in_folder(folder: Path) -> list[Path]:
    own = folder / "scenario.yaml"
    if own.is_file():
        return [own]
    found = []
    for child in sorted(folder.iterdir()):
        if child.is_dir() and (child / "scenario.yaml").is_file():
            found.append(child / "scenario.yaml")
        elif child.is_file() and child.suffix.lower() in SCENARIO_SUFFIXES:
            found.append(child)
    return found


def _list_lines(path: Path) -> list[Path]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [path.parent / line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]


def partition_names(paths: Sequence[Path]) -> list[str]:
    """Output folder names: the scenario's folder for scenario.yaml, else the file's stem; made unique."""
    names, used = [], set()
    for p in paths:
        base = p.parent.name if p.name == "scenario.yaml" else p.stem
        name, k = base or "scenario", 2
        while name in used:
            name, k = f"{base}-{k}", k + 1
        used.add(name)
        names.append(name)
    return names


# ----------------------------------------------------------------------------- the worker side


def plan_partition(p: Partition) -> PartitionResult:
    """Plan and verify one partition (runs on the worker); its regency parts stay in this process unless nested."""
    from planner.pipeline import plan_and_check
    from planner.solve.week import SolveOptions

    t0 = time.monotonic()
    backend = DaskWorkerBackend() if p.options.nested and in_dask_worker() else None
    opts = SolveOptions(
        time_limit_s=p.options.time_limit_s,
        seed=p.options.seed,
        workers=1,  # the same per-part time shares whichever backend runs the parts
        max_solutions=p.options.max_solutions,
        backend=backend,
    )
    checked = plan_and_check(p.scenario, opts, provider=p.travel, scenario_file=p.source)
    violations = checked.report() if not checked.ok else ""
    return PartitionResult(p.name, checked.plan, time.monotonic() - t0, socket.gethostname(), os.getpid(), violations)


# ----------------------------------------------------------------------------- the client side


def scenario_hash(scenario: Scenario, options: BatchOptions) -> str:
    """Hash of the loaded inputs (not where they sit) and the options a plan depends on."""
    data = scenario.model_dump(mode="json", exclude={"source_dir"})
    text = json.dumps({"scenario": data, "options": options.key()}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def run_batch(
    inputs: Iterable[Path],
    out_dir: Path,
    options: BatchOptions = BatchOptions(),
    backend: Backend | None = None,
    progress: EventFn | None = None,
) -> list[Outcome]:
    """Plan every scenario named by `inputs` into out_dir/<name>/, then write the national summary."""
    from planner.national.summary import write_summary

    report = progress or (lambda e: None)
    backend = backend or InProcessBackend()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = find_scenarios(inputs)
    order = partition_names(paths)
    outcomes: dict[str, Outcome] = {}
    todo: list[Partition] = []
    for path, name in zip(paths, order):
        part, outcome = _prepare(path, name, out_dir, options)
        if outcome is not None:
            outcomes[name] = outcome
            report(BatchEvent(name, outcome.status, outcome.reason))
        else:
            todo.append(part)  # type: ignore[arg-type]
            report(BatchEvent(name, "queued"))
    try:
        attempts = {p.name: 0 for p in todo}
        for _ in range(options.retries + 1):
            if not todo:
                break
            for p in todo:
                attempts[p.name] += 1
                report(BatchEvent(p.name, "running", f"attempt {attempts[p.name]}"))
            failed: list[Partition] = []
            for i, res in backend.map(plan_partition, todo):
                p = todo[i]
                if isinstance(res, TaskError):
                    failed.append(p)
                    outcomes[p.name] = Outcome(p.name, p.source, "failed", attempts[p.name], res.reason)
                    report(BatchEvent(p.name, "retrying" if attempts[p.name] <= options.retries else "failed", res.reason))
                    continue
                _write_result(out_dir / p.name, p, res)
                if res.violations:  # written for inspection, never skipped as finished by a rerun
                    reason = "the plan breaks rules: " + res.violations.splitlines()[0]
                    outcomes[p.name] = Outcome(p.name, p.source, "failed", attempts[p.name], reason, res.wall_s, res.plan)
                    report(BatchEvent(p.name, "failed", reason))
                else:
                    outcomes[p.name] = Outcome(p.name, p.source, "done", attempts[p.name], "", res.wall_s, res.plan)
                    report(BatchEvent(p.name, "done", f"{res.plan.kpis.expected_recordings:,} recordings, {res.wall_s:.1f} s"))
                write_summary(out_dir, [outcomes[n] for n in order if n in outcomes], options.lang)
            todo = sorted(failed, key=lambda p: order.index(p.name))
    finally:
        write_summary(out_dir, [outcomes[n] for n in order if n in outcomes], options.lang)
    return [outcomes[n] for n in order]


def _prepare(path: Path, name: str, out_dir: Path, options: BatchOptions) -> tuple[Partition | None, Outcome | None]:
    """Load a scenario into a partition; or its outcome if it is invalid or already planned."""
    from planner.io.load import validate_scenario

    source = str(path.resolve())
    scenario, rep = validate_scenario(path)
    if scenario is None:
        first = rep.errors[0].format() if rep.errors else ""
        detail = f"; first: {first}" if first else ""
        return None, Outcome(name, source, "failed", 0, f"invalid scenario ({rep.error_count} errors){detail}")
    digest = scenario_hash(scenario, options)
    done = _finished(out_dir / name, digest)
    if done is not None:
        return None, Outcome(name, source, "skipped", 0, "", done[1], done[0])
    try:
        travel = _shipped_travel(scenario)
    except Exception as exc:  # the matrix file cannot be read: report, do not stop the batch
        return None, Outcome(name, source, "failed", 0, TaskError.of(exc).reason)
    return Partition(name, source, scenario, digest, options, travel), None


def _shipped_travel(scenario: Scenario) -> ShippedTravel | None:
    """For a `file` provider, the matrices read here, so workers need not see the file."""
    if scenario.travel.provider != "file":
        return None
    from planner.compile.instance import scenario_points

    base = Path(scenario.source_dir) if scenario.source_dir else None
    from planner.compile.crossings import with_crossings

    provider = with_crossings(provider_for(scenario.travel, base), scenario)
    points = scenario_points(scenario)
    profiles = sorted({t.vehicle for t in scenario.teams}, key=str)
    return ShippedTravel(tuple(points.ids), {str(p): provider.matrices(points, p) for p in profiles})


def _finished(folder: Path, digest: str) -> tuple[Plan, float] | None:
    """The plan already written for these exact inputs and options, if any."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        if manifest.get("input_hash") != digest or manifest.get("status") != "done":
            return None
        return read_plan_json(folder / "plan.json"), float(manifest.get("wall_s", 0.0))
    except (OSError, ValueError):
        return None


def _write_result(folder: Path, p: Partition, res: PartitionResult) -> None:
    """plan.json (+ roster) then the manifest, each written to a temporary name and renamed."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MANIFEST).unlink(missing_ok=True)  # a half-replaced folder never looks finished
    _atomic(folder / "plan.json", lambda tmp: tmp.write_text(res.plan.model_dump_json(indent=2), encoding="utf-8"))
    if p.options.roster:
        _atomic(folder / "roster.csv", lambda tmp: write_roster_csv(p.scenario, res.plan, tmp, p.options.lang))
        _atomic(folder / "roster.xlsx", lambda tmp: write_roster_xlsx(p.scenario, res.plan, tmp, p.options.lang))
    manifest = {
        "manifest_version": MANIFEST_VERSION,
        "status": "invalid" if res.violations else "done",
        "scenario_file": p.source,
        "input_hash": p.input_hash,
        "options": p.options.key(),
        "wall_s": round(res.wall_s, 2),
        "host": res.host,
        "pid": res.pid,
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    _atomic(folder / MANIFEST, lambda tmp: tmp.write_text(json.dumps(manifest, indent=2), encoding="utf-8"))


def _atomic(path: Path, write: Callable[[Path], object]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp{path.suffix}")
    write(tmp)
    os.replace(tmp, path)


def outcome_dict(o: Outcome) -> dict[str, Any]:
    """An outcome without its plan, for logs and JSON."""
    d = asdict(o)
    d.pop("plan", None)
    return d
