// The announcements' map (Leaflet). The page lists the same announcements below, so the map is an
// addition, never the only way to them.
(function () {
  "use strict";
  var element = document.getElementById("ann-map");
  var data = document.getElementById("ann-markers");
  if (!element || !data || typeof L === "undefined") { return; }
  var items = JSON.parse(data.textContent);
  var map = L.map(element, { scrollWheelZoom: false }).setView([45.7537, 21.2257], 12);
  var tiles = element.getAttribute("data-tiles");
  if (tiles) {
    L.tileLayer(tiles, { maxZoom: 18, attribution: element.getAttribute("data-attribution") }).addTo(map);
  }
  var colours = { info: "#0b4f8a", warning: "#b35900", critical: "#a4161a" };
  var group = L.featureGroup().addTo(map);
  items.forEach(function (item) {
    var colour = colours[item.severity] || "#0b4f8a";
    var layer = L.geoJSON(item.geometry, {
      style: function () { return { color: colour, weight: 5, opacity: 0.9, fillOpacity: 0.2 }; },
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, { radius: 9, color: "#1b1b1f", weight: 2, fillColor: colour, fillOpacity: 0.9 });
      }
    });
    var link = document.createElement("a");
    link.href = item.url;
    link.textContent = item.title;
    var box = document.createElement("div");
    box.appendChild(link);
    box.appendChild(document.createElement("br"));
    box.appendChild(document.createTextNode(item.category));
    layer.bindPopup(box);
    layer.bindTooltip(item.title + " (" + item.category + ")");
    layer.addTo(group);
  });
  if (items.length) { map.fitBounds(group.getBounds(), { padding: [30, 30], maxZoom: 16 }); }
}());
