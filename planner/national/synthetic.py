"""Synthetic national scenarios for scale tests: N provinces, each a moved, jittered copy of Jambi.

Jambi's real structure is kept — its 11 regencies with their offices and teams, 144 districts,
1,568 villages, prisons, hospitals, kits and the provincial team — so a synthetic province is as
hard to plan as the bundled one. What changes, per province (seeded, deterministic):

- **Codes and ids**: province k gets a two-digit Kemendagri-style code (`15` for the first, then
  the other 37 real province codes in order, then unused two-digit numbers); every code and id
  that began with Jambi's `15` begins with it instead (`15.01.01.2001` → `31.01.01.2001`,
  `V1501012001` → `V3101012001`, `T15-PROV` → `T31-PROV`). The contents are Jambi's, not that province's.
- **Place**: the whole province is moved by one offset to a cell of a grid of Jambi-sized cells
  laid over Indonesia's bounding box (planner.units), nearest cells first; province 1 stays where
  Jambi is. Cells are not checked against the coastline (many fall in the sea): the solver only
  sees distances, which the move keeps. Each site is then jittered by up to ±`SITE_JITTER_DEG`.
- **People**: each site's `unrecorded` is multiplied by a lognormal draw (σ = `UNRECORDED_SIGMA`).

`regencies` keeps only some of Jambi's regencies (with the provincial team), for small test provinces.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from planner import units
from planner.io.bundled import jambi_dir

SOURCE_CODE = "15"  # Jambi
REAL_CODES = (
    "15", "11", "12", "13", "14", "16", "17", "18", "19", "21", "31", "32", "33", "34", "35", "36",
    "51", "52", "53", "61", "62", "63", "64", "65", "71", "72", "73", "74", "75", "76", "81", "82",
    "91", "92", "93", "94", "95", "96", "97",
)  # fmt: skip
CELL_DEG = (2.2, 3.5)  # lat, lon size of a grid cell: Jambi spans about 1.9° × 3.2°
SITE_JITTER_DEG = 0.005  # about ±550 m
UNRECORDED_SIGMA = 0.15
TABLES = ("sites.csv", "teams.csv", "kits.csv", "district_offices.csv")
_ID = re.compile(rf"^([A-Z]+){SOURCE_CODE}")
_CODE = re.compile(rf"^{SOURCE_CODE}(?=\.|$)")


def province_codes(n: int) -> list[str]:
    """Two-digit codes for n synthetic provinces: Jambi's, the other real ones, then unused numbers."""
    spare = [f"{i:02d}" for i in range(10, 100) if f"{i:02d}" not in REAL_CODES]
    codes = list(REAL_CODES) + spare
    if not 1 <= n <= len(cell_offsets()):
        raise ValueError(f"provinces must be between 1 and {len(cell_offsets())}, got {n}")
    return codes[:n]


def cell_offsets() -> list[tuple[float, float]]:
    """(dlat, dlon) moves that keep a Jambi copy inside Indonesia's box, nearest first."""
    lat0, lon0 = -1.73, 102.79  # centre of Jambi's extent
    half_lat, half_lon = CELL_DEG[0] / 2, CELL_DEG[1] / 2
    cells = []
    for i in range(-10, 11):
        for j in range(-15, 16):
            lat, lon = lat0 + i * CELL_DEG[0], lon0 + j * CELL_DEG[1]
            if units.INDONESIA_LAT[0] + half_lat <= lat <= units.INDONESIA_LAT[1] - half_lat and (
                units.INDONESIA_LON[0] + half_lon <= lon <= units.INDONESIA_LON[1] - half_lon
            ):
                cells.append((i * i + j * j, i, j))
    return [(i * CELL_DEG[0], j * CELL_DEG[1]) for _, i, j in sorted(cells)]


def write_national(
    out_dir: Path,
    provinces: int,
    seed: int = 0,
    regencies: Sequence[str] | None = None,
) -> list[Path]:
    """Write `provinces` synthetic province scenarios under out_dir (one folder each); returns their files.

    Also writes out_dir/provinces.txt, one scenario path a line, usable as `jemput batch` input.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    source = _read_jambi(regencies)
    rng = np.random.default_rng(seed)
    paths = []
    for code, offset in zip(province_codes(provinces), cell_offsets()):
        paths.append(_write_province(out_dir / f"prov-{code}", source, code, offset, rng))
    (out_dir / "provinces.txt").write_text("".join(f"{p.parent.name}/{p.name}\n" for p in paths), encoding="utf-8")
    return paths


def _read_jambi(regencies: Sequence[str] | None) -> dict[str, pd.DataFrame]:
    """Jambi's tables as text (blank cells stay blank), cut to some regencies if asked."""
    src = jambi_dir()
    t = {name: pd.read_csv(src / name, dtype=str, keep_default_na=False) for name in TABLES}
    if regencies:
        keep = set(regencies)
        unknown = keep - set(t["teams.csv"].regency_code)
        if unknown:
            raise ValueError(f"not regencies of Jambi: {', '.join(sorted(unknown))}")
        t["sites.csv"] = t["sites.csv"][t["sites.csv"].regency_code.isin(keep)]
        t["teams.csv"] = t["teams.csv"][t["teams.csv"].regency_code.isin(keep | {""})]
        t["kits.csv"] = t["kits.csv"][t["kits.csv"].team_id.isin(set(t["teams.csv"].team_id))]
        offices = t["district_offices.csv"]
        t["district_offices.csv"] = offices[offices.district_code.str[:5].isin(keep)]
    return t


def _write_province(folder: Path, source: dict[str, pd.DataFrame], code: str, offset: tuple[float, float], rng: np.random.Generator) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    sites, teams = source["sites.csv"].copy(), source["teams.csv"].copy()
    kits, offices = source["kits.csv"].copy(), source["district_offices.csv"].copy()
    n = len(sites)
    jitter = rng.uniform(-SITE_JITTER_DEG, SITE_JITTER_DEG, size=(n, 2))
    factor = rng.lognormal(0.0, UNRECORDED_SIGMA, size=n)
    sites["lat"] = _moved(sites["lat"], offset[0] + jitter[:, 0], units.INDONESIA_LAT)
    sites["lon"] = _moved(sites["lon"], offset[1] + jitter[:, 1], units.INDONESIA_LON)
    sites["unrecorded"] = [str(int(round(int(u) * f))) for u, f in zip(sites["unrecorded"], factor)]
    sites["site_id"] = sites["site_id"].map(lambda s: _ID.sub(rf"\g<1>{code}", s))
    for col in ("province_code", "regency_code", "district_code", "village_code"):
        sites[col] = sites[col].map(lambda s: _CODE.sub(code, s))
    teams["base_lat"] = _moved(teams["base_lat"], np.full(len(teams), offset[0]), units.INDONESIA_LAT)
    teams["base_lon"] = _moved(teams["base_lon"], np.full(len(teams), offset[1]), units.INDONESIA_LON)
    teams["team_id"] = teams["team_id"].map(lambda s: _ID.sub(rf"\g<1>{code}", s))
    teams["regency_code"] = teams["regency_code"].map(lambda s: _CODE.sub(code, s))
    kits["kit_id"] = kits["kit_id"].map(lambda s: _ID.sub(rf"\g<1>{code}", s))
    kits["team_id"] = kits["team_id"].map(lambda s: _ID.sub(rf"\g<1>{code}", s))
    offices["district_code"] = offices["district_code"].map(lambda s: _CODE.sub(code, s))
    for name, table in zip(TABLES, (sites, teams, kits, offices)):
        table.to_csv(folder / name, index=False, lineterminator="\n")
    path = folder / "scenario.yaml"
    path.write_text(_scenario_yaml(code), encoding="utf-8")
    return path


def _moved(column: pd.Series, delta: np.ndarray, bounds: tuple[float, float]) -> list[str]:
    """Coordinates moved by delta, kept inside Indonesia's box, written with 6 decimals like the source."""
    values = np.clip(column.astype(float).to_numpy() + delta, bounds[0], bounds[1])
    return [f"{v:.6f}" for v in values]


def _scenario_yaml(code: str) -> str:
    jambi = (jambi_dir() / "scenario.yaml").read_text(encoding="utf-8")
    start = re.search(r"^horizon:.*$", jambi, flags=re.M)
    horizon = start.group(0) if start else "horizon: {start: 2026-11-23, days: 6}"
    return (
        f"# Synthetic province {code}: a moved, jittered copy of the bundled Jambi (planner/national/synthetic.py).\n"
        f'name: "Provinsi Sintetis {code} (salinan Jambi) — minggu 23–28 November 2026"\n'
        f"{horizon}\n"
        "sites: sites.csv\nteams: teams.csv\nkits: kits.csv\ndistrict_offices: district_offices.csv\n"
        "travel: {provider: haversine}\n"
    )
