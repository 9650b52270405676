"""The campaign page: share recorded per regency week by week against the deadline, a map of what
remains unrecorded at the deadline, the top decisions and the assumptions (Folium, Leaflet inline).

Every text from input files (site, office, team names, ids) passes through `esc`, data for the
script through `js_json`; nothing loads from a CDN (the map tiles need a connection, the rest not).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import folium
from branca.element import MacroElement
from folium.template import Template

from planner.campaign import Campaign
from planner.campaign.run import Decision

from maps.assets import inline_leaflet
from maps.campaign_text import ct
from maps.common import TEAM_PALETTE, decimal, esc, js_json, marker_radius, number, percent
from maps.i18n import check_lang, short_date
from maps.overview import _boundaries, coverage_colour

TOP_DECISIONS = 10
CHART_W, CHART_H, PAD = 440, 220, 36


class RemainingLayer(MacroElement):
    """Sites with people left at the deadline as canvas circles from one JSON array [lat, lon, r, name, left]."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
          var layer = {{ this._parent.get_name() }}, label = {{ this.label_json }};
          {{ this.records_json }}.forEach(function (r) {
            L.circleMarker([r[0], r[1]], {radius: r[2], color: '#b2182b', weight: 1, fillColor: '#ef8a62', fillOpacity: 0.6})
              .bindTooltip(r[3] + ': ' + r[4] + ' ' + label).addTo(layer);
          });
        })();
        {% endmacro %}
        """
    )

    def __init__(self, records: list[list], label: str) -> None:
        super().__init__()
        self._name = "RemainingLayer"
        self.records_json = js_json(records)
        self.label_json = js_json(label)


def campaign_map(campaign: Campaign, lang: str = "id") -> folium.Map:
    """The whole page as a Folium map with the campaign panel beside it."""
    check_lang(lang)
    final = campaign.baseline.final
    sites = [s for s in final.sites if s.unrecorded > 0]
    lats = [s.lat for s in final.sites] or [-2.0]
    lons = [s.lon for s in final.sites] or [103.0]
    m = folium.Map(location=[(min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2], zoom_start=8,
                   tiles="OpenStreetMap", prefer_canvas=True, control_scale=True)
    m.fit_bounds([[min(lats), min(lons)], [max(lats), max(lons)]])
    m.get_root().title = esc(f"{campaign.baseline.start.name} — {ct('title', lang)}")
    _add_shares(m, campaign, lang)
    largest = max((s.unrecorded for s in sites), default=0)
    layer = folium.FeatureGroup(name=esc(ct("map_left", lang)), show=True).add_to(m)
    records = [[s.lat, s.lon, marker_radius(s.unrecorded, largest), esc(s.name), number(s.unrecorded, lang)] for s in sites]
    layer.add_child(RemainingLayer(records, ct("people_left", lang)))
    folium.LayerControl(collapsed=False).add_to(m)
    root = m.get_root()
    root.header.add_child(folium.Element(_CSS))
    root.html.add_child(folium.Element(panel(campaign, lang)))
    return inline_leaflet(m)


def write_campaign_page(campaign: Campaign, path: str | Path, lang: str = "id") -> Path:
    """Save the campaign page as one HTML file."""
    path = Path(path)
    campaign_map(campaign, lang).save(str(path))
    return path


def _add_shares(m: folium.Map, campaign: Campaign, lang: str) -> None:
    """Regencies coloured by the share recorded at the deadline, where the bundled boundaries match."""
    gdf = _boundaries("regency")
    last = _last_rows(campaign)
    if gdf is None or not last:
        return
    matched = gdf[gdf["code"].isin(list(last))]
    if matched.empty:
        return
    features = []
    for row in matched.itertuples():
        r = last[row.code]
        start = r.recorded_to_date + r.remaining
        label = f"<b>{esc(row.name)}</b><br>{esc(ct('map_share', lang))}: {percent(r.share_recorded, lang)} ({number(r.remaining, lang)} {esc(ct('people_left', lang))})"
        colour = coverage_colour(r.share_recorded, start)
        features.append({"type": "Feature", "geometry": row.geometry.__geo_interface__,
                         "properties": {"label": label, "colour": colour}})
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features}, name=esc(ct("map_share", lang)),
        style_function=lambda f: {"fillColor": f["properties"]["colour"], "color": "#555", "weight": 1, "fillOpacity": 0.4},
        tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False),
    ).add_to(m)


def _last_rows(campaign: Campaign) -> dict:
    out = {}
    for row in campaign.projection:
        out[row.regency_code] = row  # rows are in week order per regency: the last one stands at the deadline
    return out


def _name(campaign: Campaign, code: str) -> str:
    return campaign.regency_names.get(code) or code or "—"


def panel(campaign: Campaign, lang: str) -> str:
    """Escaped HTML of the side panel: totals, the chart, the table, the decisions, the assumptions."""
    run = campaign.baseline
    recorded = run.recorded()
    left = sum(s.unrecorded for s in run.final.sites)
    head = (
        f"<h2>{esc(ct('title', lang))}</h2><div>{esc(run.start.name)}</div>"
        f"<table class='kv'><tr><td>{esc(ct('start', lang))}</td><td>{esc(short_date(run.weeks[0].start, lang))}</td></tr>"
        f"<tr><td>{esc(ct('deadline', lang))}</td><td>{esc(short_date(campaign.options.deadline, lang))}</td></tr>"
        f"<tr><td>{esc(ct('weeks', lang))}</td><td>{len(run.weeks)}</td></tr>"
        f"<tr><td>{esc(ct('recorded_total', lang))}</td><td class='n'>{number(recorded, lang)}</td></tr>"
        f"<tr><td>{esc(ct('left_total', lang))}</td><td class='n'>{number(left, lang)}</td></tr></table>"
    )
    return (
        f"<div id='jemput-campaign' class='jc-panel'><details open><summary>{esc(ct('title', lang))}</summary>{head}"
        f"<h3>{esc(ct('share_chart', lang))}</h3>{share_chart(campaign, lang)}{share_table(campaign, lang)}"
        f"<h3>{esc(ct('decisions', lang))}</h3>{decisions_table(campaign.decisions[:TOP_DECISIONS], campaign, lang)}"
        f"<h3>{esc(ct('assumptions', lang))}</h3>{assumptions(campaign, lang)}</details></div>"
    )


def _series(campaign: Campaign) -> dict[str, list[float]]:
    out: dict[str, list[float]] = defaultdict(lambda: [0.0])
    for row in campaign.projection:
        out[row.regency_code].append(row.share_recorded)
    return dict(out)


def share_chart(campaign: Campaign, lang: str) -> str:
    """An inline SVG: one line per regency, share recorded at each week's end, the deadline at the right edge."""
    series = _series(campaign)
    n = len(campaign.baseline.weeks)
    top = max([v for s in series.values() for v in s] + [0.05])
    top = min(1.0, (int(top * 10) + 1) / 10)
    w, h = CHART_W - 2 * PAD, CHART_H - 2 * PAD

    def xy(i: int, v: float) -> str:
        return f"{PAD + w * i / max(1, n):.1f},{PAD + h * (1 - v / top):.1f}"

    parts = [f"<svg class='jc-chart' viewBox='0 0 {CHART_W} {CHART_H}' role='img' aria-label='{esc(ct('share_chart', lang))}'>"]
    for k in range(5):
        v = top * k / 4
        y = PAD + h * (1 - k / 4)
        parts.append(f"<line x1='{PAD}' y1='{y:.1f}' x2='{PAD + w}' y2='{y:.1f}' stroke='#ddd'/>"
                     f"<text x='{PAD - 4}' y='{y + 4:.1f}' text-anchor='end'>{esc(percent(v, lang))}</text>")
    for i, week in enumerate(campaign.baseline.weeks):
        parts.append(f"<text x='{PAD + w * i / max(1, n):.1f}' y='{CHART_H - PAD + 14}' text-anchor='middle'>{esc(short_date(week.start, lang))}</text>")
    parts.append(f"<line x1='{PAD + w}' y1='{PAD}' x2='{PAD + w}' y2='{PAD + h}' stroke='#b2182b' stroke-dasharray='4 3'/>"
                 f"<text x='{PAD + w}' y='{PAD - 6}' text-anchor='end' fill='#b2182b'>{esc(ct('deadline', lang))} "
                 f"{esc(short_date(campaign.options.deadline, lang))}</text>")
    for j, (code, values) in enumerate(sorted(series.items())):
        colour = TEAM_PALETTE[j % len(TEAM_PALETTE)]
        pts = " ".join(xy(i, v) for i, v in enumerate(values))
        parts.append(f"<polyline fill='none' stroke='{colour}' stroke-width='2' points='{pts}'><title>{esc(_name(campaign, code))}</title></polyline>")
    parts.append("</svg>")
    return "".join(parts)


def share_table(campaign: Campaign, lang: str) -> str:
    """Regency × week table of the share recorded to date, with the people left at the deadline."""
    series = _series(campaign)
    last = _last_rows(campaign)
    weeks = campaign.baseline.weeks
    head = "".join(f"<th>{esc(short_date(w.start, lang))}</th>" for w in weeks)
    rows = []
    for j, code in enumerate(sorted(series)):
        colour = TEAM_PALETTE[j % len(TEAM_PALETTE)]
        cells = "".join(f"<td class='n'>{esc(percent(v, lang))}</td>" for v in series[code][1:])
        rows.append(f"<tr><td><span class='jc-sw' style='background:{colour}'></span>{esc(_name(campaign, code))}</td>{cells}"
                    f"<td class='n'>{number(last[code].remaining, lang)}</td></tr>")
    return (f"<table class='jc-table'><tr><th>{esc(ct('regency', lang))}</th>{head}<th>{esc(ct('remaining', lang))}</th></tr>"
            f"{''.join(rows)}</table>")


def decisions_table(decisions: tuple[Decision, ...], campaign: Campaign, lang: str) -> str:
    """The decisions with their gain, gain per kit-week, basis and gaining regencies."""
    if not decisions:
        return f"<p>{esc(ct('none', lang))}</p>"
    rows = []
    for i, d in enumerate(decisions, 1):
        gaining = ", ".join(_name(campaign, c) for c in d.gaining_regencies()) or ct("none", lang)
        rows.append(
            f"<tr><td>{i}</td><td>{esc(d.action.describe(lang, campaign.regency_names))}</td><td class='n'>{number(d.gain, lang)}</td>"
            f"<td class='n'>{esc(decimal(d.gain_per_kit_week, 1, lang))}</td><td>{esc(ct('basis_' + d.basis, lang))}</td>"
            f"<td>{esc(gaining)}</td></tr>"
        )
    return (f"<table class='jc-table'><tr><th>#</th><th>{esc(ct('decision', lang))}</th><th>{esc(ct('gain', lang))}</th>"
            f"<th>{esc(ct('per_kit_week', lang))}</th><th>{esc(ct('basis', lang))}</th><th>{esc(ct('gaining', lang))}</th></tr>"
            f"{''.join(rows)}</table>")


def assumption_lines(campaign: Campaign, lang: str) -> list[str]:
    """The campaign's assumptions as sentences (not escaped)."""
    o = campaign.options
    decay = decimal(campaign.baseline.start.visits.repeat_turnout_decay, 2, lang)
    return [
        ct("assume_turnout", lang, decay=decay),
        ct("assume_repair", lang, days=o.repair_days),
        ct("assume_lend", lang),
        ct("assume_team", lang, kits=o.add_team_kits),
        ct("assume_screen", lang, n=o.confirm_top),
    ]


def assumptions(campaign: Campaign, lang: str) -> str:
    """The campaign's assumptions as an HTML list."""
    return "<ul>" + "".join(f"<li>{esc(x)}</li>" for x in assumption_lines(campaign, lang)) + "</ul>"


_CSS = """<style>
.jc-panel{position:fixed;top:10px;left:54px;z-index:1000;background:#fff;padding:8px 10px;border-radius:6px;
 box-shadow:0 1px 6px rgba(0,0,0,.35);font:13px/1.35 system-ui,sans-serif;max-width:min(560px,calc(100vw - 80px));
 max-height:calc(100vh - 30px);overflow:auto}
.jc-panel h2{font-size:16px;margin:4px 0}.jc-panel h3{font-size:14px;margin:10px 0 4px}
.jc-panel summary{font-weight:600;cursor:pointer}
.jc-table{border-collapse:collapse;width:100%}.jc-table td,.jc-table th{border-bottom:1px solid #eee;padding:2px 4px;text-align:left}
.jc-panel .n{text-align:right;white-space:nowrap}.kv td{padding:1px 6px 1px 0}
.jc-sw{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}
.jc-chart{width:100%;height:auto}.jc-chart text{font-size:10px;fill:#333}
</style>"""
