// The dashboard page: one Server-Sent Events feed of snapshots, and the controls.
"use strict";

// The control API the buttons use.
const API = {
  feed: "/_sim/ui/feed",
  ports: "/_sim/ports",
  clock: "/_sim/clock",
  scenarios: "/_sim/scenarios",
  report: "/_sim/report",
};
const REPORT_EVERY_MS = 10000;  // the report re-reads the whole journal: not on every feed snapshot

const $ = (sel) => document.querySelector(sel);
let selected = new URLSearchParams(location.search).get("call");
let source = null;
let lastDetail = "";
let clockMode = null;

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") node.className = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

function connect() {
  if (source) source.close();
  const url = selected ? `${API.feed}?call=${encodeURIComponent(selected)}` : API.feed;
  source = new EventSource(url);
  source.addEventListener("open", () => { $("#link").textContent = "live"; $("#link").className = ""; });
  source.addEventListener("error", () => { $("#link").textContent = "reconnecting"; $("#link").className = "down"; });
  source.addEventListener("snapshot", (e) => render(JSON.parse(e.data)));
}

function render(s) {
  const c = s.clock;
  $("#clock").textContent = `${c.now} UTC · ${c.mode}${c.speed && c.speed !== 1 ? " x" + c.speed : ""}`;
  if (c.mode !== clockMode) {
    clockMode = c.mode;
    $("#advance-form").hidden = c.mode !== "manual";
    $("#speed-form").hidden = c.mode === "manual";
    if (c.speed) $("#speed").value = c.speed;
  }
  const figures = {
    callout: s.calls.callout, alerting: s.calls.alerting, answered: s.calls.answered, ended: s.calls.ended,
    events: s.events.delivered, eventsFailed: s.events.failed, bills: s.bills.delivered,
    retrying: s.bills.retrying, givenUp: s.bills.givenUp, backlog: s.pushBacklog.queued,
    lateness: `${s.lateness.p50Ms.toFixed(1)}/${s.lateness.p99Ms.toFixed(1)} ms`,
  };
  for (const [name, value] of Object.entries(figures)) $(`[data-figure="${name}"]`).textContent = value;
  const late = $(`[data-figure="lateness"]`);
  late.className = s.lateness.behind ? "bad" : "";
  late.title = s.lateness.behind ? "falling behind the requested speed: events run a simulated second or more late"
                                 : "over the last minute of real time";
  renderGauge(s.ports);
  renderCalls(s.recent);
  renderBills(s.billDeliveries);
  if (selected) renderDetail(s.selected);
}

function renderGauge(p) {
  $("#idle").textContent = p.idle;
  $("#capacity").textContent = p.capacity;
  const share = p.capacity ? p.idle / p.capacity : 0;
  $("#gauge-fill").style.strokeDasharray = `${(share * 100).toFixed(1)} 100`;
  const gauge = $("#gauge");
  gauge.className = p.idle === 0 ? "empty" : share < 0.2 ? "low" : "";
  gauge.setAttribute("aria-valuenow", p.idle);
  gauge.setAttribute("aria-valuemax", p.capacity);
  if (document.activeElement !== $("#ports")) $("#ports").value = p.capacity;
}

function renderCalls(calls) {
  const body = $("#calls tbody");
  const rows = calls.map((call) => {
    const failed = call.stateCode !== null && call.stateCode !== 0 && call.stateCode !== 8017;
    const tr = el("tr", { "data-session-id": call.sessionId, "data-state": call.state, title: call.sessionId },
      el("td", {}, call.start.slice(11)),
      el("td", {}, call.callee),
      el("td", {}, el("span", { class: `state ${call.state}${failed ? " failed" : ""}` }, call.state)),
      el("td", {}, call.stateCode === null ? "" : call.outcome),
      el("td", {}, call.userData ?? ""));
    if (call.sessionId === selected) tr.classList.add("selected");
    tr.addEventListener("click", () => select(call.sessionId));
    return tr;
  });
  body.replaceChildren(...rows);
  $("#no-calls").hidden = calls.length > 0;
}

function renderBills(bills) {
  const rows = bills.map((b) => el("tr", { "data-push-id": b.id, "data-bill-state": b.state },
    el("td", {}, `#${b.id}`),
    el("td", {}, b.bills),
    el("td", {}, el("span", { class: b.state === "delivered" ? "ok" : (b.state === "sending" || b.state === "queued") ? "none" : "bad" },
      b.state.replace("_", " "))),
    el("td", {}, ...b.attempts.flatMap((a, i) => [...(i ? [" · "] : []), el("span", { class: "attempt" },
      `${a.at.slice(11)} `, el("span", { class: a.ok ? "ok" : "bad" }, a.result))])),
    el("td", {}, b.nextAttempt ? b.nextAttempt.slice(11) : "")));
  $("#deliveries tbody").replaceChildren(...rows);
  $("#no-bills").hidden = bills.length > 0;
}

function renderDetail(d) {
  const text = JSON.stringify(d);
  if (text === lastDetail) return;
  lastDetail = text;
  $("#detail").hidden = false;
  $("#detail-id").textContent = selected;
  if (!d) {
    $("#detail-summary").textContent = "This call is no longer kept by the simulator.";
    $("#events").replaceChildren();
    $("#bills").replaceChildren();
    return;
  }
  const call = d.call;
  $("#detail-summary").textContent = `${call.caller} → ${call.callee} · ${call.outcome}` +
    (call.userData ? ` · userData ${call.userData}` : "");
  $("#events").replaceChildren(...d.events.map((e) => el("li", { "data-event": e.event },
    el("span", { class: "at" }, e.at), " ", el("b", {}, e.event), " → ",
    el("span", { class: e.ok === true ? "ok" : e.ok === false ? "bad" : "none", "data-result": "" }, e.result))));
  const bills = d.bills.map((b) => el("li", { "data-bill-state": b.state },
    `${b.bills} bill(s) in message #${b.id}: `, el("b", {}, b.state.replace("_", " ")),
    b.nextAttempt ? ` (next ${b.nextAttempt})` : "",
    el("ol", {}, ...b.attempts.map((a) => el("li", {}, el("span", { class: "at" }, a.at), " ",
      el("span", { class: a.ok ? "ok" : "bad" }, a.result))))));
  $("#bills").replaceChildren(...(bills.length ? bills : [el("li", { class: "none" }, "none yet")]));
  $("#timeline").src = `${d.timeline}?v=${encodeURIComponent(text.length + ":" + d.events.length + ":" + d.bills.length)}`;
  $("#timeline-link").href = d.timeline;
}

function select(sessionId) {
  selected = sessionId;
  lastDetail = "";
  history.replaceState(null, "", `?call=${encodeURIComponent(sessionId)}`);
  connect();
}

async function send(url, body) {
  const message = $("#control-message");
  message.textContent = "sending…";
  message.className = "";
  try {
    const resp = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body) });
    const doc = await resp.json().catch(() => ({}));
    if (!resp.ok) throw new Error(doc.error || `HTTP ${resp.status}`);
    message.textContent = "done";
    message.className = "";
    return doc;
  } catch (err) {
    message.textContent = err.message;
    message.className = "bad";
    return null;
  }
}

async function loadScenarios() {
  const resp = await fetch(API.scenarios).catch(() => null);
  if (!resp || !resp.ok) return;  // no scenario support in this simulator: the control stays hidden
  const doc = await resp.json();
  const select = $("#scenario");
  select.replaceChildren(...doc.scenarios.map((s) => el("option", { value: s.name, title: s.description || "" },
    s.name)));
  if (doc.active && doc.active.length) select.value = doc.active[0];
  $("#scenario-form").hidden = false;
}

$("#ports-form").addEventListener("submit", (e) => {
  e.preventDefault();
  send(API.ports, { capacity: Number($("#ports").value) });
});
$("#advance-form").addEventListener("submit", (e) => {
  e.preventDefault();
  send(API.clock, { advance: Number($("#advance").value) });
});
$("#speed-form").addEventListener("submit", (e) => {
  e.preventDefault();
  send(API.clock, { speed: Number($("#speed").value) });
});
$("#scenario-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  await send(API.scenarios, { name: $("#scenario").value });
});

async function loadReport() {
  const summary = $("#report-summary");
  const resp = await fetch(API.report).catch(() => null);
  if (!resp || !resp.ok) {
    summary.textContent = "(unavailable)";
    return;
  }
  const doc = await resp.json();
  summary.textContent = doc.findings.length ? `(${doc.errors} errors, ${doc.warnings} warnings)`
    : `(no problems in ${doc.requests} requests and ${doc.pushes} pushes)`;
  const open = new Set([...document.querySelectorAll("#report details[open]")].map((d) => d.dataset.key));
  const rows = doc.findings.map((f) => {
    const key = `${f.id} ${f.where}`;
    const details = el("details", { "data-key": key }, el("summary", {}, f.title),
      el("p", {}, el("b", {}, "where "), f.where || "-"),
      el("p", {}, el("b", {}, "fix "), f.fix),
      el("pre", {}, f.example));
    if (open.has(key)) details.open = true;
    return el("tr", { "data-finding-id": f.id, "data-severity": f.severity },
      el("td", {}, el("span", { class: `severity ${f.severity}` }, f.severity)),
      el("td", {}, f.count),
      el("td", {}, details),
      el("td", {}, f.spec));
  });
  $("#report tbody").replaceChildren(...rows);
}

$("#report-refresh").addEventListener("click", loadReport);

loadScenarios();
loadReport();
setInterval(loadReport, REPORT_EVERY_MS);
connect();
