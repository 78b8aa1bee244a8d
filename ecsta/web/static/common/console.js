// ecsta web consoles: the login, the session and the requests both consoles make.
//
// The session lives in an HttpOnly cookie that scripts cannot read; what the page keeps is the
// session's CSRF token, sent in a header with every request that changes something. Every
// value from the server reaches the page as text (textContent), never as markup.
"use strict";

const ecsta = (() => {
  let csrf = null;
  let app = null;
  let started = false;

  class ApiError extends Error {
    constructor(status, body) {
      const text = body && typeof body === "object" ? body.message || body.error : body;
      super(text || `HTTP ${status}`);
      this.status = status;
      this.body = body;
    }
  }

  // An element with attributes and children (strings become text nodes).
  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else if (value === true) node.setAttribute(key, "");
      else node.setAttribute(key, String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function $(selector) {
    return document.querySelector(selector);
  }

  // Replace a table body's rows; an empty list shows ``empty`` across the columns.
  function fillRows(tbody, rows, empty) {
    if (rows.length === 0) {
      const columns = tbody.closest("table").querySelectorAll("thead th").length || 1;
      tbody.replaceChildren(el("tr", { class: "empty" }, el("td", { colspan: columns, text: empty })));
    } else {
      tbody.replaceChildren(...rows);
    }
  }

  function say(target, text, kind) {
    const node = typeof target === "string" ? $(target) : target;
    node.textContent = text || "";
    node.className = "message" + (kind ? " " + kind : "");
  }

  function time(seconds) {
    if (seconds === null || seconds === undefined) return "";
    return new Date(seconds * 1000).toLocaleString();
  }

  function duration(seconds) {
    if (seconds === null || seconds === undefined) return "";
    let left = Math.max(0, Math.floor(Date.now() / 1000 - seconds));
    const parts = [];
    for (const [unit, size] of [["d", 86400], ["h", 3600], ["m", 60]]) {
      if (left >= size) {
        parts.push(Math.floor(left / size) + unit);
        left %= size;
      }
    }
    parts.push(left + "s");
    return parts.slice(0, 2).join(" ");
  }

  async function request(method, path, options = {}) {
    const headers = {};
    let body;
    if (options.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(options.json);
    } else if (options.text !== undefined) {
      headers["content-type"] = "text/plain; charset=utf-8";
      body = options.text;
    }
    if (csrf && method !== "GET") headers["x-csrf-token"] = csrf;
    const response = await fetch(path, {
      method,
      headers,
      body,
      credentials: "same-origin",
      cache: "no-store",
    });
    const type = response.headers.get("content-type") || "";
    const data = type.startsWith("application/json") ? await response.json() : await response.text();
    if (!response.ok) {
      if (response.status === 401 && !options.quiet) showLogin(data && data.login);
      throw new ApiError(response.status, data);
    }
    return data;
  }

  function showLogin(kind) {
    csrf = null;
    $("#app").hidden = true;
    $("#login").hidden = false;
    $("#logout").hidden = true;
    $("#whoami").textContent = "";
    const token = (kind || $("#login").dataset.kind) === "token";
    if (kind) $("#login").dataset.kind = kind;
    $("#login-user-field").hidden = token;
    $("#login-password-field").hidden = token;
    $("#login-token-field").hidden = !token;
    $("#login-user").required = !token;
    (token ? $("#login-token") : $("#login-user")).focus();
  }

  function loggedIn(session) {
    csrf = session.csrf;
    $("#login").hidden = true;
    $("#app").hidden = false;
    $("#logout").hidden = session.login === "none";
    $("#whoami").textContent =
      session.login === "none" ? "no login configured" : `logged in: ${session.user}`;
    if (!started) {
      started = true;
      app.start();
    } else if (app.resume) {
      app.resume();
    }
  }

  async function submitLogin(event) {
    event.preventDefault();
    const token = $("#login").dataset.kind === "token";
    const form = token
      ? { token: $("#login-token").value }
      : { user: $("#login-user").value, password: $("#login-password").value };
    say("#login-error", "");
    $("#login-submit").disabled = true;
    try {
      const session = await request("POST", "login", { json: form, quiet: true });
      $("#login-password").value = "";
      $("#login-token").value = "";
      loggedIn(session);
    } catch (error) {
      say("#login-error", error.status === 401 ? "Wrong login." : error.message, "error");
    } finally {
      $("#login-submit").disabled = false;
    }
  }

  async function logout() {
    try {
      await request("POST", "logout", { quiet: true });
    } finally {
      showLogin();
    }
  }

  // Show the console, or its login first; ``console`` has start() and optionally resume().
  async function start(console) {
    app = console;
    $("#login-form").addEventListener("submit", submitLogin);
    $("#logout").addEventListener("click", logout);
    try {
      loggedIn(await request("GET", "session", { quiet: true }));
    } catch (error) {
      if (error.status === 401) showLogin(error.body && error.body.login);
      else say("#fatal", `The console cannot reach its server: ${error.message}`, "error");
    }
  }

  // "ok", "loggedOut" (the login is shown) or "unreachable" (the server did not answer: the
  // session may be fine, and the console must not claim a logout it has not seen).
  async function checkSession() {
    try {
      await request("GET", "session");
      return "ok";
    } catch (error) {
      return error.status === 401 ? "loggedOut" : "unreachable";
    }
  }

  // Tabs: buttons with data-tab naming the id of the section they show.
  function tabs(onShow) {
    const buttons = document.querySelectorAll("nav.tabs button[data-tab]");
    for (const button of buttons) {
      button.addEventListener("click", () => {
        for (const other of buttons) {
          const selected = other === button;
          other.setAttribute("aria-selected", String(selected));
          $("#" + other.dataset.tab).hidden = !selected;
        }
        if (onShow) onShow(button.dataset.tab);
      });
    }
  }

  return { ApiError, el, $, fillRows, say, time, duration, request, start, checkSession, tabs };
})();
