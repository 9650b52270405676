"""The API's tables (SQLAlchemy 2): API keys, scenarios, plan jobs. Changes go through Alembic migrations."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime as _DateTime
from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text, TypeDecorator, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class DateTime(TypeDecorator):
    """A UTC timestamp that reads back time-zone aware on every database (SQLite stores it naive)."""

    impl = _DateTime(timezone=True)
    cache_ok = True

    def __init__(self, timezone: bool = True) -> None:
        super().__init__()

    def process_bind_param(self, value, dialect):
        return value.astimezone(dt.UTC) if value is not None and value.tzinfo else value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value


ACTIVE = ("queued", "running")  # job states that still change
FINAL = ("done", "failed", "cancelled")  # job states that never change again


class Base(DeclarativeBase):
    pass


class ApiKey(Base):
    """An API key, stored as its SHA-256 only; `team_id` limits a field key to one team."""

    __tablename__ = "api_keys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    team_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked: Mapped[bool] = mapped_column(default=False)


class ScenarioRecord(Base):
    """An uploaded, validated scenario (the `Scenario` model as JSON) and a few facts for listings."""

    __tablename__ = "scenarios"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    sites: Mapped[int] = mapped_column(Integer)
    teams: Mapped[int] = mapped_column(Integer)
    team_ids: Mapped[str] = mapped_column(Text)  # JSON list, for field keys
    horizon_start: Mapped[dt.date]
    horizon_days: Mapped[int] = mapped_column(Integer)
    scenario_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"), nullable=True)


class Job(Base):
    """One plan: a solve job queued → running → done | failed | cancelled, and its plan once done.

    `run_token` changes every time the job is handed to a worker process; a worker only writes
    while its token is the job's, so a stale worker can never overwrite a newer state.
    """

    __tablename__ = "jobs"
    __table_args__ = (UniqueConstraint("owner_key_id", "idempotency_key", name="uq_jobs_idempotency"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    scenario_id: Mapped[str] = mapped_column(ForeignKey("scenarios.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    options_json: Mapped[str] = mapped_column(Text)
    owner_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"), nullable=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    request_hash: Mapped[str] = mapped_column(String(64), default="")
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int] = mapped_column(Integer, default=0)
    progress_message: Mapped[str] = mapped_column(String(200), default="")
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    run_token: Mapped[str | None] = mapped_column(String(32), nullable=True)
    worker_pid: Mapped[int | None] = mapped_column(Integer, nullable=True)
    plan_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    violations_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    replan_json: Mapped[str | None] = mapped_column(Text, nullable=True)  # a re-plan: parent plan, from, outcomes
    runner_id: Mapped[str | None] = mapped_column(String(200), nullable=True)  # host:pid:nonce of the runner holding it
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class PlanRender(Base):
    """A finished plan's response body (its JSON for one view, an export, a map), stored gzip-compressed
    once so every web process serves the same bytes with the same ETag without rendering again."""

    __tablename__ = "plan_renders"
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(300), primary_key=True)  # what and for whom, e.g. "job|team:T1"
    media_type: Mapped[str] = mapped_column(String(120))
    etag: Mapped[str] = mapped_column(String(80))
    body_gz: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FieldReportRow(Base):
    """One report from a team's phone; (plan_id, report_id) is unique, so a resend is stored once."""

    __tablename__ = "field_reports"
    __table_args__ = (UniqueConstraint("plan_id", "report_id", name="uq_field_reports_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_id: Mapped[str] = mapped_column(ForeignKey("jobs.id"), index=True)
    report_id: Mapped[str] = mapped_column(String(64))
    team_id: Mapped[str] = mapped_column(String(64))
    date: Mapped[dt.date]
    report_json: Mapped[str] = mapped_column(Text)  # planner.io.reports.FieldReport as JSON
    key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"), nullable=True)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
