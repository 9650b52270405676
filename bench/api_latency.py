"""Benchmark: read latency of the HTTP API under concurrent load from a loopback client.

Run: .venv/bin/python bench/api_latency.py [--concurrency 16] [--requests 400] [--time-limit 10]
         [--before DIR --before-label TEXT] [--name api_latency]
(--before: the source tree of an earlier commit, `git archive COMMIT | tar -x -C DIR`, whose server is
measured first in the same run, with the same venv and client)

Starts `jemput serve` on 127.0.0.1 with a fresh SQLite database, uploads the bundled Jambi files as a
coordinator would, solves a plan (in the server's worker process), then fires GETs with an httpx
async client, `--concurrency` in flight at a time, per endpoint. Peer in the same run: /healthz (no
database, no plan), the floor any endpoint pays for HTTP + ASGI on this machine.
Writes bench/results/api_latency.csv and .md.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

from planner.io.bundled import EDITABLE_FILES, jambi_dir

RESULTS = Path(__file__).parent / "results"
KEYS = {"coordinator": "bench-coordinator-key-0001", "dashboard": "bench-dashboard-key-000001",
        "field": "bench-field-key-0000000001"}  # ≥ 24 characters
FIELD_TEAM = "T1571-1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(data_dir: Path, port: int, source: Path) -> subprocess.Popen:
    keys = f"coordinator={KEYS['coordinator']},dashboard={KEYS['dashboard']},field:{FIELD_TEAM}={KEYS['field']}"
    env = {**os.environ, "JEMPUT_DATA_DIR": str(data_dir), "JEMPUT_BOOTSTRAP_KEYS": keys, "PYTHONPATH": str(source)}
    env.pop("DATABASE_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "jemput.cli", "serve", "--port", str(port), "--log-level", "warning"],
                            env=env, cwd=source)  # `-m` puts the working folder first on sys.path
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("server did not start")


def solved_plan(base: str, time_limit: float) -> tuple[str, str]:
    """Upload the bundled province's files and solve it; returns (plan id, a date the field team works)."""
    h = {"X-API-Key": KEYS["coordinator"]}
    folder = jambi_dir()
    files = [("scenario", ("scenario.yaml", (folder / "scenario.yaml").read_bytes()))]
    files += [("tables", (n, (folder / n).read_bytes())) for n in EDITABLE_FILES if n.endswith(".csv")]
    r = httpx.post(f"{base}/v1/scenarios/files", files=files, headers=h, timeout=120)
    r.raise_for_status()
    r = httpx.post(f"{base}/v1/plans?wait=120", json={"scenario_id": r.json()["id"], "time_limit_s": time_limit},
                   headers=h, timeout=300)
    job = r.json()
    while job["status"] in ("queued", "running"):
        time.sleep(1)
        job = httpx.get(f"{base}/v1/plans/{job['id']}", headers=h, timeout=60).json()
    assert job["status"] == "done" and job["violations"] == [], job.get("error")
    day = next(td["date"] for td in job["plan"]["team_days"] if td["team_id"] == FIELD_TEAM and td["stops"])
    return job["id"], day


async def measure(base: str, path: str, key: str | None, n: int, concurrency: int) -> tuple[float, list[float], int, float, dict]:
    """The first GET's latency (ms; renders and caches), then latencies of n GETs with `concurrency` in
    flight (the 200s); also bytes per response, wall seconds and the failures by kind (a dropped
    connection is counted, not fatal)."""
    headers = {"X-API-Key": KEYS[key]} if key else {}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=120) as client:
        t0 = time.perf_counter()
        await client.get(path)  # the first request renders; the server keeps the result of a finished plan
        first = (time.perf_counter() - t0) * 1000
        sem = asyncio.Semaphore(concurrency)
        times: list[float] = []
        size = 0
        failed: dict[str, int] = {}

        async def one() -> None:
            nonlocal size
            async with sem:
                t0 = time.perf_counter()
                try:
                    r = await client.get(path)
                except httpx.TransportError as exc:  # e.g. ReadError: the connection dropped
                    failed[type(exc).__name__] = failed.get(type(exc).__name__, 0) + 1
                    return
                if r.status_code != 200:
                    failed[str(r.status_code)] = failed.get(str(r.status_code), 0) + 1
                    return
                times.append((time.perf_counter() - t0) * 1000)
                size = len(r.content)

        t0 = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(n)))
        return first, times or [float("nan")], size, time.perf_counter() - t0, failed


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--requests", type=int, default=400)
    ap.add_argument("--time-limit", type=float, default=10.0)
    ap.add_argument("--before", type=Path, default=None,
                    help="source tree of an earlier jemput (e.g. `git archive COMMIT | tar -x -C DIR`), measured first")
    ap.add_argument("--before-label", default="before", help="what --before is, for the results")
    ap.add_argument("--name", default="api_latency", help="results file name (bench/results/NAME.md and .csv)")
    args = ap.parse_args()
    servers = [(args.before_label, args.before.resolve())] if args.before else []
    servers.append(("this tree", Path(__file__).resolve().parents[1]))
    rows: list[dict] = []
    for label, source in servers:
        rows += measure_server(label, source, args)
    write(rows, args)


def measure_server(label: str, source: Path, args) -> list[dict]:
    """Start a server from `source`, solve the Jambi week through it, measure every endpoint."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="jemput-bench-") as tmp:
        server = start_server(Path(tmp), port, source)
        try:
            pid, day = solved_plan(base, args.time_limit)
            endpoints = [
                ("/healthz", None, args.requests),
                ("/v1/scenarios", "dashboard", args.requests),
                (f"/v1/plans/{pid}", "dashboard", args.requests),
                (f"/v1/plans/{pid}", "field", args.requests),
                (f"/v1/plans/{pid}/export/geojson", "dashboard", args.requests),
                (f"/v1/plans/{pid}/export/csv", "dashboard", args.requests),
                (f"/v1/plans/{pid}/teams/{FIELD_TEAM}/days/{day}/map", "field", args.requests),
                (f"/v1/plans/{pid}/map", "dashboard", max(20, args.requests // 10)),
            ]
            for path, key, n in endpoints:
                first, times, size, wall, failed = asyncio.run(measure(base, path, key, n, args.concurrency))
                rows.append(dict(server=label, endpoint=path.replace(pid, "{id}").replace(day, "{date}"), key=key or "-",
                                 requests=n, concurrency=args.concurrency, first_ms=round(first, 1),
                                 p50_ms=round(float(np.percentile(times, 50)), 2),
                                 p95_ms=round(float(np.percentile(times, 95)), 2),
                                 p99_ms=round(float(np.percentile(times, 99)), 2),
                                 req_per_s=round(n / wall, 1), bytes=size,
                                 failed=" ".join(f"{k}×{v}" for k, v in sorted(failed.items())) or "0",
                                 load_1min=round(os.getloadavg()[0], 2)))
                print(rows[-1], flush=True)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(30)
    floor = rows[0]["p50_ms"]
    for r in rows:
        r["p50_vs_healthz"] = round(r["p50_ms"] / floor, 1)
    return rows


def write(rows: list[dict], args) -> None:
    RESULTS.mkdir(exist_ok=True)
    with (RESULTS / f"{args.name}.csv").open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    cols = ["server", "endpoint", "key", "requests", "first_ms", "p50_ms", "p95_ms", "p99_ms", "req_per_s", "bytes",
            "failed", "p50_vs_healthz", "load_1min"]
    lines = [
        "# HTTP API read latency under concurrent load (loopback)",
        "",
        f"Command: `.venv/bin/python bench/api_latency.py --concurrency {args.concurrency} --requests {args.requests} "
        f"--time-limit {args.time_limit:g} --name {args.name}"
        f"{f' --before DIR --before-label {args.before_label!r}' if args.before else ''}`",
        f"Machine: {cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.platform()}; "
        "shared with other jobs while measuring, so treat the figures as indicative.",
        "",
        "One `jemput serve` process per server measured (uvicorn, 1 worker, SQLite in a temporary folder) holding one finished plan of",
        "the bundled Jambi province (1,592 sites, 23 teams), solved through the API first. The client (httpx",
        f"AsyncClient, keep-alive) runs on the same machine with {args.concurrency} requests in flight per endpoint,",
        "so client and server share the CPUs. `p50_vs_healthz` compares each endpoint's median with `/healthz`",
        "(no database, no plan) measured in the same run: the cost above plain HTTP + ASGI. `first_ms` is the",
        "first request alone, which renders the export or map; a finished plan never changes, so the server keeps",
        "what it rendered (in-process LRU) and the loaded requests after it are served from memory.",
        "`failed`: requests without a 200, by kind (`ReadError`: the connection dropped before the answer;",
        "a status code: that answer, e.g. 503 when the server is full).",
        "The client is one Python process that also decodes every gzip answer: it is the bottleneck here (its",
        "/healthz rate is a fraction of wrk's in bench/results/api_load.md). Use this script for what a Python",
        "client sees (the `failed` column: the issue's field-key ReadError); measure the server with api_load.py.",
        "",
        "| " + " | ".join(cols) + " |",
        "|" + "|".join("---" if c in ("server", "endpoint", "key", "failed") else "---:" for c in cols) + "|",
    ]
    lines += ["| " + " | ".join(str(r[c]) for c in cols) + " |" for r in rows]
    (RESULTS / f"{args.name}.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
