"""Build jemput's bundled default province, Jambi, into planner/data/jambi/.

Real: the geography (villages, districts, regencies, Kemendagri codes), regency populations, regency
seats and one hospital point, copied from the shared source folder (see its SOURCES.md).
Estimated, by the seeded methods below: prisons and regency hospitals, people not yet recorded,
site requirements (electricity, access), district office kits, teams and their kits.
Every random draw comes from one numpy generator seeded with SEED, in a fixed order, so a rerun
writes byte-identical files.

Run from the repository root:
    .venv/bin/python scripts/build_jambi.py --shared ../shared/data/jambi
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import shutil
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

SEED = 2026
ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "planner" / "data" / "jambi"
COPIED = ("villages.csv", "districts.geojson", "regencies.geojson", "facilities.csv", "SOURCES.md")

HORIZON_START = dt.date(2026, 11, 23)  # a Monday
HORIZON_DAYS = 6
SCENARIO_NAME = "Provinsi Jambi — minggu 23–28 November 2026"
PROVINCE_CODE = "15"

# --- Unrecorded people (no published per-site figures; see README).
VOTING_AGE_SHARE = 0.70  # assumed share of people who must hold an e-KTP (17+ or married)
PROVINCE_UNRECORDED_SHARE = 0.115  # Jambi reported 88.5 % recorded in 2017
SHARE_SIGMA = 0.6  # lognormal spread of an ordinary regency's unrecorded share above the floor
SHARE_CLIP = (0.05, 0.29)  # floor and ceiling of ordinary regencies
HIGH_SHARE = (0.30, 0.34)  # "some regions below 70 % recorded"
N_HIGH = 2  # how many kabupaten get a HIGH_SHARE
KELURAHAN_DENSITY = 3.0  # urban kelurahan are denser than rural desa
WEIGHT_SIGMA = 0.5  # lognormal jitter of a village's weight
INSTITUTION_CAP = 0.03  # institutions take at most this share of their regency's unrecorded
PRISON_UNRECORDED = (100, 600)
LPKA_UNRECORDED = (20, 60)
HOSPITAL_UNRECORDED = (20, 80)
JITTER_KM = (0.3, 1.0)  # estimated institutions sit this far from the seat point

# --- Site requirements.
NO_ELECTRICITY_SHARE = 0.04  # of desa
RIVER_REGENCIES = ("15.04", "15.05", "15.06", "15.07")
RIVER_SHARE = 0.06  # of villages in RIVER_REGENCIES
MOTORBIKE_SHARE = 0.03  # of villages in the other regencies
PRISON_HOURS = ("09:00-12:00", "closed", "closed")  # Mon-Thu, Fri, Sat
HOSPITAL_HOURS = "09:00-14:00"

# --- Offices, teams, kits.
NO_FIXED_KIT_SHARE = 0.193  # national figure: 19.3 % of recording kits broken at once
MOTORBIKE_TEAM_REGENCIES = ("15.01", "15.02", "15.03", "15.08", "15.09", "15.72")
BOAT_TEAM_REGENCIES = RIVER_REGENCIES
NIGHTS_OUT_REGENCIES = ("15.02", "15.03", "15.06", "15.07", "15.08", "15.09")
MAX_DRIVE_MIN = 240
KITS_PER_TEAM = (2, 4)
KIT_OUT_SHARE = 0.20

SITE_COLUMNS = [
    "site_id", "name", "kind", "lat", "lon", "unrecorded",
    "province_code", "regency_code", "district_code", "village_code",
    "turnout", "priority", "hours", "hours_fri", "hours_sat", "closed_dates",
    "electricity", "clearance", "access", "location_estimated", "note",
]  # fmt: skip
TEAM_COLUMNS = [
    "team_id", "name", "regency_code", "base_name", "base_lat", "base_lon", "vehicle",
    "generator", "clearances", "max_drive_min", "max_nights_out",
    "shift_mon", "shift_tue", "shift_wed", "shift_thu", "shift_fri", "shift_sat",
]  # fmt: skip
SHORT_NAMES = {"Kabupaten": "Kab.", "Kota": "Kota"}


@dataclass(frozen=True)
class Sources:
    """The shared source tables the build reads."""

    villages: pd.DataFrame
    regencies: gpd.GeoDataFrame
    districts: gpd.GeoDataFrame
    seats: pd.DataFrame  # regency_seat rows of facilities.csv, indexed by regency_code
    hospital: pd.Series  # the one hospital with a known point


# ----------------------------------------------------------------------------- reading, copying


def read_sources(shared: Path) -> Sources:
    """Read the source tables (codes as strings) so every later step works on the same frames."""
    villages = pd.read_csv(shared / "villages.csv", dtype={"code": str, "district_code": str, "regency_code": str})
    regencies = gpd.read_file(shared / "regencies.geojson").set_index("code", drop=False)
    districts = gpd.read_file(shared / "districts.geojson").set_index("code", drop=False)
    fac = pd.read_csv(shared / "facilities.csv", dtype=str)
    seats = fac[fac.facility_type == "regency_seat"].set_index("regency_code", drop=False)
    hospital = fac[fac.facility_id == "F012"].iloc[0]
    return Sources(villages, regencies, districts, seats, hospital)


def copy_sources(shared: Path, out: Path) -> None:
    """Copy the source files the product reads at run time, unchanged."""
    for name in COPIED:
        shutil.copyfile(shared / name, out / name)


# ----------------------------------------------------------------------------- small helpers


def haversine_km(lat1: np.ndarray | float, lon1: np.ndarray | float, lat2: float, lon2: float) -> np.ndarray:
    """Great-circle distance in km (vectorised over the first point)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(a))


def largest_remainder(total: int, weights: np.ndarray) -> np.ndarray:
    """Split an integer total in proportion to weights so that the parts sum exactly to it."""
    raw = total * weights / weights.sum()
    parts = np.floor(raw).astype(int)
    short = total - parts.sum()
    order = np.argsort(-(raw - parts), kind="stable")
    parts[order[:short]] += 1
    return parts


def weighted_pick(rng: np.random.Generator, n: int, k: int, weights: np.ndarray) -> np.ndarray:
    """Pick k distinct positions out of n, with probability in proportion to weights."""
    if k <= 0 or n == 0:
        return np.array([], dtype=int)
    return np.sort(rng.choice(n, size=min(k, n), replace=False, p=weights / weights.sum()))


def short_regency(name: str) -> str:
    """'Kabupaten Merangin' -> 'Kab. Merangin' for office names."""
    head, _, rest = name.partition(" ")
    return f"{SHORT_NAMES.get(head, head)} {rest}"


def plain_regency(name: str) -> str:
    """'Kabupaten Merangin' -> 'Merangin'; 'Kota Jambi' stays 'Kota Jambi'."""
    return name.removeprefix("Kabupaten ")


def seat_town(seat: pd.Series) -> str:
    """The seat's town from 'Ibu kota Kabupaten Merangin (Bangko)' -> 'Bangko'."""
    town = seat["name"].rsplit("(", 1)[-1].rstrip(")")
    return "Jambi" if town == "Jambi City" else town


def yes_no(flag: bool) -> str:
    """The data format's spelling of a flag."""
    return "yes" if flag else "no"


# ----------------------------------------------------------------------------- unrecorded people


def regency_shares(rng: np.random.Generator, regencies: gpd.GeoDataFrame) -> pd.Series:
    """Draw each regency's unrecorded share and calibrate them to the province's 11.5 % (2017)."""
    codes = list(regencies.index)
    pop = regencies.population_total.astype(float)
    excess = pd.Series(rng.lognormal(0.0, SHARE_SIGMA, len(codes)), index=codes)  # above the floor
    kabupaten = [c for c in codes if regencies.loc[c, "name"].startswith("Kabupaten")]
    high = list(rng.choice(kabupaten, size=N_HIGH, replace=False))
    share = pd.Series(0.0, index=codes)
    share[high] = rng.uniform(*HIGH_SHARE, N_HIGH)
    rest = [c for c in codes if c not in high]
    floor, ceiling = SHARE_CLIP
    target = PROVINCE_UNRECORDED_SHARE * pop.sum() - (share[high] * pop[high]).sum() - floor * pop[rest].sum()
    scale = target / (excess[rest] * pop[rest]).sum()  # floor + scaled excess meets the province mean
    share[rest] = (floor + scale * excess[rest]).clip(upper=ceiling)
    return share.round(4)


def village_weights(rng: np.random.Generator, villages: pd.DataFrame) -> np.ndarray:
    """Relative number of unrecorded people per village: sqrt(area) x urban density x jitter."""
    density = np.where(villages.kind == "kelurahan", KELURAHAN_DENSITY, 1.0)
    jitter = rng.lognormal(0.0, WEIGHT_SIGMA, len(villages))
    return np.sqrt(villages.area_km2.to_numpy()) * density * jitter


def institution_counts(rng: np.random.Generator, kinds: list[str], regency_total: int) -> np.ndarray:
    """Draw unrecorded people at a regency's institutions, scaled down to the regency's cap."""
    ranges = {"prison": PRISON_UNRECORDED, "lpka": LPKA_UNRECORDED, "hospital": HOSPITAL_UNRECORDED}
    drawn = np.array([rng.integers(ranges[k][0], ranges[k][1] + 1) for k in kinds], dtype=float)
    cap = INSTITUTION_CAP * regency_total
    if drawn.sum() > cap:
        drawn *= cap / drawn.sum()
    return np.floor(drawn).astype(int)


# ----------------------------------------------------------------------------- sites


def village_sites(villages: pd.DataFrame) -> pd.DataFrame:
    """One site row per village, at the village's routing stop (a point inside its polygon)."""
    prefix = np.where(villages.kind == "kelurahan", "Kelurahan", "Desa")
    return pd.DataFrame(
        {
            "site_id": "V" + villages.code.str.replace(".", "", regex=False),
            "name": pd.Series(prefix, index=villages.index) + " " + villages.name,
            "kind": "village",
            "lat": villages.stop_lat.round(6),
            "lon": villages.stop_lon.round(6),
            "province_code": PROVINCE_CODE,
            "regency_code": villages.regency_code,
            "district_code": villages.district_code,
            "village_code": villages.code,
            "electricity": "yes",
            "access": "road",
            "location_estimated": "no",
        }
    )


def jitter_point(rng: np.random.Generator, lat: float, lon: float, inside: BaseGeometry) -> tuple[float, float]:
    """Move a point 0.3-1 km in a random direction, staying inside the polygon, so it is not the office."""
    while True:
        km = math.sqrt(rng.uniform(JITTER_KM[0] ** 2, JITTER_KM[1] ** 2))
        bearing = rng.uniform(0, 2 * math.pi)
        new_lat = lat + km * math.cos(bearing) / 110.574
        new_lon = lon + km * math.sin(bearing) / (111.320 * math.cos(math.radians(lat)))
        if inside.contains(Point(new_lon, new_lat)):
            return round(new_lat, 6), round(new_lon, 6)


def district_at(districts: gpd.GeoDataFrame, lat: float, lon: float, fallback: str) -> str:
    """Code of the district polygon containing a point (the fallback if none does)."""
    hits = districts[districts.contains(Point(lon, lat))]
    return str(hits.index[0]) if len(hits) else fallback


def institution_specs(src: Sources, code: str) -> list[dict]:
    """The prisons and hospital of one regency: id, name, kind (no coordinates yet)."""
    seat = src.seats.loc[code]
    town, reg = seat_town(seat), short_regency(src.regencies.loc[code, "name"])
    num = code.replace(".", "")
    if code == "15.71":
        return [
            {"site_id": f"P{num}A", "name": "Lapas Kelas IIA Jambi (perkiraan)", "kind": "prison", "draw": "prison"},
            {"site_id": f"P{num}B", "name": "LPKA Kelas II Jambi (perkiraan)", "kind": "prison", "draw": "lpka"},
            {"site_id": f"P{num}C", "name": "Rutan Kelas IIA Jambi (perkiraan)", "kind": "prison", "draw": "prison"},
            {"site_id": f"H{num}", "name": "RSUD Raden Mattaher Jambi", "kind": "hospital", "draw": "hospital",
             "known": True},
        ]  # fmt: skip
    return [
        {"site_id": f"P{num}", "name": f"Lapas Kelas IIB {town} (perkiraan)", "kind": "prison", "draw": "prison"},
        {"site_id": f"H{num}", "name": f"RSUD {reg} di {town} (perkiraan)", "kind": "hospital", "draw": "hospital"},
    ]


def place_institution(rng: np.random.Generator, src: Sources, code: str, spec: dict) -> dict:
    """Coordinates, codes and notes of one institution: the known point, or the jittered seat."""
    if spec.get("known"):
        h = src.hospital
        return {
            "lat": float(h.lat), "lon": float(h.lon), "district_code": h.district_code,
            "village_code": h.village_code, "location_estimated": "no",
            "note": f"point from {h.source} list (facilities.csv {h.facility_id}); unrecorded count estimated",
        }  # fmt: skip
    seat = src.seats.loc[code]
    lat, lon = jitter_point(rng, float(seat.lat), float(seat.lon), src.regencies.loc[code, "geometry"])
    return {
        "lat": lat, "lon": lon, "district_code": district_at(src.districts, lat, lon, seat.district_code),
        "village_code": "", "location_estimated": "yes",
        "note": f"estimated: placed at the regency seat ({seat_town(seat)}) moved 0.3-1 km; "
        "name and unrecorded count are estimates (see README)",
    }  # fmt: skip


def institution_sites(rng: np.random.Generator, src: Sources, totals: pd.Series) -> pd.DataFrame:
    """Prisons and hospitals of every regency, with their unrecorded counts drawn and capped."""
    rows = []
    for code in src.regencies.index:
        specs = institution_specs(src, code)
        counts = institution_counts(rng, [s["draw"] for s in specs], int(totals[code]))
        for spec, count in zip(specs, counts):
            row = {k: v for k, v in spec.items() if k not in ("draw", "known")}
            row |= place_institution(rng, src, code, spec)
            row |= {"province_code": PROVINCE_CODE, "regency_code": code, "unrecorded": int(count)}
            row |= {"electricity": "yes", "access": "road"}
            row |= _institution_hours(spec["kind"])
            rows.append(row)
    return pd.DataFrame(rows)


def _institution_hours(kind: str) -> dict:
    """Opening hours and clearance columns of a prison or hospital."""
    if kind == "prison":
        return {"hours": PRISON_HOURS[0], "hours_fri": PRISON_HOURS[1], "hours_sat": PRISON_HOURS[2],
                "clearance": "prison"}  # fmt: skip
    return {"hours": HOSPITAL_HOURS}


def village_unrecorded(rng: np.random.Generator, villages: pd.DataFrame, remaining: pd.Series) -> np.ndarray:
    """Spread each regency's remaining unrecorded people over its villages by village weight."""
    weights = village_weights(rng, villages)
    out = np.zeros(len(villages), dtype=int)
    for code, total in remaining.items():
        mask = (villages.regency_code == code).to_numpy()
        out[mask] = largest_remainder(int(total), weights[mask])
    return out


# ----------------------------------------------------------------------------- requirements


def seat_distance_km(sites: pd.DataFrame, seats: pd.DataFrame) -> np.ndarray:
    """Each site's great-circle distance to its regency seat: the simple proxy for remoteness."""
    slat = seats.loc[sites.regency_code, "lat"].astype(float).to_numpy()
    slon = seats.loc[sites.regency_code, "lon"].astype(float).to_numpy()
    return haversine_km(sites.lat.to_numpy(), sites.lon.to_numpy(), slat, slon)


def pick_remote(rng: np.random.Generator, candidates: pd.Index, k: int, remote_km: pd.Series) -> pd.Index:
    """Pick k sites among candidates, with chances in proportion to distance from the seat."""
    w = remote_km[candidates].to_numpy() + 1.0
    return candidates[weighted_pick(rng, len(candidates), k, w)]


def assign_requirements(rng: np.random.Generator, sites: pd.DataFrame, villages: pd.DataFrame,
                        seats: pd.DataFrame) -> pd.DataFrame:  # fmt: skip
    """Mark desa without electricity, river-only and motorbike-only villages (remote ones likelier)."""
    sites = sites.copy()
    remote = pd.Series(seat_distance_km(sites, seats), index=sites.index)
    is_desa = sites.village_code.isin(villages.code[villages.kind == "desa"])
    desa = sites.index[is_desa]
    dark = pick_remote(rng, desa, round(NO_ELECTRICITY_SHARE * len(desa)), remote)
    sites.loc[dark, "electricity"] = "no"
    for code in sorted(sites.regency_code.unique()):
        in_reg = sites.index[(sites.regency_code == code) & (sites.kind == "village")]
        mode, share = ("river", RIVER_SHARE) if code in RIVER_REGENCIES else ("motorbike", MOTORBIKE_SHARE)
        cands = in_reg.intersection(desa)
        chosen = pick_remote(rng, cands, round(share * len(in_reg)), remote) if len(cands) else cands
        sites.loc[chosen, "access"] = mode
    return sites


# ----------------------------------------------------------------------------- offices, teams, kits


def district_offices(rng: np.random.Generator, districts: gpd.GeoDataFrame) -> pd.DataFrame:
    """One office per district; about 19.3 % of them with their fixed kit out of service."""
    n = len(districts)
    broken = set(rng.choice(n, size=round(NO_FIXED_KIT_SHARE * n), replace=False))
    return pd.DataFrame(
        {
            "district_code": districts.index,
            "name": "Kecamatan " + districts["name"].to_numpy(),
            "fixed_kit_working": [yes_no(i not in broken) for i in range(n)],
        }
    )


def special_vehicle(code: str) -> str:
    """Vehicle of a regency's second team: what its hard-to-reach villages need."""
    if code in BOAT_TEAM_REGENCIES:
        return "boat"
    return "motorbike" if code in MOTORBIKE_TEAM_REGENCIES else "car"


def needs_special_generator(sites: pd.DataFrame, code: str) -> bool:
    """Whether a site only the second team can reach (river/motorbike) also lacks electricity."""
    s = sites[sites.regency_code == code]
    return bool(((s.access != "road") & (s.electricity == "no")).any())


def regency_teams(rng: np.random.Generator, src: Sources, sites: pd.DataFrame, code: str) -> list[dict]:
    """The two teams of one regency office: a car team with prison clearance and a second team."""
    seat = src.seats.loc[code]
    reg_name = src.regencies.loc[code, "name"]
    base = {
        "regency_code": code, "base_name": f"Disdukcapil {short_regency(reg_name)} ({seat_town(seat)})",
        "base_lat": float(seat.lat), "base_lon": float(seat.lon), "max_drive_min": MAX_DRIVE_MIN,
    }  # fmt: skip
    gen_second = needs_special_generator(sites, code) or bool(rng.integers(0, 2))
    vehicle = special_vehicle(code)
    stays_out = code in NIGHTS_OUT_REGENCIES or vehicle == "boat"  # a boat covers ~25 km out and back a day
    nights = int(rng.integers(2, 4)) if stays_out else 0
    num, short = code.replace(".", ""), plain_regency(reg_name)
    first = base | {"team_id": f"T{num}-1", "name": f"Tim Jemput Bola {short} 1", "vehicle": "car",
                    "generator": yes_no(not gen_second), "clearances": "prison", "max_nights_out": 0}  # fmt: skip
    second = base | {"team_id": f"T{num}-2", "name": f"Tim Jemput Bola {short} 2", "vehicle": vehicle,
                     "generator": yes_no(gen_second), "clearances": "", "max_nights_out": nights}  # fmt: skip
    return [first, second]


def provincial_team(src: Sources) -> dict:
    """The province's own team: based in Kota Jambi, crosses regencies, generator and prison clearance."""
    seat = src.seats.loc["15.71"]
    return {
        "team_id": "T15-PROV", "name": "Tim Jemput Bola Provinsi Jambi", "regency_code": "",
        "base_name": "Disdukcapil Provinsi Jambi (Kota Jambi)", "base_lat": float(seat.lat),
        "base_lon": float(seat.lon), "vehicle": "car", "generator": "yes", "clearances": "prison",
        "max_drive_min": MAX_DRIVE_MIN, "max_nights_out": 3,
    }  # fmt: skip


def build_teams(rng: np.random.Generator, src: Sources, sites: pd.DataFrame) -> pd.DataFrame:
    """All teams: two per regency plus the provincial team; one regency team has Saturday off."""
    rows = [t for code in src.regencies.index for t in regency_teams(rng, src, sites, code)]
    rows.append(provincial_team(src))
    teams = pd.DataFrame(rows).reindex(columns=TEAM_COLUMNS, fill_value="")
    first_teams = teams.index[teams.team_id.str.endswith("-1")]
    teams.loc[rng.choice(first_teams), "shift_sat"] = "off"
    return teams


def _out_kit(rng: np.random.Generator, earliest: int = 0) -> tuple[str, str]:
    """Status and repair date of a kit that is out: broken, or in repair until Mon-Thu of the week."""
    if rng.random() < 0.5:
        return "broken", ""
    return "in_repair", (HORIZON_START + dt.timedelta(days=int(rng.integers(earliest, 4)))).isoformat()


def build_kits(rng: np.random.Generator, teams: pd.DataFrame) -> pd.DataFrame:
    """2-4 kits per team, about one in five out; one team has every kit out for the first days."""
    kits = [
        {"kit_id": f"{tid}-K{i + 1}", "team_id": tid, "status": "working", "repair_until": ""}
        for tid in teams.team_id
        for i in range(int(rng.integers(KITS_PER_TEAM[0], KITS_PER_TEAM[1] + 1)))
    ]
    kits = pd.DataFrame(kits)
    n_out = round(KIT_OUT_SHARE * len(kits))
    stranded = str(rng.choice(teams.team_id[teams.regency_code != ""].to_numpy()))
    first, *others = kits.index[kits.team_id == stranded]
    kits.loc[first, ["status", "repair_until"]] = ["in_repair", str(HORIZON_START + dt.timedelta(days=1))]
    for idx in others:  # the first kit is back on Wednesday; the others are away at least as long
        kits.loc[idx, ["status", "repair_until"]] = list(_out_kit(rng, earliest=1))
    for idx in rng.permutation(kits.index[kits.team_id != stranded]):
        if (kits.status != "working").sum() >= n_out:
            break
        team = kits.team_id[idx]
        if ((kits.team_id == team) & (kits.status == "working")).sum() >= 2:  # keep one working
            kits.loc[idx, ["status", "repair_until"]] = list(_out_kit(rng))
    return kits


# ----------------------------------------------------------------------------- writing


def write_scenario(out: Path) -> None:
    """The scenario file naming the tables beside it."""
    text = f"""# jemput bundled example: Jambi province. Estimated figures, see README.md.
name: "{SCENARIO_NAME}"
horizon: {{start: {HORIZON_START.isoformat()}, days: {HORIZON_DAYS}}}     # Monday .. Saturday
sites: sites.csv
teams: teams.csv
kits: kits.csv
district_offices: district_offices.csv
travel: {{provider: haversine}}
"""
    (out / "scenario.yaml").write_text(text, encoding="utf-8")


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write a table as UTF-8 CSV with Unix line ends and empty cells for missing values."""
    frame.to_csv(path, index=False, lineterminator="\n", float_format="%.6f")


def regency_summary(src: Sources, shares: pd.Series, sites: pd.DataFrame) -> pd.DataFrame:
    """Per-regency figures for the README table."""
    pop = src.regencies.population_total.astype(int)
    g = sites.groupby("regency_code")
    return pd.DataFrame(
        {
            "regency": src.regencies["name"],
            "population": pop,
            "voting_age": (pop * VOTING_AGE_SHARE).round().astype(int),
            "share": shares,
            "unrecorded": g.unrecorded.sum(),
            "at_institutions": sites[sites.kind != "village"].groupby("regency_code").unrecorded.sum(),
            "villages": g.kind.apply(lambda k: int((k == "village").sum())),
            "no_electricity": g.electricity.apply(lambda e: int((e == "no").sum())),
            "river": g.access.apply(lambda a: int((a == "river").sum())),
            "motorbike": g.access.apply(lambda a: int((a == "motorbike").sum())),
        }
    )


def summary_table(summary: pd.DataFrame) -> str:
    """The per-regency figures as a Markdown table."""
    head = ("| code | regency | population | voting age (×0.70) | unrecorded share | unrecorded | of which at "
            "institutions | villages | no electricity | river | motorbike |\n|" + "---|" * 11 + "\n")  # fmt: skip
    lines = [
        f"| {c} | {r.regency} | {r.population:,} | {r.voting_age:,} | {r.share:.1%} | {r.unrecorded:,} | "
        f"{r.at_institutions:,} | {r.villages:,} | {r.no_electricity} | {r.river} | {r.motorbike} |"
        for c, r in summary.iterrows()
    ]
    return head + "\n".join(lines) + "\n"


def facts(summary: pd.DataFrame, sites: pd.DataFrame, teams: pd.DataFrame, kits: pd.DataFrame,
          offices: pd.DataFrame) -> dict:  # fmt: skip
    """Headline figures quoted in the README."""
    out_kits = kits[kits.status != "working"]
    return {
        "n_sites": len(sites), "n_villages": int((sites.kind == "village").sum()),
        "n_prisons": int((sites.kind == "prison").sum()), "n_hospitals": int((sites.kind == "hospital").sum()),
        "unrecorded": int(sites.unrecorded.sum()), "voting_age": int(summary.voting_age.sum()),
        "share_min": summary.share.min(), "share_max": summary.share.max(),
        "high": ", ".join(summary.regency[summary.share >= HIGH_SHARE[0]]),
        "n_teams": len(teams), "n_kits": len(kits), "n_out": len(out_kits),
        "n_broken": int((out_kits.status == "broken").sum()), "n_repair": int((out_kits.status == "in_repair").sum()),
        "n_offices": len(offices), "n_no_kit": int((offices.fixed_kit_working == "no").sum()),
        "vehicles": ", ".join(f"{n} {v}" for v, n in teams.vehicle.value_counts().sort_index().items()),
        "n_generator": int((teams.generator == "yes").sum()),
        "nights": ", ".join(f"{r.team_id} ({r.max_nights_out})" for r in teams[teams.max_nights_out > 0].itertuples()),
        "sat_off": ", ".join(teams.team_id[teams.shift_sat == "off"]),
        "stranded": ", ".join(sorted(set(kits.team_id) - set(kits.team_id[kits.status == "working"]))),
    }  # fmt: skip


def write_readme(out: Path, summary: pd.DataFrame, f: dict) -> None:
    """The data note: what is real, what is estimated and how, licence and attribution."""
    text = README_TEMPLATE.format(**f, seed=SEED, table=summary_table(summary), scenario=SCENARIO_NAME,
                           share_pct=f"{f['unrecorded'] / f['voting_age']:.1%}")  # fmt: skip
    (out / "README.md").write_text(text, encoding="utf-8")


README_TEMPLATE = """\
# Jambi: jemput's bundled example province

**{scenario}** — a complete, editable example week for the 11 regencies (kabupaten/kota) of Jambi
province. The geography is real; every figure about people, equipment and teams is an **estimate**
made by a documented, seeded method (below). Use it to learn the tool and as a template; replace the
estimates with your office's own figures before planning a real week.

Built by `scripts/build_jambi.py` (numpy `default_rng(seed={seed})`, draws in a fixed order, so a
rebuild is byte-identical):

    .venv/bin/python scripts/build_jambi.py --shared ../shared/data/jambi

| file | rows | what |
|---|---|---|
| scenario.yaml | | the week: 2026-11-23 (Monday) for 6 days, the tables below, travel `haversine` |
| sites.csv | {n_sites:,} | {n_villages:,} villages, {n_prisons} prisons, {n_hospitals} hospitals (format: docs/data-format.md) |
| teams.csv | {n_teams} | two teams per regency office and one provincial team |
| kits.csv | {n_kits} | recording kits of the teams |
| district_offices.csv | {n_offices} | every kecamatan office and whether its fixed recording kit works |
| villages.csv, districts.geojson, regencies.geojson, facilities.csv, SOURCES.md | | source files, copied unchanged (read SOURCES.md) |

`jemput` reads the first five; the source files are kept for maps and for rebuilding.

## What is real

- **Villages**: all 1,568 desa (rural) and kelurahan (urban) of Jambi that have a boundary polygon,
  with Kemendagri codes and names (Kepmendagri No 300.2.2-2138 Tahun 2025). A village site's point
  is the source's `stop_lat`/`stop_lon`, a point inside the village polygon (the centroid, except
  for 50 oddly shaped villages). The 17 villages listed without a polygon are not included.
- **Districts** (144 kecamatan) and **regencies** (11) with their polygons; regency populations
  (`population_total`, 3,834,439 in all) from the same source.
- **Regency seats**: the GeoNames point of the seat town of each regency (facilities.csv F001–F011).
  The Disdukcapil office and the team depot are assumed to be at that point; its exact site is not
  in the data.
- **One hospital**: RSUD Raden Mattaher Jambi (facilities.csv F012, geocoded by its source), used as is.
- **Field figures (2017 reporting)**: Jambi had recorded 88.5 % of the people required to hold an
  e-KTP; some regions were below 70 %; 185 recording-equipment items were broken across its
  regencies. A reported national figure: 19.3 % of recording kits out of service at the same time.

## What is estimated, and how

### Prisons and hospitals (`location_estimated=yes`)

No citable list of Jambi's prisons (Lapas/Rutan/LPKA) or of its other hospitals with locations was
found. Each regency gets one prison (`Lapas Kelas IIB <seat> (perkiraan)`) and one regency hospital
(`RSUD <regency> di <seat> (perkiraan)`); Kota Jambi gets three prisons (Lapas Kelas IIA Jambi, LPKA
Kelas II Jambi, Rutan Kelas IIA Jambi) and, as its hospital, the real RSUD Raden Mattaher
(`location_estimated=no`). Names follow the usual naming pattern and are not verified; "(perkiraan)"
means "estimate". Each estimated point is the regency seat moved 0.3–1 km in a random direction
(uniform over that ring, redrawn until it lies inside the regency), so that it does not sit exactly
on the office; its district code is the district polygon containing the moved point. Prisons are
open 09:00–12:00 Monday–Thursday, closed Friday and Saturday, and need a team with `prison`
clearance; hospitals are open 09:00–14:00 Monday–Saturday.

### People not yet recorded (`unrecorded`)

Not published per village, district or institution. For each regency:

1. **People required to hold an e-KTP** = population × **0.70**. This share (people aged 17 or
   older, or married) is an assumption made without a source for Jambi: roughly the adult share of
   Indonesia's population. Change `VOTING_AGE_SHARE` in the build script if you have a better figure.
2. **Unrecorded share of the regency**, drawn: two kabupaten, picked at random, get a share in
   30–34 % (that is, below 70 % recorded, as in the 2017 reports); every other regency gets
   5 % + a lognormal draw (σ = 0.6) scaled so that the population-weighted mean over the province is
   **11.5 %** (88.5 % recorded, 2017), with a ceiling of 29 %. Because two large regencies are
   far behind, the others end up close to the 5 % floor; the result is {share_min:.1%}–{share_max:.1%}
   ({high} above 30 %).
3. **Institutions** first: each prison draws 100–600 unrecorded inmates, the LPKA 20–60, each hospital
   20–80 long-stay patients and their carers (uniform integers). If they add up to more than 3 % of
   the regency's unrecorded people they are scaled down to 3 %. They are taken out of the regency
   total, not added to it.
4. **Villages** share the rest in proportion to a weight
   `sqrt(area_km2) × (3 if kelurahan else 1) × lognormal(0, 0.5)`: larger villages have more people,
   but less than in proportion to area (remote large desa are sparse); kelurahan are urban and denser;
   the jitter stands for everything else. Split into integers by the largest-remainder method, so each
   regency's parts add up exactly.

In total **{unrecorded:,}** people are not yet recorded out of {voting_age:,} required
({share_pct}). Per regency:

{table}
These numbers follow the 2017 situation on purpose (a hard week); today's figures are much lower.

### Site requirements

- **No electricity** (`electricity=no`, needs a team with a generator): 4 % of desa (kelurahan always
  have power), picked at random with a chance proportional to 1 + the village's straight-line distance
  in km from its regency seat — grid extension radiates from the towns, so far villages are the last
  connected. Which villages are picked is not a claim about the real villages.
- **River access** (`access=river`, needs a boat team): 6 % of the villages of the river and coastal
  regencies Batanghari (15.04), Muaro Jambi (15.05), Tanjung Jabung Barat (15.06) and Tanjung Jabung
  Timur (15.07), rounded per regency, picked among desa with the same distance weighting.
- **Motorbike-only tracks** (`access=motorbike`): 3 % of the villages of the other regencies,
  likewise (Kota Jambi, which has only kelurahan, has none).

### District offices

Every one of the 144 districts has a row; **{n_no_kit}** of them (19.3 %, rounded, picked uniformly at
random) have a fixed recording kit that does not work, so their villages are weighted up.

### Teams

Per regency office two teams based at the regency seat (`Disdukcapil Kab. <regency> (<seat>)`),
`max_drive_min` 240, default shifts:

- team 1: car, `prison` clearance (the one team per regency cleared for prisons);
- team 2: the vehicle its regency's hard-to-reach villages need — a **boat** in the four river
  regencies (so river villages are reachable), a **motorbike** where there are motorbike-only villages
  (Kerinci, Merangin, Sarolangun, Bungo, Tebo, Sungai Penuh), a car in Kota Jambi;
- one of the two (random) has a **generator**, always team 2 if a village only team 2 can reach also
  lacks electricity;
- team 2 may stay out **2–3 nights** (random) in the large regencies Merangin, Sarolangun, Bungo,
  Tebo, Tanjung Jabung Barat and Tanjung Jabung Timur, to reach remote clusters, and wherever it is a
  boat team (Batanghari, Muaro Jambi too): at the boat's 20 km/h with a 1.5 detour factor, a day trip
  within the 240-minute driving limit reaches only about 25 km from the base;
- one team 1, picked at random, has Saturday off ({sat_off}).

Plus one **provincial team** `T15-PROV` (no regency code, may cross regencies), based at Disdukcapil
Provinsi Jambi — placed at the Kota Jambi seat point, its exact site not being in the data — with a car,
a generator, `prison` clearance and up to 3 nights out.

Vehicles: {vehicles}; {n_generator} teams with a generator; teams that may stay out: {nights}.

### Kits

Each team has 2–4 kits (uniform). About one in five is out of service — **{n_out} of {n_kits}**:
{n_broken} `broken` (sent to Jakarta, no return date) and {n_repair} `in_repair` with a return inside
the week. One regency team, picked at random ({stranded}), has every kit out on Monday and Tuesday
(its first kit is back on Wednesday, the others later or not at all); every other team keeps at least one working kit. The other out kits
are picked at random, each broken or in repair with equal chance, in repair until Monday–Thursday.

## Licence and attribution

Administrative codes, names, polygons and populations: MIT License © cahya dsn (GitHub
`cahyadsn/wilayah`, `cahyadsn/wilayah_boundaries`). Town points: GeoNames (geonames.org), CC BY 4.0,
attribution "GeoNames". Hospital point: GitHub `hndryno/covid-mobile-app` (`extra/datarumahsakit.js`).
The estimates and the build script are part of jemput (MIT). Details and commits: SOURCES.md.
"""

# ----------------------------------------------------------------------------- main


def build_sites(rng: np.random.Generator, src: Sources) -> tuple[pd.DataFrame, pd.Series]:
    """All sites with unrecorded counts and requirements, and the regency shares behind them."""
    shares = regency_shares(rng, src.regencies)
    pop = src.regencies.population_total.astype(float)
    totals = (pop * VOTING_AGE_SHARE * shares).round().astype(int)
    institutions = institution_sites(rng, src, totals)
    remaining = totals - institutions.groupby("regency_code").unrecorded.sum().reindex(totals.index, fill_value=0)
    villages = village_sites(src.villages)
    villages["unrecorded"] = village_unrecorded(rng, src.villages, remaining)
    villages = assign_requirements(rng, villages, src.villages, src.seats)
    sites = pd.concat([villages, institutions], ignore_index=True).reindex(columns=SITE_COLUMNS)
    return sites, shares


def build(shared: Path, out: Path = OUT_DIR) -> dict:
    """Build every bundled file from the shared sources; returns the headline figures."""
    rng = np.random.default_rng(seed=SEED)
    src = read_sources(shared)
    out.mkdir(parents=True, exist_ok=True)
    copy_sources(shared, out)
    sites, shares = build_sites(rng, src)
    offices = district_offices(rng, src.districts)
    teams = build_teams(rng, src, sites)
    kits = build_kits(rng, teams)
    for frame, name in ((sites, "sites"), (offices, "district_offices"), (teams, "teams"), (kits, "kits")):
        write_csv(frame, out / f"{name}.csv")
    write_scenario(out)
    summary = regency_summary(src, shares, sites)
    f = facts(summary, sites, teams, kits, offices)
    write_readme(out, summary, f)
    return f


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, required=True, help="folder with the Jambi source files")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="output folder (default planner/data/jambi)")
    args = parser.parse_args()
    for key, value in build(args.shared, args.out).items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
