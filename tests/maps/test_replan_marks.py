"""Maps of a re-planned week mark what changed at each stop (escaped like every other text)."""

from __future__ import annotations

import datetime as dt

import pytest

from maps.field import field_map
from maps.overview import overview_map
from planner.io.export import CHANGE_LABELS, change_label
from planner.io.outcomes import KitDown, Outcomes
from planner.replan.week import ReplanOptions, replan
from planner.solve.week import SolveOptions

from tests.maps.conftest import START


@pytest.mark.slow
def test_field_and_overview_maps_show_the_change_of_each_stop(scenario, plan):
    tuesday = START + dt.timedelta(days=1)
    facts = Outcomes(outcomes=(KitDown(kit_id="k1", date=tuesday),))
    new, churn = replan(scenario, plan, facts, dt.datetime.combine(tuesday, dt.time(12)),
                        ReplanOptions(solve=SolveOptions(time_limit_s=2, workers=1, max_solutions=50)))
    marked = [(td, s) for td in new.team_days for s in td.stops if change_label(s, "id")]
    assert marked and all(change_label(s) in CHANGE_LABELS["id"].values() for _, s in marked)
    td, stop = next((td, s) for td, s in marked if td.date >= tuesday)
    page = field_map(scenario, new, td.team_id, td.date, lang="en")
    assert f'<span class="change">{change_label(stop, "en")}</span>' in page
    layer = next(c for g in overview_map(scenario, new, lang="id")._children.values() for c in g._children.values()
                 if type(c).__name__ == "SiteLayer")
    details = " ".join(r[6] for r in layer.records)
    assert f"<b>{change_label(stop, 'id')}</b>" in details
    plain = field_map(scenario, plan, td.team_id, td.date)
    assert 'class="change"' not in plain.split("</style>")[-1], "a plan that is no re-plan has no marks"
