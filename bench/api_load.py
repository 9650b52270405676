"""Benchmark: the dispatch API under load, driven by wrk (Debian's package), beside a plain Starlette floor.

Run: .venv/bin/python bench/api_load.py [--duration 5] [--time-limit 10] [--postgres URL] [--before DIR]
(needs `wrk`: apt-get install wrk; --postgres defaults to JEMPUT_TEST_POSTGRES_URL, see scripts/start_postgres.sh;
--before: the source tree of an earlier jemput, e.g. `git archive COMMIT | tar -x -C DIR`, measured first
in the same run as one `jemput serve` on SQLite, with the same venv)

Everything runs on 127.0.0.1 and every wrk run is bounded (--duration seconds, 5 s request timeout).
For each deployment shape — one `jemput serve` process on SQLite (runner inside), and N web processes
(`jemput serve --workers N --no-runner`) with a `jemput worker` on PostgreSQL — the script uploads the
bundled Jambi files, solves a week through the API, creates a field key for a team that has visits,
then measures each read at 50 connections and the plan reads at 200. The floor, a plain Starlette
"hello" (bench/load/floor_app.py, same uvicorn settings, one process), is measured in the same block;
`rps_vs_floor` is floor req/s ÷ endpoint req/s (1.0 = as fast as a bare framework). wrk (2 threads)
shares the 2 CPUs with the server, so absolute figures are pessimistic; the load average is recorded.
Writes bench/results/api_load.csv and .md.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.report import machine, markdown_table  # noqa: E402
from planner.io.bundled import EDITABLE_FILES, jambi_dir  # noqa: E402

HERE = Path(__file__).parent
RESULTS = HERE / "results"
COORD, DASH = "bench-coordinator-key-0001", "bench-dashboard-key-000001"  # ≥ 24 characters
GZIP = {"Accept-Encoding": "gzip"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(url: str, procs: list[subprocess.Popen], seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in procs):
            raise SystemExit(f"a server process exited while starting ({url})")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url} did not become ready")


def start(args: list[str], env: dict) -> subprocess.Popen:
    """A process of `python -m …` run from the tree on its PYTHONPATH (`-m` puts the working folder first
    on sys.path: run from this checkout, a --before server would import this checkout's code)."""
    return subprocess.Popen([sys.executable, *args], env=env, stdout=subprocess.DEVNULL, start_new_session=True,
                            cwd=env.get("PYTHONPATH") or None)


def stop(procs: list[subprocess.Popen]) -> None:
    for p in procs:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGTERM)
    for p in procs:
        try:
            p.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)


def wrk(url: str, connections: int, duration: float, headers: dict[str, str]) -> dict:
    """One bounded wrk run: 2 threads, `connections` open, `duration` seconds; totals and percentiles."""
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{duration:g}s", "--timeout", "5s", "-s", str(HERE / "load" / "report.lua")]
    for k, v in headers.items():
        cmd += ["-H", f"{k}: {v}"]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, timeout=duration + 60, check=True).stdout
    r = json.loads(out.strip().splitlines()[-1])
    r["rps"] = r["requests"] / (r["duration_us"] / 1e6)
    return r


def solved_plan(base: str, time_limit: float) -> tuple[str, str, str]:
    """Upload the bundled province and solve it; (plan id, the team with most visits, one of its dates)."""
    h = {"X-API-Key": COORD}
    folder = jambi_dir()
    files = [("scenario", ("scenario.yaml", (folder / "scenario.yaml").read_bytes()))]
    files += [("tables", (n, (folder / n).read_bytes())) for n in EDITABLE_FILES if n.endswith(".csv")]
    r = httpx.post(f"{base}/v1/scenarios/files", files=files, headers=h, timeout=120)
    r.raise_for_status()
    job = httpx.post(f"{base}/v1/plans", json={"scenario_id": r.json()["id"], "time_limit_s": time_limit},
                     headers=h, timeout=60).json()
    deadline = time.monotonic() + 20 * time_limit + 300
    while job["status"] in ("queued", "running"):
        assert time.monotonic() < deadline, job
        time.sleep(1)
        job = httpx.get(f"{base}/v1/plans/{job['id']}", headers=h, timeout=60).json()
    assert job["status"] == "done" and job["violations"] == [], job.get("error")
    busiest = max(job["plan"]["team_days"], key=lambda td: len(td["stops"]))
    return job["id"], busiest["team_id"], busiest["date"]


def deployments(args, tmp: Path) -> list[tuple[str, dict, list[list[str]], str]]:
    """(name, environment, commands, database URL) of each shape measured."""
    keys = f"coordinator={COORD},dashboard={DASH}"
    base = {**os.environ, "JEMPUT_BOOTSTRAP_KEYS": keys, "JEMPUT_DATA_DIR": str(tmp / "data")}
    base.pop("DATABASE_URL", None)
    shapes = []
    if args.before:
        before = {**base, "PYTHONPATH": str(Path(args.before).resolve()), "JEMPUT_DATA_DIR": str(tmp / "before")}
        shapes.append((f"before ({args.before_label}): sqlite, 1 web process", before, [["-m", "jemput.cli", "serve"]], ""))
    now = {**base, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    shapes.append(("sqlite, 1 web process (runner inside)", now, [["-m", "jemput.cli", "serve"]], ""))
    if args.postgres:
        import psycopg

        name = f"jemput_bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(args.postgres, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        url = args.postgres.rsplit("/", 1)[0] + "/" + name
        env = {**now, "DATABASE_URL": url}
        shapes.append((f"postgresql, {args.web_workers} web processes + 1 `jemput worker`", env,
                       [["-m", "jemput.cli", "serve", "--workers", str(args.web_workers), "--no-runner"],
                        ["-m", "jemput.cli", "worker"]], url))
    return shapes


def field_key(env: dict, team: str) -> str:
    """A field key for `team`, created in that deployment's database (as `jemput keys create` does)."""
    out = subprocess.run([sys.executable, "-m", "jemput.cli", "keys", "create", "--role", "field", "--team", team],
                         env=env, capture_output=True, text=True, check=True, cwd=env.get("PYTHONPATH") or None).stdout
    return out.strip().rsplit(" ", 1)[-1]


def measure_shape(name: str, env: dict, commands: list[list[str]], args, floor_url: str) -> list[dict]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    procs = []
    try:
        for cmd in commands:
            extra = ["--port", str(port), "--log-level", "warning"] if "serve" in cmd else []
            procs.append(start([*cmd, *extra], env))
        wait_ready(f"{base}/readyz", procs)
        pid, team, day = solved_plan(base, args.time_limit)
        fkey = field_key(env, team)
        plan = f"{base}/v1/plans/{pid}"
        etag = httpx.get(plan, headers={"X-API-Key": DASH}).headers.get("etag", "\"none\"")  # (none before #20)
        cases = [
            ("floor: Starlette /hello", floor_url, {}, (50, 200)),
            ("/healthz", f"{base}/healthz", {}, (50,)),
            ("GET /v1/scenarios (dashboard)", f"{base}/v1/scenarios", {"X-API-Key": DASH}, (50,)),
            ("GET /v1/plans/{id} (dashboard, gzip)", plan, {"X-API-Key": DASH, **GZIP}, (50, 200)),
            ("GET /v1/plans/{id} (dashboard, If-None-Match → 304)", plan, {"X-API-Key": DASH, "If-None-Match": etag}, (50,)),
            ("GET /v1/plans/{id} (dashboard, plain)", plan, {"X-API-Key": DASH}, (50,)),
            ("GET /v1/plans/{id} (field, gzip)", plan, {"X-API-Key": fkey, **GZIP}, (50, 200)),
            ("field day map (field, gzip)", f"{plan}/teams/{team}/days/{day}/map", {"X-API-Key": fkey, **GZIP}, (50, 200)),
            ("export geojson (dashboard, gzip)", f"{plan}/export/geojson", {"X-API-Key": DASH, **GZIP}, (50,)),
        ]
        rows = []
        for label, url, headers, conns in cases:
            httpx.get(url, headers=headers, timeout=120)  # the first read renders and stores; the run reads after
            for c in conns:
                r = wrk(url, c, args.duration, headers)
                rows.append(dict(deployment=name, endpoint=label, connections=c, requests=r["requests"],
                                 req_per_s=round(r["rps"]), p50_ms=round(r["p50_us"] / 1000, 2),
                                 p95_ms=round(r["p95_us"] / 1000, 2), p99_ms=round(r["p99_us"] / 1000, 2),
                                 socket_errors=r["connect"] + r["read"] + r["write"] + r["timeout"],
                                 non_2xx_3xx=r["status"], kB_per_response=round(r["bytes"] / max(1, r["requests"]) / 1024, 1),
                                 load_1min=round(os.getloadavg()[0], 2)))
                print(json.dumps(rows[-1]), flush=True)
        floor = {r["connections"]: r["req_per_s"] for r in rows if r["endpoint"].startswith("floor")}
        for r in rows:
            r["rps_vs_floor"] = round(floor[r["connections"]] / max(1, r["req_per_s"]), 2) if r["connections"] in floor else ""
        return rows
    finally:
        stop(procs)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=float, default=5.0, help="seconds per wrk run")
    ap.add_argument("--time-limit", type=float, default=10.0, help="solver seconds for the Jambi week")
    ap.add_argument("--postgres", default=os.environ.get("JEMPUT_TEST_POSTGRES_URL", ""),
                    help="admin URL of a PostgreSQL server to add the N-web-process shape (a database is created)")
    ap.add_argument("--web-workers", type=int, default=2)
    ap.add_argument("--name", default="api_load", help="results file name (bench/results/NAME.md and .csv)")
    ap.add_argument("--before", default="", help="source tree of an earlier jemput to measure first (see above)")
    ap.add_argument("--before-label", default="before", help="what --before is, e.g. main at 09ae5a9")
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    rows: list[dict] = []
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="jemput-load-") as tmp:
        fport = free_port()
        floor = start([str(HERE / "load" / "floor_app.py"), "--port", str(fport)], dict(os.environ))
        try:
            wait_ready(f"http://127.0.0.1:{fport}/hello", [floor])
            for name, env, commands, url in deployments(args, Path(tmp)):
                try:
                    rows += measure_shape(name, env, commands, args, f"http://127.0.0.1:{fport}/hello")
                finally:
                    if url:
                        _drop(args.postgres, url.rsplit("/", 1)[1])
        finally:
            stop([floor])
    write(rows, args, load_before)


def _drop(admin: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def write(rows: list[dict], args, load_before) -> None:
    RESULTS.mkdir(exist_ok=True)
    with (RESULTS / f"{args.name}.csv").open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    cols = ["deployment", "endpoint", "connections", "req_per_s", "rps_vs_floor", "p50_ms", "p95_ms", "p99_ms",
            "socket_errors", "non_2xx_3xx", "kB_per_response", "load_1min"]
    lines = [
        "# The dispatch API under load (wrk, loopback) beside a plain Starlette floor",
        "",
        f"Command: `.venv/bin/python bench/api_load.py --duration {args.duration:g} --time-limit {args.time_limit:g}"
        f"{' --postgres URL' if args.postgres else ''} --web-workers {args.web_workers} --name {args.name}"
        f"{f' --before DIR --before-label {args.before_label!r}' if args.before else ''}`",
        machine(tail=f"; 1-min load average {load_before[0]:.2f} at the start (the machine is shared with other "
                     "jobs: absolute figures are pessimistic, compare with the floor of the same run)"),
        "",
        "wrk 2 threads, each run bounded by its duration and a 5 s request timeout, on the same 2 CPUs as the",
        "server. The plan is the bundled Jambi province (1,592 sites, 23 teams) solved through the API;",
        "the field key belongs to the team with the most visits, and its day map is that team's busiest day.",
        "`rps_vs_floor`: the floor's req/s (plain Starlette `/hello`, measured in the same block at the same",
        "connections) ÷ the endpoint's. `socket_errors`: connect/read/write errors and timeouts; `non_2xx_3xx`:",
        "answers such as 503 (busy, with Retry-After).",
        "",
    ]
    lines += markdown_table(cols, rows)
    (RESULTS / f"{args.name}.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
