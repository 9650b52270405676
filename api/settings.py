"""Settings of the dispatch API, read from the environment (one place for every knob and its default).

Built on pydantic-settings: each field is typed and bounded, read from `JEMPUT_<FIELD>` (or the
alias shown, e.g. `DATABASE_URL`) and from a `.env` file in the working directory, and a bad value
fails at start-up with an error naming the variable (`JEMPUT_WORKERS: ... got 'two'`). Constructing
`Settings(...)` directly (tests, embedding) takes the keywords given and fills the rest the same way.
What stays hand-written: the two small text formats (`JEMPUT_BOOTSTRAP_KEYS`, `DASK_SCHEDULER`)
because their grammar is ours, and the postgres:// → psycopg 3 URL rewrite.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ENV_PREFIX = "JEMPUT_"
ENV_FILE = ".env"
MIN_KEY_LENGTH = 24  # API keys: `jemput keys create` makes 46 characters


class SettingsError(ValueError):
    """A setting from the environment is invalid; the message names each variable and why."""


class Settings(BaseSettings):
    """What the API needs to run: where to store, how many solves at once, how much input to accept."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, frozen=True, extra="ignore", validate_by_name=True, validate_by_alias=True,
    )

    data_dir: Path = Path("jemput-data")
    database_url: str = Field("", validation_alias="DATABASE_URL")  # "" = SQLite in data_dir
    workers: int = Field(1, ge=1, le=256)  # solves running at the same time, each in its own process
    solve_workers: int = Field(1, ge=1, le=256)  # processes one solve may use for its parts (SolveOptions.workers)
    max_upload_mb: int = Field(25, ge=1, le=10_240)  # largest request body accepted
    max_sites: int = Field(20_000, ge=1, le=1_000_000)
    max_wait_s: int = Field(120, ge=0, le=3_600)  # longest ?wait= a request may ask for
    max_attempts: int = Field(2, ge=1, le=100)  # a job interrupted by a restart is resumed this many times in all
    # DASK_SCHEDULER: where a solve's parts run (tcp://host:8786, local:N); "" = worker processes
    solve_backend: str = Field("", validation_alias="DASK_SCHEDULER")
    run_jobs: bool = True  # False: accept jobs but start no worker processes (tests of restarts)
    # key → (role, team); from the environment as `coordinator=KEY,dashboard=KEY,field:T1=KEY`
    bootstrap_keys: Annotated[dict[str, tuple[str, str | None]], NoDecode] = Field(default_factory=dict)
    key_cache_s: float = Field(5.0, ge=0, le=300)  # an API key lookup is reused this long: a revocation takes effect within it
    runner_lease_s: int = Field(30, ge=5, le=3_600)  # a running job whose runner sent no heartbeat this long is taken over
    max_in_flight: int = Field(256, ge=1, le=100_000)  # requests one web process handles at once; more get 503 + Retry-After
    backlog: int = Field(2048, ge=16, le=65_535)  # connections waiting to be accepted (uvicorn --backlog)
    body_cache_mb: int = Field(256, ge=0, le=65_536)  # finished plans' response bodies kept in memory per web process
    # issue 17: bounds on the work the server takes on
    max_queued_per_key: int = Field(20, ge=1, le=100_000)  # queued or running plan jobs of one API key
    max_queued: int = Field(200, ge=1, le=1_000_000)  # queued or running plan jobs in all
    retry_after_s: int = Field(30, ge=1, le=3_600)  # Retry-After of a 429 when the queue is full
    solve_memory_mb: int = Field(8_192, ge=0, le=1_048_576)  # address space of one solve process; 0 = no cap
    time_zone: str = "Asia/Jakarta"  # a re-plan `from` without a UTC offset is local time here (WIB)
    # slow clients (`jemput serve`; behind a reverse proxy set its own, see deploy/nginx.conf)
    header_timeout_s: float = Field(15, gt=0, le=600)  # a request's line and headers must arrive within this
    body_timeout_s: float = Field(30, gt=0, le=3_600)  # longest pause while a request body streams in
    keep_alive_s: float = Field(5, gt=0, le=600)  # an idle kept-alive connection is closed after this
    # open connections of one web process (uvicorn's limit_concurrency): at or over it uvicorn answers every
    # request 503 without Retry-After, kept-alive idle connections included, so it stays well above the
    # clients expected; JEMPUT_MAX_IN_FLIGHT is the limit that answers 503 with Retry-After (issue 20)
    max_connections: int = Field(2_048, ge=1, le=100_000)
    # issue 15: the address phones reach the server at (https://host[:port]), for the field links and
    # QR codes in the roster and overview; "" = the address the request came to
    public_url: str = ""

    @property
    def max_upload_bytes(self) -> int:
        """The body limit in bytes (JEMPUT_MAX_UPLOAD_MB × 1 MiB)."""
        return self.max_upload_mb * 1024 * 1024

    @property
    def url(self) -> str:
        """The SQLAlchemy URL: DATABASE_URL, or the SQLite file under data_dir."""
        return self.database_url or f"sqlite:///{(self.data_dir / 'jemput.db').resolve()}"

    @field_validator("database_url", mode="after")
    @classmethod
    def _database_url(cls, url: str) -> str:
        return _normalise_url(url.strip())

    @field_validator("solve_backend", mode="after")
    @classmethod
    def _solve_backend(cls, spec: str) -> str:
        return _backend_spec(spec)

    @field_validator("bootstrap_keys", mode="before")
    @classmethod
    def _bootstrap_keys(cls, value: Any) -> Any:
        return parse_bootstrap_keys(value) if isinstance(value, str) else value

    @field_validator("bootstrap_keys", mode="after")
    @classmethod
    def _long_keys(cls, keys: dict) -> dict:
        short = [k for k in keys if len(k) < MIN_KEY_LENGTH]
        if short:
            raise ValueError(f"{len(short)} key(s) shorter than {MIN_KEY_LENGTH} characters; "
                             "use `jemput keys create` or a long random string")
        return keys

    @field_validator("time_zone", mode="after")
    @classmethod
    def _time_zone(cls, name: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {name!r}; e.g. Asia/Jakarta, Asia/Makassar, Asia/Jayapura") from None
        return name

    @field_validator("public_url", mode="after")
    @classmethod
    def _public_url(cls, url: str) -> str:
        return public_origin(url)

    @classmethod
    def from_env(cls, env_file: Path | str | None = ENV_FILE) -> Settings:
        """Settings from JEMPUT_* variables, DATABASE_URL and DASK_SCHEDULER (and `.env`; see README, HTTP API)."""
        try:
            return cls(_env_file=env_file)  # type: ignore[call-arg]
        except ValidationError as exc:
            raise SettingsError(describe_errors(exc)) from None


def env_name(field: str) -> str:
    """The environment variable a field is read from (JEMPUT_WORKERS, DATABASE_URL, ...)."""
    info = Settings.model_fields.get(field)
    if info is None:  # errors name an aliased field by its alias, which is the variable
        return field
    alias = info.validation_alias
    return alias if isinstance(alias, str) else f"{ENV_PREFIX}{field.upper()}"


def describe_errors(exc: ValidationError) -> str:
    """One line per bad setting: 'JEMPUT_WORKERS: Input should be ... (got 'two')'."""
    lines = []
    for err in exc.errors(include_url=False):
        field = str(err["loc"][0]) if err.get("loc") else "?"
        message = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        value = err.get("input")
        got = f" (got {value!r})" if isinstance(value, str | int | float) and repr(value) not in message else ""
        lines.append(f"{env_name(field)}: {message}{got}")
    return "invalid settings: " + "; ".join(lines)


def public_origin(url: str) -> str:
    """JEMPUT_PUBLIC_URL checked: "" or an http(s) origin, returned without a trailing slash. A path is
    refused: the field app's files are served from /v1/field at the root of that address."""
    from urllib.parse import urlsplit

    url = url.strip()
    if not url:
        return ""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError as exc:
        raise ValueError(f"not a URL: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("expected the address phones open, like https://jemput.example.go.id")
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError("expected only scheme, host and port (no path, query or user), like https://jemput.example.go.id")
    return f"{parts.scheme}://{parts.netloc}"


def _backend_spec(spec: str) -> str:
    """DASK_SCHEDULER checked at start-up (a typo fails now, not in every job); "" when unset."""
    from planner.solve.backends import backend_from_spec

    backend_from_spec(spec)  # only parses: a Dask client connects on first use
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
            raise ValueError(f"expected role=KEY or field:TEAM=KEY, got {item!r}")
        role, _, team = who.partition(":")
        out[key] = (role, team or None)
    return out
