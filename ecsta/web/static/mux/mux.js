// The multiplexer's console: the status document, read every two seconds and shown as tables.
"use strict";

(() => {
  const { el, $, fillRows, say, time, duration, request } = ecsta;
  const PERIOD = 2000;
  let timer = null;

  // A CSTA device or monitor object as one line: its identifiers, without the ASN.1 nesting.
  function describe(value) {
    if (value === null || value === undefined) return "";
    if (typeof value !== "object") return String(value);
    if (Array.isArray(value)) return value.map(describe).join(", ");
    return Object.entries(value)
      .map(([key, inner]) => (typeof inner === "object" && inner !== null ? describe(inner) : `${inner} (${key})`))
      .join(" ");
  }

  function counterRows(counters) {
    return Object.entries(counters || {})
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, value]) =>
        el("tr", {}, el("td", { text: name }), el("td", { class: "num", text: Array.isArray(value) ? value.join(", ") || "none" : value })),
      );
  }

  function showPbx(pbx) {
    const badge = $("#pbx-state");
    badge.textContent = pbx.connected ? `connected (${pbx.state})` : `not connected (${pbx.state})`;
    badge.className = "badge " + (pbx.connected ? "good" : "bad");
    badge.dataset.connected = String(pbx.connected);
    $("#pbx-peer").textContent = pbx.peer || "";
    $("#pbx-since").textContent = pbx.since ? `${time(pbx.since)} (${duration(pbx.since)})` : "";
    $("#pbx-system-status").textContent = pbx.systemStatus || "";
    $("#pbx-in-flight").textContent = pbx.inFlight;
    $("#pbx-queued").textContent = pbx.queued;
    fillRows($("#pbx-counters"), counterRows(pbx.counters), "no link");
  }

  function showApplications(apps) {
    $("#app-count").textContent = `(${apps.length})`;
    const rows = apps.map((app) =>
      el(
        "tr",
        { "data-app": app.id },
        el("td", { class: "num", text: app.id }),
        el("td", { class: "mono", text: app.address }),
        el("td", { text: app.user || "" }),
        el("td", { text: app.tls ? "yes" : "no" }),
        el("td", { text: duration(app.since), title: time(app.since) }),
        el("td", { class: "mono", text: app.monitors.length ? `${app.monitors.length}: ${app.monitors.join(" ")}` : "0" }),
        el("td", { class: "num", text: app.openRequests }),
        el("td", { class: "num", text: app.requests }),
        el("td", { class: "num", text: app.rejected }),
        el("td", { class: "num", text: app.buffer }),
      ),
    );
    fillRows($("#applications"), rows, "no application connected");
  }

  function showMonitors(monitors) {
    $("#monitor-count").textContent = `(${monitors.length})`;
    const rows = monitors.map((monitor) =>
      el(
        "tr",
        { "data-monitor": monitor.crossRefID },
        el("td", { class: "mono", text: monitor.crossRefID }),
        el("td", { class: "mono", text: monitor.pbxCrossRefID || "" }),
        el("td", { text: describe(monitor.object) }),
        el("td", { text: monitor.state }),
        el("td", { text: monitor.sharers.join(", ") }),
        el("td", { class: "num", text: monitor.events }),
      ),
    );
    fillRows($("#monitors"), rows, "no monitor");
  }

  function ownerRow(name, owner) {
    const sessions = owner.sessions.map((s) => s.crossRefID + (s.pbxCrossRefID ? ` → ${s.pbxCrossRefID}` : "")).join(", ");
    return el(
      "tr",
      {},
      el("td", { text: name }),
      el("td", { text: owner.owner === null ? "none" : `application ${owner.owner}` }),
      el("td", { class: "mono", text: sessions || "none" }),
      el("td", { class: "num", text: owner.reports }),
    );
  }

  function show(status) {
    showPbx(status.pbx);
    showApplications(status.applications);
    showMonitors(status.monitors);
    fillRows($("#owners"), [ownerRow("CDR", status.cdr), ownerRow("Data collection", status.dataCollection)], "");
    fillRows($("#counters"), counterRows(status.counters), "nothing counted yet");
    const { lockedOut, ...logins } = status.logins;
    logins["locked-out addresses"] = lockedOut;
    fillRows($("#logins"), counterRows(logins), "");
    $("#updated").textContent = `updated ${new Date().toLocaleTimeString()}`;
  }

  async function poll() {
    clearTimeout(timer);
    try {
      show(await request("GET", "api/status"));
      say("#poll-error", "");
    } catch (error) {
      if (error.status === 401) return; // the login is shown; polling resumes after it
      say("#poll-error", `Status unavailable: ${error.message}`, "error");
    }
    timer = setTimeout(poll, PERIOD);
  }

  ecsta.start({ start: poll, resume: poll });
})();
