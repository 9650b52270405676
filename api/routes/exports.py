"""Exports of a finished plan: JSON, GeoJSON, roster CSV/XLSX, the overview map, a team-day field map."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from enum import StrEnum
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path as PathParam, Query, Request, Response
from fastapi.responses import HTMLResponse

from api.auth import Caller, Role, anyone, readers
from api.errors import responses
from api.routes.plans import team_view, visible_job
from api.store import Store
from maps.field import field_map
from maps.overview import overview_map
from api.reports import lineage_reports
from planner.io.links import api_links
from planner.io.reports import reports_for_plan, team_day_status
from planner.io.export import plan_geojson, write_roster_csv, write_roster_xlsx
from planner.model import ID_PATTERN

router = APIRouter(prefix="/v1/plans/{plan_id}", tags=["exports"])
ERRS = responses(401, 403, 404, 409, 422)


class Format(StrEnum):
    json = "json"
    geojson = "geojson"
    csv = "csv"
    xlsx = "xlsx"


class Lang(StrEnum):
    id = "id"
    en = "en"


LangQuery = Annotated[Lang, Query(description="id (Bahasa Indonesia, default) or en")]
MEDIA = {
    Format.json: "application/json",
    Format.geojson: "application/geo+json",
    Format.csv: "text/csv; charset=utf-8",
    Format.xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMAT_RESPONSES = {200: {"content": {m: {} for m in MEDIA.values()}, "description": "the plan in that format"}, **ERRS}
HTML_RESPONSES = {200: {"content": {"text/html": {}}, "description": "a self-contained HTML page"}, **ERRS}


def public_base(request: Request) -> str:
    """Where phones reach this server, for field links: JEMPUT_PUBLIC_URL, else the address of this request."""
    return request.app.state.settings.public_url or str(request.base_url)


def _finished(request: Request, plan_id: str, who: Caller):
    store: Store = request.app.state.store
    job = visible_job(store, plan_id, who)
    if job.status != "done":
        raise HTTPException(409, f"plan {plan_id} is {job.status}; exports exist once it is done")
    record = store.scenario_record(job.scenario_id)
    plan = store.plan(job)
    if who.role == Role.field:
        plan = team_view(plan, who.team_id)
    return store.scenario(record), plan


def _cached(request: Request, plan_id: str, who: Caller, what: tuple, render) -> bytes:
    """Render once per plan, view (a field team sees its own days) and options; served from memory after."""
    scenario, plan = _finished(request, plan_id, who)
    view = who.team_id if who.role == Role.field else "all"
    return request.app.state.store.rendered((plan_id, view, *what), lambda: render(scenario, plan))


@router.get("/export/{fmt}", response_class=Response, responses=FORMAT_RESPONSES)
def export_plan(request: Request, plan_id: str, fmt: Format, lang: LangQuery = Lang.id,
                who: Caller = Depends(anyone)) -> Response:
    """The plan as JSON (schema jemput.plan/1), GeoJSON, or the roster as CSV or XLSX (?lang=id|en)."""
    base = public_base(request) if fmt == Format.xlsx else ""
    body = _cached(request, plan_id, who, (fmt.value, lang.value, base),
                   lambda sc, p: _render(sc, p, fmt, lang, api_links(base, plan_id, p) if base else None))
    name = f"{'plan' if fmt in (Format.json, Format.geojson) else 'roster'}-{plan_id}.{fmt.value}"
    return Response(body, media_type=MEDIA[fmt], headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _render(scenario, plan, fmt: Format, lang: Lang, links=None) -> bytes:
    if fmt == Format.json:
        return plan.model_dump_json(indent=2).encode()
    if fmt == Format.geojson:
        return json.dumps(plan_geojson(scenario, plan), ensure_ascii=False).encode()
    with tempfile.TemporaryDirectory(prefix="jemput-export-") as tmp:
        path = Path(tmp) / f"roster.{fmt.value}"
        if fmt == Format.csv:
            write_roster_csv(scenario, plan, path, lang.value)
        else:  # the roster a coordinator prints: each team-day's field app link as a QR code
            write_roster_xlsx(scenario, plan, path, lang.value, links)
        return path.read_bytes()


@router.get("/map", response_class=HTMLResponse, responses=HTML_RESPONSES)
def overview(request: Request, plan_id: str, lang: LangQuery = Lang.id, who: Caller = Depends(readers)) -> HTMLResponse:
    """The coordinator's overview map of the whole week (Folium, Leaflet inline), with a QR code of each
    team-day's field app on this server."""
    base, sessions = public_base(request), request.app.state.sessions
    reports = lineage_reports(sessions, plan_id) if request.app.state.store.job(plan_id) else []
    version = (len(reports), max((r.received_at for r in reports), default=None))  # drawn again when reports arrive

    def render(sc, p) -> bytes:
        status = team_day_status(p, reports_for_plan(reports, p)[0])
        return overview_map(sc, p, lang.value, api_links(base, plan_id, p), status).get_root().render().encode()

    body = _cached(request, plan_id, who, ("overview", lang.value, base, version), render)
    return HTMLResponse(body)


@router.get("/teams/{team}/days/{date}/map", response_class=HTMLResponse, responses=HTML_RESPONSES)
def team_day_map(
    request: Request,
    plan_id: str,
    team: Annotated[str, PathParam(pattern=ID_PATTERN)],
    date: dt.date,
    lang: LangQuery = Lang.id,
    who: Caller = Depends(anyone),
) -> HTMLResponse:
    """One team's route on one date as a self-contained page for a phone (works offline once loaded)."""
    if not who.may_read_team(team):
        raise HTTPException(403, f"a field key of team {who.team_id!r} may not read team {team!r}")
    scenario, _ = _finished(request, plan_id, who)
    if team not in scenario.team_by_id():
        raise HTTPException(404, f"plan {plan_id} has no team {team!r}")
    if date not in scenario.horizon.dates:
        raise HTTPException(404, f"{date} is outside the plan's week ({scenario.horizon.start} + {scenario.horizon.days} days)")
    body = _cached(request, plan_id, who, ("field", team, date.isoformat(), lang.value),
                   lambda sc, p: field_map(sc, p, team, date, lang.value).encode())
    return HTMLResponse(body)
