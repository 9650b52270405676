"""Rendering the console's templates (Jinja2, autoescaped: text from input files is always escaped)."""

from __future__ import annotations

import gzip
import uuid
from functools import lru_cache
from pathlib import Path

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from api.intake import Upload
from api.reads import accepts_gzip
from maps.common import number, percent
from maps.i18n import kind_label, long_date, short_date, t as map_label

from console.i18n import labels

SCENARIO_SUFFIXES = (".yaml", ".yml")
NO_STORE = {"Cache-Control": "no-store"}
GZIP_FROM = 16 * 1024  # bytes: smaller fragments go as they are


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The templates of console/templates, autoescaped, failing on an undefined name."""
    env = jinja2.Environment(loader=jinja2.PackageLoader("console", "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals.update(token=lambda: uuid.uuid4().hex)
    return env


def render_text(name: str, lang: str, **context: object) -> str:
    """A template as text, with the console's labels and number and date formats for the language."""
    return environment().get_template(name).render(
        L=labels(lang), lang=lang, num=lambda v: number(v, lang), pct=lambda v: percent(v, lang),
        long_date=lambda d: long_date(d, lang), short_date=lambda d: short_date(d, lang),
        kind=lambda k: kind_label(k, lang), report_kind=lambda k: map_label(f"kind_{k}", lang),
        missed_reason=lambda r: map_label(f"reason_{r}", lang) if r else "", **context)


def render(name: str, lang: str, status: int = 200, request: Request | None = None, **context: object) -> Response:
    """A template as an HTML answer (never stored by a cache: it was made for one key); gzip-encoded
    when large and the client accepts it (a finished plan's page is over a megabyte of HTML)."""
    page = render_text(name, lang, **context).encode()
    if request is not None and len(page) > GZIP_FROM and accepts_gzip(request):
        return Response(gzip.compress(page, compresslevel=6), status_code=status, media_type="text/html; charset=utf-8",
                        headers={**NO_STORE, "Content-Encoding": "gzip", "Vary": "Accept-Encoding"})
    return HTMLResponse(page, status_code=status, headers=NO_STORE)


def split_uploads(uploads: list[Upload], L: dict[str, str]) -> tuple[Upload | None, list[Upload], str | None]:
    """(the scenario file, the tables, a problem): the scenario is the one .yaml/.yml file, or else the
    one .json file (GeoJSON tables end in .geojson)."""
    for suffixes in (SCENARIO_SUFFIXES, (".json",)):
        found = [u for u in uploads if Path(u.name).suffix.lower() in suffixes]
        if len(found) == 1:
            return found[0], [u for u in uploads if u is not found[0]], None
        if len(found) > 1:
            return None, [], L["many_scenario_files"].format(names=", ".join(u.name for u in found))
    return None, [], L["no_scenario_file"]


__all__ = ["environment", "render", "render_text", "split_uploads"]
