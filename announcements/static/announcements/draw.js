// Drawing the affected place (Leaflet-Geoman): a point, a line along the streets, an area. Every
// change is written into the GeoJSON textarea, which stays editable for keyboard users; a geometry
// typed there is drawn on the map when the field loses focus.
(function () {
  "use strict";
  var element = document.getElementById("ann-draw");
  if (!element || typeof L === "undefined" || !L.PM) { return; }
  var field = document.getElementById(element.getAttribute("data-target"));
  if (!field) { return; }
  var map = L.map(element, { scrollWheelZoom: false }).setView([45.7537, 21.2257], 13);
  var tiles = element.getAttribute("data-tiles");
  if (tiles) {
    L.tileLayer(tiles, { maxZoom: 19, attribution: element.getAttribute("data-attribution") }).addTo(map);
  }
  var lang = (document.documentElement.lang || "ro").slice(0, 2);
  if (map.pm.setLang) { map.pm.setLang(lang === "ro" ? "ro" : "en"); }
  map.pm.addControls({
    position: "topleft", drawMarker: true, drawPolyline: true, drawPolygon: true, drawRectangle: true,
    drawCircle: false, drawCircleMarker: false, drawText: false, cutPolygon: false, rotateMode: false
  });
  // Geoman's buttons are links named only by their container's title: give each its name.
  Array.prototype.forEach.call(element.querySelectorAll(".leaflet-buttons-control-button"), function (button) {
    var title = button.parentNode && button.parentNode.getAttribute("title");
    if (title) { button.setAttribute("aria-label", title); }
  });

  function geometryOf(layer) {
    if (layer instanceof L.Circle) { return null; }
    var geojson = layer.toGeoJSON();
    return geojson && geojson.geometry ? geojson.geometry : null;
  }

  function write() {
    var geometries = [];
    map.pm.getGeomanLayers().forEach(function (layer) {
      var geometry = geometryOf(layer);
      if (geometry) { geometries.push(geometry); }
    });
    if (!geometries.length) { field.value = ""; return; }
    field.value = JSON.stringify(geometries.length === 1 ? geometries[0]
      : { type: "GeometryCollection", geometries: geometries });
  }

  function read() {
    var text = field.value.trim();
    map.pm.getGeomanLayers().forEach(function (layer) { map.removeLayer(layer); });
    if (!text) { return; }
    var data;
    try { data = JSON.parse(text); } catch (error) { return; }  // the server names the error
    try {
      var layer = L.geoJSON(data, { pmIgnore: false });
      layer.eachLayer(function (child) { child.addTo(map); child.on("pm:edit", write); });
      if (layer.getLayers().length) { map.fitBounds(layer.getBounds(), { padding: [30, 30], maxZoom: 17 }); }
    } catch (error) { /* not drawable: left to the server's check */ }
  }

  map.on("pm:create", function (event) { event.layer.on("pm:edit", write); write(); });
  map.on("pm:remove", write);
  map.on("pm:globaleditmodetoggled", write);
  map.on("pm:globaldragmodetoggled", write);
  field.addEventListener("change", read);
  read();
}());
