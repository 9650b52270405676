"""The dispatch API: `create_app(settings)` builds the FastAPI app on top of `planner` and `maps`.

Start-up migrates the database, stores bootstrap keys, recovers jobs a stopped runner left unfinished
and starts the job runner (unless JEMPUT_RUN_JOBS=0: then `jemput worker` processes run the solves);
shutdown stops it (running solves are queued again).
"""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.openapi.utils import get_openapi

from api import errors
from api.auth import create_key
from api.db import make_engine, session_factory, upgrade
from api.headers import SecurityHeaders
from api.jobs import JobRunner
from api.fastpath import CachedReads
from api.keycache import KeyCache
from api.limits import BodyLimit, InFlightLimit
from api.routes import campaigns, exports, field, health, plans, reports, scenarios
from api.settings import Settings
from api.slow_clients import BodyTimeout
from api.strict import strict_request
from api.store import Store
from console import campaigns as console_campaigns, fragments as console_fragments, pages as console_pages
from planner.model import Scenario

API_VERSION = "1.0.0"


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app for these settings (default: from the environment)."""
    settings = settings or Settings.from_env()
    engine = make_engine(settings.url)
    sessions = session_factory(engine)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        upgrade(engine)
        for key, (role, team) in settings.bootstrap_keys.items():
            create_key(sessions, role, team, label="bootstrap", key=key)  # a revoked one stays revoked
        app.state.runner.recover()
        app.state.runner.start()
        try:
            yield
        finally:
            app.state.runner.stop()
            engine.dispose()

    app = FastAPI(
        title="jemput dispatch API",
        version=API_VERSION,
        description="Weekly plans for mobile e-KTP recording teams: upload a scenario, start a solve, poll it, "
        "export the plan and its maps. Send an API key in the X-API-Key header.",
        lifespan=lifespan,
        dependencies=[Depends(strict_request)],
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = sessions
    app.state.store = Store(sessions, settings.body_cache_mb)
    app.state.key_cache = KeyCache(settings.key_cache_s)
    app.state.runner = JobRunner(settings, sessions)
    errors.install(app)
    for r in (health.router, scenarios.router, plans.router, exports.router, reports.router, field.router, campaigns.router,
              console_pages.router, console_fragments.router, console_campaigns.router):
        app.include_router(r)
    app.add_middleware(BodyLimit, max_bytes=settings.max_upload_bytes)
    app.add_middleware(BodyTimeout, timeout_s=settings.body_timeout_s)
    app.add_middleware(CachedReads, api=app)  # finished plans' bodies held in memory: answered before routing
    app.add_middleware(InFlightLimit, limit=settings.max_in_flight)  # a full process refuses at once (503)
    app.add_middleware(SecurityHeaders)  # outermost: also on BodyLimit's 413, the 503 and the short-way reads
    app.openapi = lambda: _openapi(app)
    return app


def _openapi(app: FastAPI) -> dict:
    """The generated schema plus the `Scenario` model the JSON upload takes (read by hand, see intake)."""
    if app.openapi_schema is None:
        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        defs = Scenario.model_json_schema(ref_template="#/components/schemas/{model}", mode="validation")
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.update(defs.pop("$defs", {}))
        components["Scenario"] = defs
        _sets_as_lists(components)
        app.openapi_schema = errors.document_errors(schema)
    return app.openapi_schema


def _sets_as_lists(node: object) -> None:
    """Sets (off dates, closed dates, clearances) are read as lists whose repeats are ignored: say so,
    rather than promise uniqueItems the server does not enforce."""
    if isinstance(node, dict):
        if node.pop("uniqueItems", None):
            node["description"] = (node.get("description", "") + " (repeats are ignored)").strip()
        for value in node.values():
            _sets_as_lists(value)
    elif isinstance(node, list):
        for value in node:
            _sets_as_lists(value)
