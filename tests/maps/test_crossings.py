"""Crossings on the maps: dashed lines on the overview, and on a field page the crossing each leg
takes with the departure the team catches."""

from __future__ import annotations

import json
import re

import pytest

from maps.crossings import crossing_label, crossing_lines, leg_notes
from maps.field import field_map
from maps.overview import overview_map
from tests.planner.solver_cases import solve, team
from tests.planner.test_crossings import ferry, islands


def test_every_crossing_is_a_line_with_an_escaped_label():
    sc = islands([ferry(name="Feri <b>A</b> & B", departures={}, every_min=60, cost_idr=45000)])
    lines = crossing_lines(sc, "id")
    assert lines[0]["ll"] == [[sc.crossings[0].a_lat, sc.crossings[0].a_lon], [sc.crossings[0].b_lat, sc.crossings[0].b_lon]]
    assert "Feri &lt;b&gt;A&lt;/b&gt; &amp; B" in lines[0]["label"] and "<b>A</b>" not in lines[0]["label"]
    assert "setiap 60 menit" in lines[0]["label"] and "Rp 45.000" in lines[0]["label"]
    assert "every 60 min" in crossing_label(sc.crossings[0], "en")


@pytest.fixture(scope="module")
def ferried():
    sc = islands([ferry(name="Feri Selat", every_min=None, departures={d: tuple(range(6 * 60, 18 * 60, 60)) for d in
                                                                       ("mon", "tue", "wed", "thu", "fri", "sat")})],
                 [team("T1", 3, island="M", max_drive_min=400)])
    return sc, solve(sc)


@pytest.mark.slow
def test_field_page_names_the_crossing_and_the_departure_to_catch(ferried):
    sc, plan = ferried
    crossing_days = [td for td in plan.team_days if any(s.site_id.startswith("S") for s in td.stops)]
    assert crossing_days, "the ferry should take the team to the small island"
    td = crossing_days[0]
    notes = leg_notes(sc, td, "car", "id")
    assert len(notes) == len(td.stops) + 1
    first = next(k for k, s in enumerate(td.stops) if s.site_id.startswith("S"))
    assert notes[first].lines and notes[first].lines[0].startswith("Feri Selat: berangkat ")
    depart = re.search(r"berangkat (\d\d):00", notes[first].lines[0])
    assert depart and 6 <= int(depart.group(1)) < 18  # on the hour, within the sailing hours
    leave = td.depart_min if first == 0 else td.stops[first - 1].end_min
    assert int(depart.group(1)) * 60 >= leave  # not before the team leaves
    html = field_map(sc, plan, td.team_id, td.date)
    assert "Feri Selat: berangkat" in html and '"crossings":[[[' in html
    drawn = json.loads(re.search(r'"crossings":(\[\[\[.*?\]\]\])', html).group(1))
    used = {seg for n in notes for seg in map(lambda ab: tuple(sorted(ab)), n.segments)}
    assert len(drawn) == len(used) == 1  # there and back over one ferry: one dashed line, not two
    assert "Feri Selat: departs" in field_map(sc, plan, td.team_id, td.date, lang="en")


@pytest.mark.slow
def test_overview_draws_crossings_dashed(ferried):
    sc, plan = ferried
    html = overview_map(sc, plan).get_root().render()
    assert "Feri Selat" in html and '"dashArray": "8 8"' in html
