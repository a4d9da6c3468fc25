/* Vigie — the console's map: Leaflet and Leaflet.markercluster (vendored, see vendor/README.md).
 *
 * console.js loads the sectors and the items, and calls window.vigieConsole.mapView.sectors() and .items()
 * (set below); this file draws them and calls back window.vigieConsole.api (the list's own selection,
 * filters and labels). The base layer comes from CONSOLE_TILE_URL (XYZ, or WMTS in its KVP form with
 * {z}/{x}/{y}); without one, the sectors' outlines alone: the offline fallback.
 */
(function () {
  "use strict";

  var gettext = window.gettext || function (text) { return text; };
  var ngettext = window.ngettext || function (singular, plural, count) { return count === 1 ? singular : plural; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%\(\w+\)s/g, function (match) { return String(values[match.slice(2, -2)]); });
  };

  var vigie = window.vigieConsole;
  var L = window.L;
  var container = document.getElementById("carte");
  if (!vigie || !L || !container) return;

  var FRANCE = [46.6, 2.4];
  var dataset = document.body.dataset;
  var map = L.map(container, { zoomControl: false, attributionControl: false, maxZoom: 19, zoomSnap: 0.5 });
  // Leaflet makes the map a tab stop (arrows pan it, + and - zoom): named for screen readers.
  container.setAttribute("role", "region");
  container.setAttribute("aria-label", gettext("Carte des secteurs et des signalements"));
  // Sector names under the markers (Leaflet's tooltip pane is above them).
  map.createPane("noms-secteurs").style.zIndex = 450;
  L.control.zoom({ zoomInTitle: gettext("Zoom avant"), zoomOutTitle: gettext("Zoom arrière") }).addTo(map);
  if (dataset.tileUrl) {
    L.control.attribution({ prefix: false }).addTo(map);
    // Leaflet writes attributions as HTML: the setting is shown as text. The tile server gets the site's
    // origin as Referer (OpenStreetMap's tile policy asks for one; the page's policy would send none).
    L.tileLayer(dataset.tileUrl, {
      attribution: escapeHtml(dataset.tileAttribution || ""), maxZoom: 19, referrerPolicy: "strict-origin-when-cross-origin",
    }).addTo(map);
  }
  var sectorLayer = L.featureGroup();
  var markers = L.markerClusterGroup({ maxClusterRadius: 40, showCoverageOnHover: false, iconCreateFunction: clusterIcon });
  var shown = new Map(); // item key → { marker, signature }
  var ready = false; // markers wait for the view the sectors give

  function escapeHtml(text) {
    return text.replace(/[&<>"']/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; });
  }

  function textNode(tag, text) {
    var node = document.createElement(tag);
    node.textContent = text;
    return node;
  }

  function drawSectors() {
    sectorLayer.clearLayers();
    vigie.sectors.forEach(function (feature) {
      L.geoJSON(feature, { style: { className: "secteur", interactive: false } }).eachLayer(function (layer) {
        // A node, not a string: Leaflet would read a sector's name as HTML.
        layer.bindTooltip(textNode("span", feature.properties.name), { permanent: true, direction: "center", className: "secteur-nom", pane: "noms-secteurs" });
        sectorLayer.addLayer(layer);
      });
    });
    var note = document.getElementById("carte-note");
    note.hidden = vigie.sectors.length > 0;
    note.textContent = vigie.sectors.length ? "" : gettext("Aucun secteur dessiné pour cette commune.");
    // The view first: Leaflet draws nothing on a map without one.
    if (vigie.sectors.length) map.fitBounds(sectorLayer.getBounds(), { padding: [8, 8] });
    else map.setView(FRANCE, 5);
    if (!ready) { ready = true; sectorLayer.addTo(map); markers.addTo(map); }
    sectorLayer.eachLayer(function (layer) { layer.getElement().setAttribute("data-sector", String(layer.feature.properties.id)); });
    drawItems();
  }

  function level(obs) {
    return obs.in_progress ? "en-cours" : obs.urgent ? "urgent" : "";
  }

  function iconFor(item, obs) {
    var open = vigie.api.isOpen(item);
    var classes = ["point", level(obs), open ? "" : "termine", vigie.selected === item.key ? "choisi" : ""].join(" ").replace(/\s+/g, " ").trim();
    var size = obs.in_progress ? 22 : obs.urgent ? 18 : 14;
    return L.divIcon({ className: classes, html: "", iconSize: [size, size] });
  }

  function tag(entry, key) {
    var node = entry.marker.getElement();
    if (node) node.setAttribute("data-key", key);
  }

  function drawItems() {
    if (!ready) return;
    var keep = new Set();
    var added = [];
    vigie.api.visibleItems().forEach(function (item) {
      var obs = vigie.api.observationOf(item);
      if (typeof obs.latitude !== "number" || typeof obs.longitude !== "number") return;
      keep.add(item.key);
      var label = vigie.api.itemLabel(item);
      var signature = [obs.latitude, obs.longitude, label, level(obs), vigie.api.isOpen(item), vigie.selected === item.key].join("|");
      var entry = shown.get(item.key);
      if (entry && entry.signature === signature) return;
      var latLng = [obs.latitude, obs.longitude];
      var zIndex = obs.in_progress ? 1000 : obs.urgent ? 500 : 0;
      if (!entry) {
        var marker = L.marker(latLng, { icon: iconFor(item, obs), title: label, zIndexOffset: zIndex, level: level(obs) });
        entry = { marker: marker, signature: signature };
        marker.on("add", function () { tag(entry, item.key); });
        marker.on("click", function () { vigie.api.select(item.key); });
        shown.set(item.key, entry);
        added.push(marker);
        return;
      }
      entry.signature = signature;
      entry.marker.options.title = label; // read when the icon is made again (setIcon)
      entry.marker.options.level = level(obs);
      entry.marker.setLatLng(latLng);
      entry.marker.setZIndexOffset(zIndex);
      entry.marker.setIcon(iconFor(item, obs));
      tag(entry, item.key);
      markers.refreshClusters(entry.marker);
    });
    shown.forEach(function (entry, key) {
      if (keep.has(key)) return;
      markers.removeLayer(entry.marker);
      shown.delete(key);
    });
    if (added.length) markers.addLayers(added);
    var sector = document.getElementById("filtre-secteur").value;
    sectorLayer.eachLayer(function (layer) {
      layer.getElement().classList.toggle("filtre", !!sector && layer.getElement().getAttribute("data-sector") === sector);
    });
  }

  function clusterIcon(cluster) {
    var children = cluster.getAllChildMarkers();
    var worst = children.some(function (m) { return m.options.level === "en-cours"; }) ? "en-cours"
      : children.some(function (m) { return m.options.level === "urgent"; }) ? "urgent" : "";
    var count = cluster.getChildCount();
    // Marker reads its title after making the icon: the cluster says what it holds.
    cluster.options.title = interpolate(ngettext("%(count)s signalement ici : agrandir", "%(count)s signalements ici : agrandir", count), { count: count }, true);
    var size = count < 10 ? "small" : count < 100 ? "medium" : "large";
    return L.divIcon({
      html: "<div><span>" + count + "</span></div>",
      className: "marker-cluster marker-cluster-" + size + (worst ? " " + worst : ""),
      iconSize: [40, 40],
    });
  }

  // Leaflet makes markers and clusters focusable buttons but ignores Enter and Space: they click, as the
  // mouse does.
  container.addEventListener("keydown", function (event) {
    if ((event.key === "Enter" || event.key === " ") && event.target.classList.contains("leaflet-marker-icon")) {
      event.preventDefault();
      event.target.click();
    }
  });

  // The grid may resize the column without resizing the window (narrow screens, panels). A map drawn while
  // hidden (on a phone it opens on demand, layout.js) fits its sectors again when it shows.
  var hidden = !container.clientWidth;
  if (window.ResizeObserver) new ResizeObserver(function () {
    map.invalidateSize();
    if (hidden && container.clientWidth && sectorLayer.getLayers().length) map.fitBounds(sectorLayer.getBounds(), { padding: [8, 8] });
    hidden = !container.clientWidth;
  }).observe(container);

  vigie.mapView = { sectors: drawSectors, items: drawItems };
  if (vigie.sectors) drawSectors(); // loaded before this file ran
})();
