// The notifications page, progressively enhanced: the place form shows the fields of the chosen kind of
// place and a map fills them (click: the point; polygon tool: the area); the push buttons subscribe this
// browser through the service worker at /sw.js. Without JavaScript every field stays visible and works.
(function () {
  "use strict";

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // --- Place form ---------------------------------------------------------------------------------
  var form = document.querySelector(".place-form");
  if (form) {
    var radios = form.querySelectorAll("input[name=kind]");
    var sections = form.querySelectorAll("[data-kind]");
    var current = function () {
      var checked = form.querySelector("input[name=kind]:checked");
      return checked ? checked.value : "neighbourhood";
    };
    var show = function () {
      var kind = current();
      sections.forEach(function (section) {
        section.hidden = section.getAttribute("data-kind").split(" ").indexOf(kind) < 0;
      });
      if (map) { setTimeout(function () { map.invalidateSize(); }, 0); }
    };
    var choose = function (kind) {
      radios.forEach(function (radio) { radio.checked = radio.value === kind; });
      show();
    };
    radios.forEach(function (radio) { radio.addEventListener("change", show); });

    var element = document.getElementById("place-map");
    var map = null;
    if (element && typeof L !== "undefined") {
      map = L.map(element, { scrollWheelZoom: false }).setView([45.7537, 21.2257], 13);
      var tiles = element.getAttribute("data-tiles");
      if (tiles) {
        L.tileLayer(tiles, { maxZoom: 19, attribution: element.getAttribute("data-attribution") }).addTo(map);
      }
      var lat = document.getElementById("id_lat");
      var lon = document.getElementById("id_lon");
      var radius = document.getElementById("id_radius_m");
      var polygon = document.getElementById("id_polygon");
      var circle = null;
      var drawCircle = function () {
        var la = parseFloat(lat.value), lo = parseFloat(lon.value), r = parseInt(radius.value, 10) || 500;
        if (isNaN(la) || isNaN(lo)) { return; }
        if (circle) { circle.setLatLng([la, lo]).setRadius(r); }
        else { circle = L.circle([la, lo], { radius: r, pmIgnore: true }).addTo(map); }
      };
      map.on("click", function (event) {
        if (map.pm && map.pm.globalDrawModeEnabled && map.pm.globalDrawModeEnabled()) { return; }
        lat.value = event.latlng.lat.toFixed(6);
        lon.value = event.latlng.lng.toFixed(6);
        choose("point");
        drawCircle();
      });
      [lat, lon, radius].forEach(function (input) { input.addEventListener("change", drawCircle); });
      if (map.pm) {
        if (map.pm.setLang) { map.pm.setLang((document.documentElement.lang || "ro").slice(0, 2) === "ro" ? "ro" : "en"); }
        map.pm.addControls({
          position: "topleft", drawMarker: false, drawPolyline: false, drawCircle: false, drawCircleMarker: false,
          drawText: false, cutPolygon: false, rotateMode: false, drawPolygon: true, drawRectangle: true
        });
        var writeArea = function () {
          var shapes = map.pm.getGeomanLayers().filter(function (layer) { return layer instanceof L.Polygon; });
          if (!shapes.length) { polygon.value = ""; return; }
          polygon.value = JSON.stringify(shapes[shapes.length - 1].toGeoJSON().geometry);
          choose("area");
        };
        map.on("pm:create", function (event) {
          // One area at a time: a new drawing replaces the previous one.
          map.pm.getGeomanLayers().forEach(function (layer) {
            if (layer !== event.layer && layer instanceof L.Polygon) { map.removeLayer(layer); }
          });
          event.layer.on("pm:edit", writeArea);
          writeArea();
        });
        map.on("pm:remove", writeArea);
      }
      drawCircle();
    }
    show();
  }

  // --- Push on this device ------------------------------------------------------------------------
  var controls = document.getElementById("push-controls");
  if (!controls) { return; }
  var key = controls.getAttribute("data-key");
  var status = document.getElementById("push-status");
  var on = document.getElementById("push-on");
  var off = document.getElementById("push-off");
  var text = {
    ro: { on: "Notificările sunt pornite pe acest dispozitiv.", off: "Notificările sunt oprite pe acest dispozitiv.",
          denied: "Browserul a blocat notificările pentru acest site; le puteți permite din setările lui.",
          failed: "Nu s-a putut. Încercați din nou." },
    en: { on: "Notifications are on for this device.", off: "Notifications are off for this device.",
          denied: "The browser blocked notifications for this site; you can allow them in its settings.",
          failed: "That did not work. Please try again." }
  }[(document.documentElement.lang || "ro").slice(0, 2) === "ro" ? "ro" : "en"];
  if (!key || !("serviceWorker" in navigator) || !("PushManager" in window)) { return; }

  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) { bytes[i] = raw.charCodeAt(i); }
    return bytes;
  }
  function post(body) {
    return fetch(controls.getAttribute("data-url"), {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() }, body: JSON.stringify(body)
    }).then(function (response) { if (!response.ok) { throw new Error(String(response.status)); } return response; });
  }
  function render(subscribed) {
    on.hidden = subscribed;
    off.hidden = !subscribed;
    status.textContent = subscribed ? text.on : text.off;
  }

  navigator.serviceWorker.register(controls.getAttribute("data-sw"), { scope: "/" }).then(function (registration) {
    return registration.pushManager.getSubscription().then(function (existing) {
      render(Boolean(existing));
      on.addEventListener("click", function () {
        Notification.requestPermission().then(function (permission) {
          if (permission !== "granted") { status.textContent = text.denied; return null; }
          return registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key) })
            .then(function (subscription) { return post({ action: "add", subscription: subscription.toJSON() }); })
            .then(function () { render(true); });
        }).catch(function () { status.textContent = text.failed; });
      });
      off.addEventListener("click", function () {
        registration.pushManager.getSubscription().then(function (subscription) {
          if (!subscription) { render(false); return null; }
          var endpoint = subscription.endpoint;
          return subscription.unsubscribe().then(function () { return post({ action: "remove", endpoint: endpoint }); })
            .then(function () { render(false); });
        }).catch(function () { status.textContent = text.failed; });
      });
    });
  }).catch(function () { /* no service worker: the status line already explains */ });
}());
