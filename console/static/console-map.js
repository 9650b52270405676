/* The console's overview map: vendored Leaflet drawing the plan's GeoJSON (routes per team-day,
   left-out sites) from the JSON in the map box's data-geojson attribute. Text from the plan goes in as text, never as HTML. */
(function () {
  'use strict';
  var PALETTE = ['#1b5e20', '#0d47a1', '#b71c1c', '#4a148c', '#e65100', '#006064', '#3e2723', '#827717',
                 '#880e4f', '#263238', '#1565c0', '#2e7d32'];

  function colour(team, seen) {
    if (!(team in seen)) { seen[team] = PALETTE[Object.keys(seen).length % PALETTE.length]; }
    return seen[team];
  }

  function textTooltip(layer, lines) {
    var div = document.createElement('div');
    lines.forEach(function (line) {
      var p = document.createElement('div');
      p.textContent = line;
      div.appendChild(p);
    });
    layer.bindTooltip(div, {sticky: true});
  }

  function draw(root) {
    if (!window.L) { return; }
    (root || document).querySelectorAll('[data-geojson]').forEach(function (box) {
      if (box.getAttribute('data-drawn') || !box.isConnected) { return; }
      box.setAttribute('data-drawn', '1');
      var data = JSON.parse(box.getAttribute('data-geojson'));
      var map = L.map(box, {preferCanvas: true});
      L.tileLayer('https://tile.openstreetmap.org/{z}/{x}/{y}.png', {maxZoom: 18,
        attribution: '\u00a9 OpenStreetMap'}).addTo(map);
      var seen = {}, routes = L.layerGroup(), left = L.layerGroup(), bounds = [];
      data.features.forEach(function (f) {
        var p = f.properties, g = f.geometry;
        if (p.feature === 'route') {
          var ll = g.coordinates.map(function (c) { return [c[1], c[0]]; });
          bounds = bounds.concat(ll);
          var line = L.polyline(ll, {color: colour(p.team_id, seen), weight: 3, opacity: 0.8});
          textTooltip(line, [p.team_id + ' · ' + p.date, p.stops + ' · ' + p.recordings + ' · ' + p.travel_km + ' km']);
          routes.addLayer(line);
        } else if (p.feature === 'stop') {
          var m = L.circleMarker([g.coordinates[1], g.coordinates[0]], {radius: 4, color: colour(p.team_id, seen), weight: 1, fillOpacity: 0.9});
          textTooltip(m, [p.site_name, p.team_id + ' · ' + p.date + ' · ' + p.start + '–' + p.end, String(p.people)]);
          routes.addLayer(m);
        } else if (p.feature === 'left_out') {
          var c = L.circleMarker([g.coordinates[1], g.coordinates[0]], {radius: 3, color: '#9e9e9e', weight: 1, fillOpacity: 0.6});
          bounds.push([g.coordinates[1], g.coordinates[0]]);
          textTooltip(c, [p.site_name, p.reason, String(p.unrecorded)]);
          left.addLayer(c);
        }
      });
      left.addTo(map);
      routes.addTo(map);
      var overlays = {};
      overlays[data.labels.map_routes] = routes;
      overlays[data.labels.map_left_out] = left;
      L.control.layers(null, overlays, {collapsed: false}).addTo(map);
      if (bounds.length) { map.fitBounds(L.latLngBounds(bounds), {padding: [16, 16]}); } else { map.setView([-2, 118], 5); }
    });
  }

  window.jemputMaps = {draw: draw};
})();
