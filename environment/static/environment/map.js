// Live map of the stations (Leaflet). The page lists the same stations in a table, so the map
// is an addition, never the only way to the data.
(function () {
  "use strict";
  var element = document.getElementById("air-map");
  var data = document.getElementById("air-markers");
  if (!element || !data || typeof L === "undefined") { return; }
  var markers = JSON.parse(data.textContent);
  var map = L.map(element, { scrollWheelZoom: false }).setView([45.7537, 21.2257], 12);
  var tiles = element.getAttribute("data-tiles");
  if (tiles) {
    L.tileLayer(tiles, { maxZoom: 18, attribution: element.getAttribute("data-attribution") }).addTo(map);
  }
  var bounds = [];
  markers.forEach(function (m) {
    var circle = L.circleMarker([m.lat, m.lon], {
      radius: 10, color: "#1b1b1f", weight: 2, fillColor: m.colour, fillOpacity: m.status === "online" ? 0.9 : 0.4
    }).addTo(map);
    var link = document.createElement("a");
    link.href = m.url;
    link.textContent = m.name;
    var box = document.createElement("div");
    box.appendChild(link);
    box.appendChild(document.createElement("br"));
    box.appendChild(document.createTextNode(m.label));
    circle.bindPopup(box);
    circle.bindTooltip(m.name + ": " + m.label);
    bounds.push([m.lat, m.lon]);
  });
  if (bounds.length > 1) { map.fitBounds(bounds, { padding: [30, 30], maxZoom: 14 }); }
}());
