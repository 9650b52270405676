"""Request and response bodies of campaign jobs (issue 19): `POST /v1/campaigns` and its reads."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas import JOB_ID, JobFields
from planner.campaign.assumptions import ADD_TEAM_KITS, REPAIR_DAYS

CAMPAIGN_PREFIX = '{"kind":"campaign"'  # how a campaign job's stored options begin (plan jobs' never do)


class CampaignRequest(BaseModel):
    """Plan week after week to a deadline and rank what-if decisions (the same job queue as plans)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    kind: Literal["campaign"] = "campaign"
    scenario_id: str = Field(pattern=JOB_ID, description="id returned by POST /v1/scenarios: the campaign's first week")
    deadline: dt.date = Field(description="last day of the campaign (at most 52 weeks after the scenario's start)")
    time_limit_s: float = Field(default=10.0, ge=1, le=600, description="seconds of search per week's plan")
    confirm: int = Field(default=3, ge=0, le=10, description="top decisions measured by planning them (with the best of each kind)")
    repair_days: int = Field(default=REPAIR_DAYS, ge=0, le=365, description="days a kit sent for repair first is away")
    add_team_kits: int = Field(default=ADD_TEAM_KITS, ge=1, le=20, description="working kits of a team added to a regency")
    seed: int = Field(default=0, ge=0, le=2**31 - 1)
    max_solutions: int | None = Field(default=None, ge=1, le=100_000)


class ProjectionOut(BaseModel):
    regency_code: str
    regency_name: str
    week_start: dt.date
    expected_recorded: int
    recorded_to_date: int
    remaining: int
    share_recorded: float


class DecisionOut(BaseModel):
    rank: int
    kind: str
    decision_id: str
    keterangan: str = Field(description="the decision in Bahasa Indonesia")
    description: str = Field(description="the decision in English")
    gain: float = Field(description="recordings gained before the deadline (measured where basis = plans)")
    basis: Literal["plans", "model"]
    predicted_gain: float
    measured_gain: int | None
    kit_weeks: float
    gain_per_kit_week: float
    regencies_gaining: list[str]


class CampaignOut(JobFields):
    """A campaign job; `projection` and `decisions` are there once status is done."""

    options: CampaignRequest
    weeks: int | None = None
    expected_recorded: int | None = Field(default=None, description="expected recordings to the deadline")
    remaining: int | None = Field(default=None, description="unrecorded at the deadline")
    assumptions: dict[str, list[str]] | None = Field(default=None, description="what the projection assumes, by language (id, en)")
    projection: list[ProjectionOut] | None = None
    decisions: list[DecisionOut] | None = None
