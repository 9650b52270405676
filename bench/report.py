"""How bench result files describe the machine and write their tables (one format for every script)."""

from __future__ import annotations

import csv
import json
import os
import platform
import subprocess
import sys
from pathlib import Path


def machine(cpus_note: str = "", tail: str = "") -> str:
    """`Machine: cpu, N CPUs<cpus_note>, Python x.y.z, platform<tail>`."""
    return (f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs{cpus_note}, "
            f"Python {platform.python_version()}, {platform.platform()}{tail}")


def markdown_table(cols: list[str], rows: list[dict]) -> list[str]:
    """A markdown table of `rows` by `cols` (a missing value is an empty cell)."""
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    return lines + ["| " + " | ".join(str(r.get(c, "")) for c in cols) + " |" for r in rows]


def write_csv(path: Path, rows: list[dict]) -> list[str]:
    """`rows` as a CSV file with every column any row has (in first-seen order); returns the columns."""
    cols = list(dict.fromkeys(c for r in rows for c in r))
    with path.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=cols)
        w.writeheader()
        w.writerows(rows)
    return cols


def run_fresh(script: str, args: list[str], tree: Path, what: str) -> dict:
    """`script --one ARGS` in a fresh process with `tree` first on the path; its last line of output as
    JSON (the figures of one measured run). A failed run stops the benchmark with its error."""
    done = subprocess.run([sys.executable, script, "--one", *args], capture_output=True, text=True, cwd=tree,
                          env={**os.environ, "PYTHONPATH": str(tree)})
    if done.returncode != 0:
        raise SystemExit(f"{what} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def write_results(directory: Path, out: str, rows: list[dict], title: str, command: str, about: list[str]) -> None:
    """A benchmark's results: `out`.csv (every row) and `out`.md (title, command, machine, `about`, the table)."""
    directory.mkdir(exist_ok=True)
    cols = write_csv(directory / f"{out}.csv", rows)
    lines = [f"# {title}", "", f"Command: `{command}`", machine(" (shared with other work)"), "", *about, "",
             *markdown_table(cols, rows)]
    (directory / f"{out}.md").write_text("\n".join(lines) + "\n")
