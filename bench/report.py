"""How bench result files describe the machine and write their tables (one format for every script)."""

from __future__ import annotations

import csv
import os
import platform
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
