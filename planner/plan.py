"""The `Plan`: what the solver returns and what exports, maps, the API and the validator read.

Its JSON form (`plan.json`) is versioned by `schema_version`; see docs/plan-schema.md.
Times are minutes after local midnight of the team-day's date.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "jemput.plan/1"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Place(_Model):
    """Where a team-day starts or ends: its base (office) or a site where it stays the night."""

    kind: str = Field(pattern="^(base|lodging)$")
    site_id: str | None = Field(default=None, description="the site lodged at, for kind=lodging")
    name: str
    lat: float
    lon: float


class StopOutcome(StrEnum):
    """A visit before the re-plan time: its figures are facts, not choices of the planner."""

    done = "done"  # reported done: `people` is the count recorded in the field
    assumed_done = "assumed_done"  # before the re-plan time and not reported: assumed made as planned
    missed = "missed"  # reported missed: nobody recorded (people 0); the site stays to be planned


class StopChange(StrEnum):
    """A re-planned visit against the previous plan (per site: same team and date, or not)."""

    kept = "kept"
    moved = "moved"  # another team or another date
    added = "added"


class Stop(_Model):
    """One visit of a team to a site on one day."""

    site_id: str
    visit: int = Field(ge=1, description="1 for the first visit of the week to this site, 2 for the next, …")
    arrival_min: int
    start_min: int
    end_min: int
    travel_min: int = Field(ge=0, description="driving from the previous stop (or the start place)")
    travel_km: float = Field(ge=0)
    people: int = Field(ge=0, description="expected recordings at this visit")
    value: float = Field(ge=0, description="people × the site's weight")
    outcome: StopOutcome | None = Field(
        default=None, description="re-planned plans: what happened at a visit before the re-plan time (see StopOutcome)"
    )
    actual_start_min: int | None = Field(default=None, description="start recorded in the field, if reported")
    actual_end_min: int | None = Field(default=None, description="end recorded in the field, if reported")
    change: StopChange | None = Field(
        default=None, description="re-planned plans: this visit against the previous plan (kept, moved, added)"
    )


class TeamDay(_Model):
    team_id: str
    date: dt.date
    working_kits: int
    start_place: Place
    end_place: Place
    depart_min: int
    return_min: int
    stops: list[Stop] = []
    return_travel_min: int = Field(ge=0, description="driving from the last stop to the end place")
    return_travel_km: float = Field(ge=0)
    travel_min: int = Field(ge=0, description="all driving of the day")
    travel_km: float = Field(ge=0)
    recordings: int = Field(ge=0)
    capacity: int = Field(ge=0, description="working kits × rate × working minutes without breaks")
    pending_records: int = Field(
        default=0, ge=0, description="records made without signal still on the kits at the end of the day (not sent)")
    pending_since: dt.date | None = Field(default=None, description="the date the oldest pending record was made")


class LeftOutReason(StrEnum):
    no_unrecorded = "no_unrecorded"
    no_team = "no_team"  # no team's office covers the site's regency
    needs_generator = "needs_generator"
    needs_clearance = "needs_clearance"
    needs_vehicle = "needs_vehicle"  # access mode (river, motorbike-only) no team's vehicle has
    needs_skill = "needs_skill"  # a skill of the site's `skills` column no team that covers it has
    closed_all_days = "closed_all_days"  # closed on every day some team works
    no_working_kit = "no_working_kit"  # every team that could go has no working kit that day
    no_crossing = "no_crossing"  # on another island than every team that could go, and no crossing joins them
    out_of_reach = "out_of_reach"  # no team-day can get there, record and get back within its limits
    lower_value = "lower_value"  # feasible, but the teams that could go were busy with higher-value sites
    not_reached_in_time = "not_reached_in_time"  # feasible, but the search ran out of time before giving it to a team


class IdleReason(StrEnum):
    """Why a team-day with a working kit has no visit."""

    nothing_in_reach = "nothing_in_reach"  # no site with people left it could reach, record at and come back from
    sites_served = "sites_served"  # every site it could reach is visited by other team-days
    out_of_time = "out_of_time"  # sites it could reach are left unvisited: the search ran out of time


class IdleTeamDay(_Model):
    """A team-day the team works with a working kit but has no visit, and why."""

    team_id: str
    date: dt.date
    working_kits: int
    reason: IdleReason
    detail: str


class LeftOut(_Model):
    site_id: str
    reason: LeftOutReason
    detail: str
    unrecorded: int
    remaining_after_plan: int


class GroupKpi(_Model):
    unrecorded: int
    expected_recordings: int
    share: float


class TeamDayKpi(_Model):
    team_id: str
    date: dt.date
    kit_utilisation: float = Field(description="recordings ÷ capacity of the working kits that day")


class Kpis(_Model):
    expected_recordings: int
    upper_bound: int = Field(description="recordings no plan can exceed: the tightest of bound_max_flow, bound_lp and bound_whole_days (docs/bound.md)")
    bound_max_flow: int | None = Field(default=None, description="max flow of team-day kit capacity to the sites each could reach")
    bound_lp: int | None = Field(default=None, description="linear relaxation charging each visit its set-up and drive in (None: not computed)")
    bound_whole_days: int | None = Field(default=None, description="the linear relaxation's prices with each team-day's visits whole (Lagrangian; None: not computed or not by the search's end)")
    gap_to_bound: float = Field(description="1 − expected_recordings ÷ upper_bound")
    weighted_value: float
    total_unrecorded: int
    share_of_unrecorded: float
    sites_served: int
    sites_left_out: int
    visits: int
    travel_hours: float
    travel_km: float
    by_regency: dict[str, GroupKpi]
    by_kind: dict[str, GroupKpi]
    kit_utilisation: list[TeamDayKpi]
    idle_team_days: int | None = Field(
        default=None, description="days a team works with a working kit and has no visit (None: a plan from before this figure)"
    )


class SolveInfo(_Model):
    seed: int
    time_limit_s: float
    wall_s: float
    parts: int
    status: str
    parts_out_of_time: list[str] = Field(
        default_factory=list, description="parts whose search found nothing better than the greedy first plan in time"
    )


class Churn(_Model):
    """How much a re-plan changed the rest of the week, beside what it gained."""

    kept: int = Field(description="visits after the re-plan time on the same team and date as before")
    moved: int = Field(description="visits after the re-plan time on another team or date")
    added: int = Field(description="visits the previous plan did not have")
    dropped: int = Field(description="visits of the previous plan (after the re-plan time) no longer planned")
    done: int = Field(description="visits reported done")
    missed: int = Field(description="visits reported missed")
    assumed_done: int = Field(description="visits before the re-plan time without a report, assumed made as planned")
    old_expected_recordings: int = Field(description="the previous plan's expected recordings for the whole week")
    new_expected_recordings: int = Field(description="this plan's, with recorded counts for reported visits")
    gain: int = Field(description="new − old expected recordings")
    old_rest_recordings: int = Field(description="the previous plan's expected recordings after the re-plan time")
    new_rest_recordings: int = Field(description="this plan's expected recordings after the re-plan time")


class ReplanInfo(_Model):
    """Set on a re-planned plan: from when it was re-planned and what changed."""

    from_time: dt.datetime
    facts: int = Field(description="field outcomes applied")
    unchanged: bool = Field(description="no outcome changed anything: the previous plan was kept as it was")
    churn: Churn


class Plan(_Model):
    schema_version: str = SCHEMA_VERSION
    scenario_name: str
    horizon_start: dt.date
    horizon_days: int
    scenario_file: str | None = None
    kpis: Kpis
    team_days: list[TeamDay]
    left_out: list[LeftOut]
    solve: SolveInfo
    replan: ReplanInfo | None = Field(default=None, description="set when this plan re-plans an earlier one")
    idle: list[IdleTeamDay] = Field(default_factory=list, description="team-days with a working kit and no visit, with why")

    def stops_of(self, team_id: str, day: dt.date) -> list[Stop]:
        for td in self.team_days:
            if td.team_id == team_id and td.date == day:
                return td.stops
        return []
