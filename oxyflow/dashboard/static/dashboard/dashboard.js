/* Dashboard map and charts. Data come from the page (json_script) and the map API;
   the map needs no base tiles: markers, labels, legend and popups work without them. */
(function () {
  "use strict";
  var BAND_COLOURS = { critical: "#b3261e", warning: "#c77700", ok: "#2e7d32", unknown: "#7a8a94" };
  var rtl = document.documentElement.dir === "rtl";
  var lang = document.documentElement.lang || "en";
  var labels = (document.getElementById("chart-labels") || { dataset: {} }).dataset;
  var number = new Intl.NumberFormat(lang, { maximumFractionDigits: 0 });

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text == null ? "" : String(text);
    return div.innerHTML;
  }

  function drawMap(config) {
    var holder = document.getElementById("map");
    if (!holder || typeof L === "undefined") return;
    var map = L.map(holder, { zoomSnap: 0.5, attributionControl: Boolean(config.tiles) });
    if (config.tiles) {
      L.tileLayer(config.tiles, { attribution: config.attribution || "", maxZoom: 18 }).addTo(map);
    }
    L.control.scale({ imperial: false, position: rtl ? "bottomright" : "bottomleft" }).addTo(map);
    map.setView([0, 0], 2);
    fetch(config.features, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        var bounds = [];
        var layer = L.geoJSON(data, {
          pointToLayer: function (feature, latlng) {
            var p = feature.properties;
            bounds.push(latlng);
            if (p.layer === "facility") {
              return L.circleMarker(latlng, {
                radius: 8, weight: 2, color: "#fff", fillOpacity: 0.95,
                fillColor: BAND_COLOURS[p.band] || BAND_COLOURS.unknown,
                className: "marker-facility band-" + p.band,
              });
            }
            if (p.layer === "producer") {
              return L.marker(latlng, { icon: L.divIcon({ className: "marker-producer", html: '<span class="square producer"></span>', iconSize: [14, 14] }), keyboard: true, title: p.name });
            }
            return L.marker(latlng, { icon: L.divIcon({ className: "marker-incident", html: '<span class="diamond incident"></span>', iconSize: [14, 14] }), keyboard: true, title: p.name });
          },
          onEachFeature: function (feature, marker) {
            var p = feature.properties;
            var html = "<strong>" + escapeHtml(p.name) + "</strong>";
            if (p.layer === "facility") {
              html += "<br>" + (p.autonomy_hours == null ? "—" : number.format(Math.floor(p.autonomy_hours)) + " " + escapeHtml(labels.hours));
              if (p.demand_nm3_per_day != null) html += "<br>" + number.format(p.demand_nm3_per_day) + " " + escapeHtml(labels.nm3day);
              html += '<br><a href="' + config.facility_url.replace("CODE", encodeURIComponent(p.code)) + '">' + escapeHtml(labels.open) + "</a>";
            } else if (p.layer === "incident") {
              html += "<br>" + escapeHtml(p.kind) + " · " + escapeHtml(p.severity);
              if (config.incident_url) html += '<br><a href="' + config.incident_url.replace("ID", p.id) + '">' + escapeHtml(labels.open) + "</a>";
            }
            marker.bindPopup(html);
            marker.bindTooltip(escapeHtml(p.name));
          },
        }).addTo(map);
        layer.eachLayer(function (marker) {
          var el = marker.getElement ? marker.getElement() : null;
          var p = marker.feature.properties;
          if (el) {
            el.setAttribute("data-layer", p.layer);
            if (p.code) el.setAttribute("data-site", p.code);
            if (p.band) el.setAttribute("data-band", p.band);
            el.setAttribute("aria-label", p.name);
          }
        });
        if (bounds.length) map.fitBounds(L.latLngBounds(bounds).pad(0.15), { maxZoom: 11 });
        if (data.unplaced_sites) {
          document.getElementById("map-unplaced").textContent = number.format(data.unplaced_sites);
          document.getElementById("map-note").hidden = false;
        }
        holder.setAttribute("data-loaded", String(data.features.length));
      });
  }

  function line(canvasId, days, datasets, stacked) {
    var canvas = document.getElementById(canvasId);
    if (!canvas || typeof Chart === "undefined") return;
    new Chart(canvas, {
      type: "line",
      data: { labels: days, datasets: datasets },
      options: {
        animation: false, responsive: true, spanGaps: false,
        interaction: { mode: "index", intersect: false },
        scales: { x: { reverse: rtl, ticks: { maxTicksLimit: 8 } }, y: { beginAtZero: true, stacked: Boolean(stacked), position: rtl ? "right" : "left" } },
        plugins: { legend: { rtl: rtl, labels: { boxWidth: 12 } }, tooltip: { rtl: rtl } },
        locale: lang,
      },
    });
  }

  function dayLabels(days) {
    var format = new Intl.DateTimeFormat(lang, { day: "numeric", month: "short" });
    return days.map(function (d) { return format.format(new Date(d + "T12:00:00Z")); });
  }

  function drawTrends(data) {
    if (!data) return;
    var days = dayLabels(data.days);
    if (data.production_nm3) {
      line("chart-flow", days, [
        { label: labels.production, data: data.production_nm3, borderColor: "#1f4e79", backgroundColor: "#1f4e79" },
        { label: labels.consumption, data: data.consumption_nm3, borderColor: "#b3261e", backgroundColor: "#b3261e" },
        { label: labels.demand, data: data.demand_nm3, borderColor: "#c77700", backgroundColor: "#c77700", borderDash: [4, 3] },
      ]);
    } else {
      line("chart-flow", days, [
        { label: labels.consumption, data: data.consumption_nm3, borderColor: "#b3261e", backgroundColor: "#b3261e" },
        { label: labels.demand, data: data.demand_nm3, borderColor: "#c77700", backgroundColor: "#c77700", borderDash: [4, 3] },
      ]);
    }
    line("chart-census", days, [
      { label: labels.low, data: data.patients_low_flow, borderColor: "#2e7d32", backgroundColor: "rgba(46,125,50,.35)", fill: true },
      { label: labels.high, data: data.patients_high_flow, borderColor: "#c77700", backgroundColor: "rgba(199,119,0,.35)", fill: true },
      { label: labels.vent, data: data.patients_ventilated, borderColor: "#b3261e", backgroundColor: "rgba(179,38,30,.35)", fill: true },
    ], true);
    line("chart-stock", days, [
      { label: labels.stock, data: data.stock_nm3, borderColor: "#1f4e79", backgroundColor: "rgba(31,78,121,.25)", fill: true },
    ]);
  }

  var config = readJson("map-config");
  if (config) drawMap(config);
  drawTrends(readJson("trend-data") || readJson("history-data"));
})();
