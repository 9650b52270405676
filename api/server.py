"""Running the API (`jemput serve`) and managing keys from the command line (`jemput keys ...`)."""

from __future__ import annotations

from sqlalchemy import select

from api.auth import Role, create_key
from api.db import make_engine, session_factory, upgrade
from api.settings import Settings
from api.tables import ApiKey


def serve(host: str, port: int, log_level: str = "info") -> None:
    """Serve the app with uvicorn in this process (solves run in their own worker processes)."""
    import uvicorn

    uvicorn.run("api.app:create_app", factory=True, host=host, port=port, log_level=log_level, workers=1,
                **uvicorn_limits(Settings.from_env()))


def uvicorn_limits(settings: Settings) -> dict:
    """uvicorn's keywords bounding slow or many clients (api/slow_clients.py times out slow headers)."""
    from api.slow_clients import timed_protocol

    return {"http": timed_protocol(settings.header_timeout_s), "timeout_keep_alive": settings.keep_alive_s,
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
