"""The short way for the commonest reads: a finished plan's body that this process already holds in
memory, asked for with an API key it already knows, is answered before routing — no dependency
solving, no thread hop, no database. Anything else (a key or body not in memory, a job not visible to
the caller, odd query parameters) goes the full way through FastAPI, which answers as it always does.

The rules stay in the routes: each route that may be answered here registers a `key_of` function
(`@fast_read`) naming the stored body a caller would get, or None to send the request the full way;
visibility is `plans.visible_cached`, the same check the routes make.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.datastructures import Headers, QueryParams
from starlette.requests import Request
from starlette.routing import Match

from api.auth import KEY_HEADER, Caller, hash_key
from api.strict import query_names

# key_of(path_params, request, who) -> (plan id, stored body key, extra response headers) | None
KeyOf = Callable[[dict, Request, Caller], "tuple[str, str, dict[str, str]] | None"]
FAST: dict[Callable, KeyOf] = {}


def fast_read(key_of: KeyOf):
    """Mark a route endpoint as answerable from memory: `key_of` names the body for a request."""

    def mark(endpoint):
        FAST[endpoint] = key_of
        return endpoint

    return mark


def one(query: QueryParams, name: str, default: str) -> str | None:
    """A query parameter given at most once (None when repeated: the full way decides)."""
    values = query.getlist(name)
    return default if not values else values[0] if len(values) == 1 else None


def _flat(routes):
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            if getattr(getattr(route, "include_context", None), "prefix", ""):
                raise ValueError("api.fastpath: include routers without a prefix (the routes carry their paths)")
            yield from _flat(inner.routes)
        else:
            yield route


class CachedReads:
    """ASGI middleware in front of the FastAPI app `api` (see the module's docstring)."""

    def __init__(self, app, api) -> None:
        self.app, self.api = app, api
        self._routes: list | None = None

    @property
    def routes(self) -> list:
        """The app's routes in matching order (those of included routers in their place: FastAPI ≥ 0.16x
        keeps an included router as one route holding its own; the routers here carry no include prefix),
        each with its `key_of` (None: never answered here) and the query parameters it declares."""
        if self._routes is None:
            self._routes = []
            for route in _flat(self.api.router.routes):
                key_of = FAST.get(getattr(route, "endpoint", None))
                declared = frozenset(query_names(route.dependant)) if key_of else frozenset()
                self._routes.append((route, key_of, declared))
        return self._routes

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            response = self._answer(scope)
            if response is not None:
                return await response(scope, receive, send)
        await self.app(scope, receive, send)

    def _answer(self, scope):
        key = Headers(scope=scope).get(KEY_HEADER)
        if not key:
            return None
        who = self.api.state.key_cache.get(hash_key(key))
        if not isinstance(who, Caller):  # not known yet, or refused: the full way looks it up and answers
            return None
        for route, key_of, declared in self.routes:
            match, child = route.matches(scope)
            if match == Match.FULL:
                request = Request({**scope, **child})
                # a query parameter the route does not declare: the full way answers 422 (api.strict)
                found = key_of and declared.issuperset(request.query_params.keys()) and key_of(
                    child["path_params"], request, who)
                break
        else:
            return None
        if not found:
            return None
        from api.routes.plans import visible_cached  # the routes import this module

        plan_id, body_key, headers = found
        body = visible_cached(self.api.state.store, plan_id, who, body_key)
        if body is None:
            return None
        from api.reads import respond

        return respond(Request(scope), body, headers)
