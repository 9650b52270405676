"""Regency and district boundaries of any province, given with the scenario (issue 13): loaded with the
file named in every problem, kept in the scenario, drawn by the overview's coverage layers."""

from __future__ import annotations

import json
from pathlib import Path

import folium
import pytest

from maps.overview import overview_map
from planner.io.load import load_scenario
from planner.io.problems import ScenarioError
from planner.national.varied import ProvinceSpec, write_varied
from planner.solve.week import SolveOptions, plan_week


def _box(lat0: float, lon0: float, lat1: float, lon1: float) -> dict:
    return {"type": "Polygon", "coordinates": [[[lon0, lat0], [lon1, lat0], [lon1, lat1], [lon0, lat1], [lon0, lat0]]]}


def _province(tmp_path: Path) -> tuple[Path, dict[str, list[float]]]:
    [path] = write_varied(tmp_path, [ProvinceSpec("84", 2, 40, "compact", 4)])
    import pandas as pd

    sites = pd.read_csv(path.parent / "sites.csv", dtype={"regency_code": str})
    boxes = {code: [g.lat.min() - 0.05, g.lon.min() - 0.05, g.lat.max() + 0.05, g.lon.max() + 0.05]
             for code, g in sites.groupby("regency_code")}
    return path, boxes


def _write(path: Path, features: list[dict]) -> None:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")


def _with_key(scenario: Path, key: str, file: str) -> None:
    scenario.write_text(scenario.read_text(encoding="utf-8") + f"{key}: {file}\n", encoding="utf-8")


def test_a_provinces_own_regency_boundaries_colour_the_overview(tmp_path: Path):
    path, boxes = _province(tmp_path)
    _write(path.parent / "kab.geojson", [{"type": "Feature", "properties": {"code": code, "name": f"Kabupaten <{code}>"},
                                          "geometry": _box(*box)} for code, box in boxes.items()])
    _with_key(path, "regency_boundaries", "kab.geojson")
    sc = load_scenario(path)
    assert sorted(a.code for a in sc.areas) == sorted(boxes) and {a.level for a in sc.areas} == {"regency"}
    plan = plan_week(sc, SolveOptions(time_limit_s=5, workers=1, max_solutions=5))
    layers = {g.layer_name: g for g in _children(overview_map(sc, plan), folium.GeoJson)}
    regency = layers["Cakupan per kabupaten/kota"]
    assert sorted(f["properties"]["code"] for f in regency.data["features"]) == sorted(boxes)
    assert all("&lt;" in f["properties"]["label"] and "<84" not in f["properties"]["label"] for f in regency.data["features"])


def test_bad_boundaries_name_the_file_and_the_row(tmp_path: Path):
    path, boxes = _province(tmp_path)
    code, box = next(iter(boxes.items()))
    _write(path.parent / "kec.geojson", [{"type": "Feature", "properties": {"code": ""}, "geometry": _box(*box)}])
    _with_key(path, "district_boundaries", "kec.geojson")
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert "kec.geojson" in str(err.value) and "empty code" in str(err.value)


def test_missing_boundaries_file_is_an_error(tmp_path: Path):
    path, _ = _province(tmp_path)
    _with_key(path, "regency_boundaries", "nowhere.geojson")
    with pytest.raises(ScenarioError, match="regency_boundaries file not found"):
        load_scenario(path)


def _children(m: folium.Map, kind: type) -> list:
    out, stack = [], [m]
    while stack:
        node = stack.pop()
        for child in node._children.values():
            if isinstance(child, kind):
                out.append(child)
            stack.append(child)
    return out
