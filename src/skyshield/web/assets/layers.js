// skyshield serve's night-map layers beside app.js's: intercepts coloured by their result, by
// the nation that fired or by the country below (with a legend that counts them), the units'
// radar sectors, and what came down near populated places (hits whose debris falls within
// the debris rule's distance of a town, and threats that ended there). Everything comes from
// the night's GeoJSON (`skyshield export --format geojson`): `nation`, `territory`,
// `debris_near_populated` of an intercept, `near_populated` of a fate point, `radar_sector`.
"use strict";

(() => {
  const PALETTE = ["#0550ae", "#cf222e", "#1a7f37", "#8250df", "#bc4c00", "#0a7d8c", "#bf3989",
    "#4d2d00", "#6e7781", "#116329", "#953800", "#3e1f79"];
  const RESULT = { hit: "#1a7f37", miss: "#9a6700" };
  const KEYS = {
    result: (p) => (p.hit ? "hit" : "miss"),
    nation: (p) => p.nation,
    country: (p) => p.territory || "none",
  };
  const layers = { by: "result", keys: [], doc: null, overlays: [], control: null };
  const el = (id) => document.getElementById(id);
  // a tooltip's text is HTML to Leaflet: names from an uploaded scenario are escaped
  const esc = (v) => String(v).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

  function intercepts(doc) {
    return doc.features.filter((f) => f.properties.layer === "intercept");
  }

  function colourOf(key) {
    if (layers.by === "result") return RESULT[key];
    return PALETTE[layers.keys.indexOf(key) % PALETTE.length];
  }

  // the keys of the night's intercepts, most first, and the legend that names and counts them
  function legend() {
    const counts = new Map();
    for (const f of intercepts(layers.doc)) {
      const key = KEYS[layers.by](f.properties);
      const c = counts.get(key) || { all: 0, hits: 0 };
      c.all += 1;
      if (f.properties.hit) c.hits += 1;
      counts.set(key, c);
    }
    layers.keys = [...counts.keys()].sort((a, b) => counts.get(b).all - counts.get(a).all ||
      a.localeCompare(b));
    const box = el("layers-legend");
    box.replaceChildren();
    for (const key of layers.keys) {
      const c = counts.get(key);
      const item = document.createElement("span");
      item.className = "legend-key";
      item.dataset.key = key;
      item.dataset.count = String(c.all);
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = colourOf(key);
      item.append(swatch, `${key}: ${c.all}` + (layers.by === "result" ? "" : ` (${c.hits} hits)`));
      box.appendChild(item);
    }
  }

  // app.js draws each intercept marker with this: its colour and a class naming its key
  function intercept(p) {
    const key = KEYS[layers.by](p);
    const index = layers.keys.indexOf(key);
    return { color: colourOf(key), className: `skyshield-intercept skyshield-key-${index}` };
  }

  function overlays(leaflet, doc) {
    for (const layer of layers.overlays) layer.remove();
    if (layers.control) layers.control.remove();
    const sectors = L.geoJSON(doc, {
      filter: (f) => f.properties.layer === "radar_sector",
      style: { color: "#0a7d8c", weight: 1, opacity: 0.6, fillOpacity: 0.06, dashArray: "2 3",
        className: "skyshield-sector" },
      onEachFeature: (f, layer) => layer.bindTooltip(esc(
        `radar sector of ${f.properties.unit} (${f.properties.nation} ${f.properties.system}): ` +
        `${Math.round(f.properties.radar_range_km)} km at ${f.properties.reference_rcs_m2} m²`)),
    });
    const near = L.geoJSON(doc, {
      filter: (f) => (f.properties.layer === "intercept" && f.properties.debris_near_populated) ||
        (f.properties.layer === "fate" && f.properties.near_populated),
      pointToLayer: (f, latlng) => (f.properties.layer === "intercept"
        ? L.circleMarker(latlng, { radius: 7, weight: 1.5, color: "#a40e26", fill: false,
          className: "skyshield-debris" })
        : L.circleMarker(latlng, { radius: 6, weight: 2, color: "#a40e26", fillColor: "#a40e26",
          fillOpacity: 0.5, className: "skyshield-impact-near" })),
      onEachFeature: (f, layer) => layer.bindTooltip(esc(f.properties.layer === "intercept"
        ? `debris near a populated place: ${f.properties.nation} ${f.properties.system} hit ` +
          `over ${f.properties.territory}`
        : `${f.properties.fate.replaceAll("_", " ")} near a populated place ` +
          `(${f.properties.type} at ${f.properties.target})`)),
    });
    // sectors under everything (their wedges would catch the units' and intercepts' tooltips)
    layers.overlays = [sectors.addTo(leaflet).bringToBack(), near.addTo(leaflet)];
    layers.control = L.control.layers(null, {
      "unit radar sectors": sectors,
      "near populated places: debris (ring), impacts and falls (dot)": near,
    }, { collapsed: false }).addTo(leaflet);
    const debris = intercepts(doc).filter((f) => f.properties.debris_near_populated).length;
    const ends = doc.features.filter((f) => f.properties.layer === "fate" &&
      f.properties.near_populated).length;
    const box = el("layers-near");
    box.textContent = `Near populated places this night: ${debris} hits whose debris falls ` +
      `there, ${ends} threats that ended there (impact, fall or loss).`;
    box.dataset.debris = String(debris);
    box.dataset.ends = String(ends);
  }

  function recolour() {
    layers.by = el("intercept-colour").value;
    if (!layers.doc) return;
    legend();
    if (typeof replay === "function") replay(Number(el("clock").value));
  }

  window.skyshieldLayers = {
    intercept,
    drawn(leaflet, doc) {
      layers.doc = doc;
      legend();
      overlays(leaflet, doc);
    },
  };

  document.addEventListener("DOMContentLoaded", () => {
    el("intercept-colour").addEventListener("change", recolour);
  });
})();
