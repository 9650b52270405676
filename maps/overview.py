"""The coordinator's overview: every team-day route, every site, coverage by area, key figures (Folium).

Routes are polylines, one colour per team and one toggleable layer per day. Sites are light canvas
circle markers drawn from one JSON array (1,600 sites stay a few hundred kB), coloured by kind, sized
by people not yet recorded, filled when served and hollow when left out. Coverage per regency and
district comes from the bundled boundaries when the scenario's area codes match them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import folium
from branca.element import MacroElement
from folium.template import Template

from planner.io.export import change_label
from planner.io.links import Links
from planner.io.reports import TeamDayStatus
from planner.model import Scenario, Site, SiteKind, Team
from planner.plan import LeftOutReason, Plan, TeamDay

from maps.assets import inline_leaflet
from maps.common import (
    KIND_COLOUR,
    PlannedVisit,
    clock,
    decimal,
    esc,
    js_json,
    left_out_by_site,
    marker_radius,
    number,
    percent,
    team_colours,
    visits_by_site,
)
from maps.crossings import CROSSING_COLOUR, DASH, crossing_lines
from maps.i18n import check_lang, kind_label, reason_label, short_date, t
from maps.links import links_panel, status_line

if TYPE_CHECKING:
    import geopandas

Level = Literal["regency", "district"]

# Share of the unrecorded reached → fill colour; 0 is flagged in red, areas with nobody left are grey.
COVERAGE_NONE = "#fc9272"
COVERAGE_EMPTY = "#d9d9d9"
COVERAGE_BINS: tuple[tuple[float, str], ...] = (
    (0.0, "#ffffcc"),
    (0.05, "#d9f0a3"),
    (0.10, "#addd8e"),
    (0.20, "#78c679"),
    (0.40, "#238443"),
)
BASE_STYLE = {"radius": 7, "color": "#111", "weight": 3, "fill": True, "fill_color": "#fff", "fill_opacity": 1}


class SiteLayer(MacroElement):
    """All sites as canvas circle markers built in one loop from compact JSON (light for 1,600 sites).

    A record is [lat, lon, radius, style, name, unrecorded, details, reason]: style indexes `styles`
    (kind = style // 2), details is extra popup HTML (note, planned visits) and reason indexes
    `tables["reasons"]` (-1 if the site is served). Every text is escaped HTML made in Python; the
    script only joins the pieces, and builds each popup when it is opened.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
          var layer = {{ this._parent.get_name() }};
          var styles = {{ this.styles_json }}, T = {{ this.tables_json }};
          function popup(r) {
            var html = '<b>' + r[4] + '</b><br>' + T.kinds[r[3] >> 1] + ' · ' + T.unrecorded + ': ' + r[5] + r[6];
            return r[7] < 0 ? html : html + '<br><b>' + T.not_visited + '</b> — ' + T.reasons[r[7]];
          }
          {{ this.records_json }}.forEach(function (r) {
            L.circleMarker([r[0], r[1]], Object.assign({radius: r[2]}, styles[r[3]]))
              .bindTooltip(r[4]).bindPopup(function () { return popup(r); }, {maxWidth: 320}).addTo(layer);
          });
        })();
        {% endmacro %}
        """
    )

    def __init__(self, styles: list[dict], tables: dict, records: list[list]) -> None:
        super().__init__()
        self._name = "SiteLayer"
        self.styles, self.tables, self.records = styles, tables, records
        self.styles_json = js_json(styles)
        self.tables_json = js_json(tables)
        self.records_json = js_json(records)


def overview_map(
    scenario: Scenario, plan: Plan, lang: str = "id", links: Links | None = None, status: list[TeamDayStatus] | None = None
) -> folium.Map:
    """A Folium map of the whole week's plan for a coordinator: routes, sites, coverage, KPIs, legend,
    with `links` a QR code per team-day's field app, with `status` what the field reported per route;
    Leaflet inline, no CDN."""
    check_lang(lang)
    m = _base_map(scenario, plan, lang)
    coverage = _add_coverage(m, scenario, plan, lang)
    _add_routes(m, scenario, plan, lang, {(s.team_id, s.date): s for s in status or []})
    _add_crossings(m, scenario, lang)
    _add_bases(m, scenario, lang)
    _add_sites(m, scenario, plan, lang)
    folium.LayerControl(collapsed=False).add_to(m)
    _add_panels(m, scenario, plan, lang, coverage)
    if links:
        m.get_root().html.add_child(folium.Element(links_panel(scenario, plan, links, lang)))
    return inline_leaflet(m)


def write_overview(scenario: Scenario, plan: Plan, path: str | Path, lang: str = "id", links: Links | None = None) -> Path:
    """Save the overview map as one HTML file (Leaflet inline; only the map tiles need a connection)."""
    path = Path(path)
    overview_map(scenario, plan, lang, links).save(str(path))
    return path


def _base_map(scenario: Scenario, plan: Plan, lang: str) -> folium.Map:
    """An OSM map on a canvas renderer, fitted to the sites and team offices."""
    lats = [s.lat for s in scenario.sites] + [tm.base_lat for tm in scenario.teams]
    lons = [s.lon for s in scenario.sites] + [tm.base_lon for tm in scenario.teams]
    centre = [(min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2]
    m = folium.Map(location=centre, zoom_start=8, tiles="OpenStreetMap", prefer_canvas=True, control_scale=True)
    m.fit_bounds([[min(lats), min(lons)], [max(lats), max(lons)]])
    m.get_root().title = esc(f"{plan.scenario_name} — {t('overview_title', lang)}")
    return m


# --- coverage -------------------------------------------------------------------------------------


def coverage_colour(share: float, unrecorded: int) -> str:
    """Fill colour of an area from its share of the unrecorded reached."""
    if unrecorded <= 0:
        return COVERAGE_EMPTY
    if share <= 0:
        return COVERAGE_NONE
    return [colour for low, colour in COVERAGE_BINS if share >= low][-1]


def coverage_by_area(scenario: Scenario, plan: Plan, level: Level) -> dict[str, tuple[int, int]]:
    """(unrecorded, expected recordings) per regency or district code, recomputed from the plan's stops."""
    reached: dict[str, int] = defaultdict(int)
    for td in plan.team_days:
        for stop in td.stops:
            reached[stop.site_id] += stop.people
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for site in scenario.sites:
        code = site.regency_code if level == "regency" else site.district_code
        if code:
            out[code][0] += site.unrecorded
            out[code][1] += reached.get(site.id, 0)
    return {code: (u, r) for code, (u, r) in out.items()}


@lru_cache(maxsize=2)
def _boundaries(level: Level) -> geopandas.GeoDataFrame | None:
    """The bundled boundaries of a level, or None if they cannot be read (the map then skips coverage)."""
    from planner.io.bundled import boundaries

    try:
        return boundaries(level)
    except Exception:  # noqa: BLE001 - a missing or unreadable file only costs the choropleth
        return None


def area_names(level: Level) -> dict[str, str]:
    """Code → name of the bundled regencies or districts ("15.01" → "Kabupaten Kerinci"); empty if unreadable."""
    gdf = _boundaries(level)
    return {} if gdf is None else {str(c): str(n) for c, n in zip(gdf["code"], gdf["name"])}


def _add_coverage(m: folium.Map, scenario: Scenario, plan: Plan, lang: str) -> bool:
    """Regency (shown) and district (hidden) choropleths where the codes match; True if any was drawn."""
    drawn = False
    for level, key, shown in (("regency", "coverage_regency", True), ("district", "coverage_district", False)):
        gdf = _boundaries(level)
        groups = coverage_by_area(scenario, plan, level)
        if gdf is None or not groups:
            continue
        matched = gdf[gdf["code"].isin(list(groups))]
        if matched.empty:
            continue
        features = _coverage_features(matched, groups, lang)
        folium.GeoJson(
            features,
            name=esc(t(key, lang)),
            show=shown,
            style_function=lambda f: {
                "fillColor": f["properties"]["colour"],
                "color": "#555",
                "weight": 1,
                "fillOpacity": 0.45,
            },
            tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False),  # label is pre-escaped HTML
        ).add_to(m)
        drawn = True
    return drawn


def _coverage_features(gdf: geopandas.GeoDataFrame, groups: dict[str, tuple[int, int]], lang: str) -> dict:
    """GeoJSON features with a fill colour and an escaped tooltip label per area."""
    features = []
    for row in gdf.itertuples():
        unrecorded, reached = groups[row.code]
        share = reached / unrecorded if unrecorded else 0.0
        label = (
            f"<b>{esc(row.name)}</b><br>{esc(t('coverage', lang))}: {percent(share, lang)}"
            f" ({number(reached, lang)} / {number(unrecorded, lang)})"
        )
        features.append(
            {
                "type": "Feature",
                "geometry": row.geometry.__geo_interface__,
                "properties": {"code": row.code, "label": label, "colour": coverage_colour(share, unrecorded)},
            }
        )
    return {"type": "FeatureCollection", "features": features}


# --- routes and offices ---------------------------------------------------------------------------


def route_points(td: TeamDay, sites: dict[str, Site]) -> list[tuple[float, float]]:
    """The team-day's path: start place, its stops in order, end place."""
    stops = [(sites[s.site_id].lat, sites[s.site_id].lon) for s in td.stops]
    return [(td.start_place.lat, td.start_place.lon), *stops, (td.end_place.lat, td.end_place.lon)]


def _add_routes(m: folium.Map, scenario: Scenario, plan: Plan, lang: str,
                status: dict[tuple[str, dt.date], TeamDayStatus]) -> None:
    """One layer per day holding every team's route of that day, coloured by team."""
    colours, teams, sites = team_colours(scenario), scenario.team_by_id(), scenario.site_by_id()
    by_day: dict[dt.date, list[TeamDay]] = defaultdict(list)
    for td in plan.team_days:
        by_day[td.date].append(td)
    for day in sorted(by_day):
        group = folium.FeatureGroup(name=esc(f"{t('route', lang)} {short_date(day, lang)}"), show=True)
        for td in by_day[day]:
            folium.PolyLine(
                route_points(td, sites),
                color=colours.get(td.team_id, "#333"),
                weight=4,
                opacity=0.85,
                tooltip=folium.Tooltip(_route_label(td, teams.get(td.team_id), lang)
                                       + status_line(status.get((td.team_id, td.date)), td, lang)),
            ).add_to(group)
        group.add_to(m)


def _add_crossings(m: folium.Map, scenario: Scenario, lang: str) -> None:
    """Bridges, ferries and boats as dashed lines between their ends (one layer), when there are any."""
    if not scenario.crossings:
        return
    group = folium.FeatureGroup(name=esc(t("crossings", lang)), show=True)
    for line in crossing_lines(scenario, lang):
        folium.PolyLine(line["ll"], color=CROSSING_COLOUR, weight=3, opacity=0.9, dash_array=DASH,
                        tooltip=folium.Tooltip(line["label"])).add_to(group)
    group.add_to(m)


def _route_label(td: TeamDay, team: Team | None, lang: str) -> str:
    """Escaped tooltip of a route: team, date, stops, people, travel, hours."""
    name = team.name if team else td.team_id
    return (
        f"<b>{esc(name)}</b> — {esc(short_date(td.date, lang))}<br>"
        f"{len(td.stops)} {esc(t('stops', lang).lower())} · {number(td.recordings, lang)} {esc(t('people', lang))}"
        f" · {number(td.travel_km, lang)} km<br>{clock(td.depart_min)}–{clock(td.return_min)}"
    )


def _add_bases(m: folium.Map, scenario: Scenario, lang: str) -> None:
    """Team offices as white circles with a black ring; teams sharing an office share one marker."""
    colours = team_colours(scenario)
    by_place: dict[tuple[float, float], list[Team]] = defaultdict(list)
    for team in scenario.teams:
        by_place[(team.base_lat, team.base_lon)].append(team)
    group = folium.FeatureGroup(name=esc(t("bases", lang)), show=True)
    for (lat, lon), teams in by_place.items():
        title = teams[0].base_name or t("base", lang)
        rows = "".join(f"<br><span style='color:{colours[tm.id]}'>&#9632;</span> {esc(tm.name)}" for tm in teams)
        folium.CircleMarker([lat, lon], tooltip=folium.Tooltip(f"<b>{esc(title)}</b>{rows}"), **BASE_STYLE).add_to(group)
    group.add_to(m)


# --- sites ----------------------------------------------------------------------------------------


def site_styles() -> list[dict]:
    """Circle styles indexed 2·kind + (0 served, 1 left out): filled vs hollow dashed ring."""
    styles = []
    for kind in SiteKind:
        colour = KIND_COLOUR[kind]
        styles.append({"color": colour, "weight": 1.5, "fillColor": colour, "fillOpacity": 0.75, "opacity": 0.95})
        styles.append({"color": colour, "weight": 1.2, "fillOpacity": 0, "opacity": 0.6, "dashArray": "3 3"})
    return styles


def _add_sites(m: folium.Map, scenario: Scenario, plan: Plan, lang: str) -> SiteLayer:
    """All sites in one layer; big circles first so small ones stay clickable, served on top."""
    visits, left = visits_by_site(plan), left_out_by_site(plan)
    teams = scenario.team_by_id()
    kinds, reasons = list(SiteKind), list(LeftOutReason)
    largest = max((s.unrecorded for s in scenario.sites), default=0)
    records = []
    for site in sorted(scenario.sites, key=lambda s: (s.id in visits, -s.unrecorded)):
        served = site.id in visits
        style = 2 * kinds.index(site.kind) + (0 if served else 1)
        lo = None if served else left.get(site.id)
        records.append(
            [
                round(site.lat, 6),
                round(site.lon, 6),
                marker_radius(site.unrecorded, largest),
                style,
                esc(site.name),
                number(site.unrecorded, lang),
                _site_details(site, visits.get(site.id, []), teams, lang),
                reasons.index(lo.reason) if lo else -1,
            ]
        )
    group = folium.FeatureGroup(name=esc(t("sites", lang)), show=True)
    layer = SiteLayer(site_styles(), site_tables(lang), records)
    group.add_child(layer)
    group.add_to(m)
    return layer


def site_tables(lang: str) -> dict:
    """Escaped texts the site popups share: kind names, reasons, labels."""
    return {
        "kinds": [esc(kind_label(k, lang)) for k in SiteKind],
        "reasons": [esc(reason_label(r, lang)) for r in LeftOutReason],
        "unrecorded": esc(t("unrecorded", lang)),
        "not_visited": esc(t("not_visited", lang)),
    }


def _site_details(site: Site, visits: list[PlannedVisit], teams: dict[str, Team], lang: str) -> str:
    """Escaped extra popup HTML of a site: estimated location, note, planned visits (often empty)."""
    parts = []
    if site.location_estimated:
        parts.append(f"<br><i>{esc(t('location_estimated', lang))}</i>")
    if site.note:
        parts.append(f"<br>{esc(t('note', lang))}: {esc(site.note)}")
    if visits:
        parts.append(f"<br><b>{esc(t('planned_visits', lang))}</b><ul style='margin:2px 0;padding-left:16px'>")
        parts.extend(_visit_item(v, teams, lang) for v in visits)
        parts.append("</ul>")
    return "".join(parts)


def _visit_item(v: PlannedVisit, teams: dict[str, Team], lang: str) -> str:
    """One planned visit as a list item: team, date, recording time, people."""
    team = teams.get(v.team_day.team_id)
    name = team.name if team else v.team_day.team_id
    return (
        f"<li>{esc(name)} — {esc(short_date(v.team_day.date, lang))} {clock(v.stop.start_min)}–{clock(v.stop.end_min)}"
        f" · {number(v.stop.people, lang)} {esc(t('people', lang))}"
        + (f" · <b>{esc(change_label(v.stop, lang))}</b>" if change_label(v.stop, lang) else "")
        + "</li>"
    )


# --- panels ---------------------------------------------------------------------------------------

_PANEL_CSS = """<style>
.jemput-panel{position:fixed;z-index:1000;background:rgba(255,255,255,.94);padding:8px 10px;border-radius:6px;
 box-shadow:0 1px 5px rgba(0,0,0,.35);font:13px/1.35 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;max-width:290px}
.jemput-kpi{left:54px;top:10px}.jemput-links{left:54px;bottom:28px;max-height:45vh;overflow:auto}.jemput-legend{right:10px;bottom:28px;max-height:60vh;overflow:auto}
.jemput-panel summary{font-weight:600;cursor:pointer}.jemput-panel table{border-collapse:collapse}
.jemput-panel td{padding:1px 4px;vertical-align:top}.jemput-panel td.n{text-align:right;font-variant-numeric:tabular-nums}
.jemput-sw{display:inline-block;width:12px;height:12px;border-radius:50%;margin-right:5px;vertical-align:-1px}
.jemput-sq{display:inline-block;width:14px;height:10px;margin-right:5px;vertical-align:0;border:1px solid #777}
</style>"""


def _add_panels(m: folium.Map, scenario: Scenario, plan: Plan, lang: str, coverage: bool) -> None:
    """The KPI panel (top left, beside the zoom buttons) and the legend (bottom right) as fixed HTML boxes."""
    root = m.get_root()
    root.header.add_child(folium.Element(_PANEL_CSS))
    root.html.add_child(folium.Element(kpi_panel(plan, lang)))
    root.html.add_child(folium.Element(legend_panel(scenario, lang, coverage)))


def kpi_panel(plan: Plan, lang: str) -> str:
    """Escaped HTML of the plan's key figures: recordings, bound, gap, share reached, travel hours."""
    k = plan.kpis
    rows = (
        (t("expected_recordings", lang), number(k.expected_recordings, lang)),
        (t("upper_bound", lang), number(k.upper_bound, lang)),
        (t("gap", lang), percent(k.gap_to_bound, lang)),
        (t("share_reached", lang), percent(k.share_of_unrecorded, lang)),
        (t("travel_hours", lang), decimal(k.travel_hours, 1, lang)),
        (t("sites_served", lang), number(k.sites_served, lang)),
        (t("sites_left_out", lang), number(k.sites_left_out, lang)),
    )
    body = "".join(f"<tr><td>{esc(a)}</td><td class='n'>{esc(b)}</td></tr>" for a, b in rows)
    return (
        f"<div class='jemput-panel jemput-kpi' id='jemput-kpi'><details open><summary>{esc(plan.scenario_name)}"
        f"</summary><table>{body}</table></details></div>"
    )


def legend_panel(scenario: Scenario, lang: str, coverage: bool) -> str:
    """Escaped HTML legend: site kinds, served vs left out, size, coverage bins, team colours."""
    kinds = "".join(
        f"<div><span class='jemput-sw' style='background:{KIND_COLOUR[k]}'></span>{esc(kind_label(k, lang))}</div>"
        for k in SiteKind
    )
    grey = KIND_COLOUR[SiteKind.other]
    status = (
        f"<div><span class='jemput-sw' style='background:{grey}'></span>{esc(t('served', lang))}</div>"
        f"<div><span class='jemput-sw' style='border:2px dashed {grey};width:8px;height:8px'></span>{esc(t('left_out', lang))}</div>"
        f"<div><i>{esc(t('size_note', lang))}</i></div>"
    )
    teams = "".join(
        f"<div><span class='jemput-sq' style='background:{colour}'></span>{esc(team.name)}</div>"
        for team, colour in zip(scenario.teams, team_colours(scenario).values())
    )
    parts = [f"<div class='jemput-panel jemput-legend' id='jemput-legend'><details open><summary>{esc(t('legend', lang))}</summary>"]
    parts += [kinds, status]
    if coverage:
        parts.append(f"<div style='margin-top:4px'><b>{esc(t('coverage', lang))}</b></div>{_coverage_legend(lang)}")
    parts.append(f"<details><summary>{esc(t('teams', lang))}</summary>{teams}</details></details></div>")
    return "".join(parts)


def _coverage_legend(lang: str) -> str:
    """Legend rows of the coverage colours: none reached, the share bins, nobody left to record."""
    rows = [(COVERAGE_NONE, "0%")]
    lows = [low for low, _ in COVERAGE_BINS]
    for i, (low, colour) in enumerate(COVERAGE_BINS):
        high = lows[i + 1] if i + 1 < len(lows) else None
        rows.append((colour, f"{low * 100:g}–{high * 100:g}%" if high is not None else f"≥ {low * 100:g}%"))
    rows.append((COVERAGE_EMPTY, t("nobody_left", lang)))
    return "".join(f"<div><span class='jemput-sq' style='background:{c}'></span>{esc(label)}</div>" for c, label in rows)
