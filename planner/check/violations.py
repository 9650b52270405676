"""The validator's vocabulary: the rule codes it reports, one `Violation`, and their readable form."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

CODES: dict[str, str] = {
    "plan-header": "plan's scenario name, horizon start or horizon days differ from the scenario",
    "unknown-team": "a team-day names a team the scenario does not have",
    "unknown-site": "a stop, lodging place or left-out entry names a site the scenario does not have",
    "date-outside-horizon": "a team-day's date lies outside the scenario's horizon",
    "no-shift": "the team has no shift on the team-day's weekday",
    "duplicate-team-day": "more than one team-day for the same team and date",
    "no-working-kit": "the team has no working kit on that date",
    "working-kits-mismatch": "working_kits differs from the number of the team's kits that work that date",
    "bad-place": "a start/end place is not the team's base or a known site (kind, site_id or coordinates)",
    "lodging-start": "a day starting at lodging does not follow a day (the day before) ending at that lodging",
    "lodging-end": "a day ending at lodging is not followed the next day by a day starting there",
    "too-many-nights": "more days end at lodging than the team's max_nights_out",
    "pending-too-long": "records made without signal wait on the kit longer than visits.max_pending_days",
    "pending-mismatch": "a team-day's pending_records differ from the records its stops leave unsent",
    "last-day-not-base": "the team's last team-day in the plan does not end at its base",
    "depart-before-shift": "depart_min is before the shift starts",
    "return-after-shift": "return_min is after the shift ends",
    "stops-overlap": "a stop starts before the previous stop ends (or before depart_min)",
    "time-order": "a stop ends before it starts, or return_min is before the last stop ends",
    "travel-gap": "fewer free minutes (outside breaks) between leaving and the next start than the leg's travel",
    "arrival-mismatch": "arrival_min is not departure + travel minutes (pausing through breaks)",
    "start-before-arrival": "a stop starts before the team arrives",
    "stop-in-break": "a stop's [start, end) overlaps a break of the shift (midday break, Friday prayer); with "
    "visits.record_across_breaks it may span a whole break, begun before it",
    "leg-travel-min": "a leg's travel minutes differ from whole_minutes of the matrix for the team's vehicle",
    "leg-travel-km": "a leg's travel km differ from the matrix by more than 0.05 km",
    "day-travel-total": "travel_min/travel_km of the day differ from the sum of its legs",
    "drive-limit": "the day's driving (recomputed) exceeds the team's max_drive_min",
    "no-crossing": "a leg joins two islands that no crossing carrying the team's vehicle joins (it drives across water)",
    "link-closed": "a planned leg drives directly between two places whose link is closed that date",
    "site-closed": "the site is closed that date (closed date or weekday without hours)",
    "outside-hours": "a stop's [start, end] does not lie within one opening window of the site",
    "needs-generator": "a site without electricity is visited by a team without a generator",
    "needs-clearance": "a site needing a clearance is visited by a team without it",
    "needs-vehicle": "the site's access mode does not admit the team's vehicle",
    "needs-skill": "a site needing a skill (its skills column) is visited by a team without it",
    "outside-regency": "a regency team visits a site outside its regency",
    "service-too-short": "end − start (less the breaks it spans) is less than set-up + recording time of its people "
    "with the working kits",
    "no-people": "a stop records nobody",
    "value-mismatch": "a stop's value differs from people × the site's weight",
    "visit-numbering": "a site's visits are not numbered 1..k without gaps or repeats",
    "visit-order": "a later-numbered visit is on an earlier date (or earlier the same day by the same team)",
    "same-day-repeat": "a team visits one site twice on one date (visits.one_visit_per_team_day; facts exempt)",
    "too-many-visits": "a site has more visits than max_visits_per_site",
    "visit-too-large": "a visit's people exceed turnout × decay^(k-1) × remaining (+1 for rounding)",
    "visit-over-cap": "a visit's people exceed max_people_per_visit",
    "site-over-recorded": "a site's people over all visits exceed its unrecorded",
    "recordings-mismatch": "a team-day's recordings differ from the sum of its stops' people",
    "capacity-mismatch": "a team-day's capacity differs from kits × rate × working minutes outside breaks",
    "kpi-mismatch": "a key figure differs from the one recomputed from the team-days",
    "bound-below-plan": "kpis.upper_bound (or bound_max_flow, bound_lp, bound_whole_days) is below the plan's expected recordings",
    "bound-not-tightest": "kpis.upper_bound is not the tightest of bound_max_flow, bound_lp and bound_whole_days",
    "missing-left-out": "a site with unrecorded people and no visit is not in left_out",
    "duplicate-left-out": "a site is in left_out more than once",
    "served-left-out": "a visited site is in left_out",
    "left-out-figures": "a left-out entry's unrecorded or remaining_after_plan differ from the site's unrecorded",
}

Interval = tuple[int, int]


@dataclass(frozen=True)
class Violation:
    """One broken rule, with where it happened (team, date, site) when that is known."""

    code: str
    team_id: str | None
    date: dt.date | None
    site_id: str | None
    message: str


def format_violations(violations: list[Violation]) -> str:
    """Violations as readable lines (one per violation) for the CLI and logs."""
    if not violations:
        return "plan is valid: no violations"
    counts = Counter(v.code for v in violations)
    head = f"{len(violations)} violation(s): " + ", ".join(f"{c} ×{n}" for c, n in sorted(counts.items()))
    lines = [head]
    for v in violations:
        where = " ".join(x for x in (v.team_id, v.date.isoformat() if v.date else None, v.site_id) if x)
        lines.append(f"  [{v.code}] {where + ': ' if where else ''}{v.message}")
    return "\n".join(lines)


def violation(code: str, message: str, team: str | None = None, day: dt.date | None = None,
              site: str | None = None) -> Violation:
    """A Violation of a known rule code (an unknown code is a bug in the validator)."""
    assert code in CODES, code
    return Violation(code=code, team_id=team, date=day, site_id=site, message=message)


def clock(minutes: int) -> str:
    """Minutes after midnight as HH:MM (negative with a minus sign)."""
    sign = "-" if minutes < 0 else ""
    m = abs(int(minutes))
    return f"{sign}{m // 60:02d}:{m % 60:02d}"
