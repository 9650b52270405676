"""Timing rules of one team-day: stops in order, inside the shift and outside its breaks, and every
leg's driving fitting between leaving and the next start (travel pauses through breaks)."""

from __future__ import annotations

from collections.abc import Iterable

from planner.check.context import Ctx, Leg, leg_matrix
from planner.check.violations import Interval, Violation
from planner.compile.travel import UNREACHABLE_MIN
from planner.check.violations import clock as _clock
from planner.check.violations import violation as _v
from planner.model import Shift, Team
from planner.plan import TeamDay


def check_order(td: TeamDay) -> list[Violation]:
    """Stops follow one another without overlap; each ends after it starts; return after the last."""
    out = []
    prev_end, prev_what = td.depart_min, "depart_min"
    for stop in td.stops:
        where = (td.team_id, td.date, stop.site_id)
        if stop.start_min < prev_end:
            msg = f"starts {_clock(stop.start_min)}, before {prev_what} {_clock(prev_end)}"
            out.append(_v("stops-overlap", msg, *where))
        if stop.end_min <= stop.start_min:
            msg = f"ends {_clock(stop.end_min)}, not after its start {_clock(stop.start_min)}"
            out.append(_v("time-order", msg, *where))
        prev_end, prev_what = stop.end_min, f"the end of the visit to {stop.site_id}"
    if td.return_min < prev_end:
        msg = f"return_min {_clock(td.return_min)} is before {prev_what} {_clock(prev_end)}"
        out.append(_v("time-order", msg, td.team_id, td.date))
    return out


def breaks_of(shift: Shift) -> tuple[Interval, ...]:
    return tuple(sorted((b.start, b.end) for b in shift.breaks))


def check_shift(td: TeamDay, shift: Shift, across: bool = False) -> list[Violation]:
    """Leave no earlier than the shift starts, back no later than it ends, record outside breaks.

    `across` (`VisitRules.record_across_breaks`): a visit may span a whole break, begun before it
    and ended after it (its service time is checked without the break, `spanned_breaks`).
    """
    out = []
    where = (td.team_id, td.date)
    if td.depart_min < shift.work.start:
        msg = f"departs {_clock(td.depart_min)}, shift starts {_clock(shift.work.start)}"
        out.append(_v("depart-before-shift", msg, *where))
    if td.return_min > shift.work.end:
        msg = f"returns {_clock(td.return_min)}, shift ends {_clock(shift.work.end)}"
        out.append(_v("return-after-shift", msg, *where))
    for stop in td.stops:
        for b0, b1 in breaks_of(shift):
            if stop.start_min < b1 and b0 < stop.end_min and not (across and stop.start_min < b0 and b1 <= stop.end_min):
                span = f"{_clock(stop.start_min)}-{_clock(stop.end_min)}"
                msg = f"visit {span} overlaps the break {_clock(b0)}-{_clock(b1)}"
                out.append(_v("stop-in-break", msg, *where, stop.site_id))
    return out


def free_minutes(start: int, end: int, breaks: Iterable[Interval]) -> int:
    """Minutes of [start, end) outside breaks (negative if end < start): time a team can drive."""
    if end <= start:
        return end - start
    return (end - start) - sum(max(0, min(end, b1) - max(start, b0)) for b0, b1 in breaks)


def arrival_after(depart: int, minutes: int, breaks: Iterable[Interval]) -> int:
    """Clock time after driving `minutes` from `depart`, pausing through breaks (the earliest arrival)."""
    t, left = depart, minutes
    for b0, b1 in sorted(breaks):
        if b1 <= t:
            continue
        if t + left <= b0:
            break
        left -= max(0, b0 - t)
        t = max(t, b1)
    return t + left


def check_leg_times(ctx: Ctx, td: TeamDay, team: Team, legs: list[Leg],
                     breaks: tuple[Interval, ...]) -> list[Violation]:
    """Each leg has its travel minutes free of breaks before the next start; arrivals add up."""
    out = []
    for leg in legs:
        known = leg_matrix(ctx, team, leg)
        if known is None or known[0] >= UNREACHABLE_MIN:  # no route: reported once, as no-crossing
            continue
        t = known[0]
        site = leg.stop.site_id if leg.stop else None
        where = (team.id, td.date, site)
        nxt = leg.stop.start_min if leg.stop else td.return_min
        what = f"the visit to {site}" if leg.stop else "return"
        free = free_minutes(leg.depart, nxt, breaks)
        if free < t:
            msg = f"{free} free min from {_clock(leg.depart)} to {what} at {_clock(nxt)}, the drive takes {t}"
            out.append(_v("travel-gap", msg, *where))
        if leg.stop is None:
            continue
        want = arrival_after(leg.depart, t, breaks)
        if leg.stop.arrival_min != want:
            msg = (f"arrival {_clock(leg.stop.arrival_min)}, leaving {_clock(leg.depart)} with {t} min of driving "
                   f"arrives {_clock(want)}")
            out.append(_v("arrival-mismatch", msg, *where))
        if leg.stop.start_min < leg.stop.arrival_min:
            msg = f"starts {_clock(leg.stop.start_min)} before arriving {_clock(leg.stop.arrival_min)}"
            out.append(_v("start-before-arrival", msg, *where))
    return out


def spanned_breaks(start: int, end: int, breaks: Iterable[Interval]) -> int:
    """Minutes of the breaks lying wholly inside a visit [start, end) that begins before them."""
    return sum(b1 - b0 for b0, b1 in breaks if start < b0 and b1 <= end)
