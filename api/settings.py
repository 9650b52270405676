"""Settings of the dispatch API, read from the environment (one place for every knob and its default)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


@dataclass(frozen=True)
class Settings:
    """What the API needs to run: where to store, how many solves at once, how much input to accept."""

    data_dir: Path = Path("jemput-data")
    database_url: str = ""  # empty = a SQLite file in data_dir
    workers: int = 1  # solves running at the same time, each in its own process
    solve_workers: int = 1  # processes one solve may use for its parts (SolveOptions.workers)
    max_upload_bytes: int = 25 * 1024 * 1024
    max_sites: int = 20_000
    max_wait_s: int = 120  # longest ?wait= a request may ask for
    max_attempts: int = 2  # a job interrupted by a restart is resumed this many times in all, then failed
    solve_backend: str = ""  # DASK_SCHEDULER: where a solve's parts run (tcp://host:8786, local:N); "" = worker processes
    run_jobs: bool = True  # False: accept jobs but start no worker processes (tests of restarts)
    bootstrap_keys: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # key → (role, team)
    key_cache_s: float = 5.0  # an API key lookup is reused this long: a revocation takes effect within it
    runner_lease_s: int = 30  # a running job whose runner sent no heartbeat for this long is taken over
    max_in_flight: int = 256  # requests one web process handles at once; more get 503 with Retry-After
    backlog: int = 2048  # connections waiting to be accepted (uvicorn --backlog)
    keep_alive_s: int = 15  # an idle keep-alive connection is closed after this long
    body_timeout_s: int = 60  # a client that stalls this long while sending a body gets 408
    body_cache_mb: int = 256  # finished plans' response bodies kept in memory per web process

    @property
    def url(self) -> str:
        """The SQLAlchemy URL: DATABASE_URL, or the SQLite file under data_dir."""
        return self.database_url or f"sqlite:///{(self.data_dir / 'jemput.db').resolve()}"

    @classmethod
    def from_env(cls) -> "Settings":
        """Settings from JEMPUT_* variables and DATABASE_URL (see README, HTTP API)."""
        return cls(
            data_dir=Path(os.environ.get("JEMPUT_DATA_DIR", "jemput-data")),
            database_url=_normalise_url(os.environ.get("DATABASE_URL", "")),
            workers=max(1, _int("JEMPUT_WORKERS", 1)),
            solve_workers=max(1, _int("JEMPUT_SOLVE_WORKERS", 1)),
            max_upload_bytes=_int("JEMPUT_MAX_UPLOAD_MB", 25) * 1024 * 1024,
            max_sites=_int("JEMPUT_MAX_SITES", 20_000),
            bootstrap_keys=parse_bootstrap_keys(os.environ.get("JEMPUT_BOOTSTRAP_KEYS", "")),
            solve_backend=_backend_spec(os.environ.get("DASK_SCHEDULER", "")),
            run_jobs=os.environ.get("JEMPUT_RUN_JOBS", "1").strip().lower() not in ("0", "false", "no"),
            key_cache_s=float(os.environ.get("JEMPUT_KEY_CACHE_S", "").strip() or 5.0),
            runner_lease_s=max(5, _int("JEMPUT_RUNNER_LEASE_S", 30)),
            max_in_flight=max(1, _int("JEMPUT_MAX_IN_FLIGHT", 256)),
            backlog=max(16, _int("JEMPUT_BACKLOG", 2048)),
            keep_alive_s=max(1, _int("JEMPUT_KEEP_ALIVE_S", 15)),
            body_timeout_s=max(1, _int("JEMPUT_BODY_TIMEOUT_S", 60)),
            body_cache_mb=max(0, _int("JEMPUT_BODY_CACHE_MB", 256)),
        )


def _backend_spec(spec: str) -> str:
    """DASK_SCHEDULER checked at start-up (a typo fails now, not in every job); "" when unset."""
    from planner.solve.backends import backend_from_spec

    try:
        backend_from_spec(spec)  # only parses: a Dask client connects on first use
    except ValueError as exc:
        raise ValueError(f"DASK_SCHEDULER: {exc}") from None
    return spec.strip()


def _normalise_url(url: str) -> str:
    """postgres:// and postgresql:// URLs use psycopg 3 (the driver jemput installs)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def parse_bootstrap_keys(text: str) -> dict[str, tuple[str, str | None]]:
    """`coordinator=KEY,dashboard=KEY,field:T1=KEY` → {KEY: (role, team)}: keys for development."""
    out: dict[str, tuple[str, str | None]] = {}
    for item in filter(None, (p.strip() for p in text.split(","))):
        who, sep, key = item.partition("=")
        if not sep or not key:
            raise ValueError(f"JEMPUT_BOOTSTRAP_KEYS: expected role=KEY or field:TEAM=KEY, got {item!r}")
        role, _, team = who.partition(":")
        out[key] = (role, team or None)
    return out
