"""Benchmark: `validate_scenario` on generated site tables of 1,000–20,000 rows.

Run: .venv/bin/python bench/validate_sites.py
Peer in the same run: pandas.read_csv of the same file (parsing only, no checks), so the ratio
says what the row-by-row validation costs over plain parsing. Writes bench/results/validate_sites.md.
"""

from __future__ import annotations

import os
import platform
import shutil
import tempfile
import time
from pathlib import Path

import pandas as pd

from planner.io.bundled import jambi_dir
from planner.io.load import validate_scenario

KINDS = ["village", "village", "village", "prison", "hospital", "school", "care_home"]
REGENCIES = [f"15.0{i}" for i in range(1, 10)] + ["15.71", "15.72"]


def write_scenario(folder: Path, n: int) -> Path:
    """A scenario with `n` generated sites and the bundled Jambi teams and kits."""
    rows = ["site_id,name,kind,lat,lon,unrecorded,regency_code,district_code,hours,electricity"]
    codes = REGENCIES  # every team's regency has sites (a team whose code matches no site is an error)
    rows += [
        f"S{i:05d},Desa {i},{KINDS[i % 7]},{-2.5 + (i % 170) / 100:.4f},{101.5 + (i % 300) / 100:.4f},"
        f"{i % 400},{codes[i % len(codes)]},{codes[i % len(codes)]}.0{i % 9},"
        f"{'08:00-12:00;13:00-15:00' if i % 3 else ''},{'ya' if i % 2 else 'tidak'}"
        for i in range(n)
    ]
    (folder / "sites.csv").write_text("\n".join(rows) + "\n")
    for name in ("teams.csv", "kits.csv"):
        shutil.copy(jambi_dir() / name, folder / name)
    path = folder / "scenario.yaml"
    path.write_text("name: bench\nhorizon: {start: 2026-11-23, days: 6}\nsites: sites.csv\nteams: teams.csv\nkits: kits.csv\n")
    return path


def best_of(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    lines = [
        "# Validating site tables",
        "",
        "Command: `.venv/bin/python bench/validate_sites.py` (best of 3, warm process)",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "",
        "| sites | validate_scenario s | pandas.read_csv s (peer) | ratio |",
        "|---:|---:|---:|---:|",
    ]
    for n in (1000, 5000, 20000):
        with tempfile.TemporaryDirectory() as d:
            path = write_scenario(Path(d), n)
            sc, report = validate_scenario(path)
            assert sc is not None, report.format()
            ours = best_of(lambda: validate_scenario(path))
            peer = best_of(lambda: pd.read_csv(Path(d) / "sites.csv", dtype=str))
        lines.append(f"| {n:,} | {ours:.3f} | {peer:.3f} | {ours / peer:.1f}× |")
        print(lines[-1], flush=True)
    out = Path(__file__).parent / "results" / "validate_sites.md"
    out.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
