"""Benchmark: search settings compared on one half of the TOPTW split (tune on `tuned`, report on `unseen`).

Each case is planned once per variant, the variants one after the other inside the case, so a pair
sees nearly the same machine load. A variant sets module constants of `planner.solve.search` (the
restarts) for its run; `base` is the code as it is. jemput only: the peers' figures for the same
halves are in toptw_tuned.md / toptw_unseen.md.

Run: .venv/bin/python bench/tune_search.py --split tuned --limit 10 --variants base accept=0.01 restart_s=0.25
Writes bench/results/tune_search.{csv,md} (or --out NAME).
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import planner.solve.search as search  # noqa: E402
from bench.report import machine, markdown_table  # noqa: E402
from bench.toptw import run_case, split_of  # noqa: E402
from bench.toptw_adapter import read_bks  # noqa: E402

RESULTS = Path(__file__).parent / "results"


def variant_settings(name: str) -> dict[str, float]:
    """`base` → {}; `accept=0.01,restart_s=0.25` → {"ACCEPT": 0.01, "RESTART_S": 0.25}."""
    if name == "base":
        return {}
    out = {}
    for part in name.split(","):
        key, value = part.split("=")
        if not hasattr(search, key.upper()):
            raise SystemExit(f"planner.solve.search has no {key.upper()}")
        out[key.upper()] = float(value)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", choices=("tuned", "unseen"), default="tuned")
    ap.add_argument("--limit", type=float, default=10.0)
    ap.add_argument("--variants", nargs="+", default=["base"])
    ap.add_argument("--out", default="tune_search")
    args = ap.parse_args()
    bks = read_bks()
    cases = sorted((k for k in bks if split_of(k[0]) == args.split), key=lambda k: (k[0][:2] == "pr", k[0], k[1]))
    defaults = {k: getattr(search, k) for v in args.variants for k in variant_settings(v)}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, m in cases:
            row = {"instance": name, "m": m, "bks": bks[(name, m)]}
            for variant in args.variants:
                for key, value in {**defaults, **variant_settings(variant)}.items():
                    setattr(search, key, value)
                r = run_case(name, m, args.limit, 0, bks[(name, m)], Path(tmp), ("jemput",))
                row[variant] = r["jemput_score"]
            rows.append(row)
            print(row, flush=True)
            write(rows, args, " ".join(sys.argv[1:]))


def write(rows: list[dict], args, argv: str) -> None:
    RESULTS.mkdir(exist_ok=True)
    cols = list(rows[0])
    with (RESULTS / f"{args.out}.csv").open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=cols)
        w.writeheader()
        w.writerows(rows)
    lines = [
        "# Search settings on one half of the TOPTW split",
        "",
        f"Command: `.venv/bin/python bench/tune_search.py {argv}`",
        machine(" (shared with other work while this ran)"),
        f"Split `{args.split}` (bench/toptw.py `split_of`), {args.limit:g} s per case and variant, one thread, seed 0;",
        "variants run one after the other inside each case. Scores from validated plans.",
        "",
    ]
    for v in args.variants:
        gaps = [100 * (r["bks"] - r[v]) / r["bks"] for r in rows]
        wins = sum(r[v] > r["base"] for r in rows) if "base" in args.variants and v != "base" else None
        losses = sum(r[v] < r["base"] for r in rows) if "base" in args.variants and v != "base" else None
        extra = f"; better than base on {wins}, worse on {losses} of {len(rows)}" if wins is not None else ""
        lines.append(f"- `{v}`: mean gap {statistics.mean(gaps):.2f}% (worst {max(gaps):.2f}%){extra}")
    lines += ["", *markdown_table(cols, rows)]
    (RESULTS / f"{args.out}.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
