// skyshield serve's campaign view: pick a built-in campaign, edit its delivery schedule, run it
// (POST /api/campaigns) and chart each tracked system's national stock night by night: the
// median and the 5-95% band over the replications, drawn as plain SVG (no library, no CDN).
"use strict";

(() => {
  const SVG = "http://www.w3.org/2000/svg";
  const POLL = 400;
  const COLOURS = ["#0550ae", "#cf222e", "#1a7f37", "#8250df", "#bc4c00", "#0a7d8c", "#6e7781",
    "#bf3989", "#4d2d00", "#116329"];
  const el = (id) => document.getElementById(id);
  const camp = { list: [], job: null, timer: null };

  async function call(method, path, body) {
    const options = { method, headers: {} };
    if (body !== undefined) {
      options.headers["content-type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    const response = await fetch(path, options);
    const data = await response.json();
    if (!response.ok) throw new Error(data.error || `${method} ${path}: HTTP ${response.status}`);
    return data;
  }

  function say(message) {
    const box = el("campaign-error");
    box.textContent = message || "";
    box.hidden = !message;
  }

  function chosen() {
    return camp.list.find((c) => c.name === el("campaign").value);
  }

  function input(type, value, attrs) {
    const box = document.createElement("input");
    box.type = type;
    if (value !== null && value !== undefined) box.value = String(value);
    for (const [k, v] of Object.entries(attrs || {})) box.setAttribute(k, v);
    return box;
  }

  // one row of the schedule: system, first month, rounds a month, month-to-month sd
  function addRow(delivery) {
    const c = chosen();
    const row = el("schedule").querySelector("tbody").insertRow();
    row.className = "delivery";
    const system = document.createElement("select");
    system.className = "system";
    for (const key of Object.keys(c.stocks)) {
      const option = document.createElement("option");
      option.value = key;
      option.textContent = key;
      system.appendChild(option);
    }
    if (delivery.system) system.value = delivery.system;
    const cells = [
      system,
      input("date", delivery.start || "", { class: "start", title: "empty: the campaign's start" }),
      input("number", delivery.per_month ?? 0, { class: "per-month", min: "0", step: "1" }),
      input("number", delivery.sd ?? 0, { class: "sd", min: "0", step: "any" }),
    ];
    const remove = document.createElement("button");
    remove.type = "button";
    remove.textContent = "remove";
    remove.addEventListener("click", () => row.remove());
    cells.push(remove);
    for (const item of cells) row.insertCell().appendChild(item);
  }

  function showCampaign() {
    const c = chosen();
    if (!c) return;
    el("campaign-description").textContent =
      `${c.description} (${c.nights} nights from ${c.start}; stocks at the start: ` +
      Object.entries(c.stocks).map(([k, v]) => `${k} ${v}`).join(", ") + ")";
    el("campaign-replications").value = String(Math.min(c.replications, 50));
    el("campaign-seed").value = String(c.seed);
    el("schedule").querySelector("tbody").replaceChildren();
    for (const d of c.deliveries) addRow(d);
  }

  function schedule() {
    return [...el("schedule").querySelectorAll("tr.delivery")].map((row) => {
      const entry = {
        system: row.querySelector(".system").value,
        per_month: Number(row.querySelector(".per-month").value),
        sd: Number(row.querySelector(".sd").value),
      };
      const start = row.querySelector(".start").value;
      if (start) entry.start = start;
      return entry;
    });
  }

  function running(on) {
    el("campaign-run").disabled = on;
    el("campaign-cancel").disabled = !on;
  }

  async function run(event) {
    event.preventDefault();
    say("");
    const body = {
      campaign: el("campaign").value,
      deliveries: schedule(),
      replications: Number(el("campaign-replications").value),
    };
    if (el("campaign-seed").value !== "") body.seed = Number(el("campaign-seed").value);
    try {
      const created = await call("POST", "/api/campaigns", body);
      camp.job = created.id;
      el("campaign-box").dataset.job = created.id;
      running(true);
      poll();
    } catch (error) {
      say(error.message);
    }
  }

  async function poll() {
    if (!camp.job) return;
    try {
      const status = await call("GET", `/api/campaigns/${camp.job}`);
      const p = status.progress;
      el("campaign-progress").max = Math.max(p.total, 1);
      el("campaign-progress").value = p.done;
      el("campaign-status").textContent = `${status.name}: ${status.state}` +
        (p.stage ? ` (${p.stage}${p.total ? `: ${p.done} of ${p.total}` : ""})` : "");
      el("campaign-status").dataset.state = status.state;
      if (["done", "failed", "cancelled"].includes(status.state)) {
        camp.job = null;
        running(false);
        if (status.state === "failed") say(status.error);
        if (status.state === "done") show(status);
        return;
      }
    } catch (error) {
      say(error.message);
    }
    camp.timer = setTimeout(poll, POLL);
  }

  async function cancel() {
    if (!camp.job) return;
    try {
      await call("DELETE", `/api/campaigns/${camp.job}`);
    } catch (error) {
      say(error.message);
    }
  }

  function node(name, attrs, parent) {
    const item = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attrs)) item.setAttribute(k, String(v));
    if (parent) parent.appendChild(item);
    return item;
  }

  function show(status) {
    const doc = status.result;
    const bands = status.stock_bands;
    el("campaign-result").hidden = false;
    el("campaign-result").dataset.job = status.id;
    el("campaign-title").textContent =
      `${doc.campaign}: ${doc.nights} nights from ${doc.start}, ${doc.replications} ` +
      `replications — national stock at the start of each night (before its deliveries): ` +
      `median (line) and ${Math.round(bands.low * 100)}–${Math.round(bands.high * 100)}% of ` +
      "the replications (band). Stocks and deliveries are assumptions (notional).";
    chart(bands);
    const body = el("campaign-systems").querySelector("tbody");
    body.replaceChildren();
    for (const r of doc.systems) {
      const row = body.insertRow();
      row.dataset.system = r.nation === "UA" ? r.system : `${r.nation}/${r.system}`;
      const risk = `${r.p_stockout.toFixed(2)} [${r.p_stockout_lo.toFixed(2)}–` +
        `${r.p_stockout_hi.toFixed(2)}]`;
      const values = [r.nation, r.system, r.stock_start, r.deliveries_per_month, risk,
        r.stockout_night_p50 === null ? "–" : r.stockout_night_p50.toFixed(0),
        r.nights_holding.toFixed(1),
        `${r.stock_end_p5.toFixed(0)} / ${r.stock_end_p50.toFixed(0)} / ${r.stock_end_p95.toFixed(0)}`];
      values.forEach((v, i) => {
        const td = row.insertCell();
        td.textContent = String(v);
        if (i < 2) td.className = "text";
      });
    }
  }

  // one chart: x the nights (dates), y the rounds; per system a band and its median line
  function chart(bands) {
    const box = el("campaign-chart");
    box.replaceChildren();
    const width = 900;
    const height = 340;
    const pad = { left: 52, right: 170, top: 12, bottom: 34 };
    const n = bands.dates.length;
    const top = Math.max(1, ...bands.systems.flatMap((s) => s.high));
    const x = (i) => pad.left + (i / Math.max(n - 1, 1)) * (width - pad.left - pad.right);
    const y = (v) => pad.top + (1 - v / top) * (height - pad.top - pad.bottom);
    const svg = node("svg", { viewBox: `0 0 ${width} ${height}`, role: "img",
      "aria-label": "national stock per system, median and band, night by night" }, box);
    // axes: rounds every ~5 ticks, and the first of each month
    const step = Math.max(1, Math.pow(10, Math.floor(Math.log10(top / 4))));
    const tick = top / step > 8 ? step * Math.ceil(top / step / 6) : step;
    for (let v = 0; v <= top; v += tick) {
      node("line", { x1: pad.left, x2: width - pad.right, y1: y(v), y2: y(v), class: "grid" }, svg);
      node("text", { x: pad.left - 6, y: y(v) + 4, "text-anchor": "end", class: "tick" }, svg)
        .textContent = String(v);
    }
    bands.dates.forEach((date, i) => {
      if (!date.endsWith("-01")) return;
      node("line", { x1: x(i), x2: x(i), y1: pad.top, y2: height - pad.bottom, class: "grid" }, svg);
      node("text", { x: x(i), y: height - pad.bottom + 16, "text-anchor": "middle", class: "tick" },
        svg).textContent = date.slice(0, 7);
    });
    node("text", { x: 12, y: pad.top + 8, class: "tick" }, svg).textContent = "rounds";
    bands.systems.forEach((s, k) => {
      const colour = COLOURS[k % COLOURS.length];
      const group = node("g", { class: "campaign-band", "data-system": s.system }, svg);
      const upper = s.high.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`);
      const lower = s.low.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).reverse();
      node("polygon", { points: [...upper, ...lower].join(" "), fill: colour,
        "fill-opacity": 0.15, stroke: "none", class: "band" }, group);
      node("polyline", { points: s.median.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`)
        .join(" "), fill: "none", stroke: colour, "stroke-width": 1.6, class: "median" }, group);
      const ly = pad.top + 14 + k * 18;
      node("rect", { x: width - pad.right + 12, y: ly - 9, width: 14, height: 10, fill: colour,
        "fill-opacity": 0.5 }, svg);
      node("text", { x: width - pad.right + 32, y: ly, class: "tick" }, svg).textContent = s.system;
    });
  }

  async function load() {
    try {
      const data = await call("GET", "/api/campaigns");
      camp.list = data.campaigns;
      const select = el("campaign");
      for (const c of data.campaigns) {
        const option = document.createElement("option");
        option.value = c.name;
        option.textContent = c.name;
        select.appendChild(option);
      }
      showCampaign();
      el("campaign-box").dataset.ready = "true";
    } catch (error) {
      say(error.message);
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    el("campaign").addEventListener("change", showCampaign);
    el("campaign-form").addEventListener("submit", run);
    el("campaign-cancel").addEventListener("click", cancel);
    el("campaign-add").addEventListener("click", () => addRow({ per_month: 0, sd: 0 }));
    el("campaign-reset").addEventListener("click", showCampaign);
    load();
  });
})();
