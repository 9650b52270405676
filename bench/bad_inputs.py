"""Benchmark: what bad or oversized inputs cost before jemput answers (issue 17).

Run: .venv/bin/python bench/bad_inputs.py            (validate cases, ≈ 1 min)
     .venv/bin/python bench/bad_inputs.py --plan     (also `jemput plan` of 20,000 and 5,000 sites, ≈ 3 min)
Writes bench/results/bad_inputs.{csv,md}.

Each case is the real command in a fresh process — `jemput validate SCENARIO` (or `jemput plan SCENARIO
--time-limit 10 --no-maps --out DIR`) — timed from outside; `peak_mib` is the process's peak resident
memory from os.wait4 (ru_maxrss, which on Linux also covers the children it waited for: the solve's
part workers). Every run has an address-space cap (RLIMIT_AS, `--cap-gib`, default 6) so a regression
shows here as a failed case instead of taking the shared machine. `answer` is the first line of the
report (or the command's last line when it loads).

Peers in the same run: `floor` = `jemput validate` on the 12-site good scenario (start-up and imports,
the least any answer costs), and for the CSV cases `pandas.read_csv(dtype=str)` of the same file in a
fresh process (parsing alone, no checks); `vs_floor` and `vs_pandas` are wall-time ratios.

The inputs are written to a temporary folder: the corpus's stray cell at XFD1048576 and alias bomb
(tests/data/bad), a 50 MB sites CSV of 700,000 rows, a 70 MB one, an XLSX of 120,000 rows, and site
tables of 20,001 (one over MAX_SITES) and 20,000 sites (at the bound: it loads). With --plan, 20,000 sites are
planned under the cap (the compile's memory estimate stops it before allocating, naming the figures), and
5,000 sites for comparison (it plans).
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.report import machine, markdown_table  # noqa: E402

RESULTS = ROOT / "bench" / "results"
CORPUS = ROOT / "tests" / "data" / "bad"
GOOD = ROOT / "tests" / "data" / "good"
JAMBI = ROOT / "planner" / "data" / "jambi"
KINDS = ["village", "village", "village", "prison", "hospital", "school", "care_home"]
HEADER = "site_id,name,kind,lat,lon,unrecorded,regency_code,district_code,hours,electricity"


def site_line(i: int, regency: str) -> str:
    return (f"S{i:07d},Desa {i},{KINDS[i % 7]},{-2.5 + (i % 170) / 100:.4f},{101.5 + (i % 300) / 100:.4f},"
            f"{i % 400},{regency},{regency}.0{i % 9},{'08:00-12:00;13:00-15:00' if i % 3 else ''},{'ya' if i % 2 else 'tidak'}")


def jambi_scenario(folder: Path, n: int, *, one_regency: bool) -> Path:
    """`n` generated sites with the bundled Jambi teams and kits. one_regency: every site in 15.04 and only
    its teams (one part of n sites: the worst case for a solve); else spread over every team's regency."""
    folder.mkdir(parents=True, exist_ok=True)
    with (JAMBI / "teams.csv").open(encoding="utf-8") as f:
        teams = list(csv.DictReader(f))
    if one_regency:
        teams = [t for t in teams if t["regency_code"] == "15.04"]
    codes = sorted({t["regency_code"] for t in teams})
    with (folder / "sites.csv").open("w", encoding="utf-8") as f:
        f.write(HEADER + "\n")
        f.writelines(site_line(i, codes[i % len(codes)]) + "\n" for i in range(n))
    with (folder / "teams.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(teams[0]))
        w.writeheader()
        w.writerows(teams)
    ids = {t["team_id"] for t in teams}
    kits = [r for r in (JAMBI / "kits.csv").read_text(encoding="utf-8").splitlines()[1:] if r.split(",")[1] in ids]
    (folder / "kits.csv").write_text("kit_id,team_id,status,repair_until\n" + "\n".join(kits) + "\n", encoding="utf-8")
    path = folder / "scenario.yaml"
    path.write_text(f"name: bench {n}\nhorizon: {{start: 2026-11-23, days: 6}}\nsites: sites.csv\nteams: teams.csv\n"
                    "kits: kits.csv\n", encoding="utf-8")
    return path


def big_csv(folder: Path, megabytes: int) -> Path:
    """A scenario whose sites.csv has about `megabytes` MB of rows."""
    path = jambi_scenario(folder, 10, one_regency=False)
    target = megabytes * 1024 * 1024
    with (folder / "sites.csv").open("w", encoding="utf-8") as f:
        f.write(HEADER + "\n")
        i = written = 0
        while written < target:
            line = site_line(i, "15.04") + "\n"
            f.write(line)
            written += len(line)
            i += 1
    return path


def big_xlsx(folder: Path, rows: int) -> Path:
    import xlsxwriter

    path = jambi_scenario(folder, 10, one_regency=False)
    wb = xlsxwriter.Workbook(str(folder / "sites.xlsx"), {"constant_memory": True})
    ws = wb.add_worksheet("Desa")
    ws.write_row(0, 0, HEADER.split(","))
    for i in range(rows):
        ws.write_row(i + 1, 0, site_line(i, "15.04").split(","))
    wb.close()
    path.write_text(path.read_text(encoding="utf-8").replace("sites.csv", "sites.xlsx"), encoding="utf-8")
    return path


def run(args: list[str], cap_gib: float, cwd: Path) -> tuple[float, float, int, str]:
    """(wall s, peak MiB, exit code, answer) of one command in a fresh process under the memory cap."""
    cap = int(cap_gib * 2**30)

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    proc = subprocess.Popen(args, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, preexec_fn=limit)
    out = proc.stdout.read() if proc.stdout else b""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    lines = [ln for ln in out.decode("utf-8", "replace").splitlines() if ln.strip()]
    answer = next((ln for ln in lines if ": error: " in ln), lines[-1] if lines else "")
    return wall, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status), answer.replace(f"{ROOT}/", "")[:160]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--plan", action="store_true", help="also plan the 20,000-site scenarios (10 s limit)")
    ap.add_argument("--cap-gib", type=float, default=6.0)
    ap.add_argument("--out", default="bad_inputs")
    a = ap.parse_args()
    jemput = [sys.executable, "-m", "jemput.cli"]
    pandas = [sys.executable, "-c", "import sys, pandas; pandas.read_csv(sys.argv[1], dtype=str)"]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        cases = {
            "floor: good 12-site scenario": GOOD / "scenario.yaml",
            "XLSX of 6 kB, stray cell at XFD1048576": CORPUS / "xlsx_stray_cell" / "scenario.yaml",
            "YAML aliases, 9^9 items if expanded": CORPUS / "yaml_alias_bomb" / "scenario.yaml",
            "sites CSV 50 MB (about 700,000 rows)": big_csv(d / "csv50", 50),
            "sites CSV 70 MB": big_csv(d / "csv70", 70),
            "sites XLSX 120,000 rows": big_xlsx(d / "xlsx120k", 120_000),
            "20,001 sites (one over the bound)": jambi_scenario(d / "s20001", 20_001, one_regency=False),
            "20,000 sites (at the bound, loads)": jambi_scenario(d / "s20000", 20_000, one_regency=False),
        }
        floor = None
        for name, scenario in cases.items():
            size = sum(p.stat().st_size for p in scenario.parent.iterdir() if p.name.startswith("sites"))
            wall, peak, code, answer = run([*jemput, "validate", str(scenario)], a.cap_gib, scenario.parent)
            floor = floor or wall
            row = {"case": name, "command": "validate", "sites_file_mb": round(size / 2**20, 1), "exit": code,
                   "wall_s": round(wall, 2), "peak_mib": round(peak), "vs_floor": round(wall / floor, 1),
                   "pandas_s": "", "vs_pandas": "", "answer": answer}
            csv_file = scenario.parent / "sites.csv"
            if name.startswith("sites CSV") or name.startswith("20,0"):
                p_wall, p_peak, _, _ = run([*pandas, str(csv_file)], a.cap_gib, scenario.parent)
                row.update(pandas_s=round(p_wall, 2), vs_pandas=round(wall / p_wall, 2))
            rows.append(row)
            print(row, flush=True)
        if a.plan:
            for label, n, one in (("20,000 sites over 11 regencies", 20_000, False),
                                  ("20,000 sites in one regency (one part)", 20_000, True),
                                  ("5,000 sites over 11 regencies (plans)", 5_000, False)):
                scenario = jambi_scenario(d / f"plan-{n}-{one}", n, one_regency=one)
                out = d / f"out-{n}-{one}"
                wall, peak, code, answer = run([*jemput, "plan", str(scenario), "--out", str(out), "--time-limit", "10",
                                                "--no-maps"], a.cap_gib, scenario.parent)
                rows.append({"case": label, "command": "plan --time-limit 10 --no-maps", "sites_file_mb": "", "exit": code,
                             "wall_s": round(wall, 1), "peak_mib": round(peak), "vs_floor": round(wall / floor, 1),
                             "pandas_s": "", "vs_pandas": "", "answer": answer})
                print(rows[-1], flush=True)
                shutil.rmtree(out, ignore_errors=True)
    RESULTS.mkdir(exist_ok=True)
    with (RESULTS / f"{a.out}.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    command = "`.venv/bin/python bench/bad_inputs.py" + (" --plan" if a.plan else "") + "`"
    text = ["# Bad and oversized inputs: the cost of the answer\n", f"Command: {command}  ", f"{machine()}  ",
            f"Address-space cap per run: {a.cap_gib:g} GiB. Each run is a fresh process (see the script's docstring).\n",
            *markdown_table(list(rows[0]), rows), "",
            "Before issue 17 (the issue's own measurements, same kind of machine): the 5.5 kB workbook with a stray",
            "cell at XFD1048576 ended in MemoryError after 31 s and 3.9 GB; a 50 MB sites table validated (2.2 GB)",
            "and `plan` then died allocating 1.23 TiB; YAML aliases were expanded in full before the message was cut.",
            "The plan rows show the compile's memory estimate answering before any matrix is allocated; without a",
            "cap the estimate is checked against the memory the machine has available (or JEMPUT_MEMORY_MB)."]
    (RESULTS / f"{a.out}.md").write_text("\n".join(text) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
