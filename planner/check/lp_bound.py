"""A linear-programming bound on recordings: no plan can record more (docs/bound.md).

The max-flow bound (`planner.check.bound`) charges each team-day one set-up and one round trip.
This relaxation charges every visit its set-up and the cheapest drive into its site, and a site's
k-th visit draws no more than the k-th visit size, so it is much tighter. Per team-day d and
site s it has the people recorded r[d,s] ≥ 0 and the visits made n[d,s] ≥ 0 (fractional):

- r[d,s] ≤ most × n[d,s], most = the site's first visit size or what fits the longest stretch of
  the day between breaks and inside an opening window, whichever is less
- n[d,s] ≤ 1 with one visit per site per team-day (else one drive in, however many sittings)
- per site: Σ_d n ≤ its visit count; for every m, with a = size_(m+1) (0 past the last),
  Σ_d r ≤ S_m − a × m + Σ_d min(a, most[d,s]) × n[d,s], where S_m is the sum of its first m visit
  sizes (the tangents of the concave "people after m visits" curve, a day's visits counted at most
  at what they can record)
- per team-day: Σ_s n × (set-up + cheapest drive in) + r × 60 ÷ (kits × rate) + shortest return
  ≤ working minutes less breaks; the drives alone ≤ the driving limit

Why it is valid: whatever earlier visits took, any j of a site's visits record at most S_j (the i-th of
them takes at most turnout^i × what is left, and less taken earlier leaves less to turnout's share).
Of a plan's visits, those whose day can record less than a (most < a) add at most most each; the
other ℓ record at most S_ℓ ≤ S_m + a × (ℓ − m), the tangent. Each visit is entered
by a drive at least the cheapest into its site from the day's start or another site it reaches. A team
that may stay out may lodge at any site it may visit: its drives in are counted from its base or any other such site, it
pays no return, and a day's first visit may be at its own lodging (free) on at most as many days as
the team has nights out.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from ortools.linear_solver import pywraplp

from planner.compile.instance import Compiled, WorkDay

GLOP_PARAMETERS = "use_dual_simplex: false"


@dataclass
class Relaxation:
    """The LP above, built in a `pywraplp` solver (GLOP); `whole` are the variables a real plan has
    whole (visits and drives in). `blocks` are each team-day's variables and rows (index ranges),
    `joining` the rows that join team-days (per site, per team's nights): `planner.check.day_bound`
    prices those out. `duals`: the LP's row prices once `solve_relaxation` solved it."""

    solver: Any
    whole: list[Any] = field(default_factory=list)
    blocks: list[tuple[range, range]] = field(default_factory=list)
    joining: set[int] = field(default_factory=set)
    duals: np.ndarray | None = None


def lp_bound(c: Compiled, reach: np.ndarray, day_places: dict[int, tuple[int, int]],
             deadline: float | None = None) -> int | None:
    """Recordings no plan can exceed (the LP above, rounded down); None if GLOP does not solve it,
    or not by `deadline` (`time.monotonic()`): a large province's LP (9,000 sites: ~120,000
    team-day × site pairs, two minutes of GLOP) must not hold the plan past its time limit."""
    model = build_relaxation(c, reach, day_places, deadline)
    return None if model is None else solve_relaxation(model, deadline)


# GLOP's time for the LP grows with its team-day × site pairs: alone on a quiet 2-core machine NTT's
# 55,300 pairs took 18 CPU s (build 2 s) and a generated 9,000-site province's 118,182 took 105 s
# (and 520 MB): seconds ≈ 18 × (pairs / 55,300) ^ 2.33 (Jambi's 26,101: 3 s predicted, 3–7 s seen)
LP_SECONDS_AT = (55_300, 18.0)
LP_GROWTH = 2.33


def lp_seconds(pairs: int) -> float:
    """About how long building and solving an LP of `pairs` team-day × site pairs takes (see above)."""
    n, seconds = LP_SECONDS_AT
    return float(seconds * (pairs / n) ** LP_GROWTH)


def relaxation_pairs(c: Compiled, reach: np.ndarray) -> int:
    """The LP's team-day × site pairs: a team-day and a site it reaches that has people to record."""
    has_people = np.array([bool(len(sizes)) for sizes in c.sizes], dtype=bool)
    return int(reach[:, has_people].sum()) if len(has_people) else 0


def solve_relaxation(model: Relaxation, deadline: float | None = None) -> int | None:
    """GLOP's optimum of a built relaxation, rounded down; None if not solved (by `deadline`)."""
    solver = model.solver
    solver.SetSolverSpecificParametersAsString(GLOP_PARAMETERS)
    if deadline is not None:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        solver.SetTimeLimit(max(1, int(left * 1000)))
    solved = solver.Solve() == pywraplp.Solver.OPTIMAL
    value = solver.Objective().Value() if solved else 0.0
    model.duals = np.array([row.dual_value() for row in solver.constraints()]) if solved else None
    return int(np.floor(value + 1e-6)) if solved else None


def build_relaxation(c: Compiled, reach: np.ndarray, day_places: dict[int, tuple[int, int]],
                     deadline: float | None = None) -> Relaxation | None:
    """The relaxation of the module doc, built for GLOP; None if `deadline` passes first."""
    solver = pywraplp.Solver.CreateSolver("GLOP")
    if solver is None:
        return None
    model = Relaxation(solver)
    one_a_day = c.scenario.visits.one_visit_per_team_day
    across = c.scenario.visits.record_across_breaks  # a visit may span a break (recording pauses)
    inf = solver.infinity()
    site_r: dict[int, list[Any]] = {}  # per site: its entry variables (LP variables)
    site_n: dict[int, list[tuple[Any, int]]] = {}  # per site: (visits, most per visit) per team-day
    nights: dict[int, Any] = {}  # per team that may stay out: its row of starts at a lodging
    nearest: dict[int, np.ndarray] = {}  # per team that may stay out: cheapest drive into each site
    objective = solver.Objective()
    for i, td in enumerate(c.team_days):
        if deadline is not None and time.monotonic() > deadline:
            return None
        team = c.scenario.teams[td.team]
        sites = [s for s in np.nonzero(reach[i])[0].tolist() if c.sizes[s]]
        if not sites:
            continue
        lodge = team.max_nights_out > 0
        try:
            into, back = _drives(c, i, sites, day_places, lodge, nearest, deadline)
        except _OutOfTime:
            return None
        minutes = td.work_end - td.work_start - sum(b1 - b0 for b0, b1 in td.breaks) - back
        if minutes <= team.setup_min or team.max_drive_min < back:
            continue
        per_person = 60.0 / (td.kits * team.rate_per_kit_hour)
        v0, c0 = solver.NumVariables(), solver.NumConstraints()
        work = solver.Constraint(-inf, float(minutes))
        drive = solver.Constraint(-inf, float(team.max_drive_min - back))
        free = _lodging(solver, nights, td.team, team.max_nights_out) if lodge else None
        stretches = [(td.work_start, td.work_end)] if across else _stretches(td)
        for s, drive_in in zip(sites, into):
            sizes = c.sizes[s]
            longest = _longest_sitting(stretches, c.windows[s][td.day], td.breaks if across else ())
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
            model.whole += [n] if one_a_day else [n, enter]
            work.SetCoefficient(n, float(team.setup_min + (drive_in if one_a_day else 0)))  # sets, not adds
            if not one_a_day:
                work.SetCoefficient(enter, float(drive_in))
            drive.SetCoefficient(enter, float(drive_in))
            if drive_in > 0 and free is not None:
                y = solver.NumVar(0.0, 1.0, "")  # the part of the entries made from a lodging at s itself
                below = solver.Constraint(-inf, 0.0)
                below.SetCoefficient(y, 1.0)
                below.SetCoefficient(enter, -1.0)
                free.SetCoefficient(y, 1.0)
                work.SetCoefficient(y, -float(drive_in))
                drive.SetCoefficient(y, -float(drive_in))
            objective.SetCoefficient(r, 1.0)
            site_r.setdefault(s, []).append(r)
            site_n.setdefault(s, []).append((n, most))
        model.blocks.append((range(v0, solver.NumVariables()), range(c0, solver.NumConstraints())))
    c_sites = solver.NumConstraints()
    for s, rs in site_r.items():
        _site_rows(solver, c.sizes[s], rs, site_n[s])
    model.joining = set(range(c_sites, solver.NumConstraints())) | {row.index() for row in nights.values()}
    objective.SetMaximization()
    return model


def _stretches(td: WorkDay) -> list[tuple[int, int]]:
    """The team-day's working time between its breaks (a visit may not overlap a break)."""
    out, t = [], td.work_start
    for b0, b1 in sorted(td.breaks):
        if b0 > t:
            out.append((t, min(b0, td.work_end)))
        t = max(t, b1)
    if t < td.work_end:
        out.append((t, td.work_end))
    return out


def _longest_sitting(stretches: list[tuple[int, int]], windows: tuple[tuple[int, int], ...], breaks: tuple[tuple[int, int], ...] = ()) -> int:
    """Longest recording (minutes) of one visit: inside one stretch and one opening window, less the
    breaks it spans (`breaks`: a visit may go on across them)."""
    best = 0
    for a0, a1 in stretches:
        for w0, w1 in windows:
            lo, hi = max(a0, w0), min(a1, w1)
            paused = sum(max(0, min(hi, b1) - max(lo, b0)) for b0, b1 in breaks)
            best = max(best, hi - lo - paused)
    return best


def _entries(solver: Any, n: int, most: int) -> Any:
    """Drives into a site on one team-day when a team may visit it back to back: ≥ n ÷ most
    (1 whenever it visits, as n ≤ most), so a second sitting is not charged a drive it never made."""
    e = solver.NumVar(0.0, 1.0, "")
    row = solver.Constraint(0.0, solver.infinity())
    row.SetCoefficient(e, float(most))
    row.SetCoefficient(n, -1.0)
    return e


def _site_rows(solver: Any, sizes: list[int], rs: list[Any], ns: list[tuple[Any, int]]) -> None:
    """Per site: at most its visit count, and people within the tangents of S_m (see module doc),
    each team-day's visits counted at the tangent's slope or at their own most, if less."""
    count = solver.Constraint(-solver.infinity(), float(len(sizes)))
    for n, _ in ns:
        count.SetCoefficient(n, 1.0)
    prefix = 0
    for m, size in enumerate(sizes):  # Σ r − Σ min(size, most) × n ≤ S_m − size × m
        row = solver.Constraint(-solver.infinity(), float(prefix - size * m))
        for r in rs:
            row.SetCoefficient(r, 1.0)
        for n, most in ns:
            row.SetCoefficient(n, -float(min(size, most)))
        prefix += size
    total = solver.Constraint(-solver.infinity(), float(prefix))
    for r in rs:
        total.SetCoefficient(r, 1.0)


def _lodging(solver: Any, nights: dict[int, Any], team: int, most_nights: int) -> Any:
    """A row for the team-day's first visit made at its own lodging: at most a[d] of them, the day
    starting at a lodging, and a team starts at most as many days at a lodging as it has nights out."""
    a = solver.NumVar(0.0, 1.0, "")
    if team not in nights:
        nights[team] = solver.Constraint(-solver.infinity(), float(most_nights))
    nights[team].SetCoefficient(a, 1.0)
    free = solver.Constraint(-solver.infinity(), 0.0)
    free.SetCoefficient(a, -1.0)
    return free


def _drives(c: Compiled, i: int, sites: list[int], day_places: dict[int, tuple[int, int]], lodge: bool,
            nearest: dict[int, np.ndarray] | None = None, deadline: float | None = None) -> tuple[list[int], int]:
    """Cheapest drive into each site from team-day i's start or another site it reaches, and its
    shortest return. A team that may stay out starts at its base or at a lodging, which may be any
    site it may visit, and may end the day at one: its drives in are from its base or any other
    site it may visit, no return. `nearest` keeps those per team between its days."""
    td = c.team_days[i]
    dur = c.duration[c.scenario.teams[td.team].vehicle]
    points = np.array([c.site_point(s) for s in sites])
    if lodge:
        nearest = {} if nearest is None else nearest
        if td.team not in nearest:
            nearest[td.team] = _nearest_other(c, td.team, deadline)
        from_sites = nearest[td.team][sites]
    else:
        from_sites = _min_into(dur, points, points, deadline)
    start, end = (td.team, None) if lodge else day_places[i]
    into = np.minimum(from_sites, dur[start, points])
    return into.tolist(), 0 if end is None else int(dur[points, end].min())


BLOCK = 1 << 21  # pairs read at a time (travel may be computed on demand, never the whole matrix)


class _OutOfTime(Exception):
    """The bound's deadline passed while it was being built."""


def _min_into(dur: Any, origins: np.ndarray, points: np.ndarray, deadline: float | None = None) -> np.ndarray:
    """Per point: the cheapest drive into it from one of `origins` other than itself (int64)."""
    best = np.full(len(points), np.iinfo(np.int64).max, dtype=np.int64)
    step = max(1, BLOCK // max(1, len(points)))
    for k in range(0, len(origins), step):
        if deadline is not None and time.monotonic() > deadline:
            raise _OutOfTime
        rows = origins[k : k + step]
        block = dur[np.ix_(rows, points)].astype(np.int64)
        block[rows[:, None] == points[None, :]] = np.iinfo(np.int64).max
        np.minimum(best, block.min(axis=0), out=best)
    return best


def _nearest_other(c: Compiled, team: int, deadline: float | None = None) -> np.ndarray:
    """Per site (of all): the cheapest drive into it from another site the team may visit (int64)."""
    own = c.n_teams + np.nonzero(c.compatible[team])[0]
    out = np.full(len(c.scenario.sites), np.iinfo(np.int64).max, dtype=np.int64)
    out[own - c.n_teams] = _min_into(c.duration[c.scenario.teams[team].vehicle], own, own, deadline)
    return out
