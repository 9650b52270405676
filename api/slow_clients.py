"""Slow clients are timed out: a request's headers must arrive within `JEMPUT_HEADER_TIMEOUT_S`, and a
body may not pause longer than `JEMPUT_BODY_TIMEOUT_S` between chunks; both answer 408 and close.

uvicorn closes idle kept-alive connections (`timeout_keep_alive`) but waits for ever on a client that
sends its request line a byte at a time, or a body that stops half-way: twelve such connections hold
a small server. The header deadline lives in the HTTP protocol (`timed_protocol`, given to uvicorn as
its `http` class): armed when a connection opens and again after each response, cancelled once a
request's headers are parsed. The body pause is an ASGI middleware (`BodyTimeout`) around `receive`.
Behind a reverse proxy, the proxy's own timeouts do the same (deploy/nginx.conf).
"""

from __future__ import annotations

import asyncio
import json

from fastapi import HTTPException
from uvicorn.protocols.http.h11_impl import H11Protocol


def timeout_body(reason: str) -> bytes:
    """The ErrorOut body of a 408."""
    return json.dumps({"detail": reason, "problems": []}).encode()


def timed_protocol(header_timeout_s: float) -> type[H11Protocol]:
    """uvicorn's h11 protocol with a deadline for each request's line and headers."""

    class TimedH11Protocol(H11Protocol):
        _deadline: asyncio.TimerHandle | None = None
        _armed_for: object = None

        def connection_made(self, transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if self.cycle is not self._armed_for:  # the headers of a new request were parsed
                self._disarm()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._arm()  # the next request on this connection gets its own deadline

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _arm(self) -> None:
            self._disarm()
            self._armed_for = self.cycle
            self._deadline = self.loop.call_later(header_timeout_s, self._too_slow)

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _too_slow(self) -> None:
            self._deadline = None
            if self.transport.is_closing() or self.cycle is not self._armed_for:
                return
            body = timeout_body(f"the request's headers did not arrive within {header_timeout_s:g} s "
                                "(JEMPUT_HEADER_TIMEOUT_S)")
            self.transport.write(b"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\n"
                                 b"connection: close\r\ncontent-length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
            self.transport.close()

    return TimedH11Protocol


ENV_PROTOCOL = "api.slow_clients:EnvTimedH11Protocol"  # uvicorn's `http` for the processes it starts
_ENV_CLASS: list[type[H11Protocol]] = []


def __getattr__(name: str) -> type[H11Protocol]:
    """`EnvTimedH11Protocol`: timed_protocol with JEMPUT_HEADER_TIMEOUT_S read where it is imported (a web
    process that uvicorn starts gets the protocol by its import path; a class made in the parent does not
    pickle). Made on first use, so importing this module reads no settings."""
    if name != "EnvTimedH11Protocol":
        raise AttributeError(name)
    if not _ENV_CLASS:
        from api.settings import Settings

        _ENV_CLASS.append(timed_protocol(Settings.from_env().header_timeout_s))
    return _ENV_CLASS[0]


class BodyTimeout:
    """ASGI middleware: a body that pauses longer than `timeout_s` between chunks gets 408 and the
    connection is closed. Only the body is timed: once it is all in, `receive` waits as the app wants."""

    def __init__(self, app, timeout_s: float) -> None:
        self.app, self.timeout_s = app, timeout_s

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        body_done = False
        timed_out = started = False

        async def timed_receive():
            nonlocal body_done, timed_out
            if body_done:
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), self.timeout_s)
            except TimeoutError:
                timed_out = True
                raise SlowBody(self.timeout_s) from None
            body_done = message["type"] != "http.request" or not message.get("more_body", False)
            return message

        async def tracked_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                if timed_out:  # the rest of the body is not read: the connection cannot be reused
                    message = {**message, "headers": [*message.get("headers", []), (b"connection", b"close")]}
            await send(message)

        try:
            await self.app(scope, timed_receive, tracked_send)
        except SlowBody as exc:
            if started:
                raise
            body = timeout_body(exc.detail)
            await tracked_send({"type": "http.response.start", "status": 408,
                                "headers": [(b"content-type", b"application/json"),
                                            (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})


class SlowBody(HTTPException):
    """The client stopped sending its body; FastAPI answers it as a 408 with the ErrorOut body."""

    def __init__(self, timeout_s: float) -> None:
        super().__init__(408, f"the request body paused for more than {timeout_s:g} s (JEMPUT_BODY_TIMEOUT_S)")
