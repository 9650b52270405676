"""TOPTW literature instances as jemput scenarios, so the product's own solver path plans them.

Mapping (see bench/data/toptw/README.md for the format and distance convention):

* time: the literature's exact integer model (travel = floor(scale × euclid + 1e-7), scale 10 for
  the Solomon sets, 100 for Cordeau's); one scaled unit = one jemput "minute" of a one-day horizon
  whose day is `max(1440, Tmax)` units long (`Horizon.day_minutes`) and whose shift is [0, Tmax];
* a customer = a site: opening hours [O, min(C + d, Tmax)] (service starts in [O, C]), service d;
  jemput derives service from people and kits, so a site has `d` people, the team 1 kit recording
  60 an hour with no set-up (1 unit per person), and priority = score ÷ d, so its value is the score;
* a vehicle = a team with one team-day based at the depot; no breaks, no drive limit (= Tmax),
  no overnight stay, one visit per site, travel cost 0 (the objective is the score alone);
* travel comes from a long-format CSV read by jemput's `FileMatrixProvider`.

Customers that cannot be served even alone (depot → customer → depot misses Tmax or the window)
are left out of the scenario: they are in no feasible solution, and keeping them would let
jemput plan a shortened visit. Their number is reported.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from planner.model import (
    Horizon, Kit, Scenario, Shift, Site, SiteKind, Team, TimeWindow, TravelSettings, VisitRules, Weekday, Weights,
)
from planner.compile.travel import FileMatrixProvider

BENCH_DIR = Path(os.environ.get("TOPTW_DIR", Path(__file__).resolve().parent / "data" / "toptw"))  # see its README
MONDAY = dt.date(2026, 1, 5)
REGENCY = "TOPTW"  # every team and site in one regency: one part, the whole time budget


@dataclass(frozen=True)
class Instance:
    """One TOPTW instance in the exact integer model (all times in scaled units)."""

    name: str
    scale: int
    x: np.ndarray  # node 0 = depot
    y: np.ndarray
    service: np.ndarray
    score: np.ndarray
    open: np.ndarray  # earliest start of service
    close: np.ndarray  # latest start of service
    tmax: int
    travel: np.ndarray  # node × node, integer units

    @property
    def n(self) -> int:
        return len(self.x) - 1

    def servable(self) -> np.ndarray:
        """Customers (1..n) a route depot → customer → depot can serve within windows and Tmax."""
        i = np.arange(1, self.n + 1)
        start = np.maximum(self.travel[0, i], self.open[i])
        ok = (start <= self.close[i]) & (start + self.service[i] + self.travel[i, 0] <= self.tmax)
        return i[ok]


def instance_path(name: str, root: Path = BENCH_DIR) -> Path:
    """The instance file of a name like r101 or pr05."""
    sub = "cordeau" if name.startswith("pr") else "solomon"
    return (root / "instances" / sub / f"{name}.txt").resolve()


def parse_instance(path: Path) -> Instance:
    """Read a Righini–Salani / Vansteenwegen TOPTW file: first five tokens and last two of each node."""
    path = Path(path)
    lines = [ln.split() for ln in path.read_text().splitlines()]
    n = int(lines[0][2])
    nodes = [ln for ln in lines[2 : 3 + n]]
    if len(nodes) != n + 1 or any(len(t) < 7 for t in nodes):
        raise ValueError(f"{path}: expected {n + 1} node lines with ≥ 7 fields")
    scale = 100 if path.name.startswith("pr") else 10
    a = np.array([[float(t[k]) for k in (1, 2, 3, 4)] + [float(t[-2]), float(t[-1])] for t in nodes])
    x, y = a[:, 0], a[:, 1]
    euclid = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :])
    travel = np.floor(scale * euclid + 1e-7).astype(np.int64)

    def scaled(col: np.ndarray) -> np.ndarray:
        return np.rint(col * scale).astype(np.int64)

    return Instance(
        name=path.stem, scale=scale, x=x, y=y, service=scaled(a[:, 2]), score=np.rint(a[:, 3]).astype(np.int64),
        open=scaled(a[:, 4]), close=scaled(a[:, 5]), tmax=int(scaled(a[:1, 5])[0]), travel=travel,
    )


def read_bks(root: Path = BENCH_DIR) -> dict[tuple[str, int], int]:
    """Best-known scores by (instance, m)."""
    with (root / "bks.csv").open(newline="") as f:
        return {(r["instance"], int(r["m"])): int(r["bks"]) for r in csv.DictReader(f)}


def _latlon(inst: Instance, node: int) -> tuple[float, float]:
    """Display coordinates inside Indonesia's box (travel never uses them)."""
    return -2.0 + float(inst.y[node]) * 1e-3, 110.0 + float(inst.x[node]) * 1e-3


def site_id(node: int) -> str:
    return f"c{node}"


def team_id(k: int) -> str:
    return f"v{k}"


def write_matrix(inst: Instance, m: int, path: Path) -> Path:
    """The literature's integer travel times as a jemput matrix CSV (bases are all at the depot)."""
    nodes = [0] * m + list(range(1, inst.n + 1))
    ids = [f"base:{team_id(k)}" for k in range(m)] + [site_id(i) for i in range(1, inst.n + 1)]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["from_id", "to_id", "duration_min", "distance_km"])
        for a, ia in zip(nodes, ids):
            row = inst.travel[a]
            for b, ib in zip(nodes, ids):
                if ia != ib:
                    t = int(row[b])
                    w.writerow([ia, ib, t, t])
    return path


def to_scenario(inst: Instance, m: int, matrix_csv: Path) -> Scenario:
    """The instance with m vehicles as a one-day jemput scenario (module doc gives the mapping)."""
    day = max(1440, inst.tmax)
    shift = {Weekday.mon: Shift(work=TimeWindow(start=0, end=inst.tmax))}
    lat, lon = _latlon(inst, 0)
    teams = tuple(
        Team(id=team_id(k), name=f"vehicle {k + 1}", regency_code=REGENCY, base_name="depot", base_lat=lat,
             base_lon=lon, kits=(Kit(id=f"kit{k}"),), rate_per_kit_hour=60.0, setup_min=0,
             max_drive_min=inst.tmax, max_nights_out=0, shifts=shift)
        for k in range(m)
    )
    sites = tuple(_site(inst, int(i)) for i in inst.servable())
    return Scenario(
        name=f"{inst.name} m={m}",
        horizon=Horizon(start=MONDAY, days=1, day_minutes=day),
        sites=sites,
        teams=teams,
        weights=Weights(travel_cost_per_hour=0.0),
        visits=VisitRules(max_visits_per_site=1, max_people_per_visit=int(max(inst.service.max(), 1))),
        travel=TravelSettings(provider="file", matrix_file=str(matrix_csv)),
    )


def _site(inst: Instance, i: int) -> Site:
    d = int(inst.service[i])
    if d < 1:
        raise ValueError(f"{inst.name} customer {i}: service {d} < 1 unit cannot be one person's recording")
    lat, lon = _latlon(inst, i)
    end = min(int(inst.close[i]) + d, inst.tmax)
    return Site(
        id=site_id(i), name=f"customer {i}", kind=SiteKind.village, lat=lat, lon=lon, regency_code=REGENCY,
        unrecorded=d, turnout=1.0, priority=float(inst.score[i]) / d,
        hours={Weekday.mon: (TimeWindow(start=int(inst.open[i]), end=end),)},
    )


def provider(scenario: Scenario) -> FileMatrixProvider:
    return FileMatrixProvider(Path(scenario.travel.matrix_file or ""))


def plan_score(inst: Instance, plan) -> int:
    """The literature score of the sites a plan visits (from the plan, not a solver's objective)."""
    visited = {s.site_id for td in plan.team_days for s in td.stops}
    return int(sum(int(inst.score[int(sid[1:])]) for sid in visited))


def check_value_is_score(inst: Instance, plan) -> None:
    """The plan's weighted value equals the literature score (the mapping keeps value = score)."""
    if not math.isclose(plan.kpis.weighted_value, plan_score(inst, plan), abs_tol=1e-3):
        raise AssertionError(f"{inst.name}: weighted value {plan.kpis.weighted_value} ≠ score {plan_score(inst, plan)}")
