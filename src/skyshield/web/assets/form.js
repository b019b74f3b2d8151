// skyshield serve's policy form, generated from the scenario JSON Schema (GET /api/schema, the
// one `skyshield schema` prints). Per nation, every field its schema holds (the rules of
// engagement and whatever is added to them later) gets an input chosen by the field's type:
// an enum a select, a boolean a checkbox, a number a number input with the schema's bounds, a
// list of an enum one checkbox per value, an optional object a checkbox that sets it; the
// description is the help text. The run size comes from the schema's monte_carlo settings.
// Edits become the `path=value` overrides `--vary` takes; the server validates them as the CLI.
"use strict";

const policyForm = (() => {
  // the run size fields the run request takes itself; any other monte_carlo field: an override
  const REQUEST_FIELDS = new Set(["replications", "seed", "route_sets"]);
  // the page's own run size (the scenarios' 1,000 nights take minutes)
  const PAGE_REPLICATIONS = 50;
  // texts YAML reads as something else than a string (PyYAML's booleans and nulls)
  const YAML_WORDS = new Set(["y", "n", "yes", "no", "on", "off", "true", "false", "null"]);
  const form = { schema: null, nations: [], runSize: [], values: null, request: 0 };
  const el = (tag, props = {}, ...children) => {
    const node = Object.assign(document.createElement(tag), props);
    node.append(...children);
    return node;
  };

  // the schema node a field's schema points to ($ref), with the field's own keys kept
  function deref(node) {
    let out = node || {};
    for (let depth = 0; out.$ref && depth < 32; depth += 1) {
      const { $ref, ...own } = out;
      out = { ...form.schema.$defs[$ref.replace("#/$defs/", "")], ...own };
    }
    if (Array.isArray(out.allOf) && out.allOf.length === 1) {
      const { allOf, ...own } = out;
      out = { ...deref(allOf[0]), ...own };
    }
    return out;
  }

  // what input a schema node gets: {kind, node, nullable, ...}
  function spec(raw) {
    const node = deref(raw);
    if (Array.isArray(node.anyOf)) {
      const alternatives = node.anyOf.map(deref);
      const others = alternatives.filter((a) => a.type !== "null");
      const nullable = others.length < alternatives.length;
      if (others.length === 1) {
        const { anyOf, ...own } = node;
        const one = spec({ ...others[0], ...own });
        return { ...one, nullable: one.nullable || nullable };
      }
      return { kind: "choice", node, alternatives: others, nullable };
    }
    if (Array.isArray(node.enum)) {
      const values = node.enum.filter((v) => v !== null);
      return { kind: "enum", node, values, nullable: values.length < node.enum.length };
    }
    if (node.const !== undefined) return { kind: "enum", node, values: [node.const], nullable: false };
    const types = Array.isArray(node.type) ? node.type : [node.type];
    const nullable = types.includes("null");
    switch (types.find((t) => t !== "null")) {
      case "boolean":
        return { kind: "boolean", node, nullable };
      case "integer":
        return { kind: "number", node, nullable, integer: true };
      case "number":
        return { kind: "number", node, nullable, integer: false };
      case "string":
        return { kind: "text", node, nullable };
      case "array": {
        const item = spec(node.items || {});
        if (item.kind === "enum") return { kind: "multi", node, nullable, values: item.values };
        if (item.kind === "text" || item.kind === "number") return { kind: "list", node, nullable, item };
        return { kind: "json", node, nullable };
      }
      case "object":
        if (node.properties) return { kind: "object", node, nullable };
        if (typeof node.additionalProperties === "object" && node.propertyNames) {
          const keys = spec(node.propertyNames);
          if (keys.kind === "enum") return { kind: "keyed", node, nullable, keys: keys.values };
        }
        if (node.patternProperties || typeof node.additionalProperties === "object") {
          return { kind: "map", node, nullable };
        }
        return { kind: "json", node, nullable };
      default:
        return { kind: "json", node, nullable };
    }
  }

  // the schema's constraints in words ("0 to 20000", "more than 0")
  function bounds(node) {
    const parts = [];
    if (node.minimum !== undefined) parts.push(`at least ${node.minimum}`);
    if (node.exclusiveMinimum !== undefined) parts.push(`more than ${node.exclusiveMinimum}`);
    if (node.maximum !== undefined) parts.push(`at most ${node.maximum}`);
    if (node.exclusiveMaximum !== undefined) parts.push(`less than ${node.exclusiveMaximum}`);
    if (node.pattern) parts.push(`matching ${node.pattern}`);
    return parts.join(", ");
  }

  function helpText(s) {
    const node = s.node;
    const parts = [node.description || ""];
    if (s.kind === "choice") {
      parts.push(`One of: ${s.alternatives.map((a) => a.const ?? [a.type, bounds(a)].join(" ")).join("; ")}.`);
    } else if (s.kind === "number" || s.kind === "text") {
      const b = bounds(node);
      if (b) parts.push(`(${b})`);
    } else if (s.kind === "list") {
      parts.push("Comma-separated.");
      const b = bounds(s.item.node);
      if (b) parts.push(`Each ${b}.`);
    } else if (s.kind === "json") {
      parts.push("As JSON.");
    } else if (s.kind === "keyed") {
      parts.push("Empty: none.");
    }
    if (s.nullable && s.kind !== "object") parts.push("Empty: none.");
    return parts.filter((p) => p).join(" ");
  }

  // whether a schema's (Python) pattern is one the browser reads too (the `v` flag of the
  // pattern attribute refuses some classes Python takes); else the server alone checks it
  function browserPattern(pattern) {
    try {
      new RegExp(pattern, "v");
      return true;
    } catch {
      return false;
    }
  }

  // YAML text of a value, as an override writes it (plain where that reads back the same)
  function yamlText(v) {
    if (v === null || v === undefined) return "null";
    if (typeof v === "number") {
      const t = String(v);
      return /e/i.test(t) ? v.toFixed(15).replace(/\.?0+$/, "") : t;
    }
    if (typeof v === "boolean") return String(v);
    if (typeof v === "string") {
      const plain = /^[A-Za-z][A-Za-z0-9_-]*$/.test(v) && !YAML_WORDS.has(v.toLowerCase());
      return plain ? v : JSON.stringify(v);
    }
    if (Array.isArray(v)) return `[${v.map(yamlText).join(", ")}]`;
    return `{${Object.entries(v).map(([k, x]) => `${k}: ${yamlText(x)}`).join(", ")}}`;
  }

  const label = (key) => key.replaceAll("_", " ");
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

  // one field: its input and how to read it; `initial` is the scenario's value. What the
  // untouched input reads is kept (`start`): an edit is a reading that differs from it
  function field(raw, key, path, initial) {
    const f = build(raw, key, path, initial);
    f.start = f.read();
    return f;
  }

  function build(raw, key, path, initial) {
    const s = spec(raw);
    const f = { path, key, kind: s.kind, spec: s, initial, children: [] };
    const text = helpText(s);
    const help = el("span", { className: "help", textContent: text, title: text });
    const tag = (input) => {
      input.dataset.path = path;
      input.dataset.kind = s.kind;
      input.title = path;
      return input;
    };
    const wrap = (input, inline = false) =>
      el("label", { className: inline ? "field inline" : "field" }, ...(inline
        ? [input, ` ${label(key)}`] : [label(key), input]), help);
    switch (s.kind) {
      case "boolean": {
        if (s.nullable) return enumField(f, s, ["none", "true", "false"], [null, true, false], tag, wrap);
        const input = tag(el("input", { type: "checkbox", checked: initial === true }));
        f.read = () => input.checked;
        f.element = wrap(input, true);
        return f;
      }
      case "enum":
        return enumField(f, s, s.values.map(String), s.values, tag, wrap);
      case "number": {
        const input = tag(el("input", { type: "number", step: s.integer ? "1" : "any" }));
        const node = s.node;
        const low = node.minimum ?? node.exclusiveMinimum;
        const high = node.maximum ?? node.exclusiveMaximum;
        if (low !== undefined) input.min = String(low);
        if (high !== undefined) input.max = String(high);
        input.value = initial === null || initial === undefined ? "" : String(initial);
        if (s.nullable) input.placeholder = "none";
        f.read = () => (input.value.trim() === "" ? null : Number(input.value));
        f.element = wrap(input);
        return f;
      }
      case "text": {
        const input = tag(el("input", { type: "text", value: initial ?? "" }));
        if (s.node.pattern && browserPattern(s.node.pattern)) input.pattern = s.node.pattern;
        if (s.node.maxLength !== undefined) input.maxLength = s.node.maxLength;
        f.read = () => (s.nullable && input.value === "" ? null : input.value);
        f.element = wrap(input);
        return f;
      }
      case "choice": {
        const input = tag(el("input", { type: "text", value: initial ?? "" }));
        f.read = () => {
          const text = input.value.trim();
          if (text === "") return null;
          return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
        };
        f.element = wrap(input);
        return f;
      }
      case "multi": {
        const box = tag(el("fieldset", { className: "multi" }, el("legend", { textContent: label(key) })));
        const chosen = new Set(Array.isArray(initial) ? initial : []);
        const checks = s.values.map((v) => {
          const check = el("input", { type: "checkbox", checked: chosen.has(v) });
          check.dataset.value = String(v);
          box.append(el("label", { className: "inline" }, check, ` ${v}`));
          return check;
        });
        box.append(help);
        f.read = () => s.values.filter((v, i) => checks[i].checked);
        f.element = box;
        return f;
      }
      case "list": {
        const input = tag(el("input", { type: "text", value: (initial || []).join(", ") }));
        const number = s.item.kind === "number";
        f.read = () => input.value.split(",").map((x) => x.trim()).filter((x) => x !== "")
          .map((x) => (number ? Number(x) : x));
        f.element = wrap(input);
        return f;
      }
      case "object":
        return objectField(f, s, tag, help);
      case "keyed":
        return keyedField(f, s, tag, help);
      case "map":
        return mapField(f, s, tag, help);
      default: {
        const input = tag(el("textarea", { rows: 2, value: initial === undefined ? "" : JSON.stringify(initial) }));
        f.read = () => {
          const text = input.value.trim();
          if (text === "") return null;
          try {
            return JSON.parse(text);
          } catch {
            return text; // sent as written: the server says what is wrong with it
          }
        };
        f.element = wrap(input);
        return f;
      }
    }
  }

  function enumField(f, s, texts, values, tag, wrap) {
    const select = tag(el("select"));
    if (s.nullable && !values.includes(null)) {
      texts = ["none", ...texts];
      values = [null, ...values];
    }
    texts.forEach((text, i) => {
      select.append(el("option", { value: String(i), textContent: text, selected: same(values[i], f.initial) }));
    });
    f.read = () => values[Number(select.value)];
    f.element = wrap(select);
    return f;
  }

  // an object: its fields in a fieldset; an optional one (null allowed) is set by a checkbox
  function objectField(f, s, tag, help) {
    const box = tag(el("fieldset", { className: "object" }));
    const legend = el("legend", { textContent: label(f.key) });
    box.append(legend);
    const given = f.initial !== null && typeof f.initial === "object" ? f.initial : null;
    const defaults = s.node.default && typeof s.node.default === "object" ? s.node.default : {};
    for (const [key, sub] of Object.entries(s.node.properties)) {
      const start = given ? given[key] : (deref(sub).default ?? defaults[key] ?? null);
      const child = field(sub, key, `${f.path}.${key}`, start);
      f.children.push(child);
      box.append(child.element);
    }
    let set = null;
    if (s.nullable) {
      set = el("input", { type: "checkbox", checked: given !== null });
      set.dataset.set = f.path;
      legend.replaceChildren(el("label", { className: "inline" }, set, ` ${label(f.key)}`));
      const enable = () => {
        for (const input of box.querySelectorAll("[data-path]")) {
          if (input !== box) input.disabled = !set.checked;
        }
      };
      set.addEventListener("change", enable);
      enable();
    }
    box.append(help);
    f.read = () => {
      if (set && !set.checked) return null;
      return Object.fromEntries(f.children.map((c) => [c.key, c.read()]));
    };
    f.element = box;
    return f;
  }

  // a map whose keys are an enum ({ballistic: 8}): one input per key, empty: the key absent
  function keyedField(f, s, tag, help) {
    const box = tag(el("fieldset", { className: "keyed" }, el("legend", { textContent: label(f.key) })));
    const given = f.initial && typeof f.initial === "object" ? f.initial : {};
    for (const key of s.keys) {
      const child = field(s.node.additionalProperties, String(key), `${f.path}.${key}`, given[key] ?? null);
      f.children.push(child);
      box.append(child.element);
    }
    box.append(help);
    f.read = () => Object.fromEntries(f.children.map((c) => [c.key, c.read()]).filter(([, v]) => v !== null));
    f.element = box;
    return f;
  }

  // a map (nations): one group per key the scenario has, each the value schema's fields
  function mapField(f, s, tag, help) {
    const box = tag(el("div", { className: "map" }));
    const patterns = Object.values(s.node.patternProperties || {});
    const item = patterns[0] || s.node.additionalProperties;
    for (const [key, value] of Object.entries(f.initial || {})) {
      const child = field(item, key, `${f.path}.${key}`, value);
      child.element.classList.add("entry");
      child.element.dataset.key = key;
      const legend = child.element.querySelector("legend");
      if (legend && value && value.name) legend.textContent = `${key} — ${value.name}`;
      f.children.push(child);
      box.append(child.element);
    }
    box.append(help);
    f.read = () => Object.fromEntries(f.children.map((c) => [c.key, c.read()]));
    f.element = box;
    return f;
  }

  // each nation's own items of the scenario's lists of objects with an id and a nation (its
  // sensors and fire units with their track-sharing networks, EW zones, patrols...): folded
  // under the nation, one group per item, its fields addressed by id (fire_units.<id>.stock)
  function members(nations, values) {
    const fields = [];
    for (const [list, raw] of Object.entries(form.schema.properties)) {
      const node = deref(raw);
      const item = deref(node.items || {});
      const own = item.properties || {};
      if (node.type !== "array" || !own.id || !own.nation) continue;
      for (const entry of nations.children) {
        const mine = (values[list] || []).filter((x) => x.nation === entry.key);
        if (!mine.length) continue;
        const folded = el("details", { className: "members" },
          el("summary", { textContent: `${label(list)} of ${entry.key} (${mine.length})` }));
        folded.dataset.list = list;
        for (const value of mine) {
          const f = field(node.items, String(value.id), `${list}.${value.id}`, value);
          folded.append(f.element);
          fields.push(f);
        }
        entry.element.querySelector(":scope > .help").before(folded);
      }
    }
    return fields;
  }

  // the overrides of one field: the changed leaves, or the whole value where it was unset
  function changes(f, out) {
    const now = f.read();
    if ((f.kind === "object" || f.kind === "map") && f.start !== null && now !== null) {
      for (const child of f.children) changes(child, out);
      return out;
    }
    if (!same(now, f.start)) out.push(`${f.path}=${yamlText(now)}`);
    return out;
  }

  function overrides() {
    const out = [];
    for (const f of form.nations) changes(f, out);
    for (const f of form.runSize) if (!REQUEST_FIELDS.has(f.key)) changes(f, out);
    return out;
  }

  // the run request's own size fields (replications, seed, route_sets) from the run size group
  function runSize(body) {
    for (const f of form.runSize) {
      if (!REQUEST_FIELDS.has(f.key)) continue;
      const value = f.read();
      if (value !== null && value !== "") body[f.key] = value;
    }
    return body;
  }

  function buildRunSize() {
    const node = deref(form.schema.properties.monte_carlo);
    const box = document.getElementById("run-size");
    box.replaceChildren();
    form.runSize = Object.entries(node.properties).map(([key, sub]) => {
      // the scenario's seed and route sets unless edited (placeholders); the page's nights
      const start = key === "replications" ? PAGE_REPLICATIONS : null;
      const f = field(sub, key, `monte_carlo.${key}`, start);
      const input = f.element.querySelector("[data-path]");
      if (input) input.id = key;
      box.append(f.element);
      return f;
    });
  }

  function showValues(values) {
    const mc = values.monte_carlo || {};
    for (const f of form.runSize) {
      const input = f.element.querySelector("[data-path]");
      if (input && input.tagName === "INPUT" && f.key !== "replications") {
        input.placeholder = `the scenario's: ${mc[f.key]}`;
      }
    }
    const box = document.getElementById("policy-form");
    const nations = field(form.schema.properties.nations, "nations", "nations", values.nations);
    form.nations = [nations, ...members(nations, values)];
    box.replaceChildren(el("h3", { textContent: "Rules of engagement and more, per nation" }),
      nations.element, el("p", { className: "note", id: "form-overrides" }));
    showOverrides();
  }

  // the overrides the form sends, under it (updated on every edit)
  function showOverrides() {
    const shown = document.getElementById("form-overrides");
    if (!shown) return;
    const sent = overrides();
    shown.textContent = sent.length ? `The form's overrides: ${sent.join("; ")}`
      : "The form's overrides: none (the scenario as written).";
    shown.dataset.overrides = JSON.stringify(sent);
  }

  // build the nations' fields for a scenario (a built-in name or uploaded YAML)
  async function load(policy) {
    const box = document.getElementById("policy-form");
    const request = (form.request += 1);
    form.nations = [];
    box.dataset.state = "loading";
    box.replaceChildren(el("p", { className: "note", textContent: "Reading the scenario…" }));
    const response = await fetch("/api/policies", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(policy),
    });
    const data = await response.json();
    if (request !== form.request) return; // another scenario was chosen meanwhile
    if (!response.ok) {
      box.dataset.state = "failed";
      box.replaceChildren(el("p", { className: "error", textContent: data.error }));
      return;
    }
    form.values = data.scenario;
    showValues(data.scenario);
    box.dataset.scenario = data.scenario.name;
    box.dataset.state = "ready";
  }

  function chosen() {
    const file = document.getElementById("upload").files[0];
    if (file) return file.text().then((yaml) => ({ yaml }));
    return Promise.resolve({ scenario: document.getElementById("scenario").value });
  }

  const reload = () => chosen().then(load).catch((error) => {
    const box = document.getElementById("policy-form");
    box.dataset.state = "failed";
    box.replaceChildren(el("p", { className: "error", textContent: error.message }));
  });

  // the schema and the run size first (the page is ready then), the nations when a scenario is
  const ready = fetch("/api/schema").then((r) => r.json()).then((schema) => {
    form.schema = schema;
    buildRunSize();
  });

  document.addEventListener("DOMContentLoaded", () => {
    document.getElementById("scenario").addEventListener("change", reload);
    document.getElementById("upload").addEventListener("change", reload);
    document.getElementById("policy-form").addEventListener("input", showOverrides);
    document.getElementById("policy-form").addEventListener("change", showOverrides);
  });

  return { ready, load: reload, overrides, runSize, spec };
})();
