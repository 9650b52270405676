"""The field app: a team-day's page for the phone (offline web app), its manifest, service worker and files.

The phone opens .../teams/{team}/days/{date}/app (from the roster's or overview's QR code). Without a
key it gets a small form asking the team's field key once; `?key=` stores it in an HttpOnly,
SameSite=Lax cookie and redirects to the clean URL, so the key is not left in the address bar. The app of
a plan that has been re-planned leads (303) to the same team-day of the newest re-plan, so the link the
team was given keeps showing the current route. Lax, not
Strict: a link opened from a chat app, e-mail or another site is a cross-site navigation, and a Strict
cookie would not come with it (the phone would ask for the key again); Lax still keeps the cookie off
every cross-site POST, so another site cannot send reports in the team's name.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path as PathParam, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.auth import KEY_COOKIE, KEY_HEADER, Role, lookup
from api.lineage import newest_replan
from api.errors import responses
from api.routes.exports import Lang, LangQuery, _cached, _finished
from maps.field_app import APP_CSP, STATIC_FILES, field_app_page, key_page, manifest, service_worker, static_file
from planner.io.links import app_path
from planner.model import ID_PATTERN

router = APIRouter(tags=["field app"])
DAY = "/v1/plans/{plan_id}/teams/{team}/days/{date}"
TeamParam = Annotated[str, PathParam(pattern=ID_PATTERN)]
KEY_AGE_S = 60 * 60 * 24 * 60  # the phone keeps the key for 60 days
NO_STORE = {"Cache-Control": "no-store"}


def _html(body: str | bytes, status: int = 200, **headers: str) -> HTMLResponse:
    return HTMLResponse(body, status_code=status, headers={"Content-Security-Policy": APP_CSP, **NO_STORE, **headers})


@router.get(DAY + "/app", response_class=HTMLResponse, responses={
    200: {"content": {"text/html": {}}, "description": "the team-day's field app"}, **responses(403, 404, 409, 422)})
def field_app(
    request: Request,
    plan_id: str,
    team: TeamParam,
    date: dt.date,
    lang: LangQuery = Lang.id,
    key: Annotated[str | None, Query(max_length=200, description="the field key, once: kept in a cookie")] = None,
):
    """The team-day's route with a report form per stop; works without signal after the first load."""
    sessions = request.app.state.sessions
    if key is not None:
        who = lookup(sessions, key.strip())
        if who is None or not who.may_read_team(team) or who.role == Role.dashboard:
            return _html(key_page(lang.value, wrong=True), 401)
        clean = request.url.remove_query_params("key")
        response = RedirectResponse(str(clean.path) + (f"?{clean.query}" if clean.query else ""), status_code=303)
        response.set_cookie(KEY_COOKIE, key.strip(), max_age=KEY_AGE_S, httponly=True, samesite="lax",
                            secure=request.url.scheme == "https", path="/")
        return response
    raw = request.headers.get(KEY_HEADER) or request.cookies.get(KEY_COOKIE)
    who = lookup(sessions, raw) if raw else None
    if who is None:
        return _html(key_page(lang.value, wrong=bool(raw)), 401)
    if who.role == Role.dashboard or not who.may_read_team(team):
        raise HTTPException(403, f"this key may not open team {team!r}'s field app")
    scenario, _ = _finished(request, plan_id, who)
    if team not in scenario.team_by_id():
        raise HTTPException(404, f"plan {plan_id} has no team {team!r}")
    if date not in scenario.horizon.dates:
        raise HTTPException(404, f"{date} is outside the plan's week")
    newer = _newer_plan(request, plan_id, team, date)
    if newer is not None:  # re-planned since the team got its link: the same team-day of the newest plan
        return RedirectResponse(app_path(newer, team, date) + (f"?lang={lang.value}" if lang != Lang.id else ""),
                                status_code=303, headers=NO_STORE)
    body = _cached(request, plan_id, who, ("app", team, date.isoformat(), lang.value),
                   lambda sc, p: field_app_page(sc, p, team, date, lang.value).encode())
    return _html(body)


def _newer_plan(request: Request, plan_id: str, team: str, date: dt.date) -> str | None:
    """The newest finished re-plan of the plan if it still has this team-day's team and date, else None."""
    store = request.app.state.store
    newest = newest_replan(request.app.state.sessions, plan_id)
    job = store.job(newest) if newest != plan_id else None
    if job is None:
        return None
    scenario = store.scenario(store.scenario_record(job.scenario_id))
    return newest if team in scenario.team_by_id() and date in scenario.horizon.dates else None


@router.get(DAY + "/manifest.webmanifest", response_class=Response, responses={
    200: {"content": {"application/manifest+json": {"schema": {"type": "object"}}}, "description": "the manifest"},
    **responses(404, 422)})
def field_manifest(request: Request, plan_id: str, team: TeamParam, date: dt.date, lang: LangQuery = Lang.id) -> Response:
    """The web app manifest of a team-day's app (no key needed: it names no plan data)."""
    return Response(manifest(team, date, lang.value), media_type="application/manifest+json")


@router.get(DAY + "/sw.js", response_class=Response, responses={
    200: {"content": {"text/javascript": {"schema": {"type": "string"}}}, "description": "the service worker"},
    **responses(404, 422)})
def field_service_worker(plan_id: str, team: TeamParam, date: dt.date) -> Response:
    """The service worker, served beside the page so that its scope is the team-day."""
    return Response(service_worker(), media_type="text/javascript; charset=utf-8", headers=NO_STORE)


@router.get("/v1/field/{name}", responses=responses(404))
def field_file(name: str) -> Response:
    """The app's files: vendored Leaflet, the page's CSS, the map, outbox and app scripts, the icon."""
    if name not in STATIC_FILES:
        raise HTTPException(404, f"no field app file {name!r}")
    return Response(static_file(name), media_type=STATIC_FILES[name], headers={"Cache-Control": "public, max-age=3600"})
