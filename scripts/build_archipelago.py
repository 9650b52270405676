"""Build the Nusa Tenggara Timur or Jawa Timur example week from the shared real geography.

    .venv/bin/python scripts/build_archipelago.py ntt   --shared ../shared/data/nusa-tenggara-timur
    .venv/bin/python scripts/build_archipelago.py jatim --shared ../shared/data/jawa-timur

The method follows scripts/build_jambi.py (whose helpers it reuses): real villages, districts,
regencies and islands; estimated unrecorded people, teams, kits and district offices, drawn with a
seeded numpy generator in a fixed order, so a rebuild is byte-identical. What is new here: each
village keeps its island (`island` column), team bases stand on their seat's island, and the
crossings table holds the real ferry routes and bridges the province is known for plus one local
boat per island a regency office must reach, placed by the estimate written in the README.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_jambi as bj  # noqa: E402  (shared helpers of the documented Jambi method)

ROOT = Path(__file__).resolve().parents[1]
SEED = 2026
HORIZON_START = bj.HORIZON_START  # Monday 2026-11-23, as Jambi
HORIZON_DAYS = 6
VOTING_AGE_SHARE = 0.70
SHARE_SIGMA = 0.6
SHARE_CLIP = (0.03, 0.35)
LOCAL_BOAT_KMH = 15.0  # estimated speed of a local motor boat
LOCAL_BOAT_BOARDING_MIN = 15
LOCAL_BOAT_EVERY_MIN = 60
LOCAL_BOAT_SERVICE = "06:00-18:00"
LOCAL_BOAT_FARE = (25_000, 2_000)  # rupiah: base + per km, for a team and its motorbikes
ISLAND_TEAM_DRIVE_MIN = 300  # second team of a regency with other islands: boat waits count as travel
ISLAND_TEAM_NIGHTS = 2


@dataclass(frozen=True)
class Ferry:
    """A known route: ends at GeoNames towns (name, regency code), figures estimated (see README)."""

    id: str
    kind: str
    name: str
    a: tuple[str, str]
    b: tuple[str, str]
    crossing_min: int
    departures: str = ""  # "mon,thu 14:00" style: days then times; "" with every_min
    every_min: int | None = None
    service: str = ""
    vehicles: str = "car;motorbike"
    cost_idr: int = 0
    length_km: float | None = None
    a_point: tuple[float, float] | None = None  # overrides the town point (bridge ends)
    b_point: tuple[float, float] | None = None


@dataclass(frozen=True)
class Province:
    slug: str
    code: str
    title: str
    capital: str  # regency code holding the provincial office
    unrecorded_share: float  # assumed province-wide share of required people not yet recorded
    no_electricity_share: float  # of desa
    seats: dict[str, str]  # regency code -> seat town name (GeoNames), where it differs from the name
    ferries: tuple[Ferry, ...] = field(default=())


NTT = Province(
    slug="nusa-tenggara-timur", code="53", title="Provinsi Nusa Tenggara Timur", capital="53.71",
    unrecorded_share=0.15, no_electricity_share=0.10,
    seats={"53.01": "Oelamasi", "53.02": "Soe", "53.03": "Kefamenanu", "53.04": "Atambua", "53.05": "Kalabahi",
           "53.06": "Larantuka", "53.07": "Maumere", "53.09": "Bajawa", "53.10": "Ruteng", "53.11": "Waingapu",
           "53.12": "Waikabubak", "53.13": "Lewoleba", "53.14": "Ba'a", "53.15": "Labuan Bajo", "53.16": "Mbay",
           "53.17": "Waibakul", "53.18": "Tambolaka", "53.19": "Borong", "53.20": "Seba", "53.21": "Betun",
           "53.71": "Kupang"},
    ferries=(
        Ferry("NTT-F01", "ferry", "Feri Kupang–Rote", ("Kupang", "53.71"), ("Ba'a", "53.14"), 240,
              departures="mon,tue,wed,thu,fri,sat,sun 08:30", cost_idr=450_000),
        Ferry("NTT-F02", "ferry", "Feri Kupang–Sabu", ("Kupang", "53.71"), ("Seba", "53.20"), 720,
              departures="tue,fri 14:00", cost_idr=700_000),
        Ferry("NTT-F03", "ferry", "Feri Kupang–Kalabahi", ("Kupang", "53.71"), ("Kalabahi", "53.05"), 960,
              departures="mon,thu 14:00", cost_idr=900_000),
        Ferry("NTT-F04", "ferry", "Feri Kupang–Larantuka", ("Kupang", "53.71"), ("Larantuka", "53.06"), 840,
              departures="wed,sat 14:00", cost_idr=850_000),
        Ferry("NTT-F05", "ferry", "Feri Larantuka–Waiwerang", ("Larantuka", "53.06"), ("Waiwerang", "53.06"), 90,
              departures="mon,tue,wed,thu,fri,sat,sun 07:00 10:00 13:00 16:00", cost_idr=200_000),
        Ferry("NTT-F06", "ferry", "Feri Larantuka–Lewoleba", ("Larantuka", "53.06"), ("Lewoleba", "53.13"), 240,
              departures="mon,tue,wed,thu,fri,sat,sun 08:00 13:00", cost_idr=350_000),
        Ferry("NTT-F07", "ferry", "Feri Ende–Waingapu", ("Ende", "53.08"), ("Waingapu", "53.11"), 600,
              departures="wed 18:00", cost_idr=800_000),
        Ferry("NTT-F08", "ferry", "Feri Kalabahi–Baranusa", ("Kalabahi", "53.05"), ("Baranusa", "53.05"), 300,
              departures="mon,wed,fri 09:00", cost_idr=300_000),
    ),
)

JATIM = Province(
    slug="jawa-timur", code="35", title="Provinsi Jawa Timur", capital="35.78",
    unrecorded_share=0.08, no_electricity_share=0.01,
    seats={"35.05": "Kanigoro", "35.06": "Kediri", "35.07": "Kepanjen", "35.13": "Kraksaan", "35.14": "Bangil",
           "35.16": "Mojosari", "35.19": "Caruban", "35.71": "Kediri", "35.72": "Blitar", "35.73": "Malang",
           "35.74": "Probolinggo", "35.75": "Pasuruan", "35.76": "Mojokerto", "35.77": "Madiun",
           "35.78": "Surabaya", "35.79": "Batu"},
    ferries=(
        Ferry("JT-B01", "bridge", "Jembatan Suramadu", ("Surabaya", "35.78"), ("Bangkalan", "35.26"), 10,
              length_km=5.4, a_point=(-7.2152, 112.7803), b_point=(-7.1619, 112.7828)),
        Ferry("JT-F01", "ferry", "Feri Ujung–Kamal", ("Surabaya", "35.78"), ("Kamal", "35.26"), 30,
              every_min=60, service="05:00-22:00", cost_idr=60_000, a_point=(-7.1994, 112.7322)),
        Ferry("JT-F02", "ferry", "Feri Gresik–Bawean", ("Gresik", "35.25"), ("Sangkapura", "35.25"), 540,
              departures="mon,wed,fri 09:00", cost_idr=600_000),
        Ferry("JT-F03", "ferry", "Feri Kalianget–Kangean", ("Kalianget", "35.29"), ("Arjasa", "35.29"), 600,
              departures="tue,fri 08:00", cost_idr=650_000),
    ),
)
PROVINCES = {"ntt": NTT, "jatim": JATIM}

SITE_COLUMNS = ["site_id", "name", "kind", "lat", "lon", "unrecorded", "province_code", "regency_code",
                "district_code", "village_code", "electricity", "island"]
TEAM_COLUMNS = ["team_id", "name", "regency_code", "base_name", "base_lat", "base_lon", "island", "vehicle",
                "generator", "clearances", "max_drive_min", "max_nights_out", "shift_sat"]
CROSSING_COLUMNS = ["crossing_id", "kind", "name", "a_name", "a_lat", "a_lon", "a_island", "b_name", "b_lat",
                    "b_lon", "b_island", "crossing_min", "length_km", "every_min", "service", "departures",
                    "departures_mon", "departures_tue", "departures_wed", "departures_thu", "departures_fri",
                    "departures_sat", "departures_sun", "vehicles", "cost_idr", "note"]


@dataclass(frozen=True)
class Sources:
    villages: pd.DataFrame
    regencies: gpd.GeoDataFrame
    districts: gpd.GeoDataFrame
    towns: pd.DataFrame


def read_sources(shared: Path) -> Sources:
    villages = pd.read_csv(shared / "villages.csv", dtype={"code": str, "district_code": str, "regency_code": str})
    regencies = gpd.read_file(shared / "regencies.geojson").set_index("code", drop=False)
    districts = gpd.read_file(shared / "districts.geojson").set_index("code", drop=False)
    towns = pd.read_csv(shared / "towns.csv", dtype={"regency_code": str, "island_id": "Int64"})
    return Sources(villages, regencies, districts, towns)


# ----------------------------------------------------------------------------- seats and people


def find_town(src: Sources, name: str, regency: str) -> pd.Series | None:
    """The GeoNames town of that name in that regency (the most populous if several), else None."""
    t = src.towns[(src.towns.regency_code == regency) & (src.towns.name.str.lower() == name.lower())]
    if t.empty:
        return None
    return t.sort_values("geonames_population", ascending=False, na_position="last").iloc[0]


def seat_of(src: Sources, prov: Province, code: str) -> tuple[pd.Series, str]:
    """Seat town point and how it was found: by name, or the regency's most populous GeoNames town."""
    name = prov.seats.get(code) or bj.plain_regency(src.regencies.loc[code, "name"]).removeprefix("Kota ")
    town = find_town(src, name, code)
    if town is not None:
        return town, "by name"
    t = src.towns[src.towns.regency_code == code].sort_values("geonames_population", ascending=False,
                                                               na_position="last")
    return t.iloc[0], f"'{name}' not in GeoNames: most populous town"


def regency_shares(rng: np.random.Generator, regencies: gpd.GeoDataFrame, mean: float) -> pd.Series:
    """Each regency's unrecorded share: floor + lognormal excess scaled to the province mean, clipped."""
    pop = regencies.population_total.astype(float)
    excess = pd.Series(rng.lognormal(0.0, SHARE_SIGMA, len(pop)), index=pop.index)
    floor, ceiling = SHARE_CLIP
    scale = (mean - floor) * pop.sum() / (excess * pop).sum()
    return (floor + scale * excess).clip(upper=ceiling).round(4)


def build_sites(rng: np.random.Generator, src: Sources, prov: Province) -> tuple[pd.DataFrame, pd.Series]:
    v = src.villages
    shares = regency_shares(rng, src.regencies, prov.unrecorded_share)
    required = (src.regencies.population_total.astype(float) * VOTING_AGE_SHARE).round().astype(int)
    totals = (required * shares).round().astype(int)
    weights = bj.village_weights(rng, v)
    unrecorded = np.zeros(len(v), dtype=int)
    for code, total in totals.items():
        mask = (v.regency_code == code).to_numpy()
        if mask.any():
            unrecorded[mask] = bj.largest_remainder(int(total), weights[mask])
    prefix = np.where(v.kind == "kelurahan", "Kelurahan", "Desa")
    sites = pd.DataFrame({
        "site_id": "V" + v.code.str.replace(".", "", regex=False),
        "name": pd.Series(prefix, index=v.index) + " " + v.name,
        "kind": "village", "lat": v.stop_lat.round(6), "lon": v.stop_lon.round(6), "unrecorded": unrecorded,
        "province_code": prov.code, "regency_code": v.regency_code, "district_code": v.district_code,
        "village_code": v.code, "electricity": "yes", "island": v.island_id.astype(int).astype(str),
    })
    desa = sites.index[(v.kind == "desa").to_numpy()]
    dark = rng.choice(desa, size=round(prov.no_electricity_share * len(desa)), replace=False)
    sites.loc[np.sort(dark), "electricity"] = "no"
    return sites[SITE_COLUMNS], shares


# ----------------------------------------------------------------------------- crossings


def nearest_pair(a: pd.DataFrame, b: pd.DataFrame) -> tuple[int, int, float]:
    """Rows (index labels) of the closest village of `a` and of `b`, and their distance in km."""
    best = (0, 0, math.inf)
    for i, row in a.iterrows():
        d = bj.haversine_km(b.lat.to_numpy(), b.lon.to_numpy(), row.lat, row.lon)
        j = int(np.argmin(d))
        if d[j] < best[2]:
            best = (i, b.index[j], float(d[j]))
    return best


def _days(spec: str) -> dict[str, str]:
    """'mon,thu 14:00 18:00' -> {'departures_mon': '14:00 18:00', ...}, other days 'none'."""
    days, _, times = spec.partition(" ")
    chosen = set(days.split(","))
    return {f"departures_{d}": (times if d in chosen else "none") for d in bj_weekdays()}


def bj_weekdays() -> tuple[str, ...]:
    return ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def ferry_rows(src: Sources, prov: Province) -> list[dict]:
    """The known routes, ends at their towns' GeoNames points (or the given bridge ends)."""
    rows = []
    for f in prov.ferries:
        row = {"crossing_id": f.id, "kind": f.kind, "name": f.name, "crossing_min": f.crossing_min,
               "length_km": f.length_km if f.length_km is not None else "", "every_min": f.every_min or "",
               "service": f.service, "vehicles": f.vehicles, "cost_idr": f.cost_idr or "",
               "note": "known route; ends at the towns' GeoNames points, times and fares estimated"}
        for end, (town_name, reg), point in (("a", f.a, f.a_point), ("b", f.b, f.b_point)):
            town = find_town(src, town_name, reg)
            if town is None:
                town, _ = seat_of(src, prov, reg)
            lat, lon = point if point else (float(town.lat), float(town.lon))
            row |= {f"{end}_name": f"Pelabuhan {town_name}" if f.kind != "bridge" else f"{f.name} ({town_name})",
                    f"{end}_lat": round(lat, 6), f"{end}_lon": round(lon, 6),
                    f"{end}_island": str(int(town.island_id))}
        if f.departures:
            row |= _days(f.departures)
        rows.append(row)
    return rows


def local_boat_rows(src: Sources, prov: Province, sites: pd.DataFrame, seats: dict[str, pd.Series],
                    joined: set[tuple[str, str]]) -> list[dict]:
    """One local boat per island of a regency not yet joined to the seat's island (nearest villages)."""
    rows = []
    for code in sorted(sites.regency_code.unique()):
        own = sites[sites.regency_code == code]
        home = str(int(seats[code].island_id))
        connected = {home} | {b for a, b in joined if a == home} | {a for a, b in joined if b == home}
        todo = [i for i in own.island.unique() if i not in connected]
        while todo:
            best = None
            for u in todo:
                i, j, d = nearest_pair(own[own.island.isin(connected)], own[own.island == u])
                if best is None or d < best[3]:
                    best = (u, i, j, d)
            u, i, j, km = best
            a, b = own.loc[i], own.loc[j]
            rows.append({
                "crossing_id": f"{'NTT' if prov.code == '53' else 'JT'}-P{len(rows) + 1:02d}", "kind": "boat",
                "name": f"Perahu {a['name']}–{b['name']}", "a_name": f"Dermaga {a['name']} (perkiraan)",
                "a_lat": a.lat, "a_lon": a.lon, "a_island": a.island, "b_name": f"Dermaga {b['name']} (perkiraan)",
                "b_lat": b.lat, "b_lon": b.lon, "b_island": b.island,
                "crossing_min": int(math.ceil(km / LOCAL_BOAT_KMH * 60)) + LOCAL_BOAT_BOARDING_MIN,
                "length_km": round(km, 2), "every_min": LOCAL_BOAT_EVERY_MIN, "service": LOCAL_BOAT_SERVICE,
                "vehicles": "motorbike", "cost_idr": int(LOCAL_BOAT_FARE[0] + LOCAL_BOAT_FARE[1] * km),
                "note": "estimate: jetties at the nearest villages of the two islands (see README)",
            })
            connected.add(u)
            todo.remove(u)
    return rows


# ----------------------------------------------------------------------------- teams


def build_teams(rng: np.random.Generator, src: Sources, prov: Province, sites: pd.DataFrame,
                seats: dict[str, pd.Series]) -> pd.DataFrame:
    """Two teams per regency office at its seat, one provincial team at the capital's seat."""
    rows = []
    for code in src.regencies.index:
        seat, reg = seats[code], src.regencies.loc[code, "name"]
        islands = sites[sites.regency_code == code].island.nunique()
        base = {"regency_code": code, "base_name": f"Disdukcapil {bj.short_regency(reg)} ({seat['name']})",
                "base_lat": round(float(seat.lat), 6), "base_lon": round(float(seat.lon), 6),
                "island": str(int(seat.island_id)), "max_drive_min": bj.MAX_DRIVE_MIN}
        gen_second = bool(rng.integers(0, 2))
        num, short = code.replace(".", ""), bj.plain_regency(reg)
        rows.append(base | {"team_id": f"T{num}-1", "name": f"Tim Jemput Bola {short} 1", "vehicle": "car",
                            "generator": bj.yes_no(not gen_second), "clearances": "prison", "max_nights_out": 0})
        second = base | {"team_id": f"T{num}-2", "name": f"Tim Jemput Bola {short} 2", "vehicle": "motorbike",
                         "generator": bj.yes_no(gen_second), "clearances": "", "max_nights_out": 0}
        if islands > 1:
            second |= {"max_drive_min": ISLAND_TEAM_DRIVE_MIN, "max_nights_out": ISLAND_TEAM_NIGHTS}
        rows.append(second)
    cap = seats[prov.capital]
    rows.append({"team_id": f"T{prov.code}-PROV", "name": f"Tim Jemput Bola {prov.title}", "regency_code": "",
                 "base_name": f"Disdukcapil {prov.title} ({cap['name']})", "base_lat": round(float(cap.lat), 6),
                 "base_lon": round(float(cap.lon), 6), "island": str(int(cap.island_id)), "vehicle": "car",
                 "generator": "yes", "clearances": "prison", "max_drive_min": bj.MAX_DRIVE_MIN, "max_nights_out": 3})
    teams = pd.DataFrame(rows).reindex(columns=TEAM_COLUMNS, fill_value="")
    firsts = teams.index[teams.team_id.str.endswith("-1")]
    teams.loc[rng.choice(firsts), "shift_sat"] = "off"
    return teams


# ----------------------------------------------------------------------------- writing


def write_scenario(out: Path, prov: Province) -> str:
    """The scenario file naming the tables beside it; returns the scenario's name."""
    end = HORIZON_START + dt.timedelta(days=HORIZON_DAYS - 1)
    name = f"{prov.title} — minggu {HORIZON_START.day}–{end.day} November {HORIZON_START.year}"
    text = f"""# jemput example: {prov.title}. Real geography, estimated figures: see README.md.
name: "{name}"
horizon: {{start: {HORIZON_START.isoformat()}, days: {HORIZON_DAYS}}}     # Monday .. Saturday
sites: sites.csv
teams: teams.csv
kits: kits.csv
district_offices: district_offices.csv
crossings: crossings.csv
travel: {{provider: haversine}}
"""
    (out / "scenario.yaml").write_text(text, encoding="utf-8")
    return name


README = """\
# {title}: a jemput example week on islands

**{name}** — a complete, editable example week for the {regencies} regencies of {title},
built to plan and test travel over islands, ferries and bridges. The geography is real; every
figure about people, equipment, teams, ports and sailings is an **estimate** made by the documented,
seeded method below. Replace the estimates with your office's own figures before planning a real week.

Built by `scripts/build_archipelago.py` (numpy `default_rng(seed={seed})`, draws in a fixed order, so a
rebuild is byte-identical), reusing the helpers of the Jambi method (`scripts/build_jambi.py`,
`planner/data/jambi/README.md`):

    .venv/bin/python scripts/build_archipelago.py {key} --shared ../shared/data/{slug}

| file | rows | what |
|---|---|---|
| scenario.yaml | | the week: {start} (Monday) for {days} days, travel `haversine`, `crossings: crossings.csv` |
| sites.csv | {sites:,} | every village with a boundary polygon, with its `island` |
| teams.csv | {teams} | two teams per regency office and one provincial team, each with its base's `island` |
| kits.csv | {kits} | recording kits ({kits_out} out of service) |
| district_offices.csv | {offices} | every kecamatan office and whether its fixed recording kit works |
| crossings.csv | {crossings} | {ferries} known routes (ferries, bridges) and {boats} local boats (estimated) |

## What is real

- **Villages** ({sites:,}): Kemendagri codes, names, districts and regencies, and the routing stop
  (`stop_lat`/`stop_lon`, a point inside the village polygon) from the shared source
  (`../shared/data/{slug}/SOURCES.md`: GitHub `cahyadsn/wilayah` and `cahyadsn/wilayah_boundaries`, MIT,
  © cahya dsn). The villages listed without a polygon are not included.
- **Islands** ({islands}): the shared source's `island_id`, the land mass a village stands on (village
  polygons merged with a 100 m tolerance); kept as the `island` column, so no car or motorbike is
  planned across water except over a crossing.
- **Regency population** (`population_total`) from the same source.
- **Seat towns** (GeoNames, CC BY 4.0, attribution "GeoNames", via the `towns.csv` of the shared
  source): the team bases. The seat's name is general reference; where GeoNames has no town of that
  name in the regency, the regency's most populous GeoNames town stands in:

{seats}

- **Known crossings**: the routes in the table below exist (general reference); their ends are the
  GeoNames points of the port towns (a bridge's ends are approximate), **their sailing times,
  departures and fares are estimates** (no timetable was available offline) — check them against
  the operator's current schedule.

## What is estimated, and how

- **Unrecorded people**: regency population × {voting:.2f} (people who must hold an e-KTP, assumed)
  × the regency's unrecorded share; shares are a floor of {floor:.0%} plus a lognormal draw (σ {sigma})
  scaled so the population-weighted mean is **{mean:.1%}** (an assumption, no published figure), capped at
  {cap:.0%}. Each regency's total is split over its villages in proportion to
  `sqrt(area) × (3 if kelurahan) × lognormal(0, 0.5)` by the largest-remainder method, as for Jambi.
  Total: **{unrecorded:,}** people. No prisons or hospitals are in this example.
- **No electricity**: {dark} desa ({dark_share:.0%} of desa, picked uniformly at random).
- **Local boats** (`kind=boat`, `NNN-Pxx`, `(perkiraan)` in the jetty names): for every regency, each
  island holding some of its villages that no known route joins to the seat's island is joined by one
  boat, island after island, always the closest pair (Prim's order): the jetties are the two
  villages' routing stops nearest each other across the strait (a village stop is inland, so the real
  jetty is a little closer). Crossing time = straight-line km ÷ {boat_kmh:g} km/h + {boarding} min boarding,
  a boat every {every} min from {service}, carrying motorbikes (not cars), fare Rp {fare0:,} + Rp {fare1:,}/km.
- **District offices**: 19.3 % of the fixed recording kits out of service, as for Jambi.
- **Teams**: per regency office two teams at the seat: team 1 a car with `prison` clearance; team 2
  a motorbike (it can take the local boats); one of the two, at random, has a generator. In a
  regency with villages on more than one island team 2 may stay out {nights} nights and drive
  {drive} min a day (boat waits and sailing count as travel). One provincial team (car, generator,
  3 nights) at the capital's seat. One team 1, at random, has Saturday off.
- **Kits**: 2–4 per team, about one in five out of service, as for Jambi.

Travel between islands counts the wait for the next departure (the longest wait when reaching the
port between 07:00 and 16:00, see `docs/data-format.md`, "crossings"): a boat every 60 minutes adds
59 minutes; a ferry sailing a few times a week is of no use within a week's day trips, and a site
only such a ferry reaches is left out as out of reach; a site on an island no crossing joins to its
teams' islands is left out as `no_crossing`.

## Crossings

| id | kind | name | minutes on board | sailings | vehicles |
|---|---|---|---|---|---|
{crossing_rows}

## Licence and attribution

Administrative codes, names, polygons, islands and populations: MIT License © cahya dsn (GitHub
`cahyadsn/wilayah`, `cahyadsn/wilayah_boundaries`). Town points: GeoNames (geonames.org), CC BY 4.0,
attribution "GeoNames". The estimates and the build script are part of jemput (MIT).
"""


def _sailings(row: dict) -> str:
    if row.get("kind") == "bridge":
        return "always open"
    if row.get("every_min"):
        return f"every {row['every_min']} min {row.get('service') or ''}".strip()
    days = [d for d in bj_weekdays() if row.get(f"departures_{d}") not in ("", "none", None)]
    times = {row[f"departures_{d}"] for d in days}
    return f"{', '.join(days)} {' / '.join(sorted(times))}"


def write_readme(out: Path, prov: Province, key: str, f: dict, crossings: pd.DataFrame, src: Sources) -> None:
    seats = "\n".join(f"  - {c} {src.regencies.loc[c, 'name']}: {how}" for c, how in f["seats"].items())
    rows = "\n".join(f"| {r.crossing_id} | {r.kind} | {r['name']} | {r.crossing_min} | {_sailings(r.to_dict())} | "
                     f"{r.vehicles} |" for _, r in crossings.iterrows())
    text = README.format(
        title=prov.title, name=f["name"], regencies=len(src.regencies), seed=SEED, key=key, slug=prov.slug,
        start=HORIZON_START.isoformat(), days=HORIZON_DAYS, sites=f["sites"], teams=f["teams"], kits=f["kits"],
        kits_out=f["kits_out"], offices=f["offices"], crossings=f["ferries"] + f["boats"], ferries=f["ferries"],
        boats=f["boats"], islands=f["islands"], seats=seats, voting=VOTING_AGE_SHARE, floor=SHARE_CLIP[0],
        sigma=SHARE_SIGMA, mean=prov.unrecorded_share, cap=SHARE_CLIP[1], unrecorded=f["unrecorded"],
        dark=f["no_electricity"], dark_share=prov.no_electricity_share, boat_kmh=LOCAL_BOAT_KMH,
        boarding=LOCAL_BOAT_BOARDING_MIN, every=LOCAL_BOAT_EVERY_MIN, service=LOCAL_BOAT_SERVICE,
        fare0=LOCAL_BOAT_FARE[0], fare1=LOCAL_BOAT_FARE[1], nights=ISLAND_TEAM_NIGHTS, drive=ISLAND_TEAM_DRIVE_MIN,
        crossing_rows=rows)
    (out / "README.md").write_text(text, encoding="utf-8")


def build(prov: Province, shared: Path, out: Path) -> dict:
    """Write the scenario and its tables to `out`; return figures for the README."""
    rng = np.random.default_rng(SEED)
    src = read_sources(shared)
    out.mkdir(parents=True, exist_ok=True)
    sites, shares = build_sites(rng, src, prov)
    found = {code: seat_of(src, prov, code) for code in src.regencies.index}
    seats = {code: town for code, (town, _) in found.items()}
    ferries = ferry_rows(src, prov)
    joined = {(r["a_island"], r["b_island"]) for r in ferries}
    boats = local_boat_rows(src, prov, sites, seats, joined)
    crossings = pd.DataFrame(ferries + boats).reindex(columns=CROSSING_COLUMNS, fill_value="")
    teams = build_teams(rng, src, prov, sites, seats)
    kits = bj.build_kits(rng, teams)
    offices = bj.district_offices(rng, src.districts)
    for name, frame in (("sites", sites), ("teams", teams), ("kits", kits), ("district_offices", offices),
                        ("crossings", crossings)):
        bj.write_csv(frame, out / f"{name}.csv")
    name = write_scenario(out, prov)
    figures = {"name": name, "sites": len(sites), "unrecorded": int(sites.unrecorded.sum()), "teams": len(teams), "kits": len(kits),
            "kits_out": int((kits.status != "working").sum()), "offices": len(offices),
            "ferries": len(ferries), "boats": len(boats), "islands": sites.island.nunique(),
            "no_electricity": int((sites.electricity == "no").sum()),
            "seats": {c: f"{t['name']} ({how})" for c, (t, how) in found.items()},
            "shares": shares.to_dict()}
    write_readme(out, prov, next(k for k, v in PROVINCES.items() if v is prov), figures, crossings, src)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("province", choices=sorted(PROVINCES))
    parser.add_argument("--shared", type=Path, required=True, help="folder with the province's shared source files")
    parser.add_argument("--out", type=Path, default=None, help="default planner/data/<province>/")
    args = parser.parse_args()
    prov = PROVINCES[args.province]
    figures = build(prov, args.shared, args.out or ROOT / "planner" / "data" / prov.slug)
    for key, value in figures.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
