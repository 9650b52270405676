"""A part's routing model is freed when its search ends: a callback holding the model would make a
cycle through C++ that Python's collector cannot see (every part's model leaked: Jawa Timur at 60 s,
each pool worker grew to 1.8 GB)."""

from __future__ import annotations

import gc
import weakref

import numpy as np
from ortools.constraint_solver import pywrapcp

import planner.solve.routing as routing_module
from planner.compile.instance import compile_scenario
from planner.solve.parts import build_instance, places, regency_parts
from planner.solve.trips import plan_trips
from tests.planner.solver_cases import ring, scenario, team


def test_the_routing_model_is_freed_after_the_search(monkeypatch) -> None:
    models: list[weakref.ref] = []

    class Tracked(pywrapcp.RoutingModel):
        def __init__(self, *args):
            super().__init__(*args)
            models.append(weakref.ref(self))

    monkeypatch.setattr(routing_module.pywrapcp, "RoutingModel", Tracked)
    c = compile_scenario(scenario(ring(8), [team("T1", 2)]))
    day_places = places(c, plan_trips(c))
    inst = build_instance(c, regency_parts(c)[0], np.zeros(len(c.scenario.sites), dtype=np.int64), day_places, 0, 600)
    seen: list[int] = []
    result = routing_module.solve_part(inst, 1.0, progress=lambda name, cost, s: seen.append(cost))
    gc.collect()
    assert models and any(result.routes)  # it built a model and searched (stall stop and progress callbacks on)
    assert seen and all(cost > 0 for cost in seen)  # the callbacks still read each solution's objective
    assert all(ref() is None for ref in models)
