"""Campaigns (issue 19): plan week after week to a deadline on the plan job queue, poll, read the
projection and the ranked decisions (JSON or CSV) and the campaign page, cancel."""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy import update

from api.auth import Caller, coordinators, readers
from api.campaign_schemas import CAMPAIGN_PREFIX, CampaignOut, CampaignRequest
from api.errors import responses
from api.jobs import ACTIVE, FINAL
from api.routes.plans import IDEMPOTENCY, _check_queue, _existing, _insert, _is_id, _wait
from api.schemas import JobStatus, Progress
from api.store import Store
from api.tables import Job, utcnow

router = APIRouter(prefix="/v1/campaigns", tags=["campaigns"])
MAX_WEEKS = 52


def _store(request: Request) -> Store:
    return request.app.state.store


@router.post("", status_code=202, response_model=CampaignOut, responses={
    200: {"model": CampaignOut, "description": "finished within ?wait="}, **responses(400, 401, 403, 404, 409, 413, 422, 429)})
def create_campaign(
    request: Request,
    response: Response,
    body: CampaignRequest,
    wait: Annotated[float, Query(ge=0, le=120, allow_inf_nan=False,
                                 description="wait up to this many seconds for the campaign to finish")] = 0,
    idempotency_key: Annotated[str | None, Header(pattern=IDEMPOTENCY, description="retries with the same key return the same job")] = None,
    who: Caller = Depends(coordinators),
) -> CampaignOut:
    """Queue a campaign of a stored scenario to `deadline`: 202 with the job (200 if it finished within ?wait=)."""
    store = _store(request)
    record = store.scenario_record(body.scenario_id)
    if record is None:
        raise HTTPException(404, f"no scenario {body.scenario_id!r}")
    if body.deadline < record.horizon_start:
        raise HTTPException(422, f"deadline {body.deadline} is before the scenario's first day {record.horizon_start}")
    weeks = (body.deadline - record.horizon_start).days // 7 + 1
    if weeks > MAX_WEEKS:
        raise HTTPException(422, f"deadline {body.deadline} is {weeks} weeks away; at most {MAX_WEEKS} weeks are planned")
    options = body.model_dump_json()
    assert options.startswith(CAMPAIGN_PREFIX)  # how the queue and the plan routes tell campaign jobs apart
    digest = hashlib.sha256(f"campaign:{options}".encode()).hexdigest()
    job_id = _existing(store, who, idempotency_key, digest)
    if job_id is None:
        _check_queue(request, store, who)
        job_id = _insert(store, who, body.scenario_id, options, idempotency_key, digest)
    request.app.state.runner.wake()
    job = _wait(store, job_id, min(wait, request.app.state.settings.max_wait_s))
    if job.status in FINAL:
        response.status_code = 200
    response.headers["Location"] = f"/v1/campaigns/{job.id}"
    return campaign_out(job)


@router.get("/{campaign_id}", response_model=CampaignOut, responses=responses(401, 403, 404))
def get_campaign(request: Request, campaign_id: str, who: Caller = Depends(readers)) -> CampaignOut:
    """Status and progress of a campaign job; the projection and the ranked decisions once it is done."""
    return campaign_out(_campaign_job(_store(request), campaign_id))


@router.get("/{campaign_id}/{table}.csv", responses={200: {"content": {"text/csv": {}}}, **responses(401, 403, 404, 409)})
def campaign_table(request: Request, campaign_id: str, table: Literal["projection", "decisions"],
                   who: Caller = Depends(readers)) -> Response:
    """projection.csv or decisions.csv of a finished campaign (the files `jemput campaign` writes)."""
    result = _result(_campaign_job(_store(request), campaign_id))
    return Response(result[f"{table}_csv"], media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{table}.csv"'})


@router.get("/{campaign_id}/map", response_class=HTMLResponse, responses=responses(401, 403, 404, 409))
def campaign_page(request: Request, campaign_id: str, lang: Literal["id", "en"] = "id",
                  who: Caller = Depends(readers)) -> HTMLResponse:
    """campaign.html: share recorded per regency week by week, what is left at the deadline, the top decisions."""
    return HTMLResponse(_result(_campaign_job(_store(request), campaign_id))["html"][lang])


@router.delete("/{campaign_id}", response_model=CampaignOut, responses=responses(401, 403, 404, 409))
def cancel_campaign(request: Request, campaign_id: str, who: Caller = Depends(coordinators)) -> CampaignOut:
    """Cancel a queued or running campaign (its worker process is stopped); 409 once it has ended."""
    store = _store(request)
    job = _campaign_job(store, campaign_id)
    with store.sessions.begin() as s:
        changed = s.execute(update(Job).where(Job.id == job.id, Job.status.in_(ACTIVE)).values(
            status="cancelled", finished_at=utcnow(), error="cancelled by request", run_token=None)).rowcount
    if not changed:
        raise HTTPException(409, f"campaign {campaign_id} has already ended ({store.job(job.id).status})")
    request.app.state.runner.kill(job.id)
    return campaign_out(store.job(job.id))


def _campaign_job(store: Store, campaign_id: str) -> Job:
    job = store.job_with_result(campaign_id) if _is_id(campaign_id) else None  # (store.job leaves the result out)
    if job is None or not job.options_json.startswith(CAMPAIGN_PREFIX):
        raise HTTPException(404, f"no campaign {campaign_id!r}")
    return job


def _result(job: Job) -> dict:
    if job.status != "done":
        raise HTTPException(409, f"campaign {job.id} is {job.status}; its tables and page come when it is done")
    return json.loads(job.plan_json)


def campaign_out(job: Job) -> CampaignOut:
    """The API's view of a campaign job (with its results once done)."""
    out = CampaignOut(
        id=job.id, scenario_id=job.scenario_id, status=JobStatus(job.status),
        progress=Progress(done=job.progress_done, total=job.progress_total, message=job.progress_message),
        error=job.error, attempts=job.attempts, options=CampaignRequest.model_validate_json(job.options_json),
        created_at=job.created_at, started_at=job.started_at, finished_at=job.finished_at,
    )
    if job.status == "done" and job.plan_json:
        r = json.loads(job.plan_json)
        out = out.model_copy(update={k: r[k] for k in ("weeks", "expected_recorded", "remaining", "assumptions")})
        out = CampaignOut.model_validate({**out.model_dump(), "projection": r["projection"], "decisions": r["decisions"]})
    return out
