/* 群众端's map (Leaflet from npm, served locally): a tap puts a marker and fills the form's
   hidden lat/lng in WGS-84. Tiles drawn in GCJ-02 (MINSHENG_MAP_DATUM=gcj02) show everything
   shifted by a few hundred metres, so a tap is converted back to WGS-84 before it is stored
   (and a stored point forward for display). Without a tile source the page has no map. */
(function () {
  "use strict";
  var box = document.getElementById("report-map");
  if (!box || !window.L) return;
  var PI = Math.PI, A = 6378245.0, EE = 0.00669342162296594323;
  function outside(lat, lng) { return lng < 72.004 || lng > 137.8347 || lat < 0.8293 || lat > 55.8271; }
  function dLat(x, y) {
    var r = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    r += (20 * Math.sin(6 * x * PI) + 20 * Math.sin(2 * x * PI)) * 2 / 3;
    r += (20 * Math.sin(y * PI) + 40 * Math.sin(y / 3 * PI)) * 2 / 3;
    return r + (160 * Math.sin(y / 12 * PI) + 320 * Math.sin(y * PI / 30)) * 2 / 3;
  }
  function dLng(x, y) {
    var r = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    r += (20 * Math.sin(6 * x * PI) + 20 * Math.sin(2 * x * PI)) * 2 / 3;
    r += (20 * Math.sin(x * PI) + 40 * Math.sin(x / 3 * PI)) * 2 / 3;
    return r + (150 * Math.sin(x / 12 * PI) + 300 * Math.sin(x / 30 * PI)) * 2 / 3;
  }
  function toGcj(lat, lng) {
    if (outside(lat, lng)) return [lat, lng];
    var a = dLat(lng - 105, lat - 35), b = dLng(lng - 105, lat - 35), rad = lat / 180 * PI;
    var magic = 1 - EE * Math.sin(rad) * Math.sin(rad), sq = Math.sqrt(magic);
    a = (a * 180) / ((A * (1 - EE)) / (magic * sq) * PI);
    b = (b * 180) / (A / sq * Math.cos(rad) * PI);
    return [lat + a, lng + b];
  }
  function toWgs(lat, lng) {  // iterate the forward shift: exact to well under a metre
    var w = [lat, lng];
    for (var i = 0; i < 5; i++) { var g = toGcj(w[0], w[1]); w = [w[0] - (g[0] - lat), w[1] - (g[1] - lng)]; }
    return w;
  }
  var gcj = box.dataset.datum === "gcj02";
  var form = box.closest("form");
  var lat = form.elements[box.dataset.lat], lng = form.elements[box.dataset.lng];
  var center = (box.dataset.center || "35.97,115.87").split(",").map(Number);
  var map = window.L.map(box).setView(gcj ? toGcj(center[0], center[1]) : center, 13);
  var options = { maxZoom: 18, attribution: box.dataset.attribution || "" };
  if (box.dataset.subdomains) options.subdomains = box.dataset.subdomains.split(",");
  window.L.tileLayer(box.dataset.tiles, options).addTo(map);
  var marker = null;
  function place(shown) {
    if (marker) marker.setLatLng(shown); else marker = window.L.marker(shown).addTo(map);
  }
  if (lat.value && lng.value) {
    var stored = [Number(lat.value), Number(lng.value)];
    place(gcj ? toGcj(stored[0], stored[1]) : stored);
  }
  map.on("click", function (e) {
    place(e.latlng);
    var w = gcj ? toWgs(e.latlng.lat, e.latlng.lng) : [e.latlng.lat, e.latlng.lng];
    lat.value = w[0].toFixed(6);
    lng.value = w[1].toFixed(6);
  });
})();
