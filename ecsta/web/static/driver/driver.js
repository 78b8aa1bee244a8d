// The driver's console: lines, live calls from the event stream, and the driver's settings.
//
// Calls are read once (GET /api/v1/calls, again after every reconnection) and from then on
// kept up to date by the event stream alone: LINE_NEWCALL and LINE_CALLINFO carry the call
// object, LINE_CALLSTATE its new state and features.
"use strict";

(() => {
  const { el, $, fillRows, say, request } = ecsta;
  const API = "/api/v1";
  const FORWARD_MODES = [
    "LINEFORWARDMODE_UNCOND",
    "LINEFORWARDMODE_UNCONDINTERNAL",
    "LINEFORWARDMODE_UNCONDEXTERNAL",
    "LINEFORWARDMODE_BUSY",
    "LINEFORWARDMODE_BUSYINTERNAL",
    "LINEFORWARDMODE_BUSYEXTERNAL",
    "LINEFORWARDMODE_NOANSW",
    "LINEFORWARDMODE_NOANSWINTERNAL",
    "LINEFORWARDMODE_NOANSWEXTERNAL",
  ];
  const CATEGORIES = ["incoming", "outgoing", "dialing"];
  // The call operations offered as buttons, and the TAPI feature that enables each.
  const OPERATIONS = [
    ["answer", "Answer", "LINECALLFEATURE_ANSWER"],
    ["hold", "Hold", "LINECALLFEATURE_HOLD"],
    ["unhold", "Retrieve", "LINECALLFEATURE_UNHOLD"],
    ["drop", "Drop", "LINECALLFEATURE_DROP"],
  ];
  const MAX_EVENTS = 200;

  const lines = new Map();
  const calls = new Map();
  const rows = new Map();
  let socket = null;
  let retry = 500;
  let rules = null;

  const short = (name, prefix) => (name || "").replace(prefix, "");

  function party(id) {
    if (!id) return "";
    const number = id.number || "";
    return id.name ? `${id.name} <${number}>` : number;
  }

  function problem(error) {
    const body = error.body;
    if (body && typeof body === "object" && body.field) return `${body.field}: ${body.message}`;
    return error.message;
  }

  // A burst of events (a link drop takes every line out of service at once) asks for a reload
  // each; while one runs, the others make one more run after it, not one request each.
  function coalesced(load) {
    let busy = false;
    let again = false;
    return async () => {
      if (busy) {
        again = true;
        return;
      }
      busy = true;
      try {
        do {
          again = false;
          await load();
        } while (again);
      } finally {
        busy = false;
      }
    };
  }

  // -- lines ------------------------------------------------------------------------------------

  const loadLines = coalesced(async () => {
    try {
      const answer = await request("GET", `${API}/lines`);
      lines.clear();
      for (const line of answer.lines) lines.set(line.line, line);
      // Calls are offered operations only on lines in service: they show again with the lines.
      showCalls();
    } catch (error) {
      if (error.status !== 401) say("#notice", `Lines unavailable: ${error.message}`, "error");
    }
  });

  function lineState(line) {
    if (!line.open) return ["closed", "warn"];
    if (!line.inService) return ["out of service", "bad"];
    return ["in service", "good"];
  }

  function showLines() {
    const all = [...lines.values()];
    $("#line-count").textContent = `(${all.length})`;
    fillRows(
      $("#line-summary"),
      all.map((line) => {
        const [text, kind] = lineState(line);
        const count = [...calls.values()].filter((c) => c.line === line.line).length;
        return el(
          "tr",
          { "data-line": line.line },
          el("td", { text: line.line }),
          el("td", { text: line.name }),
          el("td", {}, el("span", { class: `badge ${kind}`, text })),
          el("td", { class: "num", text: count }),
        );
      }),
      "no lines",
    );
    fillRows(
      $("#lines"),
      all.map((line) =>
        el(
          "tr",
          { "data-line": line.line },
          el("td", { text: line.line }),
          el("td", { text: line.name }),
          el("td", { class: "num", text: line.deviceNumber ?? "" }),
          el("td", { text: line.open ? "yes" : "no" }),
          el("td", { text: line.inService ? "yes" : "no" }),
          el("td", { text: line.superTwin ? "yes" : "no" }),
          el("td", { class: "num", text: line.calls.length }),
          el("td", { text: line.licenceError || line.monitorError || "" }),
          el(
            "td",
            {},
            el("button", {
              type: "button",
              class: "small",
              text: line.open ? "Close" : "Open",
              onclick: () => lineAction(line.line, line.open ? "close" : "open"),
            }),
            " ",
            el("button", { type: "button", class: "small", text: "Forwarding", onclick: () => pickForwarding(line.line) }),
            " ",
            el("button", { type: "button", class: "small danger", text: "Remove", onclick: () => removeLine(line.line) }),
          ),
        ),
      ),
      "no lines",
    );
    fillSelect($("#dial-line"), all.map((l) => [l.line, `${l.line} ${l.name}`.trim(), !l.open || !l.inService]));
    fillSelect($("#forward-line"), all.map((l) => [l.line, `${l.line} ${l.name}`.trim(), false]));
    showAddresses();
  }

  function fillSelect(select, options) {
    const previous = select.value;
    select.replaceChildren(...options.map(([value, label, disabled]) => el("option", { value, text: label, disabled })));
    if (options.some(([value]) => value === previous)) select.value = previous;
  }

  async function lineAction(number, action) {
    try {
      await request("POST", `${API}/lines/${encodeURIComponent(number)}/${action}`);
      say("#lines-result", `Line ${number}: ${action === "open" ? "opened" : "closed"}.`, "ok");
    } catch (error) {
      say("#lines-result", `Line ${number}: ${error.message}`, "error");
    }
    loadLines();
  }

  async function removeLine(number) {
    if (!window.confirm(`Remove line ${number}?`)) return;
    try {
      await request("DELETE", `${API}/lines/${encodeURIComponent(number)}`);
      say("#lines-result", `Line ${number} removed.`, "ok");
    } catch (error) {
      say("#lines-result", `Line ${number}: ${error.message}`, "error");
    }
    loadLines();
  }

  async function addLine(event) {
    event.preventDefault();
    const number = $("#add-line-number").value.trim();
    try {
      await request("POST", `${API}/lines`, { json: { number, name: $("#add-line-name").value } });
      say("#lines-result", `Line ${number} added.`, "ok");
      $("#add-line-number").value = "";
      $("#add-line-name").value = "";
    } catch (error) {
      say("#lines-result", error.message, "error");
    }
    loadLines();
  }

  async function queryLines() {
    say("#lines-result", "Asking the PBX for its devices…");
    try {
      const answer = await request("POST", `${API}/lines/query`);
      say("#lines-result", `The PBX lists ${answer.devices} devices; ${answer.lines.length} lines.`, "ok");
    } catch (error) {
      say("#lines-result", error.message, "error");
    }
    loadLines();
  }

  // -- calls ------------------------------------------------------------------------------------

  async function loadCalls() {
    try {
      const answer = await request("GET", `${API}/calls`);
      calls.clear();
      for (const call of answer.calls) calls.set(call.id, call);
      showCalls();
    } catch (error) {
      if (error.status !== 401) say("#notice", `Calls unavailable: ${error.message}`, "error");
    }
  }

  function callRow(call) {
    let row = rows.get(call.id);
    if (!row) {
      const transferTo = el("input", { class: "transfer-to", placeholder: "transfer to", size: 10 });
      const transfer = el("button", { type: "button", class: "small", "data-op": "blindtransfer", text: "Transfer" });
      transfer.addEventListener("click", () => operate(call.id, "blindtransfer", { to: transferTo.value.trim() }));
      const buttons = OPERATIONS.map(([op, label]) => {
        const button = el("button", { type: "button", class: "small", "data-op": op, text: label });
        button.addEventListener("click", () => operate(call.id, op, {}));
        return button;
      });
      row = el(
        "tr",
        { "data-call": call.id },
        ...Array.from({ length: 7 }, () => el("td")),
        el("td", {}, ...buttons.flatMap((b) => [b, " "]), transferTo, " ", transfer),
      );
      rows.set(call.id, row);
    }
    const state = short(call.state, "LINECALLSTATE_");
    row.dataset.line = call.line;
    row.dataset.state = state;
    const cells = row.cells;
    cells[0].textContent = call.id;
    cells[1].textContent = call.line;
    cells[2].textContent = call.address;
    const modes = (call.stateMode || []).map((m) => m.replace(/^LINE[A-Z]+MODE_/, ""));
    cells[3].textContent = modes.length ? `${state} (${modes.join(", ")})` : state;
    cells[4].textContent = party(call.callerId);
    cells[5].textContent = party(call.calledId);
    cells[6].textContent = party(call.connectedId);
    const features = new Set(call.features || []);
    // A line out of service (link down, no monitor, no licence) refuses every operation.
    const serving = Boolean(lines.get(call.line)?.inService);
    for (const button of row.querySelectorAll("button[data-op]")) {
      const feature = button.dataset.op === "blindtransfer" ? "LINECALLFEATURE_BLINDTRANSFER" : OPERATIONS.find(([op]) => op === button.dataset.op)[2];
      button.disabled = !serving || !features.has(feature) || document.body.dataset.pbx === "down";
    }
    return row;
  }

  function showCalls() {
    const live = [...calls.values()].sort((a, b) => a.id - b.id);
    for (const id of [...rows.keys()]) if (!calls.has(id)) rows.delete(id);
    $("#call-count").textContent = `(${live.length})`;
    const wanted = live.map(callRow);
    const tbody = $("#calls");
    // Rows stay in place when the set of calls is unchanged, so that typing is not interrupted.
    const shown = [...tbody.rows];
    if (wanted.length === 0 || wanted.length !== shown.length || wanted.some((row, i) => row !== shown[i])) {
      fillRows(tbody, wanted, "no calls");
    }
    showLines();
  }

  async function operate(id, operation, body) {
    say("#notice", "");
    try {
      await request("POST", `${API}/calls/${id}/${operation}`, { json: body });
    } catch (error) {
      say("#notice", `Call ${id}, ${operation}: ${error.message}`, "error");
    }
  }

  async function dial(event) {
    event.preventDefault();
    const line = $("#dial-line").value;
    const to = $("#dial-to").value.trim();
    say("#dial-result", `Dialling ${to} from ${line}…`);
    try {
      const answer = await request("POST", `${API}/lines/${encodeURIComponent(line)}/makecall`, { json: { to } });
      say("#dial-result", `Call ${answer.call} placed.`, "ok");
    } catch (error) {
      say("#dial-result", error.message, "error");
    }
  }

  // -- the PBX link ------------------------------------------------------------------------------

  // While the driver cannot reach the PBX (or the mux, or the PBX behind it), a banner says why
  // and call operations are disabled: they could only fail.
  let pbxProblems = [];

  const checkPbx = coalesced(async () => {
    try {
      const status = await request("GET", `${API}/status`, { quiet: true });
      pbxProblems = status.problems || [];
    } catch (error) {
      pbxProblems = error.status === 401 ? pbxProblems : [`the driver does not answer: ${error.message}`];
    }
    const banner = $("#pbx-banner");
    banner.hidden = pbxProblems.length === 0;
    banner.textContent = pbxProblems.join("; ");
    const down = pbxProblems.some((p) => !p.startsWith("no lines"));
    document.body.dataset.pbx = down ? "down" : "up";
    $("#dial-button").disabled = down;
    for (const call of calls.values()) callRow(call);
  });

  // -- the event stream -------------------------------------------------------------------------

  function setLive(state) {
    const badge = $("#live");
    badge.dataset.state = state;
    badge.textContent = state;
    badge.className = "badge " + (state === "live" ? "good" : "bad");
    badge.hidden = false;
  }

  function logEvent(message) {
    const parts = [new Date().toLocaleTimeString(), message.line ?? "", message.msg];
    if (message.state) parts.push(short(message.state, "LINECALLSTATE_"));
    if (message.infoState) parts.push(message.infoState.map((s) => short(s, "LINECALLINFOSTATE_")).join("+"));
    if (message.devState) parts.push(message.devState.map((s) => short(s, "LINEDEVSTATE_")).join("+"));
    if (message.operation) parts.push(message.operation + (message.error ? ` failed: ${JSON.stringify(message.error)}` : ""));
    if (message.call !== undefined && message.call !== null) parts.push(`call ${message.call}`);
    const list = $("#events");
    list.prepend(el("li", { text: parts.join(" ") }));
    while (list.children.length > MAX_EVENTS) list.lastElementChild.remove();
  }

  async function refreshCall(id) {
    try {
      calls.set(id, await request("GET", `${API}/calls/${id}`));
    } catch (error) {
      calls.delete(id);
    }
    showCalls();
  }

  function handle(message) {
    logEvent(message);
    switch (message.msg) {
      case "HELLO":
        loadLines();
        loadCalls();
        break;
      case "LINE_NEWCALL":
      case "LINE_CALLINFO":
        calls.set(message.call, message.callInfo);
        showCalls();
        break;
      case "LINE_CALLSTATE": {
        const call = calls.get(message.call);
        if (message.state === "LINECALLSTATE_IDLE") {
          calls.delete(message.call);
          showCalls();
        } else if (call) {
          call.state = message.state;
          call.stateMode = message.mode;
          call.features = message.features;
          showCalls();
        } else {
          refreshCall(message.call);
        }
        break;
      }
      case "LINE_LINEDEVSTATE":
        loadLines();
        checkPbx();
        break;
      case "LINE_ADDRESSSTATE":
        loadLines();
        if (message.line === $("#forward-line").value && String(message.address) === $("#forward-address").value) loadForwarding();
        break;
      case "LINE_REPLY":
        if (message.error) say("#notice", `${message.operation} failed: ${JSON.stringify(message.error)}`, "error");
        break;
    }
  }

  function connect() {
    if (socket) return;
    setLive("connecting");
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    socket = new WebSocket(`${scheme}//${location.host}${API}/events`);
    socket.addEventListener("open", () => {
      retry = 500;
      setLive("live");
      checkPbx();
    });
    socket.addEventListener("message", (event) => handle(JSON.parse(event.data)));
    socket.addEventListener("close", async () => {
      socket = null;
      setLive("reconnecting");
      // A refused upgrade looks like any other close: the session may have ended.
      const session = await ecsta.checkSession();
      if (session === "loggedOut") return; // the login form is shown, and nothing else
      if (session === "unreachable") setLive("driver unreachable");
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 10000);
    });
  }

  // -- forwarding -------------------------------------------------------------------------------

  function pickForwarding(number) {
    document.querySelector('nav.tabs button[data-tab="tab-lines"]').click();
    $("#forward-line").value = number;
    showAddresses();
    $("#forward-line").scrollIntoView();
  }

  function showAddresses() {
    const line = lines.get($("#forward-line").value);
    const addresses = line ? line.addresses : [];
    const select = $("#forward-address");
    const previous = select.value;
    // The Mobile address (1) exists on every line but is used only with a Super-Twin DECT.
    fillSelect(select, addresses.map((a) => [String(a.address), `${a.address}: ${a.name}`, a.address !== 0 && !line.superTwin]));
    // Forwarding is set at the PBX only for a line in service (monitored, with a licence).
    for (const button of [$("#forward-apply"), $("#forward-cancel")]) button.disabled = !(line && line.inService);
    if (select.value !== previous || !select.dataset.loaded) loadForwarding();
  }

  function forwardRow(forward) {
    const mode = el("select", { class: "forward-mode" }, FORWARD_MODES.map((m) => el("option", { value: m, text: short(m, "LINEFORWARDMODE_") })));
    mode.value = forward.mode || FORWARD_MODES[0];
    const to = el("input", { class: "forward-to", placeholder: "destination", size: 16 });
    to.value = forward.to || "";
    const row = el("tr", {}, el("td", {}, mode), el("td", {}, to));
    row.append(el("td", {}, el("button", { type: "button", class: "small danger", text: "Remove", onclick: () => row.remove() })));
    return row;
  }

  async function loadForwarding() {
    const line = $("#forward-line").value;
    const address = $("#forward-address").value;
    $("#forward-address").dataset.loaded = "yes";
    if (!line || address === "") {
      $("#forwards").replaceChildren();
      return;
    }
    try {
      const status = await request("GET", `${API}/lines/${encodeURIComponent(line)}/addresses/${address}/status`);
      $("#forwards").replaceChildren(...status.forwards.map(forwardRow));
    } catch (error) {
      say("#forward-result", error.message, "error");
    }
  }

  async function applyForwarding(forwards) {
    const line = $("#forward-line").value;
    const address = Number($("#forward-address").value);
    try {
      await request("POST", `${API}/lines/${encodeURIComponent(line)}/forward`, { json: { address, forwards } });
      say("#forward-result", forwards.length ? `Forwarding of ${line} set.` : `Forwarding of ${line} cancelled.`, "ok");
    } catch (error) {
      say("#forward-result", error.message, "error");
    }
    loadForwarding();
  }

  function currentForwards() {
    return [...$("#forwards").rows].map((row) => ({
      mode: row.querySelector(".forward-mode").value,
      to: row.querySelector(".forward-to").value.trim(),
    }));
  }

  // -- import and export ------------------------------------------------------------------------

  async function exportLines() {
    try {
      const text = await request("GET", `${API}/lines/export`);
      $("#lines-text").value = text;
      const link = $("#export-download");
      if (link.href) URL.revokeObjectURL(link.href);
      link.href = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
      link.hidden = false;
      say("#import-result", "Lines exported.", "ok");
    } catch (error) {
      say("#import-result", `Export: ${error.message}`, "error");
    }
  }

  async function importLines() {
    const replace = $("#import-replace").checked;
    $("#import-problems").replaceChildren();
    try {
      const answer = await request("POST", `${API}/lines/import?replace=${replace}`, { text: $("#lines-text").value });
      const changes = [`${answer.added.length} added`, `${answer.renamed.length} renamed`, `${answer.removed.length} removed`];
      say("#import-result", `Imported: ${changes.join(", ")}; ${answer.lines} lines.`, "ok");
    } catch (error) {
      say("#import-result", `Import: ${error.message}`, "error");
      const problems = (error.body && error.body.problems) || [];
      $("#import-problems").replaceChildren(...problems.map((p) => el("li", { text: `line ${p.line}: ${p.message}` })));
    }
    loadLines();
  }

  async function readFile() {
    const file = $("#import-file").files[0];
    if (file) $("#lines-text").value = await file.text();
  }

  // -- rules ------------------------------------------------------------------------------------

  function ruleEditors() {
    const numberFields = [
      { name: "search", label: "Search", type: "text" },
      { name: "replace", label: "Replace", type: "text" },
      { name: "regex", label: "Regular expression", type: "checkbox", initial: true },
    ];
    const editors = {};
    for (const category of CATEGORIES) editors[category] = RuleList.create($(`#rules-${category}`), numberFields, "No rules: numbers pass unchanged.");
    editors.sipfilter = RuleList.create(
      $("#rules-sipfilter"),
      [
        { name: "kind", label: "Kind", type: "select", options: ["name-text", "number-text", "name-regex", "number-regex"] },
        { name: "search", label: "Search", type: "text" },
      ],
      "No rules.",
    );
    return editors;
  }

  async function loadSettings() {
    try {
      const settings = await request("GET", `${API}/settings`);
      say("#rules-unavailable", "");
      for (const category of CATEGORIES) rules[category].set(settings.numberFormat[category]);
      $("#sipfilter-enabled").checked = settings.sipFilter.enabled;
      rules.sipfilter.set(settings.sipFilter.rules);
    } catch (error) {
      if (error.status !== 401) say("#rules-unavailable", `The driver's settings are unavailable: ${error.message}`, "error");
    }
  }

  // Mark the rule a 400 names (``numberFormat.incoming[2].search``, ``sipFilter.rules[0]``).
  function markInvalid(error) {
    const field = (error.body && error.body.field) || "";
    const match = /^(?:numberFormat\.(\w+)|sipFilter\.rules)\[(\d+)\]/.exec(field);
    if (match) rules[match[1] || "sipfilter"].mark(Number(match[2]), "invalid");
  }

  async function saveSettings(patch, result) {
    for (const editor of Object.values(rules)) editor.mark(null);
    try {
      await request("PUT", `${API}/settings`, { json: patch });
      say(result, "Saved.", "ok");
      loadSettings();
    } catch (error) {
      say(result, problem(error), "error");
      markInvalid(error);
    }
  }

  async function checkNumber(event) {
    event.preventDefault();
    const category = $("#numberformat-category").value;
    for (const c of CATEGORIES) rules[c].mark(null);
    try {
      const answer = await request("POST", `${API}/numberformat/check`, { json: { category, number: $("#numberformat-number").value } });
      const what = answer.number === "" ? "suppressed" : `→ ${answer.number}`;
      say("#numberformat-answer", answer.rule === null ? `${what} (no rule matched)` : `${what} (rule ${answer.rule})`, "ok");
      if (answer.rule !== null) rules[category].mark(answer.rule, "matched");
    } catch (error) {
      say("#numberformat-answer", problem(error), "error");
    }
  }

  async function checkSip(event) {
    event.preventDefault();
    rules.sipfilter.mark(null);
    try {
      const answer = await request("POST", `${API}/sipfilter/check`, {
        json: { name: $("#sipfilter-name").value, number: $("#sipfilter-number").value },
      });
      say("#sipfilter-answer", answer.filtered ? `filtered out by rule ${answer.rule}` : "taken as a line", "ok");
      if (answer.filtered) rules.sipfilter.mark(answer.rule, "matched");
    } catch (error) {
      say("#sipfilter-answer", problem(error), "error");
    }
  }

  // -- licence ----------------------------------------------------------------------------------

  async function loadLicence() {
    try {
      const licence = await request("GET", `${API}/license`);
      // A driver without a licence pool (embedded in another program) reports only "off".
      const pooled = licence.mode !== "off";
      const days = licence.daysLeft === null ? "unlimited" : licence.daysLeft;
      $("#licence-mode").textContent = pooled ? licence.mode : "off (no licence pool)";
      $("#licence-days").textContent = pooled ? days : "";
      $("#licence-lines").textContent = pooled ? licence.linesLicensed : "";
      $("#licence-used").textContent = pooled ? licence.linesInUse : "";
      fillRows(
        $("#licence-keys"),
        (licence.keys || []).map((key) =>
          el("tr", {}, el("td", { class: "mono", text: key.id }), el("td", { text: key.licensee }), el("td", { class: "num", text: key.lines }), el("td", { text: key.issued })),
        ),
        "no keys",
      );
      const left = pooled && licence.daysLeft !== null ? `, ${licence.daysLeft} days left` : "";
      $("#licence-summary").textContent = pooled
        ? `licence: ${licence.mode}${left}, ${licence.linesInUse}/${licence.linesLicensed} lines`
        : "";
      say("#licence-message", licence.clockMovedBack ? "The system clock is behind the latest time seen: during the trial no line opens until it is right again." : "", "error");
    } catch (error) {
      if (error.status !== 401) say("#licence-message", `Licence status unavailable: ${error.message}`, "error");
    }
  }

  // -- wiring -----------------------------------------------------------------------------------

  function start() {
    rules = ruleEditors();
    ecsta.tabs((tab) => {
      if (tab === "tab-rules") loadSettings();
      if (tab === "tab-licence") loadLicence();
      if (tab === "tab-lines") loadLines();
    });
    $("#dial-form").addEventListener("submit", dial);
    // The systemStatus of a mux's PBX reaches the driver without an event to the console.
    setInterval(checkPbx, 5000);
    $("#add-line-form").addEventListener("submit", addLine);
    $("#query-lines").addEventListener("click", queryLines);
    $("#forward-line").addEventListener("change", showAddresses);
    $("#forward-address").addEventListener("change", loadForwarding);
    $("#forward-add").addEventListener("click", () => $("#forwards").append(forwardRow({})));
    $("#forward-apply").addEventListener("click", () => applyForwarding(currentForwards()));
    $("#forward-cancel").addEventListener("click", () => applyForwarding([]));
    $("#export-lines").addEventListener("click", exportLines);
    $("#import-lines").addEventListener("click", importLines);
    $("#import-file").addEventListener("change", readFile);
    $("#numberformat-save").addEventListener("click", () => {
      const numberFormat = {};
      for (const category of CATEGORIES) numberFormat[category] = rules[category].get();
      saveSettings({ numberFormat }, "#numberformat-result");
    });
    $("#sipfilter-save").addEventListener("click", () =>
      saveSettings({ sipFilter: { enabled: $("#sipfilter-enabled").checked, rules: rules.sipfilter.get() } }, "#sipfilter-result"),
    );
    $("#numberformat-check").addEventListener("submit", checkNumber);
    $("#sipfilter-check").addEventListener("submit", checkSip);
    loadLicence();
    connect();
  }

  ecsta.start({ start, resume: connect });
})();
