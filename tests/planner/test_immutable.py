"""The solver's data does not change under it: `Compiled` and `PartInstance` are frozen, the compiled
matrices read-only, and the re-plan's warm start makes new parts instead of editing the built ones."""

from __future__ import annotations

import dataclasses
import datetime as dt
import pickle

import numpy as np
import pytest

from planner.compile.instance import compile_scenario
from planner.io.outcomes import KitDown, Outcomes
from planner.replan.facts import apply_facts
from planner.replan.kept import freeze
from planner.replan.rest import previous_places, rest_week
from planner.replan.warm import ReplanOptions, _old_routes, _prepared
from planner.solve.parts import build_instance, regency_parts
from tests.planner.builders import tiny_plan, tiny_provider, tiny_scenario


def test_compiled_is_frozen_and_its_arrays_read_only() -> None:
    c = compile_scenario(tiny_scenario(), tiny_provider())
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.sizes = []  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.team_days[0].work_start = 0  # type: ignore[misc]
    profile = next(iter(c.duration))
    for array in (c.duration[profile], c.distance[profile], c.compatible, c.weight, c.lat):
        with pytest.raises(ValueError, match="read-only"):
            array[0] = array[0]
    sizes = [list(s) for s in c.sizes]
    shorter = dataclasses.replace(c, sizes=[s[:1] for s in c.sizes])  # a step that needs other data
    assert shorter is not c and c.sizes == sizes


def test_the_replan_warm_start_leaves_the_built_part_as_it_was() -> None:
    sc, plan = tiny_scenario(), tiny_plan()
    first = plan.team_days[0]
    kit = sc.team_by_id()[first.team_id].kits[0].id
    outcomes = Outcomes(outcomes=(KitDown(kit_id=kit, date=first.date),))
    from_time = dt.datetime.combine(first.date, dt.time(7, 0))
    kept, frozen = freeze(sc, plan, outcomes, from_time)
    c = compile_scenario(apply_facts(sc, outcomes, frozen), tiny_provider())
    rest = rest_week(c, kept, frozen.first_date, from_time, previous_places(c, plan))
    options = ReplanOptions()
    built = [build_instance(rest.c, p, rest.done.copy(), rest.places, 0) for p in regency_parts(rest.c)]
    assert built, "the case has a part to warm-start"
    for inst in built:
        before = pickle.dumps(inst)
        new = _prepared(rest.c, inst, rest, _old_routes(plan, kept), options)
        assert pickle.dumps(inst) == before, "the warm start changed the part it was given"
        assert new is not inst and new.order_same_site and new.initial_routes is not None
        with pytest.raises(dataclasses.FrozenInstanceError):
            new.move_penalty = 0  # type: ignore[misc]
        assert np.all(new.visit_people > 0)
