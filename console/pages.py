"""The console's page at `/` (no data in it: it signs in and then loads fragments with the key), its
script and style files, the field links' QR codes and the bundled examples as ZIP files.

Everything is served from this origin (htmx vendored in console/vendor/htmx, Leaflet from maps/), and
every page carries a strict Content-Security-Policy: scripts and styles from 'self' only, no inline code.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from importlib import resources
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path as PathParam, Query, Request
from fastapi.responses import HTMLResponse, Response

from maps.field import TILE_ORIGIN
from planner.io.bundled import available_examples
from planner.io.links import app_path, qr_svg
from planner.model import ID_PATTERN

from console.examples import example_zip
from console.i18n import LANGS, labels, pick_lang
from console.render import environment

router = APIRouter(include_in_schema=False)
CSP = (
    f"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: {TILE_ORIGIN}; connect-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
STATIC = {  # name -> (package folder, media type)
    "htmx.min.js": ("vendor/htmx", "text/javascript; charset=utf-8"),
    "console.js": ("static", "text/javascript; charset=utf-8"),
    "console-map.js": ("static", "text/javascript; charset=utf-8"),
    "console.css": ("static", "text/css; charset=utf-8"),
}
HTML_HEADERS = {"Content-Security-Policy": CSP, "Cache-Control": "no-cache", "X-Frame-Options": "DENY"}


@router.get("/", response_class=HTMLResponse)
def console_page(lang: Annotated[str | None, Query(max_length=5)] = None) -> HTMLResponse:
    """The console: sign in with an API key (kept in this tab's session storage), then work."""
    chosen = pick_lang(lang)
    page = environment().get_template("shell.html").render(
        L=labels(chosen), lang=chosen, langs=LANGS)
    return HTMLResponse(page, headers=HTML_HEADERS)


@router.get("/console/static/{name}")
def console_static(name: str) -> Response:
    """The console's script and style files (and vendored htmx)."""
    if name not in STATIC:
        raise HTTPException(404, f"no console file {name!r}")
    folder, media = STATIC[name]
    return Response(_read(folder, name), media_type=media, headers={"Cache-Control": "public, max-age=300"})


@lru_cache(maxsize=8)
def _read(folder: str, name: str) -> bytes:
    return (resources.files("console") / folder / name).read_bytes()


@router.get("/console/qr/{plan_id}/{team}/{date}.svg")
def field_link_qr(
    request: Request,
    plan_id: Annotated[str, PathParam(pattern=r"^[0-9a-f]{32}$")],
    team: Annotated[str, PathParam(pattern=ID_PATTERN)],
    date: dt.date,
) -> Response:
    """A QR code of a team-day's field app link on this server (the link holds no key and no plan data,
    so no key is asked; the phone asks the team's field key when it opens the link)."""
    url = str(request.base_url).rstrip("/") + app_path(plan_id, team, date)
    return Response(qr_svg(url, scale=4), media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"})


@router.get("/console/examples/{name}.zip")
def example_files(name: str) -> Response:
    """A bundled example's editable files (scenario.yaml and its tables, with the README) as a ZIP."""
    if name not in available_examples():
        raise HTTPException(404, f"no bundled example {name!r}")
    return Response(example_zip(name), media_type="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{name}.zip"'})


__all__ = ["CSP", "router"]
