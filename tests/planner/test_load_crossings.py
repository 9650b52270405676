"""Loading the crossings table and islands: good rows become `Crossing`s, bad cells are reported at
file, row and column, and nothing is half-loaded."""

from __future__ import annotations

from pathlib import Path

from planner.io.load import validate_scenario
from planner.model import CrossingKind, VehicleProfile, Weekday
from tests.planner.test_load import GOOD, scenario_yaml, the_problem, write

HEADER = "crossing_id,kind,name,a_lat,a_lon,a_island,b_lat,b_lon,b_island,crossing_min,every_min,service,departures,departures_sun,vehicles,cost_idr\n"


def test_crossings_and_islands_load(tmp_path: Path) -> None:
    write(tmp_path / "crossings.csv", HEADER
          + "F1,ferry,Feri A–B,-1.70,103.30,A,-1.75,103.35,B,45,,,08:00 14:30,none,car;motorbike,150000\n"
          + "B1,boat,,-1.70,103.30,,-1.72,103.28,,20,60,06:00-18:00,,,motorbike,25000\n"
          + "J1,bridge,Jembatan,-1.60,103.60,A,-1.61,103.62,C,5,,,,,,\n")
    sites = (GOOD / "sites.csv").read_text(encoding="utf-8").splitlines()
    sites = [sites[0] + ",island"] + [line + ",A" for line in sites[1:]]
    write(tmp_path / "sites.csv", "\n".join(sites) + "\n")
    path = scenario_yaml(tmp_path, crossings="crossings.csv", sites=str(tmp_path / "sites.csv"))
    sc, report = validate_scenario(path)
    assert report.ok, report.format()
    f1, b1, j1 = sc.crossings
    assert f1.kind == CrossingKind.ferry and f1.crossing_min == 45 and f1.cost_idr == 150000
    assert f1.departures[Weekday.mon] == (8 * 60, 14 * 60 + 30) and Weekday.sun not in f1.departures
    assert b1.every_min == 60 and b1.service.start == 6 * 60 and b1.vehicles == {VehicleProfile.motorbike}
    assert j1.kind == CrossingKind.bridge and j1.vehicles == {VehicleProfile.car, VehicleProfile.motorbike}
    assert {s.island for s in sc.sites} == {"A"} and sc.has_islands


def test_bad_crossings_are_reported_at_their_cells(tmp_path: Path) -> None:
    write(tmp_path / "crossings.csv", HEADER
          + "F1,ferry,,-1.70,103.30,,-1.75,103.35,,45,,,8h,,,\n"           # row 2: bad departure time
          + "F1,plane,,-1.70,203.30,,-1.75,103.35,,x,,,,,,\n"              # row 3: dup id, kind, lon, minutes
          + "F3,ferry,,-1.70,103.30,,-1.75,103.35,,45,,,,,,\n"             # row 4: no sailings
          + "F4,bridge,,-1.70,103.30,,-1.75,103.35,,5,30,,,,,\n"           # row 5: a bridge with every_min
          + "F5,boat,,-1.70,103.30,,-1.75,103.35,,20,60,,,,truck,\n")      # row 6: unknown vehicle
    sc, report = validate_scenario(scenario_yaml(tmp_path, crossings="crossings.csv"))
    assert sc is None
    label = "crossings.csv"
    assert "departure times" in the_problem(report, label, 2, "departures").reason
    assert "duplicate crossing_id" in the_problem(report, label, 3, "crossing_id").reason
    assert "unknown kind" in the_problem(report, label, 3, "kind").reason
    assert "longitude" in the_problem(report, label, 3, "a_lon").reason or the_problem(report, label, 3, "a_lon")
    assert "not a number" in the_problem(report, label, 3, "crossing_min").reason
    assert "every_min or departures" in the_problem(report, label, 4, None).reason
    assert "always open" in the_problem(report, label, 5, None).reason
    assert "truck" in the_problem(report, label, 6, "vehicles").reason


def test_missing_crossing_columns_are_reported(tmp_path: Path) -> None:
    write(tmp_path / "x.csv", "crossing_id,kind\nF1,ferry\n")
    sc, report = validate_scenario(scenario_yaml(tmp_path, crossings="x.csv"))
    assert sc is None
    assert any("crossing_min" in p.reason or p.column == "crossing_min" for p in report.errors)
