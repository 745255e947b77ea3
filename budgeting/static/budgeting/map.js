/* Maps of the budgeting room (Leaflet). Every map has a text alternative on the page (a list or
   table of the same places), so the map is an enhancement only. */
(function () {
  "use strict";
  function tiles(map, el) {
    L.tileLayer(el.dataset.tiles, {
      maxZoom: 19,
      attribution: '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
    }).addTo(map);
  }
  function data(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }
  document.querySelectorAll("[data-pb-map]").forEach(function (el) {
    var centre = [45.7537, 21.2257];
    var map = L.map(el, { scrollWheelZoom: false }).setView(centre, 12);
    tiles(map, el);
    var markers = data(el.dataset.markers) || [];
    var bounds = [];
    markers.forEach(function (m) {
      var marker = L.marker([m.lat, m.lon], { title: m.title, alt: m.title }).addTo(map);
      if (m.url) {
        var link = document.createElement("a");
        link.href = m.url;
        link.textContent = m.title;
        marker.bindPopup(link);
      }
      bounds.push([m.lat, m.lon]);
    });
    if (bounds.length > 1) { map.fitBounds(bounds, { padding: [24, 24], maxZoom: 15 }); }
    else if (bounds.length === 1) { map.setView(bounds[0], 15); }
  });
  /* Location picker: clicking the map fills the latitude/longitude fields (which remain the
     accessible way to give the location). */
  document.querySelectorAll("[data-pb-picker]").forEach(function (el) {
    var lat = document.getElementById(el.dataset.lat);
    var lon = document.getElementById(el.dataset.lon);
    var map = L.map(el, { scrollWheelZoom: false }).setView([45.7537, 21.2257], 12);
    tiles(map, el);
    var marker = null;
    function place(latlng, pan) {
      if (marker) { marker.setLatLng(latlng); } else { marker = L.marker(latlng, { alt: el.dataset.label }).addTo(map); }
      if (pan) { map.setView(latlng, 16); }
    }
    if (lat.value && lon.value) { place([parseFloat(lat.value), parseFloat(lon.value)], true); }
    map.on("click", function (event) {
      lat.value = event.latlng.lat.toFixed(6);
      lon.value = event.latlng.lng.toFixed(6);
      place(event.latlng, false);
    });
    [lat, lon].forEach(function (input) {
      input.addEventListener("change", function () {
        if (lat.value && lon.value) { place([parseFloat(lat.value), parseFloat(lon.value)], true); }
      });
    });
  });
})();
