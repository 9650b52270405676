"""Request and response bodies of the API (what the OpenAPI schema documents)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from planner import units
from planner.io.outcomes import Outcome
from planner.io.reports import TeamDayStatus
from planner.plan import Plan
from planner.io.problems import Problem

JOB_ID = r"^[0-9a-f]{32}$"


class ProblemOut(BaseModel):
    """One problem with the input: where (file, row, field), the value found, and why it is wrong."""

    file: str
    row: int | None = None
    field: str | None = None
    value: str | None = None
    reason: str
    severity: str = "error"

    @classmethod
    def of(cls, p: Problem) -> ProblemOut:
        return cls(file=p.file, row=p.row, field=p.column, value=p.value, reason=p.reason, severity=p.severity.value)


class ErrorOut(BaseModel):
    """Every error response: a sentence, and for bad input the list of problems."""

    detail: str
    problems: list[ProblemOut] = []


class ScenarioSummary(BaseModel):
    id: str
    name: str
    sites: int
    teams: int
    team_ids: list[str]
    horizon_start: dt.date
    horizon_days: int
    created_at: dt.datetime


class ScenarioOut(ScenarioSummary):
    warnings: list[ProblemOut] = []
    scenario: dict | None = Field(default=None, description="the stored Scenario (with ?include=scenario)")


class ScenarioList(BaseModel):
    items: list[ScenarioSummary]
    total: int


class ValidationOut(BaseModel):
    valid: bool
    summary: str
    sites: int
    teams: int
    problems: list[ProblemOut]


class PlanRequest(BaseModel):
    """Start a solve of a stored scenario."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    scenario_id: str = Field(pattern=JOB_ID, description="id returned by POST /v1/scenarios")
    time_limit_s: float = Field(default=units.DEFAULT_TIME_LIMIT_S, ge=1, le=3600, description="seconds of search in all")
    seed: int = Field(default=0, ge=0, le=2**31 - 1)
    max_solutions: int | None = Field(default=None, ge=1, le=100_000,
                                      description="stop each part after N improving solutions (repeatable plans)")


class ReplanRequest(BaseModel):
    """Re-plan a finished plan from a moment of the week with what the field reported (issue 8)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, populate_by_name=True)
    from_time: dt.datetime = Field(alias="from", description="re-plan from this local time, e.g. 2026-11-25T12:00+07:00 "
                                   "(without a UTC offset: the server's JEMPUT_TIME_ZONE, default Asia/Jakarta)")
    outcomes: list[Outcome] = Field(default=[], max_length=100_000,
                                    description="field outcomes: visits done/missed, kits down/back, closures")
    time_limit_s: float = Field(default=units.DEFAULT_TIME_LIMIT_S, ge=1, le=3600, description="seconds of search in all")
    seed: int = Field(default=0, ge=0, le=2**31 - 1)
    max_solutions: int | None = Field(default=None, ge=1, le=100_000)
    move_penalty: float = Field(default=units.DEFAULT_MOVE_PENALTY, ge=0, le=1e6,
                                description="weighted recordings a visit must gain to move to another team or day")


class ReplanOf(BaseModel):
    """What a re-plan job re-plans: the parent plan, from when, with how many outcomes."""

    plan_id: str
    from_time: AwareDatetime = Field(serialization_alias="from", description="the re-plan time with its UTC offset")
    outcomes: int
    move_penalty: float


class JobStatus(StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"
    cancelled = "cancelled"


class Progress(BaseModel):
    done: int
    total: int
    message: str


class Violation(BaseModel):
    code: str
    team_id: str | None
    date: dt.date | None
    site_id: str | None
    message: str


class JobFields(BaseModel):
    """What every job answers: plan and campaign jobs share the queue."""

    id: str
    scenario_id: str
    status: JobStatus
    progress: Progress
    error: str | None = None
    attempts: int
    created_at: dt.datetime
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None


class JobOut(JobFields):
    """A plan job; `plan` is there once status is done (a field key sees only its own team's days)."""

    options: PlanRequest
    violations: list[Violation] | None = Field(default=None, description="the independent validator's findings")
    replan_of: ReplanOf | None = Field(default=None, description="set when this plan re-plans another")
    plan: Plan | None = None
    field_status: list[TeamDayStatus] | None = Field(
        default=None, description="per team-day, from the field reports: stops done, missed, open; people recorded")
    warnings: list[ProblemOut] = Field(
        default=[], description="on the answer that accepted a re-plan: what looked suspicious in its outcomes "
                                "(e.g. a count far above the site's estimate, a time before the week)")


class JobList(BaseModel):
    items: list[JobOut]
    total: int


class Health(BaseModel):
    status: str
    checks: dict[str, str] = {}
