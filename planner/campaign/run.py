"""A campaign to the deadline: the projection of the weeks ahead and the decisions ranked by gain.

1. Baseline: every week to the deadline planned and verified (`run_weeks`).
2. Projection: per regency and week, expected recordings, people left and the share recorded.
3. Decisions: every candidate (`candidates`) screened by the capacity model calibrated on the
   baseline's plans (`screen`); the `confirm_top` best are planned with the decision applied
   (`confirm`) with the best of every kind of decision, and their measured gain replaces the
   predicted one. Ranked by gain to the deadline.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from planner.campaign.actions import Action, AddTeam, LendKit, MoveBase, RepairFirst
from planner.campaign.assumptions import CampaignOptions
from planner.campaign.candidates import candidates
from planner.campaign.confirm import Measurer
from planner.campaign.screen import calibrate, predict
from planner.campaign.weeks import CampaignRun, Progress, run_weeks
from planner.model import Scenario


@dataclass(frozen=True)
class ProjectionRow:
    """One regency in one week: what the week records, and where the regency stands after it."""

    regency_code: str
    week_start: dt.date
    expected_recorded: int  # this week
    recorded_to_date: int  # from the campaign's start to the end of this week
    remaining: int  # unrecorded after this week
    share_recorded: float  # recorded_to_date ÷ unrecorded at the start


@dataclass(frozen=True)
class Decision:
    """One what-if decision with its gain to the deadline."""

    action: Action
    predicted_gain: float  # the capacity model's
    measured_gain: int | None  # planned with the decision applied (confirmed decisions only)
    regency_gains: dict[str, float]  # measured where confirmed, else predicted
    kit_weeks: float

    @property
    def gain(self) -> float:
        return float(self.measured_gain) if self.measured_gain is not None else self.predicted_gain

    @property
    def basis(self) -> str:
        """'plans' when the gain was measured by planning, 'model' when only screened."""
        return "plans" if self.measured_gain is not None else "model"

    @property
    def gain_per_kit_week(self) -> float:
        return self.gain / self.kit_weeks if self.kit_weeks > 0 else 0.0

    def gaining_regencies(self) -> list[str]:
        """Regency codes that gain, largest gain first ('' = sites of no regency)."""
        return [c for c, g in sorted(self.regency_gains.items(), key=lambda x: (-x[1], x[0])) if g > 0]


@dataclass(frozen=True)
class Campaign:
    """What `jemput campaign` reports."""

    options: CampaignOptions
    baseline: CampaignRun
    projection: tuple[ProjectionRow, ...]
    decisions: tuple[Decision, ...]
    regency_names: dict[str, str]


def projection(run: CampaignRun) -> tuple[ProjectionRow, ...]:
    """Per regency and week, in regency then week order (see ProjectionRow)."""
    start: dict[str, int] = {}
    for s in run.start.sites:
        start[s.regency_code] = start.get(s.regency_code, 0) + s.unrecorded
    rows = []
    for code, weekly in run.recorded_by_regency().items():
        total = 0
        for w, people in zip(run.weeks, weekly):
            total += people
            share = total / start[code] if start[code] else 1.0
            rows.append(ProjectionRow(code, w.start, people, total, start[code] - total, round(share, 6)))
    return tuple(rows)


def kit_weeks(run: CampaignRun, action: Action) -> float:
    """Kit-weeks the decision adds (repair, loan, added team) or moves (a base: the team's kit-weeks)."""
    per_week = max(1, run.start.horizon.days)
    days = 0
    for w in run.weeks:
        for day in w.scenario.horizon.dates:
            for team in w.scenario.teams:
                if team.shift_on(day) is None:
                    continue
                if isinstance(action, RepairFirst) and team.id == action.team_id:
                    kit = next(k for k in team.kits if k.id == action.kit_id)
                    days += int(day >= action.back and not kit.works_on(day))
                elif isinstance(action, LendKit) and team.id == action.team_id:
                    days += 1
                elif isinstance(action, MoveBase) and team.id == action.team_id:
                    days += team.working_kits(day)
            if isinstance(action, AddTeam) and w.index < action.weeks:
                template = run.start.team_by_id()[action.template_id]
                days += action.kits * (template.shift_on(day) is not None)
    return round(days / per_week, 3)


def plan_campaign(scenario: Scenario, options: CampaignOptions, progress: Progress | None = None) -> Campaign:
    """The campaign's projection and ranked decisions (see module doc)."""
    say = progress or (lambda m: None)
    say("baseline: planning every week to the deadline")
    base = run_weeks(scenario, options, None, say)
    cal = calibrate(base)
    screened = []
    for action in candidates(base, options):
        gains = predict(base, cal, action)
        screened.append((sum(gains.values()), action, gains))
    screened.sort(key=lambda x: (-x[0], x[1].key))
    measurer = Measurer(scenario, options, base, say)
    chosen = to_confirm([(p, a) for p, a, _ in screened], options.confirm_top)
    decisions = []
    for predicted, action, gains in screened:
        measured = None
        if action.key in chosen:
            say(f"confirming {action.key} by planning it")
            by_regency = measurer.gain(action)
            measured, gains = sum(by_regency.values()), {k: float(v) for k, v in by_regency.items()}
        decisions.append(Decision(action, round(predicted, 1), measured, gains, kit_weeks(base, action)))
    decisions.sort(key=lambda d: (-d.gain, d.action.key))
    names = regency_names(scenario)
    return Campaign(options, base, projection(base), tuple(decisions), names)


def to_confirm(screened: list[tuple[float, Action]], top: int) -> set[str]:
    """Keys of the decisions to plan: the `top` best predicted, and (when `top` > 0) the best of every
    other kind, so a coordinator sees a measured gain for each kind of decision. Only gains > 0."""
    if top <= 0:
        return set()
    ranked = [(p, a) for p, a in sorted(screened, key=lambda x: (-x[0], x[1].key)) if p > 0]
    keys = {a.key for _, a in ranked[:top]}
    for kind in sorted({a.kind for _, a in ranked}):
        keys.add(next(a.key for _, a in ranked if a.kind == kind))
    return keys


def regency_names(scenario: Scenario) -> dict[str, str]:
    """A readable name per regency code: from the bundled boundaries where the code matches, else its
    office's team name without the trailing number."""
    out: dict[str, str] = {}
    try:
        from planner.io.bundled import boundaries

        gdf = boundaries("regency")
        codes = {s.regency_code for s in scenario.sites} | {t.regency_code for t in scenario.teams}
        out.update({str(c): str(n) for c, n in zip(gdf["code"], gdf["name"]) if c in codes})
    except Exception:  # noqa: BLE001 - names are a courtesy: codes stand in
        pass
    for team in scenario.teams:
        if team.regency_code and team.regency_code not in out:  # not in the bundled boundaries
            words = team.name.rsplit(" ", 1)
            name = words[0] if len(words) == 2 and words[1].isdigit() else team.name
            out[team.regency_code] = name.replace("Tim Jemput Bola ", "")
    return out
