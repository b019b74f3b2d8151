// skyshield serve's first page: pick a scenario, run it with live progress and cancel, read
// the outcome tables. Talks to the JSON API of the same server only (no other host).
"use strict";

const QUANTITIES = ["launched", "intercepted", "lost_to_ew", "fell", "impacted", "reached_area"];
const POLL_MS = 300;
const $ = (id) => document.getElementById(id);
const state = {
  job: null, kind: "runs", timer: null, scenarios: [], upload: null,
  // GET /api/calibration: the server's calibration (null: none) and the lines that name it
  calibration: null,
};

async function api(method, path, body) {
  const options = { method, headers: {} };
  if (body !== undefined) {
    options.headers["content-type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(path, options);
  const data = await response.json();
  if (!response.ok) {
    throw new Error(data.error || `${method} ${path}: HTTP ${response.status}`);
  }
  return data;
}

function showError(message) {
  const box = $("error");
  box.textContent = message || "";
  box.hidden = !message;
}

function cell(row, text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  row.appendChild(td);
  return td;
}

function header(table, columns) {
  const head = table.querySelector("thead");
  head.replaceChildren();
  const row = head.insertRow();
  for (const name of columns) {
    const th = document.createElement("th");
    th.textContent = name;
    row.appendChild(th);
  }
  table.querySelector("tbody").replaceChildren();
  return table.querySelector("tbody");
}

function pm(r, scale = 1, digits = 1) {
  if (!r || r.mean === null) return "–";
  const half = r.ci95_high === null ? NaN : ((r.ci95_high - r.ci95_low) / 2) * scale;
  const shown = Number.isNaN(half) ? "nan" : half.toFixed(digits);
  return `${(r.mean * scale).toFixed(digits)} ± ${shown}`;
}

function showOutcome(status) {
  const doc = status.result;
  $("outcome").hidden = false;
  $("outcome").dataset.job = status.id;
  $("outcome-title").textContent =
    `${doc.scenario}: ${doc.replications} nights, seed ${doc.seed}, ${doc.engine} engine` +
    (doc.notional_positions ? " — defending positions are NOTIONAL" : "") +
    ` — saved as ${doc.run_id}`;
  $("outcome-downloads").replaceChildren("Download: ", downloads.links(doc.run_id));
  $("outcome-calibration").textContent = status.calibration_line;
  const body = header($("by-class"), ["class", ...QUANTITIES.map((q) => q.replaceAll("_", " "))]);
  const classes = [...new Set(doc.by_class.map((r) => r.threat_class))];
  for (const cls of classes) {
    const row = body.insertRow();
    row.dataset.class = cls;
    if (cls === "all") row.className = "all";
    cell(row, cls);
    for (const q of QUANTITIES) {
      const r = doc.by_class.find((x) => x.threat_class === cls && x.quantity === q);
      cell(row, pm(r)).dataset.quantity = q;
    }
  }
  const cols = ["nation", "system", "rounds ± 95% CI", "of them at decoys", "cost USD M ± 95% CI"];
  const tbody = header($("interceptors"), cols);
  for (const r of doc.interceptors.filter((x) => x.quantity === "rounds")) {
    const find = (q) =>
      doc.interceptors.find((x) => x.quantity === q && x.nation === r.nation && x.system === r.system);
    const row = tbody.insertRow();
    cell(row, r.nation);
    cell(row, r.system, "text");
    cell(row, pm(r));
    cell(row, pm(find("rounds_at_decoys")));
    cell(row, pm(find("cost_usd"), 1e-6, 2));
  }
}

function showStatus(status) {
  const p = status.progress;
  $("progress").max = Math.max(p.total, 1);
  $("progress").value = p.done;
  let text = `${status.name}: ${status.state}`;
  if (status.state === "running" || status.state === "queued") {
    text += status.kind === "compare"
      ? `, ${p.done} of ${p.total} policies run${p.stage ? ` (now: ${p.stage})` : ""}`
      : `, ${p.done} of ${p.total} nights`;
  }
  $("status").textContent = text;
  $("status").dataset.state = status.state;
  const warnings = $("warnings");
  warnings.replaceChildren();
  const calibrated = status.result && status.result.calibration;
  for (const w of [...status.warnings, ...(calibrated ? calibrated.warnings : [])]) {
    const li = document.createElement("li");
    li.textContent = w;
    warnings.appendChild(li);
  }
  const running = status.state === "queued" || status.state === "running";
  $("cancel").disabled = !running;
  $("run").disabled = running || status.state === "saving";
  $("compare").disabled = $("run").disabled;
  if (status.state === "failed") showError(status.error);
  if (status.state === "done") {
    if (status.kind === "compare") showComparison(status);
    else {
      showOutcome(status);
      drawNight(status.run_id).catch((error) => showError(error.message));
    }
  }
}

async function poll() {
  if (!state.job) return;
  try {
    const status = await api("GET", `/api/${state.kind}/${state.job}`);
    showStatus(status);
    if (["done", "failed", "cancelled"].includes(status.state)) {
      state.job = null;
      loadStored();
      return;
    }
  } catch (error) {
    showError(error.message);
  }
  state.timer = setTimeout(poll, POLL_MS);
}

function policy() {
  const typed = $("overrides").value.split("\n").map((s) => s.trim()).filter((s) => s);
  const chosen = { overrides: [...policyForm.overrides(), ...typed] };
  if (state.upload !== null) chosen.yaml = state.upload;
  else chosen.scenario = $("scenario").value;
  return chosen;
}

function size(body) {
  // the server's calibration applies unless unticked; a server without one is asked nothing
  if (state.calibration && state.calibration.calibration) body.calibrated = $("calibrated").checked;
  return policyForm.runSize(body);
}

async function loadCalibration() {
  state.calibration = await api("GET", "/api/calibration");
  $("calibrated-box").hidden = state.calibration.calibration === null;
  showCalibration();
}

function showCalibration() {
  const c = state.calibration;
  const on = c.calibration !== null && $("calibrated").checked;
  $("calibration").textContent = on ? c.line : c.uncalibrated_line;
  $("calibration").title = on ? c.calibration.description : "";
  $("calibration").dataset.calibrated = String(on);
}

async function start(kind, body) {
  showError("");
  try {
    const created = await api("POST", `/api/${kind}`, body);
    state.job = created.id;
    state.kind = kind;
    $("status").dataset.job = created.id;
    $("run").disabled = true;
    poll();
  } catch (error) {
    showError(error.message);
  }
}

function run(event) {
  event.preventDefault();
  $("outcome").hidden = true;
  start("runs", size(policy()));
}

function compare() {
  $("comparison").hidden = true;
  start("compares", size({ policies: [policy()] }));
}

function showComparison(status) {
  const doc = status.result;
  const [base, other] = doc.policies;
  $("comparison").hidden = false;
  $("comparison").dataset.job = status.id;
  $("comparison-calibration").textContent = status.calibration_line;
  $("comparison-title").textContent =
    `${other} against ${base}: ${doc.replications} nights, seed ${doc.seed}` +
    (doc.unpaired.length ? " — a different raid: differences unpaired" : "") +
    ` — saved as ${doc.run_id}`;
  const cols = ["measure", base, other, "difference ± 95% CI (paired)", "unpaired CI"];
  const body = header($("differences"), cols);
  for (const r of doc.differences) {
    if (r.baseline_mean === 0 && r.mean === 0) continue;
    const cost = r.measure.includes("cost");
    const scale = cost ? 1e-6 : 1;
    const row = body.insertRow();
    row.dataset.measure = `${r.measure}/${r.key}`;
    const name = r.measure.replaceAll("_", " ") + (r.key ? `: ${r.key}` : "") + (cost ? " (USD M)" : "");
    cell(row, name);
    cell(row, (r.baseline_mean * scale).toFixed(2));
    cell(row, (r.mean * scale).toFixed(2));
    const ci = r.paired_ci95 === null ? "nan" : (r.paired_ci95 * scale).toFixed(2);
    const diff = (r.diff * scale).toFixed(2);
    cell(row, `${r.diff >= 0 ? "+" : ""}${diff} ± ${ci}`).dataset.diff = "";
    cell(row, r.unpaired_ci95 === null ? "nan" : (r.unpaired_ci95 * scale).toFixed(2));
  }
}

async function cancel() {
  if (!state.job) return;
  try {
    showStatus(await api("DELETE", `/api/${state.kind}/${state.job}`));
  } catch (error) {
    showError(error.message);
  }
}

async function loadScenarios() {
  const data = await api("GET", "/api/scenarios");
  state.scenarios = data.scenarios;
  const select = $("scenario");
  for (const s of data.scenarios) {
    const option = document.createElement("option");
    option.value = s.name;
    option.textContent = s.name;
    if (s.name === "default") option.selected = true;
    select.appendChild(option);
  }
  describe();
  await loadCalibration();
  await policyForm.ready;
  policyForm.load();
  document.body.dataset.ready = "true";
}

function describe() {
  const chosen = state.scenarios.find((s) => s.name === $("scenario").value);
  $("scenario-description").textContent = chosen ? chosen.description : "";
}

async function loadStored() {
  try {
    const data = await api("GET", "/api/runs");
    const cols = ["run id", "kind", "scenario", "seed", "nights", "started (UTC)", "status",
      "downloads"];
    const body = header($("stored-runs"), cols);
    for (const r of data.stored) {
      const row = body.insertRow();
      for (const value of [r.run_id, r.kind, r.scenario_name, r.seed, r.replications,
        String(r.started).replace("T", " ").slice(0, 19), r.status]) {
        cell(row, String(value), "text");
      }
      const links = cell(row, "", "text");
      if (r.kind === "run" && r.status === "complete") links.append(downloads.links(r.run_id));
    }
  } catch (error) {
    showError(error.message);
  }
}

function chooseFile() {
  const file = $("upload").files[0];
  if (!file) {
    state.upload = null;
    $("scenario").disabled = false;
    return;
  }
  file.text().then((text) => {
    state.upload = text;
    $("scenario").disabled = true;
    $("scenario-description").textContent = `uploaded: ${file.name}`;
  });
}

document.addEventListener("DOMContentLoaded", () => {
  $("run-form").addEventListener("submit", run);
  $("cancel").addEventListener("click", cancel);
  $("compare").addEventListener("click", compare);
  $("scenario").addEventListener("change", describe);
  $("upload").addEventListener("change", chooseFile);
  $("calibrated").addEventListener("change", showCalibration);
  loadScenarios().catch((error) => showError(error.message));
  loadStored();
});

// the map: one night of a saved run, as `skyshield export --format geojson` gives it
const FATE_COLOURS = { intercepted: "#1a7f37", impacted: "#cf222e" };
const map = { leaflet: null, night: null, borders: null, moving: null, doc: null };
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(kind, id) {
  for (;;) {
    const status = await api("GET", `/api/${kind}/${id}`);
    if (status.state === "done") return status;
    if (status.state === "failed" || status.state === "cancelled") {
      throw new Error(status.error || `the night's map was ${status.state}`);
    }
    await sleep(POLL_MS);
  }
}

function ensureMap() {
  if (map.leaflet) return map.leaflet;
  map.leaflet = L.map("map", { attributionControl: false, zoomSnap: 0.25 });
  return map.leaflet;
}

function nightStyle(feature) {
  const p = feature.properties;
  switch (p.layer) {
    case "route":
      return { color: FATE_COLOURS[p.fate] || "#8c959f", weight: 1, opacity: 0.6,
        className: "skyshield-route" };
    case "envelope":
      return { color: "#0550ae", weight: 1, opacity: 0.25, fillOpacity: 0.03,
        className: "skyshield-envelope" };
    case "roe_zone":
      return { color: "#6639ba", weight: 1.5, dashArray: "6 4", fillOpacity: 0.04,
        className: "skyshield-roe-zone" };
    case "ew_zone":
      return { color: "#bc4c00", weight: 1, fillOpacity: 0.08, className: "skyshield-ew-zone" };
    default:
      return { color: "#57606a", weight: 1, opacity: 0.3, fillOpacity: 0.02 };
  }
}

function nightPoint(feature, latlng) {
  const p = feature.properties;
  if (p.layer === "intercept") {
    // layers.js colours intercepts by result, nation or country below (with its legend)
    const look = window.skyshieldLayers ? window.skyshieldLayers.intercept(p)
      : { color: p.hit ? "#1a7f37" : "#9a6700", className: "skyshield-intercept" };
    return L.circleMarker(latlng, { radius: 3, weight: 1, fillOpacity: 0.8, ...look });
  }
  if (p.layer === "fire_unit") {
    return L.circleMarker(latlng, { radius: 4, weight: 2, color: "#0550ae", fillOpacity: 1,
      className: "skyshield-unit" });
  }
  if (p.layer === "fate") {
    return L.circleMarker(latlng, { radius: 2, weight: 1, color: FATE_COLOURS[p.fate] || "#8c959f",
      className: "skyshield-fate" });
  }
  return L.circleMarker(latlng, { radius: 2, weight: 1, color: "#57606a", className: "skyshield-point" });
}

// A tooltip's text is HTML to Leaflet, and names come from uploaded scenarios (a nation's name
// is free text): every part is escaped before it is joined.
const escapeHtml = (v) => String(v).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function tooltipHtml(p) {
  const parts = [p.layer.replaceAll("_", " ")];
  for (const key of ["id", "name", "unit", "system", "nation", "type", "fate", "target"]) {
    if (p[key] !== undefined && p[key] !== null && p[key] !== "") parts.push(`${key}: ${p[key]}`);
  }
  return parts.map(escapeHtml).join("<br>");
}

function tooltip(feature, layer) {
  layer.bindTooltip(tooltipHtml(feature.properties));
}

async function drawNight(runId) {
  $("map-box").hidden = false;
  $("map-title").textContent = "Drawing the night…";
  const created = await api("POST", "/api/nights", { run_id: runId, replication: 0 });
  $("map-box").dataset.job = created.id;
  const [status, borders] = await Promise.all([
    waitFor("nights", created.id),
    map.borders ? Promise.resolve(null) : api("GET", "/api/borders"),
  ]);
  const leaflet = ensureMap();
  if (borders) {
    map.borders = L.geoJSON(borders, { interactive: false,
      style: { color: "#6e7781", weight: 1, fill: false, className: "skyshield-border" } });
    map.borders.addTo(leaflet);
  }
  if (map.night) map.night.remove();
  const doc = status.result;
  // intercepts and threats in flight are the replay's (drawn for the slider's time)
  const shown = new Set(["route", "fire_unit", "envelope", "roe_zone", "ew_zone", "fate", "asset"]);
  map.night = L.geoJSON(doc, {
    filter: (f) => shown.has(f.properties.layer),
    style: nightStyle,
    pointToLayer: nightPoint,
    onEachFeature: tooltip,
  }).addTo(leaflet);
  const intercepts = doc.features.filter((f) => f.properties.layer === "intercept").length;
  $("map-title").textContent =
    `${doc.properties.scenario}, night 0 of ${doc.properties.replications} (seed ` +
    `${doc.properties.seed}): ${intercepts} interceptors fired`;
  map.doc = doc;
  if (window.skyshieldLayers) window.skyshieldLayers.drawn(leaflet, doc);
  const ends = doc.features.filter((f) => f.properties.layer === "route")
    .map((f) => f.properties.end_time_s);
  const clock = $("clock");
  clock.max = String(Math.ceil(Math.max(0, ...ends)));
  clock.step = String(Math.max(1, Math.round(Number(clock.max) / 500)));
  clock.value = clock.max;
  replay(Number(clock.max));
  $("map-box").dataset.ready = created.id;
  leaflet.invalidateSize();
  const routes = L.geoJSON(doc, { filter: (f) => f.properties.layer === "route" });
  leaflet.fitBounds(routes.getBounds().isValid() ? routes.getBounds() : map.night.getBounds(),
    { padding: [20, 20] });
}

// where a route is at time t: linear between its vertices' engine times (null: not in flight)
function positionAt(feature, t) {
  const times = feature.properties.time_s;
  const coords = feature.geometry.coordinates;
  if (!times || t < times[0] || t > times[times.length - 1]) return null;
  let i = 1;
  while (i < times.length - 1 && times[i] < t) i += 1;
  const span = times[i] - times[i - 1];
  const f = span > 0 ? (t - times[i - 1]) / span : 1;
  const [x0, y0] = coords[i - 1];
  const [x1, y1] = coords[i];
  return [y0 + f * (y1 - y0), x0 + f * (x1 - x0)];
}

function hhmm(seconds) {
  const iso = map.doc.properties.start_time;
  const start = new Date(/([zZ]|[+-]\d\d:\d\d)$/.test(iso) ? iso : `${iso}Z`);
  const at = new Date(start.getTime() + seconds * 1000);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return `+${h}:${String(m).padStart(2, "0")} h (${at.toISOString().slice(11, 16)} UTC)`;
}

function replay(t) {
  const doc = map.doc;
  if (!doc) return;
  if (map.moving) map.moving.remove();
  const group = L.layerGroup();
  let flying = 0;
  for (const f of doc.features) {
    const p = f.properties;
    if (p.layer === "route") {
      const at = positionAt(f, t);
      if (at === null || (p.fate === "intercepted" && t >= p.end_time_s)) continue;
      flying += 1;
      group.addLayer(L.circleMarker(at, { radius: 3, weight: 1, color: "#1b1f24",
        fillOpacity: 1, className: "skyshield-threat" }));
    } else if (p.layer === "intercept" && p.intercept_time_s <= t) {
      const [lon, lat] = f.geometry.coordinates;
      const marker = nightPoint(f, L.latLng(lat, lon));
      tooltip(f, marker);
      group.addLayer(marker);
    }
  }
  map.moving = group.addTo(map.leaflet);
  $("clock-text").textContent = `${hhmm(t)}: ${flying} threats in flight`;
  $("map-box").dataset.clock = String(t);
}

document.addEventListener("DOMContentLoaded", () => {
  $("clock").addEventListener("input", () => replay(Number($("clock").value)));
});
