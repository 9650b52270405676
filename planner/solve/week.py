"""Plan a week: compile, choose overnight trips, solve the parts (in parallel), assemble the `Plan`.

Stage 1 solves every regency office's part; stage 2 gives the provincial teams what is left.
Same scenario + seed + limits → same plan (each part's search is single-threaded).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from planner import units

from planner.solve.assemble import Visit, build_team_day, week_plan
from planner.solve.backends import Backend, InProcessBackend, ProcessPoolBackend, TaskError
from planner.solve.budget import Clock
from planner.check.bound import upper_bound
from planner.check.bound_thread import RelaxedBounds, lp_bound_later
from planner.compile.capacity import expected_people
from planner.compile.instance import Compiled, compile_scenario
from planner.check.kpis import compute_kpis
from planner.model import Scenario
from planner.solve.parts import PartSpec, build_instance, places, provincial_part, regency_parts
from planner.plan import Plan, SolveInfo, TeamDay
from planner.compile.reach import reach_matrix
from planner.check.reasons import unserved
from planner.solve.problem import PartInstance, PartResult
from planner.solve.portfolio import solve_portfolio
from planner.solve.routing import solve_part
from planner.compile.travel import TravelProvider
from planner.solve.trips import plan_trips

PROVINCIAL_MAX_SITES = 600  # candidate sites for the provincial teams, most valuable first
# candidate sites for one regency office's teams, most valuable first: a city of 2,000 villages would
# make a routing model of ~7,600 visit nodes (transit matrices of GBs, a 12 s greedy start) for teams
# that make about a hundred visits a week; every bundled regency has fewer (at most 474, Jawa Timur)
REGENCY_MAX_SITES = 600


@dataclass(frozen=True)
class ProgressEvent:
    done: int
    total: int
    message: str


ProgressFn = Callable[[ProgressEvent], None]


@dataclass(frozen=True)
class SolveOptions:
    time_limit_s: float = units.DEFAULT_TIME_LIMIT_S
    seed: int = units.DEFAULT_SEED
    workers: int | None = None  # processes for the parts; None = CPU count, 1 = in this process
    max_solutions: int | None = None  # a deterministic limit on improving solutions per part
    # where the regency parts run (planner.solve.backends); None = a process pool of `workers` (1 = here).
    # Not owned: the caller closes it. Per-part time shares use `workers`, else the backend's slots.
    backend: Backend | None = field(default=None, compare=False)
    lp_bound: bool = True  # also solve the LP bound beside the search (a campaign's weeks skip it: seconds each)
    # a part searched alone (a one-part week, the provincial stage) runs as a portfolio of searches on
    # `workers` processes, the best kept (planner.solve.portfolio); off: one search, the fair one-thread figure
    portfolio: bool = False
    # when the command began (`time.time()`, e.g. the CLI process's creation): the time before
    # `plan_week` counts against the limit too; None = from the call (planner.solve.budget)
    started_at: float | None = None


class PartFailed(RuntimeError):
    """A part's search raised (in whatever process or cluster worker it ran)."""


def plan_week(
    scenario: Scenario,
    options: SolveOptions = SolveOptions(),
    provider: TravelProvider | None = None,
    progress: ProgressFn | None = None,
    scenario_file: str | None = None,
) -> Plan:
    """The week's plan for every team of the scenario (see module doc)."""
    t0 = time.monotonic()
    clock = Clock(options.started_at)
    report = progress or (lambda e: None)
    c = compile_scenario(scenario, provider)
    trips = plan_trips(c)
    day_places = places(c, trips)
    specs = regency_parts(c)
    prov = provincial_part(c)
    total = len(specs) + (1 if prov else 0) + 1
    report(ProgressEvent(0, total, f"compiled {len(scenario.sites)} sites, {len(c.team_days)} team-days"))
    search = clock.search_s(options.time_limit_s, len(scenario.sites))
    # solved while the parts search, never past the search's end
    lp = (lp_bound_later(c, reach_matrix(c, day_places), day_places, time.monotonic() + search, not options.max_solutions)
          if options.lp_bound else RelaxedBounds)
    visits, routes = solve_stages(c, specs, prov, day_places, replace(options, time_limit_s=search), report=report, total=total)
    plan = _assemble(c, day_places, visits, options, routes, time.monotonic() - t0, scenario_file, lp())
    report(ProgressEvent(total, total, "plan assembled"))
    return plan


def solve_stages(
    c: Compiled,
    specs: list[PartSpec],
    prov: PartSpec | None,
    day_places: dict[int, tuple[int, int]],
    options: SolveOptions,
    done: np.ndarray | None = None,
    prepare: Callable[[PartInstance], PartInstance] = lambda inst: inst,
    report: ProgressFn = lambda e: None,
    total: int = 0,
) -> tuple[dict[int, list[Visit]], list[PartResult]]:
    """Stage 1: every regency office's part, in parallel; stage 2: the provincial teams on what is left.

    `done` counts visits already made per site (a re-plan's kept visits; updated in place);
    `prepare` adjusts each part's instance before its search (a re-plan's warm start).
    """
    done = np.zeros(len(c.scenario.sites), dtype=np.int64) if done is None else done
    before = done.copy()
    last_day = np.zeros(len(c.scenario.sites), dtype=np.int64)
    stage_end = time.monotonic() + options.time_limit_s
    stage1 = 1.0 - provincial_share(c, prov, _slots(options, len(specs))) if prov else 1.0
    insts = [prepare(build_instance(c, p, done, day_places, options.seed, REGENCY_MAX_SITES)) for p in specs]
    budget = max(0.0, stage_end - time.monotonic() - options.time_limit_s * (1 - stage1))
    results = _run_parts(insts, options, budget, total or len(insts) + 1, report)
    visits = _collect(c, insts, results, done, last_day)
    if prov:
        min_day = np.where(done > before, last_day + 1, 0)  # repeat visits come on later days
        inst = prepare(build_instance(c, prov, done, day_places, options.seed, PROVINCIAL_MAX_SITES, min_day))
        res = solve_alone(inst, max(0.0, stage_end - time.monotonic()), options)
        report(ProgressEvent(len(specs) + 1, total, f"{prov.name}: done"))
        visits.update(_collect(c, [inst], [res], done, last_day))
        results.append(res)
    return visits, results


PROVINCIAL_SHARE = (0.1, 0.3)  # the provincial stage's share of the search time: at least, at most


def provincial_share(c: Compiled, prov: PartSpec, slots: int) -> float:
    """The provincial stage's share of the search time: its team-days against the regency teams'
    per worker (they search in parallel), within `PROVINCIAL_SHARE`. Its search converges early
    (bench/results/stall.md, Jambi: its best at 1–2 s of 14): a fixed 30% mostly went unused."""
    days = sum(1 for td in c.team_days if td.team in prov.teams)
    share = days / max(1.0, (len(c.team_days) - days) / max(1, slots) + days)
    return min(PROVINCIAL_SHARE[1], max(PROVINCIAL_SHARE[0], share))


def _slots(options: SolveOptions, n_parts: int) -> int:
    """How many parts run at once (as `_run_parts` runs them)."""
    if options.workers:
        return options.workers
    if options.backend is not None:
        return options.backend.slots
    return 1 if n_parts <= 1 else os.cpu_count() or 1


def _run_parts(insts: list[PartInstance], options: SolveOptions, budget: float, total: int, report: ProgressFn) -> list[PartResult]:
    """Solve parts on the backend within `budget` seconds of wall time from now (see `part_schedule`)."""
    if options.portfolio and options.backend is None and len(insts) == 1:
        res = solve_alone(insts[0], budget, options)
        report(ProgressEvent(1, total, f"{insts[0].name}: done"))
        return [res]
    workers = options.workers or os.cpu_count() or 1
    backend = options.backend
    if backend is None:
        backend = InProcessBackend() if workers == 1 or len(insts) <= 1 else ProcessPoolBackend(workers)
    parallel = options.workers or backend.slots
    order, starts, ends = part_windows([part_weight(i) for i in insts], parallel, budget)
    now = time.time()
    jobs = [(insts[i], PartDeadline(now + starts[i], now + ends[i], now + budget), options.max_solutions) for i in order]
    out: list[PartResult | None] = [None] * len(insts)
    for k, (j, res) in enumerate(backend.map(solve_part_job, jobs)):
        i = order[j]
        if isinstance(res, TaskError):
            raise PartFailed(f"{insts[i].name}: {res.reason}")
        out[i] = res
        report(ProgressEvent(k + 1, total, f"{insts[i].name}: done"))
    return out  # type: ignore[return-value]


def solve_alone(inst: PartInstance, seconds: float, options: SolveOptions) -> PartResult:
    """A part with the machine to itself: a portfolio on `workers` processes when the options ask, else here."""
    workers = options.workers or os.cpu_count() or 1
    if options.portfolio and workers > 1:
        return solve_portfolio(inst, seconds, options.max_solutions, workers)
    return solve_part(inst, seconds, max_solutions=options.max_solutions)


def part_weight(inst: PartInstance) -> float:
    """How much search a part deserves: its visit nodes times (the log of) its team-days."""
    return max(1.0, len(inst.visit_site)) * np.log2(2 + len(inst.vehicles)) if inst.vehicles else 0.0


def part_schedule(weights: list[float], slots: int, budget: float) -> tuple[list[int], list[float]]:
    """The order to start parts in (heaviest first) and each part's planned end, in seconds from now
    (`part_windows` without the starts)."""
    order, _starts, ends = part_windows(weights, slots, budget)
    return order, ends


def part_windows(weights: list[float], slots: int, budget: float) -> tuple[list[int], list[float], list[float]]:
    """The order to start parts in (heaviest first) and each part's planned start and end, in seconds from now.

    Each part gets time in proportion to its weight; the parts are laid out on `slots` parallel
    workers (longest first, each to the slot free first) and the times scaled so the last one ends
    at `budget`. When parts actually start is up to the searches (`PartDeadline`).
    """
    n = len(weights)
    if n == 0:
        return [], [], []
    w = np.asarray(weights, dtype=float)
    order = sorted(range(n), key=lambda i: (-w[i], i))
    share = budget * min(slots, n) * w / max(w.sum(), 1e-9)
    free = [0.0] * max(1, min(slots, n))
    starts, ends = [0.0] * n, [0.0] * n
    for i in order:
        k = int(np.argmin(free))
        starts[i] = free[k]
        free[k] += share[i]
        ends[i] = free[k]
    scale = budget / max(max(free), 1e-9)
    return order, [s * scale for s in starts], [e * scale for e in ends]


@dataclass(frozen=True)
class PartDeadline:
    """A part's planned window and the stage's deadline (wall clock, `time.time()`).

    Time is shared by progress: a part gets the share of the time left until the stage's end that its
    planned window had of the time left at its planned start. A part that starts early (the parts
    before it stopped early: converged, `planner.solve.stall`, or small) takes its share of the time
    they freed and leaves the rest to the parts after it; one that starts late gives up its share of
    the delay; the last part on a worker runs to the stage's end, and none runs past it.
    """

    planned_start: float
    planned_end: float
    stage_end: float

    def seconds_left(self, now: float | None = None) -> float:
        """Search time for a part starting `now` (default: the clock)."""
        now = time.time() if now is None else now
        left = self.stage_end - now
        if left <= 0:
            return 0.0
        share = (self.planned_end - self.planned_start) / max(self.stage_end - self.planned_start, 1e-9)
        return left * min(1.0, max(0.0, share))


def solve_part_job(job: tuple[PartInstance, PartDeadline | float, int | None]) -> PartResult:
    """One part's search from a picklable (instance, deadline or seconds, max_solutions) job: what backends run."""
    inst, limit, max_solutions = job
    seconds = limit.seconds_left() if isinstance(limit, PartDeadline) else limit
    return solve_part(inst, seconds, None, max_solutions)


def _collect(c: Compiled, insts: list[PartInstance], results: list[PartResult], done: np.ndarray, last_day: np.ndarray) -> dict[int, list[Visit]]:
    """Visits per team-day from the routes; counts visits made so later stages continue after them."""
    out: dict[int, list[Visit]] = {}
    for inst, res in zip(insts, results):
        for v, route in zip(inst.vehicles, res.routes):
            seq = []
            for node in route:
                k = node - inst.n_depots
                s = int(inst.visit_site[k])
                seq.append(Visit(s, int(inst.visit_no[k]), int(inst.visit_people[k])))
                done[s] = max(done[s], int(inst.visit_no[k]))
                last_day[s] = max(last_day[s], v.day)
            out[v.team_day] = seq
    return out


def renumber_visits(
    c: Compiled,
    visits: dict[int, list[Visit]],
    made: dict[int, int] | None = None,
    remaining: dict[int, int] | None = None,
) -> dict[int, list[Visit]]:
    """Number each site's visits by date and set their people by the falling-turnout rule.

    The search sizes every visit in advance; here the k-th visit by date records
    min(what its planned time fits, turnout × decay^(k-1) × what remains), so a plan never
    expects more than the rule allows. Visits left with nobody to record are removed. `made` and
    `remaining` (per site) count visits made before these and the people they left (a re-plan's
    kept visits, `planner.replan.assembly`); default none and every site's unrecorded people.
    """
    order = sorted(  # by date, then the search's number: the routing model keeps numbers in date order
        ((c.team_days[i].day, i, pos, v) for i, seq in visits.items() for pos, v in enumerate(seq)),
        key=lambda x: (x[0], x[3].visit_no, x[1], x[2]),
    )
    left = {s: site.unrecorded for s, site in enumerate(c.scenario.sites)} if remaining is None else dict(remaining)
    count: dict[int, int] = dict(made or {})
    out: dict[int, list[Visit]] = {i: [] for i in visits}
    kept = {}
    for _day, i, pos, v in order:
        k = count.get(v.site, 0) + 1
        people = expected_people(c.scenario.sites[v.site], c.scenario.visits, k, left[v.site], v.people)
        if people <= 0:
            continue
        count[v.site] = k
        left[v.site] -= people
        kept[(i, pos)] = Visit(v.site, k, people)
    for i, seq in visits.items():
        out[i] = [kept[(i, pos)] for pos in range(len(seq)) if (i, pos) in kept]
    return out


def _assemble(c: Compiled, day_places: dict[int, tuple[int, int]], visits: dict[int, list[Visit]], options: SolveOptions,
              results: list[PartResult], wall: float, scenario_file: str | None, lp: RelaxedBounds = RelaxedBounds()) -> Plan:
    visits = renumber_visits(c, visits)
    team_days: list[TeamDay] = []
    dropped = 0
    for i in range(len(c.team_days)):
        td, lost = build_team_day(c, i, day_places[i], list(visits.get(i, [])))
        dropped += len(lost)
        if td is not None:
            team_days.append(td)
    undone = unserved(c, team_days, day_places, (i for r in results if r.out_of_time for i in r.team_days))
    bound = upper_bound(c, undone.reach, day_places)
    status = ", ".join(sorted({r.status for r in results})) or "empty"
    if dropped:
        status += f"; {dropped} visits dropped while timing routes"
    solve = SolveInfo(
        seed=options.seed, time_limit_s=options.time_limit_s, wall_s=round(wall, 2), parts=len(results),
        status=status, parts_out_of_time=sorted(r.name for r in results if r.out_of_time),
    )
    kpis = compute_kpis(c.scenario, team_days, bound, len(undone.left_out), lp.lp, lp.whole_days)
    return week_plan(c.scenario, team_days, undone.left_out, undone.idle, kpis, solve, scenario_file)
