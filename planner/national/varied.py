"""Synthetic provinces of varied shape, for robustness tests of the planner on provinces that are not Jambi.

Where `planner.national.synthetic` copies Jambi, this draws a new province from a seed: 10–40
regencies, 1,000–9,000 sites, a shape (compact, long like Sumatra's west coast, or scattered in
clusters), one large city (a small, dense regency with many people), river regencies whose remote
villages are reached only by boat (with boat teams allowed to stay out), and teams allowed to stay
out in large regencies. Kits are partly in repair or broken, as in the bundled data. Figures are
synthetic (drawn to Jambi's scale: ~194 unrecorded per site, 2–3 teams per office, 2–4 kits per
team); only the travel model (haversine) is real. Same seed, same files.
"""

from __future__ import annotations

from typing import Any

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from planner import units

SHAPES = ("compact", "long", "scattered")
START = dt.date(2026, 11, 23)  # a Monday, as the bundled week
DEGREE_PER_SITE = 0.0045  # province area ≈ sites × this (deg²): Jambi is about 6 deg² for 1,600 sites
RIVER_SHARE = 0.2  # of the regencies (not the city) that are river regencies
RIVER_SITES = 0.35  # of a river regency's villages that only a boat reaches
MEAN_UNRECORDED = 190.0


@dataclass(frozen=True)
class ProvinceSpec:
    """What to draw: the size and shape of one province."""

    code: str
    regencies: int
    sites: int
    shape: str
    seed: int

    def __post_init__(self) -> None:
        if not 2 <= self.regencies <= 60:
            raise ValueError(f"regencies must be between 2 and 60, got {self.regencies}")
        if not self.regencies * 10 <= self.sites <= 20_000:
            raise ValueError(f"sites must be between 10 per regency and 20,000, got {self.sites}")
        if self.shape not in SHAPES:
            raise ValueError(f"shape must be one of {', '.join(SHAPES)}, got {self.shape!r}")


def varied_specs(count: int, seed: int = 0, first_code: int = 70) -> list[ProvinceSpec]:
    """`count` province specs of varied size and shape (10–40 regencies, 1,000–9,000 sites)."""
    rng = np.random.default_rng(seed)
    out = []
    for k in range(count):
        regencies = int(rng.integers(10, 41))
        sites = int(rng.integers(max(1_000, regencies * 40), 9_001))
        out.append(ProvinceSpec(f"{first_code + k:02d}", regencies, sites, SHAPES[k % len(SHAPES)], seed * 1000 + k))
    return out


def write_varied(out_dir: Path, specs: list[ProvinceSpec]) -> list[Path]:
    """Write each province under out_dir/prov-CODE/ and out_dir/provinces.txt; returns the scenario files."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [write_province(out_dir / f"prov-{s.code}", s) for s in specs]
    (out_dir / "provinces.txt").write_text("".join(f"{p.parent.name}/{p.name}\n" for p in paths), encoding="utf-8")
    return paths


def write_province(folder: Path, spec: ProvinceSpec) -> Path:
    """The four tables and scenario.yaml of one drawn province."""
    rng = np.random.default_rng(spec.seed)
    folder.mkdir(parents=True, exist_ok=True)
    centres, spread = _regency_centres(spec, rng)
    river = set(rng.choice(np.arange(1, spec.regencies), size=max(1, int(RIVER_SHARE * (spec.regencies - 1))), replace=False).tolist())
    counts = _site_counts(spec, rng)
    sites, offices = _sites(spec, centres, spread, counts, river, rng)
    teams, kits = _teams(spec, centres, counts, river, rng)
    for name, rows in (("sites.csv", sites), ("teams.csv", teams), ("kits.csv", kits), ("district_offices.csv", offices)):
        pd.DataFrame(rows).to_csv(folder / name, index=False, lineterminator="\n")
    path = folder / "scenario.yaml"
    path.write_text(
        f"# Synthetic province {spec.code} (planner/national/varied.py): {spec.regencies} regencies, "
        f"{spec.sites} sites, {spec.shape}, seed {spec.seed}. Figures are drawn, not real.\n"
        f'name: "Provinsi Sintetis {spec.code} ({spec.shape}, {spec.regencies} kab/kota, {spec.sites} lokasi)"\n'
        f"horizon: {{start: {START.isoformat()}, days: 6}}\n"
        "sites: sites.csv\nteams: teams.csv\nkits: kits.csv\ndistrict_offices: district_offices.csv\n"
        "travel: {provider: haversine}\n",
        encoding="utf-8",
    )
    return path


def _regency_centres(spec: ProvinceSpec, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(lat, lon) of each regency's seat and the spread (deg) of its villages; regency 0 is the city."""
    area = spec.sites * DEGREE_PER_SITE
    height, width = {"compact": (1.0, 1.0), "long": (0.45, 2.2), "scattered": (1.3, 1.3)}[spec.shape]
    scale = np.sqrt(area / (height * width))
    h, w = height * scale, width * scale
    lat0 = float(rng.uniform(units.INDONESIA_LAT[0] + h / 2 + 0.5, units.INDONESIA_LAT[1] - h / 2 - 0.5))
    lon0 = float(rng.uniform(units.INDONESIA_LON[0] + w / 2 + 0.5, units.INDONESIA_LON[1] - w / 2 - 0.5))
    if spec.shape == "scattered":  # regencies in 3–5 clusters (islands, highlands) with empty land between
        k = int(rng.integers(3, 6))
        hubs = np.column_stack([rng.uniform(-h / 2, h / 2, k), rng.uniform(-w / 2, w / 2, k)])
        pick = rng.integers(0, k, spec.regencies)
        offsets = hubs[pick] + rng.normal(0, 0.12 * scale, (spec.regencies, 2))
    else:
        offsets = np.column_stack([rng.uniform(-h / 2, h / 2, spec.regencies), rng.uniform(-w / 2, w / 2, spec.regencies)])
    centres = np.array([lat0, lon0]) + offsets
    spread = np.full(spec.regencies, 0.45 * np.sqrt(area / spec.regencies))
    spread[0] = 0.06  # the city: a few km across
    return centres, spread


def _site_counts(spec: ProvinceSpec, rng: np.random.Generator) -> np.ndarray:
    """Villages per regency: the city a tenth of the province's sites, the rest uneven (at least 8 each)."""
    rest = spec.sites - 2 * spec.regencies  # a prison and a hospital per regency
    city = max(8, rest // 10)
    share = rng.dirichlet(np.full(spec.regencies - 1, 3.0))
    others = np.maximum(8, np.floor(share * (rest - city))).astype(int)
    others[np.argmax(others)] += rest - city - int(others.sum())
    return np.concatenate([[city], others])


def _sites(spec: ProvinceSpec, centres: np.ndarray, spread: np.ndarray, counts: np.ndarray, river: set[int], rng: np.random.Generator) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    sites, offices = [], []
    for r in range(spec.regencies):
        code = f"{spec.code}.{r + 1:02d}"
        n = int(counts[r])
        pos = centres[r] + rng.normal(0, spread[r], (n, 2))
        dist = np.hypot(*(pos - centres[r]).T)
        districts = max(2, n // 12)
        district = np.minimum(districts - 1, (np.argsort(np.argsort(np.arctan2(*(pos - centres[r]).T))) * districts) // n)
        for d in range(districts):
            offices.append({"district_code": f"{code}.{d + 1:02d}", "name": f"Kecamatan {code}.{d + 1:02d}",
                            "fixed_kit_working": "yes" if rng.random() < 0.9 else "no"})
        boat_only = (r in river) & (dist > np.quantile(dist, 1 - RIVER_SITES))
        people = rng.lognormal(np.log(MEAN_UNRECORDED * (2.5 if r == 0 else 1.0)) - 0.3, 0.8, n)
        for i in range(n):
            access = "river" if boat_only[i] else ("motorbike" if rng.random() < 0.02 else "road")
            sites.append(_site(f"V{spec.code}{r + 1:02d}{i:04d}", f"Desa {code}.{i:04d}", "village", pos[i], int(people[i]),
                               spec.code, code, f"{code}.{district[i] + 1:02d}", access, rng.random() < 0.97))
        seat = f"{code}.01"
        sites.append(_site(f"P{spec.code}{r + 1:02d}", f"Lapas {code}", "prison", centres[r] + 0.003, int(rng.integers(150, 700)),
                           spec.code, code, seat, "road", True, hours="09:00-12:00", hours_fri="closed", hours_sat="closed", clearance="prison"))
        sites.append(_site(f"H{spec.code}{r + 1:02d}", f"RSUD {code}", "hospital", centres[r] - 0.003, int(rng.integers(30, 120)),
                           spec.code, code, seat, "road", True, hours="09:00-14:00"))
    return sites, offices


def _site(sid: str, name: str, kind: str, pos: Any, unrecorded: int, province: str, regency: str, district: str, access: str,
          electricity: bool, **extra: str) -> dict[str, Any]:
    lat = float(np.clip(pos[0], *units.INDONESIA_LAT))
    lon = float(np.clip(pos[1], *units.INDONESIA_LON))
    return {
        "site_id": sid, "name": name, "kind": kind, "lat": f"{lat:.6f}", "lon": f"{lon:.6f}", "unrecorded": max(0, unrecorded),
        "province_code": province, "regency_code": regency, "district_code": district, "village_code": "",
        "turnout": "", "priority": "", "hours": extra.get("hours", ""), "hours_fri": extra.get("hours_fri", ""),
        "hours_sat": extra.get("hours_sat", ""), "closed_dates": "", "electricity": "yes" if electricity else "no",
        "clearance": extra.get("clearance", ""), "access": access, "location_estimated": "yes", "note": "synthetic",
    }


def _teams(spec: ProvinceSpec, centres: np.ndarray, counts: np.ndarray, river: set[int], rng: np.random.Generator) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    teams, kits = [], []
    big = np.quantile(counts[1:], 0.75)

    def add(tid: str, name: str, regency: str, pos: Any, vehicle: str, nights: int, clearance: str) -> None:
        teams.append({
            "team_id": tid, "name": name, "regency_code": regency, "base_name": f"Disdukcapil {regency or spec.code}",
            "base_lat": f"{pos[0]:.6f}", "base_lon": f"{pos[1]:.6f}", "vehicle": vehicle,
            "generator": "yes" if rng.random() < 0.5 else "no", "clearances": clearance, "max_drive_min": 240,
            "max_nights_out": nights, **{f"shift_{d}": "" for d in ("mon", "tue", "wed", "thu", "fri", "sat")},
        })
        for k in range(int(rng.integers(2, 5))):
            u = rng.random()
            status, until = ("working", "") if u < 0.85 else (("in_repair", (START + dt.timedelta(days=int(rng.integers(1, 4)))).isoformat()) if u < 0.95 else ("broken", ""))
            kits.append({"kit_id": f"{tid}-K{k + 1}", "team_id": tid, "status": status, "repair_until": until})

    for r in range(spec.regencies):
        code = f"{spec.code}.{r + 1:02d}"
        base = centres[r]
        add(f"T{spec.code}{r + 1:02d}-1", f"Tim {code} 1", code, base, "car", 2 if counts[r] >= big else 0, "prison")
        add(f"T{spec.code}{r + 1:02d}-2", f"Tim {code} 2", code, base, "motorbike", 0, "")
        if r == 0:
            add(f"T{spec.code}{r + 1:02d}-3", f"Tim {code} 3", code, base, "car", 0, "prison")
        if r in river:
            add(f"T{spec.code}{r + 1:02d}-B", f"Tim Perahu {code}", code, base, "boat", 2, "")
    add(f"T{spec.code}-PROV", f"Tim Provinsi {spec.code}", "", centres[0], "car", 3, "prison")
    return teams, kits
