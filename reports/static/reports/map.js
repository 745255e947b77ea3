/* Public map of reports and the small map of one report. Progressive: the list below each map
   is the text alternative and works without JavaScript. */
(function () {
  "use strict";
  function tiles(map, el) {
    var url = el.dataset.tiles;
    if (url) {
      L.tileLayer(url, { maxZoom: 19, attribution: el.dataset.attribution }).addTo(map);
    } else {
      map.attributionControl.addAttribution(el.dataset.attribution);
    }
  }
  function areas(map, el) {
    if (!el.dataset.areas) return;
    fetch(el.dataset.areas).then(function (r) { return r.json(); }).then(function (data) {
      L.geoJSON(data, { style: { color: "#4a4a55", weight: 1, fillOpacity: 0.04 },
        onEachFeature: function (feature, layer) { layer.bindTooltip(feature.properties.name); } }).addTo(map);
    }).catch(function () {});
  }
  function marker(lat, lon, open, title) {
    // The title is the marker's accessible name (Leaflet gives keyboard markers role="button").
    return L.marker([lat, lon], { keyboard: true, title: title, icon: L.divIcon({ className: "report-marker " + (open ? "marker-open" : "marker-closed"), iconSize: [16, 16] }) });
  }
  var CLOSED = { fixed: 1, closed_not_fixed: 1, duplicate: 1, not_responsible: 1 };

  function publicMap(el) {
    var map = L.map(el, { keyboard: true }).setView(JSON.parse(el.dataset.centre), 13);
    tiles(map, el);
    areas(map, el);
    var layer = L.layerGroup().addTo(map);
    var labels = JSON.parse(document.getElementById("status-labels").textContent);
    var names = JSON.parse(document.getElementById("category-names").textContent);
    var query = JSON.parse(document.getElementById("map-query").textContent);
    var status = document.getElementById("map-status");
    // The page of report 0 in the page's language (/ro/sesizari/0/, /en/reports/0/), from reverse().
    var reportUrl = el.dataset.report;
    function load() {
      var b = map.getBounds();
      var params = new URLSearchParams(query);
      params.set("bbox", [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(5); }).join(","));
      fetch(el.dataset.url + "?" + params.toString()).then(function (r) { return r.json(); }).then(function (data) {
        layer.clearLayers();
        data.items.forEach(function (item) {
          var id = item[0], open = !CLOSED[item[4]];
          var link = document.createElement("a");
          link.href = reportUrl.replace(/0\/$/, id + "/");
          link.textContent = "#" + id + " " + item[5];
          var box = document.createElement("div");
          box.appendChild(link);
          box.appendChild(document.createElement("br"));
          box.appendChild(document.createTextNode((names[item[3]] || item[3]) + " · " + (labels[item[4]] || item[4])));
          marker(item[1], item[2], open, "#" + id + " " + item[5]).bindPopup(box).addTo(layer);
        });
        if (status) status.textContent = el.dataset.shown.replace("%s", data.items.length) + (data.truncated ? " " + el.dataset.truncated : "");
      }).catch(function () {});
    }
    map.on("moveend", load);
    load();
  }

  function oneReport(el) {
    var lat = parseFloat(el.dataset.lat), lon = parseFloat(el.dataset.lon);
    var map = L.map(el, { keyboard: true, scrollWheelZoom: false }).setView([lat, lon], 17);
    tiles(map, el);
    areas(map, el);
    marker(lat, lon, el.dataset.open === "1", el.dataset.title).addTo(map);
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (typeof L === "undefined") return;
    var el = document.getElementById("reports-map");
    if (el) publicMap(el);
    var one = document.getElementById("report-map");
    if (one) oneReport(one);
  });
})();
