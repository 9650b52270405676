"""The job runner: hands queued plan jobs to worker processes (at most `workers` at once), reaps them,
cancels them, and resumes or fails what a stopped runner (a crashed server or `jemput worker`) left.

Job states: queued → running → done | failed | cancelled (a cancel may also come while queued).

Kept hand-written: the queue lives in the API's own database (SQLite or PostgreSQL) with a fencing
token per attempt, so a worker that lost its job (a cancel, or a restart that handed it on) cannot
store a stale plan, and each solve runs in its own process group that a cancel kills whole. Celery, RQ or Dramatiq
would add a broker (Redis/RabbitMQ) a provincial office does not run, and none of them kills the
OR-Tools part processes a solve starts or fences the write of its result.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import multiprocessing
import os
import signal
import socket
import threading
import time
import uuid
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from api.settings import Settings
from api.tables import ACTIVE, FINAL, Job, utcnow  # noqa: F401 - ACTIVE/FINAL re-exported for the routes
from api.worker import memory_error, run_job

log = logging.getLogger("jemput.api.jobs")
HEARTBEAT_S = 2.0  # how often a runner renews its running jobs' lease (and notices cancellations)
CRASH_CODES = (-signal.SIGABRT, -signal.SIGSEGV, -signal.SIGBUS, 1)  # how a solver dies when allocation fails


@dataclass
class _Running:
    process: multiprocessing.process.BaseProcess
    token: str
    deadline: float  # monotonic time after which the solve is considered hung and killed


class JobRunner:
    """Dispatcher thread of one process (a `jemput serve` process, or a `jemput worker`); the database is
    the queue, so any number of runners, on any hosts, can share it.

    A runner claims a queued job in one transaction (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so runners
    never wait on each other's row), stamps it with its id and a heartbeat, and renews the heartbeat
    while the solve runs. A job still `running` whose runner is gone (its heartbeat older than the
    lease, or its process dead on this host) is queued again by whichever runner sees it first.
    """

    def __init__(self, settings: Settings, sessions: sessionmaker[Session]) -> None:
        self.settings = settings
        self.sessions = sessions
        self.runner_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._running: dict[str, _Running] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._ctx = multiprocessing.get_context("spawn")
        self._last_beat = 0.0
        self._last_recover = 0.0

    # --- lifecycle ---------------------------------------------------------------------------------

    def recover(self) -> dict[str, int]:
        """Running jobs whose runner is gone: queue them again, or fail them after max_attempts."""
        counts = {"resumed": 0, "failed": 0}
        stale = utcnow() - dt.timedelta(seconds=self.settings.runner_lease_s)
        with self.sessions.begin() as s:
            q = select(Job).where(Job.status == "running")
            if _postgres(s):
                q = q.with_for_update(skip_locked=True)  # a job another runner is just claiming or renewing
            for job in s.scalars(q):
                if not self._orphaned(job, stale):
                    continue
                if job.attempts < self.settings.max_attempts:
                    job.status, job.run_token, job.worker_pid, job.runner_id = "queued", None, None, None
                    job.progress_message = f"resumed: its runner stopped (attempt {job.attempts} was interrupted)"
                    counts["resumed"] += 1
                else:
                    job.status, job.finished_at = "failed", utcnow()
                    job.error = f"its runner stopped during the solve; gave up after {job.attempts} attempts"
                    counts["failed"] += 1
        if any(counts.values()):
            log.warning("recovered jobs of stopped runners: %s", counts)
        return counts

    def _orphaned(self, job: Job, stale: dt.datetime) -> bool:
        """True when no live runner holds this running job."""
        if job.runner_id == self.runner_id:
            return job.id not in self._running
        host, _, rest = (job.runner_id or "").partition(":")
        pid = rest.partition(":")[0]
        if host == socket.gethostname() and pid.isdigit() and not _alive(int(pid)):
            return True  # its runner's process on this host is gone: no need to wait for the lease
        beat = job.heartbeat_at or job.started_at
        return beat is None or beat < stale

    def start(self) -> None:
        if not self.settings.run_jobs:
            return
        self._thread = threading.Thread(target=self._loop, daemon=True, name="jemput-job-runner")
        self._thread.start()

    def run_forever(self) -> None:
        """Run the dispatcher in this thread until stop() (the `jemput worker` process)."""
        self.recover()
        self._loop()

    def stop(self) -> None:
        """Stop dispatching; kill running solves and queue them again (not counted as an attempt)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=10)
        with self._lock:
            running = dict(self._running)
            self._running.clear()
        for job_id, r in running.items():
            _kill(r.process)
            with self.sessions.begin() as s:
                s.execute(
                    update(Job).where(Job.id == job_id, Job.run_token == r.token, Job.status == "running").values(
                        status="queued", run_token=None, worker_pid=None, runner_id=None, attempts=Job.attempts - 1,
                        progress_message="its runner stopped; the solve resumes when a runner takes it",
                    )
                )

    @property
    def alive(self) -> bool:
        return not self.settings.run_jobs or (self._thread is not None and self._thread.is_alive())

    def wake(self) -> None:
        """A job was queued: look now rather than at the next poll."""
        self._wake.set()

    def kill(self, job_id: str) -> bool:
        """Stop the worker of a cancelled job (its database state is set by the caller). A job run by
        another process's runner is stopped by that runner at its next heartbeat."""
        with self._lock:
            r = self._running.pop(job_id, None)
        if r is None:
            return False
        _kill(r.process)
        return True

    # --- the dispatcher ----------------------------------------------------------------------------

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self._reap()
                now = time.monotonic()
                if now - self._last_beat >= HEARTBEAT_S:
                    self._heartbeat()
                    self._last_beat = now
                if now - self._last_recover >= self.settings.runner_lease_s / 3:
                    self.recover()
                    self._last_recover = now
                while len(self._running) < self.settings.workers and self._dispatch_one():
                    pass
            except Exception:  # noqa: BLE001 - keep dispatching; a database hiccup must not stop the queue
                log.exception("job runner iteration failed")
            self._wake.wait(0.25)
            self._wake.clear()

    def _claim(self) -> tuple[str, str, str] | None:
        """Take the oldest queued job: (id, options, run token), or None when the queue is empty."""
        token = uuid.uuid4().hex
        with self.sessions.begin() as s:
            q = select(Job.id, Job.options_json).where(Job.status == "queued").order_by(Job.created_at, Job.id).limit(1)
            if _postgres(s):
                q = q.with_for_update(skip_locked=True)  # other runners skip this row instead of waiting for it
            row = s.execute(q).first()
            if row is None:
                return None
            claimed = s.execute(
                update(Job).where(Job.id == row.id, Job.status == "queued").values(
                    status="running", run_token=token, attempts=Job.attempts + 1, started_at=utcnow(),
                    runner_id=self.runner_id, heartbeat_at=utcnow(), progress_message="starting a worker process",
                )
            ).rowcount
        return (row.id, row.options_json, token) if claimed else ("", "", "")

    def _dispatch_one(self) -> bool:
        got = self._claim()
        if got is None:
            return False
        job_id, options_json, token = got
        if not job_id:
            return True  # cancelled or taken in between; look for the next one
        p = self._ctx.Process(
            target=run_job, args=(self.settings.url, job_id, token, self.settings.solve_workers, os.getpid(),
                  self.settings.solve_backend, self.settings.solve_memory_mb),
            name=f"jemput-job-{job_id}", daemon=False,
        )
        try:
            p.start()
        except Exception as exc:  # noqa: BLE001 - the job fails with the reason; the runner goes on
            with self.sessions.begin() as s:
                s.execute(update(Job).where(Job.id == job_id, Job.run_token == token).values(
                    status="failed", finished_at=utcnow(), error=f"could not start a worker process: {exc}"[:2000]))
            return True
        with self._lock:
            self._running[job_id] = _Running(p, token, time.monotonic() + _budget(options_json))
        with self.sessions.begin() as s:
            still = s.execute(update(Job).where(Job.id == job_id, Job.run_token == token).values(worker_pid=p.pid)).rowcount
        if not still:  # cancelled while the process was starting
            self.kill(job_id)
        return True

    def _heartbeat(self) -> None:
        """Renew the lease of each running job; one no longer ours (cancelled elsewhere) is stopped."""
        with self._lock:
            running = list(self._running.items())
        for job_id, r in running:
            with self.sessions.begin() as s:
                held = s.execute(update(Job).where(Job.id == job_id, Job.run_token == r.token, Job.status == "running")
                                 .values(heartbeat_at=utcnow())).rowcount
            if not held:
                self.kill(job_id)

    def _reap(self) -> None:
        now = time.monotonic()
        with self._lock:
            ended = [(j, r) for j, r in self._running.items() if not r.process.is_alive() or now > r.deadline]
            for j, _ in ended:
                del self._running[j]
        for job_id, r in ended:
            hung = r.process.is_alive()
            if hung:
                _kill(r.process)
            r.process.join()
            error = ("the solve ran far past its time limit and was stopped" if hung
                     else f"the worker process ended without a result (exit code {r.process.exitcode})")
            if not hung and self.settings.solve_memory_mb and r.process.exitcode in CRASH_CODES:
                error += f"; it may have run out of memory: {memory_error(self.settings.solve_memory_mb)}"
            with self.sessions.begin() as s:
                s.execute(
                    update(Job).where(Job.id == job_id, Job.run_token == r.token, Job.status == "running").values(
                        status="failed", finished_at=utcnow(), error=error,
                    )
                )


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _budget(options_json: str) -> float:
    """Seconds a solve may take before it counts as hung: its time limit twice over, plus start-up and assembly
    (a campaign: every week of at most 53, for the baseline and twice per decision confirmed, of at most 5 kinds)."""
    options = json.loads(options_json)
    limit = float(options.get("time_limit_s", 30))
    if options.get("kind") == "campaign":
        limit *= 53 * (1 + 2 * (int(options.get("confirm", 3)) + 4))
    return 2 * limit + 300


def _kill(process: multiprocessing.process.BaseProcess) -> None:
    """Kill a worker and its part solvers (it leads its own process group)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, TypeError):
        process.kill()
    process.join(timeout=10)
