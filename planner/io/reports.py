"""Field reports: what a team reports from its phone per stop, the status of each team-day, and outcomes.

A report is made on the phone with an id of its own (so a resend is recognised and stored once):
arrived at a stop, done (people recorded, start and end), missed (a reason from a short list), a kit
that failed, or a note. The coordinator sees per team-day how many stops are done, missed or still
open and the people recorded against those expected; `reports_to_outcomes` turns the reports into
the outcomes table `jemput replan` and the re-plan endpoint take (the last report of a stop wins).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from planner.io.export import spreadsheet_text
from planner.io.outcomes import ALL_COLUMNS, KitDown, Outcomes, VisitDone, VisitMissed
from planner.model import Id, Minute, Scenario, fmt_clock, parse_clock
from planner.plan import Plan

REPORT_ID = r"^[A-Za-z0-9_-]{8,64}$"
REPORT_KINDS = ("arrived", "done", "missed", "kit_failure", "note")
# Why a visit was missed: the phone offers these (Bahasa labels in maps/i18n.py), in this order.
MISSED_REASONS = ("jalan_putus", "banjir", "lokasi_tutup", "warga_tidak_ada", "kendaraan_rusak", "cuaca_buruk", "lainnya")
MAX_NOTE = 500


class FieldReport(BaseModel):
    """One report from a team's phone about one stop of its day."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=REPORT_ID, description="made on the phone; a resend with the same id is stored once")
    site_id: Id
    visit: int = Field(default=1, ge=1, le=100, description="the stop's visit number of the week")
    kind: Literal["arrived", "done", "missed", "kit_failure", "note"]
    time: Minute | None = Field(default=None, description="arrived: when (HH:MM or minutes)")
    people: int | None = Field(default=None, ge=0, le=100_000, description="done: people recorded")
    start: Minute | None = None
    end: Minute | None = None
    reason: Literal[MISSED_REASONS] | None = Field(default=None, description="missed: why")  # type: ignore[valid-type]
    kit_id: Id | None = Field(default=None, description="kit_failure: which kit")
    note: str = Field(default="", max_length=MAX_NOTE)
    made_at: dt.datetime | None = Field(default=None, description="the phone's clock when the report was made")

    @field_validator("time", "start", "end", mode="before")
    @classmethod
    def _clock(cls, v: object) -> object:
        return parse_clock(v) if isinstance(v, str) else v

    @model_validator(mode="after")
    def _fields_of_kind(self) -> FieldReport:
        need = {"done": ("people",), "missed": ("reason",), "kit_failure": ("kit_id",)}.get(self.kind, ())
        missing = [f for f in need if getattr(self, f) is None]
        if missing:
            raise ValueError(f"a {self.kind!r} report needs {', '.join(missing)}")
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise ValueError("end is not after start")
        return self


class StoredReport(BaseModel):
    """A report as the server keeps it: which team-day it belongs to and when it arrived."""

    model_config = ConfigDict(frozen=True)

    team_id: str
    date: dt.date
    received_at: dt.datetime
    report: FieldReport
    plan_id: str | None = Field(default=None, description="the plan it was sent to (this one or one it was re-planned from)")


class TeamDayStatus(BaseModel):
    """How a team-day went so far, from its reports."""

    team_id: str
    date: dt.date
    stops: int
    done: int
    missed: int
    open: int = Field(description="stops with no done or missed report yet")
    people_recorded: int
    people_expected: int
    kit_failures: list[str] = []
    reports: int
    last_report_at: dt.datetime | None = None


def check_reports(reports: Iterable[FieldReport], scenario: Scenario, plan: Plan, team_id: str, day: dt.date) -> list[str]:
    """Why reports do not fit this team-day (empty when they all do): unknown stop, kit of another team."""
    planned = {(s.site_id, s.visit) for s in plan.stops_of(team_id, day)}
    team = scenario.team_by_id().get(team_id)
    kits = {k.id for k in team.kits} if team else set()
    problems = []
    for r in reports:
        if (r.site_id, r.visit) not in planned:
            problems.append(f"report {r.id}: team {team_id} has no visit {r.visit} to site {r.site_id!r} on {day}")
        if r.kit_id is not None and r.kit_id not in kits:
            problems.append(f"report {r.id}: kit {r.kit_id!r} is not a kit of team {team_id}")
    return problems


def reports_for_plan(reports: Iterable[StoredReport], plan: Plan) -> tuple[list[StoredReport], list[StoredReport]]:
    """(reports that fit the plan, the others). A report sent to an earlier plan of a re-plan fits when
    the plan still has its stop (same team, date, site and visit); a kit failure fits if the team is in it."""
    stops = {(td.team_id, td.date, s.site_id, s.visit) for td in plan.team_days for s in td.stops}
    teams = {td.team_id for td in plan.team_days}
    fit: list[StoredReport] = []
    other: list[StoredReport] = []
    for s in reports:
        key = (s.team_id, s.date, s.report.site_id, s.report.visit)
        ok = key in stops or (s.report.kind == "kit_failure" and s.team_id in teams)
        (fit if ok else other).append(s)
    return fit, other


def _last_word(reports: Iterable[StoredReport]) -> dict[tuple[str, dt.date, str, int], StoredReport]:
    """The last done/missed report of each stop (by the phone's time, then arrival at the server)."""
    out: dict[tuple[str, dt.date, str, int], StoredReport] = {}
    order = sorted(reports, key=lambda s: (s.report.made_at or s.received_at, s.received_at))
    for s in order:
        if s.report.kind in ("done", "missed"):
            out[(s.team_id, s.date, s.report.site_id, s.report.visit)] = s
    return out


def team_day_status(plan: Plan, reports: Iterable[StoredReport]) -> list[TeamDayStatus]:
    """The status of every team-day of the plan, in team and date order."""
    reports = list(reports)
    final = _last_word(reports)
    by_day: dict[tuple[str, dt.date], list[StoredReport]] = {}
    for s in reports:
        by_day.setdefault((s.team_id, s.date), []).append(s)
    out = []
    for td in sorted(plan.team_days, key=lambda t: (t.team_id, t.date)):
        mine = by_day.get((td.team_id, td.date), [])
        kinds = [final.get((td.team_id, td.date, st.site_id, st.visit)) for st in td.stops]
        done = [k for k in kinds if k is not None and k.report.kind == "done"]
        out.append(TeamDayStatus(
            team_id=td.team_id, date=td.date, stops=len(td.stops), done=len(done),
            missed=sum(1 for k in kinds if k is not None and k.report.kind == "missed"),
            open=sum(1 for k in kinds if k is None),
            people_recorded=sum(k.report.people or 0 for k in done), people_expected=td.recordings,
            kit_failures=sorted({s.report.kit_id for s in mine if s.report.kind == "kit_failure" and s.report.kit_id}),
            reports=len(mine), last_report_at=max((s.received_at for s in mine), default=None),
        ))  # fmt: skip
    return out


def reports_to_outcomes(reports: Iterable[StoredReport]) -> Outcomes:
    """The outcomes the reports say: a visit done or missed per reported stop, a kit down per failure."""
    reports = list(reports)
    facts: list[Any] = []
    for (team, day, site, _visit), s in sorted(_last_word(reports).items(), key=lambda kv: (kv[0][1], kv[0][0], kv[0][2])):
        r = s.report
        if r.kind == "done":
            facts.append(VisitDone(date=day, site_id=site, team_id=team, people=r.people or 0, start=r.start, end=r.end, note=r.note))
        else:
            facts.append(VisitMissed(date=day, site_id=site, team_id=team, reason=r.reason or "", note=r.note))
    downs = {(s.team_id, s.report.kit_id): s for s in reports if s.report.kind == "kit_failure"}
    for (team, kit), s in sorted(downs.items(), key=lambda kv: (kv[1].date, kv[0])):
        facts.append(KitDown(date=s.date, kit_id=kit, team_id=team, reason="rusak di lapangan", note=s.report.note))
    return Outcomes(outcomes=tuple(facts))


def write_outcomes_csv(outcomes: Outcomes, path: Path) -> Path:
    """The outcomes as the table `jemput replan` reads (UTF-8 with BOM, one row per fact, no live formulas)."""
    with Path(path).open("w", newline="", encoding="utf-8-sig") as f:
        w = csv.DictWriter(f, fieldnames=ALL_COLUMNS)
        w.writeheader()
        for fact in outcomes.outcomes:
            # notes come from the field: text a spreadsheet would run as a formula gets a leading '
            row = {k: spreadsheet_text(v) for k, v in fact.model_dump(mode="json").items() if v not in (None, "")}
            for clock in ("start", "end"):
                minute = row.get(clock)
                if isinstance(minute, int):
                    row[clock] = fmt_clock(minute)
            w.writerow(row)
    return path
