"""Backends: the same parts give the same plan in this process, a process pool and a real Dask
LocalCluster (2 worker processes); a piece that raises is reported and the others finish."""

from __future__ import annotations

import json

import pytest

from planner.solve.backends import (
    DaskBackend,
    InProcessBackend,
    ProcessPoolBackend,
    TaskError,
    backend_from_spec,
)
from planner.io.load import load_scenario
from planner.solve.week import SolveOptions, plan_week
from planner.national.synthetic import write_national
from planner.check.validate import validate_plan


@pytest.fixture(scope="module")
def dask_backend():
    """A real distributed.LocalCluster: 2 worker processes, one thread each."""
    backend = DaskBackend(local_workers=2)
    yield backend
    backend.close()


@pytest.fixture(scope="module")
def two_regency_scenario(tmp_path_factory):
    """A synthetic province of two Jambi regencies: two regency parts and the provincial team."""
    folder = tmp_path_factory.mktemp("synth")
    (path,) = write_national(folder, 1, seed=3, regencies=["15.72", "15.71"])
    return load_scenario(path)


def _plan_fields(plan) -> dict:
    """The plan without its wall-clock time (the only field allowed to differ between runs)."""
    data = json.loads(plan.model_dump_json())
    data["solve"].pop("wall_s")
    return data


@pytest.mark.parametrize(
    "spec, kind, slots",
    [("inprocess", InProcessBackend, 1), ("processes:3", ProcessPoolBackend, 3), ("local:4", DaskBackend, None)],
)
def test_specs_name_backends(spec, kind, slots) -> None:
    b = backend_from_spec(spec)
    assert isinstance(b, kind)
    if slots is not None:
        assert b.slots == slots
    if isinstance(b, DaskBackend):
        assert b.local_workers == 4 and b.address is None and b._client is None  # nothing started yet


def test_scheduler_address_and_empty_spec() -> None:
    b = backend_from_spec("tcp://10.0.0.5:8786")
    assert isinstance(b, DaskBackend) and b.address == "tcp://10.0.0.5:8786"
    assert backend_from_spec(None) is None
    assert backend_from_spec("  ") is None


@pytest.mark.parametrize("spec", ["local:0", "local:two", "inprocess:2", "yarn", "processes:-1"])
def test_bad_specs_say_what_is_accepted(spec) -> None:
    with pytest.raises(ValueError, match="backend spec|unknown backend"):
        backend_from_spec(spec)


@pytest.mark.parametrize("backend", [InProcessBackend(), ProcessPoolBackend(2)], ids=["inprocess", "processes"])
def test_a_raising_item_is_reported_and_the_others_finish(backend) -> None:
    got = dict(backend.map(int, ["1", "x", "3"]))
    assert got[0] == 1 and got[2] == 3
    assert isinstance(got[1], TaskError) and got[1].kind == "ValueError" and "'x'" in got[1].message


@pytest.mark.slow
def test_dask_reports_a_remote_error_and_finishes_the_rest(dask_backend) -> None:
    got = dict(dask_backend.map(int, ["7", "not a number", "9", "11"]))
    assert {k: v for k, v in got.items() if k != 1} == {0: 7, 2: 9, 3: 11}
    assert isinstance(got[1], TaskError) and got[1].kind == "ValueError"
    assert dask_backend.slots == 2


@pytest.mark.slow
def test_same_plan_on_every_backend(two_regency_scenario, dask_backend) -> None:
    """max_solutions makes each part's search end on its own: bit-identical plans across backends."""
    sc = two_regency_scenario
    base = dict(time_limit_s=120.0, seed=5, workers=2, max_solutions=3)
    reference = plan_week(sc, SolveOptions(**base, backend=InProcessBackend()))
    assert reference.solve.parts == 3  # two regency parts and the provincial team
    assert not validate_plan(sc, reference)
    assert reference.kpis.expected_recordings > 0
    for backend in (None, ProcessPoolBackend(2), dask_backend):
        other = plan_week(sc, SolveOptions(**base, backend=backend))
        assert _plan_fields(other) == _plan_fields(reference), getattr(backend, "name", "default")


@pytest.mark.slow
def test_a_different_seed_changes_the_search(two_regency_scenario, dask_backend) -> None:
    """The comparison above can fail: a different seed orders the visits differently."""
    sc = two_regency_scenario
    a = plan_week(sc, SolveOptions(time_limit_s=120.0, seed=5, workers=2, max_solutions=3, backend=dask_backend))
    b = plan_week(sc, SolveOptions(time_limit_s=120.0, seed=6, workers=2, max_solutions=3, backend=dask_backend))
    assert _plan_fields(a) != _plan_fields(b)


def test_part_instances_carry_their_arrays(two_regency_scenario) -> None:
    """A part needs nothing but itself: every matrix it routes on is inside the pickled instance."""
    import pickle

    import numpy as np

    from planner.compile.instance import compile_scenario
    from planner.solve.parts import build_instance, places, regency_parts
    from planner.solve.routing import PartInstance
    from planner.solve.trips import plan_trips

    c = compile_scenario(two_regency_scenario)
    day_places = places(c, plan_trips(c))
    done = np.zeros(len(c.scenario.sites), dtype=np.int64)
    for spec in regency_parts(c):
        inst = build_instance(c, spec, done, day_places, seed=0)
        copy = pickle.loads(pickle.dumps(inst))
        assert isinstance(copy, PartInstance)
        n = len(copy.node_point)
        assert all(m.shape == (n, n) for m in copy.duration.values())
        assert len(copy.allowed) == len(copy.visit_site) == n - copy.n_depots
        assert not any(isinstance(v, type(c)) for v in vars(copy).values())  # no Compiled inside
