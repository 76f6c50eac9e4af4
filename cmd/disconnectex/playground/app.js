// The playground page: it loads the disconnectex command compiled to
// WebAssembly, which registers globalThis.disconnectex (see wasm_js.go):
//   run(script, name) -> JSON {code, text, stderr, svg, trace: {events, states}}
//   explain(code)   -> text, or "" for an unknown code
//   states(json)    -> the state diagram SVG with the given states highlighted
//   scenarios()     -> JSON [{name, text}]
//   churn(argsJSON) -> JSON {code, command, text, stderr, svg}: disconnectex churn with those flags
// Everything runs here; the page makes no request but for its own files.
"use strict";

const $ = (id) => document.getElementById(id);
const codePattern = /\b(WSA[A-Z0-9_]+|ERROR_[A-Z0-9_]+|STATUS_[A-Z0-9_]+|WAIT_TIMEOUT|WAIT_OBJECT_0)\b/g;

let scenarios = [];
let last = null; // the last run's result
let step = 0;

function escapeHTML(s) {
  return s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
}

// linkCodes escapes text and makes every error code in it a link to explain.
function linkCodes(text) {
  return escapeHTML(text).replace(codePattern, (c) => `<a class="code" data-code="${c}">${c}</a>`);
}

function setStatus(text, bad) {
  $("status").textContent = text;
  $("status").className = bad ? "error" : "";
}

function updateGutter(bad) {
  const n = $("script").value.split("\n").length;
  const lines = [];
  for (let i = 1; i <= n; i++) {
    lines.push(bad && bad.has(i) ? `<span class="bad">${i}</span>` : String(i));
  }
  $("gutter").innerHTML = lines.join("\n");
}

// problems reads "name:LINE: message" lines (unmet expectations) and
// "...: line LINE: message" (syntax errors) from stderr.
function problems(stderr) {
  const out = [];
  for (const l of stderr.split("\n")) {
    let m = l.match(/^[^:]*:(\d+): (.*)$/) || l.match(/line (\d+): (.*)$/);
    if (m) out.push({ line: Number(m[1]), msg: m[2] });
    else if (l.trim() !== "") out.push({ line: 0, msg: l });
  }
  return out;
}

function showProblems(list) {
  const ul = $("problems");
  ul.innerHTML = "";
  for (const p of list) {
    const li = document.createElement("li");
    li.textContent = p.line ? `line ${p.line}: ${p.msg}` : p.msg;
    li.dataset.line = p.line;
    li.onclick = () => selectLine(p.line);
    ul.appendChild(li);
  }
  updateGutter(new Set(list.filter((p) => p.line).map((p) => p.line)));
}

function selectLine(n) {
  if (!n) return;
  const ta = $("script");
  const lines = ta.value.split("\n");
  let start = 0;
  for (let i = 0; i < n - 1 && i < lines.length; i++) start += lines[i].length + 1;
  ta.focus();
  ta.setSelectionRange(start, start + (lines[n - 1] || "").length);
}

function describe(ev) {
  let what;
  switch (ev.kind) {
    case "call": what = `${ev.call}(${ev.args || ""})`; break;
    case "result": what = `${ev.call} = ${ev.result}` + (ev.args ? ` [${ev.args}]` : ""); break;
    case "transition": what = (ev.socket ? ev.socket + ": " : "") + `${ev.result} (${ev.call})` + (ev.args ? " " + ev.args : ""); break;
    default: what = (ev.socket ? ev.socket + ": " : "") + `${ev.call} ${ev.args || ""} ${ev.result || ""}`;
  }
  return `[${ev.time}] T${ev.thread} ${ev.kind} ${what}`;
}

function render() {
  const events = last ? last.trace.events : [];
  $("timeline").innerHTML = last ? linkCodes(last.text) : "";
  $("svg-timeline").innerHTML = last ? last.svg : "";
  const ol = $("events");
  ol.innerHTML = "";
  events.forEach((ev, i) => {
    const li = document.createElement("li");
    li.innerHTML = linkCodes(describe(ev));
    li.onclick = (e) => { if (!e.target.dataset.code) setStep(i); };
    ol.appendChild(li);
  });
  const max = Math.max(events.length - 1, 0);
  $("step").max = String(max);
  for (const id of ["first", "prev", "next", "last", "step"]) $(id).disabled = events.length === 0;
  setStep(max);
}

// setStep shows the sockets' states after event i.
function setStep(i) {
  const events = last ? last.trace.events : [];
  step = Math.max(0, Math.min(i, events.length - 1));
  $("step").value = String(step);
  const states = {};
  if (events.length) {
    for (const [sock, st] of Object.entries(last.trace.states[step] || {})) (states[st] = states[st] || []).push(sock);
    $("step-label").textContent = `event ${step + 1} of ${events.length}, at ${events[step].time}`;
  } else {
    $("step-label").textContent = "";
  }
  $("states").innerHTML = globalThis.disconnectex.states(JSON.stringify(states));
  const items = $("events").children;
  for (let k = 0; k < items.length; k++) items[k].className = k === step ? "current" : k > step ? "future" : "";
  if (items[step]) items[step].scrollIntoView({ block: "nearest" });
}

function explain(code) {
  const text = globalThis.disconnectex.explain(code);
  $("explain-title").textContent = code;
  $("explain-text").textContent = text || `${code}: not in the error reference`;
  $("explain").hidden = false;
}

// run runs the editor's script and shows the result. It returns a summary
// for tests and automation.
function run() {
  const t0 = performance.now();
  const chosen = scenarios.find((x) => x.name === $("scenario").value);
  const name = chosen && chosen.text === $("script").value ? chosen.name + ".dx" : "script.dx";
  last = JSON.parse(globalThis.disconnectex.run($("script").value, name));
  const ms = performance.now() - t0;
  showProblems(problems(last.stderr));
  render();
  const verdict = last.code === 0 ? "ok" : last.code === 1 ? "unmet expectations" : "script error";
  setStatus(`${verdict} (exit ${last.code}), ${last.trace.events.length} events, ${ms.toFixed(1)} ms`, last.code !== 0);
  return {
    code: last.code, text: last.text, stderr: last.stderr, events: last.trace.events.length, ms,
    bands: document.querySelectorAll("#svg-timeline rect.band").length,
    timeWaitBands: document.querySelectorAll('#svg-timeline rect.band[data-state="TIME_WAIT"]').length,
    currentStates: [...document.querySelectorAll('#states g.state[data-current="true"]')].map((g) => g.dataset.state),
  };
}

// churnModelLimit bounds a simulation in the page (churn -model-limit):
// the page runs on the browser's one thread.
const churnModelLimit = 2000000;

// churnArgs reads the capacity form as churn's flags.
function churnArgs() {
  const args = ["-rate", $("churn-rate").value.trim(), "-for", $("churn-for").value.trim(),
    "-delay", $("churn-delay").value.trim(), "-port-start", $("churn-port-start").value, "-port-count", $("churn-ports").value,
    "-servers", $("churn-servers").value, "-model-limit", String(churnModelLimit)];
  if (Number($("churn-reuse").value) > 0) args.push("-reuse", $("churn-reuse").value);
  if ($("churn-ramp").value.trim() !== "") args.push("-ramp-to", $("churn-ramp").value.trim());
  if ($("churn-server-first").checked) args.push("-server-first");
  // The placement, only where it is not churn's default.
  for (const [flag, id, def] of [["-server-port", "churn-server-port", "8080"], ["-client", "churn-client", "127.0.0.1"], ["-server", "churn-server", "127.0.0.1"]]) {
    const v = $(id).value.trim();
    if (v !== "" && v !== def) args.push(flag, v);
  }
  return args;
}

// churn simulates the workload of args (churn's flags) and shows the plot
// and the report. It returns a summary for tests and automation.
function churn(args) {
  const t0 = performance.now();
  const r = JSON.parse(globalThis.disconnectex.churn(JSON.stringify(args)));
  const ms = performance.now() - t0;
  $("churn-svg").innerHTML = r.svg;
  $("churn-text").innerHTML = linkCodes(r.code === 0 ? r.text : r.stderr);
  $("churn-command").textContent = r.command;
  $("churn-command-line").hidden = r.command === "";
  $("churn-status").textContent = r.code === 0 ? `simulated in ${ms.toFixed(0)} ms` : "not a workload churn accepts (see below)";
  $("churn-status").className = r.code === 0 ? "" : "error";
  return { code: r.code, command: r.command, text: r.text, stderr: r.stderr, svg: r.svg, ms,
    lines: document.querySelectorAll("#churn-svg polyline").length };
}

function chooseScenario(name) {
  const s = scenarios.find((x) => x.name === name);
  if (!s) throw new Error(`no scenario ${name}`);
  $("scenario").value = name;
  $("script").value = s.text;
  updateGutter();
}

async function start() {
  const go = new Go();
  const ready = new Promise((resolve) => { globalThis.__disconnectexReady = resolve; });
  const t0 = performance.now();
  const { instance } = await WebAssembly.instantiateStreaming(fetch("disconnectex.wasm"), go.importObject);
  go.run(instance);
  await ready;
  const loadMs = performance.now() - t0;
  scenarios = JSON.parse(globalThis.disconnectex.scenarios());
  const sel = $("scenario");
  sel.innerHTML = scenarios.map((s) => `<option value="${escapeHTML(s.name)}">${escapeHTML(s.name)}</option>`).join("");
  sel.onchange = () => chooseScenario(sel.value);
  chooseScenario(new URLSearchParams(location.search).get("scenario") || scenarios[0].name);
  $("run").disabled = false;
  $("churn-run").disabled = false;
  setStatus(`ready (emulator loaded in ${loadMs.toFixed(0)} ms)`);
  return { loadMs, scenarios: scenarios.map((s) => s.name) };
}

$("run").onclick = run;
$("churn-form").onsubmit = (e) => {
  e.preventDefault();
  $("churn-status").textContent = "simulating…";
  $("churn-status").className = "";
  // Let the status paint first: the simulation holds the page. The
  // promise is for automation (the browser test awaits it).
  globalThis.playground.submitted = new Promise((resolve) => setTimeout(() => resolve(churn(churnArgs())), 20));
};
$("script").oninput = () => updateGutter();
$("script").onscroll = () => { $("gutter").scrollTop = $("script").scrollTop; };
$("step").oninput = () => setStep(Number($("step").value));
$("first").onclick = () => setStep(0);
$("prev").onclick = () => setStep(step - 1);
$("next").onclick = () => setStep(step + 1);
$("last").onclick = () => setStep(Infinity);
$("explain-close").onclick = () => { $("explain").hidden = true; };
document.addEventListener("click", (e) => { if (e.target.dataset && e.target.dataset.code) explain(e.target.dataset.code); });

// playground is the page's interface for automation (the browser test).
globalThis.playground = {
  ready: start().catch((err) => { setStatus(`failed to load: ${err}`, true); throw err; }),
  runScenario(name) { chooseScenario(name); return run(); },
  runScript(text) { $("script").value = text; updateGutter(); return run(); },
  setStep,
  explain(code) { explain(code); return $("explain-text").textContent; },
  churn,
  churnForm() { return churn(churnArgs()); },
};
