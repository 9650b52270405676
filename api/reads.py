"""Cheap reads of what never changes: a finished plan's bodies, stored gzip-compressed with an ETag.

A body is made once (its JSON for one view, an export, a map), compressed once, and then served as
bytes: gzip to a client that accepts it, 304 Not Modified to one that already has it (If-None-Match).
"""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

# Finished plans never change, but every read needs a valid key: caches may keep the body, yet must
# ask again (a cheap 304) before using it; `private` keeps shared proxies from storing it.
CACHE_CONTROL = "private, no-cache"
VARY = "Accept-Encoding"  # api.headers.SecurityHeaders adds X-API-Key to it


@dataclass(frozen=True)
class Body:
    """One immutable response body: plain and gzip bytes, media type and a (weak) ETag of the plain bytes."""

    raw: bytes
    gz: bytes
    media_type: str
    etag: str

    @classmethod
    def of(cls, raw: bytes, media_type: str) -> Body:
        return cls(raw, gzip.compress(raw, compresslevel=6, mtime=0), media_type, etag_of(raw))

    @classmethod
    def from_gzip(cls, gz: bytes, media_type: str, etag: str) -> Body:
        return cls(gzip.decompress(gz), gz, media_type, etag)

    @property
    def size(self) -> int:
        return len(self.raw) + len(self.gz)


def etag_of(raw: bytes) -> str:
    """A weak validator (W/): the same entity whether sent plain or gzip-encoded."""
    return f'W/"{hashlib.sha256(raw).hexdigest()[:32]}"'


def not_modified(request: Request, etag: str) -> bool:
    """True when the request's If-None-Match names this ETag (weak comparison) or is `*`."""
    header = request.headers.get("if-none-match")
    if not header:
        return False
    wanted = {t.strip().removeprefix("W/") for t in header.split(",")}
    return "*" in wanted or etag.removeprefix("W/") in wanted


def accepts_gzip(request: Request) -> bool:
    for part in request.headers.get("accept-encoding", "").lower().split(","):
        name, _, params = part.strip().partition(";")
        if name.strip() in ("gzip", "*"):
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def respond(request: Request, body: Body, headers: dict[str, str] | None = None) -> Response:
    """200 with the body (gzip when accepted), or 304 when the client already holds this ETag."""
    common = {"ETag": body.etag, "Cache-Control": CACHE_CONTROL, "Vary": VARY}
    if not_modified(request, body.etag):
        return Response(status_code=304, headers=common)
    common.update(headers or {})
    if accepts_gzip(request):
        return Response(body.gz, media_type=body.media_type, headers={**common, "Content-Encoding": "gzip"})
    return Response(body.raw, media_type=body.media_type, headers=common)
