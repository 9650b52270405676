"""Field links: the URL of each team-day's field app and its QR code (segno), for the roster and the overview.

A link points at the API's team-day app (`/v1/plans/{plan}/teams/{team}/days/{date}/app`); it carries
no key: the phone asks for the team's field key once and keeps it. The field app exists only for a plan
the server made, so the roster and overview that carry QR codes are those the API serves; the CLI's
files carry none. `template_links` makes links from any URL template with `{team}` and `{date}`.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
from functools import lru_cache
from urllib.parse import quote

import segno

from planner.plan import Plan

Links = dict[tuple[str, dt.date], str]


def app_path(plan_id: str, team_id: str, day: dt.date) -> str:
    """The API path of one team-day's field app."""
    return f"/v1/plans/{quote(plan_id, safe='')}/teams/{quote(team_id, safe='')}/days/{day.isoformat()}/app"


def api_links(base_url: str, plan_id: str, plan: Plan) -> Links:
    """Every team-day of the plan → its field app URL on the server at `base_url`."""
    base = base_url.rstrip("/")
    return {(td.team_id, td.date): base + app_path(plan_id, td.team_id, td.date) for td in plan.team_days}


def template_links(template: str, plan: Plan) -> Links:
    """Every team-day → the template with {team} and {date} filled in (URL-quoted)."""
    if "{team}" not in template or "{date}" not in template:
        raise ValueError(f"the link template {template!r} needs both {{team}} and {{date}}")
    return {
        (td.team_id, td.date): template.replace("{team}", quote(td.team_id, safe="")).replace("{date}", td.date.isoformat())
        for td in plan.team_days
    }


QR_CACHE = 8192  # codes kept in memory: making one takes tens of milliseconds (bench/results/field_loop.md),
# and the overview is drawn again each time a report arrives, with the same links


@lru_cache(maxsize=QR_CACHE)
def _code(url: str) -> segno.QRCode:
    return segno.make(url, error="m", micro=False)


def clear_qr_cache() -> None:
    """Forget the codes made so far (benchmarks measure making them)."""
    for cached in (_code, qr_png, qr_svg, qr_svg_uri):
        cached.cache_clear()


@lru_cache(maxsize=QR_CACHE)
def qr_png(url: str, scale: int = 3) -> bytes:
    """A QR code of the URL as PNG bytes (error correction M, quiet zone 2 modules)."""
    out = io.BytesIO()
    _code(url).save(out, kind="png", scale=scale, border=2)
    return out.getvalue()


@lru_cache(maxsize=QR_CACHE)
def qr_svg(url: str, scale: int = 3) -> bytes:
    """A QR code of the URL as an SVG document (error correction M, quiet zone 2 modules)."""
    out = io.BytesIO()
    _code(url).save(out, kind="svg", scale=scale, border=2, xmldecl=False, svgns=True)
    return out.getvalue()


@lru_cache(maxsize=QR_CACHE)
def qr_svg_uri(url: str, scale: int = 3) -> str:
    """A QR code of the URL as an SVG data: URI, for an <img> in a self-contained page."""
    return "data:image/svg+xml;base64," + base64.b64encode(qr_svg(url, scale)).decode("ascii")
