"""One solve, run in its own process: read the job, plan the week, validate, store the plan atomically.

The process leads its own process group (so cancelling kills the part solvers too) and exits when
the server that started it is gone (so a crashed server leaves no orphan writing behind it).
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time

from sqlalchemy import update

from api.db import make_engine, session_factory
from api.tables import Job, ScenarioRecord, utcnow


def run_job(database_url: str, job_id: str, run_token: str, solve_workers: int, server_pid: int,
            solve_backend: str = "", memory_mb: int = 0) -> None:
    """Entry point of a worker process (spawned by api.jobs.JobRunner from the server `server_pid`).

    `solve_backend` (DASK_SCHEDULER) sends the solve's regency parts to that Dask cluster; `memory_mb`
    caps the address space of this process and of each part solver it starts (0 = no cap)."""
    os.setpgrp()
    _exit_with_parent(server_pid)
    engine = make_engine(database_url)
    sessions = session_factory(engine)
    cap_memory(memory_mb)
    try:
        _solve(sessions, job_id, run_token, solve_workers, solve_backend)
    except MemoryError:
        _finish(sessions, job_id, run_token, status="failed", error=memory_error(memory_mb))
    except Exception as exc:  # noqa: BLE001 - any failure of the solve is the job's failure, with its reason
        _finish(sessions, job_id, run_token, status="failed", error=f"{type(exc).__name__}: {exc}"[:2000])
    finally:
        engine.dispose()


def cap_memory(memory_mb: int) -> None:
    """Limit this process's address space (inherited by the part solvers it starts); 0 leaves it alone."""
    if memory_mb > 0:
        import resource

        limit = memory_mb * 1024 * 1024
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard if hard != resource.RLIM_INFINITY and hard < limit else limit))


def memory_error(memory_mb: int) -> str:
    """The job's error when a solve runs out of its memory cap."""
    return (f"the solve needed more memory than one solve may use ({memory_mb:,} MB, JEMPUT_SOLVE_MEMORY_MB); "
            "plan fewer sites at once or raise the cap")


def _solve(sessions, job_id: str, run_token: str, solve_workers: int, solve_backend: str = "") -> None:
    from jemput.service import plan_and_check
    from planner.model import Scenario
    from planner.solve.backends import backend_from_spec
    from planner.solve.week import SolveOptions

    with sessions() as s:
        job = s.get(Job, job_id)
        record = s.get(ScenarioRecord, job.scenario_id)
        scenario = Scenario.model_validate_json(record.scenario_json)
        opts = json.loads(job.options_json)
        replan = json.loads(job.replan_json) if job.replan_json else None
    if opts.get("kind") == "campaign":  # a campaign job (api.campaign_schemas): its result in plan_json
        from api.campaign_worker import run_campaign

        result = run_campaign(scenario, opts, solve_workers, lambda m: _write(sessions, job_id, run_token, progress_message=m[:200]))
        _finish(sessions, job_id, run_token, status="done", plan_json=result, violations_json="[]")
        return
    backend = backend_from_spec(solve_backend)
    options = SolveOptions(
        time_limit_s=opts["time_limit_s"], seed=opts["seed"], workers=None if backend else solve_workers,
        max_solutions=opts.get("max_solutions"), backend=backend,
    )

    def progress(event) -> None:
        _write(sessions, job_id, run_token, progress_done=event.done, progress_total=event.total,
               progress_message=event.message[:200])

    scenario_file = f"api:scenario/{job.scenario_id}"
    try:
        if replan is None:
            checked = plan_and_check(scenario, options, progress=progress, scenario_file=scenario_file)
        else:
            checked = _replan(sessions, replan, options, scenario_file)
    finally:
        if backend is not None:
            backend.close()
    # a re-plan is checked against its own scenario: the old one with the field's facts applied
    # (`replan_and_check` does that; it is the scenario stored for this job)
    violations = [_violation(v) for v in checked.violations]
    _finish(sessions, job_id, run_token, status="done", plan_json=checked.plan.model_dump_json(),
            violations_json=json.dumps(violations))


def _replan(sessions, replan: dict, options, scenario_file: str):
    """Re-plan the parent job's plan from `from` with the stored outcomes, verified (jemput.service)."""
    import datetime as dt

    from jemput.service import replan_and_check
    from planner.io.outcomes import Outcomes
    from planner.model import Scenario
    from planner.plan import Plan
    from planner.replan.week import ReplanOptions

    with sessions() as s:
        parent = s.get(Job, replan["plan_id"])
        old_scenario = Scenario.model_validate_json(s.get(ScenarioRecord, parent.scenario_id).scenario_json)
        old_plan = Plan.model_validate_json(parent.plan_json)
    outcomes = Outcomes.model_validate({"outcomes": replan["outcomes"]})
    start = dt.datetime.fromisoformat(replan["from"]).replace(tzinfo=None)
    return replan_and_check(old_scenario, old_plan, outcomes, start,
                            ReplanOptions(options, replan["move_penalty"]), scenario_file=scenario_file)


def _violation(v) -> dict:
    return {"code": v.code, "team_id": v.team_id, "date": v.date.isoformat() if v.date else None,
            "site_id": v.site_id, "message": v.message}


def _write(sessions, job_id: str, run_token: str, **values) -> bool:
    """Update the job only while it is still running under this worker's token."""
    with sessions.begin() as s:
        res = s.execute(
            update(Job).where(Job.id == job_id, Job.run_token == run_token, Job.status == "running").values(**values)
        )
        return res.rowcount == 1


def _finish(sessions, job_id: str, run_token: str, **values) -> bool:
    """The final state and the plan in one transaction: a reader sees all of it or none."""
    return _write(sessions, job_id, run_token, finished_at=utcnow(), **values)


def _exit_with_parent(parent: int) -> None:
    """Kill this process group when the server process dies (checked twice a second)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os.killpg(0, signal.SIGKILL)

    if os.getppid() != parent:  # the server died while this process was starting
        os.killpg(0, signal.SIGKILL)

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()
