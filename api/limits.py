"""Limits that keep one web process answering: a cap on request body size (413 before it is all read)
and a cap on requests in flight (503 with Retry-After at once, rather than a queue that ends in timeouts
or reset connections). Slow clients are timed out in api/slow_clients.py."""

from __future__ import annotations

import json

from fastapi import HTTPException


class BodyLimit:
    """ASGI middleware: refuse bodies over `max_bytes` (by Content-Length, or by counting)."""

    def __init__(self, app, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            return await self._refuse(send, length.isdigit())
        seen = 0
        started = False

        async def counted_receive():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _TooLarge(self.max_bytes)
            return message

        async def tracked_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except _TooLarge:
            if not started:
                await self._refuse(send, True)

    async def _refuse(self, send, too_large: bool) -> None:
        status = 413 if too_large else 400
        detail = (f"request body larger than {self.max_bytes // (1024 * 1024)} MB (JEMPUT_MAX_UPLOAD_MB)"
                  if too_large else "invalid Content-Length header")
        await _send_error(send, status, detail)


class InFlightLimit:
    """ASGI middleware: at most `limit` requests in flight in this process; one more is answered 503 with
    Retry-After straight away (/healthz always answers: the process is alive, only busy)."""

    def __init__(self, app, limit: int, retry_after_s: int = 1) -> None:
        self.app, self.limit, self.retry_after_s = app, limit, retry_after_s
        self.active = 0

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["path"] == "/healthz":
            return await self.app(scope, receive, send)
        if self.active >= self.limit:
            return await _send_error(send, 503, f"the server is busy ({self.limit} requests in flight); retry shortly",
                                     [(b"retry-after", str(self.retry_after_s).encode())])
        self.active += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.active -= 1


async def _send_error(send, status: int, detail: str, headers: list[tuple[bytes, bytes]] = ()) -> None:
    """An ErrorOut-shaped JSON error sent straight from a middleware."""
    body = json.dumps({"detail": detail, "problems": []}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            *headers]})
    await send({"type": "http.response.body", "body": body})


class _TooLarge(HTTPException):
    """Raised while reading the body; FastAPI turns an HTTPException into the 413 response."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, f"request body larger than {max_bytes // (1024 * 1024)} MB (JEMPUT_MAX_UPLOAD_MB)")
