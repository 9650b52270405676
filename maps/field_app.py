"""The field map as an offline web app: the team-day page the API serves, its manifest, service worker
and script files (all served locally: no inline script, no CDN; a strict CSP allows 'self' only).

The page is the field map (maps/field.py) plus a report form per stop and an outbox line; reports
are kept in IndexedDB on the phone (maps/static/outbox.js) and sent to `reports` next to the page
when there is a connection. The service worker (served next to the page, so its scope covers the
page and the reports URL) keeps the page and the files for use without signal.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from functools import lru_cache
from importlib import resources

import jinja2
from markupsafe import Markup

from planner.io.reports import MISSED_REASONS, REPORT_KINDS
from planner.model import Scenario
from planner.plan import Plan

from maps.assets import leaflet_js, template_file, vendor
from maps.common import find_team_day, js_json
from maps.field import _INIT_JS, TILE_ORIGIN, map_data, page_context, page_template
from maps.i18n import check_lang, long_date, t

STATIC = "/v1/field"  # where the API serves the files below
APP_CSP = (
    f"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' {TILE_ORIGIN} data:; connect-src 'self'; "
    "manifest-src 'self'; worker-src 'self'; base-uri 'none'; form-action 'self'"
)
_APP_LABELS = (
    "report", "report_time", "people_recorded", "kit", "save_report", "send_now", "reports_loading", "reason",
    "start", "end", "note",
)  # fmt: skip
_JS_LABELS = (
    "pending_n", "all_sent", "offline", "state_pending", "state_sent", "state_rejected", "need_people", "people_short",
    "key_refused", "send_retry",
    *(f"kind_{k}" for k in REPORT_KINDS), *(f"reason_{r}" for r in MISSED_REASONS),
)  # fmt: skip


def field_app_page(scenario: Scenario, plan: Plan, team_id: str, date: dt.date, lang: str = "id", static: str = STATIC) -> str:
    """The team-day page with the report forms, for the API to serve at .../teams/{team}/days/{date}/app."""
    check_lang(lang)
    team = scenario.team_by_id().get(team_id)
    if team is None:
        raise ValueError(f"unknown team {team_id!r}")
    context = page_context(scenario, team, date, find_team_day(plan, team_id, date), lang)
    context["L"] = {**context["L"], **{key: t(key, lang) for key in _APP_LABELS}}
    app = {"endpoint": "reports", "team": team_id, "date": date.isoformat(), "lang": lang,
           "labels": {key: t(key, lang) for key in _JS_LABELS}}
    return page_template().render(
        **context,
        app=True,
        static=static,
        csp=APP_CSP,
        lang=lang,
        map_json=Markup(js_json(map_data(context))) if context["has_route"] else "",
        app_json=Markup(js_json(app)),
        report_kinds=[(k, t(f"kind_{k}", lang)) for k in REPORT_KINDS],
        reasons=[(r, t(f"reason_{r}", lang)) for r in MISSED_REASONS],
        kits=[k.id for k in team.kits],
        leaflet_css="", leaflet_js="", init_js="", page_css="",
    )  # fmt: skip


def key_page(lang: str = "id", wrong: bool = False) -> str:
    """A small page asking for the team's field key once (a GET form back to the same URL, no script)."""
    check_lang(lang)
    return _key_template().render(lang=lang, wrong=wrong, static=STATIC, csp=APP_CSP,
                                  L={k: t(k, lang) for k in ("key_title", "key_prompt", "key_wrong", "key_submit", "field_title")})


def manifest(team_name: str, day: dt.date, lang: str = "id") -> str:
    """The web app manifest: installable, opens the team-day page full screen."""
    name = f"{team_name} — {long_date(day, lang)}"
    return json.dumps({
        "name": name, "short_name": team_name[:24], "lang": lang, "start_url": "app", "scope": "./",
        "display": "standalone", "background_color": "#f4f5f7", "theme_color": "#0b3d91",
        "icons": [{"src": f"{STATIC}/icon.svg", "sizes": "any", "type": "image/svg+xml"}],
    }, ensure_ascii=False)  # fmt: skip


STATIC_FILES = {  # name -> media type
    "leaflet.js": "text/javascript; charset=utf-8",
    "leaflet.css": "text/css; charset=utf-8",
    "field.css": "text/css; charset=utf-8",
    "map.js": "text/javascript; charset=utf-8",
    "outbox.js": "text/javascript; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
    "icon.svg": "image/svg+xml",
}


@lru_cache(maxsize=16)
def static_file(name: str) -> bytes:
    """One of the app's files (KeyError for any other name)."""
    media = STATIC_FILES[name]  # noqa: F841 - a KeyError names an unknown file
    if name == "leaflet.js":
        return leaflet_js().encode()
    if name == "leaflet.css":
        return vendor("leaflet.css").encode()
    if name == "field.css":
        return template_file("field.css").encode()
    if name == "map.js":  # the file page's map script, reading its data from the page's JSON block
        return (_INIT_JS % "JSON.parse(document.getElementById('jemput-map-data').textContent)").encode()
    return (resources.files("maps") / "static" / name).read_bytes()


@lru_cache(maxsize=1)
def service_worker() -> bytes:
    """The service worker script (served at .../days/{date}/sw.js so its scope is the team-day). It names a
    hash of the app's files, so a new release changes the script and phones fetch the new files."""
    version = hashlib.sha256(b"".join(static_file(n) for n in STATIC_FILES)).hexdigest()[:16]
    return (resources.files("maps") / "static" / "sw.js").read_bytes().replace(
        b"__FILES__", json.dumps([f"{STATIC}/{n}" for n in STATIC_FILES]).encode()).replace(b"__VERSION__", version.encode())


@lru_cache(maxsize=1)
def _key_template() -> jinja2.Template:
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    return env.from_string(
        """<!DOCTYPE html>
<html lang="{{ lang }}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{{ csp }}">
<title>{{ L.key_title }}</title><link rel="stylesheet" href="{{ static }}/field.css"></head>
<body><header class="top"><p class="kicker">{{ L.field_title }}</p><h1>{{ L.key_title }}</h1></header>
<main><form class="report" method="get"><p>{{ L.key_prompt }}</p>
{% if wrong %}<p class="report-state rejected">{{ L.key_wrong }}</p>{% endif %}
<input type="hidden" name="lang" value="{{ lang }}">
<label class="f">{{ L.key_title }} <input name="key" required autocomplete="off" autocapitalize="off" spellcheck="false"></label>
<p><button type="submit" class="btn primary save">{{ L.key_submit }}</button></p></form></main></body></html>"""
    )
