"""The floor of the API benchmark: a plain Starlette "hello" endpoint, served by uvicorn with the same
settings as `jemput serve` (one process, same backlog and keep-alive, no access log).

Run: python bench/load/floor_app.py --port 8001
"""

from __future__ import annotations

import argparse

import uvicorn
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route


async def hello(_request) -> PlainTextResponse:
    return PlainTextResponse("hello")


app = Starlette(routes=[Route("/hello", hello)])

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    args = ap.parse_args()
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", backlog=2048, timeout_keep_alive=15,
                server_header=False)
