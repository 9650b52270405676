"""Benchmark: `jemput campaign` on the bundled Jambi province to a deadline four weeks ahead.

Run: .venv/bin/python bench/campaign.py --deadline 2026-12-19 --fast 10 --full 30 --top 5
Writes bench/results/campaign.{csv,md}.

1. The fast campaign, as `jemput campaign` runs it (`--fast` s per week, the top `--top` decisions
   and the best of each kind confirmed on the scenario cut to their regencies); its wall time.
2. The projection against rolling the same weeks with full plans (`--full` s per week): expected
   recordings to the deadline per regency, and the error of the fast projection.
3. The top `--top` decisions by predicted gain, and the best of each other kind: the capacity model's prediction, the fast
   confirmation (restricted plans), and the gain measured by rolling the whole province with full
   plans with the decision applied, less the full baseline.
Every week's plan of every run is checked by the independent validator (a failure stops the run).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import pickle
import tempfile
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.report import machine, markdown_table  # noqa: E402
from planner.campaign import CampaignOptions, plan_campaign, run_weeks  # noqa: E402
from planner.io.bundled import jambi_scenario_path  # noqa: E402
from planner.io.load import load_scenario  # noqa: E402

RESULTS = Path(__file__).parent / "results"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--deadline", default="2026-12-19")
    ap.add_argument("--fast", type=float, default=10.0, help="seconds per week of the campaign itself")
    ap.add_argument("--full", type=float, default=30.0, help="seconds per week of the full plans compared against")
    ap.add_argument("--top", type=int, default=5)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", default="campaign")
    args = ap.parse_args()
    deadline = dt.date.fromisoformat(args.deadline)
    sc = load_scenario(jambi_scenario_path())
    fast = CampaignOptions(deadline=deadline, week_time_limit_s=args.fast, workers=args.workers, confirm_top=args.top)
    full = CampaignOptions(deadline=deadline, week_time_limit_s=args.full, workers=args.workers, confirm_top=0)

    t0 = time.monotonic()
    campaign = plan_campaign(sc, fast, lambda m: print(f"[fast {time.monotonic() - t0:6.1f} s] {m}", flush=True))
    fast_wall = time.monotonic() - t0
    t1 = time.monotonic()
    base_full = run_weeks(sc, full, None, lambda m: print(f"[full baseline] {m}", flush=True))
    full_wall = time.monotonic() - t1

    rows: list[dict] = []
    fast_reg = {k: sum(v) for k, v in campaign.baseline.recorded_by_regency().items()}
    full_reg = {k: sum(v) for k, v in base_full.recorded_by_regency().items()}
    for code in sorted(full_reg):
        f, g = fast_reg.get(code, 0), full_reg[code]
        rows.append({"what": "projection", "item": code or "(no regency)", "fast": f, "full": g, "error": f - g,
                     "error_pct": round(100 * (f - g) / g, 1) if g else "", "restricted": ""})
    f, g = campaign.baseline.recorded(), base_full.recorded()
    rows.append({"what": "projection", "item": "province", "fast": f, "full": g, "error": f - g,
                 "error_pct": round(100 * (f - g) / g, 1) if g else "", "restricted": ""})

    ranked = sorted(campaign.decisions, key=lambda d: (-d.predicted_gain, d.action.key))
    top = ranked[: args.top]
    for kind in sorted({d.action.kind for d in ranked}):  # and the best of every other kind
        if all(d.action.kind != kind for d in top):
            top.append(next(d for d in ranked if d.action.kind == kind))
    runs = {}
    for d in top:
        t2 = time.monotonic()
        with_action = run_weeks(sc, full, d.action.apply, lambda m: print(f"[full {d.action.key}] {m}", flush=True))
        measured = with_action.recorded() - base_full.recorded()
        after = {k: sum(v) for k, v in with_action.recorded_by_regency().items()}
        inside = sum(after[k] - full_reg.get(k, 0) for k in after if k in d.action.regencies)
        print(f"{d.action.key}: predicted {d.predicted_gain:.0f}, restricted {d.measured_gain}, full {measured} "
              f"(inside its regencies {inside}) ({time.monotonic() - t2:.0f} s)", flush=True)
        rows.append({"what": "decision", "item": d.action.key, "fast": round(d.predicted_gain), "full": measured,
                     "full_inside": inside, "elsewhere": measured - inside,
                     "error": round(d.predicted_gain - measured), "restricted": "" if d.measured_gain is None else d.measured_gain,
                     "error_pct": round(100 * (d.predicted_gain - measured) / measured, 1) if measured else ""})
        runs[d.action.key] = with_action
    with open(Path(tempfile.gettempdir()) / f"jemput_{args.out}_runs.pkl", "wb") as fh:  # for re-analysis
        pickle.dump({"campaign": campaign, "full": base_full, "with": runs}, fh)

    cols = ["what", "item", "fast", "restricted", "full", "full_inside", "elsewhere", "error", "error_pct"]
    RESULTS.mkdir(exist_ok=True)
    with open(RESULTS / f"{args.out}.csv", "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=cols)
        w.writeheader()
        w.writerows(rows)
    cmd = f".venv/bin/python bench/campaign.py --deadline {args.deadline} --fast {args.fast:g} --full {args.full:g} --top {args.top}"
    lines = [
        "# `jemput campaign`: the bundled Jambi province to a deadline four weeks ahead",
        "",
        f"Command: `{cmd}`",
        machine(tail="; shared with other jobs while measured (8 sessions on 2 cores), so wall times are indicative."),
        "",
        f"Weeks: {len(campaign.baseline.weeks)} ({campaign.baseline.weeks[0].start} to {deadline}). "
        f"Fast campaign (what `jemput campaign --time-limit {args.fast:g} --confirm {args.top}` runs: baseline, "
        f"{len(campaign.decisions)} decisions screened, {sum(d.measured_gain is not None for d in campaign.decisions)} "
        f"confirmed by restricted plans): **{fast_wall:.0f} s**. Full baseline ({args.full:g} s per week): {full_wall:.0f} s.",
        "",
        "`projection` rows: expected recordings to the deadline per regency, fast (campaign) vs full plans; "
        "error = fast − full. `decision` rows: the top decisions by predicted gain, then the best of each other kind; fast = the capacity model's "
        "prediction, restricted = the campaign's confirmation (the scenario cut to the decision's regencies, "
        "with and without), full = the whole province rolled with full plans with the decision applied, less "
        "the full baseline (full_inside: the part of it in the decision's regencies, elsewhere: in the others, "
        "where the decision changes nothing but each regency's share of the search time); error = predicted − full.",
        "",
        *markdown_table(cols, rows),
        "",
    ]
    (RESULTS / f"{args.out}.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
