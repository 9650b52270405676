"""The coordinator's overview map: one polyline per team-day, one layer per day, every site, coverage, escaping."""

from __future__ import annotations

import re

import folium
import pytest

from planner.model import Scenario, SiteKind
from planner.plan import LeftOutReason, Plan

from planner.io.links import template_links

from maps.common import esc as _esc
from maps.common import js_json, marker_radius
from maps.i18n import kind_label, reason_label, short_date
from maps.overview import SiteLayer, coverage_by_area, coverage_colour, overview_map, write_overview

from tests.maps.conftest import AMP_NAME, NOTE, SCRIPT_NAME, TEAM_NAME, TEMPLATE_NAME


@pytest.fixture(scope="module")
def omap(scenario: Scenario, plan: Plan) -> folium.Map:
    return overview_map(scenario, plan)


@pytest.fixture(scope="module")
def page(omap: folium.Map) -> str:
    return omap.get_root().render()


def _children(element, kind: type) -> list:
    """All descendants of a Folium element of one type."""
    found = []
    for child in element._children.values():
        if isinstance(child, kind):
            found.append(child)
        found.extend(_children(child, kind))
    return found


def _site_layer(omap: folium.Map) -> SiteLayer:
    (layer,) = _children(omap, SiteLayer)
    return layer


def _record_of(omap: folium.Map, name: str) -> list:
    """The site layer's record of the site with this (raw) name."""
    return next(r for r in _site_layer(omap).records if r[4] == _esc(name))


def test_one_polyline_per_team_day(plan: Plan, page: str) -> None:
    assert plan.team_days, "the fixture week should have routes"
    assert page.count("L.polyline(") == len(plan.team_days)


def test_one_route_layer_per_day_with_layer_control(omap: folium.Map, plan: Plan, page: str) -> None:
    days = sorted({td.date for td in plan.team_days})
    names = [g.layer_name for g in _children(omap, folium.FeatureGroup)]
    for day in days:
        assert f"Rute {short_date(day)}" in names
    assert len([n for n in names if n.startswith("Rute ")]) == len(days)
    assert "L.control.layers(" in page


def test_route_follows_start_stops_end(omap: folium.Map, scenario: Scenario, plan: Plan) -> None:
    sites = scenario.site_by_id()
    lines = _children(omap, folium.PolyLine)
    td = plan.team_days[0]
    expected = [[td.start_place.lat, td.start_place.lon]]
    expected += [[sites[s.site_id].lat, sites[s.site_id].lon] for s in td.stops]
    expected += [[td.end_place.lat, td.end_place.lon]]
    assert [[round(a, 6), round(b, 6)] for a, b in lines[0].locations] == [[round(a, 6), round(b, 6)] for a, b in expected]


def test_every_site_is_a_marker_filled_if_served_hollow_if_left_out(omap: folium.Map, scenario: Scenario, plan: Plan) -> None:
    layer = _site_layer(omap)
    assert len(layer.records) == len(scenario.sites)
    served = {s.site_id for td in plan.team_days for s in td.stops}
    for site in scenario.sites:
        style = layer.styles[_record_of(omap, site.name)[3]]
        assert (style["fillOpacity"] > 0) == (site.id in served), site.id


def test_marker_size_grows_with_unrecorded_on_a_sqrt_scale() -> None:
    assert marker_radius(0, 900) == 3.0
    assert marker_radius(900, 900) == 20.0
    assert marker_radius(225, 900) == pytest.approx(3 + 17 * 0.5, abs=0.05)


def test_site_popup_lists_planned_visits(omap: folium.Map, plan: Plan, script_day) -> None:
    record = _record_of(omap, SCRIPT_NAME)
    stop = next(s for s in script_day.stops if s.site_id == "X1")
    details = record[6]
    assert _esc(TEAM_NAME) in details and "Kunjungan terencana" in details
    assert f"{stop.start_min // 60:02d}:{stop.start_min % 60:02d}" in details
    assert f"{stop.people} orang" in details
    assert record[5] == "900" and record[7] == -1  # unrecorded, no left-out reason
    assert _esc(NOTE) in details


def test_left_out_popups_give_the_translated_reason(scenario: Scenario, plan: Plan) -> None:
    reasons = {lo.site_id: lo.reason for lo in plan.left_out}
    assert reasons["P1"] == LeftOutReason.needs_clearance
    for lang in ("id", "en"):
        omap = overview_map(scenario, plan, lang)
        layer, record = _site_layer(omap), _record_of(omap, "Lapas Kelas IIA")
        assert layer.tables["reasons"][record[7]] == _esc(reason_label(LeftOutReason.needs_clearance, lang))
        assert layer.tables["kinds"][record[3] // 2] == _esc(kind_label(SiteKind.prison, lang))


def test_input_text_is_escaped_everywhere(page: str) -> None:
    assert "<script>alert(1)" not in page
    for name in (SCRIPT_NAME, AMP_NAME, TEMPLATE_NAME):  # in the site data: escaped HTML inside escaped JSON
        assert js_json(_esc(name))[1:-1] in page
    assert AMP_NAME not in page
    assert "${alert(2)}" not in page  # would run inside Folium's JS template literals
    assert "<img src=x" not in page
    assert _esc(TEAM_NAME) in page and "<b>&</b>" not in page  # route tooltips, legend
    assert "Uji &lt;peta&gt; &amp; rute" in page  # title and KPI panel


def test_script_blocks_cannot_be_closed_by_data(page: str) -> None:
    assert page.count("</script>") == len(re.findall(r"<script[ >]", page))


def test_coverage_choropleth_by_regency_matches_the_kpis(omap: folium.Map, scenario: Scenario, plan: Plan) -> None:
    layers = {g.layer_name: g for g in _children(omap, folium.GeoJson)}
    assert set(layers) == {"Cakupan per kabupaten/kota", "Cakupan per kecamatan"}
    regency = layers["Cakupan per kabupaten/kota"]
    codes = [f["properties"]["code"] for f in regency.data["features"]]
    assert codes == ["15.71"]
    unrecorded, reached = coverage_by_area(scenario, plan, "regency")["15.71"]
    kpi = plan.kpis.by_regency["15.71"]
    assert (unrecorded, reached) == (kpi.unrecorded, kpi.expected_recordings)
    assert regency.data["features"][0]["properties"]["colour"] == coverage_colour(kpi.share, kpi.unrecorded)


def test_no_choropleth_when_codes_do_not_match(scenario: Scenario, plan: Plan) -> None:
    foreign = scenario.model_copy(update={"sites": tuple(s.model_copy(update={"regency_code": "99.01", "district_code": ""}) for s in scenario.sites)})
    assert not _children(overview_map(foreign, plan), folium.GeoJson)


def test_coverage_colours() -> None:
    assert coverage_colour(0.0, 0) != coverage_colour(0.0, 100) != coverage_colour(0.3, 100)
    assert coverage_colour(0.5, 100) == coverage_colour(0.9, 100)


def test_kpi_panel_and_legend(page: str, plan: Plan) -> None:
    k = plan.kpis
    assert 'id=\'jemput-kpi\'' in page and 'id=\'jemput-legend\'' in page
    assert f"{k.expected_recordings:,}".replace(",", ".") in page
    assert f"{k.upper_bound:,}".replace(",", ".") in page
    for label in ("Perkiraan perekaman", "Batas atas", "Selisih dari batas atas", "Bagian yang terjangkau", "Jam perjalanan"):
        assert label in page
    for kind in ("Desa/kelurahan", "Lapas/rutan", "Rumah sakit", "Sekolah", "Panti", "Lainnya"):
        assert kind in page


def test_english(scenario: Scenario, plan: Plan) -> None:
    page = overview_map(scenario, plan, lang="en").get_root().render()
    assert "Expected recordings" in page and "Coverage by regency" in page and "Perkiraan perekaman" not in page


def test_write_overview(tmp_path, scenario: Scenario, plan: Plan) -> None:
    path = write_overview(scenario, plan, tmp_path / "overview.html")
    assert path.stat().st_size > 10_000 and "L.polyline(" in path.read_text(encoding="utf-8")


def test_unknown_language_fails(scenario: Scenario, plan: Plan) -> None:
    with pytest.raises(ValueError, match="unsupported language"):
        overview_map(scenario, plan, lang="fr")


def test_nothing_from_a_cdn(page: str) -> None:
    """Folium's CDN links are gone: Leaflet is inline, no <script src> or stylesheet link leaves the file."""
    assert "<script src=" not in page and 'rel="stylesheet"' not in page
    for host in ("cdn.jsdelivr", "code.jquery", "cdnjs", "bootstrapcdn", "fontawesome"):
        assert host not in page
    assert "Leaflet 1.9.3" in page or "leaflet 1.9.3" in page.lower()


def test_qr_code_per_team_day_with_escaped_links(scenario: Scenario, plan: Plan) -> None:
    links = template_links("https://jemput.example/app/{team}/{date}?x=<b>&y=1", plan)
    page = overview_map(scenario, plan, links=links).get_root().render()
    assert page.count("class='jemput-qr'") == len(plan.team_days)
    assert page.count("data:image/svg+xml;base64,") == len(plan.team_days)
    assert "?x=<b>" not in page and "?x=&lt;b&gt;&amp;y=1" in page
    assert "id='jemput-links'" not in overview_map(scenario, plan).get_root().render()  # no links, no panel
