"""Benchmark: what the coordinator's console (issue 16) costs on the bundled Jambi week, beside the API
answer it is drawn from, in the same run and the same server.

Run: PYTHONPATH=. .venv/bin/python bench/console_page.py [--time-limit 5] [--repeat 5]

Stores the Jambi example twice (the console's "use the example" and POST /v1/scenarios/files with the
same files), plans it through the console's form (OR-Tools, `--time-limit` seconds), then times and
sizes (raw and gzip): the finished plan page (KPIs, coverage, map data, 1,000+ left-out rows, every
team-day's link) against GET /v1/plans/{id} (the JSON the API gives for the same plan); the home page
against GET /v1/plans; a QR code the first time and again. Writes bench/results/console_page.csv and .md.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results"
KEY = "bench-coordinator-key-0123456789"


def _timed(call):
    t = time.perf_counter()
    out = call()
    return out, time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--time-limit", type=float, default=5.0)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()

    import re

    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.settings import Settings
    from console.examples import example_uploads

    rows: list[dict] = []

    def row(what: str, variant: str, body: bytes, seconds: list[float]) -> None:
        rows.append({"what": what, "variant": variant, "bytes": len(body), "gzip_bytes": len(gzip.compress(body, 6)),
                     "first_s": round(seconds[0], 4), "median_s": round(statistics.median(seconds[1:] or seconds), 4)})

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), database_url=f"sqlite:///{tmp}/bench.db", bootstrap_keys={KEY: ("coordinator", None)})
        with TestClient(create_app(settings)) as c:
            h = {"X-API-Key": KEY}
            r, t_console = _timed(lambda: c.post("/console/f/example", data={"name": "jambi"}, headers=h))
            assert r.status_code == 200, r.text[:500]
            files = example_uploads("jambi")
            parts = [("scenario", (files[0].name, files[0].content)), *[("tables", (f.name, f.content)) for f in files[1:]]]
            r2, t_api = _timed(lambda: c.post("/v1/scenarios/files", files=parts, headers=h))
            assert r2.status_code == 201, r2.text[:500]
            row("store the Jambi example", "console: use the example", r.content, [t_console])
            row("store the Jambi example", "API: POST /v1/scenarios/files", r2.content, [t_api])
            sid = re.search(r'name="scenario_id" value="([0-9a-f]{32})"', r.text).group(1)
            r = c.post("/console/f/plans", data={"scenario_id": sid, "time_limit_s": str(args.time_limit)}, headers=h)
            pid = re.search(r'data-plan="([0-9a-f]{32})"', r.text).group(1)
            t0 = time.perf_counter()
            while 'id="plan"' not in c.get(f"/console/f/plans/{pid}", headers=h).text:
                assert time.perf_counter() - t0 < 600, "the plan did not finish"
                time.sleep(1)
            for what, variant, path in (
                ("finished plan", "console: plan page", f"/console/f/plans/{pid}"),
                ("finished plan", "API: GET /v1/plans/{id} (JSON)", f"/v1/plans/{pid}"),
                ("home", "console: home page", "/console/f/home"),
                ("home", "API: GET /v1/plans (JSON)", "/v1/plans"),
            ):
                times, body = [], b""
                for _ in range(args.repeat):
                    r, s = _timed(lambda path=path: c.get(path, headers=h))
                    assert r.status_code == 200, r.text[:300]
                    times.append(s)
                    body = r.content
                row(what, variant, body, times)
            qr = f"/console/qr/{pid}/T1571-1/2026-11-23.svg"
            times = [_timed(lambda: c.get(qr))[1] for _ in range(args.repeat)]
            row("QR code of a field link", "console: /console/qr/…svg", c.get(qr).content, times)
            plan = c.get(f"/v1/plans/{pid}", headers=h).json()["plan"]

    RESULTS.mkdir(exist_ok=True)
    with open(RESULTS / "console_page.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    lines = [
        "# The console's pages on the Jambi week (issue 16)", "",
        f"Command: `PYTHONPATH=. .venv/bin/python bench/console_page.py --time-limit {args.time_limit:g} --repeat {args.repeat}`  ",
        f"Machine: {platform.machine()}, Python {sys.version.split()[0]}, 2 cores shared with other work (read the ratios).  ",
        f"Plan: {len(plan['team_days'])} team-days, {len(plan['left_out'])} sites left out, "
        f"{plan['kpis']['expected_recordings']:,} expected recordings (bound {plan['kpis']['upper_bound']:,}).", "",
        "| what | variant | bytes | gzip bytes | first (s) | median of the rest (s) |", "|---|---|---:|---:|---:|---:|",
        *[f"| {r['what']} | {r['variant']} | {r['bytes']:,} | {r['gzip_bytes']:,} | {r['first_s']} | {r['median_s']} |" for r in rows],
        "",
    ]
    pairs = {(r["what"], r["variant"].split(":")[0]): r for r in rows}
    page, api = pairs[("finished plan", "console")], pairs[("finished plan", "API")]
    lines.append(f"The plan page is {page['gzip_bytes'] / api['gzip_bytes']:.2f}× the API's JSON gzipped and takes "
                 f"{page['median_s'] / api['median_s']:.2f}× its time (median), in the same server.")
    (RESULTS / "console_page.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
