"""Field reports: a team's phone sends what happened per stop; the coordinator reads them and re-plans.

POST .../teams/{team}/days/{date}/reports is idempotent by report id (a resend, or the same report
from a second phone of the team, is stored once); a field key may report only for its own team.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Header, HTTPException, Path as PathParam, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from api.auth import Caller, Role, anyone, coordinators
from api.errors import responses
from api.reports import ReportConflict, add_reports, lineage_reports, plan_outcomes
from api.routes.plans import IDEMPOTENCY, replan_plan, visible_job
from api.schemas import JobOut, ReplanRequest
from planner import units
from planner.io.outcomes import Outcome
from planner.io.reports import FieldReport, StoredReport, TeamDayStatus, check_reports, reports_for_plan, team_day_status
from planner.model import ID_PATTERN

router = APIRouter(prefix="/v1/plans/{plan_id}", tags=["field reports"])
TeamParam = Annotated[str, PathParam(pattern=ID_PATTERN)]


class ReportBatch(BaseModel):
    """Reports a phone sends at once (its outbox)."""

    model_config = ConfigDict(extra="forbid")
    reports: list[FieldReport] = Field(min_length=1, max_length=500)


class ReportAck(BaseModel):
    """Which report ids are stored now: new ones and those stored before (a resend)."""

    stored: list[str]
    duplicates: list[str]


class ReportList(BaseModel):
    """The reports sent to this plan and to the plans it was re-planned from, and each team-day's status."""

    reports: list[StoredReport]
    status: list[TeamDayStatus]
    not_in_plan: list[str] = Field(default=[], description="ids of reports sent to an earlier plan about a stop this "
                                                           "one no longer has: shown, not counted, not re-planned from")


class ReplanFromReports(BaseModel):
    """Re-plan from a moment (default: now, local time in JEMPUT_TIME_ZONE) with every report received."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, populate_by_name=True)
    from_time: dt.datetime | None = Field(default=None, alias="from", description="default: now")
    outcomes: list[Outcome] = Field(default=[], max_length=10_000, description="facts not in the reports (closures…)")
    time_limit_s: float = Field(default=units.DEFAULT_TIME_LIMIT_S, ge=1, le=3600)
    seed: int = Field(default=0, ge=0, le=2**31 - 1)
    max_solutions: int | None = Field(default=None, ge=1, le=100_000)
    move_penalty: float = Field(default=units.DEFAULT_MOVE_PENALTY, ge=0, le=1e6)


def now_local(time_zone: str) -> dt.datetime:
    """The wall clock now where the teams work (JEMPUT_TIME_ZONE, default WIB), to the minute, without offset:
    a plan's clock times are local, and the server's own clock may run in UTC."""
    return dt.datetime.now(ZoneInfo(time_zone)).replace(second=0, microsecond=0, tzinfo=None)


def _done_plan(request: Request, plan_id: str, who: Caller):
    store = request.app.state.store
    job = visible_job(store, plan_id, who)
    if job.status != "done":
        raise HTTPException(409, f"plan {plan_id} is {job.status}; reports belong to a finished plan")
    return job, store.scenario(store.scenario_record(job.scenario_id)), store.plan(job)


@router.post("/teams/{team}/days/{date}/reports", response_model=ReportAck,
             responses=responses(401, 403, 404, 409, 413, 422))
def post_reports(request: Request, plan_id: str, team: TeamParam, date: dt.date, body: ReportBatch,
                 who: Caller = Depends(anyone)) -> ReportAck:
    """Store a team-day's reports; sending the same report id again stores nothing new (200 both times)."""
    if who.role == Role.dashboard or not who.may_read_team(team):
        raise HTTPException(403, f"this key may not report for team {team!r}")
    job, scenario, plan = _done_plan(request, plan_id, who)
    if team not in scenario.team_by_id():
        raise HTTPException(404, f"plan {plan_id} has no team {team!r}")
    if date not in scenario.horizon.dates:
        raise HTTPException(404, f"{date} is outside the plan's week")
    problems = check_reports(body.reports, scenario, plan, team, date)
    if problems:
        raise HTTPException(422, "; ".join(problems[:20]))
    try:
        new, old = add_reports(request.app.state.sessions, job.id, team, date, body.reports, who.key_id)
        request.app.state.store.reports_changed(job.id)  # the plan's JSON shows their status: read again
    except ReportConflict as exc:
        raise HTTPException(409, str(exc)) from None
    return ReportAck(stored=new, duplicates=old)


@router.get("/reports", response_model=ReportList, responses=responses(401, 403, 404, 409))
def get_reports(request: Request, plan_id: str,
                team: Annotated[str | None, Query(pattern=ID_PATTERN)] = None,
                who: Caller = Depends(anyone)) -> ReportList:
    """Every report of the plan and each team-day's status (a field key sees its own team's)."""
    if who.role == Role.field:
        if team is not None and team != who.team_id:
            raise HTTPException(403, f"a field key of team {who.team_id!r} may not read team {team!r}")
        team = who.team_id
    job, _, plan = _done_plan(request, plan_id, who)
    reports = lineage_reports(request.app.state.sessions, job.id, team)
    fit, other = reports_for_plan(reports, plan)
    status = [s for s in team_day_status(plan, fit) if team is None or s.team_id == team]
    return ReportList(reports=reports, status=status, not_in_plan=[s.report.id for s in other])


@router.post("/replan-from-reports", status_code=202, response_model=JobOut,
             responses={200: {"model": JobOut, "description": "finished within ?wait="},
                        **responses(400, 401, 403, 404, 409, 413, 422)})
def replan_from_reports(
    request: Request,
    response: Response,
    plan_id: str,
    body: ReplanFromReports,
    wait: Annotated[float, Query(ge=0, le=120, allow_inf_nan=False)] = 0,
    idempotency_key: Annotated[str | None, Header(pattern=IDEMPOTENCY)] = None,
    who: Caller = Depends(coordinators),
) -> JobOut:
    """Re-plan the rest of the week from now (or `from`) with every field report received so far (also those
    sent to the plans this one was re-planned from, about stops it still has): a new plan job, as POST
    /outcomes with the reports as outcomes (visits done or missed, kits down). The teams' field apps of
    this plan lead to the new one once it is done."""
    job, _, plan = _done_plan(request, plan_id, who)
    outcomes = plan_outcomes(request.app.state.sessions, job.id, plan)[0].outcomes
    start = body.from_time or now_local(request.app.state.settings.time_zone)
    replan = ReplanRequest(**{"from": start}, outcomes=[*outcomes, *body.outcomes],
                           time_limit_s=body.time_limit_s, seed=body.seed, max_solutions=body.max_solutions,
                           move_penalty=body.move_penalty)
    return replan_plan(request, response, plan_id, replan, wait, idempotency_key, who)
