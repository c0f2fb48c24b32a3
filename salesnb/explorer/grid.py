"""The rank table the manager works in: a plain HTML table with sort, search, filter and row selection.

Why this and not a data-grid package: ipydatagrid draws on a canvas (a screen reader reads nothing, and keyboard
use is limited to moving a cell cursor), ipyaggrid lags behind JupyterLab 4 and ships a large grid library.
This is a small widget (anywidget, front end in `_ESM` below, no build step and nothing fetched: it works offline
in JupyterLab 4 and Voila) over a real ``<table>``: column headers are buttons (Tab to reach, Enter to sort,
``aria-sort`` says the order), a search box and a filter list narrow the rows, and each rep's name is a button
that opens their one-on-one view (a click anywhere on the row does the same). Sorting, searching and filtering
happen in the browser, instantly; the rows are sent once per change of the figures.

    grid = RankTable()
    grid.show(columns, rows, legend)          # rows: id, cells {key: [shown, sort value]}, points, tags
    grid.observe(lambda c: open_rep(c["new"]), names="selected")
"""
from __future__ import annotations

import anywidget
import traitlets

_ESM = r"""
function fmtRows(model) { return model.get("rows") || []; }

function render({ model, el }) {
  el.classList.add("snx", "snx-grid");
  const bar = document.createElement("div");
  bar.className = "snx-grid-bar";
  const search = document.createElement("input");
  search.type = "search";
  search.placeholder = "Search reps, teams, roles";
  search.setAttribute("aria-label", "Search the reps in the table");
  const filter = document.createElement("select");
  filter.setAttribute("aria-label", "Show only some reps");
  const count = document.createElement("span");
  count.className = "snx-grid-count";
  count.setAttribute("role", "status");
  count.setAttribute("aria-live", "polite");
  bar.append(search, filter, count);
  const wrap = document.createElement("div");
  wrap.className = "snx-grid-wrap";
  const table = document.createElement("table");
  table.className = "salesnb-leaderboard";
  wrap.append(table);
  el.append(bar, wrap);
  const state = { sort: null, desc: false, query: "", tag: "" };

  function header() {
    const cols = model.get("columns") || [];
    const thead = document.createElement("thead");
    const tr = document.createElement("tr");
    for (const c of cols) {
      const th = document.createElement("th");
      th.scope = "col";
      th.className = "col-" + c.key + (c.num ? " num" : "");
      if (c.sortable) {
        const b = document.createElement("button");
        b.type = "button";
        b.className = "snx-sort";
        const mark = state.sort === c.key ? (state.desc ? " ▼" : " ▲") : "";
        b.textContent = c.label + mark;
        b.title = "Sort by " + c.label.toLowerCase();
        b.dataset.key = c.key;
        b.addEventListener("click", () => {
          if (state.sort === c.key) state.desc = !state.desc;
          else { state.sort = c.key; state.desc = !!c.desc_first; }
          draw(c.key);
        });
        th.setAttribute("aria-sort", state.sort === c.key ? (state.desc ? "descending" : "ascending") : "none");
        th.append(b);
      } else {
        th.textContent = c.label;
      }
      tr.append(th);
    }
    thead.append(tr);
    return thead;
  }

  function filters() {
    const opts = [["", "All reps"], ...(model.get("filters") || [])];
    const keep = state.tag;
    filter.replaceChildren(...opts.map(([k, label]) => {
      const o = document.createElement("option");
      o.value = k; o.textContent = label; return o;
    }));
    filter.value = opts.some(o => o[0] === keep) ? keep : "";
    state.tag = filter.value;
  }

  function cmp(a, b) {
    const x = a.cells[state.sort] ? a.cells[state.sort][1] : null;
    const y = b.cells[state.sort] ? b.cells[state.sort][1] : null;
    if (x === null && y === null) return a.order - b.order;
    if (x === null) return 1;
    if (y === null) return -1;
    const r = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
    return (state.desc ? -r : r) || a.order - b.order;
  }

  function bars(points) {
    const legend = model.get("legend") || [];
    const span = document.createElement("span");
    span.className = "nowrap";
    points.forEach((v, i) => {
      if (!v || v <= 0 || !legend[i]) return;
      const s = document.createElement("span");
      s.className = "bar seg";
      s.dataset.metric = legend[i].key;
      s.title = legend[i].label + ": " + v.toFixed(1) + " points";
      s.style.width = (v * (model.get("px_per_point") || 0.9)).toFixed(1) + "px";
      s.style.background = legend[i].colour;
      span.append(s);
    });
    return span;
  }

  function draw(focusKey) {
    const cols = model.get("columns") || [];
    const limit = model.get("limit") || 0;
    const q = state.query.trim().toLowerCase();
    let rows = fmtRows(model).map((r, i) => ({ ...r, order: i }));
    if (state.tag) rows = rows.filter(r => (r.tags || []).includes(state.tag));
    if (q) rows = rows.filter(r => (r.text || "").toLowerCase().includes(q));
    if (state.sort) rows.sort(cmp);
    const total = rows.length;
    const shown = limit && !q && !state.tag ? rows.slice(0, limit) : rows;
    const tbody = document.createElement("tbody");
    for (const r of shown) {
      const tr = document.createElement("tr");
      tr.className = "salesnb-lb-row";
      tr.dataset.rep = r.id;
      if (model.get("selected") === r.id) tr.classList.add("snx-selected");
      for (const c of cols) {
        const td = document.createElement("td");
        td.className = "col-" + c.key + (c.num ? " num" : "");
        const cell = r.cells[c.key];
        if (c.kind === "name") {
          const b = document.createElement("button");
          b.type = "button";
          b.className = "snx-open";
          b.textContent = cell ? cell[0] : "";
          b.dir = "auto";
          b.title = "Open the one-on-one view of " + (cell ? cell[0] : "");
          b.addEventListener("click", (e) => { e.stopPropagation(); choose(r.id); });
          td.append(b);
        } else if (c.kind === "rank") {
          const s = document.createElement("span");
          s.className = "nowrap";
          s.textContent = cell ? cell[0] + " " : "";
          if (r.move) {
            const m = document.createElement("span");
            m.className = r.move > 0 ? "up" : "down";
            m.dataset.move = String(r.move);
            m.title = Math.abs(r.move) + " place" + (Math.abs(r.move) === 1 ? "" : "s") + (r.move > 0 ? " up" : " down")
              + " " + (model.get("moves_against") || "");
            m.textContent = (r.move > 0 ? "▲" : "▼") + Math.abs(r.move);
            s.append(m);
          }
          td.append(s);
        } else if (c.kind === "points") {
          td.append(r.points && r.points.length ? bars(r.points) : document.createTextNode(""));
          if (r.top) td.title = r.top;
        } else {
          td.textContent = cell ? cell[0] : "";
          td.dir = "auto";
        }
        tr.append(td);
      }
      tr.addEventListener("click", () => choose(r.id));
      tbody.append(tr);
    }
    table.replaceChildren(header(), tbody);
    const all = fmtRows(model).length;
    count.textContent = shown.length < total ? `Showing ${shown.length} of ${total} reps (Show all lists everyone)`
      : total < all ? `${total} of ${all} reps match` : `${total} reps`;
    if (focusKey) {
      const b = table.querySelector(`button.snx-sort[data-key="${focusKey}"]`);
      if (b) b.focus();
    }
  }

  function choose(id) {
    model.set("selected", id);
    model.set("clicks", (model.get("clicks") || 0) + 1);
    model.save_changes();
  }

  search.addEventListener("input", () => { state.query = search.value; draw(); });
  filter.addEventListener("change", () => { state.tag = filter.value; draw(); });
  const redraw = () => { filters(); draw(); };
  model.on("change:rows", redraw);
  model.on("change:columns", redraw);
  model.on("change:filters", redraw);
  model.on("change:limit", redraw);
  model.on("change:selected", () => draw());
  redraw();
}
export default { render };
"""


class RankTable(anywidget.AnyWidget):
    """The rank table (see the module docstring). `selected`: the rep id last opened from a row."""

    _esm = _ESM
    columns = traitlets.List().tag(sync=True)  # {key, label, kind, num, sortable, desc_first}
    rows = traitlets.List().tag(sync=True)  # {id, cells: {key: [shown, sort value]}, move, points, top, tags, text}
    legend = traitlets.List().tag(sync=True)  # per points slot: {key, label, colour}
    filters = traitlets.List().tag(sync=True)  # [tag, label]
    limit = traitlets.Int(0).tag(sync=True)  # rows shown before "Show all" (0: every row)
    px_per_point = traitlets.Float(0.9).tag(sync=True)
    moves_against = traitlets.Unicode("").tag(sync=True)
    selected = traitlets.Unicode("").tag(sync=True)
    clicks = traitlets.Int(0).tag(sync=True)  # a click on the row already selected opens it again

    def show(self, columns: list[dict], rows: list[dict], legend: list[dict], filters: list[list[str]],
             limit: int, moves_against: str) -> None:
        """Send a new table in one message (the figures of a new state)."""
        with self.hold_sync():
            self.columns, self.legend, self.filters = columns, legend, filters
            self.limit, self.moves_against = limit, moves_against
            self.rows = rows
