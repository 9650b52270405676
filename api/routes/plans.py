"""Plans: start a solve (202 + job id, idempotent with Idempotency-Key), poll it, cancel it, list them."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
import uuid
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request, Response
from starlette.concurrency import run_in_threadpool
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from api.auth import Caller, Role, anyone, coordinators
from api.campaign_schemas import CAMPAIGN_PREFIX
from api.errors import responses
from api.intake import Rejected
from api.jobs import ACTIVE, FINAL
from api.schemas import JobList, JobOut, JobStatus, PlanRequest, ProblemOut, ReplanRequest
from api.fastpath import fast_read
from api.reads import Body, respond
from api.store import Store, job_out
from api.tables import Job, ScenarioRecord, utcnow
from api.reports import lineage_reports
from planner.io.reports import reports_for_plan, team_day_status
from planner.model import Scenario
from planner.io.outcomes import Outcomes, check_outcomes
from planner.plan import Plan
from planner.replan.week import replanned_scenario

router = APIRouter(prefix="/v1/plans", tags=["plans"])
IDEMPOTENCY = r"^[\x21-\x7e]{1,200}$"


def _store(request: Request) -> Store:
    return request.app.state.store


@router.post("", status_code=202, response_model=JobOut, responses={
    200: {"model": JobOut, "description": "finished within ?wait="}, **responses(400, 401, 403, 404, 409, 413, 422, 429)})
def create_plan(
    request: Request,
    response: Response,
    body: PlanRequest,
    wait: Annotated[float, Query(ge=0, le=120, allow_inf_nan=False,
                                 description="wait up to this many seconds for the solve to finish")] = 0,
    idempotency_key: Annotated[str | None, Header(pattern=IDEMPOTENCY, description="retries with the same key return the same job")] = None,
    who: Caller = Depends(coordinators),
) -> JobOut:
    """Queue a solve of a stored scenario; answers 202 with the job (200 if it finished within ?wait=)."""
    store = _store(request)
    if store.scenario_record(body.scenario_id) is None:
        raise HTTPException(404, f"no scenario {body.scenario_id!r}")
    digest = hashlib.sha256(body.model_dump_json().encode()).hexdigest()
    job_id = _existing(store, who, idempotency_key, digest)
    if job_id is None:
        _check_queue(request, store, who)
        job_id = _insert(store, who, body.scenario_id, body.model_dump_json(), idempotency_key, digest)
    return _started(request, response, store, job_id, wait, who)


@router.post("/{plan_id}/outcomes", status_code=202, response_model=JobOut, responses={
    200: {"model": JobOut, "description": "finished within ?wait="}, **responses(400, 401, 403, 404, 409, 413, 422, 429)})
def replan_plan(
    request: Request,
    response: Response,
    plan_id: str,
    body: ReplanRequest,
    wait: Annotated[float, Query(ge=0, le=120, allow_inf_nan=False,
                                 description="wait up to this many seconds for the re-plan to finish")] = 0,
    idempotency_key: Annotated[str | None, Header(pattern=IDEMPOTENCY, description="retries with the same key return the same job")] = None,
    who: Caller = Depends(coordinators),
) -> JobOut:
    """Re-plan a finished plan from `from` with the field's outcomes: a new plan job (202), whose
    scenario is the old one with the facts applied; what was done stays, the rest is re-optimised."""
    store = _store(request)
    digest = hashlib.sha256(f"{plan_id}:{body.model_dump_json(by_alias=True)}".encode()).hexdigest()
    job_id = _existing(store, who, idempotency_key, digest)
    if job_id is None:
        parent = visible_job(store, plan_id, who)
        if parent.status != "done":
            raise HTTPException(409, f"plan {plan_id} is {parent.status}; only a finished plan can be re-planned")
        scenario = store.scenario(store.scenario_record(parent.scenario_id))
        updated, warnings = facts_applied(scenario, store.plan(parent), body)
        _check_queue(request, store, who)
        record = store.new_scenario_record(updated, who.key_id)  # stored with the job, in one transaction
        options = PlanRequest(scenario_id=record.id, time_limit_s=body.time_limit_s, seed=body.seed,
                              max_solutions=body.max_solutions)
        replan = {"plan_id": parent.id, "from": _aware(body.from_time, request).isoformat(),
                  "move_penalty": body.move_penalty, "outcomes": [o.model_dump(mode="json") for o in body.outcomes]}
        job_id = _insert(store, who, record.id, options.model_dump_json(), idempotency_key, digest, json.dumps(replan),
                         record)
    else:
        warnings = []  # told on the answer that accepted it
    out = _started(request, response, store, job_id, wait, who)
    return out.model_copy(update={"warnings": warnings})


def facts_applied(scenario: Scenario, plan: Plan, body: ReplanRequest) -> tuple[Scenario, list[ProblemOut]]:
    """The scenario with the outcomes applied, and the outcomes' warnings (422 listing every error)."""
    outcomes = Outcomes(outcomes=tuple(body.outcomes))
    report = check_outcomes(outcomes, scenario, plan, body.from_time.replace(tzinfo=None))
    if report.error_count:
        raise Rejected(report, "outcomes")
    try:
        return (replanned_scenario(scenario, plan, outcomes, body.from_time.replace(tzinfo=None)),
                [ProblemOut.of(p) for p in report.warnings])
    except ValueError as exc:
        raise HTTPException(422, f"the outcomes cannot be applied: {exc}") from None


def _started(request: Request, response: Response, store: Store, job_id: str, wait: float, who: Caller) -> JobOut:
    """Wake the runner, wait up to `wait` seconds, answer 202 (or 200 if finished) with the job."""
    request.app.state.runner.wake()
    job = _wait(store, job_id, min(wait, request.app.state.settings.max_wait_s))
    if job.status in FINAL:
        response.status_code = 200
    response.headers["Location"] = f"/v1/plans/{job.id}"
    return _view(store, job, who)


def _existing(store: Store, who: Caller, key: str | None, digest: str) -> str | None:
    if key is None:
        return None
    with store.sessions() as s:
        job = s.scalar(select(Job).where(Job.owner_key_id == who.key_id, Job.idempotency_key == key))
    if job is None:
        return None
    if job.request_hash != digest:
        raise HTTPException(409, "this Idempotency-Key was used for a different request; use a new key")
    return job.id


def _aware(when: dt.datetime, request: Request) -> dt.datetime:
    """A re-plan time with its UTC offset: one given without is local time in JEMPUT_TIME_ZONE."""
    if when.tzinfo is not None:
        return when
    return when.replace(tzinfo=ZoneInfo(request.app.state.settings.time_zone))


def _check_queue(request: Request, store: Store, who: Caller) -> None:
    """429 with Retry-After when this key, or the server, has as many unfinished jobs as allowed."""
    settings = request.app.state.settings
    mine, everyone = store.active_jobs(who.key_id)
    if mine >= settings.max_queued_per_key or everyone >= settings.max_queued:
        whose = (f"this key has {mine} plan jobs queued or running (at most {settings.max_queued_per_key}, "
                 "JEMPUT_MAX_QUEUED_PER_KEY)" if mine >= settings.max_queued_per_key else
                 f"the server has {everyone} plan jobs queued or running (at most {settings.max_queued}, JEMPUT_MAX_QUEUED)")
        raise HTTPException(429, f"{whose}; retry later or cancel one", headers={"Retry-After": str(settings.retry_after_s)})


def _insert(store: Store, who: Caller, scenario_id: str, options_json: str, key: str | None, digest: str,
            replan_json: str | None = None, record: ScenarioRecord | None = None) -> str:
    """Store the job (and a re-plan's new scenario with it: a lost idempotency race stores neither)."""
    job = Job(id=uuid.uuid4().hex, scenario_id=scenario_id, status="queued", options_json=options_json,
              owner_key_id=who.key_id, idempotency_key=key, request_hash=digest, progress_message="queued",
              created_at=utcnow(), replan_json=replan_json)
    try:
        with store.sessions.begin() as s:
            if record is not None:
                s.add(record)
                s.flush()
            s.add(job)
    except IntegrityError:  # the same key, sent twice at the same moment: the first one wins
        existing = _existing(store, who, key, digest)
        if existing is None:
            raise
        return existing
    return job.id


def _wait(store: Store, job_id: str, seconds: float) -> Job:
    deadline = time.monotonic() + seconds
    job = store.job(job_id)
    while job.status in ACTIVE and time.monotonic() < deadline:
        time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))
        job = store.job(job_id)
    return job


@router.get("", response_model=JobList, responses=responses(401, 403, 422))
def list_plans(
    request: Request,
    scenario_id: Annotated[str | None, Query(pattern=r"^[0-9a-f]{32}$")] = None,
    status: JobStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
    who: Caller = Depends(anyone),
) -> JobList:
    """Plan jobs, newest first, without their plans (a field key sees those of scenarios with its team)."""
    team = who.team_id if who.role == Role.field else None
    rows, total = _store(request).list_jobs(scenario_id, status.value if status else None, limit, offset, team)
    return JobList(items=[job_out(j) for j in rows], total=total)


@router.get("/{plan_id}", response_model=JobOut,
            responses={304: {"description": "not modified: the plan is the one named in If-None-Match"},
                       **responses(401, 403, 404)})
@fast_read(lambda params, request, who: _memory_key(request.app.state.store, params["plan_id"], who))
async def get_plan(request: Request, plan_id: str, who: Caller = Depends(anyone)) -> Response:
    """Status and progress of a plan job, and the plan once it is done. A finished job never changes:
    it is served as stored bytes (gzip when accepted) with an ETag, and 304 to If-None-Match."""
    body = cached_view(_store(request), plan_id, who)  # also answered before routing: see api.fastpath
    if body is None:
        return await run_in_threadpool(_read_plan, request, plan_id, who)
    return respond(request, body)


def _read_plan(request: Request, plan_id: str, who: Caller) -> Response:
    store = _store(request)
    job = visible_job(store, plan_id, who)
    if job.status in FINAL:
        return respond(request, final_view(store, job, who))
    return Response(job_out(job).model_dump_json(by_alias=True), media_type="application/json",
                    headers={"Cache-Control": "no-store"})


def view_key(who: Caller) -> str:
    """Whose view of a plan a stored body is: a field team's own days, or the whole plan."""
    return f"team:{who.team_id}" if who.role == Role.field else "all"


def final_view(store: Store, job: Job, who: Caller) -> Body:
    """The JobOut body of a finished job for this caller's view and the field reports so far (their
    status is in it): made once per reports version, compressed, kept in memory."""
    team = who.team_id if who.role == Role.field else None
    key = f"job|{view_key(who)}|reports:{store.reports_version(job.id, team)}"
    return store.body(job.id, key, "application/json",
                      lambda: _view(store, job, who).model_dump_json(by_alias=True).encode(), persist=False)


def _memory_key(store: Store, plan_id: str, who: Caller) -> tuple[str, str, dict] | None:
    """The key of the job's body at the reports version this process read last (None: read it again)."""
    version = store.cached_reports_version(plan_id, who.team_id if who.role == Role.field else None)
    return None if version is None else (plan_id, f"job|{view_key(who)}|reports:{version}", {})


def cached_view(store: Store, plan_id: str, who: Caller) -> Body | None:
    key = _memory_key(store, plan_id, who)
    return None if key is None else visible_cached(store, plan_id, who, key[1])


def visible_cached(store: Store, plan_id: str, who: Caller, key: str) -> Body | None:
    """A finished job's stored body from memory when this caller may see the job, else None (no I/O: for
    the event loop; None sends the request the full way, which answers 403/404/409 where due)."""
    job = store.cached_job(plan_id)
    if job is None:
        return None
    if who.role == Role.field and who.team_id not in (store.cached_team_ids(job.scenario_id) or ()):
        return None
    return store.cached_body(job.id, key)


@router.delete("/{plan_id}", response_model=JobOut, responses=responses(401, 403, 404, 409))
def cancel_plan(request: Request, plan_id: str, who: Caller = Depends(coordinators)) -> JobOut:
    """Cancel a queued or running solve (its worker process is stopped); 409 once it has finished."""
    store = _store(request)
    job = visible_job(store, plan_id, who)
    with store.sessions.begin() as s:
        changed = s.execute(update(Job).where(Job.id == job.id, Job.status.in_(ACTIVE)).values(
            status="cancelled", finished_at=utcnow(), error="cancelled by request", run_token=None)).rowcount
    if not changed:
        raise HTTPException(409, f"plan {plan_id} has already ended ({store.job(plan_id).status})")
    request.app.state.runner.kill(job.id)
    return _view(store, store.job(job.id), who)


def visible_job(store: Store, plan_id: str, who: Caller) -> Job:
    """The job, if it exists and this caller may see it (404 otherwise, 403 for another team's field key)."""
    job = store.job(plan_id) if _is_id(plan_id) else None
    if job is None or job.options_json.startswith(CAMPAIGN_PREFIX):  # a campaign job is read at /v1/campaigns
        raise HTTPException(404, f"no plan {plan_id!r}")
    if who.role == Role.field:
        if who.team_id not in store.team_ids(job.scenario_id):
            raise HTTPException(403, f"plan {plan_id} has no team {who.team_id!r}; a field key sees its own team only")
    return job


def _view(store: Store, job: Job, who: Caller) -> JobOut:
    plan, status = None, None
    if job.status == "done":
        plan = store.plan(job)
        if who.role == Role.field:
            plan = team_view(plan, who.team_id)
        reports = lineage_reports(store.sessions, job.id, who.team_id if who.role == Role.field else None)
        status = team_day_status(plan, reports_for_plan(reports, plan)[0])
    out = job_out(job, plan)
    out.field_status = status
    return out


def team_view(plan: Plan, team_id: str) -> Plan:
    """What a field team sees: its own days only (KPIs stay the whole plan's; the left-out list is dropped)."""
    return plan.model_copy(update={"team_days": [td for td in plan.team_days if td.team_id == team_id], "left_out": []})


def _is_id(value: str) -> bool:
    return len(value) == 32 and all(c in "0123456789abcdef" for c in value)
