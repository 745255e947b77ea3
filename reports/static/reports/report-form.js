/* The report form: put a pin on the map, use the device's location or find a typed place; then
   ask the server which open reports of the same category are within 50 m. Everything here has a
   no-JavaScript fallback (coordinate fields, and the server's own duplicate check on submit). */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("form-map");
    var latInput = document.getElementById("id_lat"), lonInput = document.getElementById("id_lon");
    var category = document.getElementById("id_category");
    var nearby = document.getElementById("nearby");
    var status = document.getElementById("location-status");
    var pin = null, map = null;

    function say(text) { if (status) status.textContent = text; }

    function checkNearby() {
      if (!nearby || !category.value || !latInput.value || !lonInput.value) return;
      var params = new URLSearchParams({ category: category.value, lat: latInput.value, lon: lonInput.value });
      fetch(nearby.dataset.url + "?" + params.toString(), { headers: { "HX-Request": "true" } })
        .then(function (r) { return r.text(); }).then(function (html) { nearby.innerHTML = html; });
    }

    function place(lat, lon, zoom) {
      latInput.value = lat.toFixed(6);
      lonInput.value = lon.toFixed(6);
      if (map) {
        if (pin) { pin.setLatLng([lat, lon]); } else {
          pin = L.marker([lat, lon], { draggable: true, keyboard: true, title: el.dataset.pinLabel }).addTo(map);
          pin.on("dragend", function () { var p = pin.getLatLng(); place(p.lat, p.lng); });
        }
        if (zoom) map.setView([lat, lon], zoom);
      }
      say(el ? el.dataset.placed : "");
      checkNearby();
    }

    if (el && typeof L !== "undefined") {
      map = L.map(el, { keyboard: true }).setView(JSON.parse(el.dataset.centre), 13);
      if (el.dataset.tiles) {
        L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.attribution }).addTo(map);
      } else { map.attributionControl.addAttribution(el.dataset.attribution); }
      fetch(el.dataset.areas).then(function (r) { return r.json(); }).then(function (data) {
        L.geoJSON(data, { style: { color: "#4a4a55", weight: 1, fillOpacity: 0.04 }, interactive: false }).addTo(map);
      }).catch(function () {});
      map.on("click", function (e) { place(e.latlng.lat, e.latlng.lng); });
      if (latInput.value && lonInput.value) place(parseFloat(latInput.value), parseFloat(lonInput.value), 17);
    }

    [latInput, lonInput].forEach(function (input) {
      input.addEventListener("change", function () {
        var lat = parseFloat(latInput.value), lon = parseFloat(lonInput.value);
        if (!isNaN(lat) && !isNaN(lon)) place(lat, lon, 17);
      });
    });
    category.addEventListener("change", checkNearby);

    var locate = document.getElementById("use-location");
    if (locate && navigator.geolocation) {
      locate.hidden = false;
      locate.addEventListener("click", function () {
        say(locate.dataset.searching);
        navigator.geolocation.getCurrentPosition(function (position) {
          place(position.coords.latitude, position.coords.longitude, 18);
        }, function () { say(locate.dataset.failed); }, { enableHighAccuracy: true, timeout: 15000 });
      });
    }

    // Address search: the server's list of matching streets and addresses (an HTML fragment, which
    // htmx also fetches as the citizen types); choosing one puts the pin there.
    var find = document.getElementById("find-address");
    var results = document.getElementById("geocode-results");
    var addressInput = document.getElementById("id_address");
    if (find && results && addressInput) {
      find.hidden = false;
      find.addEventListener("click", function () {
        var q = addressInput.value.trim();
        if (q.length < 2) return;
        fetch(find.dataset.url + "?address=" + encodeURIComponent(q), { headers: { "HX-Request": "true" } })
          .then(function (r) { return r.text(); }).then(function (html) { results.innerHTML = html; });
      });
      results.addEventListener("click", function (event) {
        var choice = event.target.closest(".address-choice");
        if (!choice) return;
        addressInput.value = choice.dataset.label;
        results.innerHTML = "";
        place(parseFloat(choice.dataset.lat), parseFloat(choice.dataset.lon), 17);
        addressInput.focus();
      });
    }
  });
})();
