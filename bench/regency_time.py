"""Benchmark: does more time ever make a regency's plan much worse? (issue 13, point 2)

Per scenario, seed and time limit, the real command in a fresh process, one run at a time:
`jemput plan SCENARIO --time-limit L --seed S --no-maps --out DIR` (bench/robustness.py's `run_plan`:
wall and CPU seconds of the process tree, mean 1-minute load average meanwhile). From plan.json, per
regency (the site's `regency_code`): expected recordings and visits, split into those made by the
regency's own office teams (stage 1, the regency's part) and by the provincial teams (stage 2, planned
on what the regency parts left). Then, per regency, the change from each shorter limit to each longer
one (same seed), and the same-limit change from one seed to the other: the noise floor. A drop with
more time matters when it is larger than what a change of seed does at one limit.

Run: .venv/bin/python bench/regency_time.py --limits 20 60 120 --seeds 0 1 \
        --examples jambi nusa-tenggara-timur --synth 72 71:4000
Writes bench/results/regency_time.{csv,md} (`--name` another name); each run is appended to the csv
as it ends (`--resume` skips runs already there, `--report` only rewrites the md from the csv).
`--synth CODE[:SITES]`: province CODE of `varied_specs(3, 0)` (planner/national/varied.py: 70 compact,
71 long, 72 scattered), with SITES sites instead of its drawn count.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.report import machine, markdown_table  # noqa: E402
from bench.robustness import run_plan, write_example  # noqa: E402
from planner.io.load import load_scenario  # noqa: E402
from planner.national.varied import varied_specs, write_varied  # noqa: E402

RESULTS = Path(__file__).parent / "results"
COLS = ["scenario", "seed", "time_limit_s", "regency", "unrecorded", "people", "visits", "value", "own_people", "own_visits",
        "own_value", "provincial_people", "provincial_visits", "provincial_value", "part_out_of_time", "total_people", "upper_bound", "wall_s", "cpu_s",
        "machine_load", "parts_out_of_time", "verified"]
DROPS = (0.05, 0.10)
LISTED = 0.02  # regencies losing more than this share with more time are listed, with the cause
PART_DROP = 0.01  # a regency's own part (its office's teams) whose value falls by more than this share


def scenarios(args: argparse.Namespace) -> list[tuple[str, Path]]:
    """(name, scenario file) of every province measured: bundled examples, then generated ones."""
    out = [(name, write_example(name, args.work / "examples" / name)) for name in args.examples]
    specs = {s.code: s for s in varied_specs(3, 0)}
    for item in args.synth:
        code, _, sites = item.partition(":")
        s = specs[code]
        s = type(s)(s.code, s.regencies, int(sites) if sites else s.sites, s.shape, s.seed)
        path = write_varied(args.work / "provinces" / f"{s.code}-{s.sites}", [s])[0]
        out.append((f"synth-{s.code}-{s.shape}-{s.regencies}r-{s.sites}", path))
    return out


def per_regency(scenario_file: Path, plan: dict) -> dict[str, dict]:
    """Per site regency: unrecorded, expected recordings and visits, by own office teams and by provincial teams."""
    sc = load_scenario(str(scenario_file))
    site_reg = {s.id: s.regency_code or "-" for s in sc.sites}
    team_reg = {t.id: t.regency_code for t in sc.teams}
    out: dict[str, dict] = {}
    for s in sc.sites:
        r = out.setdefault(site_reg[s.id], defaultdict(int))
        r["unrecorded"] += s.unrecorded
    for td in plan["team_days"]:
        who = "provincial" if not team_reg.get(td["team_id"]) else "own"
        for stop in td["stops"]:
            if stop.get("outcome") == "missed":
                continue
            r = out[site_reg[stop["site_id"]]]
            r["people"] += stop["people"]
            r["visits"] += 1
            r["value"] += stop["value"]
            r[f"{who}_value"] += stop["value"]
            r[f"{who}_people"] += stop["people"]
            r[f"{who}_visits"] += 1
    return out


def measure(name: str, scenario_file: Path, seed: int, limit: float, work: Path) -> list[dict]:
    out = work / "runs" / f"{name}-s{seed}-{int(limit)}"
    wall, _peak, text, cpu, load = run_plan(scenario_file, out, limit, ("--seed", str(seed)))
    if not (out / "plan.json").is_file():
        raise RuntimeError(f"{scenario_file}: jemput plan wrote no plan:\n{text[-3000:]}")
    plan = json.loads((out / "plan.json").read_text())
    late = set(plan["solve"].get("parts_out_of_time", []))
    run = {"scenario": name, "seed": seed, "time_limit_s": limit, "total_people": plan["kpis"]["expected_recordings"],
           "upper_bound": plan["kpis"]["upper_bound"], "wall_s": round(wall, 1), "cpu_s": round(cpu, 1),
           "machine_load": round(load, 1), "parts_out_of_time": ";".join(sorted(late)), "verified": "no violations" in text}
    rows = []
    for code, r in sorted(per_regency(scenario_file, plan).items()):
        rows.append({**run, "regency": code, **{k: round(r.get(k, 0), 1) for k in COLS
                                                   if k.endswith(("people", "visits", "unrecorded", "value")) and k != "total_people"},
                     "part_out_of_time": f"regency {code}" in late})
    return rows


def _read(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    with path.open() as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        for k in ("seed", "unrecorded", "people", "visits", "own_people", "own_visits", "provincial_people",
                  "provincial_visits", "total_people", "upper_bound"):
            r[k] = int(r[k])
        for k in ("time_limit_s", "wall_s", "cpu_s", "machine_load", "value", "own_value", "provincial_value"):
            r[k] = float(r[k])
    return rows


def _runs(rows: list[dict]) -> dict[tuple, dict[str, dict]]:
    """(scenario, seed, limit) → regency → row."""
    out: dict[tuple, dict[str, dict]] = defaultdict(dict)
    for r in rows:
        out[(r["scenario"], r["seed"], r["time_limit_s"])][r["regency"]] = r
    return out


def compare(a: dict[str, dict], b: dict[str, dict]) -> dict:
    """Per regency change from run a to run b (regencies with recordings in a or b): worst drop, counts of drops."""
    diffs = []
    for code in sorted(set(a) | set(b)):
        pa, pb = a.get(code, {}).get("people", 0), b.get(code, {}).get("people", 0)
        if pa or pb:
            diffs.append((pb - pa, (pb - pa) / pa if pa else 0.0, code, pa, pb))
    worst = min(diffs, default=(0, 0.0, "", 0, 0))
    worst_share = min(diffs, key=lambda d: (d[1], d[0]), default=(0, 0.0, "", 0, 0))
    out = {"regencies": len(diffs), "total_change": sum(d[0] for d in diffs),
           "worst_drop": f"{worst[0]} ({worst[2]}: {worst[3]}→{worst[4]})" if worst[0] < 0 else "0",
           "worst_drop_share": f"{worst_share[1]:.1%} ({worst_share[2]}: {worst_share[3]}→{worst_share[4]})" if worst_share[1] < 0 else "0",
           "largest_change": max((abs(d[0]) for d in diffs), default=0)}
    for t in DROPS:
        out[f"drops_over_{int(t * 100)}pct"] = sum(d[1] < -t for d in diffs)
    own = [(b.get(k, {}).get("own_value", 0.0), a.get(k, {}).get("own_value", 0.0)) for k in set(a) | set(b)]
    out["part_value_drops_over_1pct"] = sum(vb < va * (1 - PART_DROP) for vb, va in own)
    out["_diffs"] = diffs
    return out


def report(rows: list[dict], command: str, name: str) -> None:
    runs = _runs(rows)
    run_cols = ["scenario", "seed", "time_limit_s", "total_people", "upper_bound", "wall_s", "cpu_s", "machine_load",
                "parts_out_of_time", "verified"]
    run_rows = [{c: (next(iter(v.values()))[c] if c != "parts_out_of_time" else len([p for p in next(iter(v.values()))[c].split(";") if p]))
                 for c in run_cols} for _k, v in sorted(runs.items())]
    time_rows, noise_rows, big = [], [], []
    names = list(dict.fromkeys(r["scenario"] for r in rows))
    seeds = sorted({r["seed"] for r in rows})
    limits = sorted({r["time_limit_s"] for r in rows})
    for sc in names:
        for seed in seeds:
            for la, lb in itertools.combinations(limits, 2):
                a, b = runs.get((sc, seed, la)), runs.get((sc, seed, lb))
                if a and b:
                    c = compare(a, b)
                    time_rows.append({"scenario": sc, "seed": seed, "limits": f"{la:g}→{lb:g} s", **c})
                    for d in c.pop("_diffs"):
                        if d[1] < -LISTED:
                            big.append(_detail(sc, f"seed {seed}, {la:g}→{lb:g} s", a, b, d))
        for lim in limits:
            for sa, sb in itertools.combinations(seeds, 2):
                a, b = runs.get((sc, sa, lim)), runs.get((sc, sb, lim))
                if a and b:
                    c = compare(a, b)
                    c.pop("_diffs")
                    noise_rows.append({"scenario": sc, "limit": f"{lim:g} s", "seeds": f"{sa}→{sb}", **c})
    cmp_cols = ["regencies", "total_change", "worst_drop", "worst_drop_share", "largest_change",
                *(f"drops_over_{int(t * 100)}pct" for t in DROPS), "part_value_drops_over_1pct"]
    lines = [
        "# More time, per regency: does a longer `--time-limit` ever make a regency's plan much worse?",
        "",
        f"Command: `.venv/bin/python bench/regency_time.py {command}`",
        machine(" (2 cores, shared with other helpers' work: see machine_load)"),
        "",
        "Each run is `jemput plan SCENARIO --time-limit L --seed S --no-maps` in a fresh process, one at a time.",
        "A regency's figures are its sites' (site `regency_code`): `people` = expected recordings, `value` = people ×",
        "site weight (what the search maximises), `own_*` by its",
        "office's teams (stage 1), `provincial_*` by the provincial teams (stage 2, on what stage 1 left). The csv",
        "has one row per run and regency. `machine_load`: mean 1-minute load average during the run (2 cores).",
        "",
        "## Runs",
        "",
        *markdown_table(run_cols, run_rows),
        "",
        "## More time, same seed: per regency change from the shorter limit to the longer",
        "",
        "`worst_drop`: the regency losing most people (code: before→after); `worst_drop_share`: the largest",
        "relative loss; `largest_change`: the largest change either way; `drops_over_N pct`: regencies losing more",
        "than N% of their recordings; `part_value_drops_over_1pct`: regencies whose own office's teams (the regency's",
        "part of stage 1) made more than 1% less value (people × weight, what the part's search maximises).",
        "",
        *markdown_table(["scenario", "seed", "limits", *cmp_cols], time_rows),
        "",
        "## Noise floor: same limit, another seed",
        "",
        *markdown_table(["scenario", "limit", "seeds", *cmp_cols], noise_rows),
        "",
        f"## Every regency that lost more than {LISTED:.0%} of its recordings with more time, and why",
        "",
        "`own` = its office's teams' people (value), `prov` = the provincial teams' people (value); `late` = its part",
        "kept its greedy first plan (parts_out_of_time) in the shorter / longer run. `cause`: `provincial` = the",
        "provincial teams recorded fewer people there (stage 2 maximises the value of the whole province on what",
        "stage 1 left); `weights` = its own teams recorded fewer people but as much value or more (the search",
        "maximises people × site weight, not people); `own search` = its own part made over 1% less value with more time.",
        "",
        *markdown_table(["scenario", "runs", "regency", "people", "change", "value", "own", "prov", "late", "cause"], big),
        "",
    ]
    (RESULTS / f"{name}.md").write_text("\n".join(lines), encoding="utf-8")


def _detail(sc: str, label: str, a: dict, b: dict, d: tuple) -> dict:
    ra, rb = a.get(d[2], {}), b.get(d[2], {})

    def pair(k: str) -> str:
        return f"{ra.get(k, 0)}→{rb.get(k, 0)}"

    def both(k: str) -> str:
        return f"{ra.get(k + '_people', 0)}→{rb.get(k + '_people', 0)} ({ra.get(k + '_value', 0):.0f}→{rb.get(k + '_value', 0):.0f})"

    causes = []
    if rb.get("own_people", 0) < ra.get("own_people", 0):
        causes.append("weights" if rb.get("own_value", 0.0) >= ra.get("own_value", 0.0) * (1 - PART_DROP) else "own search")
    if rb.get("provincial_people", 0) < ra.get("provincial_people", 0):
        causes.append("provincial")
    cause = " + ".join(causes)
    return {"scenario": sc, "runs": label, "regency": d[2], "people": pair("people"), "change": f"{d[0]} ({d[1]:.1%})",
            "value": f"{ra.get('value', 0):.0f}→{rb.get('value', 0):.0f}", "own": both("own"), "prov": both("provincial"),
            "cause": cause,
            "late": f"{ra.get('part_out_of_time', '')}/{rb.get('part_out_of_time', '')}"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--limits", type=float, nargs="+", default=[20, 60, 120])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    ap.add_argument("--examples", nargs="*", default=["jambi", "nusa-tenggara-timur"])
    ap.add_argument("--synth", nargs="*", default=["72", "71:4000"])
    ap.add_argument("--work", type=Path, default=Path("out/bench-regency-time"))
    ap.add_argument("--name", default="regency_time")
    ap.add_argument("--resume", action="store_true", help="skip runs already in the csv")
    ap.add_argument("--report", action="store_true", help="only rewrite the md from the csv")
    args = ap.parse_args()
    path = RESULTS / f"{args.name}.csv"
    cmd_file = args.work / f"{args.name}.command"
    if args.report:
        command = cmd_file.read_text() if cmd_file.is_file() else "(see the csv)"
        report(_read(path), command, args.name)
        return
    args.work.mkdir(parents=True, exist_ok=True)
    command = " ".join(a for a in sys.argv[1:] if a != "--resume")
    cmd_file.write_text(command)
    rows = _read(path) if args.resume else []
    done = {(r["scenario"], r["seed"], r["time_limit_s"]) for r in rows}
    RESULTS.mkdir(exist_ok=True)
    if not args.resume or not path.is_file():
        with path.open("w", newline="") as f:
            csv.DictWriter(f, fieldnames=COLS).writeheader()
    provinces = scenarios(args)
    for seed in args.seeds:  # one seed's whole sweep first: a partial run can already be read
        for name, scenario_file in provinces:
            for limit in args.limits:
                if (name, seed, limit) in done:
                    continue
                new = measure(name, scenario_file, seed, limit, args.work)
                total = new[0]
                print({k: total[k] for k in ("scenario", "seed", "time_limit_s", "total_people", "wall_s", "cpu_s",
                                             "machine_load", "parts_out_of_time")}, flush=True)
                with path.open("a", newline="") as f:
                    csv.DictWriter(f, fieldnames=COLS).writerows(new)
                rows += new
                report(rows, command, args.name)


if __name__ == "__main__":
    main()
