"""Slow clients against a real uvicorn server (`jemput serve`'s settings): headers that trickle in and
bodies that stop half-way get a 408 and are closed; a normal client on the same server is served."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from api.app import create_app
from api.server import uvicorn_limits
from tests.api.conftest import KEYS, make_settings


@pytest.fixture
def server(sqlite_url: str, tmp_path: Path) -> Iterator[int]:
    settings = make_settings(sqlite_url, tmp_path, run_jobs=False, header_timeout_s=1, body_timeout_s=1, keep_alive_s=3)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning",
                            **uvicorn_limits(settings))
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started
    yield port
    srv.should_exit = True
    thread.join(10)


def answer(sock: socket.socket, wait: float = 5) -> bytes:
    """Everything the server sends until it closes the connection (or `wait` seconds pass)."""
    sock.settimeout(wait)
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except TimeoutError:
        pass
    return data


def test_headers_that_trickle_in_get_408_and_the_connection_closed(server: int) -> None:
    with socket.create_connection(("127.0.0.1", server)) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # and never the blank line
        start = time.monotonic()
        data = answer(sock)
    assert data.startswith(b"HTTP/1.1 408 ") and time.monotonic() - start < 4
    body = json.loads(data.split(b"\r\n\r\n", 1)[1])
    assert body["problems"] == [] and "JEMPUT_HEADER_TIMEOUT_S" in body["detail"]


def test_a_silent_connection_is_closed(server: int) -> None:
    with socket.create_connection(("127.0.0.1", server)) as sock:
        assert answer(sock).startswith(b"HTTP/1.1 408 ")  # not a byte sent: closed all the same


def test_a_body_that_stops_half_way_gets_408(server: int) -> None:
    with socket.create_connection(("127.0.0.1", server)) as sock:
        sock.sendall(b"POST /v1/scenarios/validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"X-API-Key: " + KEYS["coordinator"].encode() + b"\r\nContent-Length: 1000\r\n\r\n{\"name\": ")
        data = answer(sock)
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408 ") and b"connection: close" in head.lower()
    assert "JEMPUT_BODY_TIMEOUT_S" in json.loads(body)["detail"]


def test_a_normal_client_is_served_and_kept_alive_across_requests(server: int) -> None:
    with socket.create_connection(("127.0.0.1", server)) as sock:
        sock.settimeout(5)
        for _ in range(2):
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            head, body = one_response(sock)
            assert head.startswith(b"HTTP/1.1 200 ") and json.loads(body)["status"] == "ok"
            time.sleep(0.6)  # within the keep-alive time, and the header deadline starts afresh


def one_response(sock: socket.socket) -> tuple[bytes, bytes]:
    """One whole response on a kept-alive connection (head and body may come in separate segments)."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += _more(sock)
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(next(line.split(b":")[1] for line in head.lower().split(b"\r\n") if line.startswith(b"content-length:")))
    while len(body) < length:
        body += _more(sock)
    return head, body


def _more(sock: socket.socket) -> bytes:
    chunk = sock.recv(65536)
    assert chunk, "the server closed the connection before the whole response"
    return chunk
