"""Running the API (`jemput serve`), job runners (`jemput worker`) and managing keys (`jemput keys ...`)."""

from __future__ import annotations

import logging
import os
import signal

from sqlalchemy import select

from api.auth import Role, create_key
from api.db import make_engine, session_factory, upgrade
from api.jobs import JobRunner
from api.settings import Settings
from api.tables import ApiKey

log = logging.getLogger("jemput.api.server")


def serve(host: str, port: int, log_level: str = "info", workers: int = 1, runner: bool | None = None) -> None:
    """Serve the app with uvicorn: `workers` web processes, and the job runner.

    One web process runs the job runner inside it (as before). With `workers` > 1, uvicorn's supervisor
    process migrates the database once, runs the job runner itself (unless `runner` is False) and
    starts the web processes without one. `runner=False` leaves all solves to `jemput worker`
    processes (PostgreSQL; a SQLite database keeps its one runner here)."""
    import uvicorn

    settings = Settings.from_env()
    if runner is None:
        runner = settings.run_jobs
    if not runner and settings.url.startswith("sqlite"):
        raise ValueError("a SQLite database keeps its job runner in the server: --no-runner needs DATABASE_URL "
                         "(PostgreSQL) and `jemput worker` processes")
    config = dict(host=host, port=port, log_level=log_level, backlog=settings.backlog,
                  timeout_graceful_shutdown=30, server_header=False, **uvicorn_limits(settings, workers > 1))
    if workers <= 1:
        os.environ["JEMPUT_RUN_JOBS"] = "1" if runner else "0"
        uvicorn.run("api.app:create_app", factory=True, workers=1, **config)
        return
    _prepare(settings)
    os.environ["JEMPUT_RUN_JOBS"] = "0"  # the web processes; the runner is here, in the supervisor
    jobs = JobRunner(settings.model_copy(update={"run_jobs": True}), _sessions(settings)) if runner else None
    if jobs is not None:
        jobs.recover()
        jobs.start()
    try:
        uvicorn.run("api.app:create_app", factory=True, workers=workers, **config)
    finally:
        if jobs is not None:
            jobs.stop()


def run_worker(settings: Settings | None = None) -> None:
    """`jemput worker`: a job runner without a web server, until SIGTERM or SIGINT (running solves are
    queued again for another runner). Runs `JEMPUT_WORKERS` solves at a time."""
    settings = settings or Settings.from_env()
    if settings.url.startswith("sqlite"):
        raise ValueError("`jemput worker` takes jobs from PostgreSQL (set DATABASE_URL); with SQLite the "
                         "job runner stays in `jemput serve`")
    _prepare(settings)
    jobs = JobRunner(settings.model_copy(update={"run_jobs": True}), _sessions(settings))
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: jobs._stop.set())
    log.warning("job runner %s: %d solve(s) at a time from %s", jobs.runner_id, settings.workers,
                settings.url.rpartition("@")[2])
    try:
        jobs.run_forever()
    finally:
        jobs.stop()


def _prepare(settings: Settings) -> None:
    """Migrate the database and store the bootstrap keys once, before any web process starts."""
    sessions = _sessions(settings)
    for key, (role, team) in settings.bootstrap_keys.items():
        create_key(sessions, role, team, label="bootstrap", key=key)


def uvicorn_limits(settings: Settings, by_name: bool = False) -> dict:
    """uvicorn's keywords bounding slow or many clients (api/slow_clients.py times out slow headers).
    `by_name`: the protocol as an import path, for worker processes uvicorn starts (a class made here
    does not pickle); it reads JEMPUT_HEADER_TIMEOUT_S there."""
    from api.slow_clients import ENV_PROTOCOL, timed_protocol

    http = ENV_PROTOCOL if by_name else timed_protocol(settings.header_timeout_s)
    return {"http": http, "timeout_keep_alive": settings.keep_alive_s,
            "limit_concurrency": settings.max_connections, "h11_max_incomplete_event_size": 64 * 1024}


def _sessions(settings: Settings):
    engine = make_engine(settings.url)
    upgrade(engine)
    return session_factory(engine)


def add_key(role: str, team: str | None, label: str, settings: Settings | None = None) -> tuple[int, str]:
    """A new key in the configured database; returns (id, key) — the key is shown once, stored hashed."""
    return create_key(_sessions(settings or Settings.from_env()), Role(role), team, label)


def list_keys(settings: Settings | None = None) -> list[ApiKey]:
    with _sessions(settings or Settings.from_env())() as s:
        return list(s.scalars(select(ApiKey).order_by(ApiKey.id)))


def revoke_key(key_id: int, settings: Settings | None = None) -> bool:
    with _sessions(settings or Settings.from_env()).begin() as s:
        row = s.get(ApiKey, key_id)
        if row is None:
            return False
        row.revoked = True
        return True
