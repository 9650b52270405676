"""How bench result files describe the machine and write their tables (one format for every script)."""

from __future__ import annotations

import os
import platform


def machine(cpus_note: str = "", tail: str = "") -> str:
    """`Machine: cpu, N CPUs<cpus_note>, Python x.y.z, platform<tail>`."""
    return (f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs{cpus_note}, "
            f"Python {platform.python_version()}, {platform.platform()}{tail}")


def markdown_table(cols: list[str], rows: list[dict]) -> list[str]:
    """A markdown table of `rows` by `cols` (a missing value is an empty cell)."""
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    return lines + ["| " + " | ".join(str(r.get(c, "")) for c in cols) + " |" for r in rows]
