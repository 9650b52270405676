"""Benchmark: the input/output paths of issue #22, before and after, measured in one run.

Before = the code main had at ac2313c, kept in bench/io_baseline.py (openpyxl reader and writer, the
csv.DictReader travel-matrix loop); after = what jemput runs now (planner/io/xlsx.py with calamine,
planner/io/export.py with xlsxwriter, planner/compile/matrix_file.py with pandas). Each pair is timed
on the same data in the same process, best of REPEATS, and their outputs are compared.

Data: the bundled Jambi sites (1,592 rows) and 20,000 sites of synthetic provinces (`jemput synth`);
the roster of a real Jambi plan (planned here, 10 s) and that roster repeated to 20,000 rows; travel
matrix files of great-circle times between 1,000 synthetic and 1,592 Jambi sites. A 5 kB sheet with
one stray value at XFD1048576 is read by each reader in a child process with a time and memory limit.

Run from the repository root (needs the `bench` extra for openpyxl):  .venv/bin/python bench/io_speed.py
Writes bench/results/io_speed.md and bench/results/io_speed.csv.
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
import os
import subprocess
import sys
import tempfile
import textwrap
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import io_baseline  # noqa: E402
from report import machine, markdown_table  # noqa: E402

from planner.compile.great_circle import GreatCircleProvider  # noqa: E402
from planner.compile.matrices import Points  # noqa: E402
from planner.compile.matrix_file import FileMatrixProvider  # noqa: E402
from planner.io import xlsx  # noqa: E402
from planner.io.bundled import jambi_dir, jambi_scenario_path  # noqa: E402
from planner.io.export import roster_rows, write_roster_xlsx  # noqa: E402
from planner.io.tables import cell_text  # noqa: E402
from planner.model import VehicleProfile  # noqa: E402

COMMAND = ".venv/bin/python bench/io_speed.py"
REPEATS = 3
RESULTS = ROOT / "bench" / "results"
CHILD_LIMIT_S, CHILD_LIMIT_GB = 60, 3


class Timing(float):
    """Best wall seconds of some calls, with their best CPU seconds (this process, all threads) as `.cpu`."""

    cpu: float


def best_of(fn: Callable[[], object], repeats: int = REPEATS) -> tuple[Timing, object]:
    """Best wall time (and best CPU time) of `repeats` calls, and the last result."""
    wall, cpu, out = float("inf"), float("inf"), None
    for _ in range(repeats):
        gc.collect()
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        wall, cpu = min(wall, time.perf_counter() - t0), min(cpu, time.process_time() - c0)
    timing = Timing(wall)
    timing.cpu = cpu
    return timing, out


def trimmed(records: list[list[str]]) -> list[list[str]]:
    """Records without trailing empty cells and rows (the readers pad differently)."""
    rows = []
    for r in records:
        r = list(r)
        while r and r[-1] == "":
            r.pop()
        rows.append(r)
    while rows and not rows[-1]:
        rows.pop()
    return rows


# ------------------------------------------------------------------------------------------ data


def sites_frames(tmp: Path) -> dict[str, pd.DataFrame]:
    """Jambi's sites and 20,000 synthetic ones (13 provinces from `jemput synth`, cut to 20,000)."""
    from planner.national.synthetic import write_national

    jambi = pd.read_csv(jambi_dir() / "sites.csv", dtype=str, keep_default_na=False)
    paths = write_national(tmp / "national", provinces=13, seed=0)
    synth = pd.concat([pd.read_csv(p.parent / "sites.csv", dtype=str, keep_default_na=False) for p in paths])
    return {"Jambi sites": jambi, "synthetic sites": synth.head(20_000).reset_index(drop=True)}


def write_sites_xlsx(frame: pd.DataFrame, path: Path) -> Path:
    """A sites sheet as a coordinator's Excel holds it: numbers as numbers, the rest as text."""
    import xlsxwriter

    numeric = {"lat", "lon", "unrecorded", "turnout", "priority"}
    with xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "constant_memory": True}) as wb:
        ws = wb.add_worksheet("Desa")
        ws.write_row(0, 0, list(frame.columns))
        for r, values in enumerate(frame.itertuples(index=False), 1):
            for c, (name, text) in enumerate(zip(frame.columns, values)):
                if text == "":
                    continue
                if name in numeric:
                    ws.write_number(r, c, float(text))
                else:
                    ws.write_string(r, c, text)
    return path


def jambi_plan():
    from planner.io.load import load_scenario
    from planner.solve.week import SolveOptions, plan_week

    scenario = load_scenario(jambi_scenario_path())
    return scenario, plan_week(scenario, SolveOptions(time_limit_s=10, seed=0))


def matrix_file(points: Points, path: Path) -> Path:
    """A long-format matrix file (car and motorbike rows) of great-circle estimates, 3 decimals."""
    provider = GreatCircleProvider()
    n = len(points)
    i, j = np.nonzero(~np.eye(n, dtype=bool))
    ids = np.array(points.ids, dtype=object)
    frames = []
    for profile in ("car",):
        m = provider.matrices(points, VehicleProfile(profile))
        frames.append(pd.DataFrame({"from_id": ids[i], "to_id": ids[j],
                                    "duration_min": m.duration_min[i, j].round(3),
                                    "distance_km": m.distance_km[i, j].round(3), "profile": ""}))
    pd.concat(frames).to_csv(path, index=False)
    return path


# ------------------------------------------------------------------------------------------ cases


def xlsx_reads(frames: dict[str, pd.DataFrame], tmp: Path) -> list[dict]:
    rows = []
    for name, frame in frames.items():
        path = write_sites_xlsx(frame, tmp / f"{name.replace(' ', '_')}.xlsx")
        before, old = best_of(lambda: io_baseline.read_xlsx_openpyxl(path))
        after, new = best_of(lambda: [[cell_text(v) for v in r] for r in xlsx.read_sheet(path, None).grid])
        with zipfile.ZipFile(path) as z:
            scan, _ = best_of(lambda: xlsx.scan_sheet(z, "xl/worksheets/sheet1.xml", "Desa"))
        same = trimmed(old) == trimmed(new)
        unpacked = sum(i.file_size for i in z.infolist()) / 2**20
        rows.append(row("read XLSX", f"{name}, {len(frame):,} rows ({unpacked:.1f} MB unpacked)", "openpyxl read-only",
                        "calamine + size pre-scan", before, after,
                        f"same cell text: {'yes' if same else 'NO'}; of which pre-scan {scan:.3f} s, {scan.cpu:.3f} s CPU"))
    return rows


def roster_writes(tmp: Path) -> list[dict]:
    t0 = time.perf_counter()
    scenario, plan = jambi_plan()
    planned = time.perf_counter() - t0
    stops = sum(len(td.stops) for td in plan.team_days)
    times = -(-20_000 // max(stops, 1))
    big = plan.model_copy(update={"team_days": list(plan.team_days) * times})
    rows = []
    for label, p in ((f"Jambi plan, {stops:,} stops", plan), (f"Jambi roster ×{times}, {stops * times:,} rows", big)):
        before, _ = best_of(lambda: io_baseline.write_roster_xlsx_openpyxl(scenario, p, tmp / "old.xlsx"))
        after, _ = best_of(lambda: write_roster_xlsx(scenario, p, tmp / "new.xlsx"))
        old = [trimmed(s) for s in _sheets(tmp / "old.xlsx")]
        new = [trimmed(s) for s in _sheets(tmp / "new.xlsx")]
        rows.append(row("write roster XLSX", label, "openpyxl", "xlsxwriter (constant_memory)", before, after,
                        f"same cells: {'yes' if old == new else 'NO'}; sizes {_kb(tmp / 'old.xlsx')} / "
                        f"{_kb(tmp / 'new.xlsx')} kB"))
    rows[0]["note"] += f"; plan made here in {planned:.0f} s, {len(roster_rows(scenario, plan))} roster rows"
    return rows


def _sheets(path: Path) -> list[list[list[str]]]:
    from python_calamine import CalamineWorkbook

    with CalamineWorkbook.from_path(str(path)) as book:
        return [[[cell_text(v) for v in r] for r in book.get_sheet_by_name(n).to_python()] for n in book.sheet_names]


def _kb(path: Path) -> str:
    return f"{path.stat().st_size / 1024:,.0f}"


def matrix_reads(frames: dict[str, pd.DataFrame], tmp: Path) -> list[dict]:
    rows = []
    for name, frame, n in (("synthetic sites", frames["synthetic sites"], 1_000),
                           ("Jambi sites", frames["Jambi sites"], len(frames["Jambi sites"]))):
        part = frame.head(n)
        points = Points(tuple(part.site_id), part.lat.astype(float).to_numpy(), part.lon.astype(float).to_numpy())
        path = matrix_file(points, tmp / f"matrix_{n}.csv")
        before, old = best_of(lambda: io_baseline.CsvFileMatrixProvider(path).matrices(points, VehicleProfile.car), 1)
        after, new = best_of(lambda: FileMatrixProvider(path).matrices(points, VehicleProfile.car))
        same = np.array_equal(old.duration_min, new.duration_min) and np.array_equal(old.distance_km, new.distance_km)
        rows.append(row("read travel-matrix CSV", f"{name}, {n:,} points ({n * (n - 1):,} rows, "
                        f"{path.stat().st_size / 2**20:,.0f} MB)", "csv.DictReader loop", "pandas read_csv + numpy",
                        before, after, f"identical matrices: {'yes' if same else 'NO'}; before timed once"))
    return rows


STRAY_CHILD = textwrap.dedent("""
    import resource, sys, time
    sys.path[:0] = [{root!r}, {bench!r}]
    resource.setrlimit(resource.RLIMIT_AS, ({gb} * 2**30, {gb} * 2**30))
    t0 = time.perf_counter()
    how = sys.argv[1]
    try:
        if how == "openpyxl":
            import io_baseline; io_baseline.read_xlsx_openpyxl(sys.argv[2]); print("read")
        elif how == "calamine":
            import python_calamine; python_calamine.CalamineWorkbook.from_path(sys.argv[2]).get_sheet_by_index(0)
            print("read")
        else:
            from pathlib import Path
            from planner.io import xlsx
            xlsx.read_sheet(Path(sys.argv[2]), None); print("read")
    except Exception as exc:
        print(type(exc).__name__, str(exc)[:90])
    print(f"{{time.perf_counter() - t0:.3f}}")
""")


def stray_cell(tmp: Path) -> list[dict]:
    import xlsxwriter

    path = tmp / "stray.xlsx"
    with xlsxwriter.Workbook(str(path)) as wb:
        ws = wb.add_worksheet("Desa")
        ws.write_row(0, 0, ["site_id", "name", "lat", "lon"])
        ws.write_row(1, 0, ["V-1", "Desa Satu", -1.6, 103.6])
        ws.write(1048575, 16383, "x")
    code = STRAY_CHILD.format(root=str(ROOT), bench=str(ROOT / "bench"), gb=CHILD_LIMIT_GB)
    outcome = {}
    for how in ("openpyxl", "calamine", "jemput"):
        t0 = time.perf_counter()
        try:
            done = subprocess.run([sys.executable, "-c", code, how, str(path)], capture_output=True, text=True,
                                  timeout=CHILD_LIMIT_S, env={**os.environ, "RUST_BACKTRACE": "0"})
            lines = done.stdout.strip().splitlines()
            if done.returncode < 0 or done.returncode == 134:
                what = f"process killed (exit {done.returncode}: {done.stderr.strip().splitlines()[0][:60]})"
            else:
                what = lines[0] if lines else f"exit {done.returncode}"
            outcome[how] = (time.perf_counter() - t0, what.strip())
        except subprocess.TimeoutExpired:
            outcome[how] = (float(CHILD_LIMIT_S), f"still reading after {CHILD_LIMIT_S} s (stopped)")
    label = f"{path.stat().st_size / 1024:.1f} kB sheet, one value at XFD1048576 (child, ≤ {CHILD_LIMIT_GB} GB)"
    rows = [row("stray cell", label, "openpyxl read-only", "calamine + size pre-scan",
                outcome["openpyxl"][0], outcome["jemput"][0],
                f"before: {outcome['openpyxl'][1]}; after: {outcome['jemput'][1]}")]
    rows.append(row("stray cell", label, "calamine alone", "calamine + size pre-scan", outcome["calamine"][0],
                    outcome["jemput"][0], f"calamine alone: {outcome['calamine'][1]}"))
    rows[-1]["speed-up"] = "– (an abort is not a result)"
    return rows


def row(place: str, data: str, before_how: str, after_how: str, before: float, after: float, note: str) -> dict:
    """One result line: wall seconds, CPU seconds where measured in this process, and the ratios."""
    out = {"place": place, "data": data, "before": before_how, "after": after_how,
           "before_s": round(before, 3), "after_s": round(after, 3),
           "speed-up": f"{before / after:.1f}×" if after > 0 else "", "note": note}
    if isinstance(before, Timing) and isinstance(after, Timing):
        out |= {"before_cpu_s": round(before.cpu, 3), "after_cpu_s": round(after.cpu, 3),
                "cpu speed-up": f"{before.cpu / after.cpu:.1f}×" if after.cpu > 0 else ""}
    return out


def main() -> None:
    load = os.getloadavg()
    started = dt.datetime.now(dt.UTC)
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        frames = sites_frames(tmp)
        rows = xlsx_reads(frames, tmp) + stray_cell(tmp) + roster_writes(tmp) + matrix_reads(frames, tmp)
    RESULTS.mkdir(exist_ok=True)
    cols = ["place", "data", "before", "after", "before_s", "after_s", "speed-up", "before_cpu_s", "after_cpu_s",
            "cpu speed-up", "note"]
    with (RESULTS / "io_speed.csv").open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=cols)
        w.writeheader()
        w.writerows(rows)
    load_end = os.getloadavg()
    md = [
        "# I/O before and after #22 (one run)", "",
        f"Command (from the repository root): `{COMMAND}`", "",
        "Before = main's code at ac2313c (bench/io_baseline.py), after = jemput now; same data, same process, "
        f"best of {REPEATS} (the csv.DictReader matrix read once). `_s` = wall seconds, `_cpu_s` = CPU seconds "
        "of this process (all threads; pandas reads a CSV on several), the steadier figure on a loaded machine. "
        "Outputs compared in the notes.", "",
        *markdown_table(cols, rows), "",
        f"{machine()}; load average {load[0]:.1f} at start, {load_end[0]:.1f} at end (a shared machine: "
        "absolute times are pessimistic, the ratios are measured side by side); "
        f"{started:%Y-%m-%d %H:%M} UTC.",
    ]
    (RESULTS / "io_speed.md").write_text("\n".join(md) + "\n", encoding="utf-8")
    print("\n".join(md))


if __name__ == "__main__":
    main()
