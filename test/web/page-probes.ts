/**
 * Probes the visualiser tests run inside the page, as script text: this test program is type-checked
 * without the DOM's types (it is Node code), and the page needs nothing of it.
 */

/**
 * Text that runs into its neighbour on screen (as "rows50" did): two inline neighbours with text, at
 * least one an element, on one line with no space between them, neither in the text nor on screen.
 * Side-by-side text nodes are one text ("1–8" is three of them). Answers "left|right" for each.
 */
export const FIND_RUN_TOGETHERS = String.raw`(() => {
  const found = [];
  const hasText = (n) => (n.textContent || "").trim() !== "" || (n instanceof Element && n.matches("select, input, button"));
  const boxes = (n) => {
    if (n instanceof Element) return [...n.getClientRects()];
    const range = document.createRange();
    range.selectNodeContents(n);
    return [...range.getClientRects()];
  };
  const inline = (n) =>
    n.nodeType === Node.TEXT_NODE || (n instanceof Element && getComputedStyle(n).display.startsWith("inline"));
  for (const el of document.body.querySelectorAll("*")) {
    if (el.closest("svg")) continue;
    let prev = null;
    for (const child of el.childNodes) {
      const text = child.textContent || "";
      if (child.nodeType === Node.TEXT_NODE && text.trim() === "") {
        prev = null;
        continue;
      }
      if (!inline(child) || !hasText(child)) {
        prev = null;
        continue;
      }
      const rects = boxes(child).filter((r) => r.width > 0);
      if (rects.length === 0) continue;
      const first = rects[0];
      if (prev && !(prev.node.nodeType === Node.TEXT_NODE && child.nodeType === Node.TEXT_NODE)) {
        const before = prev.node.textContent || "";
        const sameLine = Math.abs(prev.box.top + prev.box.height / 2 - (first.top + first.height / 2)) < 4;
        const spaced = /\s$/.test(before) || /^\s/.test(text) || first.left - prev.box.right >= 3;
        if (sameLine && !spaced) found.push(before.trim().slice(-24) + "|" + text.trim().slice(0, 24));
      }
      prev = { node: child, box: rects[rects.length - 1] };
    }
  }
  return found;
})()`;

export interface TableColumns {
  /** Headers of the columns shown (not hidden by the layout). */
  shown: string[];
  /** Shown headers that stick out of the table's box or the window. */
  outside: string[];
  /** How far the table scrolls sideways (<= 0: not at all). */
  overflow: number;
  /** How far the page scrolls sideways. */
  pageOverflow: number;
}

/** The step table's columns as laid out (TableColumns). */
export const TABLE_COLUMNS = String.raw`(() => {
  const wrap = document.querySelector(".table-wrap");
  const w = wrap.getBoundingClientRect();
  const shown = [];
  const outside = [];
  for (const th of document.querySelectorAll("table.steps thead th")) {
    if (getComputedStyle(th).display === "none") continue;
    const name = (th.textContent || "").trim();
    shown.push(name);
    const r = th.getBoundingClientRect();
    if (r.left < w.left - 1 || r.right > w.right + 1 || r.right > window.innerWidth) outside.push(name);
  }
  return {
    shown,
    outside,
    overflow: wrap.scrollWidth - wrap.clientWidth,
    pageOverflow: document.documentElement.scrollWidth - window.innerWidth,
  };
})()`;

export interface DrawnNode {
  id: string;
  /** data-status: the category the node is coloured by. */
  status: string;
  fill: string;
  family: string;
  detail: string;
  title: string;
  /** The box's width minus its widest line of text (> 0: the text fits). */
  room: number;
}

/** Every node of the graph as drawn (DrawnNode). */
export const GRAPH_NODES = String.raw`[...document.querySelectorAll("svg.graph-svg g.node")].map((g) => {
  const rect = g.querySelector("rect");
  const texts = [...g.querySelectorAll("text")];
  return {
    id: g.getAttribute("data-id"),
    status: g.getAttribute("data-status"),
    fill: rect.getAttribute("fill"),
    family: g.querySelector("text.node-family")?.textContent ?? "",
    detail: g.querySelector("text.node-detail")?.textContent ?? "",
    title: g.querySelector("title")?.textContent ?? "",
    room: rect.getBBox().width - Math.max(...texts.map((t) => t.getComputedTextLength())),
  };
})`;
