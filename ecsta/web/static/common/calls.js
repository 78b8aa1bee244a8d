// The Calls page of both consoles: the call journal searched by number and period, a page at a
// time, newest first, and the same search downloaded as CSV.
"use strict";

(() => {
  const { el, $, fillRows, say, request } = ecsta;
  const API = "/api/v1/journal";
  const PAGE = 50;
  // Panasonic condition codes (KME additional data).
  const CONDITIONS = ["reverse charging", "transfer", "forwarding", "DISA/TIE", "remote maintenance", "no answer"];
  let offset = 0;

  function search() {
    const params = new URLSearchParams();
    for (const [id, name] of [["#calls-number", "number"], ["#calls-from", "from"], ["#calls-to", "to"]]) {
      const value = $(id).value.trim();
      if (value) params.set(name, value);
    }
    return params;
  }

  function row(call) {
    const condition = call.condition === null ? "" : CONDITIONS[call.condition] || String(call.condition);
    return el(
      "tr",
      { "data-call": call.id },
      el("td", { text: call.start || "" }),
      el("td", { text: call.end || "" }),
      el("td", { class: "num", text: call.duration === null ? "" : call.duration }),
      el("td", { text: call.calling || "" }),
      el("td", { text: call.called || "" }),
      el("td", { text: call.line || "" }),
      el("td", { text: call.charged || "" }),
      el("td", { text: condition }),
      el("td", { text: call.account || "" }),
      el("td", { class: "num", text: call.units === null ? "" : call.units }),
    );
  }

  function showJournal(journal) {
    const badge = $("#journal-state");
    badge.hidden = false;
    badge.dataset.state = journal.state;
    badge.textContent = journal.state === "ok" ? "journal ok" : `journal ${journal.state}: ${journal.error || ""}`;
    badge.className = "badge " + (journal.state === "ok" ? "good" : "bad");
  }

  async function load() {
    const params = search();
    const csv = new URLSearchParams(params);
    csv.set("format", "csv");
    $("#calls-csv").href = `${API}?${csv}`;
    params.set("limit", PAGE);
    params.set("offset", offset);
    try {
      const page = await request("GET", `${API}?${params}`);
      fillRows($("#calls"), page.calls.map(row), "no calls found");
      showJournal(page.journal);
      $("#calls-newer").disabled = offset === 0;
      $("#calls-older").disabled = page.next === null;
      $("#calls-page").textContent = page.calls.length
        ? `calls ${offset + 1} to ${offset + page.calls.length}`
        : "";
      say("#calls-error", "");
    } catch (error) {
      if (error.status !== 401) say("#calls-error", error.message, "error");
    }
  }

  function start() {
    $("#calls-search").addEventListener("submit", (event) => {
      event.preventDefault();
      offset = 0;
      load();
    });
    $("#calls-newer").addEventListener("click", () => {
      offset = Math.max(0, offset - PAGE);
      load();
    });
    $("#calls-older").addEventListener("click", () => {
      offset += PAGE;
      load();
    });
    load();
  }

  ecsta.start({ start, resume: load });
})();
