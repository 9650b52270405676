"""Both cores on one part: a portfolio of searches with different settings, the best routes kept.

A week with one part (a literature instance, a small district) or the provincial stage, which
runs alone after the regency parts, leaves every core but one idle. The portfolio runs the same
part once per worker process, each member with its own search settings (`MEMBERS`), within the
same time limit, and keeps the member whose routes are worth the most. Member 0 is the one-thread
search as it is, so the portfolio is never worse than it on the same machine, only less
reproducible: which member wins can depend on load (bench/results/toptw_portfolio.md).
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

import planner.solve.search as search
from planner.solve.fallback import routes_value
from planner.solve.problem import PartInstance, PartResult
from planner.solve.routing import solve_part

# Settings per member, module constants set in the member's own process: (module, name, value).
# Member 1 ruins and recreates from another random stream, so the two explore different regions.
MEMBERS: tuple[tuple[tuple[str, str, object], ...], ...] = (
    (),
    (("search", "SEED", 1),),
)
_MODULES = {"search": search}


def solve_portfolio(inst: PartInstance, time_limit_s: float, max_solutions: int | None, workers: int) -> PartResult:
    """The best of `min(workers, len(MEMBERS))` searches of `inst`, each in its own process.

    With a solution limit ruin and recreate, where the members differ, does not run (`planner.solve.search`):
    the members would search alike, so the part is searched once, here."""
    n = max(1, min(workers, len(MEMBERS)))
    if n == 1 or max_solutions:
        return solve_part(inst, time_limit_s, None, max_solutions)
    with ProcessPoolExecutor(max_workers=n) as pool:
        results = list(pool.map(solve_member, [(inst, time_limit_s, max_solutions, k) for k in range(n)]))
    return best_result(inst, results)


def solve_member(job: tuple[PartInstance, float, int | None, int]) -> PartResult:
    """Member `k`'s search of the part (run in a worker process: its settings stay there)."""
    inst, seconds, max_solutions, k = job
    apply_member(k)
    res = solve_part(inst, seconds, None, max_solutions)
    res.status = f"{res.status} (portfolio member {k} of {len(MEMBERS)})"
    return res


def apply_member(k: int) -> None:
    """Set member `k`'s module constants in this process (a portfolio's worker process)."""
    for module, name, value in MEMBERS[k]:
        setattr(_MODULES[module], name, value)


def best_result(inst: PartInstance, results: list[PartResult]) -> PartResult:
    """The searched result with the lowest objective (the members share the model, so objectives
    compare); when every member kept its first plan, the one worth most. Earlier members win ties."""
    def rank(r: PartResult) -> tuple[bool, float]:
        return (not r.out_of_time, -r.objective if not r.out_of_time else routes_value(inst, r.routes))

    return max(results, key=rank)  # the first of equals
