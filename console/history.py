"""The plans of a scenario over time: its own plan jobs and the re-plans made from them, oldest first,
each with what the re-plan changed (the churn the planner stored in the plan; nothing recomputed here)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import defer

from api.campaign_schemas import CAMPAIGN_PREFIX
from api.store import Store
from api.tables import Job
from planner.plan import Churn

MAX_PLANS = 200  # a scenario's history on one page; older ones stay in the API (GET /v1/plans?scenario_id=)


@dataclass(frozen=True)
class HistoryRow:
    """One plan of the history."""

    id: str
    created_at: dt.datetime
    status: str
    expected_recordings: int | None
    upper_bound: int | None
    replan_of: str | None
    replan_from: str | None
    churn: Churn | None


def root_scenario(store: Store, job: Job) -> str:
    """The scenario the coordinator uploaded, for a plan or a re-plan of a re-plan (its own scenario is derived)."""
    seen = set()
    while job.replan_json and job.id not in seen:
        seen.add(job.id)
        parent = store.job(json.loads(job.replan_json)["plan_id"])
        if parent is None:
            break
        job = parent
    return job.scenario_id


def plan_history(store: Store, scenario_id: str) -> list[HistoryRow]:
    """The scenario's plans and, transitively, the re-plans of them, in the order they were made."""
    plans = (select(Job).options(defer(Job.plan_json))  # plans are read through the store's cache
             .where(~Job.options_json.startswith(CAMPAIGN_PREFIX)))  # campaigns are no plans
    with store.sessions() as s:
        jobs = list(s.scalars(plans.where(Job.scenario_id == scenario_id).order_by(Job.created_at).limit(MAX_PLANS)))
        replans = list(s.scalars(plans.where(Job.replan_json.is_not(None)).order_by(Job.created_at)))
    members = {j.id for j in jobs}
    grew = True
    while grew and len(members) < MAX_PLANS:
        grew = False
        for j in replans:
            if j.id not in members and json.loads(j.replan_json)["plan_id"] in members:
                jobs.append(j)
                members.add(j.id)
                grew = True
    return [_row(store, j) for j in sorted(jobs, key=lambda j: (j.created_at, j.id))]


def _row(store: Store, job: Job) -> HistoryRow:
    plan = store.plan(job) if job.status == "done" else None
    replan = json.loads(job.replan_json) if job.replan_json else None
    return HistoryRow(
        id=job.id, created_at=job.created_at, status=job.status,
        expected_recordings=plan.kpis.expected_recordings if plan else None,
        upper_bound=plan.kpis.upper_bound if plan else None,
        replan_of=replan["plan_id"] if replan else None,
        replan_from=replan["from"] if replan else None,
        churn=plan.replan.churn if plan is not None and plan.replan is not None else None,
    )


__all__ = ["HistoryRow", "plan_history", "root_scenario"]
