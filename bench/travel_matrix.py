"""Benchmark: great-circle travel matrices for 500–5,000 random points in Jambi province.

Measures jemput's `GreatCircleProvider` (blocked, vectorised numpy) against two peers in the same run:
a textbook one-shot numpy broadcast (per-pair trigonometry, full-size temporaries) and a pure-Python
`math` double loop (timed on a subset; per-pair cost extrapolated). Wall time is the best of 3 runs;
peak memory is measured in a separate run with tracemalloc (numpy reports its buffers to it).

Run from the repository root:  .venv/bin/python bench/travel_matrix.py
Writes bench/results/travel_matrix.md and bench/results/travel_matrix.csv.
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
import math
import os
import platform
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from planner import units  # noqa: E402
from planner.model import VehicleProfile  # noqa: E402
from planner.compile.travel import EARTH_RADIUS_KM, GreatCircleProvider, Points  # noqa: E402

COMMAND = ".venv/bin/python bench/travel_matrix.py"
SIZES = (500, 1_000, 2_000, 5_000)
JAMBI_LAT = (-2.8, -0.7)
JAMBI_LON = (101.1, 104.5)
SEED = 20261123
REPEATS = 3
PURE_PYTHON_SUBSET = 500  # the pure-Python loop is timed on this many points (250,000 pairs)
PROFILE = VehicleProfile.car
RESULTS = ROOT / "bench" / "results"


@dataclass
class Row:
    n: int
    method: str
    how: str  # measured | extrapolated
    best_s: float
    peak_mib: float | None
    output_mib: float
    ns_per_pair: float
    x_slower_than_jemput: float
    max_abs_diff_min: float | None


def jambi_points(n: int) -> Points:
    """n seeded random points inside Jambi province's bounding box."""
    rng = np.random.default_rng(SEED + n)
    return Points(tuple(f"p{i}" for i in range(n)), rng.uniform(*JAMBI_LAT, n), rng.uniform(*JAMBI_LON, n))


def jemput_minutes(points: Points) -> np.ndarray:
    """jemput: blocked, vectorised great-circle matrices (distance and duration)."""
    return GreatCircleProvider().matrices(points, PROFILE).duration_min


def naive_numpy_minutes(points: Points) -> np.ndarray:
    """Peer: the textbook haversine broadcast over the full n×n at once, as commonly written."""
    lat, lon = np.radians(points.lat), np.radians(points.lon)
    dlat = lat[None, :] - lat[:, None]
    dlon = lon[None, :] - lon[:, None]
    h = np.sin(dlat / 2) ** 2 + np.cos(lat[:, None]) * np.cos(lat[None, :]) * np.sin(dlon / 2) ** 2
    km = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(h)) * units.DEFAULT_CIRCUITY["car"]
    return km / units.DEFAULT_SPEED_KMH["car"] * 60


def pure_python_minutes(points: Points) -> list[list[float]]:
    """Peer: a pure-Python double loop with the math module."""
    lat = [math.radians(x) for x in points.lat]
    lon = [math.radians(x) for x in points.lon]
    factor = 2 * EARTH_RADIUS_KM * units.DEFAULT_CIRCUITY["car"] / units.DEFAULT_SPEED_KMH["car"] * 60
    out = []
    for i in range(len(lat)):
        row = []
        for j in range(len(lat)):
            h = math.sin((lat[j] - lat[i]) / 2) ** 2 + math.cos(lat[i]) * math.cos(lat[j]) * math.sin(
                (lon[j] - lon[i]) / 2
            ) ** 2
            row.append(factor * math.asin(math.sqrt(h)))
        out.append(row)
    return out


def best_time(fn: Callable[[Points], object], points: Points) -> float:
    """Best wall time of REPEATS runs, seconds (results dropped between runs)."""
    times = []
    for _ in range(REPEATS):
        gc.collect()
        t0 = time.perf_counter()
        result = fn(points)
        times.append(time.perf_counter() - t0)
        del result
    return min(times)


def peak_mib(fn: Callable[[Points], object], points: Points) -> float:
    """Peak traced memory of one run, MiB (includes the returned matrices)."""
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    result = fn(points)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    del result
    return peak / 2**20


def bench_size(n: int, py_ns_per_pair: float) -> list[Row]:
    """Rows for jemput, the numpy peer (measured) and the pure-Python peer (extrapolated) at n points."""
    points = jambi_points(n)
    pairs = n * n
    ours = jemput_minutes(points)
    diff = float(np.max(np.abs(naive_numpy_minutes(points) - ours)))
    del ours
    t_ours, t_naive = best_time(jemput_minutes, points), best_time(naive_numpy_minutes, points)
    m_ours, m_naive = peak_mib(jemput_minutes, points), peak_mib(naive_numpy_minutes, points)
    t_py = py_ns_per_pair * pairs / 1e9
    py_how = "measured" if n == PURE_PYTHON_SUBSET else "extrapolated"
    out_mib = 2 * pairs * 8 / 2**20  # jemput returns distance and duration
    return [
        Row(n, "jemput GreatCircleProvider", "measured", t_ours, m_ours, out_mib, t_ours / pairs * 1e9, 1.0, None),
        Row(n, "naive numpy broadcast", "measured", t_naive, m_naive, out_mib / 2, t_naive / pairs * 1e9,
            t_naive / t_ours, diff),
        Row(n, "pure Python math loop", py_how, t_py, None, out_mib / 2, py_ns_per_pair, t_py / t_ours, None),
    ]


def pure_python_ns_per_pair() -> tuple[float, float]:
    """Per-pair cost of the pure-Python loop on the subset, and its max deviation from jemput (minutes)."""
    points = jambi_points(PURE_PYTHON_SUBSET)
    t = best_time(pure_python_minutes, points)
    diff = float(np.max(np.abs(np.array(pure_python_minutes(points)) - jemput_minutes(points))))
    return t / PURE_PYTHON_SUBSET**2 * 1e9, diff


def machine() -> list[str]:
    """A short description of the machine and software the numbers come from."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), cpu)
    except OSError:
        pass
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = "?"
    return [
        f"- date: {dt.datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"- machine: {platform.system()} {platform.release()} {platform.machine()}, {cpu}, "
        f"os.cpu_count() = {os.cpu_count()}",
        f"- python {platform.python_version()}, numpy {np.__version__}; repository HEAD {commit} "
        "(planner/compile/travel.py as in the working tree)",
    ]


def markdown(rows: list[Row], py_subset_diff: float) -> str:
    """The results page: table, method, machine and command."""
    lines = [
        "# Great-circle travel matrix benchmark",
        "",
        f"Command (from the repository root): `{COMMAND}`",
        "",
        f"Random points in Jambi province's bounding box (lat {JAMBI_LAT[0]}..{JAMBI_LAT[1]}, "
        f"lon {JAMBI_LON[0]}..{JAMBI_LON[1]}), seed {SEED}+n, profile `{PROFILE.value}`. "
        f"Time = best of {REPEATS} wall-clock runs; peak = tracemalloc peak of a separate run, "
        "including the returned matrices.",
        "",
        "| points | method | time | peak MiB | output MiB | ns / pair | × jemput time | max diff vs jemput (min) |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        t = f"{r.best_s:.3f} s" + (" (extrapolated)" if r.how == "extrapolated" else "")
        peak = "–" if r.peak_mib is None else f"{r.peak_mib:.0f}"
        diff = "–" if r.max_abs_diff_min is None else f"{r.max_abs_diff_min:.1e}"
        lines.append(
            f"| {r.n:,} | {r.method} | {t} | {peak} | {r.output_mib:.0f} | {r.ns_per_pair:.1f} | "
            f"{r.x_slower_than_jemput:.1f} | {diff} |"
        )
    lines += [
        "",
        "Notes:",
        "- jemput returns two float64 n×n matrices (distance and duration); the peers return only the "
        "duration matrix, so their output is half as large. At 5,000 points one matrix is 191 MiB.",
        f"- The pure-Python loop was timed on {PURE_PYTHON_SUBSET} points ({PURE_PYTHON_SUBSET**2:,} pairs, "
        f"best of {REPEATS}); larger sizes multiply its per-pair cost by n². Its minutes differ from "
        f"jemput's by at most {py_subset_diff:.1e} on that subset.",
        "- The naive numpy peer is the textbook haversine written over the whole n×n at once "
        "(sin/cos per pair, full-size temporaries); jemput builds rows in blocks of about 2^20 entries "
        "and needs only one arcsin and one sqrt per pair (the angle differences come from per-point "
        "half-angle sines and cosines).",
        "",
        "Machine:",
        "",
        *machine(),
        "",
    ]
    return "\n".join(lines)


def write_csv(rows: list[Row], path: Path) -> None:
    with path.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(asdict(rows[0])))
        w.writeheader()
        for r in rows:
            w.writerow(asdict(r))


def main() -> None:
    py_ns, py_diff = pure_python_ns_per_pair()
    print(f"pure Python: {py_ns:.0f} ns/pair on {PURE_PYTHON_SUBSET} points", flush=True)
    rows: list[Row] = []
    for n in SIZES:
        rows += bench_size(n, py_ns)
        for r in rows[-3:]:
            print(f"{n:>6} {r.method:<28} {r.best_s:8.3f} s  peak {r.peak_mib or 0:7.0f} MiB", flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "travel_matrix.md").write_text(markdown(rows, py_diff))
    write_csv(rows, RESULTS / "travel_matrix.csv")
    print(f"wrote {RESULTS / 'travel_matrix.md'} and travel_matrix.csv")


if __name__ == "__main__":
    main()
