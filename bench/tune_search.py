"""Benchmark: search settings compared on one half of the TOPTW split (tune on `tuned`, report on `unseen`).

Each case is planned once per variant, the variants one after the other inside the case, so a pair
sees nearly the same machine load. A variant sets module constants of `planner.solve.search` (`lns_share=0.95`) or
`planner.solve.lns` (`lns.temp_start=1`) for its run; `base` is the code as it is. jemput only: the peers' figures for the same
halves are in toptw_tuned.md / toptw_unseen.md.

Run: .venv/bin/python bench/tune_search.py --split tuned --limit 10 --variants base lns_share=0.95 lns.temp_start=1,lns.temp_end=0.03
Writes bench/results/tune_search.{csv,md} (or --out NAME).
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import planner.solve.lns as lns  # noqa: E402
import planner.solve.search as search  # noqa: E402
import planner.solve.tuning as tuning  # noqa: E402
from bench.report import machine, markdown_table  # noqa: E402
from bench.toptw import run_case, split_of  # noqa: E402
from bench.toptw_adapter import read_bks  # noqa: E402

RESULTS = Path(__file__).parent / "results"


OPS = "local_search_operators {{ {} }}"
_ILS = "use_iterated_local_search: true iterated_local_search_parameters {{ ruin_recreate_parameters {{ ruin_strategies {{ {} }} }} {} }}"
# OR-Tools parameter presets (protobuf text merged by planner.solve.tuning when travel breaks ties)
PRESETS = {
    "active": OPS.format(" ".join(f"use_{o}: BOOL_TRUE" for o in (
        "relocate_and_make_active", "exchange_and_make_active", "exchange_path_start_ends_and_make_active",
        "extended_swap_active"))),
    "relocate_active": OPS.format("use_relocate_and_make_active: BOOL_TRUE"),
    "exchange_active": OPS.format("use_exchange_and_make_active: BOOL_TRUE"),
    "ends_active": OPS.format("use_exchange_path_start_ends_and_make_active: BOOL_TRUE"),
    "ext_swap": OPS.format("use_extended_swap_active: BOOL_TRUE"),
    "node_pair_swap": OPS.format("use_node_pair_swap_active: BOOL_TRUE"),
    "no_lk": OPS.format("use_lin_kernighan: BOOL_FALSE"),
    "no_chain_inactive": OPS.format("use_make_chain_inactive: BOOL_FALSE"),
    "lns": OPS.format("use_path_lns: BOOL_TRUE use_inactive_lns: BOOL_TRUE"),
    "close_lns": OPS.format("use_global_cheapest_insertion_close_nodes_lns: BOOL_TRUE "
                            "use_local_cheapest_insertion_close_nodes_lns: BOOL_TRUE"),
    "chain_lns": OPS.format("use_global_cheapest_insertion_expensive_chain_lns: BOOL_TRUE "
                            "use_local_cheapest_insertion_expensive_chain_lns: BOOL_TRUE"),
    "mab": "use_multi_armed_bandit_concatenate_operators: true",
    "nbr20": "ls_operator_neighbors_ratio: 0.2 ls_operator_min_neighbors: 20",
    "tabu": "local_search_metaheuristic: TABU_SEARCH",
    "generic_tabu": "local_search_metaheuristic: GENERIC_TABU_SEARCH",
    "sa": "local_search_metaheuristic: SIMULATED_ANNEALING",
    "gls_reset": "guided_local_search_reset_penalties_on_new_best_solution: true",
    "ils": "use_iterated_local_search: true iterated_local_search_parameters { ruin_recreate_parameters {"
           " ruin_strategies { sisr { max_removed_sequence_size: 10 avg_num_removed_visits: 10 bypass_factor: 0.01 } }"
           " } }",
    "ils_gd": "local_search_metaheuristic: GREEDY_DESCENT " + _ILS.format("sisr { max_removed_sequence_size: 10 avg_num_removed_visits: 10 bypass_factor: 0.01 }", ""),
    "ils_gd_auto": "local_search_metaheuristic: GREEDY_DESCENT " + _ILS.format(
        "sisr { max_removed_sequence_size: 10 avg_num_removed_visits: 10 bypass_factor: 0.01 }",
        "reference_solution_acceptance_strategy { simulated_annealing { automatic_temperatures: true } }"),
    "ils_gd_walk": "local_search_metaheuristic: GREEDY_DESCENT " + _ILS.format("random_walk { num_removed_visits: 10 }", ""),
    "ils_gd_sisr5": "local_search_metaheuristic: GREEDY_DESCENT " + _ILS.format("sisr { max_removed_sequence_size: 5 avg_num_removed_visits: 5 bypass_factor: 0.01 }", ""),
    "ils_walk": "use_iterated_local_search: true iterated_local_search_parameters { ruin_recreate_parameters {"
                " ruin_strategies { random_walk { num_removed_visits: 10 } } } }",
}


def variant_settings(name: str) -> dict[str, float | str]:
    """`base` → {}; `accept=0.01,restart_s=0.25` → {"ACCEPT": 0.01, "RESTART_S": 0.25};
    `@active` (a PRESETS name) → {"@": its parameter text}, several joined."""
    if name == "base":
        return {}
    out: dict[str, float | str] = {}
    for part in name.split(","):
        if part.startswith("@"):
            out["@"] = f"{out.get('@', '')} {PRESETS[part[1:]]}"
            continue
        key, value = part.split("=")
        if not hasattr(_module(key), _name(key)):
            raise SystemExit(f"{_module(key).__name__} has no {_name(key)}")
        out[key.upper()] = float(value)
    return out


def _module(key: str):
    """`lns.temp_start` names a constant of planner.solve.lns, anything else one of planner.solve.search."""
    return lns if key.lower().startswith("lns.") else search


def _name(key: str) -> str:
    return key.split(".")[-1].upper()


def set_variant(name: str, defaults: dict[str, float]) -> None:
    """Module constants of `planner.solve.search` and `planner.solve.tuning` as the variant says."""
    settings = variant_settings(name)
    tuning.TIE_BREAK = str(settings.pop("@", ""))
    for key, value in {**defaults, **settings}.items():
        set_constant(key, value)


def set_constant(key: str, value: float) -> None:
    """Set the module constant a variant's key names (`lns.temp_start`, `lns_share`)."""
    setattr(_module(key), _name(key), int(value) if _name(key) in ("MAX_STRING", "CHUNK", "NEAR") else value)


def get_constant(key: str) -> float:
    return getattr(_module(key), _name(key))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", choices=("tuned", "unseen"), default="tuned")
    ap.add_argument("--limit", type=float, default=10.0)
    ap.add_argument("--variants", nargs="+", default=["base"])
    ap.add_argument("--cases", nargs="+", help="only these, e.g. r101:1 pr05:4")
    ap.add_argument("--out", default="tune_search")
    args = ap.parse_args()
    bks = read_bks()
    cases = sorted((k for k in bks if split_of(k[0]) == args.split), key=lambda k: (k[0][:2] == "pr", k[0], k[1]))
    if args.cases:
        cases = [k for k in cases if f"{k[0]}:{k[1]}" in args.cases]
    defaults = {k: get_constant(k) for v in args.variants for k in variant_settings(v) if k != "@"}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, m in cases:
            row = {"instance": name, "m": m, "bks": bks[(name, m)]}
            for variant in args.variants:
                set_variant(variant, defaults)
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
        machine(f" (1-minute load average {os.getloadavg()[0]:.1f} when this file was written)"),
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
