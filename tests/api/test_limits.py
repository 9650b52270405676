"""The limits that keep a web process answering: 503 with Retry-After when too many requests are in
flight (never a reset), 408 for a client that stalls while sending its body (api/slow_clients.py; against a
real server in test_slow_clients.py)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from api.limits import BodyLimit, InFlightLimit
from api.slow_clients import BodyTimeout


async def _slow_app(scope, receive, send) -> None:
    """Reads the whole body, waits a moment, answers 200 with its length."""
    size, more = 0, True
    while more:
        message = await receive()
        size += len(message.get("body", b""))
        more = message.get("more_body", False)
    await asyncio.sleep(0.3)
    body = str(size).encode()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def test_requests_over_the_limit_get_503_with_retry_after():
    async def run():
        app = InFlightLimit(_slow_app, limit=2)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
            answers = await asyncio.gather(*(c.get("/v1/plans") for _ in range(5)))
            health = await asyncio.gather(c.get("/v1/plans"), c.get("/v1/plans"), c.get("/healthz"))
            after = await c.get("/v1/plans")
        return answers, health, after

    answers, health, after = asyncio.run(run())
    codes = sorted(r.status_code for r in answers)
    assert codes == [200, 200, 503, 503, 503]
    busy = next(r for r in answers if r.status_code == 503)
    assert busy.headers["retry-after"] == "1" and "busy" in busy.json()["detail"]
    assert health[2].status_code == 200  # liveness answers even when the process is full
    assert after.status_code == 200  # the count goes down again


def test_a_stalled_body_gets_408():
    async def run():
        sent: list[dict] = []
        calls = 0

        async def receive():
            nonlocal calls
            calls += 1
            if calls == 1:
                return {"type": "http.request", "body": b"abc", "more_body": True}
            await asyncio.sleep(3600)  # the client stops sending

        async def send(message):
            sent.append(message)

        scope = {"type": "http", "method": "POST", "path": "/v1/scenarios", "headers": []}
        await asyncio.wait_for(BodyTimeout(_slow_app, timeout_s=0.2)(scope, receive, send), 5)
        return sent

    sent = asyncio.run(run())
    assert sent[0]["status"] == 408 and (b"connection", b"close") in sent[0]["headers"]
    assert b"JEMPUT_BODY_TIMEOUT_S" in sent[1]["body"]


@pytest.mark.parametrize("size", [10, 5000])
def test_a_whole_body_passes_and_a_large_one_is_413(size):
    async def run():
        app = BodyLimit(_slow_app, max_bytes=1000)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
            return await c.post("/x", content=b"x" * size)

    r = asyncio.run(run())
    assert (r.status_code, r.text) == ((200, "10") if size == 10 else (413, r.text))
