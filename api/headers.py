"""Security headers on every response: no MIME sniffing, no referrer, and no shared caching of
anything an API key was needed for (a proxy must never hand one team's plan to another caller)."""

from __future__ import annotations

from api.auth import KEY_HEADER

KEY = KEY_HEADER.lower().encode()
ALWAYS = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer")]
AUTHENTICATED = [(b"cache-control", b"private, no-cache"), (b"vary", KEY_HEADER.encode())]


class SecurityHeaders:
    """ASGI middleware adding the headers above (a route's own Cache-Control is kept)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        authenticated = any(name == KEY for name, _ in scope.get("headers") or [])

        async def with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                present = {name.lower() for name, _ in headers}
                extra = ALWAYS + (AUTHENTICATED if authenticated else [])
                if authenticated and b"vary" in present:  # e.g. Accept-Encoding: add the key to it
                    headers = [(n, v + b", " + KEY_HEADER.encode() if n.lower() == b"vary" else v) for n, v in headers]
                headers += [(n, v) for n, v in extra if n not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
