"""A cap on request body size, enforced while the body streams in (413 before it is all read)."""

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
        body = json.dumps({"detail": detail, "problems": []}).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


class _TooLarge(HTTPException):
    """Raised while reading the body; FastAPI turns an HTTPException into the 413 response."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, f"request body larger than {max_bytes // (1024 * 1024)} MB (JEMPUT_MAX_UPLOAD_MB)")
