"""The bundled Jambi example: counts, places, estimates, teams and kits, and copying it out."""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import yaml

from planner import units
from planner.io import bundled
from planner.model import (
    ID_PATTERN,
    DistrictOffice,
    Horizon,
    Kit,
    Scenario,
    Shift,
    Site,
    Team,
    TimeWindow,
    Weekday,
)

DATA = bundled.jambi_dir()
START = dt.date(2026, 11, 23)
DAYS = [START + dt.timedelta(days=i) for i in range(6)]
N_VILLAGES = 1568
N_REGENCIES = 11
KOTA_JAMBI_EXTRA = 2  # LPKA and Rutan besides the Lapas
RIVER_REGENCIES = {"15.04", "15.05", "15.06", "15.07"}
UTM = 32748  # UTM 48S covers Jambi


def _csv(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / name, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def sites() -> pd.DataFrame:
    frame = _csv("sites.csv")
    frame[["lat", "lon"]] = frame[["lat", "lon"]].astype(float)
    frame["unrecorded"] = frame.unrecorded.astype(int)
    return frame


@pytest.fixture(scope="module")
def teams() -> pd.DataFrame:
    frame = _csv("teams.csv")
    frame["max_nights_out"] = frame.max_nights_out.astype(int)
    return frame


@pytest.fixture(scope="module")
def kits() -> pd.DataFrame:
    return _csv("kits.csv")


@pytest.fixture(scope="module")
def regencies() -> gpd.GeoDataFrame:
    return bundled.boundaries("regency").set_index("code")


# --------------------------------------------------------------------------- files and counts


def test_all_files_are_bundled() -> None:
    for name in (*bundled.EDITABLE_FILES, "villages.csv", "districts.geojson", "regencies.geojson",
                 "facilities.csv", "SOURCES.md"):  # fmt: skip
        assert (DATA / name).is_file(), name
    assert not (DATA / "villages.geojson").exists()  # too big to ship


def test_site_counts(sites: pd.DataFrame) -> None:
    kinds = sites.kind.value_counts()
    assert kinds["village"] == N_VILLAGES
    assert kinds["hospital"] == N_REGENCIES
    assert kinds["prison"] == N_REGENCIES + KOTA_JAMBI_EXTRA
    assert len(sites) == N_VILLAGES + 2 * N_REGENCIES + KOTA_JAMBI_EXTRA
    assert sites.groupby("regency_code").kind.apply(lambda k: (k == "prison").sum()).min() >= 1


def test_villages_match_the_source(sites: pd.DataFrame) -> None:
    source = _csv("villages.csv")
    v = sites[sites.kind == "village"].set_index("village_code").loc[source.code]
    assert (v.site_id.to_numpy() == ("V" + source.code.str.replace(".", "")).to_numpy()).all()
    assert (v.lat.to_numpy() == source.stop_lat.astype(float).round(6).to_numpy()).all()
    assert (v.district_code.to_numpy() == source.district_code.to_numpy()).all()
    assert (sites.province_code == "15").all()


def test_ids_are_unique_and_valid(sites: pd.DataFrame, teams: pd.DataFrame, kits: pd.DataFrame) -> None:
    for ids in (sites.site_id, teams.team_id, kits.kit_id):
        assert ids.is_unique
        assert ids.str.fullmatch(ID_PATTERN[1:-1]).all()


# --------------------------------------------------------------------------- places


def test_every_site_lies_in_its_regency(sites: pd.DataFrame, regencies: gpd.GeoDataFrame) -> None:
    """Villages within 0.5 km (regency outlines are simplified by 0.003°), estimated points within 2 km."""
    points = gpd.GeoSeries(gpd.points_from_xy(sites.lon, sites.lat), crs=4326).to_crs(UTM)
    shapes = regencies.to_crs(UTM).geometry
    km = [shapes[code].distance(p) / 1000 for code, p in zip(sites.regency_code, points)]
    allowed = sites.location_estimated.map({"yes": 2.0, "no": 0.5})
    too_far = sites.site_id[pd.Series(km, index=sites.index) > allowed]
    assert too_far.empty, list(too_far)


def test_institutions_are_estimated_near_the_seat_except_the_known_hospital(sites: pd.DataFrame) -> None:
    inst = sites[sites.kind != "village"]
    known = inst[inst.location_estimated == "no"]
    assert list(known.site_id) == ["H1571"] and known.name.str.contains("Raden Mattaher").all()
    seats = _csv("facilities.csv").query("facility_type == 'regency_seat'").set_index("regency_code")
    est = inst[inst.location_estimated == "yes"]
    seat_lat = seats.loc[est.regency_code, "lat"].astype(float).to_numpy()
    seat_lon = seats.loc[est.regency_code, "lon"].astype(float).to_numpy()
    dy = (est.lat.to_numpy() - seat_lat) * 110.574
    dx = (est.lon.to_numpy() - seat_lon) * 111.320 * 0.9996  # cos(-1.6°)
    km = (dx**2 + dy**2) ** 0.5
    assert ((km > 0.25) & (km < 1.1)).all()
    assert est.name.str.endswith("(perkiraan)").all() and (est.note != "").all()
    assert (sites.location_estimated[sites.kind == "village"] == "no").all()


def test_prison_and_hospital_hours(sites: pd.DataFrame) -> None:
    prisons = sites[sites.kind == "prison"]
    assert (prisons.hours == "09:00-12:00").all() and (prisons.clearance == "prison").all()
    assert (prisons.hours_fri == "closed").all() and (prisons.hours_sat == "closed").all()
    assert (sites.hours[sites.kind == "hospital"] == "09:00-14:00").all()
    assert {"Lapas Kelas IIA Jambi", "LPKA", "Rutan"} <= {
        w for n in prisons.name[prisons.regency_code == "15.71"] for w in ("Lapas Kelas IIA Jambi", "LPKA", "Rutan")
        if w in n
    }  # fmt: skip


# --------------------------------------------------------------------------- estimates


def test_unrecorded_total_is_plausible(sites: pd.DataFrame, regencies: gpd.GeoDataFrame) -> None:
    """Population × 0.70 × an 11.5 % mean share: between 5 % and 25 % of the voting-age population."""
    assert (sites.unrecorded >= 0).all()
    voting_age = 0.70 * regencies.population_total.astype(float)
    share = sites.groupby("regency_code").unrecorded.sum() / voting_age
    total_share = sites.unrecorded.sum() / voting_age.sum()
    assert 0.05 <= total_share <= 0.25
    assert abs(total_share - 0.115) < 0.002  # calibrated to Jambi's 88.5 % recorded (2017)
    assert share.between(0.045, 0.36).all()
    assert (share > 0.30).sum() >= 1  # "some regions below 70 % recorded"


def test_institution_counts_stay_in_their_ranges(sites: pd.DataFrame) -> None:
    assert sites.unrecorded[sites.kind == "prison"].between(1, 600).all()
    assert sites.unrecorded[sites.kind == "hospital"].between(1, 80).all()
    inst = sites[sites.kind != "village"].groupby("regency_code").unrecorded.sum()
    assert (inst <= 0.03 * sites.groupby("regency_code").unrecorded.sum() + 1).all()


def test_kelurahan_are_denser_than_desa(sites: pd.DataFrame) -> None:
    source = _csv("villages.csv").set_index("code")
    v = sites[sites.kind == "village"].set_index("village_code")
    density = v.unrecorded / source.loc[v.index, "area_km2"].astype(float)
    kind = source.loc[v.index, "kind"]
    assert density[kind == "kelurahan"].median() > 2 * density[kind == "desa"].median()


def test_site_requirements(sites: pd.DataFrame) -> None:
    kinds = _csv("villages.csv").set_index("code").kind
    villages = sites[sites.kind == "village"]
    desa = villages[villages.village_code.map(kinds) == "desa"]
    assert 0.03 <= (desa.electricity == "no").mean() <= 0.05
    assert (villages.electricity[villages.village_code.map(kinds) == "kelurahan"] == "yes").all()
    river = villages[villages.access == "river"]
    assert len(river) > 0 and set(river.regency_code) <= RIVER_REGENCIES
    in_river_reg = villages.regency_code.isin(RIVER_REGENCIES)
    assert 0.04 <= (villages.access[in_river_reg] == "river").mean() <= 0.08
    assert 0.02 <= (villages.access[~in_river_reg] == "motorbike").mean() <= 0.04
    assert set(sites.access) <= {"road", "river", "motorbike"} and set(sites.electricity) <= {"yes", "no"}


def test_every_site_has_a_team_that_can_serve_it(sites: pd.DataFrame, teams: pd.DataFrame) -> None:
    """Vehicle, generator and clearance: some team of the regency (or the provincial team) fits."""

    def fits(site: pd.Series, team: pd.Series) -> bool:
        return (
            team.vehicle in units.ACCESS_PROFILES[site.access]
            and (site.electricity == "yes" or team.generator == "yes")
            and (not site.clearance or site.clearance in team.clearances.split(";"))
            and team.regency_code in ("", site.regency_code)
        )

    lonely = [s.site_id for _, s in sites.iterrows() if not any(fits(s, t) for _, t in teams.iterrows())]
    assert lonely == []


def test_district_offices() -> None:
    offices = _csv("district_offices.csv")
    districts = bundled.boundaries("district")
    assert len(offices) == 144 and set(offices.district_code) == set(districts.code)
    assert set(offices.fixed_kit_working) == {"yes", "no"}
    assert 0.15 <= (offices.fixed_kit_working == "no").mean() <= 0.25


# --------------------------------------------------------------------------- teams and kits


def test_teams(teams: pd.DataFrame, regencies: gpd.GeoDataFrame) -> None:
    regional = teams[teams.regency_code != ""]
    assert regional.groupby("regency_code").size().reindex(regencies.index).between(1, 3).all()
    assert (teams.max_nights_out > 0).any()
    assert set(teams.vehicle) == {"car", "motorbike", "boat"}
    assert set(teams.regency_code[teams.vehicle == "boat"]) >= {"15.06", "15.07"}
    assert set(teams.regency_code[teams.vehicle == "motorbike"]) >= {"15.01", "15.02"}
    assert (teams.vehicle == "car").sum() > len(teams) / 2
    assert (regional[regional.clearances.str.contains("prison")].groupby("regency_code").size() == 1).all()
    assert 0.35 <= (teams.generator == "yes").mean() <= 0.65
    provincial = teams[teams.regency_code == ""]
    assert len(provincial) == 1
    p = provincial.iloc[0]
    assert p.generator == "yes" and "prison" in p.clearances and p.max_nights_out == 3
    assert (teams.max_drive_min == "240").all()


def test_team_bases_are_the_regency_seats(teams: pd.DataFrame) -> None:
    seats = _csv("facilities.csv").query("facility_type == 'regency_seat'").set_index("regency_code")
    for t in teams.itertuples():
        seat = seats.loc[t.regency_code or "15.71"]
        assert (float(t.base_lat), float(t.base_lon)) == (float(seat.lat), float(seat.lon))


def _works(kit: pd.Series, day: dt.date) -> bool:
    if kit.status == "working":
        return True
    return kit.status == "in_repair" and day > dt.date.fromisoformat(kit.repair_until)


def test_kits(teams: pd.DataFrame, kits: pd.DataFrame) -> None:
    per_team = kits.groupby("team_id").size().reindex(teams.team_id)
    assert per_team.between(2, 4).all()
    out = kits.status != "working"
    assert 0.10 <= out.mean() <= 0.35
    assert set(kits.status[out]) == {"broken", "in_repair"}
    repair = kits[kits.status == "in_repair"].repair_until.map(dt.date.fromisoformat)
    assert repair.between(DAYS[0], DAYS[-1]).all()  # they come back inside the week
    assert (kits.repair_until[kits.status != "in_repair"] == "").all()


def test_kit_availability_over_the_week(teams: pd.DataFrame, kits: pd.DataFrame) -> None:
    """No team lacks kits all week; at least one team starts with every kit out."""
    working = {
        tid: [sum(_works(k, d) for _, k in group.iterrows()) for d in DAYS] for tid, group in kits.groupby("team_id")
    }
    assert all(max(days) > 0 for days in working.values())
    assert any(days[0] == 0 and days[-1] > 0 for days in working.values())


def test_scenario_file() -> None:
    config = yaml.safe_load(bundled.jambi_scenario_path().read_text(encoding="utf-8"))
    assert config["name"] == "Provinsi Jambi — minggu 23–28 November 2026"
    assert config["horizon"] == {"start": START, "days": 6} and START.weekday() == 0
    assert config["travel"]["provider"] == "haversine"
    for key in ("sites", "teams", "kits", "district_offices"):
        assert (DATA / config[key]).is_file()


def test_readme_documents_method_and_licence() -> None:
    text = (DATA / "README.md").read_text(encoding="utf-8")
    for needle in ("seed=2026", "0.70", "11.5 %", "88.5 %", "CC BY 4.0", "MIT", "cahya dsn", "GeoNames"):
        assert needle in text, needle


# --------------------------------------------------------------------------- bundled.py


def test_boundaries() -> None:
    regency = bundled.boundaries("regency")
    district = bundled.boundaries("district")
    assert len(regency) == N_REGENCIES and len(district) == 144
    assert regency.crs.to_epsg() == 4326 and "population_total" in regency.columns
    with pytest.raises(ValueError, match="regency"):
        bundled.boundaries("village")  # type: ignore[arg-type]


def test_write_example_copies_the_editable_files(tmp_path: Path) -> None:
    out = tmp_path / "mine"
    path = bundled.write_example("jambi", out)
    assert path == out / "scenario.yaml"
    assert sorted(p.name for p in out.iterdir()) == sorted(bundled.EDITABLE_FILES)
    assert (out / "sites.csv").read_bytes() == (DATA / "sites.csv").read_bytes()


def test_write_example_refuses_to_overwrite(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError):
        bundled.write_example("jambi", tmp_path)
    assert bundled.write_example("jambi", tmp_path, overwrite=True).is_file()
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_write_example_into_an_empty_folder(tmp_path: Path) -> None:
    assert bundled.write_example("jambi", tmp_path).is_file()


def test_write_example_unknown_name(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="jambi"):
        bundled.write_example("aceh", tmp_path / "x")
    assert not (tmp_path / "x").exists()


# --------------------------------------------------------------------------- the model accepts it


def _site_hours(row: pd.Series) -> dict[Weekday, tuple[TimeWindow, ...]]:
    base = row.hours or units.DEFAULT_SITE_HOURS[row.kind]
    days = {day: row.get(f"hours_{day}") or base for day in units.WEEKDAYS[:6]}
    return {Weekday(d): (TimeWindow.parse(h),) for d, h in days.items() if h != "closed"}


def _shifts(row: pd.Series) -> dict[Weekday, Shift]:
    shifts = {}
    for day, default in units.DEFAULT_SHIFT.items():
        text = row.get(f"shift_{day}") or default
        if text == "off":
            continue
        work = TimeWindow.parse(text)
        brk = TimeWindow.parse(units.DEFAULT_FRIDAY_PRAYER if day == "fri" else units.DEFAULT_MIDDAY_BREAK)
        inside = work.start <= brk.start and brk.end <= work.end
        shifts[Weekday(day)] = Shift(work=work, breaks=(brk,) if inside else ())
    return shifts


def test_the_model_accepts_every_row(sites: pd.DataFrame, teams: pd.DataFrame, kits: pd.DataFrame) -> None:
    """A minimal mapping of the rows onto the domain model (not a loader): every value must validate."""
    model_sites = tuple(
        Site(id=r.site_id, name=r["name"], kind=r.kind, lat=r.lat, lon=r.lon, province_code=r.province_code,
             regency_code=r.regency_code, district_code=r.district_code, village_code=r.village_code,
             unrecorded=r.unrecorded, turnout=units.DEFAULT_TURNOUT[r.kind], hours=_site_hours(r),
             electricity=r.electricity == "yes", clearance=r.clearance or None, access=r.access,
             location_estimated=r.location_estimated == "yes", note=r.note)
        for _, r in sites.iterrows()
    )  # fmt: skip
    kits_of = {tid: tuple(Kit(id=k.kit_id, status=k.status, repair_until=k.repair_until or None)
                          for _, k in g.iterrows()) for tid, g in kits.groupby("team_id")}  # fmt: skip
    model_teams = tuple(
        Team(id=t.team_id, name=t["name"], regency_code=t.regency_code, base_name=t.base_name,
             base_lat=float(t.base_lat), base_lon=float(t.base_lon), vehicle=t.vehicle, kits=kits_of[t.team_id],
             generator=t.generator == "yes", clearances=frozenset(c for c in t.clearances.split(";") if c),
             max_drive_min=int(t.max_drive_min), max_nights_out=int(t.max_nights_out), shifts=_shifts(t))
        for _, t in teams.iterrows()
    )  # fmt: skip
    offices = tuple(
        DistrictOffice(district_code=o.district_code, name=o["name"], fixed_kit_working=o.fixed_kit_working == "yes")
        for _, o in _csv("district_offices.csv").iterrows()
    )
    scenario = Scenario(name="Jambi", horizon=Horizon(start=START, days=6), sites=model_sites, teams=model_teams,
                        district_offices=offices)  # fmt: skip
    assert len(scenario.districts_without_fixed_kit()) == 28
    assert Weekday.sat not in scenario.site_by_id()["P1502"].hours
    assert any(Weekday.sat not in t.shifts for t in scenario.teams)


# --------------------------------------------------------------------------- the loader accepts it

_HAS_LOADER = importlib.util.find_spec("planner.io.load") is not None
needs_loader = pytest.mark.skipif(not _HAS_LOADER, reason="planner.io.load not written yet")


@needs_loader
def test_loader_reads_the_bundled_scenario() -> None:
    from planner.io.load import load_scenario

    scenario = load_scenario(bundled.jambi_scenario_path())
    assert len(scenario.sites) == N_VILLAGES + 2 * N_REGENCIES + KOTA_JAMBI_EXTRA
    assert len(scenario.teams) == 23 and len(scenario.district_offices) == 144
    assert scenario.horizon.start == START


@needs_loader
def test_written_example_validates_without_errors(tmp_path: Path) -> None:
    from planner.io.load import validate_scenario

    scenario, report = validate_scenario(bundled.write_example("jambi", tmp_path / "jambi"))
    assert report.errors == [] and scenario is not None
