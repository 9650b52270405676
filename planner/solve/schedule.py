"""Times of a day's route, given its order: earliest arrival and start of every stop.

The rules (the same the validator checks): nobody drives or records during a break (a visit may
span one when `VisitRules.record_across_breaks` holds, and then lasts the break longer); a visit
lies inside one opening window of the site; the team leaves at the start of its shift and is
back before its end. Travel may be split around a break.
"""

from __future__ import annotations

from dataclasses import dataclass

Interval = tuple[int, int]


@dataclass(frozen=True)
class Timed:
    arrival: int
    start: int
    end: int


def advance(t: int, minutes: int, breaks: tuple[Interval, ...]) -> int:
    """Clock time after `minutes` of driving from `t`, pausing through breaks."""
    for b0, b1 in sorted(breaks):
        if b1 <= t:
            continue
        if t + minutes <= b0:
            break
        if t < b0:
            minutes -= b0 - t
        t = max(t, b1)
    return t + minutes


def visit_end(start: int, service: int, breaks: tuple[Interval, ...], across: bool = False) -> int:
    """When a visit begun at `start` ends: after its service, plus every break it spans when visits
    may go on across breaks (`VisitRules.record_across_breaks`: recording pauses and resumes)."""
    end = start + service
    if across:
        for b0, b1 in sorted(breaks):
            if start < b0 < end:
                end += b1 - b0
    return end


def earliest_start(ready: int, service: int, windows: tuple[Interval, ...], breaks: tuple[Interval, ...],
                   across: bool = False) -> int | None:
    """First start ≥ `ready` such that the visit fits a window and overlaps no break (begins in none,
    when it may go on across breaks)."""
    candidates = sorted({ready, *(w0 for w0, _ in windows), *(b1 for _, b1 in breaks)})
    for s in candidates:
        if s < ready:
            continue
        end = visit_end(s, service, breaks, across)
        in_window = any(w0 <= s and end <= w1 for w0, w1 in windows)
        clear = all(not b0 <= s < b1 for b0, b1 in breaks) if across else all(end <= b0 or s >= b1 for b0, b1 in breaks)
        if in_window and clear:
            return s
    return None


def schedule_route(
    depart: int,
    legs: list[int],
    services: list[int],
    windows: list[tuple[Interval, ...]],
    breaks: tuple[Interval, ...],
    back: int,
    work_end: int,
    across: bool = False,
) -> list[Timed] | None:
    """Times for stops visited in order; None if the order cannot be kept within the day.
    `across`: visits may go on across breaks (`visit_end`)."""
    t, out = depart, []
    for travel, service, wins in zip(legs, services, windows):
        arrival = advance(t, travel, breaks)
        start = earliest_start(arrival, service, wins, breaks, across)
        if start is None:
            return None
        t = visit_end(start, service, breaks, across)
        out.append(Timed(arrival, start, t))
    if advance(t, back, breaks) > work_end:
        return None
    return out
