// An ordered list of rules edited as table rows: add, remove, move up and down.
//
// ``fields`` describe a rule's keys: {name, label, type: "text" | "checkbox" | "select",
// options (for select), initial}. get() gives the rules back in the order shown, as the
// settings document spells them.
"use strict";

const RuleList = (() => {
  const { el } = ecsta;

  function create(container, fields, empty) {
    const tbody = el("tbody");
    const table = el(
      "table",
      {},
      el("thead", {}, el("tr", {}, el("th", { text: "#" }), ...fields.map((f) => el("th", { text: f.label })), el("th"))),
      tbody,
    );
    const none = el("p", { class: "muted", text: empty });
    const add = el("button", { type: "button", class: "small add-rule", text: "Add rule" });
    container.replaceChildren(table, none, el("div", { class: "row" }, add));

    function input(field, value) {
      if (field.type === "checkbox") {
        const box = el("input", { type: "checkbox", "data-field": field.name });
        box.checked = value === undefined ? Boolean(field.initial) : Boolean(value);
        return box;
      }
      if (field.type === "select") {
        const select = el("select", { "data-field": field.name }, field.options.map((o) => el("option", { value: o, text: o })));
        select.value = value === undefined ? field.initial || field.options[0] : value;
        return select;
      }
      const text = el("input", { "data-field": field.name, size: 18, spellcheck: "false" });
      text.value = value === undefined ? field.initial || "" : value;
      return text;
    }

    function renumber() {
      const rows = [...tbody.rows];
      rows.forEach((row, index) => {
        row.cells[0].textContent = index;
      });
      none.hidden = rows.length > 0;
    }

    function addRow(rule) {
      const row = el("tr", {}, el("td", { class: "num" }), ...fields.map((f) => el("td", {}, input(f, rule[f.name]))));
      const move = (step) => () => {
        const sibling = step < 0 ? row.previousElementSibling : row.nextElementSibling;
        if (sibling) tbody.insertBefore(row, step < 0 ? sibling : sibling.nextElementSibling);
        renumber();
      };
      row.append(
        el(
          "td",
          {},
          el("button", { type: "button", class: "small", title: "up", text: "↑", onclick: move(-1) }),
          " ",
          el("button", { type: "button", class: "small", title: "down", text: "↓", onclick: move(1) }),
          " ",
          el("button", {
            type: "button",
            class: "small danger",
            text: "Remove",
            onclick: () => {
              row.remove();
              renumber();
            },
          }),
        ),
      );
      tbody.append(row);
      renumber();
    }

    add.addEventListener("click", () => addRow({}));

    return {
      set(rules) {
        tbody.replaceChildren();
        for (const rule of rules) addRow(rule);
        renumber();
      },
      get() {
        return [...tbody.rows].map((row) => {
          const rule = {};
          for (const node of row.querySelectorAll("[data-field]")) {
            rule[node.dataset.field] = node.type === "checkbox" ? node.checked : node.value;
          }
          return rule;
        });
      },
      // Highlight rule ``index`` with ``kind`` ("matched" or "invalid"); null clears.
      mark(index, kind) {
        [...tbody.rows].forEach((row, i) => {
          row.classList.remove("matched", "invalid");
          if (i === index) row.classList.add(kind);
        });
      },
    };
  }

  return { create };
})();
