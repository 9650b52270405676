"""Travel computed on demand (`planner.compile.table.TravelTable`) reads exactly what the dense matrices
would, and a plan made with it is the plan made with dense matrices (issue 13: memory that scales)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from planner.check.validate import format_violations, validate_plan
from planner.compile.great_circle import GreatCircleProvider
from planner.compile.instance import compile_scenario
from planner.compile.matrices import UNREACHABLE_MIN, Points, whole_minutes
from planner.compile.table import TravelTable
from planner.io.load import load_scenario
from planner.national.varied import ProvinceSpec, write_varied
from planner.solve.week import SolveOptions, plan_week


class DenseOnly:
    """The great-circle estimate without `pair_travel`: compiled as dense matrices."""

    def __init__(self) -> None:
        self.inner = GreatCircleProvider()

    def matrices(self, points, profile):
        return self.inner.matrices(points, profile)


def _points(n: int, seed: int = 0) -> Points:
    rng = np.random.default_rng(seed)
    return Points(ids=tuple(f"p{i}" for i in range(n)), lat=rng.uniform(-2.5, -0.8, n), lon=rng.uniform(101.5, 104.0, n))


def test_every_kind_of_read_equals_the_dense_matrix():
    pts = _points(300)
    gc = GreatCircleProvider()
    for profile in ("car", "motorbike", "boat"):
        m = gc.matrices(pts, profile)
        minutes, km = whole_minutes(m.duration_min, np.int32), m.distance_km.astype(np.float32)
        t_min = TravelTable(pts, gc.pair_travel(profile), "min")
        t_km = TravelTable(pts, gc.pair_travel(profile), "km")
        rows, cols = np.array([0, 5, 7, 299, 5]), np.array([3, 3, 0, 150])
        assert np.array_equal(t_min[np.ix_(rows, cols)], minutes[np.ix_(rows, cols)])
        assert np.array_equal(t_km[np.ix_(rows, cols)], km[np.ix_(rows, cols)])
        assert np.array_equal(t_min[7, cols], minutes[7, cols]) and np.array_equal(t_min[rows, 3], minutes[rows, 3])
        assert t_min[5, 150] == minutes[5, 150] and t_min[9, 9] == 0
        assert t_min[7, 3] == minutes[7, 3]  # now from the row kept
        assert t_km[12, 40] == km[12, 40]
        assert t_min[np.ix_(rows, cols)].dtype == np.int32 and t_km[1, 2].dtype == np.float32


def test_closed_pairs_read_as_impossible_and_leave_the_table_alone():
    pts = _points(50)
    t = TravelTable(pts, GreatCircleProvider().pair_travel("car"), "min")
    before = t[3, np.arange(50)].copy()
    closed = t.with_closed(frozenset({(3, 4), (4, 3)}))
    assert closed[3, 4] == closed[4, 3] == UNREACHABLE_MIN
    assert closed[3, np.arange(50)][4] == UNREACHABLE_MIN and closed[np.arange(50), 3][4] == UNREACHABLE_MIN
    assert closed[np.ix_([3, 5], [4, 6])][0, 0] == UNREACHABLE_MIN
    assert np.array_equal(t[3, np.arange(50)], before) and t[3, 4] < UNREACHABLE_MIN


@pytest.mark.slow
def test_a_province_compiles_without_dense_matrices_and_plans_exactly_as_with_them(tmp_path: Path):
    [path] = write_varied(tmp_path, [ProvinceSpec("82", 10, 200, "scattered", 2)])
    sc = load_scenario(path)
    lazy = compile_scenario(sc)
    assert all(isinstance(m, TravelTable) for m in lazy.duration.values())
    dense = compile_scenario(sc, DenseOnly())
    assert all(isinstance(m, np.ndarray) for m in dense.duration.values())
    opts = SolveOptions(time_limit_s=600, seed=0, workers=1, max_solutions=10)  # deterministic: never out of time
    a, b = plan_week(sc, opts), plan_week(sc, opts, provider=DenseOnly())
    assert a.kpis.expected_recordings > 0
    assert a.kpis == b.kpis
    assert [td.model_dump() for td in a.team_days] == [td.model_dump() for td in b.team_days]
    assert [lo.model_dump() for lo in a.left_out] == [lo.model_dump() for lo in b.left_out]
    violations = validate_plan(sc, a)
    assert violations == [], format_violations(violations)
    assert a.solve.parts_out_of_time == [] == b.solve.parts_out_of_time
