"""Benchmark: the cost of the field loop (issue 15) on the bundled Jambi week.

Run: PYTHONPATH=. .venv/bin/python bench/field_loop.py [--time-limit 20] [--reports 2000]

Plans the bundled Jambi week (OR-Tools, `--time-limit` seconds), then measures, each beside a peer
from the same run:
- the field app's first load on a phone (the largest team-day's page and the files its service worker
  keeps), against the self-contained field map file of the same team-day;
- the overview with a QR code of every team-day's link, against the same overview without them;
- the roster workbook with its "Tautan lapangan" sheet (a QR PNG per team-day), against it without;
- storing field reports in SQLite (batches of 20, as a phone's outbox sends them) and sending them all
  again (every id a duplicate), then each team-day's status and the outcomes of all reports.
Writes bench/results/field_loop.csv and .md.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gzip
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results"
PLAN_ID = "0" * 32
BASE = "https://jemput.example.go.id"


def _sizes(data: bytes) -> tuple[int, int]:
    return len(data), len(gzip.compress(data, 6))


def _timed(make):
    t = time.perf_counter()
    out = make()
    return out, time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--time-limit", type=float, default=20.0)
    ap.add_argument("--reports", type=int, default=2000)
    args = ap.parse_args()

    from planner.io.bundled import jambi_scenario_path
    from planner.io.load import load_scenario
    from planner.solve.week import SolveOptions, plan_week

    scenario = load_scenario(jambi_scenario_path())
    plan, solve_s = _timed(lambda: plan_week(scenario, SolveOptions(time_limit_s=args.time_limit, seed=0, workers=1)))
    rows: list[dict] = []

    def row(what: str, variant: str, raw: int | None = None, gz: int | None = None, seconds: float | None = None, **extra) -> None:
        rows.append({"what": what, "variant": variant, "bytes": raw, "gzip_bytes": gz,
                     "seconds": None if seconds is None else round(seconds, 4), **extra})

    # 1. the field app's first load against the self-contained field map file
    from maps.field import field_map
    from maps.field_app import STATIC_FILES, field_app_page, static_file

    td = max(plan.team_days, key=lambda t: (len(t.stops), t.team_id))
    page, page_s = _timed(lambda: field_app_page(scenario, plan, td.team_id, td.date).encode())
    files = {name: static_file(name) for name in STATIC_FILES}
    row("field app first load", "page", *_sizes(page), page_s, stops=len(td.stops))
    for name, body in files.items():
        row("field app first load", name, *_sizes(body))
    total = page + b"".join(files.values())
    row("field app first load", "page + files (total)", len(total), _sizes(page)[1] + sum(_sizes(b)[1] for b in files.values()))
    standalone, file_s = _timed(lambda: field_map(scenario, plan, td.team_id, td.date).encode())
    row("field app first load", "peer: self-contained field map file", *_sizes(standalone), file_s)

    # 2. the overview with and without the QR panel
    from maps.overview import overview_map
    from planner.io.links import api_links, clear_qr_cache

    links = api_links(BASE, PLAN_ID, plan)
    clear_qr_cache()
    with_qr, with_s = _timed(lambda: overview_map(scenario, plan, "id", links).get_root().render().encode())
    _, again_s = _timed(lambda: overview_map(scenario, plan, "id", links).get_root().render().encode())
    without, without_s = _timed(lambda: overview_map(scenario, plan, "id").get_root().render().encode())
    row("overview", f"with {len(links)} QR codes (first drawing: codes made)", *_sizes(with_qr), with_s)
    row("overview", "with QR codes, drawn again when a report arrives (codes kept)", None, None, again_s)
    row("overview", "peer: without QR codes", *_sizes(without), without_s)

    # 3. the roster workbook with and without the links sheet
    from planner.io.export import write_roster_xlsx

    with tempfile.TemporaryDirectory() as tmp:
        a, b = Path(tmp) / "with.xlsx", Path(tmp) / "without.xlsx"
        clear_qr_cache()
        _, xa = _timed(lambda: write_roster_xlsx(scenario, plan, a, "id", links))
        _, xb = _timed(lambda: write_roster_xlsx(scenario, plan, b, "id"))
        row("roster xlsx", "with 'Tautan lapangan' sheet", a.stat().st_size, None, xa)
        row("roster xlsx", "peer: without", b.stat().st_size, None, xb)

    # 4. field reports: store, resend, status, outcomes
    rows += _reports(scenario, plan, args.reports)

    RESULTS.mkdir(exist_ok=True)
    fields = ["what", "variant", "bytes", "gzip_bytes", "seconds", "stops", "reports", "per_report_ms"]
    with (RESULTS / "field_loop.csv").open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)
    _markdown(rows, td, solve_s, args)


def _reports(scenario, plan, n: int) -> list[dict]:  # noqa: ANN001
    """Store n reports about the plan's stops in a fresh SQLite database, resend them all, then read."""
    from api.db import make_engine, session_factory, upgrade
    from api.reports import add_reports, plan_reports
    from api.store import Store
    from api.tables import Job, utcnow
    from planner.io.reports import FieldReport, reports_to_outcomes, team_day_status

    rnd = random.Random(0)
    stops = [(td, s) for td in plan.team_days for s in td.stops]
    reports: list[tuple[str, dt.date, FieldReport]] = []
    for i in range(n):
        td, s = stops[i % len(stops)]
        kind = rnd.choice(["arrived", "done", "done", "missed", "note"])
        extra = {"done": {"people": rnd.randint(0, 60)}, "missed": {"reason": "banjir"}}.get(kind, {})
        reports.append((td.team_id, td.date, FieldReport(id=f"r{i:012d}", site_id=s.site_id, visit=s.visit, kind=kind,
                                                         note="catatan <b>&</b>", **extra)))
    batches: dict[tuple[str, dt.date], list[FieldReport]] = {}
    for team, day, r in reports:
        batches.setdefault((team, day), []).append(r)
    chunks = [(k, rs[i:i + 20]) for k, rs in batches.items() for i in range(0, len(rs), 20)]
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/bench.db")
        upgrade(engine)
        sessions = session_factory(engine)
        record = Store.new_scenario_record(scenario, None)
        with sessions.begin() as s:
            s.add(record)
            s.flush()
            s.add(Job(id=PLAN_ID, scenario_id=record.id, status="done", options_json="{}", created_at=utcnow(),
                      plan_json=plan.model_dump_json()))

        def send_all() -> int:
            return sum(len(add_reports(sessions, PLAN_ID, team, day, rs, None)[0]) for (team, day), rs in chunks)

        stored, first_s = _timed(send_all)
        again, again_s = _timed(send_all)
        assert stored == n and again == 0
        got, read_s = _timed(lambda: plan_reports(sessions, PLAN_ID))
        status, status_s = _timed(lambda: team_day_status(plan, got))
        outcomes, out_s = _timed(lambda: reports_to_outcomes(got))
        engine.dispose()
    for variant, seconds in (("store (batches of 20)", first_s), ("peer: resend all (duplicates, nothing stored)", again_s),
                             ("read all", read_s), (f"status of {len(status)} team-days", status_s),
                             (f"outcomes ({len(outcomes.outcomes)} facts)", out_s)):
        out.append({"what": "field reports (SQLite)", "variant": variant, "seconds": round(seconds, 4), "reports": n,
                    "per_report_ms": round(1000 * seconds / n, 3)})
    return out


def _markdown(rows: list[dict], td, solve_s: float, args) -> None:  # noqa: ANN001
    def fmt(v) -> str:  # noqa: ANN001
        return "" if v in (None, "") else (f"{v:,}" if isinstance(v, int) else str(v))

    lines = [
        "# Field loop: what the phone downloads once, the QR codes, and storing reports",
        "",
        f"Bundled Jambi week planned for {args.time_limit:g} s (solve took {solve_s:.0f} s); largest team-day "
        f"`{td.team_id}` on {td.date} with {len(td.stops)} stops. Machine: {platform.machine()}, Python "
        f"{sys.version.split()[0]}, 2 cores shared with other work (read the ratios to the peer rows, not the absolute times).",
        "",
        "| what | variant | bytes | gzip bytes | seconds | ms per report |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(f"| {r['what']} | {r['variant']} | {fmt(r.get('bytes'))} | {fmt(r.get('gzip_bytes'))} | "
                     f"{fmt(r.get('seconds'))} | {fmt(r.get('per_report_ms'))} |")
    lines += ["", "Command:", "", "```sh",
              f"PYTHONPATH=. .venv/bin/python bench/field_loop.py --time-limit {args.time_limit:g} --reports {args.reports}",
              "```", ""]
    (RESULTS / "field_loop.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
