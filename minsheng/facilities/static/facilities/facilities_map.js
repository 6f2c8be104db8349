/* 公共设施's figures map (Leaflet from npm, served locally), only where MINSHENG_MAP_TILES is
   configured: a marker per facility with a point. Points are shown as stored (WGS-84). */
(function () {
  "use strict";
  var box = document.getElementById("facility-map");
  var data = document.getElementById("facility-points");
  if (!box || !data || !window.L) return;
  var points = JSON.parse(data.textContent || "[]");
  var center = (box.dataset.center || "35.97,115.87").split(",").map(Number);
  var map = window.L.map(box).setView(center, 11);
  var options = { attribution: box.dataset.attribution || "" };
  if (box.dataset.subdomains) options.subdomains = box.dataset.subdomains;
  window.L.tileLayer(box.dataset.tiles, options).addTo(map);
  points.forEach(function (p) { window.L.marker([p[1], p[2]]).addTo(map).bindPopup(String(p[0])); });
}());
