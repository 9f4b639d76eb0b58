// mlnotes: sortable tables (the papers index). Click a header to sort by it; again to reverse.
document.querySelectorAll("table.mlnotes-sortable").forEach((table) => {
  table.querySelectorAll("th button[data-col]").forEach((button) => {
    button.addEventListener("click", () => {
      const col = Number(button.dataset.col);
      const body = table.tBodies[0];
      const rows = Array.from(body.rows);
      const descending = button.dataset.order !== "desc";
      const key = (row) => {
        const cell = row.cells[col];
        return cell.dataset.sort !== undefined ? cell.dataset.sort : cell.textContent.trim();
      };
      rows.sort((a, b) => key(a).localeCompare(key(b), "zh-CN") * (descending ? -1 : 1));
      rows.forEach((row) => body.appendChild(row));
      table.querySelectorAll("th button").forEach((b) => { delete b.dataset.order; b.removeAttribute("aria-sort"); });
      button.dataset.order = descending ? "desc" : "asc";
      button.closest("th").setAttribute("aria-sort", descending ? "descending" : "ascending");
    });
  });
});

// Hover (or focus) a citation to read the reference without leaving the page: the footnote's
// own text is shown next to it. Everything is in the page already, so it works offline.
(() => {
  let tip = null;
  const hide = () => { if (tip) { tip.remove(); tip = null; } };
  const show = (ref) => {
    const id = decodeURIComponent((ref.getAttribute("href") || "").replace(/^#/, ""));
    const note = id && document.getElementById(id);
    if (!note) return;
    hide();
    tip = document.createElement("div");
    tip.className = "mlnotes-ref-preview";
    tip.setAttribute("role", "tooltip");
    const body = note.cloneNode(true);
    body.querySelectorAll(".label, .fn-bracket, .backrefs").forEach((n) => n.remove());
    body.removeAttribute("id");
    body.querySelectorAll("[id]").forEach((n) => n.removeAttribute("id"));
    tip.appendChild(body);
    document.body.appendChild(tip);
    const r = ref.getBoundingClientRect();
    tip.style.left = `${Math.max(8, Math.min(window.scrollX + r.left, window.scrollX + document.documentElement.clientWidth - tip.offsetWidth - 8))}px`;
    tip.style.top = `${window.scrollY + r.bottom + 6}px`;
  };
  document.querySelectorAll("a.footnote-reference").forEach((ref) => {
    ref.addEventListener("mouseenter", () => show(ref));
    ref.addEventListener("focus", () => show(ref));
    ref.addEventListener("mouseleave", hide);
    ref.addEventListener("blur", hide);
  });
  document.addEventListener("keydown", (e) => { if (e.key === "Escape") hide(); });
})();

// mlnotes: a display formula wider than the column scrolls sideways (div.math has overflow-x: auto).
// Keyboard users must be able to scroll it too, so exactly those formulas that overflow become
// focusable groups; on a wider screen the same formulas drop out of the tab order again.
(() => {
  const mark = () => {
    document.querySelectorAll("div.math").forEach((box) => {
      const overflows = box.scrollWidth > box.clientWidth + 1;
      if (overflows && !box.hasAttribute("tabindex")) {
        box.tabIndex = 0;
        box.dataset.mlnotesScroll = "1";
        box.setAttribute("role", "group");
        box.setAttribute("aria-label", "公式（可横向滚动）");
      } else if (!overflows && box.dataset.mlnotesScroll) {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
        delete box.dataset.mlnotesScroll;
      }
    });
  };
  let pending = 0;
  window.addEventListener("resize", () => { cancelAnimationFrame(pending); pending = requestAnimationFrame(mark); });
  mark();
})();
