"""A plan's re-plans: where a team's old field link leads, and whose field reports still count.

A re-plan is a new plan job whose `replan_json` names the plan it came from. A team keeps the link
(and the app on its phone) of the plan it was given, so the app of a plan that has been re-planned
leads to the newest finished re-plan; a phone that saved reports while offline sends them to the
old plan later, so the reports of a plan are its own and those of the plans it came from.
"""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from api.tables import Job

MAX_DEPTH = 100  # re-plans of re-plans followed at most (a guard, not a limit anyone reaches)


def parent_id(job: Job) -> str | None:
    """The plan this job re-planned, or None for a first plan."""
    return json.loads(job.replan_json)["plan_id"] if job.replan_json else None


def ancestors(sessions: sessionmaker[Session], plan_id: str) -> list[str]:
    """The plans `plan_id` was re-planned from, nearest first (empty for a first plan)."""
    out: list[str] = []
    with sessions() as s:
        job = s.get(Job, plan_id)
        while job is not None and len(out) < MAX_DEPTH:
            parent = parent_id(job)
            if parent is None or parent in out or parent == plan_id:
                break
            out.append(parent)
            job = s.get(Job, parent)
    return out


def newest_replan(sessions: sessionmaker[Session], plan_id: str) -> str:
    """The newest finished re-plan of the plan, of its newest re-plan, and so on (the plan itself if none)."""
    current, seen = plan_id, {plan_id}
    with sessions() as s:
        for _ in range(MAX_DEPTH):
            child = s.scalars(
                select(Job.id).where(Job.status == "done", Job.replan_json.contains(f'"plan_id": {json.dumps(current)}'))
                .order_by(Job.created_at.desc(), Job.id.desc()).limit(1)
            ).first()
            if child is None or child in seen:
                break
            current = child
            seen.add(child)
    return current
