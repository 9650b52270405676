"""API keys and roles: who may call what. Keys are random, shown once, and stored as SHA-256 only.

Roles: `coordinator` creates scenarios and plans and reads everything; `dashboard` reads everything;
`field` reads only its own team's plans and maps.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from enum import StrEnum

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import APIKeyHeader
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from api.keycache import MISSING, KeyCache
from api.settings import MIN_KEY_LENGTH
from api.tables import ApiKey

KEY_HEADER = "X-API-Key"
KEY_COOKIE = "jemput_key"  # the field app's key on the phone: set once from ?key=, HttpOnly, SameSite=Lax
key_header = APIKeyHeader(name=KEY_HEADER, auto_error=False, description="an API key from `jemput keys create`")


class Role(StrEnum):
    coordinator = "coordinator"
    dashboard = "dashboard"
    field = "field"


@dataclass(frozen=True)
class Caller:
    key_id: int
    role: Role
    team_id: str | None

    def may_read_team(self, team_id: str) -> bool:
        return self.role != Role.field or self.team_id == team_id


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def new_key() -> str:
    return "jk_" + secrets.token_urlsafe(32)


def create_key(sessions: sessionmaker[Session], role: Role | str, team_id: str | None = None, label: str = "",
               key: str | None = None) -> tuple[int, str]:
    """Store a key (a new random one unless given) and return (id, key); the key is not kept in clear."""
    role = Role(role)
    if (role == Role.field) != bool(team_id):
        raise ValueError("a field key needs --team; other roles take none")
    if key is not None and len(key) < MIN_KEY_LENGTH:
        raise ValueError(f"an API key needs at least {MIN_KEY_LENGTH} characters")
    key = key or new_key()
    try:
        return _store_key(sessions, key, role, team_id, label)
    except IntegrityError:  # the same bootstrap key stored at this moment by another process starting up
        return _store_key(sessions, key, role, team_id, label)


def _store_key(sessions: sessionmaker[Session], key: str, role: Role, team_id: str | None, label: str) -> tuple[int, str]:
    with sessions.begin() as s:
        existing = s.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(key)))
        if existing is not None:  # a bootstrap key at a restart: a revoked key stays revoked
            existing.role, existing.team_id = role.value, team_id
            s.flush()
            return existing.id, key
        row = ApiKey(key_hash=hash_key(key), role=role.value, team_id=team_id, label=label)
        s.add(row)
        s.flush()
        return row.id, key


async def caller(request: Request, key: str | None = Security(key_header)) -> Caller:
    """The caller of this request, from its API key: the header, or the field app's cookie (401 without a
    valid one). Lookups go through the app's short KeyCache: no query per request, and a revocation
    takes effect within its TTL."""
    key = key or request.cookies.get(KEY_COOKIE)
    if not key:
        raise HTTPException(401, f"missing API key: send it in the {KEY_HEADER} header", headers={"WWW-Authenticate": KEY_HEADER})
    digest = hash_key(key)
    cache: KeyCache = request.app.state.key_cache
    found = cache.get(digest)
    if found is MISSING:
        found = await run_in_threadpool(lookup, request.app.state.sessions, key)
        cache.put(digest, found)
    if found is None:
        raise HTTPException(401, "unknown or revoked API key", headers={"WWW-Authenticate": KEY_HEADER})
    return found


def lookup(sessions: sessionmaker[Session], key: str) -> Caller | None:
    """The caller a key stands for, or None if it is unknown or revoked."""
    with sessions() as s:
        row = s.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(key), ApiKey.revoked.is_(False)))
    return None if row is None else Caller(row.id, Role(row.role), row.team_id)


def require(*roles: Role):
    """A dependency that lets only the given roles through (403 for the others)."""

    async def check(who: Caller = Depends(caller)) -> Caller:  # async: no thread hop for a pure check
        if who.role not in roles:
            raise HTTPException(403, f"the {who.role} role may not do this; needs {' or '.join(roles)}")
        return who

    return check


anyone = require(Role.coordinator, Role.dashboard, Role.field)
READERS = (Role.coordinator, Role.dashboard)  # may read every team's plans and the overview map
readers = require(*READERS)
coordinators = require(Role.coordinator)
