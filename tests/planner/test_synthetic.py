"""Synthetic national scenarios: seeded copies of Jambi with its structure, moved and renamed per province."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner import units
from planner.io.bundled import jambi_scenario_path
from planner.io.load import load_scenario
from planner.national.synthetic import cell_offsets, province_codes, write_national


@pytest.fixture(scope="module")
def jambi():
    return load_scenario(jambi_scenario_path())


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_same_seed_same_files_other_seed_other_people(tmp_path: Path) -> None:
    a = write_national(tmp_path / "a", 2, seed=7, regencies=["15.72"])
    write_national(tmp_path / "b", 2, seed=7, regencies=["15.72"])
    write_national(tmp_path / "c", 2, seed=8, regencies=["15.72"])
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    assert _files(tmp_path / "a") != _files(tmp_path / "c")
    assert [p.parent.name for p in a] == ["prov-15", "prov-11"]


def test_provinces_keep_jambi_structure_with_their_own_codes(tmp_path: Path, jambi) -> None:
    paths = write_national(tmp_path, 2, seed=0)
    copy = load_scenario(paths[1])  # code 11, moved away from Jambi
    assert len(copy.sites) == len(jambi.sites) and len(copy.teams) == len(jambi.teams)
    assert len(copy.district_offices) == len(jambi.district_offices)
    assert sum(len(t.kits) for t in copy.teams) == sum(len(t.kits) for t in jambi.teams)
    assert {s.kind for s in copy.sites} == {s.kind for s in jambi.sites}
    assert all(s.id[1:3] == "11" and s.regency_code.startswith("11.") and s.province_code == "11" for s in copy.sites)
    assert {t.regency_code for t in copy.teams} == {t.regency_code.replace("15.", "11.", 1) for t in jambi.teams}
    assert "T11-PROV" in {t.id for t in copy.teams}
    moved = [c.lat - j.lat for c, j in zip(copy.sites, jambi.sites)]
    assert max(moved) - min(moved) <= 0.011  # one offset for the whole province, plus a small jitter
    assert abs(sum(moved) / len(moved)) > 1.0
    for s in copy.sites:
        assert units.INDONESIA_LAT[0] <= s.lat <= units.INDONESIA_LAT[1]
        assert units.INDONESIA_LON[0] <= s.lon <= units.INDONESIA_LON[1]
    ratio = sum(s.unrecorded for s in copy.sites) / sum(s.unrecorded for s in jambi.sites)
    assert 0.9 < ratio < 1.15 and copy.sites != jambi.sites


def test_codes_and_cells_cover_the_national_programme() -> None:
    codes = province_codes(38)
    assert len(set(codes)) == 38 and codes[0] == "15" and all(len(c) == 2 and c.isdigit() for c in codes)
    cells = cell_offsets()
    assert cells[0] == (0.0, 0.0) and len(set(cells)) == len(cells) >= 38
    with pytest.raises(ValueError, match="provinces must be between"):
        province_codes(len(cells) + 1)


def test_unknown_regency_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not regencies of Jambi: 99.01"):
        write_national(tmp_path, 1, regencies=["99.01"])
