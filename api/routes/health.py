"""Liveness (`/healthz`: the process answers) and readiness (`/readyz`: database at head, runner alive)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from api.db import at_head
from api.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health)
async def healthz() -> Health:
    """The process is up."""
    return Health(status="ok")


@router.get("/readyz", response_model=Health, responses={503: {"model": Health, "description": "not ready"}})
def readyz(request: Request):
    """Ready to serve: the database answers at the newest migration and the job runner is alive."""
    checks = {}
    try:
        checks["database"] = "ok" if at_head(request.app.state.engine) else "schema is not at the newest migration"
    except Exception as exc:  # noqa: BLE001 - any database failure means not ready, with its reason
        checks["database"] = f"unreachable: {type(exc).__name__}"
    checks["job_runner"] = "ok" if request.app.state.runner.alive else "stopped"
    ok = all(v == "ok" for v in checks.values())
    return JSONResponse(Health(status="ok" if ok else "not ready", checks=checks).model_dump(), status_code=200 if ok else 503)
