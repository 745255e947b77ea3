// The alert form's map: a click sets the point (latitude, longitude fields) and shows the chosen distance.
(function () {
  "use strict";
  var box = document.getElementById("alert-map");
  var lat = document.getElementById("id_lat");
  var lon = document.getElementById("id_lon");
  var radius = document.getElementById("id_radius_m");
  if (!box || !lat || !lon || typeof L === "undefined") { return; }
  var map = L.map(box).setView([45.7537, 21.2257], 12);
  if (box.dataset.tiles) {
    L.tileLayer(box.dataset.tiles, { maxZoom: 19, attribution: box.dataset.attribution || "" }).addTo(map);
  }
  var circle = null;
  function draw() {
    var la = parseFloat(lat.value), lo = parseFloat(lon.value);
    if (isNaN(la) || isNaN(lo)) { return; }
    if (circle) { map.removeLayer(circle); }
    circle = L.circle([la, lo], { radius: parseInt(radius && radius.value, 10) || 1000 }).addTo(map);
  }
  map.on("click", function (event) {
    lat.value = event.latlng.lat.toFixed(5);
    lon.value = event.latlng.lng.toFixed(5);
    var point = document.querySelector('input[name="place"][value="point"]');
    if (point) { point.checked = true; }
    draw();
  });
  [lat, lon, radius].forEach(function (field) { if (field) { field.addEventListener("change", draw); } });
  draw();
})();
