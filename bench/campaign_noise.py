"""Benchmark: how much the full-plan campaign itself varies from run to run (the noise floor of bench/campaign.py).

Run (after bench/campaign.py, which leaves its runs in the temp folder):
    .venv/bin/python bench/campaign_noise.py --deadline 2026-12-19 --full 30
Writes bench/results/campaign_noise.{csv,md}: the full baseline planned again with the same options,
per regency against the one bench/campaign.py planned (the search stops on time, so a shared machine
changes what each part finds).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import pickle
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.report import machine, markdown_table  # noqa: E402
from planner.campaign import CampaignOptions, run_weeks  # noqa: E402
from planner.io.bundled import jambi_scenario_path  # noqa: E402
from planner.io.load import load_scenario  # noqa: E402

RESULTS = Path(__file__).parent / "results"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--deadline", default="2026-12-19")
    ap.add_argument("--full", type=float, default=30.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--runs", default=str(Path(tempfile.gettempdir()) / "jemput_campaign_runs.pkl"))
    args = ap.parse_args()
    first = pickle.load(open(args.runs, "rb"))["full"]
    sc = load_scenario(jambi_scenario_path())
    opts = CampaignOptions(deadline=dt.date.fromisoformat(args.deadline), week_time_limit_s=args.full, workers=args.workers, confirm_top=0)
    again = run_weeks(sc, opts, None, lambda m: print(f"[full again] {m}", flush=True))
    a = {k: sum(v) for k, v in first.recorded_by_regency().items()}
    b = {k: sum(v) for k, v in again.recorded_by_regency().items()}
    rows = [{"regency": k, "first": a[k], "again": b[k], "difference": b[k] - a[k],
             "difference_pct": round(100 * (b[k] - a[k]) / a[k], 1) if a[k] else ""} for k in sorted(a)]
    rows.append({"regency": "province", "first": sum(a.values()), "again": sum(b.values()),
                 "difference": sum(b.values()) - sum(a.values()),
                 "difference_pct": round(100 * (sum(b.values()) - sum(a.values())) / sum(a.values()), 1)})
    cols = ["regency", "first", "again", "difference", "difference_pct"]
    with open(RESULTS / "campaign_noise.csv", "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=cols)
        w.writeheader()
        w.writerows(rows)
    lines = [
        "# Run-to-run noise of a full-plan campaign (the Jambi province, four weeks)",
        "",
        f"Command: `.venv/bin/python bench/campaign_noise.py --deadline {args.deadline} --full {args.full:g}` "
        "(after `bench/campaign.py`, whose full baseline is `first`)",
        machine(tail="; shared with other jobs (8 sessions on 2 cores): the search stops on time, so load changes plans."),
        "",
        "Expected recordings to the deadline per regency, the same campaign planned twice with the same options.",
        "",
        *markdown_table(cols, rows),
        "",
    ]
    (RESULTS / "campaign_noise.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
