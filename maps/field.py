"""A field team's route for one day as one small, phone-first HTML page (Leaflet, no Folium, no CDN).

The page lists the stops in visiting order with times, expected people, opening hours and navigation
links (geo: and Google Maps), so it works even when map tiles cannot load; above it (beside it on wide
screens) a Leaflet map shows numbered stops and the straight-line route. In self-contained mode
Leaflet 1.9.3 (vendored, see maps/vendor/leaflet/SOURCE.md) is inlined: map tiles from OpenStreetMap
are the page's only network need. A Content-Security-Policy with script hashes stops any script that
is not ours, on top of escaping every input text.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

import jinja2
from markupsafe import Markup

from planner.io.export import change_label
from planner.model import Scenario, Site, Team
from planner.plan import Place, Plan, Stop, TeamDay

from maps.assets import leaflet_js as vendored_leaflet_js, template_file, vendor
from maps.crossings import leg_notes
from maps.common import clock, decimal, esc, find_team_day, hours_text, js_json, number
from maps.i18n import check_lang, kind_label, long_date, t

TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
TILE_ORIGIN = "https://tile.openstreetmap.org"
OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'

_INIT_JS = """(function () {
  var d = %s;
  var box = document.getElementById('map');
  if (!window.L) { box.hidden = true; return; }
  var map = L.map(box, {zoomControl: true});
  L.tileLayer(d.tiles, {maxZoom: 19, attribution: d.attribution}).addTo(map);
  L.polyline(d.line, {color: '#1558d6', weight: 4, opacity: 0.8}).addTo(map);
  (d.crossings || []).forEach(function (c) {
    L.polyline(c, {color: '#c2185b', weight: 4, opacity: 0.9, dashArray: '8 8'}).addTo(map);
  });
  function pin(cls, label, size, dup) {
    var dx = (dup || 0) * (size - 6);  /* repeat visits to one point sit side by side */
    return L.divIcon({className: 'pin ' + cls, html: label, iconSize: [size, size],
                      iconAnchor: [size / 2 - dx, size / 2], popupAnchor: [dx, -size / 2]});
  }
  d.places.forEach(function (p) {
    L.marker(p.ll, {icon: pin('place-pin', p.glyph, 30), title: p.title, keyboard: false})
      .bindPopup(p.popup).addTo(map);
  });
  var markers = {};
  d.stops.forEach(function (s) {
    markers[s.n] = L.marker(s.ll, {icon: pin('stop-pin', String(s.n), 36, s.dup), title: s.title, riseOnHover: true})
      .bindPopup(s.popup, {maxWidth: 280}).addTo(map);
  });
  var extra = 30 * Math.max.apply(null, [0].concat(d.stops.map(function (s) { return s.dup; })));
  map.fitBounds(L.latLngBounds(d.line), {paddingTopLeft: [28, 28], paddingBottomRight: [28 + extra, 28], maxZoom: 15});
  document.querySelectorAll('button.show').forEach(function (b) {
    b.addEventListener('click', function () {
      var m = markers[b.getAttribute('data-n')];
      box.scrollIntoView({behavior: 'smooth', block: 'start'});
      map.setView(m.getLatLng(), Math.max(map.getZoom(), 13));
      m.openPopup();
    });
  });
})();"""


@dataclass(frozen=True)
class PlaceView:
    """The start or end place of the day as the page shows it."""

    label: str
    time: str
    name: str
    kind: str
    glyph: str
    lat: float
    lon: float
    geo: str
    gmaps: str
    crossing: tuple[str, ...] = ()  # crossings on the way here, with the departure to catch


@dataclass(frozen=True)
class StopView:
    """One stop as the page shows it (raw text; the template escapes it)."""

    n: int
    name: str
    kind: str
    visit: str
    arrival: str
    start: str
    end: str
    people: str
    hours: str
    travel: str
    note: str
    estimated: bool
    lat: float
    lon: float
    geo: str
    gmaps: str
    change: str = ""  # a re-planned plan: what changed at this stop (kept, moved, added, done, …)
    site_id: str = ""  # what a field report names: the site and the visit number of the week
    visit_n: int = 1
    crossing: tuple[str, ...] = ()  # crossings on the way here (ferry, boat, bridge) with the departure to catch
    no_signal: bool = False  # no mobile data: the records made here wait on the kit (and the reports on the phone)


def field_map(scenario: Scenario, plan: Plan, team_id: str, date: dt.date | str, lang: str = "id") -> str:
    """The full HTML page of one team's route on one date, for a phone in the field: one file with
    Leaflet inline, so it works from disk with no connection (only map tiles need one)."""
    check_lang(lang)
    day = dt.date.fromisoformat(date) if isinstance(date, str) else date
    team = scenario.team_by_id().get(team_id)
    if team is None:
        raise ValueError(f"unknown team {team_id!r}; the scenario has: {', '.join(scenario.team_by_id())}")
    td = find_team_day(plan, team_id, day)
    context = page_context(scenario, team, day, td, lang)
    scripts = _scripts(context)
    return page_template().render(**context, **scripts, lang=lang, app=False)


def write_field_map(
    scenario: Scenario,
    plan: Plan,
    team_id: str,
    date: dt.date | str,
    path: str | Path,
    lang: str = "id",
) -> Path:
    """Save one team-day's field page as an HTML file (UTF-8) and return its path."""
    path = Path(path)
    path.write_text(field_map(scenario, plan, team_id, date, lang), encoding="utf-8")
    return path


# --- view data ------------------------------------------------------------------------------------


def nav_links(lat: float, lon: float, name: str) -> tuple[str, str]:
    """A geo: URI (any Android map app) and a Google Maps directions URL for a point."""
    ll = f"{lat:.6f},{lon:.6f}"
    return f"geo:{ll}?q={ll}({quote(name, safe='')})", f"https://www.google.com/maps/dir/?api=1&destination={ll}"


def page_context(scenario: Scenario, team: Team, day: dt.date, td: TeamDay | None, lang: str) -> dict:
    """Everything the template needs: texts, stops, places, summary; no HTML built here."""
    context = {"team_name": team.name, "date_text": long_date(day, lang), "title": f"{team.name} — {long_date(day, lang)}"}
    context["L"] = {key: t(key, lang) for key in _TEMPLATE_LABELS}
    if td is None:
        return {**context, "stops": [], "places": [], "summary": "", "has_route": False}
    sites = scenario.site_by_id()
    notes = leg_notes(scenario, td, team.vehicle, lang) if scenario.crossings else []
    stops = [_stop_view(k + 1, s, sites[s.site_id], day, lang) for k, s in enumerate(td.stops)]
    if notes:
        stops = [replace(v, crossing=notes[k].lines) for k, v in enumerate(stops)]
    start = _place_view(td.start_place, t("depart", lang), clock(td.depart_min), lang)
    end_label = t("end" if td.end_place.kind == "lodging" else "return", lang)  # a night out is no return
    end = _place_view(td.end_place, end_label, clock(td.return_min), lang)
    if notes:
        end = replace(end, crossing=notes[-1].lines)
    # each crossing drawn once, in one direction (a dashed line over its reverse would look solid)
    segments = [[list(a), list(b)] for a, b in dict.fromkeys(tuple(sorted(seg)) for n in notes for seg in n.segments)]
    return {**context, "stops": stops, "places": [start, end], "summary": _summary(td, lang), "has_route": True,
            "crossing_segments": segments}


_TEMPLATE_LABELS = (
    "arrival", "recording", "expected_people", "opening_hours", "navigate", "google_maps", "map",
    "note", "no_route", "location_estimated", "stops", "field_title", "crossings", "no_signal",
)  # fmt: skip


def _stop_view(n: int, stop: Stop, site: Site, day: dt.date, lang: str) -> StopView:
    """The page's view of one stop."""
    geo, gmaps = nav_links(site.lat, site.lon, site.name)
    return StopView(
        n=n,
        name=site.name,
        kind=kind_label(site.kind, lang),
        visit=t("visit_no", lang, n=stop.visit) if stop.visit > 1 else "",
        arrival=clock(stop.arrival_min),
        start=clock(stop.start_min),
        end=clock(stop.end_min),
        people=f"{number(stop.people, lang)} {t('people', lang)}",
        hours=hours_text(site, day, lang),
        travel=f"{t('travel', lang)}: {stop.travel_min} {t('minutes', lang)} · {decimal(stop.travel_km, 1, lang)} km",
        note=site.note,
        estimated=site.location_estimated,
        lat=site.lat,
        lon=site.lon,
        geo=geo,
        gmaps=gmaps,
        change=change_label(stop, lang),
        site_id=stop.site_id,
        visit_n=stop.visit,
        no_signal=not site.signal,
    )


def _place_view(place: Place, label: str, time: str, lang: str) -> PlaceView:
    """The page's view of the start or end place (office or lodging)."""
    geo, gmaps = nav_links(place.lat, place.lon, place.name)
    lodging = place.kind == "lodging"
    return PlaceView(
        label=label,
        time=time,
        name=place.name,
        kind=t("lodging" if lodging else "base", lang),
        glyph="&#9790;" if lodging else "&#8962;",
        lat=place.lat,
        lon=place.lon,
        geo=geo,
        gmaps=gmaps,
    )


def _summary(td: TeamDay, lang: str) -> str:
    """One line under the title: stops, people, driving, kits."""
    return (
        f"{len(td.stops)} {t('stops', lang).lower()} · {number(td.recordings, lang)} {t('people', lang)} · "
        f"{t('travel', lang)} {td.travel_min} {t('minutes', lang)} / {number(td.travel_km, lang)} km · "
        f"{t('working_kits', lang)}: {td.working_kits}"
        + (f" · {t('pending_records', lang, n=number(td.pending_records, lang))}" if td.pending_records else "")
    )


# --- scripts, styles, template --------------------------------------------------------------------


def map_data(context: dict) -> dict:
    """The data the map script reads: line, numbered stops, places, popups (escaped HTML)."""
    stops, places = context["stops"], context["places"]
    line = [[p.lat, p.lon] for p in places[:1]] + [[s.lat, s.lon] for s in stops] + [[p.lat, p.lon] for p in places[1:]]
    place_pins = _place_pins(places)
    stop_pins = [
        {"n": s.n, "ll": [s.lat, s.lon], "dup": dup, "title": f"{s.n}. {s.name}", "popup": _stop_popup(s, context["L"])}
        for s, dup in zip(stops, _repeat_index(stops))
    ]
    return {"tiles": TILE_URL, "attribution": OSM_ATTRIBUTION, "line": line, "places": place_pins, "stops": stop_pins,
            "crossings": context.get("crossing_segments", [])}


def _repeat_index(stops: list[StopView]) -> list[int]:
    """How many earlier stops share each stop's point, so markers of repeat visits sit side by side."""
    seen: dict[tuple[float, float], int] = {}
    out = []
    for s in stops:
        key = (s.lat, s.lon)
        out.append(seen.get(key, 0))
        seen[key] = out[-1] + 1
    return out


def _place_pins(places: list[PlaceView]) -> list[dict]:
    """Markers for the start and end place; one marker when both are the same point."""
    pins: list[dict] = []
    for p in places:
        popup = f"<b>{esc(p.label)} {esc(p.time)}</b><br>{esc(p.name)} ({esc(p.kind)})"
        same = next((q for q in pins if q["ll"] == [p.lat, p.lon]), None)
        if same:
            same["popup"] += "<br>" + popup
        else:
            pins.append({"ll": [p.lat, p.lon], "glyph": p.glyph, "title": p.name, "popup": popup})
    return pins


def _stop_popup(s: StopView, labels: dict[str, str]) -> str:
    """Escaped popup HTML of a stop marker: name, times, people, navigation links."""
    return (
        f"<b>{s.n}. {esc(s.name)}</b><br>{esc(labels['arrival'])} {s.arrival} · {esc(labels['recording'])} "
        f"{s.start}–{s.end}<br>{esc(s.people)}<br><a href='{esc(s.geo)}'>{esc(labels['navigate'])}</a> · "
        f"<a href='{esc(s.gmaps)}' target='_blank' rel='noopener'>{esc(labels['google_maps'])}</a>"
    )


def _scripts(context: dict) -> dict:
    """Leaflet inline, the init script, styles and the matching Content-Security-Policy."""
    init = _INIT_JS % js_json(map_data(context)) if context["has_route"] else ""
    css = template_file("field.css")
    inline_scripts = [init] if init else []
    leaflet_js = leaflet_css = ""
    if init:
        leaflet_js, leaflet_css = vendored_leaflet_js(), vendor("leaflet.css")
        inline_scripts.insert(0, leaflet_js)
    styles = [leaflet_css, css] if leaflet_css else [css]
    return {
        "csp": _csp(inline_scripts, styles),
        "leaflet_js": Markup(leaflet_js),
        "leaflet_css": Markup(leaflet_css),
        "init_js": Markup(init),
        "page_css": Markup(css),
    }


def _csp(scripts: list[str], styles: list[str]) -> str:
    """A policy allowing only our exact inline scripts/styles and OSM tiles."""
    script_src = " ".join(f"'{_sha256(s)}'" for s in scripts) or "'none'"
    style_src = " ".join(f"'{_sha256(s)}'" for s in styles)
    return (
        f"default-src 'none'; script-src {script_src}; style-src {style_src}; img-src {TILE_ORIGIN} data:; "
        "base-uri 'none'; form-action 'none'"
    )


def _sha256(text: str) -> str:
    """CSP hash source of an inline script or style."""
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


@lru_cache(maxsize=1)
def page_template() -> jinja2.Template:
    """The page template, with autoescaping on so every text from the inputs is escaped."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("maps", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    return env.get_template("field.html")
