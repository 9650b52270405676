"""Exports of a finished plan: JSON, GeoJSON, roster CSV/XLSX, the overview map, a team-day field map."""

from __future__ import annotations

import datetime as dt
import json
import re
import tempfile
from enum import StrEnum
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path as PathParam, Query, Request, Response
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from api.auth import READERS, Caller, Role, anyone, readers
from api.errors import responses
from api.fastpath import fast_read, one
from api.reads import respond
from api.routes.plans import team_view, view_key, visible_cached, visible_job
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
HTML = "text/html; charset=utf-8"
NOT_MODIFIED = {304: {"description": "not modified: the client's copy (If-None-Match) is current"}}
FORMAT_RESPONSES = {200: {"content": {m: {} for m in MEDIA.values()}, "description": "the plan in that format"},
                    **NOT_MODIFIED, **ERRS}
HTML_RESPONSES = {200: {"content": {"text/html": {}}, "description": "a self-contained HTML page"}, **NOT_MODIFIED, **ERRS}


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
    """A body of a finished plan made once per view and options and stored (see Store.body); the bytes."""
    store: Store = request.app.state.store
    return store.body(plan_id, body_key(what, who), "text/html; charset=utf-8",
                      lambda: render(*_finished(request, plan_id, who))).raw


def body_key(what: tuple, who: Caller) -> str:
    """The stored body's key: what it is (export, map and their options) and whose view."""
    return "|".join((*what, view_key(who)))


async def _serve(request: Request, plan_id: str, who: Caller, what: tuple, media_type: str, render,
                 headers: dict[str, str] | None = None, replaces: str | None = None) -> Response:
    """A finished plan's export or map for this caller's view (a field team sees its own days): made once,
    stored compressed, then served from memory with an ETag (304) and gzip. `render(scenario, plan)` may
    raise an HTTPException (e.g. 404 for a team the plan does not have) before anything is stored;
    `replaces`: the stored body has versions and keeps only its newest (see Store.body)."""
    store: Store = request.app.state.store
    key = body_key(what, who)
    body = visible_cached(store, plan_id, who, key)  # also answered before routing: see api.fastpath
    if body is None:
        body = await run_in_threadpool(_made, request, plan_id, who, key, media_type, render, replaces)
    return respond(request, body, headers)


def _made(request: Request, plan_id: str, who: Caller, key: str, media_type: str, render,
          replaces: str | None = None):
    store: Store = request.app.state.store
    job = visible_job(store, plan_id, who)
    if job.status != "done":
        raise HTTPException(409, f"plan {plan_id} is {job.status}; exports exist once it is done")
    return store.body(plan_id, key, media_type, lambda: render(*_finished(request, plan_id, who)), replaces=replaces)


def _lang(request: Request) -> str | None:
    lang = one(request.query_params, "lang", Lang.id.value)
    return lang if lang in Lang.__members__ else None


def _download_name(plan_id: str, fmt: Format) -> dict[str, str]:
    name = f"{'plan' if fmt in (Format.json, Format.geojson) else 'roster'}-{plan_id}.{fmt.value}"
    return {"Content-Disposition": f'attachment; filename="{name}"'}


def _export_key(params: dict, request: Request, who: Caller):
    lang, fmt = _lang(request), params["fmt"]
    if lang is None or fmt not in Format.__members__:
        return None
    base = _links_base(request, fmt)
    return params["plan_id"], body_key(("export", fmt, lang, base), who), _download_name(params["plan_id"], Format(fmt))


def _links_base(request: Request, fmt: str) -> str:
    """The server address the roster workbook's field-app links point to ("" for the other formats)."""
    return public_base(request) if fmt == Format.xlsx.value else ""


def _overview_key(params: dict, request: Request, who: Caller):
    lang = _lang(request)
    if lang is None or who.role not in READERS:
        return None
    version = request.app.state.store.cached_reports_version(params["plan_id"], None)
    if version is None:  # not read lately: the full way reads how far the field reports have come
        return None
    return params["plan_id"], body_key(("overview", lang, public_base(request), f"reports:{version}"), who), {}


def _team_day_key(params: dict, request: Request, who: Caller):
    lang, team, day = _lang(request), params["team"], params["date"]
    try:
        canonical = dt.date.fromisoformat(day).isoformat() == day
    except ValueError:
        canonical = False
    if lang is None or not canonical or not re.fullmatch(ID_PATTERN, team) or not who.may_read_team(team):
        return None
    return params["plan_id"], body_key(("field", team, day, lang), who), {}


@router.get("/export/{fmt}", response_class=Response, responses=FORMAT_RESPONSES)
@fast_read(_export_key)
async def export_plan(request: Request, plan_id: str, fmt: Format, lang: LangQuery = Lang.id,
                      who: Caller = Depends(anyone)) -> Response:
    """The plan as JSON (schema jemput.plan/1), GeoJSON, or the roster as CSV or XLSX (?lang=id|en)."""
    base = _links_base(request, fmt.value)
    return await _serve(request, plan_id, who, ("export", fmt.value, lang.value, base), MEDIA[fmt],
                        lambda sc, p: _render(sc, p, fmt, lang, api_links(base, plan_id, p) if base else None),
                        headers=_download_name(plan_id, fmt))


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
@fast_read(_overview_key)
async def overview(request: Request, plan_id: str, lang: LangQuery = Lang.id,
                   who: Caller = Depends(readers)) -> Response:
    """The coordinator's overview map of the whole week (Folium, Leaflet inline), with a QR code of each
    team-day's field app on this server."""
    base, store = public_base(request), request.app.state.store
    version = await run_in_threadpool(_overview_version, store, plan_id)

    def render(sc, p) -> bytes:  # the team-days' status from the field reports so far (of earlier plans too)
        status = team_day_status(p, reports_for_plan(lineage_reports(store.sessions, plan_id), p)[0])
        return overview_map(sc, p, lang.value, api_links(base, plan_id, p), status).get_root().render().encode()

    # drawn again when reports arrive; the stored one of an older reports version is dropped
    what = ("overview", lang.value, base, "reports:")
    return await _serve(request, plan_id, who, (*what[:-1], f"reports:{version}"), HTML, render,
                        replaces="|".join(what))


def _overview_version(store: Store, plan_id: str) -> str:
    return store.reports_version(plan_id, None) if store.job(plan_id) else "0-0"


@router.get("/teams/{team}/days/{date}/map", response_class=HTMLResponse, responses=HTML_RESPONSES)
@fast_read(_team_day_key)
async def team_day_map(
    request: Request,
    plan_id: str,
    team: Annotated[str, PathParam(pattern=ID_PATTERN)],
    date: dt.date,
    lang: LangQuery = Lang.id,
    who: Caller = Depends(anyone),
) -> Response:
    """One team's route on one date as a self-contained page for a phone (works offline once loaded)."""
    if not who.may_read_team(team):
        raise HTTPException(403, f"a field key of team {who.team_id!r} may not read team {team!r}")

    def render(scenario, plan) -> bytes:
        if team not in scenario.team_by_id():
            raise HTTPException(404, f"plan {plan_id} has no team {team!r}")
        if date not in scenario.horizon.dates:
            raise HTTPException(404, f"{date} is outside the plan's week ({scenario.horizon.start} + {scenario.horizon.days} days)")
        return field_map(scenario, plan, team, date, lang.value).encode()

    return await _serve(request, plan_id, who, ("field", team, date.isoformat(), lang.value), HTML, render)
