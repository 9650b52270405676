"""Storing and reading field reports: idempotent by (plan, report id), safe when two phones send at once."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from api.lineage import ancestors
from api.tables import FieldReportRow, Job, utcnow
from planner.io.outcomes import Outcomes
from planner.io.reports import FieldReport, StoredReport, reports_for_plan, reports_to_outcomes
from planner.plan import Plan


class ReportConflict(ValueError):
    """A report id that was already stored with a different content."""


def add_reports(sessions: sessionmaker[Session], plan_id: str, team_id: str, day: dt.date,
                reports: list[FieldReport], key_id: int | None) -> tuple[list[str], list[str]]:
    """Store the reports not stored yet; returns (new ids, ids already stored). A resend of an id with
    other content (or for another team-day) raises ReportConflict and stores nothing."""
    ids = [r.id for r in reports]
    if len(set(ids)) != len(ids):
        raise ReportConflict("the same report id appears twice in one request")
    for _ in range(3):  # a concurrent insert of the same id: look again and retry
        with sessions() as s:
            old = {row.report_id: row for row in s.scalars(select(FieldReportRow).where(
                FieldReportRow.plan_id == plan_id, FieldReportRow.report_id.in_(ids)))}
        for r in reports:
            row = old.get(r.id)
            if row is not None and (row.team_id, row.date, FieldReport.model_validate_json(row.report_json)) != (team_id, day, r):
                raise ReportConflict(f"report {r.id} was already stored with other content")
        new = [r for r in reports if r.id not in old]
        now = utcnow()
        try:
            with sessions.begin() as s:
                s.add_all(FieldReportRow(plan_id=plan_id, report_id=r.id, team_id=team_id, date=day,
                                         report_json=r.model_dump_json(), key_id=key_id, received_at=now) for r in new)
        except IntegrityError:
            continue
        return [r.id for r in new], [i for i in ids if i in old]
    raise ReportConflict("the reports could not be stored: another request keeps storing the same ids")


def plan_reports(sessions: sessionmaker[Session], plan_id: str, team_id: str | None = None) -> list[StoredReport]:
    """The plan's reports in the order received (only one team's with team_id)."""
    q = select(FieldReportRow).where(FieldReportRow.plan_id == plan_id)
    if team_id is not None:
        q = q.where(FieldReportRow.team_id == team_id)
    with sessions() as s:
        rows = s.scalars(q.order_by(FieldReportRow.id)).all()
    return [StoredReport(team_id=r.team_id, date=r.date, received_at=r.received_at, plan_id=plan_id,
                         report=FieldReport.model_validate_json(r.report_json)) for r in rows]


def lineage_reports(sessions: sessionmaker[Session], plan_id: str, team_id: str | None = None) -> list[StoredReport]:
    """The reports of the plan and of the plans it was re-planned from (oldest plan first): a phone that
    was offline during a re-plan sends its reports to the plan it had."""
    out: list[StoredReport] = []
    for pid in [*reversed(ancestors(sessions, plan_id)), plan_id]:
        out += plan_reports(sessions, pid, team_id)
    return out


def plan_outcomes(sessions: sessionmaker[Session], plan_id: str, plan: Plan) -> tuple[Outcomes, int, int]:
    """The outcomes the reports of a finished plan (and of the plans it came from) say about it, how many
    reports they come from, and how many were left out because the plan no longer has their stop."""
    fit, other = reports_for_plan(lineage_reports(sessions, plan_id), plan)
    return reports_to_outcomes(fit), len(fit), len(other)


def outcomes_of_plan(plan_id: str, settings) -> tuple[Outcomes, int, int]:  # noqa: ANN001 - api.settings.Settings
    """plan_outcomes of a plan in the configured database (LookupError naming what is wrong)."""
    from api.server import _sessions

    sessions = _sessions(settings)
    with sessions() as s:
        job = s.get(Job, plan_id)
        if job is None:
            raise LookupError(f"no plan {plan_id!r} in {settings.url.split('@')[-1]}")
        if job.status != "done" or not job.plan_json:
            raise LookupError(f"plan {plan_id} is {job.status}; reports belong to a finished plan")
        plan = Plan.model_validate_json(job.plan_json)
    return plan_outcomes(sessions, plan_id, plan)
