"""Reading and writing scenarios and jobs, with small caches of the parsed (immutable) ones."""

from __future__ import annotations

import datetime as dt
import json
import threading
import uuid
from collections import OrderedDict
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, defer, sessionmaker

from api.campaign_schemas import CAMPAIGN_PREFIX
from api.schemas import JobOut, PlanRequest, Progress, ReplanOf, ScenarioOut, ScenarioSummary, Violation
from api.settings import Settings
from api.tables import Job, ScenarioRecord
from planner.model import Scenario
from planner.plan import Plan


class _Lru:
    """A tiny thread-safe LRU cache for parsed scenarios and finished plans (both never change)."""

    def __init__(self, size: int) -> None:
        self.size, self.items, self.lock = size, OrderedDict(), threading.Lock()

    def get(self, key, make):
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        value = make()
        with self.lock:
            self.items[key] = value
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return value


class Store:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions
        self._scenarios = _Lru(16)
        self._plans = _Lru(16)
        self._rendered = _Lru(128)

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
        with self.sessions() as s:
            return s.get(ScenarioRecord, scenario_id)

    def scenario(self, record: ScenarioRecord) -> Scenario:
        return self._scenarios.get(record.id, lambda: Scenario.model_validate_json(record.scenario_json))

    def list_scenarios(self, limit: int, offset: int) -> tuple[list[ScenarioRecord], int]:
        with self.sessions() as s:
            total = s.scalar(select(func.count()).select_from(ScenarioRecord))
            rows = s.scalars(select(ScenarioRecord).options(defer(ScenarioRecord.scenario_json, raiseload=True))
                             .order_by(ScenarioRecord.created_at.desc(), ScenarioRecord.id)
                             .limit(limit).offset(offset)).all()  # the summaries only: no scenario JSON read
        return list(rows), int(total or 0)

    # --- jobs --------------------------------------------------------------------------------------

    def job(self, job_id: str) -> Job | None:
        with self.sessions() as s:
            return s.get(Job, job_id)

    def active_jobs(self, key_id: int) -> tuple[int, int]:
        """Queued or running plan jobs: (of this key, in all)."""
        active = select(func.count()).select_from(Job).where(Job.status.in_(("queued", "running")))
        with self.sessions() as s:
            mine = s.scalar(active.where(Job.owner_key_id == key_id))
            everyone = s.scalar(active)
        return int(mine or 0), int(everyone or 0)

    def plan(self, job: Job) -> Plan:
        return self._plans.get(job.id, lambda: Plan.model_validate_json(job.plan_json))

    def rendered(self, key: tuple, make) -> bytes:
        """An export or map of a finished plan, made once (a done plan never changes)."""
        return self._rendered.get(key, make)

    def list_jobs(self, scenario_id: str | None, status: str | None, limit: int, offset: int,
                  team_id: str | None, campaigns: bool = False) -> tuple[list[Job], int]:
        """Plan jobs (or with `campaigns`, campaign jobs), newest first, and how many there are in all."""
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
            total = s.scalar(select(func.count()).select_from(q.subquery()))
            rows = s.scalars(q.order_by(Job.created_at.desc(), Job.id).limit(limit).offset(offset)).all()
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
