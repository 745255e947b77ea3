// The resources map (Leaflet). It reads /resources/map.json for the view on screen: groups of places
// (a number) when many are in view, else the places themselves. Every marker is a focusable link-like
// control (Tab, Enter), the map pans with the arrow keys, and the list under the map holds the same
// places, so the map is never the only way to them.
(function () {
  "use strict";
  var element = document.getElementById("resources-map");
  if (!element || typeof L === "undefined") { return; }
  var map = L.map(element, { scrollWheelZoom: false, keyboard: true }).setView([45.7537, 21.2257], 12);
  var tiles = element.getAttribute("data-tiles");
  if (tiles) {
    L.tileLayer(tiles, { maxZoom: 19, attribution: element.getAttribute("data-attribution") }).addTo(map);
  }
  var layer = L.layerGroup().addTo(map);
  var source = element.getAttribute("data-src");
  var groupLabel = element.getAttribute("data-group-label");
  var pending = null;
  var labelsElement = document.getElementById("resources-layer-labels");
  var layerLabels = labelsElement ? JSON.parse(labelsElement.textContent) : {};

  function icon(text, className, size) {
    return L.divIcon({ className: "resources-marker " + className, html: "<span>" + text + "</span>",
                       iconSize: [size, size] });
  }

  function draw(data) {
    layer.clearLayers();
    data.features.forEach(function (feature) {
      var c = feature.geometry.coordinates;
      var p = feature.properties;
      if (data.clustered) {
        var group = L.marker([c[1], c[0]], { icon: icon(String(p.count), "group", 34), keyboard: true,
                                             title: p.count + " " + groupLabel, alt: p.count + " " + groupLabel });
        group.on("click keypress", function () { map.setView([c[1], c[0]], Math.min(map.getZoom() + 2, 18)); });
        layer.addLayer(group);
        return;
      }
      // The layer's initial in the marker (as in the legend), so colour is not the only difference;
      // its name in the marker's accessible name.
      var layerLabel = layerLabels[p.layer] || "";
      var name = layerLabel ? p.title + " (" + layerLabel + ")" : p.title;
      var marker = L.marker([c[1], c[0]], { icon: icon(layerLabel.charAt(0).toUpperCase(), "layer-" + p.layer, 22),
                                            keyboard: true, title: name, alt: name });
      var box = document.createElement("div");
      var link = document.createElement("a");
      link.href = p.url;
      link.textContent = p.title;
      box.appendChild(link);
      if (layerLabel) { box.appendChild(document.createElement("br")); box.appendChild(document.createTextNode(layerLabel)); }
      if (p.address) { box.appendChild(document.createElement("br")); box.appendChild(document.createTextNode(p.address)); }
      marker.bindPopup(box);
      layer.addLayer(marker);
    });
  }

  function load() {
    var b = map.getBounds();
    var west = Math.max(b.getWest(), -180), east = Math.min(b.getEast(), 180);
    var south = Math.max(b.getSouth(), -90), north = Math.min(b.getNorth(), 90);
    if (east - west > 5 || north - south > 5) { return; }
    var url = source + "&bbox=" + [west, south, east, north].map(function (n) { return n.toFixed(5); }).join(",");
    if (pending) { pending.abort(); }
    pending = new AbortController();
    fetch(url, { signal: pending.signal, headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) { draw(data); } })
      .catch(function () { /* a newer view replaced this request, or the network failed: the list remains */ });
  }

  map.on("moveend", load);
  load();
}());
