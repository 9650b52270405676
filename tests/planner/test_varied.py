"""Varied synthetic provinces (`jemput synth --varied`): seeded, loadable, and of the promised make-up."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.io.load import load_scenario
from planner.national.varied import ProvinceSpec, varied_specs, write_varied


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_specs_span_the_promised_range_and_shapes():
    specs = varied_specs(12, seed=3)
    assert all(10 <= s.regencies <= 40 and 1_000 <= s.sites <= 9_000 for s in specs)
    assert {s.shape for s in specs} == {"compact", "long", "scattered"}
    assert len({s.code for s in specs}) == 12


def test_same_seed_same_files(tmp_path: Path):
    spec = [ProvinceSpec("80", 10, 500, "scattered", 5)]
    write_varied(tmp_path / "a", spec)
    write_varied(tmp_path / "b", spec)
    assert _files(tmp_path / "a") == _files(tmp_path / "b")


@pytest.mark.parametrize("shape", ["compact", "long", "scattered"])
def test_a_province_loads_with_a_city_river_regencies_boats_and_teams_that_stay_out(tmp_path: Path, shape: str):
    [path] = write_varied(tmp_path, [ProvinceSpec("81", 12, 1_200, shape, 1)])
    sc = load_scenario(path)
    assert len(sc.sites) == 1_200
    regencies = {s.regency_code for s in sc.sites}
    assert len(regencies) == 12 and {t.regency_code for t in sc.teams if t.regency_code} == regencies
    per_regency = {r: sum(s.regency_code == r for s in sc.sites) for r in regencies}
    assert per_regency["81.01"] >= 100  # the city: a tenth of the sites
    river = {s.regency_code for s in sc.sites if s.access.value == "river"}
    boats = {t.regency_code for t in sc.teams if t.vehicle.value == "boat"}
    assert river and river <= boats
    assert any(t.max_nights_out > 0 for t in sc.teams if t.vehicle.value != "boat")
    assert any(not t.regency_code for t in sc.teams)  # a provincial team


def test_bad_specs_are_refused():
    with pytest.raises(ValueError, match="shape"):
        ProvinceSpec("80", 10, 500, "round", 0)
    with pytest.raises(ValueError, match="sites"):
        ProvinceSpec("80", 10, 50, "long", 0)
