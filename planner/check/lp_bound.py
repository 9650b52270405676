"""A linear-programming bound on recordings: no plan can record more (docs/bound.md).

The max-flow bound (`planner.check.bound`) charges each team-day one set-up and one round trip.
This relaxation charges every visit its set-up and the cheapest drive into its site, and a site's
k-th visit draws no more than the k-th visit size, so it is much tighter. Per team-day d and
site s it has the people recorded r[d,s] ≥ 0 and the visits made n[d,s] ≥ 0 (fractional):

- r[d,s] ≤ most × n[d,s], most = the site's first visit size or what fits the longest stretch of
  the day between breaks and inside an opening window, whichever is less
- n[d,s] ≤ 1 with one visit per site per team-day (else one drive in, however many sittings)
- per site: Σ_d n ≤ its visit count; for every m, Σ_d r ≤ S_m + size_(m+1) × (Σ_d n − m), where S_m is the
  sum of its first m visit sizes (the tangents of the concave "people after m visits" curve)
- per team-day: Σ_s n × (set-up + cheapest drive in from another site) + r × 60 ÷ (kits × rate)
  − the first visit's drive in + shortest first leg + shortest return ≤ working minutes less breaks;
  the drives alone ≤ the driving limit

Why it is valid: whatever earlier visits took, a site's m visits record at most S_m (each takes at most
turnout^k × what is left, and less taken earlier leaves less to turnout's share); each visit is entered
by a drive at least the cheapest into its site from another site, but the day's first, which is entered
from the start (the shortest first leg); a team that may stay out may lodge at any site, so a day
that starts (ends) at a lodging has no first leg (return), and it has as many such starts (ends) as nights.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from ortools.linear_solver import pywraplp

from planner.compile.instance import Compiled

GLOP_PARAMETERS = "use_dual_simplex: false"


def lp_bound(c: Compiled, reach: np.ndarray, day_places: dict[int, tuple[int, int]]) -> int | None:
    """Recordings no plan can exceed (the LP above, rounded down); None if GLOP does not solve it."""
    solver = pywraplp.Solver.CreateSolver("GLOP")
    if solver is None:
        return None
    one_a_day = c.scenario.visits.one_visit_per_team_day
    inf = solver.infinity()
    site_r: dict[int, list] = {}
    site_n: dict[int, list] = {}
    nights: dict[int, tuple[list, list]] = {}  # per team that may stay out: its (start, end) lodging rows
    objective = solver.Objective()
    for i, td in enumerate(c.team_days):
        team = c.scenario.teams[td.team]
        sites = [s for s in np.nonzero(reach[i])[0].tolist() if c.sizes[s]]
        if not sites:
            continue
        into, go, back = _drives(c, i, sites, day_places, team.max_nights_out > 0)
        fixed = go + back  # go is 0 for a team that may not stay out: its first leg is in `into`
        minutes = td.work_end - td.work_start - sum(b1 - b0 for b0, b1 in td.breaks) - fixed
        if team.max_nights_out == 0 and (minutes <= team.setup_min or team.max_drive_min < fixed):
            continue
        per_person = 60.0 / (td.kits * team.rate_per_kit_hour)
        work = solver.Constraint(-inf, float(minutes))
        drive = solver.Constraint(-inf, float(team.max_drive_min - fixed))
        if team.max_nights_out > 0:  # the day may start or end at a lodging instead of the base
            _lodging(solver, nights.setdefault(td.team, ([], [])), team.max_nights_out, (work, drive), go, back)
        free = solver.Constraint(-inf, 1.0)  # the first visit is entered from the start (charged in `fixed`)
        stretches = _stretches(td)
        for s, drive_in in zip(sites, into):
            sizes = c.sizes[s]
            longest = _longest_sitting(stretches, c.windows[s][td.day])
            most = min(sizes[0], int((longest - team.setup_min) * td.kits * team.rate_per_kit_hour // 60))
            if most <= 0:
                continue
            r = solver.NumVar(0.0, float(sum(sizes)), "")
            n = solver.NumVar(0.0, 1.0 if one_a_day else float(len(sizes)), "")
            link = solver.Constraint(-inf, 0.0)
            link.SetCoefficient(r, 1.0)
            link.SetCoefficient(n, -float(most))
            work.SetCoefficient(r, per_person)
            enter = n if one_a_day else _entries(solver, n, len(sizes))
            work.SetCoefficient(n, float(team.setup_min + (drive_in if one_a_day else 0)))  # sets, not adds
            if not one_a_day:
                work.SetCoefficient(enter, float(drive_in))
            drive.SetCoefficient(enter, float(drive_in))
            if drive_in > 0 and team.max_nights_out > 0:
                y = solver.NumVar(0.0, 1.0, "")  # the part of the entries that is the day's first
                below = solver.Constraint(-inf, 0.0)
                below.SetCoefficient(y, 1.0)
                below.SetCoefficient(enter, -1.0)
                free.SetCoefficient(y, 1.0)
                work.SetCoefficient(y, -float(drive_in))
                drive.SetCoefficient(y, -float(drive_in))
            objective.SetCoefficient(r, 1.0)
            site_r.setdefault(s, []).append(r)
            site_n.setdefault(s, []).append(n)
    for s, rs in site_r.items():
        _site_rows(solver, c.sizes[s], rs, site_n[s])
    objective.SetMaximization()
    solver.SetSolverSpecificParametersAsString(GLOP_PARAMETERS)
    if solver.Solve() not in (pywraplp.Solver.OPTIMAL,):
        return None
    return int(np.floor(objective.Value() + 1e-6))


def _stretches(td) -> list[tuple[int, int]]:
    """The team-day's working time between its breaks (a visit may not overlap a break)."""
    out, t = [], td.work_start
    for b0, b1 in sorted(td.breaks):
        if b0 > t:
            out.append((t, min(b0, td.work_end)))
        t = max(t, b1)
    if t < td.work_end:
        out.append((t, td.work_end))
    return out


def _longest_sitting(stretches: list[tuple[int, int]], windows) -> int:
    """Longest visit (minutes) that fits one stretch and one opening window."""
    return max((min(a1, w1) - max(a0, w0) for a0, a1 in stretches for w0, w1 in windows), default=0)


def _entries(solver, n, most: int):
    """Drives into a site on one team-day when a team may visit it back to back: ≥ n ÷ most
    (1 whenever it visits, as n ≤ most), so a second sitting is not charged a drive it never made."""
    e = solver.NumVar(0.0, 1.0, "")
    row = solver.Constraint(0.0, solver.infinity())
    row.SetCoefficient(e, float(most))
    row.SetCoefficient(n, -1.0)
    return e


def _site_rows(solver, sizes: list[int], rs: list, ns: list) -> None:
    """Per site: at most its visit count, and people within the tangents of S_m (see module doc)."""
    count = solver.Constraint(-solver.infinity(), float(len(sizes)))
    for n in ns:
        count.SetCoefficient(n, 1.0)
    prefix = 0
    for m, size in enumerate(sizes):  # Σ r − size × Σ n ≤ S_m − size × m
        row = solver.Constraint(-solver.infinity(), float(prefix - size * m))
        for r in rs:
            row.SetCoefficient(r, 1.0)
        for n in ns:
            row.SetCoefficient(n, -float(size))
        prefix += size
    total = solver.Constraint(-solver.infinity(), float(prefix))
    for r in rs:
        total.SetCoefficient(r, 1.0)


def _lodging(solver, rows: tuple[list, list], most_nights: int, day_rows, go: int, back: int) -> None:
    """A team that may stay out starts a[d] and ends b[d] of its days at a lodging (no drive from or
    to its base); each night out is one end and one start, so Σ a ≤ nights and Σ b ≤ nights."""
    for k, minutes in enumerate((go, back)):
        v = solver.NumVar(0.0, 1.0, "")
        for row in day_rows:
            row.SetCoefficient(v, -float(minutes))
        if not rows[k]:
            rows[k].append(solver.Constraint(-solver.infinity(), float(most_nights)))
        rows[k][0].SetCoefficient(v, 1.0)


def _drives(c: Compiled, i: int, sites: list[int], day_places, lodge: bool) -> tuple[list[int], int, int]:
    """Cheapest drive into each site from another site team-day i reaches, the shortest first leg
    from its start and the shortest return (for a team that may stay out: from and to its base)."""
    td = c.team_days[i]
    dur = c.duration[c.scenario.teams[td.team].vehicle]
    points = np.array([c.site_point(s) for s in sites])
    big = np.iinfo(np.int64).max
    block = dur[np.ix_(points, points)].astype(np.int64)
    np.fill_diagonal(block, big)
    into = block.min(axis=0)
    into[into == big] = 0  # a lone site: its only visit is the first
    if lodge:  # from and to its base, unless it lodges (see `_lodging`); the day's first visit may be at the lodging
        return into.tolist(), int(dur[td.team, points].min()), int(dur[points, td.team].min())
    start, end = day_places[i]
    return np.minimum(into, dur[start, points]).tolist(), 0, int(dur[points, end].min())


def lp_bound_later(c: Compiled, reach: np.ndarray, day_places: dict[int, tuple[int, int]]) -> Callable[[], int | None]:
    """Start `lp_bound` in a thread (GLOP runs outside the GIL, beside the search); the returned
    function waits for it."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lp-bound")
    future = pool.submit(lp_bound, c, reach, day_places)
    pool.shutdown(wait=False)
    return future.result
