"""Reading and writing scenarios and jobs; what never changes again (scenarios, finished jobs, their
plans and response bodies) is kept in memory, and list reads skip the large JSON columns."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
import uuid
from collections import OrderedDict
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, defer, sessionmaker

from api.campaign_schemas import CAMPAIGN_PREFIX
from api.schemas import JobOut, PlanRequest, Progress, ReplanOf, ScenarioOut, ScenarioSummary, Violation
from api.reads import Body
from api.lineage import ancestors
from api.settings import Settings
from api.tables import FINAL, FieldReportRow, Job, PlanRender, ScenarioRecord
from planner.model import Scenario
from planner.plan import Plan

REPORTS_TTL_S = 1.0  # how stale another process's field reports may be in a plan's JSON


class _Lru:
    """A tiny thread-safe LRU cache for what never changes (parsed scenarios, finished plans, their bodies),
    bounded by entry count and, when `weigh` is given, by total weight (bytes)."""

    def __init__(self, size: int, budget: int = 0, weigh=None) -> None:
        self.size, self.budget, self.weigh = size, budget, weigh
        self.items: OrderedDict = OrderedDict()
        self.lock = threading.Lock()
        self.weight = 0

    def peek(self, key):
        """The cached value or None, without making it (no I/O: safe on the event loop)."""
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        return None

    def put(self, key, value) -> None:
        with self.lock:
            if key in self.items:
                self.weight -= self._w(self.items.pop(key))
            self.items[key] = value
            self.weight += self._w(value)
            while len(self.items) > self.size or (self.budget and self.weight > self.budget and len(self.items) > 1):
                _, old = self.items.popitem(last=False)
                self.weight -= self._w(old)

    def get(self, key, make):
        value = self.peek(key)
        if value is None:
            value = make()
            self.put(key, value)
        return value

    def _w(self, value) -> int:
        return self.weigh(value) if self.weigh else 0


class Store:
    """Scenarios, jobs and finished plans' bodies; rows that never change again are kept in memory."""

    def __init__(self, sessions: sessionmaker[Session], body_budget_mb: int = 256) -> None:
        self.sessions = sessions
        self._scenarios = _Lru(16)
        self._plans = _Lru(16)
        self._teams = _Lru(4096)
        self._final = _Lru(4096)  # finished jobs (done, failed, cancelled): their row never changes again
        self._bodies = _Lru(4096, budget=body_budget_mb * 1024 * 1024, weigh=lambda b: b.size)
        self._versions: dict[tuple[str, str | None], tuple[float, str]] = {}
        self._versions_lock = threading.Lock()
        self._lineages = _Lru(4096)  # a plan and those it was re-planned from: fixed when the job is made

    # --- scenarios ---------------------------------------------------------------------------------

    def add_scenario(self, scenario: Scenario, key_id: int | None) -> ScenarioRecord:
        record = self.new_scenario_record(scenario, key_id)
        with self.sessions.begin() as s:
            s.add(record)
        return record

    @staticmethod
    def new_scenario_record(scenario: Scenario, key_id: int | None) -> ScenarioRecord:
        """A record for the scenario, not yet stored (the caller adds it in its own transaction)."""
        return ScenarioRecord(
            id=uuid.uuid4().hex, name=scenario.name, sites=len(scenario.sites), teams=len(scenario.teams),
            team_ids=json.dumps([t.id for t in scenario.teams]), horizon_start=scenario.horizon.start,
            horizon_days=scenario.horizon.days, scenario_json=scenario.model_dump_json(), created_by=key_id,
        )

    def scenario_record(self, scenario_id: str) -> ScenarioRecord | None:
        """The scenario's summary row (its JSON is not read: see scenario_json)."""
        with self.sessions() as s:
            return s.get(ScenarioRecord, scenario_id, options=[defer(ScenarioRecord.scenario_json)])

    def scenario_json(self, scenario_id: str) -> str:
        with self.sessions() as s:
            return s.scalar(select(ScenarioRecord.scenario_json).where(ScenarioRecord.id == scenario_id))

    def scenario(self, record: ScenarioRecord) -> Scenario:
        return self._scenarios.get(record.id, lambda: Scenario.model_validate_json(self.scenario_json(record.id)))

    def team_ids(self, scenario_id: str) -> list[str]:
        """The scenario's team ids (a scenario never changes: kept in memory)."""
        def load() -> list[str]:
            with self.sessions() as s:
                text = s.scalar(select(ScenarioRecord.team_ids).where(ScenarioRecord.id == scenario_id))
            return json.loads(text) if text else []

        return self._teams.get(scenario_id, load)

    def cached_team_ids(self, scenario_id: str) -> list[str] | None:
        return self._teams.peek(scenario_id)

    def list_scenarios(self, limit: int, offset: int) -> tuple[list[ScenarioRecord], int]:
        """A page of scenario summaries (the scenarios' JSON is not read)."""
        with self.sessions() as s:
            total = s.scalar(select(func.count()).select_from(ScenarioRecord))
            rows = s.scalars(select(ScenarioRecord).options(defer(ScenarioRecord.scenario_json, raiseload=True))
                             .order_by(ScenarioRecord.created_at.desc(), ScenarioRecord.id)
                             .limit(limit).offset(offset)).all()  # the summaries only: no scenario JSON read
        return list(rows), int(total or 0)

    # --- jobs --------------------------------------------------------------------------------------

    def job(self, job_id: str) -> Job | None:
        """The job's row without its plan (see plan); a finished one is kept in memory from then on."""
        cached = self._final.peek(job_id)
        if cached is not None:
            return cached
        with self.sessions() as s:
            job = s.get(Job, job_id, options=[defer(Job.plan_json)])
        if job is not None and job.status in FINAL:
            self._final.put(job_id, job)
        return job

    def job_with_result(self, job_id: str) -> Job | None:
        """The job's whole row, its result (plan_json) included, read each time (a campaign's: rarely read)."""
        with self.sessions() as s:
            return s.get(Job, job_id)

    def cached_job(self, job_id: str) -> Job | None:
        """A finished job from memory, or None (no I/O: safe on the event loop)."""
        return self._final.peek(job_id)

    def active_jobs(self, key_id: int) -> tuple[int, int]:
        """Queued or running plan jobs: (of this key, in all)."""
        active = select(func.count()).select_from(Job).where(Job.status.in_(("queued", "running")))
        with self.sessions() as s:
            mine = s.scalar(active.where(Job.owner_key_id == key_id))
            everyone = s.scalar(active)
        return int(mine or 0), int(everyone or 0)

    def plan(self, job: Job) -> Plan:
        def load() -> Plan:
            with self.sessions() as s:
                return Plan.model_validate_json(s.scalar(select(Job.plan_json).where(Job.id == job.id)))

        return self._plans.get(job.id, load)

    def body(self, job_id: str, key: str, media_type: str, make, persist: bool = True,
             replaces: str | None = None) -> Body:
        """A finished plan's response body: from memory, else as stored (gzip), else made once and stored,
        so every web process serves the same bytes and ETag (maps are not byte-for-byte reproducible).
        `persist=False` keeps it in memory only (a body that is cheap to make again and has versions);
        `replaces`: a stored body that has versions (keys starting so) keeps only its newest one."""
        cached = self._bodies.peek((job_id, key))
        if cached is not None:
            return cached
        if not persist:
            made = Body.of(make(), media_type)
            self._bodies.put((job_id, key), made)
            return made
        with self.sessions() as s:
            row = s.get(PlanRender, (job_id, key))
        if row is None:
            made = Body.of(make(), media_type)
            try:
                with self.sessions.begin() as s:
                    s.add(PlanRender(job_id=job_id, key=key, media_type=media_type, etag=made.etag, body_gz=made.gz))
                    if replaces:
                        s.execute(delete(PlanRender).where(PlanRender.job_id == job_id, PlanRender.key != key,
                                                           PlanRender.key.startswith(replaces, autoescape=True)))
                body = made
            except IntegrityError:  # another process stored it first: serve theirs
                with self.sessions() as s:
                    row = s.get(PlanRender, (job_id, key))
                body = made if row is None else Body.from_gzip(row.body_gz, row.media_type, row.etag)
        else:
            body = Body.from_gzip(row.body_gz, row.media_type, row.etag)
        self._bodies.put((job_id, key), body)
        return body

    def cached_body(self, job_id: str, key: str) -> Body | None:
        return self._bodies.peek((job_id, key))

    def reports_version(self, plan_id: str, team_id: str | None) -> str:
        """How far a plan's field reports have come, those sent to the plans it was re-planned from included
        (`count-lastid`; one team's for a field view): part of the key of the plan's JSON body and overview
        map, which show their status. Read at most once per REPORTS_TTL_S per plan and team, so another
        process's new report shows within that; this process's at once."""
        hit = self.cached_reports_version(plan_id, team_id)
        if hit is not None:
            return hit
        q = select(func.count(), func.max(FieldReportRow.id)).where(FieldReportRow.plan_id.in_(self.lineage(plan_id)))
        if team_id is not None:
            q = q.where(FieldReportRow.team_id == team_id)
        with self.sessions() as s:
            n, last = s.execute(q).one()
        version = f"{n}-{last or 0}"
        with self._versions_lock:
            if len(self._versions) > 10_000:
                self._versions.clear()
            self._versions[plan_id, team_id] = (time.monotonic() + REPORTS_TTL_S, version)
        return version

    def lineage(self, plan_id: str) -> list[str]:
        """The plan and the plans it was re-planned from (see api.lineage); a job's never changes."""
        return self._lineages.get(plan_id, lambda: [plan_id, *ancestors(self.sessions, plan_id)])

    def cached_reports_version(self, plan_id: str, team_id: str | None) -> str | None:
        hit = self._versions.get((plan_id, team_id))
        return hit[1] if hit is not None and hit[0] > time.monotonic() else None

    def reports_changed(self, plan_id: str) -> None:
        """A report of this plan was stored by this process: read the versions again next time (of every
        plan: its re-plans count its reports too)."""
        with self._versions_lock:
            self._versions.clear()

    def list_jobs(self, scenario_id: str | None, status: str | None, limit: int, offset: int,
                  team_id: str | None, campaigns: bool = False) -> tuple[list[Job], int]:
        """Plan jobs (or with `campaigns`, campaign jobs) without their plans, newest first, and how many there are in all."""
        is_campaign = Job.options_json.startswith(CAMPAIGN_PREFIX)
        q = select(Job).where(is_campaign if campaigns else ~is_campaign)
        if scenario_id:
            q = q.where(Job.scenario_id == scenario_id)
        if status:
            q = q.where(Job.status == status)
        if team_id is not None:
            q = q.join(ScenarioRecord, ScenarioRecord.id == Job.scenario_id).where(
                ScenarioRecord.team_ids.contains(json.dumps(team_id), autoescape=True))
        with self.sessions() as s:
            total = s.scalar(select(func.count()).select_from(q.with_only_columns(Job.id).subquery()))
            rows = s.scalars(q.options(defer(Job.plan_json)).order_by(Job.created_at.desc(), Job.id)
                             .limit(limit).offset(offset)).all()
        return list(rows), int(total or 0)


def _replan_of(job: Job) -> ReplanOf | None:
    if not job.replan_json:
        return None
    r = json.loads(job.replan_json)
    when = dt.datetime.fromisoformat(r["from"])
    if when.tzinfo is None:  # stored before times carried their offset: local time in the default zone
        when = when.replace(tzinfo=ZoneInfo(Settings.model_fields["time_zone"].default))
    return ReplanOf(plan_id=r["plan_id"], from_time=when, outcomes=len(r["outcomes"]), move_penalty=r["move_penalty"])


def team_ids(record: ScenarioRecord) -> list[str]:
    return json.loads(record.team_ids)


def scenario_summary(record: ScenarioRecord) -> ScenarioSummary:
    return ScenarioSummary(id=record.id, name=record.name, sites=record.sites, teams=record.teams,
                           team_ids=team_ids(record), horizon_start=record.horizon_start,
                           horizon_days=record.horizon_days, created_at=record.created_at)


def scenario_out(record: ScenarioRecord, warnings=(), scenario: dict | None = None) -> ScenarioOut:
    return ScenarioOut(**scenario_summary(record).model_dump(), warnings=list(warnings), scenario=scenario)


def job_out(job: Job, plan: Plan | None = None) -> JobOut:
    return JobOut(
        id=job.id, scenario_id=job.scenario_id, status=job.status,
        progress=Progress(done=job.progress_done, total=job.progress_total, message=job.progress_message),
        error=job.error, attempts=job.attempts, options=PlanRequest.model_validate_json(job.options_json),
        created_at=job.created_at, started_at=job.started_at, finished_at=job.finished_at,
        violations=[Violation(**v) for v in json.loads(job.violations_json)] if job.violations_json else None,
        replan_of=_replan_of(job), plan=plan,
    )
